//! Agreement keys: each post's X25519 key pair for restricted entries,
//! separate from its ed25519 signing key, announced in an
//! [`Kind::AGREEMENT_KEY`](crate::header::Kind::AGREEMENT_KEY) entry and
//! rotated by announcing a new one with a higher number.

use std::fmt;

use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem as _, Serializable};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use super::RestrictedError;
use super::encoding::fixed;
use crate::body_rules::BodyError;
use crate::limits::Limits;

pub const AGREEMENT_KEY_BYTES: usize = 32;
pub const KEY_ID_BYTES: usize = 8;

/// The BLAKE3 key-derivation context of key ids: a key id is never
/// mistaken for any other hash of the same 32 bytes.
const KEY_ID_CONTEXT: &str = "liandong 2026-12 agreement key id";

/// The X25519 suite's private and public key types (RFC 9180 DHKEM).
pub(crate) type HpkeSecret = <X25519HkdfSha256 as hpke::Kem>::PrivateKey;
pub(crate) type HpkePublic = <X25519HkdfSha256 as hpke::Kem>::PublicKey;

/// A short public name of an agreement key: what an envelope lists for
/// each recipient, so that a post finds its slot without trying them all.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct KeyId(#[serde(with = "fixed")] pub [u8; KEY_ID_BYTES]);

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// A post's X25519 public key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AgreementKey(#[serde(with = "fixed")] pub [u8; AGREEMENT_KEY_BYTES]);

impl AgreementKey {
    /// The first 8 bytes of a domain-separated BLAKE3 hash of the key.
    pub fn id(&self) -> KeyId {
        let mut hasher = blake3::Hasher::new_derive_key(KEY_ID_CONTEXT);
        hasher.update(&self.0);
        let mut id = [0u8; KEY_ID_BYTES];
        id.copy_from_slice(&hasher.finalize().as_bytes()[..KEY_ID_BYTES]);
        KeyId(id)
    }

    /// The key as HPKE takes it; `None` for a key no one can encrypt to:
    /// all zeros, or a point of small order (its shared secret with any
    /// key is zero, which RFC 9180 §7.1.4 makes the sender refuse).
    pub(crate) fn to_hpke(self) -> Option<HpkePublic> {
        if self.0 == [0u8; AGREEMENT_KEY_BYTES] {
            return None;
        }
        let public = HpkePublic::from_bytes(&self.0).ok()?;
        // One trial encapsulation with a fixed ephemeral key decides it:
        // the X25519 function clamps scalars to multiples of 8, so exactly
        // the small-order points give the all-zero result.
        let mut rng = <chacha20::ChaCha20Rng as hpke::rand_core::SeedableRng>::from_seed(
            *b"liandong agreement key probe!!!!",
        );
        hpke::setup_sender_with_rng::<
            hpke::aead::ChaCha20Poly1305,
            hpke::kdf::HkdfSha256,
            X25519HkdfSha256,
        >(&hpke::OpModeS::Base, &public, b"", &mut rng)
        .ok()?;
        Some(public)
    }
}

impl fmt::Display for AgreementKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for AgreementKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AgreementKey({})", hex::encode(&self.0[..4]))
    }
}

/// A post's X25519 private key. Its bytes are wiped when it is dropped,
/// and `Debug` names only its key id.
#[derive(Clone)]
pub struct AgreementSecret {
    secret: Zeroizing<[u8; 32]>,
    public: AgreementKey,
}

impl AgreementSecret {
    /// Derives a key pair from 32 random bytes (RFC 9180 DeriveKeyPair).
    pub fn from_seed(seed: [u8; 32]) -> AgreementSecret {
        let (secret, _) = X25519HkdfSha256::derive_keypair(&seed);
        Self::from_hpke(&secret)
    }

    /// Reads a stored private key back. All zeros is refused: that is an
    /// empty file or an unset field, never a key this code wrote.
    pub fn from_bytes(bytes: [u8; 32]) -> Result<AgreementSecret, RestrictedError> {
        let mut bytes = Zeroizing::new(bytes);
        if *bytes == [0u8; 32] {
            return Err(RestrictedError::BadSecret);
        }
        let secret = HpkeSecret::from_bytes(&bytes[..]).map_err(|_| RestrictedError::BadSecret)?;
        bytes.zeroize();
        Ok(Self::from_hpke(&secret))
    }

