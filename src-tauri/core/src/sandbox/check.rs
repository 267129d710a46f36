//! The static check of a user template's syntax tree: what it may call, how it may loop, and how
//! large any value it computes can get (see [`super::limits`]). Runs before a template is
//! compiled, so a template that passes cannot loop over its own strings or grow one without bound.

use super::limits::{self, Growth, MAX_LOOP_DEPTH, MAX_OUTPUT_BYTES, MAX_SETS};
use super::locate::{forbidden, syntax_issue};
use super::{issue, SandboxError, TemplatePart};
use std::collections::HashMap;
use tera::ast::{Expr, ExprVal, FunctionCall, Node};

/// Parses one part and walks its syntax tree; `includable` names the templates it may include.
pub(crate) fn check_source(
    part: TemplatePart,
    source: &str,
    includable: &[&str],
) -> Result<(), SandboxError> {
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
        partials: includable,
        sets: HashMap::new(),
    };
    walker.nodes(&template.ast, 0)
}

struct Walker<'a> {
    part: TemplatePart,
    source: &'a str,
    partials: &'a [&'a str],
    /// `set` variables and the size bound of their value.
    sets: HashMap<String, u64>,
}

impl Walker<'_> {
    fn deny(&self, needle: &str, message: &str) -> SandboxError {
        forbidden(self.part, self.source, needle, message)
    }

    fn nodes(&mut self, nodes: &[Node], depth: usize) -> Result<(), SandboxError> {
        nodes.iter().try_for_each(|node| self.node(node, depth))
    }

    fn node(&mut self, node: &Node, depth: usize) -> Result<(), SandboxError> {
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

    fn include(&self, names: &[String]) -> Result<(), SandboxError> {
        if self.partials.is_empty() && !names.is_empty() {
            return Err(self.deny("include", "include is not available here"));
        }
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
    ) -> Result<(), SandboxError> {
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
    fn bindable(&self, name: &str) -> Result<(), SandboxError> {
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

    fn container(&mut self, container: &Expr) -> Result<(), SandboxError> {
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
    fn expr(&mut self, expr: &Expr) -> Result<u64, SandboxError> {
        let mut bound = self.val(&expr.val)?;
        for filter in &expr.filters {
            bound = self.filter(filter, bound)?;
            self.within_limit(bound, &filter.name)?;
        }
        Ok(bound)
    }

    fn within_limit(&self, bound: u64, needle: &str) -> Result<(), SandboxError> {
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

    fn val(&mut self, val: &ExprVal) -> Result<u64, SandboxError> {
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

    fn ident(&self, name: &str) -> Result<u64, SandboxError> {
        if name.starts_with("__") {
            return Err(self.deny(name, &format!("{name} is not available in email templates")));
        }
        let root = name.split(['.', '[']).next().unwrap_or(name);
        if let Some(bound) = self.sets.get(root) {
            return Ok(*bound);
        }
        Ok(limits::MAX_FIELD_BYTES as u64)
    }

    fn function(&mut self, call: &FunctionCall) -> Result<u64, SandboxError> {
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
    fn filter(&mut self, filter: &FunctionCall, input: u64) -> Result<u64, SandboxError> {
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
    fn replace(&self, filter: &FunctionCall, input: u64) -> Result<u64, SandboxError> {
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
