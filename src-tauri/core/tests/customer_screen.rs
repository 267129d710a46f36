//! The customer screen's rules: edits, notes, tasks, promises, disputes, the timeline, and the
//! list's filters and sorts — on real database files.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::{Days, NaiveDate};
use duebook_core::model::{
    AgingBucket, Channel, ContactInput, Currency, CustomerEdit, CustomerFilters, CustomerListQuery,
    CustomerSort, Money, NewContact, NewCustomer, PromiseStatus, TaskKind,
};
use duebook_core::store::payments::ManualPayment;
use duebook_core::store::promises::NewPromise;
use duebook_core::store::tasks::NewTask;
use duebook_core::store::{Database, DbError};
use duebook_core::test_support::ledger::{add_invoice, record_payment};
use duebook_core::test_support::temp_db;
use duebook_core::views::detail::customer_detail;
use duebook_core::views::timeline::{self, TimelineKind};
use duebook_core::{
    store::contacts, store::customers, store::derived, store::disputes, store::notes,
    store::payments, store::promises, store::tasks, views::customer_list,
};

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn days_ago(n: u64) -> NaiveDate {
    today().checked_sub_days(Days::new(n)).unwrap()
}

fn days_ahead(n: u64) -> NaiveDate {
    today().checked_add_days(Days::new(n)).unwrap()
}

fn usd(minor: i64) -> Money {
    Money::new(minor, Currency::parse("USD").unwrap())
}

fn customer(db: &Database, name: &str) -> i64 {
    customers::insert(db.conn(), &NewCustomer::named(name)).unwrap()
}

/// A new database with one customer, Acme; returns (the folder's guard, the database, Acme).
fn acme_books() -> (tempfile::TempDir, Database, i64) {
    let (dir, db) = temp_db();
    let acme = customer(&db, "Acme");
    (dir, db, acme)
}

/// An invoice issued 30 days before it is `due`, with the customer's balances refreshed.
fn invoice(db: &Database, customer_id: i64, number: &str, due: NaiveDate, total: Money) -> i64 {
    let issued = due.checked_sub_days(Days::new(30)).unwrap();
    let id = add_invoice(db, customer_id, number, issued, due, total);
    derived::refresh_customers(db.conn(), &[customer_id]).unwrap();
    id
}

/// A promise of `amount` against `invoice_id`, to be paid by `promised_date`.
fn promise(
    customer_id: i64,
    invoice_id: i64,
    amount: Money,
    promised_date: NaiveDate,
) -> NewPromise {
    NewPromise {
        customer_id,
        invoice_id: Some(invoice_id),
        amount,
        promised_date,
    }
}

fn field_of(err: DbError) -> String {
    match err {
        DbError::Invalid(field) => field.field,
        other => panic!("expected a field error, got {other}"),
    }
}

/// The first page of the customer list as of today.
fn query(filters: CustomerFilters, sort: CustomerSort) -> CustomerListQuery {
    CustomerListQuery {
        search: None,
        sort,
        filters,
        limit: 100,
        offset: 0,
        as_of: today(),
    }
}

fn list(db: &Database, filters: CustomerFilters, sort: CustomerSort) -> Vec<String> {
    customer_list::list(db.conn(), &query(filters, sort))
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.name)
        .collect()
}

/// How many customers a search of the list finds.
fn found_by_search(db: &Database, text: &str) -> u32 {
    let search = CustomerListQuery {
        search: Some(text.into()),
        ..query(CustomerFilters::default(), CustomerSort::Name)
    };
    customer_list::list(db.conn(), &search).unwrap().total
}

