//! Campaign conversion: of the customers a campaign step reached, how many paid or promised
//! within [`WINDOW_DAYS`] days.
//!
//! A reminder is a delivered step as the store keeps it (`invoice_reminders`: one row per
//! invoice a step went out for, removed again when its message failed for good), on the
//! campaign's send day, with the A/B variant its message used. A customer converted when, in
//! [send day, send day + 14], a payment on any of their invoices is dated or they made a
//! promise. Each customer counts once per campaign, step and variant, however many reminders
//! of it they got; reminders whose window is still open on the last day are counted in
//! `window_open` (their customers may still convert). Only reminders sent in the period count.

use super::paying::round2;
use super::table::{Cell, ReportTable};
use crate::store::DbResult;
use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::Serialize;
use ts_rs::TS;

pub const WINDOW_DAYS: i64 = 14;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ConversionRow {
    pub campaign_id: i64,
    pub campaign: String,
    pub step: i64,
    /// `a` or `b` for an A/B step, `None` for a single template.
    pub variant: Option<String>,
    /// Customers reminded by this step (and variant) in the period.
    pub reminded: i64,
    pub converted: i64,
    /// converted / reminded × 100, two decimals.
    pub converted_percent: f64,
    /// Of the reminded, those whose last window is still open on the period's last day.
    pub window_open: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Conversion {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub window_days: i64,
    /// By campaign name, step, variant.
    pub rows: Vec<ConversionRow>,
}

/// Conversion of the reminders sent in [`from`, `to`], in one aggregate query.
pub fn conversion(conn: &Connection, from: NaiveDate, to: NaiveDate) -> DbResult<Conversion> {
    let mut stmt = conn.prepare_cached(
        "WITH sent AS (
             SELECT DISTINCT campaign_id, step_position, variant, customer_id, sent_on,
                    date(sent_on, '+' || ?3 || ' days') AS window_end
             FROM invoice_reminders WHERE sent_on >= ?1 AND sent_on <= ?2
         ), judged AS (
             SELECT s.*,
                    EXISTS (SELECT 1 FROM invoices i JOIN payments p ON p.invoice_id = i.id
                            WHERE i.customer_id = s.customer_id
                              AND p.paid_on >= s.sent_on AND p.paid_on <= s.window_end)
                 OR EXISTS (SELECT 1 FROM promises pr
                            WHERE pr.customer_id = s.customer_id
                              AND substr(pr.created_at, 1, 10) >= s.sent_on
                              AND substr(pr.created_at, 1, 10) <= s.window_end) AS converted
             FROM sent s
         )
         SELECT j.campaign_id, c.name, j.step_position, j.variant,
                COUNT(DISTINCT j.customer_id),
                COUNT(DISTINCT CASE WHEN j.converted THEN j.customer_id END),
                COUNT(DISTINCT CASE WHEN j.window_end > ?2 THEN j.customer_id END)
         FROM judged j JOIN campaigns c ON c.id = j.campaign_id
         GROUP BY j.campaign_id, j.step_position, j.variant
         ORDER BY c.name, j.campaign_id, j.step_position, j.variant",
    )?;
    let rows = stmt.query_map(
        params![from.to_string(), to.to_string(), WINDOW_DAYS],
        |r| {
            let reminded: i64 = r.get(4)?;
            let converted: i64 = r.get(5)?;
            Ok(ConversionRow {
                campaign_id: r.get(0)?,
                campaign: r.get(1)?,
                step: r.get(2)?,
                variant: r.get(3)?,
                reminded,
                converted,
                converted_percent: round2(converted as f64 / reminded.max(1) as f64 * 100.0),
                window_open: r.get(6)?,
            })
        },
    )?;
    Ok(Conversion {
        from,
        to,
        window_days: WINDOW_DAYS,
        rows: rows.collect::<Result<_, _>>()?,
    })
}

impl Conversion {
    pub fn table(&self) -> ReportTable {
        let rows = self.rows.iter().map(|row| {
            vec![
                Cell::Count(row.campaign_id),
                Cell::Text(row.campaign.clone()),
                Cell::Count(row.step),
                Cell::Plain(row.variant.clone().unwrap_or_default()),
                Cell::Count(row.reminded),
                Cell::Count(row.converted),
                Cell::Figure(Some(row.converted_percent)),
                Cell::Count(row.window_open),
            ]
        });
        ReportTable {
            title: format!(
                "Campaign conversion of reminders sent from {} to {}: customers who paid or promised within {} days",
                self.from, self.to, self.window_days
            ),
            meta: vec![("from", self.from.to_string()), ("to", self.to.to_string())],
            columns: vec![
                "campaign_id",
                "campaign",
                "step",
                "variant",
                "reminded",
                "converted",
                "converted_percent",
                "window_open",
            ],
            rows: rows.collect(),
        }
    }
}
