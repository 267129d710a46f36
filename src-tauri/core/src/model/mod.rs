//! Domain types shared by the query modules, the importers, the CLI and (through ts-rs) the UI.

mod customer;
mod followup;
mod invoice;
pub mod link;
mod money;
mod note;
mod owner;
pub mod plan;
pub mod text;
pub mod validation;

pub use customer::*;
pub use followup::*;
pub use invoice::*;
pub use money::*;
pub use note::*;
pub use owner::*;
