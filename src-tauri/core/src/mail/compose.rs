//! From "this customer, this template" to the exact message: recipients, rendered subject and
//! bodies, attachments, and the MIME bytes with our own Message-ID.

use super::account::{self, AccountError, AccountSettings};
use super::templates::{EmailTemplate, RenderedEmail, Renderer, TemplateError};
use crate::company::fields::{self, ContextInput, TemplateContext};
use crate::company::{self, CompanyError};
use crate::model::text::clean_line;
use crate::store::DbError;
use chrono::NaiveDate;
use lettre::message::Mailbox;
use lettre::Address;
use serde::{Deserialize, Serialize};
use std::fmt::Write;
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// Largest total size of attachments on one message (providers refuse ~25 MB after encoding).
pub const MAX_ATTACHMENT_BYTES: usize = 15 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Company(#[from] CompanyError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Invalid(String),
    /// A header that cannot be written (a name with a line break that got past cleaning).
    #[error("the {field} header cannot be built: {detail}")]
    Header { field: &'static str, detail: String },
    #[error("cannot attach {path}: {detail}")]
    Attachment { path: PathBuf, detail: String },
}

impl From<rusqlite::Error> for ComposeError {
    fn from(e: rusqlite::Error) -> Self {
        ComposeError::Db(DbError::Sqlite(e))
    }
}

/// A mailbox whose display name is one clean line (none when nothing is left of it).
pub fn mailbox(name: Option<&str>, address: Address) -> Mailbox {
    let name = name.map(clean_line).filter(|n| !n.is_empty());
    Mailbox::new(name, address)
}

/// "Name <address>" as the preview and the outbox show it, or why `field` (From, To,
/// Reply-To) cannot be a mail header. lettre builds its header from this same text and reads
/// the envelope back from it (so does the outbox before each attempt): a mailbox that passes
/// here cannot make the builder panic or lose its address.
pub fn mailbox_text(field: &'static str, mailbox: &Mailbox) -> Result<String, ComposeError> {
    let refused = || ComposeError::Header {
        field,
        detail: format!(
            "the name {:?} cannot be written in a mail header",
            mailbox.name.as_deref().unwrap_or_default()
        ),
    };
    let mut text = String::new();
    write!(text, "{mailbox}").map_err(|_| refused())?;
    match text.parse::<Mailbox>() {
        Ok(read) if read.email == mailbox.email => Ok(text),
        _ => Err(refused()),
    }
}

/// What the user asked for: one customer, one template, optional files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SendRequest {
    pub customer_id: i64,
    pub template_key: String,
    /// Files the user picked to attach.
    #[ts(type = "string[]")]
    pub attachments: Vec<PathBuf>,
}

/// A file attached to a message.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("size", &self.bytes.len())
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AttachmentInfo {
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

impl Attachment {
    pub fn info(&self) -> AttachmentInfo {
        AttachmentInfo {
            file_name: self.file_name.clone(),
            content_type: self.content_type.clone(),
            size_bytes: self.bytes.len() as i64,
        }
    }

    /// Reads a file the user picked; the type follows the extension.
    pub fn from_file(path: &Path) -> Result<Attachment, ComposeError> {
        let err = |detail: String| ComposeError::Attachment {
            path: path.to_path_buf(),
            detail,
        };
        let meta = std::fs::metadata(path).map_err(|e| err(e.to_string()))?;
        if !meta.is_file() {
            return Err(err("it is not a file".into()));
        }
        if meta.len() > MAX_ATTACHMENT_BYTES as u64 {
            return Err(err(format!(
                "it is larger than {} MB",
                MAX_ATTACHMENT_BYTES / 1024 / 1024
            )));
        }
        let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| err("it has no file name".into()))?;
        Ok(Attachment {
            content_type: content_type_for(&file_name).to_string(),
            file_name,
            bytes,
        })
    }
}

fn content_type_for(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "doc" => "application/msword",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// A finished email, before it gets its Message-ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachments: Vec<Attachment>,
    /// A reply's In-Reply-To and References; None for a message that starts a conversation.
    pub thread: Option<super::thread::ThreadHeaders>,
}

