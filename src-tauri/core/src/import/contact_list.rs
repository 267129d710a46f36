//! QuickBooks Online's "Customer Contact List" report: no invoices, but the emails and phone
//! numbers the Open Invoices report lacks. Title lines, then a header such as
//! `Customer full name,Phone numbers,Email,Full name,Bill address,Ship address` (older exports:
//! `,Customer,Phone Numbers,Email,Full Name,...`), one row per customer, then a footer.
//! The address and phone are added to the customer (created when new) unless already there; an
//! Email cell holding anything but one address rejects its row.

use super::columns::{find, Duplicate, Picker};
use super::row::{self, first_phone};
use super::source::{cell, is_blank, opt_cell, Source, Tracker};
use super::writer::Writer;
use super::ImportError;

pub(super) struct Columns {
    customer: usize,
    email: Option<usize>,
    phone: Option<usize>,
    contact: Option<usize>,
    pub duplicates: Vec<Duplicate>,
}

const CUSTOMER: &[&str] = &[
    "customerfullname",
    "customer",
    "customername",
    "displayname",
    "name",
    "company",
];
const EMAIL: &[&str] = &["email", "emailaddress", "emails"];
const PHONE: &[&str] = &[
    "phonenumbers",
    "phone",
    "phonenumber",
    "telephone",
    "mobile",
];
const CONTACT: &[&str] = &["fullname", "contactname", "contact"];
/// Columns of invoice files: a header with any of these is not a contact list.
const INVOICE_COLUMNS: &[&str] = &[
    "amount",
    "total",
    "openbalance",
    "invoicenumber",
    "num",
    "date",
    "duedate",
];

pub(super) fn columns(keys: &[String]) -> Result<Columns, Vec<&'static str>> {
    let mut picker = Picker::new(keys);
    let customer = picker.pick("customer name", CUSTOMER);
    let email = picker.pick("email", EMAIL);
    let phone = picker.pick("phone", PHONE);
    let mut missing = Vec::new();
    if customer.is_none() {
        missing.push("Customer");
    }
    if email.is_none() && phone.is_none() {
        missing.push("Email or Phone numbers");
    }
    match customer {
        Some(customer) if missing.is_empty() && find(keys, INVOICE_COLUMNS).is_none() => {
            Ok(Columns {
                customer,
                email,
                phone,
                contact: picker.pick("contact name", CONTACT),
                duplicates: picker.into_duplicates(),
            })
        }
        _ => Err(missing),
    }
}

pub(super) fn run(
    source: &Source,
    columns: &Columns,
    writer: &mut Writer,
    tracker: &mut Tracker,
) -> Result<(), ImportError> {
    let mut rows = source.rows()?;
    while let Some((line, record)) = rows.next()? {
        if is_blank(record) {
            continue;
        }
        let email = opt_cell(record, columns.email);
        let phone = first_phone(opt_cell(record, columns.phone));
        if email.is_empty() && phone.is_empty() {
            // Customers without contact details, and the report's footer: nothing to add.
            continue;
        }
        writer.report.rows_read += 1;
        tracker.row(record);
        let customer = row::customer_name(cell(record, columns.customer));
        match customer.and_then(|customer| Ok((customer, row::email(email)?))) {
            Ok((customer, email)) => {
                let contact = opt_cell(record, columns.contact);
                writer.apply_contact(customer, contact, email, phone)?;
            }
            Err(error) => writer.reject(line, error, None),
        }
    }
    Ok(())
}
