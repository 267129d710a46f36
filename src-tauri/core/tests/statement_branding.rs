//! The company's postal address and logo on statements and invoice copies: stored in the
//! profile (old profiles without them still load), printed in the letterhead, and a logo file
//! that is not a usable PNG or JPEG refused with a clear reason and nothing saved.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::company::{self, CompanyLogo, CompanyProfile, MAX_LOGO_BYTES};
use duebook_core::statement::{self, StatementOptions};
use duebook_core::store::settings;
use duebook_core::test_support::statement::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/statement")
        .join(name)
}

const ADDRESS: &str =
    "  Unit 4, Harbour Works\n12 Quay Street\n\nBristol BS1 4XY\nUnited Kingdom  \n\n";

/// `pdfimages -list`: images drawn (an alpha channel adds an "smask" line, not counted).
fn image_count(pdf: &Path) -> usize {
    let out = Command::new("pdfimages")
        .arg("-list")
        .arg(pdf)
        .output()
        .expect("pdfimages is missing: install poppler-utils");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(2)
        .filter(|l| l.split_whitespace().nth(2) == Some("image"))
        .count()
}

#[test]
fn the_address_and_logo_are_printed_on_statements_and_invoice_copies() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let mut profile = branded(&db);
    profile.address = ADDRESS.into();
    profile.logo = Some(company::read_logo(&fixture("logo.png")).unwrap());
    let saved = company::save(db.conn(), &profile).unwrap();
    assert_eq!(
        saved.address, "Unit 4, Harbour Works\n12 Quay Street\n\nBristol BS1 4XY\nUnited Kingdom",
        "lines trimmed, blank lines at the ends dropped"
    );
    let logo = saved.logo.as_ref().unwrap();
    assert_eq!(
        (logo.width, logo.height, logo.content_type.as_str()),
        (128, 128, "image/png")
    );
    assert_eq!(company::load(db.conn()).unwrap(), saved, "stored as saved");

    let customer = customer_id(&db, "Café Ölmann GmbH");
    let pdf =
        statement::render_statement(db.conn(), customer, &StatementOptions::new(today())).unwrap();
    let text = pdf_text(&pdf, dir.path(), "statement");
    for line in [
        "Unit 4, Harbour Works",
        "12 Quay Street",
        "Bristol BS1 4XY",
        "United Kingdom",
    ] {
        assert!(text.contains(line), "{line:?} missing from:\n{text}");
    }
    assert_eq!(
        image_count(&dir.path().join("statement.pdf")),
        1,
        "the logo"
    );
    let pages = render_png(
        &dir.path().join("statement.pdf"),
        &dir.path().join("page"),
        60,
        1,
        1,
    );
    assert_eq!(pages.len(), 1);

    let invoice_id: i64 = db
        .conn()
        .query_row(
            "SELECT id FROM invoices WHERE customer_id = ?1 LIMIT 1",
            [customer],
            |r| r.get(0),
        )
        .unwrap();
    let copy = statement::render_invoice_copy(db.conn(), invoice_id, today()).unwrap();
    let text = pdf_text(&copy, dir.path(), "copy");
    assert!(text.contains("12 Quay Street"), "{text}");
    assert_eq!(image_count(&dir.path().join("copy.pdf")), 1);
}

#[test]
fn a_jpeg_logo_works_too() {
    let logo = company::read_logo(&fixture("logo.jpg")).unwrap();
    assert_eq!(
        (logo.width, logo.height, logo.content_type.as_str()),
        (240, 80, "image/jpeg")
    );
    assert_eq!(logo.file_name, "logo.jpg");
}

#[test]
fn unusable_logo_files_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let error = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        company::read_logo(&path).unwrap_err().to_string()
    };
    let gif = error("logo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;");
    assert!(
        gif.contains("\"logo.gif\" is not a PNG or JPEG image"),
        "{gif}"
    );

    let png = std::fs::read(fixture("logo.png")).unwrap();
    let truncated = error("cut.png", &png[..png.len() / 2]);
    assert!(
        truncated.contains("\"cut.png\" cannot be read as image/png"),
        "{truncated}"
    );

    let mut huge = png.clone();
    huge.resize(MAX_LOGO_BYTES + 1, 0);
    let too_big = error("huge.png", &huge);
    assert!(
        too_big.contains("a logo may have at most 512 KB"),
        "{too_big}"
    );

    let missing = company::read_logo(&dir.path().join("nope.png"))
        .unwrap_err()
        .to_string();
    assert!(missing.contains("cannot be read"), "{missing}");
}

#[test]
fn a_damaged_logo_is_not_saved_and_the_profile_stays() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let before = branded(&db);
    let forged = CompanyProfile {
        logo: Some(CompanyLogo {
            file_name: "logo.png".into(),
            content_type: "image/png".into(),
            width: 10,
            height: 10,
            data_base64: "bm90IGFuIGltYWdl".into(), // "not an image"
        }),
        ..before.clone()
    };
    let e = company::save(db.conn(), &forged).unwrap_err().to_string();
    assert!(e.contains("is not a PNG or JPEG image"), "{e}");
    assert_eq!(company::load(db.conn()).unwrap(), before);

    let long = CompanyProfile {
        address: (1..=9)
            .map(|i| format!("line {i}"))
            .collect::<Vec<_>>()
            .join("\n"),
        ..before.clone()
    };
    let e = company::save(db.conn(), &long).unwrap_err().to_string();
    assert!(e.contains("at most 8"), "{e}");
}

#[test]
fn profiles_stored_before_address_and_logo_still_load() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    settings::set(
        db.conn(),
        "company_profile",
        r##"{"name":"Old Co","accent_color":"#123456","phone":"","website":"","signature":"",
            "logo_url":"","remittance":{},"payment_link_pattern":""}"##,
    )
    .unwrap();
    let profile = company::load(db.conn()).unwrap();
    assert_eq!(profile.accent_color, "#123456");
    assert_eq!(profile.address, "");
    assert!(profile.logo.is_none());
}
