//! Ed25519 keys and signatures with domain separation.
//!
//! Every signature in Liandong covers `domain || message`, with a distinct
//! domain per purpose, and every verification is strict
//! (`verify_strict`: no small-order keys, canonical scalars), so a signature
//! is valid for exactly one message and one purpose.

use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::ids::NodeId;
use crate::limits::SIGNATURE_BYTES;

/// A post's signing key. The secret never leaves this type except through
/// [`Keypair::secret_bytes`], used to write the key file.
pub struct Keypair {
    signing: SigningKey,
}

impl Keypair {
    /// Builds the key from its 32 secret bytes (sans-IO: the caller supplies
    /// the randomness for a new key).
    pub fn from_secret(secret: [u8; 32]) -> Self {
        Keypair {
            signing: SigningKey::from_bytes(&secret),
        }
    }

    pub fn secret_bytes(&self) -> [u8; 32] {
        self.signing.to_bytes()
    }

    pub fn node_id(&self) -> NodeId {
        NodeId(self.signing.verifying_key().to_bytes())
    }

    /// Signs `domain || message`.
    pub fn sign(&self, domain: &[u8], message: &[u8]) -> [u8; SIGNATURE_BYTES] {
        let mut buf = Vec::with_capacity(domain.len() + message.len());
        buf.extend_from_slice(domain);
        buf.extend_from_slice(message);
        self.signing.sign(&buf).to_bytes()
    }
}

impl fmt::Debug for Keypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Keypair({})", self.node_id().short())
    }
}

/// Why a signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("author key is not a valid ed25519 point")]
    InvalidKey,
    #[error("signature does not verify")]
    Bad,
    #[error("signature verifies only under non-strict rules (weak key or non-canonical form)")]
    NonStrict,
}

/// Verifies `signature` over `domain || message` by `author`, strictly.
pub fn verify(
    author: &NodeId,
    domain: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    let key =
        VerifyingKey::from_bytes(author.as_bytes()).map_err(|_| SignatureError::InvalidKey)?;
    let sig_bytes: &[u8; SIGNATURE_BYTES] =
        signature.try_into().map_err(|_| SignatureError::Bad)?;
    let sig = Signature::from_bytes(sig_bytes);
    let mut buf = Vec::with_capacity(domain.len() + message.len());
    buf.extend_from_slice(domain);
    buf.extend_from_slice(message);
    if key.verify_strict(&buf, &sig).is_ok() {
        return Ok(());
    }
    // Only on failure: tell a forged signature from a merely non-strict one.
    if ed25519_dalek::Verifier::verify(&key, &buf, &sig).is_ok() {
        Err(SignatureError::NonStrict)
    } else {
        Err(SignatureError::Bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify_with_domain() {
        let kp = Keypair::from_secret([9u8; 32]);
        let sig = kp.sign(b"a", b"message");
        assert_eq!(verify(&kp.node_id(), b"a", b"message", &sig), Ok(()));
        assert_eq!(
            verify(&kp.node_id(), b"b", b"message", &sig),
            Err(SignatureError::Bad)
        );
        assert_eq!(
            verify(&kp.node_id(), b"a", b"messagE", &sig),
            Err(SignatureError::Bad)
        );
    }

    #[test]
    fn weak_key_signature_is_non_strict() {
        // The identity point as public key, R = identity, s = 0: passes the
        // cofactorless equation for every message, but is a weak key.
        let mut key = [0u8; 32];
        key[0] = 1;
        let mut sig = [0u8; 64];
        sig[0] = 1;
        assert_eq!(
            verify(&NodeId(key), b"d", b"anything", &sig),
            Err(SignatureError::NonStrict)
        );
    }

    #[test]
    fn secret_round_trip() {
        let kp = Keypair::from_secret([3u8; 32]);
        assert_eq!(
            Keypair::from_secret(kp.secret_bytes()).node_id(),
            kp.node_id()
        );
    }
}
