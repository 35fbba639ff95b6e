//! What the CLI, the console's API and the metrics share about a post:
//! the records they show (entry rows, status, sync sessions, written
//! entries, the certificate tree), the events the console streams, and the
//! HTTP conventions between the CLI's client and the API.
//!
//! It sits below all three, so that none of them imports another: `api/`
//! and `cli/` are adapters over the running node (`node/`) and the domain
//! (`domain/`), and meet only here.

pub mod authors;
pub mod cap;
pub mod cert_inbox;
pub mod cert_install;
pub mod cert_issue;
pub mod cert_outbox;
pub mod cert_request;
pub mod certs;
pub mod events;
pub mod http;
pub mod operator;
pub mod revocation;
pub mod roles;
pub mod rows;
pub mod status;
pub mod sync;
pub mod written;