/// The exact message the user is about to send, as the preview shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct EmailPreview {
    pub customer_id: i64,
    pub template_key: String,
    pub from: String,
    pub reply_to: Option<String>,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachments: Vec<AttachmentInfo>,
    /// The open invoices the message is about.
    pub invoice_ids: Vec<i64>,
    /// Things the user should know before sending (e.g. From differs from the account).
    pub warnings: Vec<String>,
}

/// A rendered message ready to queue: the preview plus the attachment bytes.
#[derive(Debug, Clone)]
pub struct PreparedEmail {
    pub preview: EmailPreview,
    pub email: OutgoingEmail,
}

/// Renders `request` for its customer with the stored account, company profile and templates.
/// Refuses customers marked do-not-contact and customers with no usable email address.
pub fn prepare(
    conn: &rusqlite::Connection,
    request: &SendRequest,
    as_of: NaiveDate,
) -> Result<PreparedEmail, ComposeError> {
    prepare_as(conn, &account::require(conn)?, request, as_of)
}

/// [`prepare`] for the composer's preview, which also works before an email account is set
/// up: the From line then names a placeholder address that says so. Such a message is never
/// queued — sending goes through [`prepare`], which needs the account.
pub fn prepare_preview(
    conn: &rusqlite::Connection,
    request: &SendRequest,
    as_of: NaiveDate,
) -> Result<PreparedEmail, ComposeError> {
    let account = account::load(conn)?.unwrap_or_else(AccountSettings::not_set_up);
    prepare_as(conn, &account, request, as_of)
}

/// One message from `account` with its template compiled for it alone.
fn prepare_as(
    conn: &rusqlite::Connection,
    account: &AccountSettings,
    request: &SendRequest,
    as_of: NaiveDate,
) -> Result<PreparedEmail, ComposeError> {
    let renderer = Renderer::new(&[super::templates::get(conn, &request.template_key)?])?;
    prepare_with(conn, &renderer, account, request, as_of)
}

/// [`prepare`] with an already-compiled renderer and account (many messages in one run).
/// Names and the rendered subject are cleaned into one line each; a header that still cannot
/// be built is a [`ComposeError`], never a panic.
pub fn prepare_with(
    conn: &rusqlite::Connection,
    renderer: &Renderer,
    account: &AccountSettings,
    request: &SendRequest,
    as_of: NaiveDate,
) -> Result<PreparedEmail, ComposeError> {
    let (customer_name, to) = recipient(conn, request.customer_id)?;
    let company = company::load(conn)?;
    let ctx = fields::build(
        conn,
        &ContextInput {
            customer_id: request.customer_id,
            as_of,
            company: &company,
            sender_name: &account.sender_name,
            sender_email: &account.from_address,
        },
    )?;
    let rendered = renderer.render(&request.template_key, ctx.to_tera())?;
    let from = account.from_mailbox()?;
    let mut warnings = account.warnings();
    if ctx.invoices.is_empty()
        && super::templates::REMINDER_KEYS.contains(&request.template_key.as_str())
    {
        warnings.push(format!("{customer_name} has no open invoices"));
    }
    let email = OutgoingEmail {
        from: mailbox(from.name.as_deref(), from.email),
        reply_to: account.reply_to_mailbox()?,
        to: vec![to],
        subject: clean_line(&rendered.subject),
        text: rendered.text,
        html: rendered.html,
        attachments: read_attachments(&request.attachments)?,
        thread: None,
    };
    let invoice_ids = ctx.invoices.iter().map(|i| i.id).collect();
    let mut prepared = PreparedEmail::of(email, request.customer_id, &request.template_key)?;
    prepared.preview.invoice_ids = invoice_ids;
    prepared.preview.warnings = warnings;
    Ok(prepared)
}

