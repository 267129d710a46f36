//! `duebook templates ...`: the email templates from the command line, with the same checks the
//! app runs — list, export to files, check files, set from files, reset, preview for a customer.
//!
//! A template on disk is three files named as in the repository's `templates/` folder:
//! `KEY.subject` (one line), `KEY.txt` (plain text) and `KEY.html` (the HTML body).

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use duebook_core::mail::templates::{
    self, EmailTemplate, TemplateIssue, TemplatePart, MAX_TEMPLATE_BYTES,
};
use duebook_core::mail::{compose, context};
use duebook_core::model::text::{clean_line, for_terminal};
use duebook_core::store::Database;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::terminal;

#[derive(Subcommand)]
pub enum TemplatesAction {
    /// Every template: key, name, and whether it is shipped, edited or your own.
    List,
    /// Write a template's three files (KEY.subject, KEY.txt, KEY.html) into DIR.
    Export { key: String, dir: PathBuf },
    /// Check every template in DIR. Prints `file:line:column: reason` for each problem.
    ///
    /// Exit status: 0 when every template is fine, 1 when any has a problem.
    Check { dir: PathBuf },
    /// Check KEY's three files in DIR and, when they are fine, save them as the template.
    ///
    /// A template with a problem is refused (exit status 1) and nothing changes.
    Set(SetArgs),
    /// Back to the shipped text (a shipped template), or delete your own template.
    Reset { key: String },
    /// Render a template for a customer: the subject and the plain text (or the HTML).
    Preview(PreviewArgs),
}

#[derive(Args)]
pub struct SetArgs {
    key: String,
    dir: PathBuf,
    /// The name shown in the app (default: the current name, or the key for a new template).
    #[arg(long)]
    name: Option<String>,
}

#[derive(Args)]
pub struct PreviewArgs {
    key: String,
    #[arg(long, value_name = "ID")]
    customer: i64,
    /// Print the HTML part instead of the plain text.
    #[arg(long)]
    html: bool,
}

