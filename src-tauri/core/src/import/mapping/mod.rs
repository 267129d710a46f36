//! Column mappings: which column of a file gives which Duebook field, how its dates and
//! decimals are written and which currency an empty cell means. A mapping turns any invoice
//! file into the generic layout: the generic synonyms are one mapping ([`by_synonyms`]), a
//! user's is another ([`resolve`]), and both go through the same rows and writer.
//! Profiles ([`profiles`]) keep a mapping under a name and the fingerprint of its header row.

pub mod custom;
mod field;
pub mod fingerprint;
pub mod profile_file;
pub mod profiles;
mod reading;

pub use field::Field;
pub(in crate::import) use field::NUMBER;
pub(in crate::import) use reading::Reading;
pub use reading::{DateOrder, DecimalStyle};

use super::columns::{Duplicate, Picker};
use super::dates::FixedOrder;
use super::decode::header_key;
use crate::model::text::clean_line;
use crate::model::Currency;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// For each field, the header of the column that gives it, and how to read the cells.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ColumnMapping {
    /// Field → header cell as written (matched ignoring case, spaces and punctuation).
    pub columns: BTreeMap<Field, String>,
    #[serde(default)]
    pub date_order: DateOrder,
    #[serde(default)]
    pub decimal: DecimalStyle,
    /// ISO 4217 code for rows with an empty currency cell (none: the home currency).
    #[serde(default)]
    pub currency: Option<String>,
    /// Custom field name → header cell: kept on the row's customer ([`custom`]).
    #[serde(default)]
    pub custom: BTreeMap<String, String>,
}

/// Why a mapping cannot be used on a file. Messages name the fields and columns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("unknown field {0:?} (expected one of {names}, or custom.NAME)", names = field_names())]
    UnknownField(String),
    #[error("{0:?} is not FIELD=COLUMN")]
    NotAPair(String),
    #[error("{} mapped twice", .0.name())]
    FieldTwice(Field),
    #[error("required field(s) not mapped: {}", .0.join(", "))]
    Unmapped(Vec<&'static str>),
    #[error("the header has no column {}; its columns are: {header}", .missing.join(", "))]
    UnknownColumns {
        missing: Vec<String>,
        header: String,
    },
    #[error(
        "{first} and {second} are both mapped to column {column:?}: map each to its own column"
    )]
    SharedColumn {
        column: String,
        first: &'static str,
        second: &'static str,
    },
    #[error("unknown currency {0:?} (expected an ISO 4217 code such as USD, EUR, GBP)")]
    UnknownCurrency(String),
    #[error("custom field name {0:?}: give a name of one line, 1 to 60 characters")]
    BadCustomName(String),
    #[error("custom field {0:?} has no column")]
    NoCustomColumn(String),
    #[error("custom field {0:?} is mapped twice")]
    CustomTwice(String),
    #[error("{0} custom fields: at most {max} fit", max = custom::MAX_CUSTOM_FIELDS)]
    TooManyCustom(usize),
}

fn field_names() -> String {
    Field::ALL.map(Field::name).join(", ")
}

/// A header row's column for each field it gives, with every field given twice.
#[derive(Debug, Clone, Default)]
pub(in crate::import) struct Resolved {
    pub columns: BTreeMap<Field, usize>,
    /// Custom field name → column.
    pub custom: Vec<(String, usize)>,
    pub duplicates: Vec<Duplicate>,
    pub reading: Reading,
}

impl Resolved {
    /// The names of the required fields without a column.
    pub fn missing(&self) -> Vec<&'static str> {
        Field::ALL
            .into_iter()
            .filter(|f| f.required() && !self.columns.contains_key(f))
            .map(Field::name)
            .collect()
    }

    /// The mapping that names these columns in `header`.
    pub fn to_mapping(&self, header: &[String]) -> ColumnMapping {
        let columns = self
            .columns
            .iter()
            .map(|(field, at)| {
                (
                    *field,
                    clean_line(header.get(*at).map_or("", String::as_str)),
                )
            })
            .collect();
        let custom = self
            .custom
            .iter()
            .map(|(name, at)| {
                let column = header.get(*at).map_or("", String::as_str);
                (name.clone(), clean_line(column))
            })
            .collect();
        ColumnMapping {
            columns,
            custom,
            ..ColumnMapping::default()
        }
    }
}

