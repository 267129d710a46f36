//! The KPIs as JSON and as text for the terminal (`duebook report kpis`).

use super::{CurrencyKpis, Kpis};
use crate::model::text::for_terminal;
use crate::model::{format_minor, Currency};
use serde_json::{json, Value};

/// The names and definitions of the day and percentage figures, in output order.
const FIGURES: [(&str, &str); 7] = [
    ("dso_countback", "DSO (countback)"),
    ("dso_standard", "DSO (standard)"),
    ("best_dso", "Best possible DSO"),
    ("add", "Average days delinquent (ADD)"),
    ("cei", "Collection effectiveness index (CEI, %)"),
    ("average_days_to_pay", "Average days to pay"),
    ("average_days_late", "Average days late"),
];

impl CurrencyKpis {
    fn amounts(&self) -> [(&'static str, &'static str, i64); 3] {
        [
            ("ar_total", "AR total", self.ar_total),
            ("ar_current", "AR current (not yet due)", self.ar_current),
            ("ar_overdue", "AR overdue", self.ar_overdue),
        ]
    }

    /// The figures in the order of [`FIGURES`].
    fn figures(&self) -> [Option<f64>; 7] {
        [
            self.dso_countback,
            self.dso_standard,
            self.best_dso,
            self.add,
            self.cei,
            self.average_days_to_pay,
            self.average_days_late,
        ]
    }
}

fn decimals(code: &str) -> u32 {
    Currency::parse(code).map_or(2, |c| c.decimals())
}

impl Kpis {
    /// `{"as_of": "...", "currencies": {"USD": {"ar_total": "123.45", ..., "dso_countback":
    /// 41.23, ...}}}`: amounts as decimal strings in the currency's decimals, figures as
    /// numbers (two decimals) or `null` where undefined.
    pub fn to_json(&self) -> Value {
        let currencies: serde_json::Map<String, Value> = self
            .currencies
            .iter()
            .map(|(code, kpis)| {
                let mut fields = serde_json::Map::new();
                for (name, _, minor) in kpis.amounts() {
                    fields.insert(name.into(), format_minor(minor, decimals(code)).into());
                }
                for ((name, _), value) in FIGURES.iter().zip(kpis.figures()) {
                    fields.insert((*name).into(), value.map_or(Value::Null, Value::from));
                }
                (code.clone(), fields.into())
            })
            .collect();
        json!({
            "as_of": self.as_of.to_string(),
            "currencies": currencies,
        })
    }

    /// One block per currency, each figure under its name; "-" where it is undefined.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "KPIs as of {} (sales and payments of the last {} days; CEI from {})\n",
            self.as_of, self.days, self.period_start
        );
        for (code, kpis) in &self.currencies {
            out.push_str(&format!("\n{}\n", for_terminal(code)));
            for (_, label, minor) in kpis.amounts() {
                out.push_str(&format!(
                    "  {label:<40}{:>16}\n",
                    format_minor(minor, decimals(code))
                ));
            }
            for ((_, label), value) in FIGURES.iter().zip(kpis.figures()) {
                let shown = value.map_or_else(|| "-".to_string(), |v| format!("{v:.2}"));
                out.push_str(&format!("  {label:<40}{shown:>16}\n"));
            }
        }
        if self.currencies.is_empty() {
            out.push_str("(no invoices)\n");
        }
        out
    }
}
