//! Statement and invoice-copy PDFs read back with poppler: balances, aging, currency sections,
//! accents, €/£/¥ and CJK text, pagination with repeated headers, wrapping inside the margins.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::{Days, NaiveDate};
use duebook_core::company::format_money;
use duebook_core::model::{Currency, InvoiceKind, Money, NewContact, NewCustomer, NewInvoice};
use duebook_core::statement::{
    self, render_invoice_copy, render_statement, statement_data, StatementError, StatementOptions,
};
use duebook_core::store::payments::{self, NewPayment, PaymentSource};
use duebook_core::store::Database;
use duebook_core::test_support::ledger::add_invoice;
use duebook_core::test_support::statement::*;
use duebook_core::views::report::aging;
use duebook_core::{store::contacts, store::customers, store::derived, store::invoices};
use std::path::Path;

fn options() -> StatementOptions {
    StatementOptions::new(today())
}

/// "1,234.50" / "-263,852": how table cells show amounts (the currency is in the heading).
fn number(minor: i64, currency: &Currency) -> String {
    let formatted = format_money(&Money::new(minor.abs(), currency.clone()));
    let digits: String = formatted
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .collect();
    if minor < 0 {
        format!("-{digits}")
    } else {
        digits
    }
}

fn all_customer_ids(db: &Database) -> Vec<(i64, String)> {
    let mut stmt = db
        .conn()
        .prepare("SELECT id, name FROM customers ORDER BY id")
        .unwrap();
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn every_demo_statement_balances_and_ages_like_the_aging_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    branded(&db);
    let conn = db.conn();
    let mut currencies_seen = std::collections::BTreeSet::new();
    for (id, name) in all_customer_ids(&db) {
        let data = statement_data(conn, id, &options()).unwrap();
        let report = aging::customer_aging(conn, id, today()).unwrap();
        for section in &data.sections {
            let code = section.currency.code();
            currencies_seen.insert(code.to_string());
            // The running balance adds up from the opening to the closing balance.
            let mut balance = section.opening;
            for entry in &section.entries {
                balance += entry.amount;
                assert_eq!(entry.balance, balance, "{name}: running balance");
                assert!(entry.date >= data.period_start && entry.date <= today());
            }
            assert_eq!(section.closing, balance, "{name} {code}: closing");
            assert_eq!(
                section.closing,
                section.opening + section.invoiced - section.credited - section.paid,
                "{name} {code}: period totals"
            );
            // What is open on the statement date is the closing balance, aged as the report ages it.
            assert_eq!(
                section.aging.total(),
                section.closing,
                "{name} {code}: open = closing"
            );
            let expected = report.currencies.get(code).cloned().unwrap_or_default();
            assert_eq!(
                section.aging, expected,
                "{name} {code}: aging equals report::aging"
            );
        }
        let reported: Vec<&String> = report
            .currencies
            .iter()
            .filter(|(_, b)| b.0.iter().any(|m| *m != 0))
            .map(|(c, _)| c)
            .collect();
        for code in reported {
            assert!(
                data.sections.iter().any(|s| s.currency.code() == code),
                "{name}: a section for {code}"
            );
        }

        let pdf = render_statement(conn, id, &options()).unwrap();
        let text = pdf_text(&pdf, dir.path(), &format!("c{id}"));
        assert!(text.contains(&name), "{name} appears in its statement");
        assert!(text.contains("Statement of account"));
        assert!(text.contains("24 Nov 2026"));
        assert!(text.contains("Opening balance") || data.sections.is_empty());
        for section in &data.sections {
            let c = &section.currency;
            assert!(
                text.contains(&format!("Account activity in {}", c.code())),
                "{name}"
            );
            // The amount due box, with the symbol (€, £, ¥, $) or code.
            let due = format_money(&Money::new(section.closing, c.clone()));
            assert!(text.contains(&due), "{name}: amount due {due}");
            // The aging row: every bucket and the total.
            for minor in section.aging.0.iter().chain([section.aging.total()].iter()) {
                assert!(
                    text.contains(&number(*minor, c)),
                    "{name}: aging amount {minor}"
                );
            }
            assert!(
                text.contains(&number(section.opening, c)),
                "{name}: opening"
            );
            for entry in &section.entries {
                assert!(text.contains(&entry.number), "{name}: {}", entry.number);
            }
        }
    }
    for code in ["USD", "EUR", "GBP", "JPY", "BHD"] {
        assert!(currencies_seen.contains(code), "the demo covers {code}");
    }
}