    fn from_hpke(secret: &HpkeSecret) -> AgreementSecret {
        let public = X25519HkdfSha256::sk_to_pk(secret).to_bytes();
        let mut key = [0u8; AGREEMENT_KEY_BYTES];
        key.copy_from_slice(&public);
        let mut encoded = secret.to_bytes();
        let mut bytes = Zeroizing::new([0u8; 32]);
        bytes.copy_from_slice(&encoded);
        encoded.as_mut_slice().zeroize();
        AgreementSecret {
            secret: bytes,
            public: AgreementKey(key),
        }
    }

    /// The private key's bytes (clamped, as RFC 9180 serialises them), for
    /// the post's key file.
    pub fn to_bytes(&self) -> [u8; 32] {
        *self.secret
    }

    pub fn public(&self) -> AgreementKey {
        self.public
    }

    pub(crate) fn to_hpke(&self) -> Option<HpkeSecret> {
        HpkeSecret::from_bytes(&self.secret[..]).ok()
    }
}

impl fmt::Debug for AgreementSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AgreementSecret(key id {})", self.public.id())
    }
}

/// The body of a [`Kind::AGREEMENT_KEY`](crate::header::Kind::AGREEMENT_KEY)
/// entry: the author's current agreement key. `number` starts at 1 and
/// grows with each rotation; the highest number is the key in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyAnnouncement {
    pub key: AgreementKey,
    pub number: u32,
}

impl KeyAnnouncement {
    pub fn check(&self, _limits: &Limits) -> Result<(), BodyError> {
        if self.number == 0 {
            return Err(crate::body_rules::DomainError::Zero { field: "number" }.into());
        }
        if self.key.to_hpke().is_none() {
            return Err(BodyError::BadAgreementKey { field: "key" });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_round_trip_and_never_print_their_bytes() {
        let s = AgreementSecret::from_seed([3; 32]);
        let again = AgreementSecret::from_bytes(s.to_bytes()).expect("stored key");
        assert_eq!(again.public(), s.public());
        assert_eq!(again.to_bytes(), s.to_bytes());
        assert_eq!(AgreementSecret::from_seed([3; 32]).public(), s.public());
        assert_ne!(AgreementSecret::from_seed([4; 32]).public(), s.public());

        let shown = format!("{s:?}");
        assert!(shown.contains(&s.public().id().to_string()), "{shown}");
        let bytes = s.to_bytes();
        assert!(!shown.contains(&hex::encode(bytes)), "{shown}");
        assert!(!shown.contains(&format!("{:?}", bytes)), "{shown}");
        assert!(!shown.contains(&hex::encode(&bytes[..4])), "{shown}");
        assert_eq!(
            AgreementSecret::from_bytes([0; 32]).map(|s| s.public()),
            Err(RestrictedError::BadSecret)
        );
    }

    #[test]
    fn key_ids_are_short_domain_separated_hashes() {
        let key = AgreementSecret::from_seed([3; 32]).public();
        assert_eq!(key.id(), key.id());
        assert_ne!(key.id().0, key.0[..KEY_ID_BYTES]);
        assert_ne!(key.id().0, blake3::hash(&key.0).as_bytes()[..KEY_ID_BYTES]);
        assert_eq!(key.id().to_string().len(), 2 * KEY_ID_BYTES);
    }

    #[test]
    fn announcements_need_a_usable_key_and_a_number() {
        let limits = Limits::default();
        let key = AgreementSecret::from_seed([5; 32]).public();
        assert_eq!(KeyAnnouncement { key, number: 1 }.check(&limits), Ok(()));
        assert!(KeyAnnouncement { key, number: 0 }.check(&limits).is_err());
        // The all-zero point, the identity (u = 1) and a point of order 8:
        // every shared secret with them is zero.
        let mut order8 = [0u8; 32];
        hex::decode_to_slice(
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
            &mut order8,
        )
        .expect("hex");
        let mut one = [0u8; 32];
        one[0] = 1;
        for bad in [[0u8; 32], one, order8] {
            assert_eq!(
                KeyAnnouncement {
                    key: AgreementKey(bad),
                    number: 1
                }
                .check(&limits),
                Err(BodyError::BadAgreementKey { field: "key" }),
                "{}",
                hex::encode(bad)
            );
        }
    }
}