#[test]
fn edits_are_validated_and_saved() {
    let (_dir, db, acme) = acme_books();
    customer(&db, "Globex");
    let conn = db.conn();

    let err = customers::edit(conn, acme, &CustomerEdit::Name(" globex ".into())).unwrap_err();
    assert_eq!(field_of(err), "name");
    let err = customers::edit(conn, acme, &CustomerEdit::Name("  ".into())).unwrap_err();
    assert_eq!(field_of(err), "name");
    let err = customers::edit(conn, acme, &CustomerEdit::TermsDays(Some(999))).unwrap_err();
    assert_eq!(field_of(err), "terms_days");
    assert_eq!(
        customers::get(conn, acme).unwrap().name,
        "Acme",
        "nothing changed"
    );

    customers::edit(conn, acme, &CustomerEdit::Name("Acme Corp".into())).unwrap();
    customers::edit(conn, acme, &CustomerEdit::TermsDays(Some(45))).unwrap();
    customers::edit(conn, acme, &CustomerEdit::PreferredChannel(Channel::Phone)).unwrap();
    customers::edit(
        conn,
        acme,
        &CustomerEdit::Tags(vec![
            "vip".into(),
            " VIP ".into(),
            "wholesale".into(),
            "".into(),
        ]),
    )
    .unwrap();
    customers::edit(
        conn,
        acme,
        &CustomerEdit::CustomField {
            key: "Account manager".into(),
            value: Some("Priya".into()),
        },
    )
    .unwrap();
    let saved = customers::edit(conn, acme, &CustomerEdit::DoNotContact(true)).unwrap();
    assert_eq!(saved.name, "Acme Corp");
    assert_eq!(saved.terms_days, Some(45));
    assert_eq!(saved.preferred_channel, Channel::Phone);
    assert_eq!(saved.tags, ["vip", "wholesale"]);
    assert_eq!(saved.custom_fields["Account manager"], "Priya");
    assert!(saved.do_not_contact);
    let history = timeline::for_customer(conn, acme, &[TimelineKind::Status], 10).unwrap();
    assert_eq!(history.len(), 1);
    assert!(history[0].title.contains("do not contact"));

    let removed = customers::edit(
        conn,
        acme,
        &CustomerEdit::CustomField {
            key: "Account manager".into(),
            value: None,
        },
    )
    .unwrap();
    assert!(removed.custom_fields.is_empty());
    assert_eq!(
        found_by_search(&db, "acme corp"),
        1,
        "a rename reaches the search index"
    );
}

#[test]
fn notes_can_be_added_edited_pinned_and_deleted() {
    let (_dir, db, acme) = acme_books();
    let conn = db.conn();
    assert_eq!(
        field_of(notes::add(conn, acme, " \n ").unwrap_err()),
        "body"
    );
    let first = notes::add(conn, acme, "Called, left a voicemail").unwrap();
    let second = notes::add(conn, acme, "<b>Promised</b> to pay Friday").unwrap();
    notes::set_pinned(conn, first, true).unwrap();
    let edited = notes::edit(conn, second, "Promised to pay Friday").unwrap();
    assert_eq!(edited.body, "Promised to pay Friday");
    let detail = customer_detail(conn, acme, today()).unwrap();
    assert_eq!(detail.notes[0].id, first, "pinned first");
    assert!(detail.last_contact_at.is_some());
    notes::delete(conn, first).unwrap();
    assert!(matches!(notes::get(conn, first), Err(DbError::NotFound(_))));
    assert!(matches!(
        notes::delete(conn, first),
        Err(DbError::NotFound(_))
    ));
}

#[test]
fn promises_turn_kept_or_broken() {
    let (_dir, db, acme) = acme_books();
    let inv = invoice(&db, acme, "INV-1", days_ago(10), usd(50_000));
    let conn = db.conn();

    let past = promise(acme, inv, usd(20_000), days_ago(1));
    assert_eq!(
        field_of(promises::add(conn, &past, today()).unwrap_err()),
        "promised_date"
    );
    let zero = NewPromise {
        amount: usd(0),
        promised_date: days_ahead(3),
        ..past
    };
    assert_eq!(
        field_of(promises::add(conn, &zero, today()).unwrap_err()),
        "amount"
    );

    promises::add(
        conn,
        &promise(acme, inv, usd(20_000), days_ahead(3)),
        today(),
    )
    .unwrap();
    let status = |as_of| promises::for_customer(conn, acme, as_of).unwrap()[0].status;
    assert_eq!(status(today()), PromiseStatus::Pending);
    assert_eq!(
        status(days_ahead(4)),
        PromiseStatus::Broken,
        "date passed unpaid"
    );
    let filters = CustomerFilters {
        open_promise: true,
        ..CustomerFilters::default()
    };
    assert_eq!(list(&db, filters, CustomerSort::Name), ["Acme"]);
    assert_eq!(
        customer_detail(conn, acme, today())
            .unwrap()
            .promised_invoice_ids,
        [inv]
    );

    record_payment(&db, inv, 20_000, today(), None);
    assert_eq!(status(days_ahead(4)), PromiseStatus::Kept);
}