impl PreparedEmail {
    /// `email` for `customer_id` with its preview (no invoices, no warnings yet): every header
    /// written as the outbox will write it, or why it cannot be.
    pub fn of(
        email: OutgoingEmail,
        customer_id: i64,
        template_key: &str,
    ) -> Result<PreparedEmail, ComposeError> {
        let preview = EmailPreview {
            customer_id,
            template_key: template_key.to_string(),
            from: mailbox_text("From", &email.from)?,
            reply_to: email
                .reply_to
                .as_ref()
                .map(|r| mailbox_text("Reply-To", r))
                .transpose()?,
            to: email
                .to
                .iter()
                .map(|t| mailbox_text("To", t))
                .collect::<Result<_, _>>()?,
            subject: email.subject.clone(),
            text: email.text.clone(),
            html: email.html.clone(),
            attachments: email.attachments.iter().map(Attachment::info).collect(),
            invoice_ids: Vec::new(),
            warnings: Vec::new(),
        };
        Ok(PreparedEmail { preview, email })
    }
}

/// The customer's name (one clean line, for messages) and the mailbox of their contact with a
/// usable address. Refuses customers marked do-not-contact and customers without an address.
pub(crate) fn recipient(
    conn: &rusqlite::Connection,
    customer_id: i64,
) -> Result<(String, Mailbox), ComposeError> {
    let (name, do_not_contact) = conn
        .query_row(
            "SELECT name, do_not_contact FROM customers WHERE id = ?1",
            [customer_id],
            |r| Ok((clean_line(&r.get::<_, String>(0)?), r.get::<_, bool>(1)?)),
        )
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => {
                ComposeError::Invalid(format!("there is no customer {customer_id}"))
            }
            other => other.into(),
        })?;
    if do_not_contact {
        return Err(ComposeError::Invalid(format!(
            "{name} is marked \"do not contact\"; no email was prepared"
        )));
    }
    let (contact_name, email) = crate::company::recipient(conn, customer_id)?.ok_or_else(|| {
        ComposeError::Invalid(format!(
            "{name} has no contact with a usable email address; add one on the customer screen"
        ))
    })?;
    let address: lettre::Address = email.trim().parse().map_err(|e| {
        ComposeError::Invalid(format!(
            "the contact address {:?} of {name} is not valid ({e})",
            email.trim()
        ))
    })?;
    let to = mailbox(contact_name.as_deref(), address);
    Ok((name, to))
}

/// The files the user picked, within [`MAX_ATTACHMENT_BYTES`] together.
fn read_attachments(paths: &[PathBuf]) -> Result<Vec<Attachment>, ComposeError> {
    let mut attachments = Vec::new();
    let mut total = 0usize;
    for path in paths {
        let a = Attachment::from_file(path)?;
        total += a.bytes.len();
        if total > MAX_ATTACHMENT_BYTES {
            return Err(ComposeError::Attachment {
                path: path.clone(),
                detail: format!(
                    "the attachments together exceed {} MB",
                    MAX_ATTACHMENT_BYTES / 1024 / 1024
                ),
            });
        }
        attachments.push(a);
    }
    Ok(attachments)
}

/// Adds attachments that are not files the user picked (invoice copies), within the same size
/// limit; nothing is added when they do not fit.
pub fn attach(prepared: &mut PreparedEmail, extra: Vec<Attachment>) -> Result<(), ComposeError> {
    let present: usize = prepared
        .email
        .attachments
        .iter()
        .map(|a| a.bytes.len())
        .sum();
    let added: usize = extra.iter().map(|a| a.bytes.len()).sum();
    if present + added > MAX_ATTACHMENT_BYTES {
        return Err(ComposeError::Invalid(format!(
            "the attachments together exceed {} MB; remove some",
            MAX_ATTACHMENT_BYTES / 1024 / 1024
        )));
    }
    prepared
        .preview
        .attachments
        .extend(extra.iter().map(Attachment::info));
    prepared.email.attachments.extend(extra);
    Ok(())
}

