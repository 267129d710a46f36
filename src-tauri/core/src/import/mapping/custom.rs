//! Custom fields in a mapping: a column kept on the customer as a custom field under a name the
//! user chooses (`custom.Region=Sales Region` on the command line), so a file's region, account
//! code or sales channel can choose a campaign's audience and fill a template like a field typed
//! on the customer screen.

use super::MappingError;
use crate::model::text::clean_line;
use crate::store::customers::MAX_FIELD_NAME_CHARS;
use std::collections::BTreeMap;

/// How a command-line pair names a custom field: `custom.NAME=COLUMN`.
pub const PREFIX: &str = "custom.";

/// More would be a file's every column kept on its customers, which is not what they are for.
pub const MAX_CUSTOM_FIELDS: usize = 20;

/// The custom field name a pair's left side gives, if it names one.
pub(super) fn name_in_pair(field: &str) -> Option<&str> {
    let field = field.trim();
    field
        .get(..PREFIX.len())
        .filter(|start| start.eq_ignore_ascii_case(PREFIX))
        .map(|_| &field[PREFIX.len()..])
}

/// The mapping's custom fields as they are kept: names cleaned to one line, none empty or too
/// long, no two alike but for case, each with a column, at most [`MAX_CUSTOM_FIELDS`].
pub(super) fn check(custom: &BTreeMap<String, String>) -> Result<(), MappingError> {
    if custom.len() > MAX_CUSTOM_FIELDS {
        return Err(MappingError::TooManyCustom(custom.len()));
    }
    let mut seen: Vec<String> = Vec::new();
    for (name, column) in custom {
        let clean = clean_line(name);
        let chars = clean.chars().count();
        if clean.is_empty() || chars > MAX_FIELD_NAME_CHARS || clean != *name {
            return Err(MappingError::BadCustomName(clean));
        }
        if column.trim().is_empty() {
            return Err(MappingError::NoCustomColumn(clean));
        }
        let lower = clean.to_lowercase();
        if seen.contains(&lower) {
            return Err(MappingError::CustomTwice(clean));
        }
        seen.push(lower);
    }
    Ok(())
}

/// Each custom field's column in a header (its cells as `header_key` normalises them), or the
/// columns not found, as the mapping names them.
pub(super) fn resolve(
    custom: &BTreeMap<String, String>,
    keys: &[String],
    key_of: impl Fn(&str) -> String,
) -> (Vec<(String, usize)>, Vec<String>) {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for (name, column) in custom {
        let wanted = key_of(column);
        match keys
            .iter()
            .position(|key| !wanted.is_empty() && *key == wanted)
        {
            Some(at) => found.push((name.clone(), at)),
            None => missing.push(format!("{:?} (for {PREFIX}{name})", clean_line(column))),
        }
    }
    (found, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(n, c)| ((*n).to_string(), (*c).to_string()))
            .collect()
    }

    #[test]
    fn names_are_one_clean_line_unique_and_bounded() {
        assert_eq!(name_in_pair("Custom.Region"), Some("Region"));
        assert_eq!(name_in_pair("region"), None);
        assert!(check(&custom(&[("Region", "Sales Region"), ("PO", "po")])).is_ok());
        assert_eq!(
            check(&custom(&[("", "x")])),
            Err(MappingError::BadCustomName(String::new()))
        );
        assert!(matches!(
            check(&custom(&[("a\nb", "x")])),
            Err(MappingError::BadCustomName(_))
        ));
        assert!(matches!(
            check(&custom(&[(&"n".repeat(61), "x")])),
            Err(MappingError::BadCustomName(_))
        ));
        assert_eq!(
            check(&custom(&[("Region", "a"), ("region", "b")])),
            Err(MappingError::CustomTwice("region".into()))
        );
        assert_eq!(
            check(&custom(&[("Region", " ")])),
            Err(MappingError::NoCustomColumn("Region".into()))
        );
        let many: Vec<(String, String)> = (0..21).map(|i| (format!("f{i}"), "c".into())).collect();
        assert_eq!(
            check(&many.into_iter().collect()),
            Err(MappingError::TooManyCustom(21))
        );
    }
}
