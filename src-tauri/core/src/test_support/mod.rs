//! Test helpers shared by the core's tests and the `duebook` CLI's tests (which live in the
//! cli crate, beside the binary they run): seeded databases, a recording mailer, the test SMTP
//! server that `scripts/with-test-services.sh` provides, and the PDF readers. Only built for
//! tests: the `test-support` feature, which the core's own tests turn on through the
//! dev-dependency on itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

pub mod campaign;
pub mod import;
pub mod mail;
pub mod migration;
pub mod statement;