#[test]
fn disputes_open_once_and_resolve() {
    let (_dir, db, acme) = acme_books();
    let inv = invoice(&db, acme, "INV-7", days_ago(40), usd(10_000));
    let conn = db.conn();
    assert_eq!(
        field_of(disputes::open(conn, inv, "").unwrap_err()),
        "reason"
    );
    let id = disputes::open(conn, inv, "Goods arrived damaged").unwrap();
    let again = disputes::open(conn, inv, "Still damaged").unwrap_err();
    assert!(again.to_string().contains("already disputed"));
    let disputed = CustomerFilters {
        disputed: true,
        ..CustomerFilters::default()
    };
    assert_eq!(list(&db, disputed.clone(), CustomerSort::Name), ["Acme"]);
    assert_eq!(
        customer_detail(conn, acme, today())
            .unwrap()
            .disputed_invoice_ids,
        [inv]
    );
    disputes::resolve(conn, id, "Credit note agreed").unwrap();
    assert!(disputes::resolve(conn, id, "again").is_err());
    assert!(list(&db, disputed, CustomerSort::Name).is_empty());
    let kinds = timeline::for_customer(conn, acme, &[TimelineKind::Dispute], 10).unwrap();
    let titles: Vec<&str> = kinds.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["Dispute resolved", "Disputed"]);
}

#[test]
fn tasks_set_the_next_follow_up_and_their_outcome_counts_as_contact() {
    let (_dir, db, acme) = acme_books();
    let conn = db.conn();
    let call = tasks::add(
        conn,
        &NewTask {
            customer_id: acme,
            kind: TaskKind::Call,
            title: "Call AP about INV-7",
            due_date: days_ahead(2),
        },
    )
    .unwrap();
    let detail = customer_detail(conn, acme, today()).unwrap();
    assert_eq!(detail.next_follow_up, Some(days_ahead(2)));
    assert_eq!(detail.last_contact_at, None);
    tasks::complete(conn, call, "Reached Ann; paying Friday").unwrap();
    assert!(tasks::complete(conn, call, "twice").is_err());
    let detail = customer_detail(conn, acme, today()).unwrap();
    assert_eq!(detail.next_follow_up, None);
    assert!(detail.last_contact_at.is_some());
    assert_eq!(
        detail.tasks[0].outcome.as_deref(),
        Some("Reached Ann; paying Friday")
    );
}

#[test]
fn the_timeline_merges_everything_newest_first_and_filters_by_kind() {
    let (_dir, db, acme) = acme_books();
    let inv = invoice(&db, acme, "INV-9", days_ago(5), usd(30_000));
    let conn = db.conn();
    record_payment(&db, inv, 10_000, days_ago(3), Some("wire 42"));
    notes::insert_at(conn, acme, "Old note", "2020-01-01T09:00:00Z").unwrap();
    notes::add(conn, acme, "Fresh note").unwrap();
    disputes::open(conn, inv, "Wrong quantity").unwrap();
    let all = timeline::for_customer(conn, acme, &[], 50).unwrap();
    let kinds: Vec<TimelineKind> = all.iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&TimelineKind::Payment));
    assert!(kinds.contains(&TimelineKind::Dispute));
    assert_eq!(all.last().unwrap().detail.as_deref(), Some("Old note"));
    let mut sorted = all.clone();
    sorted.sort_by(|a, b| b.at.cmp(&a.at));
    assert_eq!(all, sorted, "newest first");
    let payment = timeline::for_customer(conn, acme, &[TimelineKind::Payment], 50).unwrap();
    assert_eq!(payment.len(), 1);
    assert_eq!(payment[0].amount.as_deref(), Some("100.00 USD"));
    assert_eq!(payment[0].invoice_number.as_deref(), Some("INV-9"));
    assert_eq!(payment[0].detail.as_deref(), Some("wire 42"));
}

