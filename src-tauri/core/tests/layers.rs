//! The core's shape, checked: every module imports only layers below it, and the modules inside
//! a layer import each other without circles. Reads the source as text (paths after `crate::`
//! and `super::`, in `use` groups too), so moving a function upward fails here, not in review.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module and its layer: a module may import its own layer's module only if it
/// is itself, and any module of a lower layer.
const LAYERS: &[(&str, u8)] = &[
    ("model", 0),
    ("private_fs", 0),
    ("clock", 0),
    ("secrets", 0),
    ("sandbox", 1),
    ("paths", 1),
    ("store", 2),
    ("logs", 2),
    ("company", 3),
    ("views", 3),
    ("demo", 3),
    ("import", 4),
    ("statement", 4),
    ("mail", 5),
    ("campaign", 6),
];

/// A `.rs` file's module path: `mail/outbox/deliver.rs` is `[mail, outbox, deliver]`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and without its unit tests (which may use anything).
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_end(s: &str) -> usize {
    s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len())
}

/// Every path this code names from the crate root, `super::` resolved against `here`.
fn referenced_paths(code: &str, here: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for (start, root) in [("crate::", None), ("super::", Some(()))] {
        let mut rest = code;
        while let Some(at) = rest.find(start) {
            let preceded = rest[..at].chars().last();
            rest = &rest[at..];
            if preceded.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                rest = &rest[start.len()..];
                continue;
            }
            let mut base: Vec<String> = if root.is_some() {
                here[..here.len().saturating_sub(1)].to_vec()
            } else {
                Vec::new()
            };
            rest = &rest[start.len()..];
            while let Some(tail) = rest.strip_prefix("super::") {
                base.pop();
                rest = tail;
            }
            collect_tree(rest, base, &mut found);
        }
    }
    found
}

/// Reads `a::b::{c, d::e}` after a root, pushing each full path.
fn collect_tree(text: &str, mut base: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut rest = text;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '{' => 1,
                        '}' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(group.len(), |(i, _)| i);
            let inner = &group[..end];
            let mut depth = 0;
            let mut item_start = 0;
            for (i, c) in inner.char_indices().chain([(inner.len(), ',')]) {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        collect_tree(inner[item_start..i].trim(), base.clone(), out);
                        item_start = i + 1;
                    }
                    _ => {}
                }
            }
            return;
        }
        let len = ident_end(rest);
        if len == 0 {
            break;
        }
        base.push(rest[..len].to_string());
        match rest[len..].strip_prefix("::") {
            Some(tail) => rest = tail,
            None => break,
        }
    }
    out.push(base);
}

/// The submodules of each layer, read from the tree: `campaign::get` names an item of
/// `campaign/mod.rs`, not a module, however lower-case it is.
#[derive(Default)]
struct Modules {
    subs: BTreeSet<(String, String)>,
}

impl Modules {
    fn read(src: &Path) -> Modules {
        let mut modules = Modules::default();
        for (top, _) in LAYERS {
            let Ok(entries) = std::fs::read_dir(src.join(top)) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry
                    .file_name()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_string();
                if name != "mod" {
                    modules.subs.insert((top.to_string(), name));
                }
            }
        }
        modules
    }

    /// The node a path belongs to: a layer's top module and its first submodule
    /// (`mail::outbox`); anything else under the top (its items, `self`) is `X::mod`.
    fn node(&self, path: &[String]) -> Option<String> {
        let top = path.first()?;
        LAYERS.iter().find(|(m, _)| m == top)?;
        Some(match path.get(1) {
            Some(sub) if self.subs.contains(&(top.clone(), sub.clone())) => format!("{top}::{sub}"),
            _ => format!("{top}::mod"),
        })
    }
}

