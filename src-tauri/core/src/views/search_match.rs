//! Why a row is in the search results: the customer's name, a contact's name or email, or an
//! invoice number — the window highlights that value under the row.

use crate::model::CustomerRow;
use crate::store::DbResult;
use crate::views::search::invoice_number_range;
use crate::{store::contacts, store::invoices};
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Which part of a customer a search matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MatchField {
    Name,
    Contact,
    Email,
    InvoiceNumber,
}

/// Why a row is in the search results: the customer's name, one of their contacts' names or
/// emails, or one of their invoice numbers (`text` is that value, for the window to highlight).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SearchMatch {
    pub customer_id: i64,
    pub field: MatchField,
    pub text: String,
}

/// Why each row matched `search`, mirroring the search index: every word of the input is a
/// prefix of a word of the name or of a contact's name or email (letters compared without case
/// and accents), or the input starts an invoice number. Only rows the name does not explain
/// fully are looked up further, so typing a name costs nothing extra.
pub fn explain(
    conn: &Connection,
    rows: &[CustomerRow],
    search: &str,
    as_of: NaiveDate,
) -> DbResult<Vec<SearchMatch>> {
    let terms = words(search);
    let number = invoice_number_range(search).map(|(prefix, _)| prefix.to_lowercase());
    let mut out = Vec::new();
    for row in rows {
        let name_hits = hits(&terms, &row.name);
        if name_hits > 0 {
            out.push(SearchMatch {
                customer_id: row.id,
                field: MatchField::Name,
                text: row.name.clone(),
            });
        }
        if terms.is_empty() || name_hits < terms.len() {
            let mut found = 0;
            for contact in contacts::for_customer(conn, row.id)? {
                let named = [
                    (MatchField::Contact, contact.name),
                    (MatchField::Email, contact.email),
                ];
                for (field, text) in named {
                    if let Some(text) = text.filter(|t| hits(&terms, t) > 0) {
                        if found < 2 {
                            out.push(SearchMatch {
                                customer_id: row.id,
                                field,
                                text,
                            });
                        }
                        found += 1;
                    }
                }
            }
            if found == 0 && name_hits == 0 {
                if let Some(prefix) = &number {
                    let hit = invoices::for_customer(conn, row.id, as_of)?
                        .into_iter()
                        .find(|r| r.invoice.number.to_lowercase().starts_with(prefix.as_str()));
                    if let Some(hit) = hit {
                        out.push(SearchMatch {
                            customer_id: row.id,
                            field: MatchField::InvoiceNumber,
                            text: hit.invoice.number,
                        });
                    }
                }
            }
        }
    }
    Ok(out)
}

/// How many of `terms` start a word of `text`.
fn hits(terms: &[String], text: &str) -> usize {
    let words = words(text);
    terms
        .iter()
        .filter(|term| words.iter().any(|w| w.starts_with(term.as_str())))
        .count()
}

/// Words as the search index sees them: runs of letters and digits, lower case, accents removed.
fn words(text: &str) -> Vec<String> {
    let folded: String = text
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        ContactInput, Currency, CustomerListQuery, InvoiceKind, Money, NewCustomer, NewInvoice,
    };
    use crate::store::Database;
    use crate::{store::customers, store::derived, views::customer_list};
    use chrono::NaiveDate;

    fn scratch_db(name: &str) -> (std::path::PathBuf, Database) {
        let dir = std::env::temp_dir().join(format!(
            "duebook-search-match-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = Database::open(&dir.join("books.sqlite")).unwrap();
        (dir, db)
    }

    #[test]
    fn search_results_say_why_they_matched() {
        let (dir, mut db) = scratch_db("why");
        let date = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        let (acme, bolt) = db
            .write(|conn| {
                let acme = customers::insert(conn, &NewCustomer::named("Acme Café"))?;
                let bolt = customers::insert(conn, &NewCustomer::named("Bolt & Nut"))?;
                contacts::add(
                    conn,
                    bolt,
                    &ContactInput {
                        name: Some("Jane Acmeson".into()),
                        email: Some("jane@bolt.example".into()),
                        ..Default::default()
                    },
                )?;
                invoices::insert(
                    conn,
                    &NewInvoice {
                        customer_id: bolt,
                        kind: InvoiceKind::Invoice,
                        number: "BN-2041".into(),
                        issue_date: date("2026-01-01"),
                        due_date: date("2026-02-01"),
                        total: Money::new(12_000, Currency::parse("EUR").unwrap()),
                        source: "test".into(),
                    },
                )?;
                derived::refresh_customers(conn, &[acme, bolt])?;
                Ok((acme, bolt))
            })
            .unwrap();
        let conn = db.conn();
        let page = |search: &str| {
            let query = CustomerListQuery {
                search: Some(search.into()),
                sort: Default::default(),
                filters: Default::default(),
                limit: 50,
                offset: 0,
                as_of: date("2026-03-01"),
            };
            let rows = customer_list::list(conn, &query).unwrap().rows;
            explain(conn, &rows, search, query.as_of).unwrap()
        };

        let found = page("acme");
        let field_of = |id: i64| found.iter().find(|m| m.customer_id == id).map(|m| m.field);
        assert_eq!(field_of(acme), Some(MatchField::Name));
        assert_eq!(field_of(bolt), Some(MatchField::Contact), "{found:?}");

        let found = page("cafe");
        assert_eq!(found.len(), 1, "accents do not matter: {found:?}");
        assert_eq!(found[0].text, "Acme Café");

        let found = page("jane@bolt");
        assert!(found
            .iter()
            .any(|m| m.field == MatchField::Email && m.text == "jane@bolt.example"));

        let found = page("bn-20");
        assert_eq!(
            found,
            vec![SearchMatch {
                customer_id: bolt,
                field: MatchField::InvoiceNumber,
                text: "BN-2041".into()
            }]
        );
        assert!(
            page("\"").is_empty(),
            "a lone quote neither errors nor matches"
        );
        drop(db);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn words_fold_case_and_accents() {
        assert_eq!(
            words("Café Ölmann-Brötchen"),
            ["cafe", "olmann", "brotchen"]
        );
        assert_eq!(
            words("jane.doe@acme.example"),
            ["jane", "doe", "acme", "example"]
        );
        assert_eq!(words(" \" * - "), Vec::<String>::new());
    }

    #[test]
    fn hits_count_terms_that_start_a_word() {
        let terms = words("ac jan");
        assert_eq!(hits(&terms, "Acme Ltd"), 1);
        assert_eq!(hits(&terms, "Jane Acme"), 2);
        assert_eq!(hits(&terms, "Bcme"), 0);
    }
}