#[test]
fn list_filters_and_sorts() {
    let (_dir, db) = temp_db();
    let conn = db.conn();
    let old = customer(&db, "Old Debts Ltd");
    let big = customer(&db, "Big Balance Inc");
    let fresh = customer(&db, "Fresh Start LLC");
    let quiet = customer(&db, "Quiet Co");
    invoice(&db, old, "O-1", days_ago(120), usd(1_000));
    invoice(&db, big, "B-1", days_ago(45), usd(9_000_000));
    invoice(&db, fresh, "F-1", days_ahead(10), usd(5_000));
    let yen = Money::new(50_000, Currency::parse("JPY").unwrap());
    add_invoice(&db, quiet, "Q-1", days_ago(20), days_ago(15), yen);
    contacts::insert(
        conn,
        big,
        &NewContact {
            email: Some("ap@big.example".into()),
            ..NewContact::default()
        },
    )
    .unwrap();
    customers::edit(conn, quiet, &CustomerEdit::Segment(Some("Retail".into()))).unwrap();
    customers::edit(conn, quiet, &CustomerEdit::Tags(vec!["watch".into()])).unwrap();
    customers::edit(conn, fresh, &CustomerEdit::DoNotContact(true)).unwrap();
    derived::refresh_all(conn).unwrap();

    let none = CustomerFilters::default();
    assert_eq!(
        list(&db, none.clone(), CustomerSort::MostOverdue),
        [
            "Old Debts Ltd",
            "Big Balance Inc",
            "Quiet Co",
            "Fresh Start LLC"
        ]
    );
    // Face value: 90,000.00 USD > 50,000 JPY > 50.00 USD > 10.00 USD.
    assert_eq!(
        list(&db, none.clone(), CustomerSort::Balance),
        [
            "Big Balance Inc",
            "Quiet Co",
            "Fresh Start LLC",
            "Old Debts Ltd"
        ]
    );
    assert_eq!(
        list(&db, none, CustomerSort::Name),
        [
            "Big Balance Inc",
            "Fresh Start LLC",
            "Old Debts Ltd",
            "Quiet Co"
        ]
    );
    let bucket = |b: AgingBucket| CustomerFilters {
        aging_bucket: Some(b),
        ..CustomerFilters::default()
    };
    assert_eq!(
        list(&db, bucket(AgingBucket::Over90), CustomerSort::Name),
        ["Old Debts Ltd"]
    );
    assert_eq!(
        list(&db, bucket(AgingBucket::Days31To60), CustomerSort::Name),
        ["Big Balance Inc"]
    );
    assert_eq!(
        list(&db, bucket(AgingBucket::Days1To30), CustomerSort::Name),
        ["Quiet Co"]
    );
    assert_eq!(
        list(&db, bucket(AgingBucket::Current), CustomerSort::Name),
        ["Fresh Start LLC"]
    );
    let only = |f: fn(&mut CustomerFilters)| {
        let mut filters = CustomerFilters::default();
        f(&mut filters);
        list(&db, filters, CustomerSort::Name)
    };
    assert_eq!(only(|f| f.currency = Some("jpy".into())), ["Quiet Co"]);
    assert_eq!(only(|f| f.segment = Some("Retail".into())), ["Quiet Co"]);
    assert_eq!(only(|f| f.tag = Some("watch".into())), ["Quiet Co"]);
    assert_eq!(only(|f| f.do_not_contact = true), ["Fresh Start LLC"]);
    assert_eq!(
        only(|f| f.no_email = true),
        ["Fresh Start LLC", "Old Debts Ltd", "Quiet Co"]
    );
    assert!(only(|f| {
        f.no_email = true;
        f.currency = Some("USD".into());
        f.tag = Some("watch".into());
    })
    .is_empty());
    let no_email = CustomerFilters {
        no_email: true,
        ..CustomerFilters::default()
    };
    let one_a_page = CustomerListQuery {
        limit: 1,
        ..query(no_email, CustomerSort::Balance)
    };
    let all_ids = customer_list::all_ids(conn, &one_a_page).unwrap();
    assert_eq!(
        all_ids,
        [quiet, fresh, old],
        "export takes every match, in list order"
    );
}

#[test]
fn exports_neutralise_formulas_and_follow_the_filters() {
    let (_dir, db) = temp_db();
    let conn = db.conn();
    let evil = customer(&db, "=HYPERLINK(\"http://evil.example\",\"click\")");
    let plain = customer(&db, "Plain Co");
    invoice(&db, evil, "+INV-1", days_ago(3), usd(12_345));
    invoice(&db, plain, "P-1", days_ahead(3), usd(100));
    customers::edit(conn, plain, &CustomerEdit::Tags(vec!["x".into()])).unwrap();

    let mut out = Vec::new();
    let one_a_page = CustomerListQuery {
        limit: 1,
        ..query(CustomerFilters::default(), CustomerSort::Name)
    };
    let written = duebook_core::views::export::customers_csv(conn, &one_a_page, &mut out).unwrap();
    assert_eq!(written, 2, "all pages, not just the first");
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\""),
        "{text}"
    );
    assert!(text.contains(",USD,123.45,123.45,3,"), "{text}");

    let tagged = CustomerListQuery {
        filters: CustomerFilters {
            tag: Some("x".into()),
            ..CustomerFilters::default()
        },
        ..one_a_page
    };
    let mut out = Vec::new();
    duebook_core::views::export::customers_csv(conn, &tagged, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), 2, "header + Plain Co: {text}");

    let mut out = Vec::new();
    duebook_core::views::export::invoices_csv(conn, evil, today(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.lines().nth(1).unwrap().starts_with("'+INV-1,invoice,"),
        "{text}"
    );
}

