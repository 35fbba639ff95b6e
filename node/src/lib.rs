//! A Liandong post: its identity, durable ledger, and the `liandong`
//! command line. The protocol rules live in `liandong-protocol`; this crate
//! does the IO around them.

pub mod bundle;
pub mod cli;
pub mod clock;
pub mod config;
pub mod datadir;
pub mod domain;
pub mod identity;
pub mod ledger;
pub mod post;
pub mod store;