fn layer(node: &str) -> u8 {
    let top = node.split("::").next().unwrap_or("");
    LAYERS
        .iter()
        .find(|(m, _)| *m == top)
        .map_or(u8::MAX, |l| l.1)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Edges between nodes, each with a file that makes it.
fn import_graph() -> BTreeMap<(String, String), String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules = Modules::read(&src);
    let mut edges = BTreeMap::new();
    for file in files {
        let here = module_path(&src, &file);
        let Some(from) = modules.node(&here) else {
            continue;
        };
        if here
            .last()
            .is_some_and(|l| l == "tests" || l == "test_support")
        {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&file).expect("read"));
        for path in referenced_paths(&code, &here) {
            if let Some(to) = modules.node(&path) {
                if to != from
                    && !(from.ends_with("::mod") && to.starts_with(from.trim_end_matches("mod")))
                {
                    let rel = file
                        .strip_prefix(&src)
                        .unwrap_or(&file)
                        .display()
                        .to_string();
                    edges.entry((from.clone(), to)).or_insert(rel);
                }
            }
        }
    }
    edges
}

#[test]
fn no_module_imports_a_layer_above_it() {
    let upward: Vec<_> = import_graph()
        .into_iter()
        .filter(|((from, to), _)| {
            layer(to) > layer(from) || (layer(to) == layer(from) && top(to) != top(from))
        })
        .map(|((from, to), file)| format!("{from} -> {to} ({file})"))
        .collect();
    assert!(upward.is_empty(), "upward imports:\n{}", upward.join("\n"));
}

fn top(node: &str) -> &str {
    node.split("::").next().unwrap_or("")
}

#[test]
fn modules_import_each_other_without_circles() {
    let mut next: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in import_graph().into_keys() {
        next.entry(from).or_default().insert(to);
    }
    let cycles = find_cycles(&next);
    assert!(cycles.is_empty(), "import circles:\n{}", cycles.join("\n"));
}

/// One circle per strongly connected group of more than one node (Tarjan).
fn find_cycles(next: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    struct Walk<'a> {
        next: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, (usize, usize)>,
        stack: Vec<&'a str>,
        found: Vec<String>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a str) {
        let i = w.index.len();
        w.index.insert(v, (i, i));
        w.stack.push(v);
        for to in w.next.get(v).into_iter().flatten() {
            let low = match w.index.get(to.as_str()) {
                None => {
                    visit(w, to);
                    w.index[to.as_str()].1
                }
                Some(&(ti, _)) if w.stack.contains(&to.as_str()) => ti,
                Some(_) => continue,
            };
            let entry = w.index.get_mut(v).expect("visited");
            entry.1 = entry.1.min(low);
        }
        if w.index[v].0 == w.index[v].1 {
            let at = w.stack.iter().rposition(|s| *s == v).expect("on stack");
            let group: Vec<_> = w.stack.drain(at..).collect();
            if group.len() > 1 {
                w.found.push(group.join(" <-> "));
            }
        }
    }
    let mut walk = Walk {
        next,
        index: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in next.keys() {
        if !walk.index.contains_key(v.as_str()) {
            visit(&mut walk, v);
        }
    }
    walk.found
}

#[test]
fn the_check_sees_an_upward_import() {
    let here = vec!["store".to_string(), "customers".to_string()];
    let code = "use crate::{model::Money, mail::{outbox, account::load}};\nfn f() { super::invoices::get(); }";
    let modules = Modules::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let found: BTreeSet<_> = referenced_paths(code, &here)
        .iter()
        .filter_map(|p| modules.node(p))
        .collect();
    let expected = [
        "mail::account",
        "mail::outbox",
        "model::mod",
        "store::invoices",
    ];
    assert_eq!(
        found,
        expected
            .iter()
            .map(std::string::ToString::to_string)
            .collect()
    );
    let next = BTreeMap::from([
        ("a".to_string(), BTreeSet::from(["b".to_string()])),
        ("b".to_string(), BTreeSet::from(["a".to_string()])),
    ]);
    assert_eq!(find_cycles(&next).len(), 1);
}

#[test]
fn an_item_of_a_mod_rs_is_not_a_submodule() {
    let mut modules = Modules::default();
    modules.subs.insert(("campaign".into(), "plan".into()));
    let here = vec!["campaign".to_string(), "run".to_string()];
    let code = "use crate::campaign::{self, get, plan::plan, step_id, Campaign};";
    let found: BTreeSet<_> = referenced_paths(code, &here)
        .iter()
        .filter_map(|p| modules.node(p))
        .collect();
    let expected = ["campaign::mod", "campaign::plan"];
    assert_eq!(
        found,
        expected
            .iter()
            .map(std::string::ToString::to_string)
            .collect()
    );
}