#[test]
fn accents_currency_symbols_and_cjk_names_come_out_as_text_in_embedded_subset_fonts() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    branded(&db);
    for (name, symbol, code, cjk) in [
        ("山田商事株式会社", "¥", "JPY", true),
        ("Café Ölmann GmbH", "€", "EUR", false),
        ("Brightwater Dental <Group>", "£", "GBP", false),
        ("Société Lumière SARL", "€", "EUR", false),
        ("Sunny Side Up ☀ Café", "$", "USD", false),
    ] {
        let id = customer_id(&db, name);
        // Something due in the period, whatever the demo's history left open, so amounts show.
        let total = Money::new(123_456, Currency::parse(code).unwrap());
        let issued = today().checked_sub_days(Days::new(3)).unwrap();
        let due = today().checked_add_days(Days::new(27)).unwrap();
        add_invoice(&db, id, &format!("FONT-{id}"), issued, due, total);
        let pdf = render_statement(db.conn(), id, &options()).unwrap();
        let path = dir.path().join(format!("s{id}.pdf"));
        std::fs::write(&path, &pdf).unwrap();
        keep(&pdf, &format!("s{id}.pdf"));
        let text = pdf_text(&pdf, dir.path(), &format!("s{id}"));
        assert!(text.contains(name), "{name}");
        assert!(text.contains(symbol), "{name}: {symbol}");
        assert!(text.contains("Öresund Bank"), "remittance details");
        let fonts = fonts(&path);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty());
        for row in &rows {
            // name type encoding emb sub uni ...: every font embedded, subsetted, with ToUnicode.
            let cols: Vec<&str> = row.split_whitespace().collect();
            let n = cols.len();
            assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "{name}: {row}");
            assert!(cols[0].contains('+'), "subset tag: {row}");
        }
        assert_eq!(
            fonts.contains("NotoSansCJK"),
            cjk,
            "{name}: the CJK font is embedded only when needed"
        );
        assert!(pdf.len() < 120_000, "{name}: {} bytes", pdf.len());
    }
}

#[test]
fn a_customer_billed_in_two_currencies_gets_a_section_for_each() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = demo_db(dir.path());
    branded(&db);
    let id = db
        .write(|tx| {
            let id = customers::insert(tx, &NewCustomer::named("Trois Devises Import-Export"))?;
            for (n, (code, minor)) in [
                ("USD", 125_000),
                ("EUR", 98_765),
                ("JPY", 1_500_000),
                ("EUR", 1_000),
            ]
            .into_iter()
            .enumerate()
            {
                invoices::insert(
                    tx,
                    &NewInvoice {
                        customer_id: id,
                        kind: InvoiceKind::Invoice,
                        number: format!("TD-{n}"),
                        issue_date: today() - Days::new(40 + 20 * n as u64),
                        due_date: today() - Days::new(10 + 20 * n as u64),
                        total: Money::new(minor, Currency::parse(code).unwrap()),
                        source: "test".into(),
                    },
                )?;
            }
            derived::refresh_customers(tx, &[id])?;
            Ok(id)
        })
        .unwrap();
    let data = statement_data(db.conn(), id, &options()).unwrap();
    let codes: Vec<&str> = data.sections.iter().map(|s| s.currency.code()).collect();
    assert_eq!(codes, ["EUR", "JPY", "USD"]);
    let pdf = render_statement(db.conn(), id, &options()).unwrap();
    keep(&pdf, "multi.pdf");
    let text = pdf_text(&pdf, dir.path(), "multi");
    let mut last = 0;
    for section in &data.sections {
        let heading = format!("Account activity in {}", section.currency.code());
        let at = text.find(&heading).unwrap_or_else(|| panic!("{heading}"));
        assert!(at >= last, "sections in currency order");
        last = at;
        assert!(text.contains(&format!(
            "Aging of the amount due ({})",
            section.currency.code()
        )));
        assert!(text.contains(&format_money(&Money::new(
            section.closing,
            section.currency.clone()
        ))));
    }
}

