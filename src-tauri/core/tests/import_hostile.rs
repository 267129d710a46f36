//! Hostile import files: line breaks, controls and bidi overrides in names and contacts, email
//! cells that smuggle a second address, and property tests that throw arbitrary Unicode and
//! bytes at every format, the payments file included.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::import::{self, payments, ImportError};
use duebook_core::model::text::is_clean_line;
use duebook_core::store::Database;
use duebook_core::test_support::import::*;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use std::cell::RefCell;

/// (name, email, phone) of every contact, in id order.
fn stored_contacts(db: &Database) -> Vec<(String, String, String)> {
    let mut stmt = db
        .conn()
        .prepare(
            "SELECT coalesce(name, ''), coalesce(email, ''), coalesce(phone, '') FROM contacts ORDER BY id",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn names_contacts_and_numbers_are_cleaned_at_the_door() {
    let (dir, mut db) = temp_db();
    let dirty = "customer,invoice,date,due_date,amount,currency,email,phone\n\
                 \"Acme\r\nBcc: evil@x.example\",\"INV\t1\",2026-03-01,2026-03-31,10,USD,ap@acme.example,\"555\u{1b}[2J 0100\"\n\
                 \"Ev\u{202E}il  Corp\",INV-2,2026-03-01,2026-03-31,10,USD,,\n";
    let report = import_csv(&mut db, dir.path(), "dirty.csv", dirty);
    assert_eq!(report.rows_rejected, 0, "{:?}", report.rejections);
    assert_eq!(
        customer_names(&db),
        vec!["Acme Bcc: evil@x.example", "Evil Corp"]
    );
    assert_eq!(invoice(&db, "INV 1").total.minor, 1000);
    assert_eq!(
        stored_contacts(&db),
        vec![(
            String::new(),
            "ap@acme.example".to_string(),
            "555 [2J 0100".to_string()
        )]
    );

    let contact_list = "Customer full name,Phone numbers,Email,Full name\n\
                        Acme Bcc: evil@x.example,,billing@acme.example,\"Ann\r\nLee\u{2066}\"\n";
    let report = import_csv(&mut db, dir.path(), "contacts.csv", contact_list);
    assert_eq!(report.customers_created, 0, "matched after cleaning");
    let names: Vec<String> = stored_contacts(&db).into_iter().map(|c| c.0).collect();
    assert_eq!(names, vec!["", "Ann Lee"]);
}

#[test]
fn an_email_cell_with_anything_but_one_address_rejects_its_row() {
    let (dir, mut db) = temp_db();
    let emails = "customer,invoice,date,due_date,amount,currency,email\n\
                  One Co,E-1,2026-03-01,2026-03-31,10,USD,\"a@one.example\nBcc: x@y.example\"\n\
                  Two Co,E-2,2026-03-01,2026-03-31,10,USD,\"a@two.example, c@two.example\"\n\
                  Typo Co,E-3,2026-03-01,2026-03-31,10,USD,a@typo\n\
                  Good Co,E-4,2026-03-01,2026-03-31,10,USD,Ann Lee <ann@good.example>\n\
                  None Co,E-5,2026-03-01,2026-03-31,10,USD,\n";
    let report = import_csv(&mut db, dir.path(), "emails.csv", emails);
    assert_eq!(
        lines(&report.rejections),
        vec![
            "line 2: email \"a@one.example Bcc: x@y.example\" is not an email address: it holds 2 addresses (one per cell)",
            "line 4: email \"a@two.example, c@two.example\" is not an email address: it holds 2 addresses (one per cell)",
            "line 5: email \"a@typo\" is not an email address (expected name@example.com)",
        ]
    );
    // The rejected rows' other data is rejected too: no customers, no invoices, no contacts.
    assert_eq!(customer_names(&db), vec!["Good Co", "None Co"]);
    let emails: Vec<String> = stored_contacts(&db).into_iter().map(|c| c.1).collect();
    assert_eq!(emails, vec!["ann@good.example"]);
}

#[test]
fn a_contact_list_email_cell_with_a_second_address_is_a_row_error() {
    let (dir, mut db) = temp_db();
    let contact_list = "Customer full name,Phone numbers,Email,Full name\n\
                        Smuggle Co,Phone:(650) 555-3311,\"a@smuggle.example\r\nBcc: x@y.example\",Sam\n\
                        Plain Co,,plain@plain.example,Pat\n";
    let report = import_csv(&mut db, dir.path(), "contacts.csv", contact_list);
    assert_eq!(
        lines(&report.rejections),
        vec!["line 2: email \"a@smuggle.example Bcc: x@y.example\" is not an email address: it holds 2 addresses (one per cell)"]
    );
    assert_eq!(customer_names(&db), vec!["Plain Co"]);
    let emails: Vec<String> = stored_contacts(&db).into_iter().map(|c| c.1).collect();
    assert_eq!(emails, vec!["plain@plain.example"]);
}

/// What must hold whatever the file: the import never panics nor fails the database, every
/// rejection names its line and a reason, and every stored name, contact field and invoice number is one clean line.
fn assert_well_behaved(db: &mut Database, text: &[u8]) -> Result<(), TestCaseError> {
    let report = match import::import_bytes(db, "fuzz.csv", text, &options(), &mut |_| {}) {
        Ok(report) => report,
        // Refusing the whole file is fine; failing the database is not.
        Err(error) => {
            prop_assert!(!matches!(error, ImportError::Db(_)), "{error}");
            return Ok(());
        }
    };
    for issue in report.rejections.iter().chain(&report.skipped) {
        prop_assert!(issue.line.is_some(), "{issue}");
        prop_assert!(!issue.message.trim().is_empty(), "{issue:?}");
    }
    let numbers = column(db, "SELECT number FROM invoices");
    for text in customer_names(db).into_iter().chain(numbers) {
        prop_assert!(is_clean_line(&text), "{text:?}");
    }
    for (name, email, phone) in stored_contacts(db) {
        for field in [name, email, phone] {
            prop_assert!(is_clean_line(&field), "{field:?}");
        }
    }
    Ok(())
}

fn column(db: &Database, sql: &str) -> Vec<String> {
    let mut stmt = db.conn().prepare(sql).unwrap();
    let rows = stmt.query_map([], |r| r.get(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

/// A CSV cell holding any text: quoted, with its quotes doubled.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Arbitrary Unicode, weighted towards the characters that break lines, headers and terminals.
fn hostile_text() -> impl Strategy<Value = String> {
    let nasty = prop::sample::select(vec![
        "\r",
        "\n",
        "\t",
        "\u{0}",
        "\u{1b}[2J",
        "\u{7f}",
        "\u{85}",
        "\u{2028}",
        "\u{202E}",
        "\u{2066}",
        "\u{feff}",
        "@",
        ",",
        ";",
        "\"",
        "<",
        ">",
        "Bcc: x@y.example",
        " ",
        "a@b.example",
        "=?utf-8?q?x?=",
        "é",
        "☕",
    ]);
    prop::collection::vec(
        prop_oneof![
            3 => any::<char>().prop_map(String::from),
            2 => nasty.prop_map(str::to_string),
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

/// Runs `check` on 64 generated cases, all importing into one database (a fresh one per case
/// would spend the time on migrations; what earlier cases stored only adds to what is checked).
fn run_cases<S: Strategy>(
    strategy: S,
    check: impl Fn(&mut Database, S::Value) -> Result<(), TestCaseError>,
) {
    let (_dir, db) = temp_db();
    let db = RefCell::new(db);
    let mut runner = TestRunner::new(ProptestConfig::with_cases(64));
    if let Err(failure) = runner.run(&strategy, |value| check(&mut db.borrow_mut(), value)) {
        panic!("{failure}");
    }
}

#[test]
fn hostile_cells_in_every_format_never_panic_and_store_clean_lines() {
    let cells = prop::array::uniform6(hostile_text());
    run_cases(cells, |db, cells| {
        let [name, email, phone, amount, date, number] = cells.map(|c| quoted(&c));
        let generic = format!(
            "customer,invoice,date,amount,email,phone\n{name},{number},{date},{amount},{email},{phone}\n\
             {name},N-2,2026-03-01,10.00,{email},{phone}\n"
        );
        assert_well_behaved(db, generic.as_bytes())?;
        let contacts = format!(
            "Customer full name,Phone numbers,Email,Full name\n{name},{phone},{email},{name}\n"
        );
        assert_well_behaved(db, contacts.as_bytes())?;
        let xero = format!(
            "ContactName,EmailAddress,InvoiceNumber,InvoiceDate,DueDate,Total,Type,Status\n\
             {name},{email},{number},{date},{date},{amount},Sales invoice,Awaiting Payment\n"
        );
        assert_well_behaved(db, xero.as_bytes())?;
        let report = format!(
            "Title\n\n,Date,Transaction type,Num,Due date,Amount,Open balance\n{name},,,,,,\n\
             ,{date},Invoice,{number},{date},{amount},{amount}\n,03/01/2026,Invoice,Q-1,,5.00,5.00\n"
        );
        assert_well_behaved(db, report.as_bytes())
    });
}

#[test]
fn whole_hostile_bodies_never_panic() {
    run_cases(any::<String>(), |db, body| {
        let text = format!("customer,invoice,date,amount,email\n{body}");
        assert_well_behaved(db, text.as_bytes())?;
        assert_well_behaved(db, body.as_bytes())
    });
}

#[test]
fn arbitrary_bytes_never_panic() {
    run_cases(prop::collection::vec(any::<u8>(), 0..512), |db, bytes| {
        assert_well_behaved(db, &bytes)?;
        let mut with_header = b"customer,invoice,date,amount,phone\n".to_vec();
        with_header.extend(&bytes);
        assert_well_behaved(db, &with_header)
    });
}

#[test]
fn hostile_cells_in_a_payments_file_never_panic_and_every_row_is_accounted_for() {
    let cells = prop::array::uniform5(hostile_text());
    run_cases(cells, |db, cells| {
        let [number, date, amount, reference, currency] = cells.map(|c| quoted(&c));
        let invoices = "customer,invoice,date,amount\nAcme,N-1,2026-03-01,10.00\n";
        import::import_bytes(db, "i.csv", invoices.as_bytes(), &options(), &mut |_| {})
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let file = format!(
            "payment_date,invoice,amount,reference,currency,customer\n\
             {date},{number},{amount},{reference},{currency},{number}\n\
             2026-03-02,N-1,{amount},{reference},,\n"
        );
        let report =
            match payments::import_payments_bytes(db, "p.csv", file.as_bytes(), today(), false) {
                Ok(report) => report,
                Err(error) => {
                    prop_assert!(!matches!(error, ImportError::Db(_)), "{error}");
                    return Ok(());
                }
            };
        let accounted = report.payments_recorded + report.already_imported + report.rows_rejected;
        prop_assert_eq!(accounted, report.rows_read);
        for issue in report.rejections.iter().chain(&report.repeats) {
            prop_assert!(issue.line.is_some(), "{issue}");
            prop_assert!(!issue.message.trim().is_empty(), "{issue:?}");
        }
        Ok(())
    });
}

/// Whatever the files said, no invoice is paid more than its amount nor below zero, and its
/// paid amount is the sum of its payments: a payment is never counted twice.
fn assert_ledger_holds(db: &Database) -> Result<(), TestCaseError> {
    let broken = count(
        db,
        "SELECT count(*) FROM invoices i WHERE i.kind = 'invoice' AND (i.paid_minor < 0
            OR i.paid_minor > i.total_minor
            OR i.paid_minor != (SELECT coalesce(sum(amount_minor), 0) FROM payments
                                 WHERE invoice_id = i.id))",
    );
    prop_assert_eq!(broken, 0);
    Ok(())
}

#[test]
fn hostile_paid_dates_and_amounts_paid_never_panic_nor_count_a_payment_twice() {
    let cells = prop::array::uniform3(hostile_text());
    run_cases(cells, |db, cells| {
        let [paid, date, due] = cells.map(|c| quoted(&c));
        let file = format!(
            "customer,invoice,date,amount,amount_paid,paid_date,amount_due\n\
             Acme,P-1,2026-03-01,10.00,{paid},{date},{due}\n\
             Acme,P-2,2026-03-01,10.00,{paid},2026-03-05,\n\
             Acme,P-3,2026-03-01,10.00,,{date},{due}\n"
        );
        assert_well_behaved(db, file.as_bytes())?;
        assert_well_behaved(db, file.as_bytes())?;
        assert_ledger_holds(db)
    });
}

#[test]
fn hostile_customer_payments_never_panic_nor_pay_more_than_is_owed() {
    let cells = prop::array::uniform4(hostile_text());
    run_cases(cells, |db, cells| {
        let [customer, date, amount, currency] = cells.map(|c| quoted(&c));
        let invoices = "customer,invoice,date,amount,amount_due\n\
                        Acme,C-1,2026-03-01,10.00,\nAcme,C-2,2026-03-02,5.00,0\n";
        import::import_bytes(db, "i.csv", invoices.as_bytes(), &options(), &mut |_| {})
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let file = format!(
            "customer,payment_date,amount,currency\n\
             {customer},{date},{amount},{currency}\n\
             Acme,2026-03-03,{amount},\n\
             Acme,{date},7.50,{currency}\n"
        );
        for _ in 0..2 {
            match payments::import_payments_bytes(db, "p.csv", file.as_bytes(), today(), false) {
                Ok(report) => {
                    for issue in report.rejections.iter().chain(&report.repeats) {
                        prop_assert!(issue.line.is_some(), "{issue}");
                        prop_assert!(!issue.message.trim().is_empty(), "{issue:?}");
                    }
                }
                Err(error) => prop_assert!(!matches!(error, ImportError::Db(_)), "{error}"),
            }
        }
        assert_ledger_holds(db)
    });
}
