//! The shape every format's rows are brought to before they touch the database, the reasons a
//! row is rejected, and the checks all formats share (names, numbers, emails, dates, amounts).

use super::amount::{parse_amount, AmountError};
use crate::model::validation;
use crate::model::{Currency, InvoiceKind};
use crate::store::customers::MAX_NAME_CHARS;
use chrono::NaiveDate;
use std::borrow::Cow;

/// What the accounting system says about the invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowState {
    /// Still (partly) due: the open amount is what remains.
    Open,
    /// Settled in the accounting system; kept as history.
    Paid,
    /// Cancelled in the accounting system (Xero "Voided"/"Deleted").
    Void,
}

impl RowState {
    /// Open while anything is still due, paid once nothing is.
    pub fn by_open_amount(open_minor: i64) -> Self {
        if open_minor == 0 {
            Self::Paid
        } else {
            Self::Open
        }
    }
}

/// One invoice as a format read it, borrowing from the CSV record where it can.
#[derive(Debug, Clone)]
pub struct InvoiceRow<'r> {
    /// Physical line of the row (of its first line, for Xero's line items).
    pub line: u64,
    pub customer: &'r str,
    /// The row's one valid address, if it has one ([`email`]).
    pub email: Option<&'r str>,
    pub phone: &'r str,
    pub contact_name: &'r str,
    pub number: Cow<'r, str>,
    pub kind: InvoiceKind,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub currency: Currency,
    /// Negative for credit notes.
    pub total_minor: i64,
    /// What is still due; same sign as the total, never larger.
    pub open_minor: i64,
    pub state: RowState,
    /// The day what is paid of it was paid, when the file says so; else payments the import
    /// finds are dated the import day.
    pub paid_on: Option<NaiveDate>,
    /// The customer's credit limit in the row's currency, when the file has one.
    pub credit_limit: Option<i64>,
}

/// Why a row was not imported. The message follows "line N: ".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowError {
    #[error("email {0}")]
    BadEmail(String),
    #[error("missing customer name")]
    MissingCustomer,
    #[error("customer name is {0} characters long (at most 255)")]
    NameTooLong(usize),
    #[error("missing invoice number")]
    MissingNumber,
    #[error("invoice number is {0} characters long (at most 255)")]
    NumberTooLong(usize),
    #[error("missing {0}")]
    Missing(&'static str),
    #[error("{column} {value:?} is not a date")]
    BadDate { column: &'static str, value: String },
    #[error("{column} {value:?} could be day/month or month/day, and no other date in the file settles it")]
    AmbiguousDate { column: &'static str, value: String },
    #[error("{column} {value:?} could be day/month or month/day, and the file mixes both orders")]
    ConflictingDate { column: &'static str, value: String },
    #[error("due date {due} is before issue date {issue}")]
    DueBeforeIssue { due: NaiveDate, issue: NaiveDate },
    #[error("paid date {paid} is after the import day {today}")]
    PaidInFuture { paid: NaiveDate, today: NaiveDate },
    #[error("paid date {paid} is before issue date {issue}")]
    PaidBeforeIssue { paid: NaiveDate, issue: NaiveDate },
    #[error("paid date {0} is given but nothing of the invoice is paid")]
    PaidDateUnpaid(NaiveDate),
    #[error("amount paid {paid} and amount due {due} do not add up to the amount {total}")]
    PaidAndDueDisagree {
        paid: String,
        due: String,
        total: String,
    },
    #[error("unknown currency {0:?} (expected an ISO 4217 code such as USD, EUR, GBP)")]
    UnknownCurrency(String),
    #[error("{column} {value:?} is not a valid amount: {reason}")]
    BadAmount {
        column: &'static str,
        value: String,
        reason: AmountError,
    },
    #[error("credit limit {0} is negative")]
    NegativeCreditLimit(String),
    #[error("open balance {open} is larger than the total {total}")]
    OpenExceedsTotal { open: String, total: String },
    #[error(
        "invoice number {number} appears more than once in the file (first on line {first_line})"
    )]
    Repeated { number: String, first_line: u64 },
    #[error("transaction type {0:?} is not an invoice, credit memo, payment or journal entry")]
    UnknownTransactionType(String),
    #[error("invoice type {0:?} is not a sales invoice or a sales credit note")]
    UnknownInvoiceType(String),
    #[error("status {0:?} is not a Xero invoice status")]
    UnknownStatus(String),
    #[error("the lines of invoice {number} disagree on {field} (line {other_line})")]
    LinesDisagree {
        number: String,
        field: &'static str,
        other_line: u64,
    },
}

/// A trimmed, non-empty customer name of at most 255 characters. Control characters are already
/// gone (rows are cleaned as they are read); otherwise it is stored as written: "=HYPERLINK(...)"
/// or "<b>Acme</b>" are names like any other and are shown as text.
pub fn customer_name(raw: &str) -> Result<&str, RowError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(RowError::MissingCustomer);
    }
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(RowError::NameTooLong(chars));
    }
    Ok(name)
}

