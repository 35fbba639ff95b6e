//! The linkage domain on a post: loading the ledger into the protocol's
//! fold, the directory the fold asks about authors, and every domain
//! action (planned against a [`Desk`], checked, then written) — shared by
//! the CLI and the console so both validate and write the same way.
//!
//! The fold itself (views, conflict rules, deadlines) is pure and lives in
//! `liandong_protocol::domain::fold`; this module only does the IO around
//! it.

pub mod actions;
pub mod desk;
pub mod dev_directory;
pub mod directory;
pub mod error;
pub mod ids;
pub mod incident_search;
pub mod input;
pub mod load;
pub mod projections;
pub mod sections;
pub mod snapshot;
pub mod summary;

pub use actions::Action;
pub use desk::{Desk, DeskSetup, Known, Planned};
pub use dev_directory::{DevDirectory, DevRoles, DevRolesError};
pub use directory::PostDirectory;
pub use error::{ActionError, ActionErrorKind, FieldError};
pub use load::load_fold;
