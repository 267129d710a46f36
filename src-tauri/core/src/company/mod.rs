//! The company: who is asking and how to pay (profile, logo, remittance), how its documents
//! write money and dates, who a customer's documents go to, and the fields templates see
//! ([`fields`]).
//!
//! Statements and mail both read this layer; it reads only the store.

pub mod fields;
mod format;
mod logo_image;
mod profile;
mod recipient;

pub use format::{format_date, format_money};
pub(crate) use logo_image::load_image;
pub use profile::{
    load, read_logo, save, CompanyError, CompanyLogo, CompanyProfile, Remittance, DEFAULT_ACCENT,
    MAX_LOGO_BYTES, MAX_LOGO_PIXELS,
};
pub use recipient::recipient;
