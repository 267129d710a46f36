//! The figures table and the small conversions it prints with, for the mail benches (included
//! by path: `mail/main.rs`, `mail_auth/main.rs`).

use std::time::Duration;

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The middle value (of times, or of ratios).
pub fn median<T: PartialOrd + Copy>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v[v.len() / 2]
}

pub fn verdict(ok: bool) -> String {
    if ok { "ok" } else { "MISSED" }.to_string()
}

/// One line of the table: figure, time, rate, goal, result.
pub struct Row([String; 5]);

impl Row {
    pub fn new(what: String, time: String, rate: String, goal: &str, result: String) -> Row {
        Row([what, time, rate, goal.to_string(), result])
    }
}

pub fn print_table(rows: &[Row]) {
    println!();
    println!(
        "{:<56} {:>9} {:>13}  {:<22} result",
        "figure", "time", "rate", "goal"
    );
    for Row(r) in rows {
        println!(
            "{:<56} {:>9} {:>13}  {:<22} {}",
            r[0], r[1], r[2], r[3], r[4]
        );
    }
}
