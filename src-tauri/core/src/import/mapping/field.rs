//! The Duebook fields a column of an invoice file can give (the README's generic CSV table),
//! their names on the command line and in profiles, and the header synonyms the generic layout
//! recognises them by.

use serde::{Deserialize, Serialize};
use std::str::FromStr;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Field {
    CustomerName,
    InvoiceNumber,
    IssueDate,
    Amount,
    DueDate,
    AmountDue,
    AmountPaid,
    PaidDate,
    Currency,
    Email,
    Phone,
    /// The customer's account owner: `Name <email>`, an email or a name.
    AccountOwner,
    /// The customer's credit limit, in the row's currency.
    CreditLimit,
}

impl Field {
    pub const ALL: [Field; 13] = [
        Field::CustomerName,
        Field::InvoiceNumber,
        Field::IssueDate,
        Field::Amount,
        Field::DueDate,
        Field::AmountDue,
        Field::AmountPaid,
        Field::PaidDate,
        Field::Currency,
        Field::Email,
        Field::Phone,
        Field::AccountOwner,
        Field::CreditLimit,
    ];

    /// As the command line and profiles write it: `customer_name`.
    pub fn name(self) -> &'static str {
        match self {
            Field::CustomerName => "customer_name",
            Field::InvoiceNumber => "invoice_number",
            Field::IssueDate => "issue_date",
            Field::Amount => "amount",
            Field::DueDate => "due_date",
            Field::AmountDue => "amount_due",
            Field::AmountPaid => "amount_paid",
            Field::PaidDate => "paid_date",
            Field::Currency => "currency",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::AccountOwner => "account_owner",
            Field::CreditLimit => "credit_limit",
        }
    }

    /// As messages about a row or a column say it: "customer name".
    pub fn label(self) -> &'static str {
        match self {
            Field::CustomerName => "customer name",
            Field::InvoiceNumber => "invoice number",
            Field::IssueDate => "issue date",
            Field::DueDate => "due date",
            Field::AmountDue => "amount due",
            Field::AmountPaid => "amount paid",
            Field::PaidDate => "paid date",
            Field::AccountOwner => "account owner",
            Field::CreditLimit => "credit limit",
            other => other.name(),
        }
    }

    /// A file without one of these cannot be imported.
    pub fn required(self) -> bool {
        matches!(
            self,
            Field::CustomerName | Field::InvoiceNumber | Field::IssueDate | Field::Amount
        )
    }

    /// Header keys (lower case, letters and digits) the generic layout takes for the field,
    /// in order of preference.
    pub fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::CustomerName => &[
                "customername",
                "customer",
                "name",
                "company",
                "companyname",
                "client",
                "clientname",
            ],
            Field::InvoiceNumber => NUMBER,
            Field::IssueDate => &["issuedate", "invoicedate", "date"],
            Field::Amount => &[
                "amount",
                "total",
                "invoiceamount",
                "totalamount",
                "invoicetotal",
            ],
            Field::DueDate => &["duedate"],
            Field::AmountDue => &[
                "amountdue",
                "openbalance",
                "balance",
                "balancedue",
                "outstanding",
            ],
            // Not a bare "paid": files use it for a yes/no flag as often as for an amount.
            Field::AmountPaid => &["amountpaid", "paidamount", "totalpaid", "paidtodate"],
            Field::PaidDate => &[
                "paiddate",
                "datepaid",
                "paidon",
                "paymentdate",
                "fullypaidondate",
            ],
            Field::Currency => &["currency", "currencycode"],
            Field::Email => &["email", "emailaddress"],
            Field::Phone => &["phone", "phonenumber", "telephone"],
            Field::AccountOwner => &["accountowner"],
            Field::CreditLimit => &["creditlimit", "creditline"],
        }
    }

    /// Whether two fields may read the same column: a file with one date gives the issue and
    /// the due date; one with only the open amount gives the amount and the amount due.
    pub fn may_share(self, other: Field) -> bool {
        let pair = |a, b| (self, other) == (a, b) || (self, other) == (b, a);
        pair(Field::IssueDate, Field::DueDate) || pair(Field::Amount, Field::AmountDue)
    }
}

/// Headers of an invoice number (the payments file names invoices the same way).
pub(in crate::import) const NUMBER: &[&str] = &[
    "invoicenumber",
    "invoiceno",
    "invoicenum",
    "invoice",
    "number",
    "num",
    "no",
];

impl FromStr for Field {
    type Err = String;

    /// `customer_name`, `customer name` or `Customer-Name`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted: String = text
            .trim()
            .chars()
            .map(|c| if c == ' ' || c == '-' { '_' } else { c })
            .flat_map(char::to_lowercase)
            .collect();
        Field::ALL
            .into_iter()
            .find(|field| field.name() == wanted)
            .ok_or_else(|| text.trim().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_only_dates_or_amounts_share() {
        for field in Field::ALL {
            assert_eq!(field.name().parse::<Field>(), Ok(field));
            assert_eq!(field.label().parse::<Field>(), Ok(field));
        }
        assert!("invoice".parse::<Field>().is_err());
        assert!(Field::DueDate.may_share(Field::IssueDate));
        assert!(!Field::CustomerName.may_share(Field::Email));
    }
}
