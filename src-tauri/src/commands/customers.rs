//! The customer list (one page at a time, with why each row matched the search) and the customer
//! screen: the detail, edits to the customer's own fields, and the choices the filters offer.

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::detail::{self, CustomerDetail};
use duebook_core::model::{
    Customer, CustomerEdit, CustomerFilters, CustomerListQuery, CustomerRow, CustomerSort,
};
use duebook_core::search::invoice_number_range;
use duebook_core::{contacts, customer_list, customers, invoices};
use rusqlite::Connection;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The most rows one call may ask for; the list pages.
pub const MAX_PAGE: u32 = 500;

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

/// One page of the list; `matches` is empty without a search.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CustomerListPage {
    pub rows: Vec<CustomerRow>,
    /// Customers matching the search and filters (all pages).
    pub total: u32,
    pub matches: Vec<SearchMatch>,
}

/// What the list's filter menus offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ListFacets {
    pub tags: Vec<String>,
    pub segments: Vec<String>,
    /// Currencies with open invoices.
    pub currencies: Vec<String>,
}

/// The query the list and its CSV export share.
pub fn list_query(
    search: Option<String>,
    sort: Option<CustomerSort>,
    filters: Option<CustomerFilters>,
    offset: u32,
    limit: u32,
) -> CustomerListQuery {
    CustomerListQuery {
        search: search.filter(|s| !s.trim().is_empty()),
        sort: sort.unwrap_or_default(),
        filters: filters.unwrap_or_default(),
        limit,
        offset,
        as_of: SystemClock.today(),
    }
}

/// One page of the customer list, filtered by `search` (names, contacts, invoice numbers) and
/// `filters`, in the order `sort`.
#[tauri::command]
pub async fn list_customers(
    state: State<'_, AppState>,
    search: Option<String>,
    sort: Option<CustomerSort>,
    filters: Option<CustomerFilters>,
    offset: u32,
    limit: u32,
) -> CommandResult<CustomerListPage> {
    if limit == 0 || limit > MAX_PAGE {
        return Err(CommandError::InvalidInput(format!(
            "a page holds 1 to {MAX_PAGE} customers, not {limit}"
        )));
    }
    let query = list_query(search, sort, filters, offset, limit);
    state.with_db(|db| {
        let page = customer_list::list(db.conn(), &query)?;
        let matches = match &query.search {
            Some(search) => search_matches(db.conn(), &page.rows, search)?,
            None => Vec::new(),
        };
        Ok(CustomerListPage {
            rows: page.rows,
            total: page.total,
            matches,
        })
    })
}

/// Everything the customer screen shows: the customer, balances, contacts, invoices (open ones
/// first, days overdue as of today), notes, tasks, promises and disputes.
#[tauri::command]
pub async fn customer_detail(
    state: State<'_, AppState>,
    customer_id: i64,
) -> CommandResult<CustomerDetail> {
    let as_of = SystemClock.today();
    state.with_db(|db| Ok(detail::customer_detail(db.conn(), customer_id, as_of)?))
}

/// Saves one change to the customer (name, segment, terms, channel, do-not-contact, tags, a
/// custom field) and returns the customer as saved.
#[tauri::command]
pub async fn edit_customer(
    state: State<'_, AppState>,
    customer_id: i64,
    edit: CustomerEdit,
) -> CommandResult<Customer> {
    state.write(|conn| customers::edit(conn, customer_id, &edit))
}

/// The tags, segments and currencies the filters offer.
#[tauri::command]
pub async fn list_facets(state: State<'_, AppState>) -> CommandResult<ListFacets> {
    state.with_db(|db| {
        let conn = db.conn();
        Ok(ListFacets {
            tags: customers::all_tags(conn)?,
            segments: customers::all_segments(conn)?,
            currencies: customers::currencies_in_use(conn)?,
        })
    })
}

/// Why each row matched `search`, mirroring the search index: every word of the input is a
/// prefix of a word of the name or of a contact's name or email (letters compared without case
/// and accents), or the input starts an invoice number. Only rows the name does not explain
/// fully are looked up further, so typing a name costs nothing extra.
pub fn search_matches(
    conn: &Connection,
    rows: &[CustomerRow],
    search: &str,
) -> CommandResult<Vec<SearchMatch>> {
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
                    let hit = invoices::for_customer(conn, row.id, SystemClock.today())?
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
    use chrono::NaiveDate;
    use duebook_core::db::Database;
    use duebook_core::derived;
    use duebook_core::model::{
        ContactInput, Currency, InvoiceKind, Money, NewCustomer, NewInvoice,
    };

    fn scratch_db(name: &str) -> (std::path::PathBuf, Database) {
        let dir =
            std::env::temp_dir().join(format!("duebook-app-list-{name}-{}", std::process::id()));
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
            let query = list_query(Some(search.into()), None, None, 0, 50);
            let rows = customer_list::list(conn, &query).unwrap().rows;
            search_matches(conn, &rows, search).unwrap()
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