/// A template rendered against one customer's fields as the template editor and
/// `duebook templates preview` show it: the subject is the one line that would be sent.
pub fn render_preview(
    template: &EmailTemplate,
    fields: &TemplateContext,
) -> Result<RenderedEmail, TemplateError> {
    let renderer = Renderer::new(std::slice::from_ref(template))?;
    let mut rendered = renderer.render(&template.key, fields.to_tera())?;
    rendered.subject = clean_line(&rendered.subject);
    Ok(rendered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_editor_preview_renders_for_a_real_customer_before_any_account_exists() {
        let (_dir, db) = crate::test_support::temp_db();
        let conn = db.conn();
        let id = crate::store::customers::insert(
            conn,
            &crate::model::NewCustomer::named("Brightwater Dental <Group>"),
        )
        .unwrap();
        let mut template = super::super::templates::builtin("overdue-1").unwrap();
        template.subject = "For {{ customer.name }}".into();
        let today = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
        let fields = crate::mail::context::for_preview(conn, id, today).unwrap();
        let rendered = render_preview(&template, &fields).unwrap();
        assert_eq!(rendered.subject, "For Brightwater Dental <Group>");
        assert!(rendered.html.contains("Brightwater Dental &lt;Group&gt;"));

        template.body_html = "<p>{{ customer.nmae }</p>".into();
        let err = render_preview(&template, &fields).unwrap_err();
        let issue = err.issue().expect("a located problem");
        assert_eq!(issue.part, super::super::templates::TemplatePart::Html);
        assert_eq!(issue.line, Some(1));
    }

    #[test]
    fn the_composer_previews_before_any_account_exists_but_cannot_prepare_to_send() {
        let (_dir, db) = crate::test_support::temp_db();
        let conn = db.conn();
        let id =
            crate::store::customers::insert(conn, &crate::model::NewCustomer::named("Alpha Ltd"))
                .unwrap();
        let contact = crate::model::NewContact {
            email: Some("ap@alpha.example".into()),
            is_billing: true,
            ..crate::model::NewContact::default()
        };
        crate::store::contacts::insert(conn, id, &contact).unwrap();
        let request = SendRequest {
            customer_id: id,
            template_key: "overdue-1".into(),
            attachments: Vec::new(),
        };
        let today = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
        let preview = prepare_preview(conn, &request, today).unwrap().preview;
        assert_eq!(preview.from, "email-account-not-set-up@example.invalid");
        assert_eq!(preview.to, vec!["ap@alpha.example".to_string()]);
        assert!(preview.text.contains("Alpha Ltd"), "{}", preview.text);
        let err = prepare(conn, &request, today).unwrap_err();
        assert!(
            matches!(err, ComposeError::Account(AccountError::NotConfigured)),
            "{err}"
        );
    }

    #[test]
    fn attachments_past_the_limit_are_refused_and_none_is_added() {
        let prepared_with = |bytes: usize| Attachment {
            file_name: "big.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: vec![0; bytes],
        };
        let email = OutgoingEmail {
            from: "ar@acme.example".parse().unwrap(),
            reply_to: None,
            to: vec!["bo@client.example".parse().unwrap()],
            subject: "s".into(),
            text: "t".into(),
            html: "h".into(),
            attachments: vec![prepared_with(MAX_ATTACHMENT_BYTES - 10)],
            thread: None,
        };
        let preview = EmailPreview {
            customer_id: 1,
            template_key: "overdue-1".into(),
            from: String::new(),
            reply_to: None,
            to: Vec::new(),
            subject: String::new(),
            text: String::new(),
            html: String::new(),
            attachments: Vec::new(),
            invoice_ids: Vec::new(),
            warnings: Vec::new(),
        };
        let mut prepared = PreparedEmail { preview, email };
        assert!(attach(&mut prepared, vec![prepared_with(20)]).is_err());
        assert_eq!(prepared.email.attachments.len(), 1);
        attach(&mut prepared, vec![prepared_with(10)]).unwrap();
        assert_eq!(prepared.email.attachments.len(), 2);
        assert_eq!(prepared.preview.attachments.len(), 1);
    }
}
