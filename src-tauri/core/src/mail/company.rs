//! Company branding and remittance details: what every reminder says about who is asking and
//! how to pay. Stored in `settings` (`company_name` and the JSON `company_profile`).

use crate::db::DbError;
use crate::settings;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

const PROFILE_KEY: &str = "company_profile";

#[derive(Debug, thiserror::Error)]
pub enum CompanyError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Bank details printed in every reminder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct Remittance {
    pub bank_name: String,
    pub account_name: String,
    /// IBAN or local account number.
    pub account_number: String,
    /// BIC / SWIFT, sort code or routing number.
    pub bank_code: String,
    /// Template of the payment reference, e.g. "{{ invoice.number }}" or "C{{ customer.id }}".
    pub reference_format: String,
    /// Free text, e.g. "We also accept cheques to ...".
    pub instructions: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct CompanyProfile {
    pub name: String,
    /// An https:// address of the logo shown at the top of HTML emails.
    pub logo_url: String,
    /// "#RRGGBB"; empty for Duebook's default.
    pub accent_color: String,
    /// Closing lines under each email (plain text; line breaks kept).
    pub signature: String,
    pub phone: String,
    pub website: String,
    pub remittance: Remittance,
    /// Template of the payment link, e.g. "https://pay.example.com/{{ invoice.number }}".
    /// Values are percent-encoded.
    pub payment_link_pattern: String,
}

/// The accent colour used when none is set.
pub const DEFAULT_ACCENT: &str = "#1f5f8b";

impl CompanyProfile {
    pub fn accent(&self) -> &str {
        if self.accent_color.is_empty() {
            DEFAULT_ACCENT
        } else {
            &self.accent_color
        }
    }

    /// Checks and trims every field; returns the cleaned profile or what is wrong.
    pub fn validated(&self) -> Result<CompanyProfile, CompanyError> {
        let mut p = self.clone();
        for field in [
            &mut p.name,
            &mut p.logo_url,
            &mut p.accent_color,
            &mut p.phone,
            &mut p.website,
            &mut p.payment_link_pattern,
            &mut p.remittance.bank_name,
            &mut p.remittance.account_name,
            &mut p.remittance.account_number,
            &mut p.remittance.bank_code,
            &mut p.remittance.reference_format,
        ] {
            *field = field.trim().to_string();
        }
        if p.name.chars().count() > 200 {
            return Err(CompanyError::Invalid("the company name is too long".into()));
        }
        if !p.logo_url.is_empty() && !p.logo_url.starts_with("https://") {
            return Err(CompanyError::Invalid(
                "the logo address must start with https://".into(),
            ));
        }
        let hex = p.accent_color.strip_prefix('#').unwrap_or("");
        let colour_ok = hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit());
        if !p.accent_color.is_empty() && !colour_ok {
            return Err(CompanyError::Invalid(format!(
                "{:?} is not a colour like #1f5f8b",
                p.accent_color
            )));
        }
        let link = &p.payment_link_pattern;
        let web = link.starts_with("https://") || link.starts_with("http://");
        if !link.is_empty() && !web {
            return Err(CompanyError::Invalid(
                "the payment link must start with https:// (or http://)".into(),
            ));
        }
        if p.signature.len() > 4000 || p.remittance.instructions.len() > 4000 {
            return Err(CompanyError::Invalid(
                "the signature and payment instructions are limited to 4000 characters".into(),
            ));
        }
        // The patterns are templates themselves: check them now, not at send time.
        let sample = super::context::sample_link_context();
        if !link.is_empty() {
            super::templates::render_inline(link, &sample, true).map_err(|e| {
                CompanyError::Invalid(format!("the payment link pattern has a problem: {e}"))
            })?;
        }
        if !p.remittance.reference_format.is_empty() {
            super::templates::render_inline(&p.remittance.reference_format, &sample, false)
                .map_err(|e| {
                    CompanyError::Invalid(format!(
                        "the payment reference format has a problem: {e}"
                    ))
                })?;
        }
        Ok(p)
    }
}

pub fn load(conn: &Connection) -> Result<CompanyProfile, CompanyError> {
    let mut profile: CompanyProfile = match settings::get(conn, PROFILE_KEY)? {
        Some(json) => serde_json::from_str(&json).unwrap_or_default(),
        None => CompanyProfile::default(),
    };
    profile.name = settings::get(conn, settings::COMPANY_NAME)?.unwrap_or_default();
    Ok(profile)
}

/// Validates and saves; nothing changes when a field is wrong.
pub fn save(conn: &Connection, profile: &CompanyProfile) -> Result<CompanyProfile, CompanyError> {
    let clean = profile.validated()?;
    let json = serde_json::to_string(&clean)
        .map_err(|e| CompanyError::Invalid(format!("cannot store the profile: {e}")))?;
    let tx = conn.unchecked_transaction().map_err(DbError::from)?;
    settings::set(&tx, settings::COMPANY_NAME, &clean.name)?;
    settings::set(&tx, PROFILE_KEY, &json)?;
    tx.commit().map_err(DbError::from)?;
    Ok(clean)
}
