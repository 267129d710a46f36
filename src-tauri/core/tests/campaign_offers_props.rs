//! The offer arithmetic and checks never panic, whatever the amounts and text.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::campaign::Offer;
use duebook_core::company::fields::percent_text;
use duebook_core::store::offers::{discount_minor, Terms};
use proptest::prelude::*;

proptest! {
    #[test]
    fn a_discount_is_never_more_than_what_is_open(open in any::<i64>(), bp in any::<i64>(), amount in any::<i64>()) {
        for terms in [Terms::PercentBasisPoints(bp), Terms::AmountMinor(amount)] {
            let off = discount_minor(open, terms);
            prop_assert!(off >= 0 && off <= open.max(0), "{open} {terms:?} -> {off}");
        }
    }

    #[test]
    fn a_percentage_discount_is_rounded_half_up(open in 0i64..1_000_000_000_000, bp in 1i64..=5_000) {
        let off = discount_minor(open, Terms::PercentBasisPoints(bp));
        let exact = i128::from(open) * i128::from(bp);
        // off is the nearest whole minor unit to exact / 10 000, halves up.
        prop_assert!(i128::from(off) * 10_000 - exact <= 5_000);
        prop_assert!(exact - i128::from(off) * 10_000 < 5_000);
    }

    #[test]
    fn any_offer_text_is_checked_without_panic(p in ".{0,12}", a in ".{0,12}", days in any::<i64>(), bp in any::<i64>()) {
        let offer = Offer {
            percent: Some(p),
            amount: None,
            valid_days: days,
            segment: None,
            usually_late: None,
            min_balance_minor: None,
            max_balance_minor: None,
        };
        let _ = offer.validate();
        let _ = offer.describe();
        let amount = Offer { percent: None, amount: Some(a), ..offer };
        let _ = amount.validate();
        let _ = percent_text(bp);
    }
}