/// A customer with 300 invoices (every third paid) and a name and instructions long enough to wrap.
fn long_customer(db: &mut Database) -> i64 {
    let usd = Currency::parse("USD").unwrap();
    db.write(|tx| {
        let mut new = NewCustomer::named(
            "The Extraordinarily Long-Named International Wholesale Distribution and Logistics Cooperative of Greater Northwestern Provinces (Holdings) Ltd",
        );
        new.currency = Some(usd.clone());
        let id = customers::insert(tx, &new)?;
        contacts::insert(
            tx,
            id,
            &NewContact {
                name: Some("Zoë Łukasiewicz-Øvergaard".into()),
                email: Some("ap@long-ledger.example".into()),
                is_billing: true,
                ..NewContact::default()
            },
        )?;
        let start = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        for n in 0..300u64 {
            let issue = start + Days::new(n / 6);
            let invoice = invoices::insert(
                tx,
                &NewInvoice {
                    customer_id: id,
                    kind: InvoiceKind::Invoice,
                    number: format!("LL-{n:05}"),
                    issue_date: issue,
                    due_date: issue + Days::new(30),
                    total: Money::new(10_000 + n as i64 * 137, usd.clone()),
                    source: "test".into(),
                },
            )?;
            if n % 3 == 0 {
                payments::record(
                    tx,
                    &NewPayment {
                        invoice_id: invoice,
                        amount_minor: 10_000 + n as i64 * 137,
                        paid_on: (issue + Days::new(10)).min(today()),
                        reference: Some("BACS"),
                        source: PaymentSource::Manual,
                    },
                )?;
            }
        }
        derived::refresh_customers(tx, &[id])?;
        Ok(id)
    })
    .unwrap()
}

#[test]
fn three_hundred_invoices_paginate_with_the_table_header_on_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = demo_db(dir.path());
    branded(&db);
    let id = long_customer(&mut db);
    let data = statement_data(db.conn(), id, &options()).unwrap();
    assert_eq!(data.sections.len(), 1);
    assert_eq!(
        data.sections[0].entries.len(),
        400,
        "300 invoices and 100 payments"
    );
    let pdf = render_statement(db.conn(), id, &options()).unwrap();
    let path = dir.path().join("long.pdf");
    std::fs::write(&path, &pdf).unwrap();
    keep(&pdf, "long.pdf");
    let pages = page_count(&path);
    assert!(pages > 5, "{pages} pages");
    let mut activity_pages = 0;
    for page in 1..=pages {
        let text = page_text(&path, page);
        assert!(
            text.contains(&format!("Page {page} of {pages}")),
            "page {page} footer"
        );
        if page > 1 {
            assert!(
                text.contains("(continued)"),
                "page {page} says it continues"
            );
        }
        if text.contains("LL-")
            && !text.contains("Open items in USD")
            && text.contains("Payment for")
        {
            activity_pages += 1;
            for title in [
                "Date",
                "Description",
                "Due date",
                "Charges (USD)",
                "Credits (USD)",
                "Balance (USD)",
            ] {
                assert!(
                    text.contains(title),
                    "page {page} repeats the header {title:?}"
                );
            }
        }
    }
    assert!(
        activity_pages >= 3,
        "the activity table spans pages ({activity_pages})"
    );
    let page2 = page_text(&path, 2);
    assert!(page2.contains("Balance (USD)"), "header repeated on page 2");
    let last = page_text(&path, pages);
    assert!(last.contains("How to pay"));
    let all = pdf_text(&pdf, dir.path(), "long-all");
    assert!(all.contains("Closing balance"));
    assert!(all.contains("LL-00000") && all.contains("LL-00299"));
    let closing = format_money(&Money::new(
        data.sections[0].closing,
        Currency::parse("USD").unwrap(),
    ));
    assert!(all.contains(&closing));
    // The long name wraps instead of running off the page.
    assert!(all.contains("Extraordinarily") && all.contains("(Holdings) Ltd"));
    assert!(all.contains("Zoë Łukasiewicz-Øvergaard"));
    assert_words_inside_margins(&path);
}

