//! Restricted entries (保密): a body only its audience can read, in an
//! entry every post still stores, relays, orders and audits.
//!
//! - [`keys`]: each post's X25519 agreement key, announced in a
//!   [`Kind::AGREEMENT_KEY`](crate::header::Kind::AGREEMENT_KEY) entry;
//! - [`audience`]: who an entry is for (named posts, a region at or above a
//!   level, a role), and how people read and type it;
//! - [`class`]: which kinds may be restricted, and the public class;
//! - [`envelope`]: the sealed body of a
//!   [`Kind::RESTRICTED`](crate::header::Kind::RESTRICTED) entry and the
//!   checks every post runs on it; [`seal()`] and [`Sealed::open`] do the
//!   cryptography.
//!
//! The header (author, time, scope, chain, status) stays public and the
//! signature covers the ciphertext, so validation, hash chains, fork
//! evidence, sync and bundles work on restricted entries unchanged. What
//! the envelope shows besides the header: the kind class and how many keys
//! it was sealed to (with their 8-byte key ids).
//!
//! Sans-IO like the rest of the crate: randomness comes in as a 32-byte
//! seed argument.

pub mod audience;
mod audience_text;
pub mod class;
mod encoding;
pub mod envelope;
mod error;
pub mod keys;
mod seal;

pub use audience::{Audience, MAX_AUDIENCE_POSTS};
pub use class::{KindClass, SealedClass};
pub use envelope::{
    CONTENT_KEY_BYTES, ENC_BYTES, MAX_RECIPIENTS, NONCE_BYTES, Opened, Recipient, SealContext,
    Sealed, TAG_BYTES, WRAPPED_KEY_BYTES,
};
pub use error::{OpenError, RestrictedError};
pub use keys::{
    AGREEMENT_KEY_BYTES, AgreementKey, AgreementSecret, KEY_ID_BYTES, KeyAnnouncement, KeyId,
};
pub use seal::seal;