/// The generic layout: each field's column found by its synonyms.
pub(in crate::import) fn by_synonyms(keys: &[String]) -> Resolved {
    let mut picker = Picker::new(keys);
    let columns = Field::ALL
        .into_iter()
        .filter_map(|field| Some((field, picker.pick(field.label(), field.synonyms())?)))
        .collect();
    Resolved {
        columns,
        custom: Vec::new(),
        duplicates: picker.into_duplicates(),
        reading: Reading::default(),
    }
}

/// The mapping's fields that must be known before any header is read: all required fields
/// mapped, no two sharing a column where that makes no sense, a known currency.
pub(in crate::import) fn check(mapping: &ColumnMapping) -> Result<Reading, MappingError> {
    let unmapped: Vec<_> = Field::ALL
        .into_iter()
        .filter(|f| f.required() && !mapping.columns.contains_key(f))
        .map(Field::name)
        .collect();
    if !unmapped.is_empty() {
        return Err(MappingError::Unmapped(unmapped));
    }
    for (first, a) in &mapping.columns {
        for (second, b) in mapping.columns.range(*first..).skip(1) {
            if header_key(a) == header_key(b) && !first.may_share(*second) {
                return Err(MappingError::SharedColumn {
                    column: clean_line(a),
                    first: first.name(),
                    second: second.name(),
                });
            }
        }
    }
    custom::check(&mapping.custom)?;
    let currency = match mapping.currency.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(
            Currency::parse(code).map_err(|_| MappingError::UnknownCurrency(clean_line(code)))?,
        ),
    };
    let date_order = match mapping.date_order {
        DateOrder::Auto => None,
        DateOrder::Dmy => Some(FixedOrder::Dmy),
        DateOrder::Mdy => Some(FixedOrder::Mdy),
        DateOrder::Ymd => Some(FixedOrder::Ymd),
    };
    Ok(Reading {
        date_order,
        decimal: mapping.decimal,
        currency,
    })
}

/// The mapping applied to a header row (its cells as written).
pub(in crate::import) fn resolve(
    mapping: &ColumnMapping,
    header: &[String],
) -> Result<Resolved, MappingError> {
    let reading = check(mapping)?;
    let keys: Vec<String> = header.iter().map(|h| header_key(h)).collect();
    let mut picker = Picker::new(&keys);
    let mut columns = BTreeMap::new();
    let mut missing = Vec::new();
    for (field, column) in &mapping.columns {
        let key = header_key(column);
        match picker
            .pick(field.label(), &[key.as_str()])
            .filter(|_| !key.is_empty())
        {
            Some(at) => {
                columns.insert(*field, at);
            }
            None => missing.push(format!("{:?} (for {})", clean_line(column), field.name())),
        }
    }
    let (custom, custom_missing) = custom::resolve(&mapping.custom, &keys, header_key);
    missing.extend(custom_missing);
    if !missing.is_empty() {
        let shown: Vec<String> = header
            .iter()
            .map(|h| format!("{:?}", clean_line(h)))
            .collect();
        return Err(MappingError::UnknownColumns {
            missing,
            header: shorten(&shown.join(", ")),
        });
    }
    Ok(Resolved {
        columns,
        custom,
        duplicates: picker.into_duplicates(),
        reading,
    })
}

