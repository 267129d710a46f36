//! The customers and contacts an import touches: customers matched by name key and cached, so a
//! row costs one hash lookup; contacts merged by email (or phone) and only ever filled in.

use super::{ImportError, Writer};
use crate::model::{customer_name_key, NewContact, NewCustomer, Owner};
use crate::{store::contacts, store::customers};

/// A customer this import has matched or created, by its index in `Writer::known`.
pub(super) struct KnownCustomer {
    pub(super) id: i64,
    /// Lower-case emails (or phones) this import has already merged.
    contacts: Vec<String>,
    /// Created by this import: it has no contacts but the ones in `contacts`, so merging
    /// needs no lookups.
    created: bool,
    /// The last email and phone cells merged: most rows repeat them.
    pub(super) last_cells: (String, String),
    /// The last account owner cell applied, for the same reason.
    last_owner: String,
    /// The last custom field cells merged (name, value), for the same reason.
    last_custom: Vec<(String, String)>,
}

impl Writer<'_> {
    /// Adds a contact list row's email and phone to its customer (created when new). Rows with
    /// nothing to add are left alone, so a report footer never becomes a customer.
    pub fn apply_contact(
        &mut self,
        customer: &str,
        name: &str,
        email: Option<&str>,
        phone: &str,
    ) -> Result<(), ImportError> {
        if email.is_none() && phone.trim().is_empty() {
            return Ok(());
        }
        let customer = match self.known_customer(customer)? {
            Some(index) => index,
            None => self.create_customer(customer)?,
        };
        self.merge_contact(customer, email, name, phone)
    }

    /// Gives the row's customer the account owner its cell names. A blank cell leaves the
    /// owner as it is (an owner set in the app stays); an unreadable one is a warning, since
    /// the invoice itself is fine.
    pub fn apply_owner(
        &mut self,
        line: u64,
        customer: &str,
        cell: &str,
    ) -> Result<(), ImportError> {
        if cell.trim().is_empty() {
            return Ok(());
        }
        let Some(index) = self.known_customer(customer)? else {
            return Ok(());
        };
        if self.known[index].last_owner == cell {
            return Ok(());
        }
        match Owner::parse("account_owner", cell) {
            Ok(owner) => {
                customers::set_owner(self.conn, &[self.known[index].id], owner.as_ref())?;
                self.known[index].last_owner = cell.to_string();
            }
            Err(error) => self.warn(Some(line), format!("account owner: {}", error.message)),
        }
        Ok(())
    }

    /// Keeps the row's custom field cells on its customer. A blank cell leaves its field as it
    /// is; a value too long to keep is a warning naming the field, and the others are kept.
    pub fn apply_custom_fields(
        &mut self,
        line: u64,
        customer: &str,
        fields: &[(&str, &str)],
    ) -> Result<(), ImportError> {
        let Some(index) = self.known_customer(customer)? else {
            return Ok(());
        };
        let mut kept = Vec::with_capacity(fields.len());
        for (name, value) in fields {
            let chars = value.trim().chars().count();
            if chars > customers::MAX_FIELD_VALUE_CHARS {
                let most = customers::MAX_FIELD_VALUE_CHARS;
                let warning = format!("{name}: {chars} characters, at most {most} fit; not kept");
                self.warn(Some(line), warning);
            } else if chars > 0 {
                kept.push((*name, *value));
            }
        }
        let last = &self.known[index].last_custom;
        let repeated = kept.len() == last.len()
            && kept.iter().zip(last).all(|(k, l)| k.0 == l.0 && k.1 == l.1);
        if !kept.is_empty() && !repeated {
            customers::merge_custom_fields(self.conn, self.known[index].id, &kept)?;
            self.known[index].last_custom = kept
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect();
        }
        Ok(())
    }

    /// The customer with this name (trimmed, NFC, case-insensitive), if there is one, as an
    /// index into `known`.
    pub(super) fn known_customer(&mut self, name: &str) -> Result<Option<usize>, ImportError> {
        fill_name_key(&mut self.key, name);
        if let Some(index) = self.customers.get(self.key.as_str()) {
            return Ok(Some(*index));
        }
        let found = customers::find_id_by_name(self.conn, name)?;
        Ok(found.map(|id| self.remember(id, false)))
    }

    pub(super) fn create_customer(&mut self, name: &str) -> Result<usize, ImportError> {
        let id = customers::insert(self.conn, &NewCustomer::named(name))?;
        self.report.customers_created += 1;
        fill_name_key(&mut self.key, name);
        Ok(self.remember(id, true))
    }

    /// Caches the customer whose name key is in `self.key`.
    fn remember(&mut self, id: i64, created: bool) -> usize {
        self.known.push(KnownCustomer {
            id,
            contacts: Vec::new(),
            created,
            last_cells: (String::new(), String::new()),
            last_owner: String::new(),
            last_custom: Vec::new(),
        });
        self.customers
            .insert(self.key.clone(), self.known.len() - 1);
        self.known.len() - 1
    }

    /// A contact is the same when its email matches (case-insensitively), or, without an
    /// email, its phone. Existing contacts only get their blanks filled in.
    pub(super) fn merge_contact(
        &mut self,
        customer: usize,
        email: Option<&str>,
        name: &str,
        phone: &str,
    ) -> Result<(), ImportError> {
        let name = Some(name.trim()).filter(|n| !n.is_empty());
        let phone = Some(phone.trim()).filter(|p| !p.is_empty());
        let Some(key) = email.or(phone) else {
            return Ok(());
        };
        let known = &mut self.known[customer];
        if known.contacts.iter().any(|k| k.eq_ignore_ascii_case(key)) {
            return Ok(());
        }
        known.contacts.push(key.to_lowercase());
        let (customer_id, created, first) = (known.id, known.created, known.contacts.len() == 1);
        let existing = match (created, email) {
            (true, _) => None,
            (false, Some(email)) => contacts::find_by_email(self.conn, customer_id, email)?,
            (false, None) => contacts::find_by_phone(self.conn, customer_id, key)?,
        };
        if let Some(id) = existing {
            if contacts::fill_blanks(self.conn, id, name, phone)? {
                self.report.contacts_updated += 1;
                self.touched.insert(customer_id);
            }
        } else {
            // The first contact an import gives a customer without one is the billing one.
            let is_billing = match created {
                true => first,
                false => !contacts::has_billing(self.conn, customer_id)?,
            };
            let contact = NewContact {
                name: name.map(str::to_string),
                email: email.map(str::to_string),
                phone: phone.map(str::to_string),
                role: None,
                is_billing,
            };
            contacts::insert(self.conn, customer_id, &contact)?;
            self.report.contacts_added += 1;
            self.touched.insert(customer_id);
        }
        Ok(())
    }
}

/// [`customer_name_key`] into a reused buffer; ASCII names (most of them) need no allocation.
fn fill_name_key(buffer: &mut String, name: &str) {
    buffer.clear();
    let trimmed = name.trim();
    if trimmed.is_ascii() {
        buffer.push_str(trimmed);
        buffer.make_ascii_lowercase();
    } else {
        buffer.push_str(&customer_name_key(trimmed));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_key_buffer_matches_the_model() {
        let mut buffer = String::new();
        for name in [
            "  Acme Ltd ",
            "ACME LTD",
            "Café Ölmann",
            "cafe\u{301} O\u{308}lmann",
            "山田商事",
            "Ⅻ Straße",
        ] {
            fill_name_key(&mut buffer, name);
            assert_eq!(buffer, customer_name_key(name), "{name}");
        }
    }
}
