//! The static check of a user template's syntax tree: what it may call, how it may loop, and how
//! large any value it computes can get (see [`super::limits`]). Runs before a template is
//! compiled, so a template that passes cannot loop over its own strings or grow one without bound.

use super::limits::{self, Growth, MAX_LOOP_DEPTH, MAX_OUTPUT_BYTES, MAX_SETS};
use super::locate::{forbidden, syntax_issue};
use super::{issue, EmailTemplate, TemplateError, TemplateIssue, TemplatePart};
use std::collections::HashMap;
use tera::ast::{Expr, ExprVal, FunctionCall, Node};

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
    renderer.render(&template.key, crate::mail::context::sample_context())?;
    Ok(CheckedTemplate(template.clone()))
}

/// Every problem of a template, one per part at most (the first one found in it), for
/// `duebook templates check`: the static check of each part, then a sample render when the
/// parts are sound.
pub fn problems(template: &EmailTemplate) -> Vec<TemplateIssue> {
    let mut found: Vec<TemplateIssue> = TemplatePart::ALL
        .iter()
        .filter_map(|&part| check_source(part, template.source(part)).err())
        .filter_map(|e| e.issue().cloned())
        .collect();
    if found.is_empty() {
        let rendered = super::Renderer::new(std::slice::from_ref(template))
            .and_then(|r| r.render(&template.key, crate::mail::context::sample_context()));
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

/// Parses one part and walks its syntax tree.
pub(super) fn check_source(part: TemplatePart, source: &str) -> Result<(), TemplateError> {
    if source.len() > limits::MAX_TEMPLATE_BYTES {
        return Err(issue(
            part,
            None,
            format!(
                "the template is longer than {} KiB",
                limits::MAX_TEMPLATE_BYTES / 1024
            ),
        ));
    }
    let template =
        tera::Template::new("check", None, source).map_err(|e| syntax_issue(part, source, &e))?;
    if !template.macros.is_empty() || !template.imported_macro_files.is_empty() {
        return Err(forbidden(
            part,
            source,
            "macro",
            "macros are not available in email templates",
        ));
    }
    let mut walker = Walker {
        part,
        source,
        partials: super::engine::partial_names(part),
        sets: HashMap::new(),
    };
    walker.nodes(&template.ast, 0)
}

struct Walker<'a> {
    part: TemplatePart,
    source: &'a str,
    partials: Vec<&'static str>,
    /// `set` variables and the size bound of their value.
    sets: HashMap<String, u64>,
}

impl Walker<'_> {
    fn deny(&self, needle: &str, message: &str) -> TemplateError {
        forbidden(self.part, self.source, needle, message)
    }

    fn nodes(&mut self, nodes: &[Node], depth: usize) -> Result<(), TemplateError> {
        nodes.iter().try_for_each(|node| self.node(node, depth))
    }

    fn node(&mut self, node: &Node, depth: usize) -> Result<(), TemplateError> {
        match node {
            Node::Super | Node::Text(_) | Node::Raw(..) | Node::Comment(..) => Ok(()),
            Node::Break(_) | Node::Continue(_) => Ok(()),
            Node::VariableBlock(_, expr) => self.expr(expr).map(drop),
            Node::MacroDefinition(..) | Node::ImportMacro(..) => {
                Err(self.deny("macro", "macros are not available in email templates"))
            }
            Node::Extends(..) | Node::Block(..) => Err(self.deny(
                "{%",
                "extends and block are not available in email templates",
            )),
            Node::FilterSection(..) => Err(self.deny(
                "filter",
                "filter sections are not available in email templates; apply the filter to a value",
            )),
            Node::Include(_, names, _) => self.include(names),
            Node::Set(_, set) => self.set(&set.key, &set.value, set.global, depth),
            Node::Forloop(_, for_loop, _) => {
                if depth >= MAX_LOOP_DEPTH {
                    return Err(self.deny(
                        "for",
                        &format!("for loops may be nested at most {MAX_LOOP_DEPTH} deep"),
                    ));
                }
                self.container(&for_loop.container)?;
                for var in for_loop.key.iter().chain([&for_loop.value]) {
                    self.bindable(var)?;
                }
                self.nodes(&for_loop.body, depth + 1)?;
                if let Some(empty) = &for_loop.empty_body {
                    self.nodes(empty, depth + 1)?;
                }
                Ok(())
            }
            Node::If(if_node, _) => {
                for (_, cond, body) in &if_node.conditions {
                    self.expr(cond)?;
                    self.nodes(body, depth)?;
                }
                if let Some((_, body)) = &if_node.otherwise {
                    self.nodes(body, depth)?;
                }
                Ok(())
            }
        }
    }

    fn include(&self, names: &[String]) -> Result<(), TemplateError> {
        for name in names {
            if !self.partials.contains(&name.as_str()) {
                return Err(self.deny(
                    name,
                    &format!(
                        "only Duebook's own parts can be included here ({}); {name:?} is not one",
                        self.partials.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    fn set(
        &mut self,
        key: &str,
        value: &Expr,
        global: bool,
        depth: usize,
    ) -> Result<(), TemplateError> {
        if global {
            return Err(self.deny(
                "set_global",
                "set_global is not available in email templates",
            ));
        }
        if depth > 0 {
            return Err(self.deny("set", "set is not allowed inside a for loop"));
        }
        self.bindable(key)?;
        if !self.sets.contains_key(key) && self.sets.len() >= MAX_SETS {
            return Err(self.deny(
                "set",
                &format!("a template may have at most {MAX_SETS} set variables"),
            ));
        }
        let bound = self.expr(value)?;
        self.sets.insert(key.to_string(), bound);
        Ok(())
    }

    /// A name a template may bind with `set` or `for`: not one of the lists loops may walk, so
    /// `{% set invoices = "…" | split(pat="") %}` cannot stand in for Duebook's list.
    fn bindable(&self, name: &str) -> Result<(), TemplateError> {
        let taken = limits::LOOP_COLLECTIONS
            .iter()
            .any(|c| c.split('.').next() == Some(name));
        if taken {
            return Err(self.deny(
                name,
                &format!("{name:?} is one of Duebook's fields; choose another name"),
            ));
        }
        Ok(())
    }

    fn container(&mut self, container: &Expr) -> Result<(), TemplateError> {
        let allowed = match &container.val {
            ExprVal::Ident(name) => limits::LOOP_COLLECTIONS.contains(&name.as_str()),
            ExprVal::FunctionCall(call) => call.name == "range",
            _ => false,
        };
        if !allowed {
            return Err(self.deny(
                "for",
                &format!(
                    "a for loop may walk {} or range(...) only",
                    limits::LOOP_COLLECTIONS.join(", ")
                ),
            ));
        }
        if let Some(f) = container
            .filters
            .iter()
            .find(|f| !limits::LOOP_FILTERS.contains(&f.name.as_str()))
        {
            return Err(self.deny(
                &f.name,
                &format!(
                    "a loop's list may only be filtered with {}; {} is not one",
                    limits::LOOP_FILTERS.join(", "),
                    f.name
                ),
            ));
        }
        self.expr(container).map(drop)
    }

    /// Checks an expression and returns a bound on the size of its value (bytes).
    fn expr(&mut self, expr: &Expr) -> Result<u64, TemplateError> {
        let mut bound = self.val(&expr.val)?;
        for filter in &expr.filters {
            bound = self.filter(filter, bound)?;
            self.within_limit(bound, &filter.name)?;
        }
        Ok(bound)
    }

    fn within_limit(&self, bound: u64, needle: &str) -> Result<(), TemplateError> {
        if bound > MAX_OUTPUT_BYTES as u64 {
            return Err(self.deny(
                needle,
                &format!(
                    "this value could grow larger than {} KiB; use fewer or smaller replacements and concatenations",
                    MAX_OUTPUT_BYTES / 1024
                ),
            ));
        }
        Ok(())
    }

    fn val(&mut self, val: &ExprVal) -> Result<u64, TemplateError> {
        let small = limits::SMALL_VALUE_BYTES;
        let bound = match val {
            ExprVal::String(s) => s.len() as u64,
            ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) => small,
            ExprVal::Ident(name) => self.ident(name)?,
            ExprVal::Math(m) => {
                self.expr(&m.lhs)?;
                self.expr(&m.rhs)?;
                small
            }
            ExprVal::Logic(l) => {
                self.expr(&l.lhs)?;
                self.expr(&l.rhs)?;
                small
            }
            ExprVal::In(i) => {
                self.expr(&i.lhs)?;
                self.expr(&i.rhs)?;
                small
            }
            ExprVal::Test(t) => {
                if !limits::ALLOWED_TESTS.contains(&t.name.as_str()) {
                    return Err(self.deny(
                        &t.name,
                        &format!("the test {:?} is not available in email templates", t.name),
                    ));
                }
                for arg in &t.args {
                    self.expr(arg)?;
                }
                small
            }
            ExprVal::MacroCall(_) => {
                return Err(self.deny("::", "macros are not available in email templates"))
            }
            ExprVal::FunctionCall(call) => self.function(call)?,
            ExprVal::Array(items) => {
                let mut total = 0u64;
                for item in items {
                    total = total.saturating_add(self.expr(item)?);
                }
                total
            }
            ExprVal::StringConcat(c) => {
                let mut total = 0u64;
                for value in &c.values {
                    total = total.saturating_add(self.val(value)?);
                }
                total
            }
        };
        self.within_limit(bound, "~")?;
        Ok(bound)
    }

    fn ident(&self, name: &str) -> Result<u64, TemplateError> {
        if name.starts_with("__") {
            return Err(self.deny(name, &format!("{name} is not available in email templates")));
        }
        let root = name.split(['.', '[']).next().unwrap_or(name);
        if let Some(bound) = self.sets.get(root) {
            return Ok(*bound);
        }
        Ok(limits::MAX_FIELD_BYTES as u64)
    }

    fn function(&mut self, call: &FunctionCall) -> Result<u64, TemplateError> {
        if !limits::ALLOWED_FUNCTIONS.contains(&call.name.as_str()) {
            return Err(self.deny(
                &call.name,
                &format!(
                    "the function {}() is not available in email templates (allowed: {})",
                    call.name,
                    limits::ALLOWED_FUNCTIONS.join(", ")
                ),
            ));
        }
        for arg in call.args.values() {
            self.expr(arg)?;
        }
        Ok(match call.name.as_str() {
            "range" => (limits::MAX_RANGE as u64) * 8,
            _ => limits::SMALL_VALUE_BYTES,
        })
    }

    /// The bound after `filter` is applied to a value bounded by `input`.
    fn filter(&mut self, filter: &FunctionCall, input: u64) -> Result<u64, TemplateError> {
        let Some(growth) = limits::filter_growth(&filter.name) else {
            return Err(self.deny(
                &filter.name,
                &format!(
                    "the filter {:?} is not available in email templates (allowed: {})",
                    filter.name,
                    limits::filter_names()
                ),
            ));
        };
        if let Growth::Replace = growth {
            return self.replace(filter, input);
        }
        let mut args = HashMap::new();
        for (name, arg) in &filter.args {
            args.insert(name.as_str(), self.expr(arg)?);
        }
        let all_args = args.values().fold(0u64, |a, b| a.saturating_add(*b));
        Ok(match growth {
            Growth::Scale(times) => input.saturating_mul(times).saturating_add(all_args),
            Growth::Small => limits::SMALL_VALUE_BYTES.saturating_add(all_args.saturating_mul(32)),
            Growth::PerByte(arg) => input.saturating_mul(1 + args.get(arg).copied().unwrap_or(0)),
            Growth::PlusArgument(_) => input.saturating_add(all_args),
            Growth::Replace => input,
        })
    }

    /// `replace(from="…", to="…")` with literal strings: its growth is known, and in the HTML
    /// part it cannot turn escaped customer text back into markup.
    fn replace(&self, filter: &FunctionCall, input: u64) -> Result<u64, TemplateError> {
        let literal = |name: &str| match filter.args.get(name) {
            Some(Expr {
                val: ExprVal::String(s),
                filters,
                ..
            }) if filters.is_empty() => Some(s.as_str()),
            _ => None,
        };
        let (Some(from), Some(to)) = (literal("from"), literal("to")) else {
            return Err(self.deny(
                "replace",
                "replace needs literal text: replace(from=\"…\", to=\"…\")",
            ));
        };
        if from.is_empty() {
            return Err(self.deny("replace", "replace needs a non-empty `from`"));
        }
        if self.part == TemplatePart::Html && to.contains(['<', '>', '"', '\'']) {
            return Err(self.deny(
                "replace",
                "in the HTML part replace may not put in <, >, \" or ' (write markup in the template itself)",
            ));
        }
        let growth = (to.len() as u64).div_ceil(from.len() as u64).max(1);
        Ok(input.saturating_mul(growth))
    }
}
