//! The tera engines email templates compile into: the sandbox's engine with Duebook's partials
//! and the escaping rules of each part.

use super::{TemplateError, TemplatePart};
use crate::sandbox;
use std::collections::HashMap;
use tera::Tera;

/// Shared pieces every template may `{% include %}`; not editable.
const PARTIALS_TEXT: &[(&str, &str)] = &[
    (
        "_invoices.txt",
        include_str!("../../../../../templates/_invoices.txt"),
    ),
    (
        "_fees.txt",
        include_str!("../../../../../templates/_fees.txt"),
    ),
    (
        "_offer.txt",
        include_str!("../../../../../templates/_offer.txt"),
    ),
    (
        "_remittance.txt",
        include_str!("../../../../../templates/_remittance.txt"),
    ),
    (
        "_signature.txt",
        include_str!("../../../../../templates/_signature.txt"),
    ),
];
const PARTIALS_HTML: &[(&str, &str)] = &[
    (
        "_invoices.html",
        include_str!("../../../../../templates/_invoices.html"),
    ),
    (
        "_fees.html",
        include_str!("../../../../../templates/_fees.html"),
    ),
    (
        "_offer.html",
        include_str!("../../../../../templates/_offer.html"),
    ),
    (
        "_remittance.html",
        include_str!("../../../../../templates/_remittance.html"),
    ),
    (
        "_signature.html",
        include_str!("../../../../../templates/_signature.html"),
    ),
];
/// Wraps every HTML body: logo, company name, accent colour. Gets the body as `body_html`.
pub(super) const LAYOUT_HTML: &str = include_str!("../../../../../templates/_layout.html");
pub(super) const LAYOUT_NAME: &str = "_layout.html";

/// The partials a part may include.
pub(super) fn partial_names(part: TemplatePart) -> Vec<&'static str> {
    let partials = if part == TemplatePart::Html {
        PARTIALS_HTML
    } else {
        PARTIALS_TEXT
    };
    partials.iter().map(|p| p.0).collect()
}

/// An engine with Duebook's partials. Nothing is escaped by tera: the HTML part's context is
/// escaped before rendering (see [`super::render`]), so `escape` is a no-op there and `safe`
/// (which only stops tera's own escaping) cannot unescape anything.
pub(super) fn engine_for(part: TemplatePart) -> Result<Tera, TemplateError> {
    let mut tera = sandbox::base_engine();
    let added = if part == TemplatePart::Html {
        tera.register_filter("escape", already_escaped);
        tera.register_filter("escape_xml", already_escaped);
        tera.add_raw_templates(PARTIALS_HTML.iter().copied())
            .and_then(|_| tera.add_raw_template(LAYOUT_NAME, LAYOUT_HTML))
    } else {
        tera.add_raw_templates(PARTIALS_TEXT.iter().copied())
    };
    added.map_err(|e| TemplateError::Invalid(format!("shipped partial broken: {e}")))?;
    Ok(tera)
}

/// Adds a user template to `engine` after the sandbox's static check; it may include the
/// partials of its part.
pub(super) fn add_checked(
    engine: &mut Tera,
    part: TemplatePart,
    name: &str,
    source: &str,
) -> Result<(), TemplateError> {
    Ok(sandbox::add_checked(
        engine,
        part,
        name,
        source,
        &partial_names(part),
    )?)
}

fn already_escaped(
    value: &tera::Value,
    _: &HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    Ok(value.clone())
}
