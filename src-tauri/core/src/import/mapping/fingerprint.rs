//! A header row's fingerprint: SHA-256 of its cells as the layouts compare them (lower case,
//! letters and digits only), so "Invoice No." and "invoice no" are the same header and a
//! re-exported file with the same columns is recognised whatever its spacing or case.

use super::super::decode::header_key;
use sha2::{Digest, Sha256};

/// The fingerprint (64 hex digits); trailing empty cells, which spreadsheets add, do not count.
pub fn fingerprint(header: &[String]) -> String {
    let keys: Vec<String> = header.iter().map(|cell| header_key(cell)).collect();
    let used = keys
        .iter()
        .rposition(|k| !k.is_empty())
        .map_or(0, |i| i + 1);
    // A separator no key contains, so ["ab", "c"] and ["a", "bc"] differ.
    let text = keys[..used].join("\u{1f}");
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(cells: &[&str]) -> String {
        fingerprint(&cells.iter().map(|c| (*c).to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn spelling_and_trailing_cells_do_not_change_it_but_columns_do() {
        assert_eq!(
            of(&["Invoice No.", "Kunde"]),
            of(&["invoice no", " KUNDE", "", ""])
        );
        assert_ne!(of(&["ab", "c"]), of(&["a", "bc"]));
        assert_ne!(of(&["Kunde", "Betrag"]), of(&["Betrag", "Kunde"]));
        assert_eq!(of(&["x"]).len(), 64);
    }
}
