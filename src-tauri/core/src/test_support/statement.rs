//! Shared by the statement tests: a demo database, a branded company profile, and the poppler
//! tools that read PDFs back. The tools are required: a missing one fails the test with the
//! package to install, it never skips it.

use crate::company::{self, CompanyProfile, Remittance};
use crate::demo::{generate, DemoOptions};
use crate::store::Database;
use chrono::NaiveDate;
use std::path::Path;
use std::process::Command;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

/// The standard demo (60 customers, seed 42) in a temp dir.
pub fn demo_db(dir: &Path) -> Database {
    let mut db = Database::open(&dir.join("demo.sqlite")).unwrap();
    generate(&mut db, &DemoOptions::standard(today())).unwrap();
    db
}

pub fn branded(db: &Database) -> CompanyProfile {
    let profile = CompanyProfile {
        name: "Demo Supplies Co.".into(),
        accent_color: "#0b7a75".into(),
        phone: "+44 20 7946 0000".into(),
        website: "https://demo-supplies.example".into(),
        signature: "Accounts receivable · Demo Supplies Co.".into(),
        payment_link_pattern: "https://pay.example.com/{{ invoice.number }}".into(),
        remittance: Remittance {
            bank_name: "Öresund Bank".into(),
            account_name: "Demo Supplies Co.".into(),
            account_number: "GB33 BUKB 2020 1555 5555 55".into(),
            bank_code: "BUKBGB22".into(),
            reference_format: "C{{ customer.id }}".into(),
            instructions: "We also accept cheques payable to Demo Supplies Co. Please send the remittance advice to accounts@demo-supplies.example so we can match your payment the same day.".into(),
        },
        ..CompanyProfile::default()
    };
    company::save(db.conn(), &profile).unwrap()
}

pub fn customer_id(db: &Database, name: &str) -> i64 {
    crate::store::customers::find_id_by_name(db.conn(), name)
        .unwrap()
        .unwrap_or_else(|| panic!("demo customer {name:?}"))
}

fn tool(name: &str) -> Command {
    let probe = Command::new(name).arg("-v").output();
    if probe.is_err() {
        panic!("{name} is missing: install poppler-utils (scripts/install-deps.sh does)");
    }
    Command::new(name)
}

/// The PDF's text as pdftotext lays it out.
pub fn pdf_text(pdf: &[u8], dir: &Path, name: &str) -> String {
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    let out = tool("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Text of one page (1-based).
pub fn page_text(pdf_path: &Path, page: u32) -> String {
    let out = tool("pdftotext")
        .args([
            "-layout",
            "-enc",
            "UTF-8",
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
        ])
        .arg(pdf_path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

pub fn page_count(pdf_path: &Path) -> u32 {
    let out = tool("pdfinfo").arg(pdf_path).output().unwrap();
    assert!(out.status.success(), "pdfinfo failed");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo prints Pages:")
}

/// pdffonts' table: every font must be embedded and subsetted.
pub fn fonts(pdf_path: &Path) -> String {
    let out = tool("pdffonts").arg(pdf_path).output().unwrap();
    assert!(out.status.success(), "pdffonts failed");
    String::from_utf8(out.stdout).unwrap()
}

/// Renders pages to PNG at `dpi` (for looking at them); returns the files written.
pub fn render_png(
    pdf_path: &Path,
    prefix: &Path,
    dpi: u32,
    first: u32,
    last: u32,
) -> Vec<std::path::PathBuf> {
    let out = tool("pdftoppm")
        .args([
            "-png",
            "-r",
            &dpi.to_string(),
            "-f",
            &first.to_string(),
            "-l",
            &last.to_string(),
        ])
        .arg(pdf_path)
        .arg(prefix)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pdftoppm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = prefix.parent().unwrap();
    let stem = prefix.file_name().unwrap().to_string_lossy().to_string();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "png")
                && p.file_name().unwrap().to_string_lossy().starts_with(&stem)
        })
        .collect();
    files.sort();
    files
}

/// With `DUEBOOK_STATEMENT_OUT=DIR`, tests leave copies of their PDFs in DIR to look at.
pub fn keep(pdf: &[u8], name: &str) {
    if let Some(dir) = std::env::var_os("DUEBOOK_STATEMENT_OUT") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), pdf).unwrap();
    }
}
