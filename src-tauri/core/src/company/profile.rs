//! Company branding and remittance details: what every reminder says about who is asking and
//! how to pay. Stored in `settings` (`company_name` and the JSON `company_profile`).

use crate::store::settings;
use crate::store::DbError;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::path::Path;
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
    /// Postal address, one line per line, printed under the name on statements and invoice
    /// copies.
    pub address: String,
    /// The logo printed on statements and invoice copies; read with [`read_logo`].
    pub logo: Option<CompanyLogo>,
}

/// A logo image picked from a local file. The bytes themselves are stored (not the path):
/// the database stays complete when it is moved to another computer or the file is deleted,
/// and the CLI prints the same letterhead as the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CompanyLogo {
    /// The name of the file it was read from, shown in the settings.
    pub file_name: String,
    /// "image/png" or "image/jpeg".
    pub content_type: String,
    pub width: u32,
    pub height: u32,
    /// The image file's bytes, base64-encoded.
    pub data_base64: String,
}

/// Larger logo files are refused: the logo is copied into every statement.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;
/// Width or height in pixels above which a logo is refused (it prints at about 160 x 48 pt).
pub const MAX_LOGO_PIXELS: u32 = 4000;

impl CompanyLogo {
    /// Checks an image file's bytes: PNG or JPEG, at most [`MAX_LOGO_BYTES`], decodable.
    pub fn from_file_bytes(file_name: &str, bytes: &[u8]) -> Result<CompanyLogo, CompanyError> {
        let bad = |why: String| CompanyError::Invalid(format!("the logo {file_name:?} {why}"));
        if bytes.len() > MAX_LOGO_BYTES {
            return Err(logo_too_large(file_name, bytes.len() as u64));
        }
        let content_type = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            "image/png"
        } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            "image/jpeg"
        } else {
            return Err(bad("is not a PNG or JPEG image".into()));
        };
        let (width, height) = super::logo_image::check_logo_image(content_type, bytes)
            .map_err(|e| bad(format!("cannot be read as {content_type}: {e}")))?;
        if width > MAX_LOGO_PIXELS || height > MAX_LOGO_PIXELS {
            return Err(bad(format!(
                "is {width} x {height} pixels; a logo may have at most {MAX_LOGO_PIXELS} pixels a side"
            )));
        }
        Ok(CompanyLogo {
            file_name: file_name.to_string(),
            content_type: content_type.to_string(),
            width,
            height,
            data_base64: BASE64.encode(bytes),
        })
    }

    /// The image file's bytes.
    pub fn bytes(&self) -> Result<Vec<u8>, CompanyError> {
        BASE64.decode(&self.data_base64).map_err(|e| {
            CompanyError::Invalid(format!(
                "the stored logo {:?} is damaged: {e}",
                self.file_name
            ))
        })
    }
}

fn logo_too_large(file_name: &str, len: u64) -> CompanyError {
    CompanyError::Invalid(format!(
        "the logo {file_name:?} is {} KB; a logo may have at most {} KB (export it smaller)",
        len.div_ceil(1024),
        MAX_LOGO_BYTES / 1024
    ))
}

/// Reads and checks a logo file the user picked (PNG or JPEG); nothing is stored yet.
pub fn read_logo(path: &Path) -> Result<CompanyLogo, CompanyError> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let unreadable = |e: std::io::Error| {
        CompanyError::Invalid(format!(
            "the logo file {} cannot be read: {e}",
            path.display()
        ))
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(CompanyError::Invalid(format!(
            "the logo {} is not a file",
            path.display()
        )));
    }
    // Checked before reading, so a huge file is not loaded only to be refused.
    if meta.len() > MAX_LOGO_BYTES as u64 {
        return Err(logo_too_large(&file_name, meta.len()));
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    CompanyLogo::from_file_bytes(&file_name, &bytes)
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
        p.address = clean_address(&p.address)?;
        if let Some(logo) = &p.logo {
            // Stored profiles come back through the window: check the image, not the labels.
            p.logo = Some(CompanyLogo::from_file_bytes(
                &logo.file_name,
                &logo.bytes()?,
            )?);
        }
        if p.signature.len() > 4000 || p.remittance.instructions.len() > 4000 {
            return Err(CompanyError::Invalid(
                "the signature and payment instructions are limited to 4000 characters".into(),
            ));
        }
        // The patterns are templates themselves: check them now, not at send time.
        let sample = super::fields::sample_link_context();
        if !link.is_empty() {
            crate::sandbox::render_inline(link, &sample, true).map_err(|e| {
                CompanyError::Invalid(format!("the payment link pattern has a problem: {e}"))
            })?;
        }
        if !p.remittance.reference_format.is_empty() {
            crate::sandbox::render_inline(&p.remittance.reference_format, &sample, false).map_err(
                |e| {
                    CompanyError::Invalid(format!(
                        "the payment reference format has a problem: {e}"
                    ))
                },
            )?;
        }
        Ok(p)
    }
}

/// Lines trimmed, blank lines at the ends dropped; at most 8 lines of 100 characters.
fn clean_address(address: &str) -> Result<String, CompanyError> {
    let lines: Vec<&str> = address.lines().map(str::trim).collect();
    let first = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let last = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(first, |i| i + 1);
    let lines = &lines[first..last];
    if lines.len() > 8 {
        return Err(CompanyError::Invalid(format!(
            "the address has {} lines; at most 8 fit in the letterhead",
            lines.len()
        )));
    }
    if let Some(long) = lines.iter().find(|l| l.chars().count() > 100) {
        return Err(CompanyError::Invalid(format!(
            "the address line {long:?} is longer than 100 characters"
        )));
    }
    Ok(lines.join("\n"))
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
