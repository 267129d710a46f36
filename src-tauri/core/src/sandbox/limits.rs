//! How much a template may do: source size, output size, time, loops, and how much each filter
//! may grow a value (the static check multiplies these along an expression).

use std::time::Duration;

/// Longest template source accepted per part (subject, text or HTML).
pub const MAX_TEMPLATE_BYTES: usize = 64 * 1024;
/// Largest rendered text or HTML part, and the largest value one expression may produce.
pub const MAX_OUTPUT_BYTES: usize = 1024 * 1024;
/// Largest rendered subject (after line breaks are folded into spaces).
pub const MAX_SUBJECT_CHARS: usize = 300;
/// Longest string of the render context: a longer one (a runaway imported note) is cut, so the
/// static size bound of an expression holds whatever the data.
pub const MAX_FIELD_BYTES: usize = 16 * 1024;
/// How long one render (subject, text, HTML and layout) may take.
pub const RENDER_BUDGET: Duration = Duration::from_secs(1);
/// Most items `range(...)` may produce.
pub const MAX_RANGE: usize = 500;
/// How deep `for` loops may nest.
pub const MAX_LOOP_DEPTH: usize = 2;
/// How many `set` statements one template may have.
pub const MAX_SETS: usize = 10;

pub const ALLOWED_FUNCTIONS: &[&str] = &["range", "now", "throw"];
pub const ALLOWED_TESTS: &[&str] = &[
    "defined",
    "undefined",
    "odd",
    "even",
    "string",
    "number",
    "divisibleby",
    "iterable",
    "object",
    "starting_with",
    "ending_with",
    "containing",
];
/// What a `for` loop may walk: Duebook's own lists (their length is the customer's data, not
/// the template's choice) or `range(...)`. Never a string or a `split` result, whose length
/// the template controls.
pub const LOOP_COLLECTIONS: &[&str] = &[
    "invoices",
    "overdue_invoices",
    "totals",
    "paid_invoices",
    "fees.lines",
    "customer.custom",
    "plan.instalments",
    "digest.customers",
];
/// Filters that may follow a loop collection: none makes it longer.
pub const LOOP_FILTERS: &[&str] = &["reverse", "sort", "unique", "slice", "filter", "group_by"];

/// How a filter's result size relates to its input (bytes).
#[derive(Debug, Clone, Copy)]
pub enum Growth {
    /// At most this many times the input.
    Scale(u64),
    /// A small value whatever the input (a number, a date).
    Small,
    /// `replace`: depends on its literal arguments.
    Replace,
    /// `join`, `indent`: the separator or prefix may be added once per input byte.
    PerByte(&'static str),
    /// `default`, `concat`: the input or the argument, or both.
    PlusArgument(&'static str),
}

/// Every filter a template may use, with how much it may grow a value.
pub const FILTERS: &[(&str, Growth)] = &[
    ("upper", Growth::Scale(3)),
    ("lower", Growth::Scale(3)),
    ("capitalize", Growth::Scale(3)),
    ("title", Growth::Scale(3)),
    ("trim", Growth::Scale(1)),
    ("trim_start", Growth::Scale(1)),
    ("trim_end", Growth::Scale(1)),
    ("trim_start_matches", Growth::Scale(1)),
    ("trim_end_matches", Growth::Scale(1)),
    ("truncate", Growth::Scale(1)),
    ("striptags", Growth::Scale(1)),
    ("spaceless", Growth::Scale(1)),
    ("safe", Growth::Scale(1)),
    ("escape", Growth::Scale(6)),
    ("escape_xml", Growth::Scale(6)),
    ("linebreaksbr", Growth::Scale(4)),
    ("urlencode", Growth::Scale(3)),
    ("urlencode_strict", Growth::Scale(3)),
    ("addslashes", Growth::Scale(2)),
    ("slugify", Growth::Scale(8)),
    ("json_encode", Growth::Scale(6)),
    ("as_str", Growth::Scale(6)),
    ("split", Growth::Scale(2)),
    ("first", Growth::Scale(1)),
    ("last", Growth::Scale(1)),
    ("nth", Growth::Scale(1)),
    ("sort", Growth::Scale(1)),
    ("unique", Growth::Scale(1)),
    ("slice", Growth::Scale(1)),
    ("reverse", Growth::Scale(1)),
    ("filter", Growth::Scale(1)),
    ("map", Growth::Scale(1)),
    ("get", Growth::Scale(1)),
    ("group_by", Growth::Scale(2)),
    ("wordcount", Growth::Small),
    ("length", Growth::Small),
    ("int", Growth::Small),
    ("float", Growth::Small),
    ("abs", Growth::Small),
    ("round", Growth::Small),
    ("filesizeformat", Growth::Small),
    ("pluralize", Growth::Small),
    ("date", Growth::Small),
    ("replace", Growth::Replace),
    ("join", Growth::PerByte("sep")),
    ("indent", Growth::PerByte("prefix")),
    ("default", Growth::PlusArgument("value")),
    ("concat", Growth::PlusArgument("with")),
];

/// The size bound of a small value: a number, a date, a boolean.
pub const SMALL_VALUE_BYTES: u64 = 64;

pub fn filter_growth(name: &str) -> Option<Growth> {
    FILTERS.iter().find(|f| f.0 == name).map(|f| f.1)
}

pub fn filter_names() -> String {
    FILTERS.iter().map(|f| f.0).collect::<Vec<_>>().join(", ")
}
