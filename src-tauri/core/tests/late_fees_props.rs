//! Property tests: the late-fee arithmetic never overflows or panics, whatever amount, rate,
//! dates and grace a campaign file or a hand-edited database holds; it is never negative and
//! never more than the exact figure plus half a minor unit.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::campaign::fees::{simple_interest, InterestRate, StatutoryRate};
use duebook_core::campaign::LateFees;
use proptest::prelude::*;

fn date() -> impl Strategy<Value = NaiveDate> {
    (-200_000i32..200_000, 1u32..=366)
        .prop_map(|(y, o)| NaiveDate::from_yo_opt(y, o).unwrap_or(NaiveDate::MIN))
}

proptest! {
    #[test]
    fn simple_interest_never_panics(principal in any::<i64>(), bp in any::<i64>(), days in any::<i64>()) {
        let _ = simple_interest(principal, bp, days);
    }

    #[test]
    fn simple_interest_is_the_exact_figure_rounded_half_up(
        principal in 0i64..10_000_000_000_000, bp in 0i64..=100_000, days in 0i64..100_000
    ) {
        let got = i128::from(simple_interest(principal, bp, days).unwrap());
        let exact_times = i128::from(principal) * i128::from(bp) * i128::from(days);
        let denominator = 3_650_000i128;
        prop_assert!(got >= 0);
        // |got - exact| <= 1/2, in whole numbers: |got × d - n| × 2 <= d.
        prop_assert!((got * denominator - exact_times).abs() * 2 <= denominator);
    }

    #[test]
    fn charges_never_panic(
        fee in proptest::option::of(any::<i64>()),
        bp in any::<i64>(),
        statutory in any::<bool>(),
        grace in any::<i64>(),
        reference in any::<i64>(),
        points in 0i64..=100_000,
        open in any::<i64>(),
        due in date(),
        as_of in date(),
    ) {
        let fees = LateFees {
            fee_minor: fee,
            interest: Some(if statutory { InterestRate::Statutory } else { InterestRate::Annual { basis_points: bp } }),
            grace_days: grace,
        };
        let rate = StatutoryRate { reference_basis_points: reference, points_basis_points: points };
        let _ = fees.validate();
        if let Ok(charges) = fees.charges(Some(rate), due, open, as_of) {
            if fees.validate().is_ok() {
                prop_assert!(charges.iter().all(|c| c.amount_minor >= 0));
            }
        }
    }
}
