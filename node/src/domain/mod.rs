//! The linkage domain on a post: loading the ledger into the protocol's
//! fold, and the directory the fold asks about authors.
//!
//! The fold itself (views, conflict rules, deadlines) is pure and lives in
//! `liandong_protocol::domain::fold`; this module only does the IO around
//! it.

pub mod dev_directory;
pub mod directory;
pub mod load;

pub use dev_directory::{DevDirectory, DevRoles, DevRolesError};
pub use directory::PostDirectory;
pub use load::load_fold;
