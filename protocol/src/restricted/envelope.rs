//! The sealed envelope: the body of a restricted entry, and what every post
//! checks about it without being able to open it.
//!
//! ```text
//! Sealed = class      u8                 the public KindClass (unknown values decode)
//!          recipients varint n ≤ 256, n × Recipient, sorted by key id, ids unique
//!          nonce      12 bytes           the body AEAD's nonce
//!          ciphertext varint len + bytes ChaCha20-Poly1305 of the inner plaintext, tag last
//! Recipient = key 8 bytes (KeyId) · enc 32 bytes (HPKE encapsulated key)
//!             · wrapped 48 bytes (HPKE Base-mode seal of the 32-byte content key)
//! ```
//!
//! Everything else a post needs — who wrote it, when, about which region,
//! its place in the author's chain — is in the entry's header, public and
//! signed like any entry's.

use serde::{Deserialize, Serialize};

use super::audience::Audience;
use super::class::SealedClass;
use super::encoding::{Bounded, bytes, fixed};
use super::keys::KeyId;
use crate::body_rules::BodyError;
use crate::header::Kind;
use crate::ids::{NetworkId, NodeId};
use crate::limits::Limits;

/// Most keys one entry is sealed to. 256 recipients take 22 KB of
/// envelope, a third of the default maximum entry.
pub const MAX_RECIPIENTS: usize = 256;
/// A wrapped content key: 32 key bytes and HPKE's 16-byte tag.
pub const WRAPPED_KEY_BYTES: usize = CONTENT_KEY_BYTES + TAG_BYTES;
/// An HPKE encapsulated key of DHKEM(X25519): an ephemeral public key.
pub const ENC_BYTES: usize = 32;
/// The body AEAD's nonce.
pub const NONCE_BYTES: usize = 12;
/// The ChaCha20-Poly1305 content key.
pub const CONTENT_KEY_BYTES: usize = 32;
/// The Poly1305 tag that ends every ChaCha20-Poly1305 ciphertext.
pub const TAG_BYTES: usize = 16;

/// One recipient's slot: its key id and the content key wrapped for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    pub key: KeyId,
    #[serde(with = "fixed")]
    pub enc: [u8; ENC_BYTES],
    #[serde(with = "fixed")]
    pub wrapped: [u8; WRAPPED_KEY_BYTES],
}

/// The body of a [`Kind::RESTRICTED`] entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    pub class: SealedClass,
    #[serde(
        serialize_with = "Bounded::<MAX_RECIPIENTS>::serialize",
        deserialize_with = "Bounded::<MAX_RECIPIENTS>::deserialize"
    )]
    pub recipients: Vec<Recipient>,
    #[serde(with = "fixed")]
    pub nonce: [u8; NONCE_BYTES],
    #[serde(with = "bytes")]
    pub ciphertext: Vec<u8>,
}

/// What binds a seal to one entry: used as HPKE info and as the body
/// AEAD's associated data (with a domain tag), so a ciphertext copied into
/// another post's entry, or another place in the same chain, does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SealContext {
    pub network: NetworkId,
    pub author: NodeId,
    pub seq: u64,
}

/// What an audience post reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub kind: Kind,
    /// The inner body's canonical bytes, as `Body::decode(kind, …)` reads them.
    pub body: Vec<u8>,
    pub audience: Audience,
}

impl Sealed {
    /// What every post checks, reader or not. Counts and order first:
    /// nothing here decrypts, and the decoder already refused more than
    /// [`MAX_RECIPIENTS`] slots (this check covers envelopes built in
    /// memory).
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        let count = self.recipients.len();
        if count == 0 {
            return Err(BodyError::Empty {
                field: "recipients",
            });
        }
        if count > MAX_RECIPIENTS {
            return Err(BodyError::TooMany {
                field: "recipients",
                count,
                max: MAX_RECIPIENTS,
            });
        }
        // Strictly increasing ids: one canonical order, one slot per key,
        // and a reader finds its slot without ambiguity.
        if self.recipients.windows(2).any(|w| w[0].key >= w[1].key) {
            return Err(BodyError::NotCanonical {
                field: "recipients",
            });
        }
        if self.ciphertext.len() > limits.max_entry_bytes {
            return Err(BodyError::TooManyBytes {
                field: "ciphertext",
                bytes: self.ciphertext.len(),
                max: limits.max_entry_bytes,
            });
        }
        if self.ciphertext.len() < TAG_BYTES {
            return Err(BodyError::Undecodable {
                kind: Kind::RESTRICTED,
                reason: format!(
                    "ciphertext of {} bytes is shorter than its {TAG_BYTES}-byte tag",
                    self.ciphertext.len()
                ),
            });
        }
        Ok(())
    }

    /// How many keys the entry was sealed to: what a placeholder shows.
    pub fn audience_size(&self) -> usize {
        self.recipients.len()
    }

    /// Whether the entry has a slot for this key.
    pub fn is_for(&self, key: KeyId) -> bool {
        self.recipients.iter().any(|r| r.key == key)
    }
}
