//! The owners' weekly digest ("owner-digest" preset) over 120 days of `run-due`: one email per
//! owner per week (the week's first run day), never a second that week, however often runs go;
//! it lists the owner's customers with what they owe, the owner's hold, and what the other
//! campaigns send them in the coming days. An owner without an address gets none.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::{Datelike, NaiveDate, Weekday};
use duebook_core::campaign::{self, plan};
use duebook_core::model::Owner;
use duebook_core::store::{account_owners, customers, Database};
use duebook_core::test_support::campaign::{
    block_on, customer, d, queued, setup_mail, simulate_days, temp_db, StubMailer,
};
use std::collections::BTreeMap;

fn set_owner(db: &Database, ids: &[i64], name: &str, email: Option<&str>) {
    let owner = Owner {
        name: Some(name.to_string()),
        email: email.map(str::to_string),
    };
    customers::set_owner(db.conn(), ids, Some(&owner)).unwrap();
}

#[test]
fn each_owner_gets_one_digest_a_week_with_their_customers() {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let dues = ["2026-07-20", "2026-09-15"];
    let (alpha, _) = customer(&db, "Alpha", Some("ap@alpha.example"), &dues);
    let (beta, _) = customer(&db, "Beta", Some("ap@beta.example"), &dues);
    let (gamma, _) = customer(&db, "Gamma", Some("ap@gamma.example"), &dues);
    let (delta, _) = customer(&db, "Delta", Some("ap@delta.example"), &dues);
    set_owner(
        &db,
        &[alpha, beta],
        "Sam Lee",
        Some("sam@northwind.example"),
    );
    set_owner(&db, &[gamma], "Kim Ode", Some("KIM@northwind.example"));
    set_owner(&db, &[delta], "No Address", None);
    account_owners::hold(db.conn(), beta, "renewal talks").unwrap();
    let friendly = campaign::preset("friendly").unwrap();
    campaign::create(db.conn(), &friendly).unwrap();
    let id = campaign::create(db.conn(), &campaign::preset("owner-digest").unwrap()).unwrap();
    let path = dir.path().join("test.sqlite");
    let mailer = StubMailer::default();
    // Wednesday 1 July 2026 for 120 days: the first digests go that day, then every Monday.
    let log = simulate_days(&path, (d("2026-07-01"), 120), &mailer, |_| {}, |_| {});

    let sent: Vec<(String, String, String)> = queued(&db, "owner-digest")
        .into_iter()
        .map(|m| (m.to, m.body_text, m.send_key))
        .collect();
    let mut per_week: BTreeMap<(String, u32), usize> = BTreeMap::new();
    for (to, _, key) in &sent {
        let week: u32 = key.rsplit('W').next().unwrap().parse().unwrap();
        *per_week.entry((to.to_lowercase(), week)).or_default() += 1;
    }
    assert!(per_week.values().all(|n| *n == 1), "{per_week:?}");
    // 1 July (week 27) to 28 October (week 44): 18 weeks, two owners with an address.
    assert_eq!(per_week.len(), 2 * 18, "{per_week:?}");
    let days: Vec<NaiveDate> = log
        .iter()
        .filter(|l| l.2 == "owner-digest")
        .map(|l| l.0)
        .collect();
    assert_eq!(days.len(), 2 * 18);
    assert!(
        days[2..].iter().all(|d| d.weekday() == Weekday::Mon),
        "{days:?}"
    );
    assert!(sent.iter().all(|(to, ..)| !to.contains("No Address")));

    // Sam's first digest: both customers, Beta held, Alpha's pre-due step coming on 17 July?
    // Not yet: on 1 July nothing goes out within 7 days; on Monday 13 July it does.
    let sam: Vec<&String> = sent
        .iter()
        .filter(|(to, ..)| to.contains("sam@"))
        .map(|(_, text, _)| text)
        .collect();
    let first = sam[0];
    assert!(first.contains("Hello Sam Lee"), "{first}");
    assert!(first.contains("Alpha: €200.00 open\n"), "{first}");
    assert!(first.contains("Held by you: renewal talks"), "{first}");
    assert!(
        first.contains(&format!("duebook://customer/{alpha}")),
        "{first}"
    );
    assert!(!first.contains("Gamma"), "{first}");
    let third = sam[2];
    assert!(third.contains("week of 13 Jul 2026"), "{third}");
    assert!(
        third.contains("Coming: 17 Jul 2026: Friendly reminder before the due date (Friendly"),
        "{third}"
    );

    // A rerun on a digest day, and the next day, plan no second digest that week.
    let again = block_on(campaign::run::run_due(
        &path,
        &mailer,
        d("2026-07-13"),
        false,
    ))
    .unwrap();
    assert!(again
        .campaigns
        .iter()
        .all(|c| c.plan.digests.iter().all(|d| d.owner_email.is_none())));
    let tuesday = plan::plan(db.conn(), id, d("2026-07-14")).unwrap();
    assert!(tuesday.digests.iter().all(|d| d.owner_email.is_none()));
    let why: Vec<&str> = tuesday.digests.iter().map(|d| d.why.as_str()).collect();
    assert_eq!(why, ["no digest for No Address: no email address for them"]);
}
