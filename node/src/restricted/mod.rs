//! Restricted entries (受限信息, issue 16) at a post: its agreement keys
//! ([`keyring`]), who an audience names now ([`directory`]), and what an
//! entry reads as here ([`reading`]).
//!
//! The sealing itself — HPKE-wrapped content keys, the AEAD body, the
//! envelope every post validates, stores and relays — is the protocol
//! crate's (`liandong_protocol::restricted`); this module supplies the
//! post's secrets and the audience's keys.

pub mod directory;
pub mod keyring;
pub mod reading;

pub use keyring::{Keyring, KeyringError};
pub use reading::{Reading, read};