/// Every word's box lies inside the page's left and right margins (42 pt).
fn assert_words_inside_margins(pdf: &Path) {
    let html = pdf.with_extension("html");
    let out = std::process::Command::new("pdftotext")
        .arg("-bbox")
        .arg(pdf)
        .arg(&html)
        .output()
        .expect("pdftotext (poppler-utils) is required");
    assert!(out.status.success());
    let html = std::fs::read_to_string(&html).unwrap();
    let attr = |word: &str, key: &str| -> f32 {
        let start = word.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
        let end = start + word[start..].find('"').unwrap();
        word[start..end].parse().unwrap()
    };
    let mut words = 0;
    for word in html.split("<word ").skip(1) {
        words += 1;
        let (x_min, x_max) = (attr(word, "xMin"), attr(word, "xMax"));
        assert!(
            x_min >= 41.0 && x_max <= 595.28 - 41.0,
            "word outside margins: {}",
            &word[..word.len().min(120)]
        );
    }
    assert!(words > 100);
}

#[test]
fn invoice_copies_show_what_was_paid_what_is_due_and_how_to_pay() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    branded(&db);
    let conn = db.conn();
    // A partly paid open invoice, and a fully paid one.
    let (open_id, number, customer): (i64, String, i64) = conn
        .query_row(
            "SELECT id, number, customer_id FROM invoices
             WHERE status = 'open' AND paid_minor > 0 AND kind = 'invoice' ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let invoice = invoices::get(conn, open_id).unwrap();
    let pdf = render_invoice_copy(conn, open_id, today()).unwrap();
    let text = pdf_text(&pdf, dir.path(), "copy");
    let c = &invoice.total.currency;
    assert!(text.contains("Invoice copy"));
    assert!(text.contains(&number));
    assert!(text.contains(&duebook_core::company::format_date(invoice.issue_date)));
    assert!(text.contains(&duebook_core::company::format_date(invoice.due_date)));
    assert!(text.contains(&format_money(&invoice.total)), "total");
    assert!(
        text.contains(&format_money(&Money::new(invoice.paid_minor, c.clone()))),
        "paid"
    );
    assert!(
        text.contains(&format_money(&Money::new(invoice.open_minor(), c.clone()))),
        "due"
    );
    assert!(text.contains("How to pay"));
    assert!(text.contains("GB33 BUKB 2020 1555 5555 55"));
    assert!(
        text.contains(&format!("C{customer}")),
        "the reference from the company's format"
    );
    assert!(
        text.contains(&format!("https://pay.example.com/{number}")),
        "payment link"
    );
    let name = customers::get(conn, customer).unwrap().name;
    assert!(text.contains(&name));

    // The copy of the first invoice `which` selects (a query for its id), as text.
    let copy_of = |which: &str, name: &str| {
        let id: i64 = conn.query_row(which, [], |r| r.get(0)).unwrap();
        let pdf = render_invoice_copy(conn, id, today()).unwrap();
        pdf_text(&pdf, dir.path(), name)
    };
    let text = copy_of(
        "SELECT id FROM invoices WHERE status = 'paid' AND kind = 'invoice' ORDER BY id LIMIT 1",
        "paid",
    );
    assert!(text.contains("Paid in full"));
    assert!(
        !text.contains("How to pay"),
        "nothing to pay, no payment details"
    );
    assert!(!text.contains("pay.example.com"));

    let text = copy_of(
        "SELECT id FROM invoices WHERE kind = 'credit_note' LIMIT 1",
        "credit",
    );
    assert!(text.contains("Credit note copy"));
}

#[test]
fn the_same_data_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    branded(&db);
    let id = customer_id(&db, "山田商事株式会社");
    let a = render_statement(db.conn(), id, &options()).unwrap();
    let b = render_statement(db.conn(), id, &options()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn an_earlier_statement_shows_the_account_as_it_stood_then() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let id = customer_id(&db, "Café Ölmann GmbH");
    let earlier = NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
    let data = statement_data(
        db.conn(),
        id,
        &StatementOptions {
            as_of: earlier,
            period_start: Some(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()),
        },
    )
    .unwrap();
    for section in &data.sections {
        assert!(section.entries.iter().all(|e| e.date <= earlier));
        assert!(section.open_items.iter().all(|i| i.issue_date <= earlier));
        assert_eq!(section.aging.total(), section.closing);
    }
}

