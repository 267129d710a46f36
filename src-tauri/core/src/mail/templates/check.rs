//! Checking an email template before it is saved: its key and name, the sandbox's static check
//! of each part, and a render against sample data.

use super::engine::partial_names;
use super::{EmailTemplate, TemplateError, TemplateIssue, TemplatePart};
use crate::sandbox;

/// A template that passed [`check`]: the only kind [`super::store`] saves.
#[derive(Debug, Clone)]
pub struct CheckedTemplate(EmailTemplate);

impl CheckedTemplate {
    pub fn template(&self) -> &EmailTemplate {
        &self.0
    }
}

/// Checks a template without saving it: key and name, syntax, the static limits, and a render
/// against sample data (which catches misspelt field names). The render runs on a worker with
/// the time budget, so this may be called anywhere but not under a lock others wait for.
pub fn check(template: &EmailTemplate) -> Result<CheckedTemplate, TemplateError> {
    if !super::valid_key(&template.key) {
        return Err(TemplateError::Invalid(format!(
            "{:?} is not a valid template key (use lower-case letters, digits and '-')",
            template.key
        )));
    }
    if template.name.trim().is_empty() {
        return Err(TemplateError::Invalid("the template needs a name".into()));
    }
    let renderer = super::Renderer::new(std::slice::from_ref(template))?;
    renderer.render(&template.key, crate::company::fields::sample_context())?;
    Ok(CheckedTemplate(template.clone()))
}

/// Every problem of a template, one per part at most (the first one found in it), for
/// `duebook templates check`: the static check of each part, then a sample render when the
/// parts are sound.
pub fn problems(template: &EmailTemplate) -> Vec<TemplateIssue> {
    let mut found: Vec<TemplateIssue> = TemplatePart::ALL
        .iter()
        .filter_map(|&part| {
            sandbox::check_source(part, template.source(part), &partial_names(part)).err()
        })
        .filter_map(|e| e.issue().cloned())
        .collect();
    if found.is_empty() {
        let rendered = super::Renderer::new(std::slice::from_ref(template))
            .and_then(|r| r.render(&template.key, crate::company::fields::sample_context()));
        if let Err(e) = rendered {
            found.push(e.issue().cloned().unwrap_or_else(|| TemplateIssue {
                part: TemplatePart::Html,
                line: None,
                column: None,
                message: e.to_string(),
            }));
        }
    }
    found
}