#[test]
fn contacts_are_validated_and_one_is_the_billing_contact() {
    let (_dir, db, acme) = acme_books();
    let conn = db.conn();
    let input = |name: &str, email: &str, phone: &str, billing: bool| ContactInput {
        name: Some(name.into()),
        email: Some(email.into()),
        phone: Some(phone.into()),
        role: None,
        is_billing: billing,
    };
    let err = contacts::add(conn, acme, &input("Ann", "ann@", "", false)).unwrap_err();
    assert_eq!(field_of(err), "email");
    let err = contacts::add(conn, acme, &input("Ann", "", "call me", false)).unwrap_err();
    assert_eq!(field_of(err), "phone");
    let err = contacts::add(conn, acme, &input(" ", " ", " ", false)).unwrap_err();
    assert_eq!(field_of(err), "name");
    assert!(
        contacts::for_customer(conn, acme).unwrap().is_empty(),
        "nothing saved"
    );

    let ann = contacts::add(
        conn,
        acme,
        &input("Ann", "ann@acme.example", "+1 555 010 0199", true),
    )
    .unwrap();
    let bob = contacts::add(conn, acme, &input("Bob", "bob@acme.example", "", true)).unwrap();
    assert!(
        !contacts::get(conn, ann.id).unwrap().is_billing,
        "one billing contact"
    );
    assert!(bob.is_billing);
    let renamed = contacts::update(
        conn,
        ann.id,
        &input("Ann Lee", "ann.lee@acme.example", "", false),
    )
    .unwrap();
    assert_eq!(renamed.email.as_deref(), Some("ann.lee@acme.example"));
    assert_eq!(renamed.phone, None);
    assert_eq!(
        found_by_search(&db, "ann.lee"),
        1,
        "contact edits reach the search index"
    );
    contacts::delete(conn, bob.id).unwrap();
    assert_eq!(contacts::for_customer(conn, acme).unwrap().len(), 1);
}

#[test]
fn manual_payments_are_checked_against_what_is_due() {
    let (_dir, db, acme) = acme_books();
    let inv = invoice(&db, acme, "INV-5", days_ago(20), usd(10_000));
    let conn = db.conn();
    let pay = |amount: &str, on: NaiveDate| {
        payments::record_manual(
            conn,
            &ManualPayment {
                invoice_id: inv,
                amount: amount.into(),
                paid_on: on,
                reference: Some("bank 77".into()),
            },
            today(),
        )
    };
    assert_eq!(field_of(pay("abc", today()).unwrap_err()), "amount");
    assert_eq!(field_of(pay("0", today()).unwrap_err()), "amount");
    assert_eq!(field_of(pay("1.005", today()).unwrap_err()), "amount");
    let err = pay("100.01", today()).unwrap_err().to_string();
    assert!(err.contains("more than the 100.00 USD still due"), "{err}");
    assert_eq!(field_of(pay("10", days_ahead(1)).unwrap_err()), "paid_on");

    pay("40", today()).unwrap();
    let detail = customer_detail(conn, acme, today()).unwrap();
    assert_eq!(detail.balances[0].open_decimal, "60.00");
    assert_eq!(detail.invoices[0].paid_decimal, "40.00");
    pay("60.00", days_ago(1)).unwrap();
    let detail = customer_detail(conn, acme, today()).unwrap();
    assert!(detail.balances.is_empty(), "paid in full");
    assert_eq!(field_of(pay("1", today()).unwrap_err()), "amount");
}

#[test]
fn a_payment_recorded_before_the_promise_does_not_keep_it() {
    let (_dir, db, acme) = acme_books();
    let inv = invoice(&db, acme, "INV-2", days_ago(10), usd(50_000));
    let conn = db.conn();
    record_payment(&db, inv, 30_000, today(), None);
    std::thread::sleep(std::time::Duration::from_millis(5));
    promises::add(
        conn,
        &promise(acme, inv, usd(20_000), days_ahead(3)),
        today(),
    )
    .unwrap();
    let status = promises::for_customer(conn, acme, today()).unwrap()[0].status;
    assert_eq!(status, PromiseStatus::Pending);
}