pub fn invoice_number(raw: &str) -> Result<&str, RowError> {
    let number = raw.trim();
    if number.is_empty() {
        return Err(RowError::MissingNumber);
    }
    let chars = number.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(RowError::NumberTooLong(chars));
    }
    Ok(number)
}

/// The row's currency, or the home currency when the cell is empty (`used_home` is then set,
/// so the import can say once which currency it assumed).
pub fn currency(raw: &str, home: &Currency, used_home: &mut bool) -> Result<Currency, RowError> {
    let code = raw.trim();
    if code.is_empty() {
        *used_home = true;
        return Ok(home.clone());
    }
    Currency::parse(code).map_err(|_| RowError::UnknownCurrency(code.to_string()))
}

pub fn amount(
    column: &'static str,
    raw: &str,
    currency: &Currency,
    decimal_comma: bool,
) -> Result<i64, RowError> {
    parse_amount(raw, currency, decimal_comma).map_err(|reason| match reason {
        AmountError::Empty => RowError::Missing(column),
        reason => RowError::BadAmount {
            column,
            value: raw.trim().to_string(),
            reason,
        },
    })
}

/// An amount from an optional column, whose empty cell stands for `default` (the total when
/// the open amount is not given, or the other way round).
pub fn amount_or(
    column: &'static str,
    raw: &str,
    default: i64,
    currency: &Currency,
    decimal_comma: bool,
) -> Result<i64, RowError> {
    if raw.is_empty() {
        Ok(default)
    } else {
        amount(column, raw, currency, decimal_comma)
    }
}

/// The open amount must lie between zero and the total, on the total's side of zero.
pub fn check_open(total: i64, open: i64, currency: &Currency) -> Result<(), RowError> {
    let within = if total >= 0 {
        (0..=total).contains(&open)
    } else {
        (total..=0).contains(&open)
    };
    if within {
        return Ok(());
    }
    let decimals = currency.decimals();
    Err(RowError::OpenExceedsTotal {
        open: crate::model::format_minor(open, decimals),
        total: crate::model::format_minor(total, decimals),
    })
}

/// The open amount of a row from its optional amount paid and amount due (they must add up to
/// the total when both are given). With neither, a paid date means paid in full.
pub fn open_amount(
    total: i64,
    paid: Option<i64>,
    due: Option<i64>,
    has_paid_date: bool,
    currency: &Currency,
) -> Result<i64, RowError> {
    let decimal = |minor| crate::model::format_minor(minor, currency.decimals());
    let open = match (paid, due) {
        (Some(paid), Some(due)) if total - paid != due => {
            return Err(RowError::PaidAndDueDisagree {
                paid: decimal(paid),
                due: decimal(due),
                total: decimal(total),
            });
        }
        (_, Some(due)) => due,
        (Some(paid), None) => total - paid,
        (None, None) if has_paid_date => 0,
        (None, None) => total,
    };
    check_open(total, open, currency)?;
    Ok(open)
}

/// A paid date lies between the issue date and the import day, on an invoice of which
/// something is paid.
pub fn check_paid_on(
    paid_on: Option<NaiveDate>,
    issue: NaiveDate,
    today: NaiveDate,
    total: i64,
    open: i64,
) -> Result<(), RowError> {
    let Some(paid) = paid_on else {
        return Ok(());
    };
    if paid > today {
        return Err(RowError::PaidInFuture { paid, today });
    }
    if paid < issue {
        return Err(RowError::PaidBeforeIssue { paid, issue });
    }
    if open == total {
        return Err(RowError::PaidDateUnpaid(paid));
    }
    Ok(())
}

/// The kind of a row whose file signs its amounts: a credit below zero, or at zero when what is
/// open is below zero (a fully applied credit).
pub fn kind_by_sign(total: i64, open: i64) -> InvoiceKind {
    if total < 0 || (total == 0 && open < 0) {
        InvoiceKind::CreditNote
    } else {
        InvoiceKind::Invoice
    }
}

/// Total and open amount signed for the kind: credits negative, whatever sign the file shows.
pub fn signed_for(kind: InvoiceKind, total: i64, open: i64) -> (i64, i64) {
    match kind {
        InvoiceKind::CreditNote => (-total.abs(), -open.abs()),
        InvoiceKind::Invoice => (total, open),
    }
}