fn shorten(text: &str) -> String {
    const MAX: usize = 300;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

impl ColumnMapping {
    /// `customer_name=Kunde,amount=Betrag,custom.Region=Gebiet` as the command line writes a
    /// mapping's columns; the reading settings are the defaults.
    pub fn from_pairs(text: &str) -> Result<ColumnMapping, MappingError> {
        let mut mapping = ColumnMapping::default();
        for pair in text.split(',').filter(|p| !p.trim().is_empty()) {
            let (field, column) = pair
                .split_once('=')
                .ok_or_else(|| MappingError::NotAPair(clean_line(pair)))?;
            let column = column.trim().to_string();
            if let Some(name) = custom::name_in_pair(field) {
                let name = clean_line(name);
                if mapping.custom.insert(name.clone(), column).is_some() {
                    return Err(MappingError::CustomTwice(name));
                }
                continue;
            }
            let field: Field = field
                .parse()
                .map_err(|name: String| MappingError::UnknownField(clean_line(&name)))?;
            if mapping.columns.insert(field, column).is_some() {
                return Err(MappingError::FieldTwice(field));
            }
        }
        Ok(mapping)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_string()).collect()
    }

    fn mapping(pairs: &str) -> ColumnMapping {
        ColumnMapping::from_pairs(pairs).unwrap()
    }

    #[test]
    fn a_mapping_finds_its_columns_by_normalised_name() {
        let head = header(&["Kunde", "Rechnungs-Nr.", "Datum", "Betrag", "Offen"]);
        let m = mapping("customer_name=kunde,invoice_number=Rechnungs Nr,issue_date=Datum,amount=Betrag,amount_due=Offen");
        let resolved = resolve(&m, &head).unwrap();
        assert_eq!(resolved.columns[&Field::InvoiceNumber], 1);
        assert_eq!(resolved.columns[&Field::AmountDue], 4);
        assert!(resolved.missing().is_empty());
        assert_eq!(
            resolved.to_mapping(&head).columns[&Field::CustomerName],
            "Kunde"
        );
    }

    #[test]
    fn custom_fields_find_their_columns_and_read_back() {
        let head = header(&["Kunde", "Nr", "Datum", "Betrag", "Gebiet"]);
        let pairs = "customer_name=Kunde,invoice_number=Nr,issue_date=Datum,amount=Betrag";
        let m = mapping(&format!("{pairs},Custom.Region=gebiet"));
        assert_eq!(m.custom["Region"], "gebiet");
        let resolved = resolve(&m, &head).unwrap();
        assert_eq!(resolved.custom, vec![("Region".to_string(), 4)]);
        assert_eq!(resolved.to_mapping(&head).custom["Region"], "Gebiet");
        let error = resolve(&mapping(&format!("{pairs},custom.Region=Zone")), &head);
        assert!(
            matches!(&error, Err(MappingError::UnknownColumns { missing, .. }) if missing[0].contains("custom.Region")),
            "{error:?}"
        );
        assert_eq!(
            ColumnMapping::from_pairs("custom.A=x,custom.A=y").unwrap_err(),
            MappingError::CustomTwice("A".into())
        );
    }

    #[test]
    fn bad_mappings_name_what_is_wrong() {
        let head = header(&["Kunde", "Nr", "Datum", "Betrag"]);
        let error = resolve(
            &mapping("customer_name=Kunde,invoice_number=Nr,issue_date=Datum,amount=Summe"),
            &head,
        );
        assert!(
            matches!(&error, Err(MappingError::UnknownColumns { missing, .. }) if missing[0].contains("Summe")),
            "{error:?}"
        );
        let error = check(&mapping("customer_name=Kunde,amount=Betrag"));
        assert_eq!(
            error.unwrap_err(),
            MappingError::Unmapped(vec!["invoice_number", "issue_date"])
        );
        let error = check(&mapping(
            "customer_name=Kunde,invoice_number=Kunde,issue_date=Datum,amount=Betrag",
        ));
        assert!(
            matches!(error, Err(MappingError::SharedColumn { .. })),
            "{error:?}"
        );
        assert!(check(&mapping(
            "customer_name=Kunde,invoice_number=Nr,issue_date=Datum,due_date=Datum,amount=Betrag"
        ))
        .is_ok());
        assert_eq!(
            ColumnMapping::from_pairs("client=Kunde").unwrap_err(),
            MappingError::UnknownField("client".into())
        );
        assert!(matches!(
            ColumnMapping::from_pairs("amount"),
            Err(MappingError::NotAPair(_))
        ));
        assert_eq!(
            ColumnMapping::from_pairs("amount=a,amount=b").unwrap_err(),
            MappingError::FieldTwice(Field::Amount)
        );
    }
}
