//! Email: the user's SMTP account, templates, composing, the durable outbox and sending.
//!
//! The path of one reminder, as the app and `duebook send` take it:
//! 1. [`compose::prepare`] renders a template for a customer ([`templates`], fields from
//!    [`context`], branding from [`company`], sender from [`account`]) into a [`compose::PreparedEmail`]
//!    whose `preview` is exactly what will be sent;
//! 2. [`outbox::enqueue_prepared`] stores it as `queued` with a unique send key, our own
//!    Message-ID and the final MIME bytes ([`mime`]: headers that cannot be built are a typed
//!    error, never a panic) — before any network I/O; a campaign email that cannot be prepared
//!    is stored as `failed` with the reason ([`outbox::record_unprepared`]);
//! 3. [`outbox::deliver`] hands queued messages to a [`smtp::Mailer`] ([`smtp::SmtpMailer`] for the
//!    real account, built by [`account_mailer`]) and records sent / failed / uncertain.
//!
//! Statements go out the same way ([`statements`]: the statement-cover template with the PDF).
//!
//! Replies and bounces come back through [`inbound`]: one raw message read, classified and
//! matched to a customer (by the outbox's Message-IDs, contacts, invoice numbers). Answering one
//! ([`reply`]) composes as above and adds the threading headers ([`thread`]).
//!
//! At startup call [`outbox::recover_interrupted`]: a message a crashed process left `sending`
//! becomes `uncertain` for the user to resolve; nothing is ever resent on its own.
//!
//! Inside, imports point one way (checked by `tests/layers.rs`), each part importing only
//! those before it: security, limits <- presets <- account (with attention below it)
//! <- pacing, smtp, context; thread, templates, account <- compose <- reply; compose <- mime <- outbox (with pacing, smtp,
//! attention) <- statements, inbound; compose <- attachments; oauth, smtp <- http_api <- graph,
//! gmail <- transport; account, oauth, smtp, inbound, outbox <- imap (reading the mailbox);
//! `setup` (the mailer, the test email, the IMAP test, the mailbox sync) on top. This file only
//! declares and re-exports.

pub mod account;
pub mod attachments;
pub mod attention;
pub mod compose;
pub mod context;
mod gmail;
mod graph;
mod http_api;
pub mod imap;
pub mod inbound;
pub mod internal;
pub mod limits;
pub mod mime;
pub mod oauth;
pub mod outbox;
pub mod pacing;
pub mod presets;
pub mod reply;
pub mod security;
mod setup;
pub mod smtp;
pub mod statements;
pub mod templates;
pub mod thread;
pub mod transport;

pub use setup::{
    account_mailer, mailer_for_account, mailer_with, options as mailer_options, send_test_email,
    signed_in_mailer, sync_account_mailbox, test_imap_connection, wait_for_account_mail,
    MailSetupError,
};
