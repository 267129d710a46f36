//! Turning what a person types into a safe FTS5 query.
//!
//! FTS5's query syntax treats `"`, `*`, `-`, `(`, `AND`, `NOT` ... as operators, so raw input
//! such as `o'brien`, `acme-corp` or a lone quote is a syntax error. Every token is therefore
//! quoted, and the last one becomes a prefix so results appear while typing.

/// The MATCH expression for `input`, or None when it holds nothing searchable.
pub fn fts_query(input: &str) -> Option<String> {
    let tokens: Vec<String> = input
        .split_whitespace()
        .filter(|token| token.chars().any(char::is_alphanumeric))
        .map(|token| format!("\"{}\"", token.replace('"', "\"\"")))
        .collect();
    if tokens.is_empty() {
        return None;
    }
    Some(format!("{}*", tokens.join(" ")))
}

/// The bounds of a case-insensitive prefix range over invoice numbers, when the input could be
/// the start of one (it holds a digit and no spaces).
pub fn invoice_number_range(input: &str) -> Option<(String, String)> {
    let prefix = input.trim();
    let plausible = !prefix.is_empty()
        && prefix.chars().any(|c| c.is_ascii_digit())
        && !prefix.chars().any(char::is_whitespace);
    plausible.then(|| (prefix.to_string(), format!("{prefix}\u{10FFFF}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::temp_db;

    #[test]
    fn quotes_every_token_and_prefixes_the_last() {
        assert_eq!(fts_query("acme"), Some("\"acme\"*".into()));
        assert_eq!(
            fts_query("  north  wind "),
            Some("\"north\" \"wind\"*".into())
        );
        assert_eq!(fts_query("say \"hi"), Some("\"say\" \"\"\"hi\"*".into()));
        assert_eq!(fts_query(""), None);
        assert_eq!(fts_query(" * - \" ( "), None);
    }

    #[test]
    fn only_digit_bearing_single_words_search_invoice_numbers() {
        assert_eq!(
            invoice_number_range(" inv-00 "),
            Some(("inv-00".into(), "inv-00\u{10FFFF}".into()))
        );
        assert_eq!(invoice_number_range("acme"), None);
        assert_eq!(invoice_number_range("acme 12"), None);
    }

    #[test]
    fn odd_input_never_errors_in_sqlite() {
        let (_dir, db) = temp_db();
        db.conn()
            .execute(
                "INSERT INTO customer_search (rowid, name, contacts)
                 VALUES (1, 'O''Brien & Sons', 'ann@acme-corp.example')",
                [],
            )
            .unwrap();
        let inputs = [
            "\"",
            "*",
            "o'brien",
            "AND",
            "(acme",
            "100%",
            "-",
            "acme-corp",
            "NOT x",
            "a OR",
            "NEAR(",
            "^",
            "inv-1001",
            "ü",
            "名前",
            "😀",
        ];
        for input in inputs {
            if let Some(q) = fts_query(input) {
                let hits: rusqlite::Result<i64> = db.conn().query_row(
                    "SELECT count(*) FROM customer_search WHERE customer_search MATCH ?1",
                    [&q],
                    |r| r.get(0),
                );
                assert!(hits.is_ok(), "{input:?} → {q:?} failed: {hits:?}");
            }
        }
        let count = |input: &str| -> i64 {
            db.conn()
                .query_row(
                    "SELECT count(*) FROM customer_search WHERE customer_search MATCH ?1",
                    [fts_query(input).unwrap()],
                    |r| r.get(0),
                )
                .unwrap()
        };
        assert_eq!(count("o'brien"), 1);
        assert_eq!(count("acme-corp"), 1);
        assert_eq!(count("sons"), 1);
        assert_eq!(count("zzz"), 0);
    }
}