/// The one address of an email cell — `a@x.com`, `mailto:a@x.com` or `Ann Lee <a@x.com>` — or
/// None when the cell is empty. Anything else (two addresses, a header smuggled in after a line
/// break, a typo) rejects the row: a contact must never be created from half a cell.
pub fn email(cell: &str) -> Result<Option<&str>, RowError> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok(None);
    }
    let address = display_name_address(cell).unwrap_or(cell);
    let address = address.strip_prefix("mailto:").unwrap_or(address).trim();
    match validation::email("email", Some(address)) {
        Ok(Some(_)) => Ok(Some(address)),
        Ok(None) => Err(RowError::BadEmail(format!("{cell:?} holds no address"))),
        Err(error) => Err(RowError::BadEmail(error.message)),
    }
}

/// The address inside `Name <address>`, when the name holds no address of its own.
fn display_name_address(cell: &str) -> Option<&str> {
    let (name, rest) = cell.strip_suffix('>')?.rsplit_once('<')?;
    (!name.contains(['@', '<', '>'])).then_some(rest)
}

/// QuickBooks writes "Phone:(410) 415-7406 Mobile:(410) 555-0101"; keep the first number.
pub fn first_phone(cell: &str) -> &str {
    let cell = cell.trim();
    let labels = ["Phone:", "Mobile:", "Fax:", "Other:", "Phone", "Mobile"];
    for label in labels {
        if let Some(rest) = cell.strip_prefix(label) {
            let rest = rest.trim_start_matches(':').trim();
            let end = labels
                .iter()
                .filter_map(|l| rest.find(l))
                .min()
                .unwrap_or(rest.len());
            return rest[..end].trim();
        }
    }
    cell
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded_but_never_rewritten() {
        assert_eq!(customer_name("  Acme  "), Ok("Acme"));
        assert_eq!(customer_name("=HYPERLINK(\"x\")"), Ok("=HYPERLINK(\"x\")"));
        assert_eq!(customer_name(" "), Err(RowError::MissingCustomer));
        assert_eq!(customer_name(&"é".repeat(255)).map(str::len), Ok(510));
        assert_eq!(
            customer_name(&"é".repeat(256)),
            Err(RowError::NameTooLong(256))
        );
    }

    #[test]
    fn an_email_cell_holds_at_most_one_address() {
        assert_eq!(email(" a@x.com "), Ok(Some("a@x.com")));
        assert_eq!(email("mailto:a@x.com"), Ok(Some("a@x.com")));
        assert_eq!(email("Ann Lee <a@x.com>"), Ok(Some("a@x.com")));
        assert_eq!(email(""), Ok(None));
        for bad in [
            "a@x.com; b@y.org",
            "b@y.org, Ann <a@x.com>",
            "a@x.com Bcc: x@y.com",
            "sales at sakura",
            "Ann <a@x>",
            "<>",
        ] {
            assert!(matches!(email(bad), Err(RowError::BadEmail(_))), "{bad}");
        }
    }

    #[test]
    fn open_amount_lies_between_zero_and_total() {
        let usd = Currency::parse("USD").unwrap();
        assert!(check_open(1000, 400, &usd).is_ok());
        assert!(check_open(-1000, -400, &usd).is_ok());
        assert!(check_open(1000, 1001, &usd).is_err());
        assert!(check_open(1000, -1, &usd).is_err());
        assert!(check_open(-1000, 5, &usd).is_err());
    }

    #[test]
    fn first_phone_of_a_quickbooks_cell() {
        assert_eq!(
            first_phone("Phone:(410) 415-7406 Mobile:(410) 555-0101"),
            "(410) 415-7406"
        );
        assert_eq!(first_phone("Mobile: 07700 900123"), "07700 900123");
        assert_eq!(first_phone(" +44 20 7946 0958 "), "+44 20 7946 0958");
    }

    #[test]
    fn signed_amounts_decide_the_kind_and_credits_are_negative() {
        assert_eq!(kind_by_sign(1000, 400), InvoiceKind::Invoice);
        assert_eq!(kind_by_sign(-1000, -400), InvoiceKind::CreditNote);
        assert_eq!(kind_by_sign(0, -1), InvoiceKind::CreditNote);
        assert_eq!(kind_by_sign(0, 0), InvoiceKind::Invoice);
        assert_eq!(
            signed_for(InvoiceKind::CreditNote, 1000, 400),
            (-1000, -400)
        );
        assert_eq!(
            signed_for(InvoiceKind::CreditNote, -1000, -400),
            (-1000, -400)
        );
        assert_eq!(signed_for(InvoiceKind::Invoice, 1000, 400), (1000, 400));
        assert_eq!(RowState::by_open_amount(0), RowState::Paid);
        assert_eq!(RowState::by_open_amount(-5), RowState::Open);
        let usd = Currency::parse("USD").unwrap();
        assert_eq!(amount_or("amount due", "", 1234, &usd, false), Ok(1234));
        assert_eq!(amount_or("amount due", "5.00", 1234, &usd, false), Ok(500));
        assert!(amount_or("amount due", "five", 1234, &usd, false).is_err());
    }
}
