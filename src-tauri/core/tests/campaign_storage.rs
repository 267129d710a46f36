//! Campaigns are stored with their audience, steps and sending rules; the presets are valid.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::campaign::{
    self, Audience, CampaignError, Channel, FieldCondition, FieldOp, NewCampaign, Step, Trigger,
    UsuallyLate, PRESET_NAMES,
};
use duebook_core::store::LATEST_VERSION;
use duebook_core::test_support::campaign::{d, temp_db};

#[test]
fn a_campaign_round_trips_with_its_rules() {
    let (_dir, db) = temp_db();
    let conn = db.conn();
    const { assert!(LATEST_VERSION >= 5) };
    let new = NewCampaign {
        audience: Audience {
            segment: Some("Retail".into()),
            tags: vec!["key".into()],
            currency: Some("EUR".into()),
            min_balance_minor: Some(1_000),
            max_balance_minor: Some(9_000_000),
            min_days_overdue: Some(0),
            max_days_overdue: Some(120),
            usually_late: Some(UsuallyLate {
                min_average_days_late: 10,
            }),
            custom_fields: vec![FieldCondition {
                key: "region".into(),
                op: FieldOp::Contains,
                value: "north".into(),
            }],
            no_reply_to_last: Some(2),
            min_credit_used_percent: Some(80),
        },
        holidays: vec![d("2026-12-25")],
        daily_cap: Some(400),
        min_gap_days: 10,
        ..NewCampaign::new(
            "Retail dunning",
            vec![
                Step {
                    alt_template_key: Some("friendly-nudge".into()),
                    ..Step::new(1, Trigger::DueOffset(-3), "pre-due", Channel::Email)
                },
                Step::new(2, Trigger::DueOffset(14), "overdue-1", Channel::Call),
            ],
        )
    };
    let id = campaign::create(conn, &new).unwrap();
    let got = campaign::get(conn, id).unwrap();
    assert_eq!(got.name, "Retail dunning");
    assert_eq!(got.audience, new.audience);
    assert_eq!(got.steps, new.steps);
    assert_eq!(got.min_gap_days, 10);
    assert_eq!(got.daily_cap, Some(400));
    assert_eq!(got.holidays, vec![d("2026-12-25")]);
    assert!(got.quiet_weekends && got.active);
    assert_eq!(campaign::list(conn).unwrap(), vec![got]);
    campaign::set_active(conn, id, false).unwrap();
    assert!(!campaign::get(conn, id).unwrap().active);
}

#[test]
fn presets_are_shipped_and_storable() {
    let (_dir, db) = temp_db();
    let conn = db.conn();
    assert_eq!(campaign::presets().len(), 7);
    for name in PRESET_NAMES {
        let preset = campaign::preset(name).unwrap();
        assert_eq!(preset.min_gap_days == 0, *name == "statements");
        let id = campaign::create(conn, &preset).unwrap();
        let stored = campaign::get(conn, id).unwrap();
        assert_eq!(stored.owner_digest, *name == "owner-digest");
        assert_eq!(stored.definition, preset, "{name} is stored as written");
    }
    let friendly = campaign::preset("friendly").unwrap();
    let keys: Vec<_> = friendly
        .steps
        .iter()
        .map(|s| s.template_key.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "pre-due",
            "overdue-1",
            "overdue-2",
            "overdue-3",
            "final-notice"
        ]
    );
    assert_eq!(friendly.min_gap_days, 15);
    let high = campaign::preset("high-touch").unwrap();
    assert!(high.steps.iter().any(|s| s.channel == Channel::Call));
    assert!(campaign::preset("nope").is_none());
}

#[test]
fn invalid_campaigns_are_refused_and_unknown_ids_reported() {
    let (_dir, db) = temp_db();
    let conn = db.conn();
    let mut bad = campaign::preset("friendly").unwrap();
    bad.steps[1].position = 1;
    assert!(matches!(
        campaign::create(conn, &bad),
        Err(CampaignError::Invalid(_))
    ));
    let empty = NewCampaign::new("Empty", vec![]);
    assert!(matches!(
        campaign::create(conn, &empty),
        Err(CampaignError::Invalid(_))
    ));
    let unnamed = NewCampaign {
        name: "  ".into(),
        ..campaign::preset("friendly").unwrap()
    };
    assert!(campaign::create(conn, &unnamed).is_err());
    let same_twice = NewCampaign::new(
        "A/B without a B",
        vec![Step {
            alt_template_key: Some(" pre-due ".into()),
            ..Step::new(1, Trigger::DueOffset(0), "pre-due", Channel::Email)
        }],
    );
    let refused = |c: &NewCampaign| match campaign::create(conn, c) {
        Err(CampaignError::Invalid(m)) => m,
        other => panic!("{other:?}"),
    };
    assert!(refused(&same_twice).contains("two different templates"));
    let mut no_value = campaign::preset("friendly").unwrap();
    no_value.audience.custom_fields = vec![FieldCondition {
        key: "region".into(),
        op: FieldOp::Equals,
        value: " ".into(),
    }];
    assert!(refused(&no_value).contains("needs a value"));
    let mut never_late = campaign::preset("friendly").unwrap();
    never_late.audience.usually_late = Some(UsuallyLate {
        min_average_days_late: 0,
    });
    assert!(refused(&never_late).contains("usually late"));
    assert!(matches!(
        campaign::get(conn, 99),
        Err(CampaignError::NotFound(99))
    ));
    assert!(campaign::list(conn).unwrap().is_empty());
}