#[test]
fn a_period_that_starts_after_the_statement_date_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let err = render_statement(
        db.conn(),
        1,
        &StatementOptions {
            as_of: today(),
            period_start: Some(today() + Days::new(1)),
        },
    )
    .unwrap_err();
    assert!(matches!(err, StatementError::Period { .. }), "{err}");
    let missing = render_statement(db.conn(), 9_999, &options()).unwrap_err();
    assert!(
        missing.to_string().contains("customer 9999 not found"),
        "{missing}"
    );
    assert!(render_invoice_copy(db.conn(), 999_999, today()).is_err());
}

#[test]
fn an_unbranded_file_still_gives_a_clean_statement() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let id = customer_id(&db, "Northwind Traders");
    let pdf = render_statement(db.conn(), id, &options()).unwrap();
    let text = pdf_text(&pdf, dir.path(), "plain");
    assert!(
        text.contains("Demo Supplies Co."),
        "the company name from settings"
    );
    assert!(text.contains("How to pay"));
    assert!(text.contains("the numbers of the invoices you are paying"));
    let _ = statement::default_period_start(today());
}

#[test]
fn pages_render_to_images() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = demo_db(dir.path());
    branded(&db);
    let id = long_customer(&mut db);
    let path = dir.path().join("long.pdf");
    std::fs::write(&path, render_statement(db.conn(), id, &options()).unwrap()).unwrap();
    let pngs = render_png(&path, &dir.path().join("page"), 60, 1, 2);
    assert_eq!(pngs.len(), 2);
    for png in pngs {
        let bytes = std::fs::read(&png).unwrap();
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
            "{}",
            png.display()
        );
    }
}

#[test]
fn void_invoices_are_left_out_and_a_quiet_account_says_nothing_is_due() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = demo_db(dir.path());
    let eur = Currency::parse("EUR").unwrap();
    let (quiet, voided) = db
        .write(|tx| {
            let quiet = customers::insert(tx, &NewCustomer::named("Quiet Account GmbH"))?;
            let voided = customers::insert(tx, &NewCustomer::named("Void Test SARL"))?;
            for (number, status) in [("V-1", "void"), ("V-2", "open")] {
                let id = invoices::insert(
                    tx,
                    &NewInvoice {
                        customer_id: voided,
                        kind: InvoiceKind::Invoice,
                        number: number.into(),
                        issue_date: today() - Days::new(5),
                        due_date: today() + Days::new(25),
                        total: Money::new(12_345, eur.clone()),
                        source: "test".into(),
                    },
                )?;
                tx.execute(
                    "UPDATE invoices SET status = ?2 WHERE id = ?1",
                    rusqlite::params![id, status],
                )?;
            }
            derived::refresh_customers(tx, &[quiet, voided])?;
            Ok((quiet, voided))
        })
        .unwrap();
    let text = pdf_text(
        &render_statement(db.conn(), quiet, &options()).unwrap(),
        dir.path(),
        "quiet",
    );
    assert!(text.contains("Quiet Account GmbH"));
    assert!(text.contains("nothing is due"), "{text}");
    let data = statement_data(db.conn(), voided, &options()).unwrap();
    assert_eq!(data.sections.len(), 1);
    assert_eq!(data.sections[0].closing, 12_345);
    let text = pdf_text(
        &render_statement(db.conn(), voided, &options()).unwrap(),
        dir.path(),
        "void",
    );
    assert!(text.contains("V-2") && !text.contains("V-1"), "{text}");
}

#[test]
fn the_shared_bucket_rule_matches_the_report_boundaries() {
    let as_of = today();
    let due = |days_overdue: u64| as_of - Days::new(days_overdue);
    assert_eq!(aging::bucket_index(as_of + Days::new(10), as_of), 0);
    assert_eq!(aging::bucket_index(due(0), as_of), 0);
    assert_eq!(aging::bucket_index(due(1), as_of), 1);
    assert_eq!(aging::bucket_index(due(30), as_of), 1);
    assert_eq!(aging::bucket_index(due(31), as_of), 2);
    assert_eq!(aging::bucket_index(due(60), as_of), 2);
    assert_eq!(aging::bucket_index(due(61), as_of), 3);
    assert_eq!(aging::bucket_index(due(90), as_of), 3);
    assert_eq!(aging::bucket_index(due(91), as_of), 4);
}