pub fn templates(
    db_path: &Path,
    action: TemplatesAction,
    today: NaiveDate,
) -> Result<ExitCode, String> {
    match action {
        TemplatesAction::List => list(&open(db_path)?)?,
        TemplatesAction::Export { key, dir } => export(
            &templates::get(open(db_path)?.conn(), &key).map_err(err)?,
            &dir,
        )?,
        TemplatesAction::Check { dir } => return check_dir(&dir),
        TemplatesAction::Set(args) => return set(&open(db_path)?, &args),
        TemplatesAction::Reset { key } => {
            templates::reset(open(db_path)?.conn(), &key).map_err(err)?;
            let now = match templates::builtin(&key) {
                Some(_) => "back to the shipped text",
                None => "deleted",
            };
            println!("{} is {now}", for_terminal(&key));
        }
        TemplatesAction::Preview(args) => preview(&open(db_path)?, &args, today)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn open(db_path: &Path) -> Result<Database, String> {
    Database::open(db_path).map_err(err)
}

fn list(db: &Database) -> Result<(), String> {
    for t in templates::list(db.conn()).map_err(err)? {
        let kind = match (t.is_builtin, t.is_customized) {
            (true, false) => "shipped",
            (true, true) => "edited",
            (false, _) => "own",
        };
        println!(
            "{:<26} {kind:<8} {}",
            for_terminal(&t.key),
            for_terminal(&t.name)
        );
    }
    Ok(())
}

/// Errors may quote stored text (a template, a customer name): printed escaped.
fn err(e: impl std::fmt::Display) -> String {
    for_terminal(&e.to_string()).into_owned()
}

fn export(template: &EmailTemplate, dir: &Path) -> Result<(), String> {
    // The key names the files: a stored one that is not a plain key never becomes a path.
    if !templates::valid_key(&template.key) {
        return Err(format!(
            "the stored template {:?} has a key that cannot name a file",
            for_terminal(&template.key)
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for part in TemplatePart::ALL {
        let path = dir.join(part.file_name(&template.key));
        let mut text = template.source(part).to_string();
        if part == TemplatePart::Subject {
            text.push('\n');
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("wrote {}", terminal::path(&path));
    }
    Ok(())
}

/// A template's files as found in a folder, or why they cannot be read.
struct OnDisk {
    template: EmailTemplate,
    /// Problems found before any check: a missing, unreadable or oversized file.
    unreadable: Vec<(PathBuf, String)>,
}

fn read_template(dir: &Path, key: &str, name: String) -> OnDisk {
    let mut template = EmailTemplate {
        key: key.to_string(),
        name,
        subject: String::new(),
        body_text: String::new(),
        body_html: String::new(),
        is_builtin: false,
        is_customized: false,
    };
    let mut unreadable = Vec::new();
    for part in TemplatePart::ALL {
        let path = dir.join(part.file_name(key));
        match read_limited(&path) {
            Ok(text) => {
                let text = if part == TemplatePart::Subject {
                    text.trim_end().to_string()
                } else {
                    text
                };
                match part {
                    TemplatePart::Subject => template.subject = text,
                    TemplatePart::Text => template.body_text = text,
                    TemplatePart::Html => template.body_html = text,
                }
            }
            Err(why) => unreadable.push((path, why)),
        }
    }
    OnDisk {
        template,
        unreadable,
    }
}

/// A template file, refused past the size limit without reading it all.
fn read_limited(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            "missing (a template is KEY.subject, KEY.txt and KEY.html)".to_string()
        }
        _ => format!("cannot be read: {e}"),
    })?;
    let mut bytes = Vec::new();
    file.take(MAX_TEMPLATE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot be read: {e}"))?;
    if bytes.len() > MAX_TEMPLATE_BYTES {
        return Err(format!("longer than {} KiB", MAX_TEMPLATE_BYTES / 1024));
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

/// `file:line:column: reason` lines for a template's problems; empty when it is fine.
fn problem_lines(dir: &Path, on_disk: &OnDisk) -> Vec<String> {
    let shown = terminal::path;
    if !on_disk.unreadable.is_empty() {
        return on_disk
            .unreadable
            .iter()
            .map(|(path, why)| format!("{}: {why}", shown(path)))
            .collect();
    }
    templates::problems(&on_disk.template)
        .iter()
        .map(|issue| {
            let file = shown(&dir.join(issue.part.file_name(&on_disk.template.key)));
            format!(
                "{file}{}: {}",
                position(issue),
                for_terminal(&issue.message)
            )
        })
        .collect()
}

fn position(issue: &TemplateIssue) -> String {
    match (issue.line, issue.column) {
        (Some(line), Some(column)) => format!(":{line}:{column}"),
        (Some(line), None) => format!(":{line}"),
        _ => String::new(),
    }
}

/// The template keys in a folder: every `KEY.subject`, `KEY.txt` or `KEY.html` (partials,
/// `_*`, are Duebook's own and skipped), each with the files that name it.
fn keys_in(dir: &Path) -> Result<BTreeMap<String, Vec<PathBuf>>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut keys: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let (Some(stem), Some(ext)) = (path.file_stem(), path.extension()) else {
            continue;
        };
        let (stem, ext) = (stem.to_string_lossy(), ext.to_string_lossy());
        if stem.starts_with('_') || !["subject", "txt", "html"].contains(&ext.as_ref()) {
            continue;
        }
        keys.entry(stem.into_owned()).or_default().push(path);
    }
    Ok(keys)
}

fn check_dir(dir: &Path) -> Result<ExitCode, String> {
    let keys = keys_in(dir)?;
    if keys.is_empty() {
        return Err(format!(
            "{} holds no template files (KEY.subject, KEY.txt, KEY.html)",
            terminal::path(dir)
        ));
    }
    let mut problems = Vec::new();
    for (key, files) in &keys {
        if !templates::valid_key(key) {
            for file in files {
                problems.push(format!(
                    "{}: {:?} is not a valid template key (use lower-case letters, digits and '-')",
                    terminal::path(file),
                    for_terminal(key)
                ));
            }
            continue;
        }
        problems.extend(problem_lines(dir, &read_template(dir, key, key.clone())));
    }
    for line in &problems {
        println!("{line}");
    }
    if problems.is_empty() {
        println!("{} templates checked: no problems", keys.len());
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::FAILURE)
    }
}

fn set(db: &Database, args: &SetArgs) -> Result<ExitCode, String> {
    if !templates::valid_key(&args.key) {
        return Err(format!(
            "{:?} is not a valid template key (use lower-case letters, digits and '-')",
            for_terminal(&args.key)
        ));
    }
    let current = templates::get(db.conn(), &args.key).ok();
    let name = match &args.name {
        Some(name) => clean_line(name),
        None => current.map_or_else(|| args.key.clone(), |t| t.name),
    };
    let on_disk = read_template(&args.dir, &args.key, name);
    let problems = problem_lines(&args.dir, &on_disk);
    if !problems.is_empty() {
        for line in &problems {
            println!("{line}");
        }
        eprintln!("error: {} was not changed", for_terminal(&args.key));
        return Ok(ExitCode::FAILURE);
    }
    // problems() listed every problem; check() hands out the CheckedTemplate store() takes.
    let checked = templates::check(&on_disk.template).map_err(err)?;
    templates::store(db.conn(), &checked).map_err(err)?;
    println!("{} saved", for_terminal(&args.key));
    Ok(ExitCode::SUCCESS)
}

fn preview(db: &Database, args: &PreviewArgs, today: NaiveDate) -> Result<(), String> {
    let template = templates::get(db.conn(), &args.key).map_err(err)?;
    let fields = context::for_preview(db.conn(), args.customer, today).map_err(err)?;
    let rendered = compose::render_preview(&template, &fields).map_err(|e| match e.issue() {
        Some(issue) => err(issue),
        None => err(e),
    })?;
    println!("Subject: {}", for_terminal(&rendered.subject));
    println!();
    let body = if args.html {
        &rendered.html
    } else {
        &rendered.text
    };
    print!("{}", terminal::lines(body));
    Ok(())
}
