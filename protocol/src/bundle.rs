//! The signed manifest of a bundle: entries carried on a USB stick.
//!
//! ```text
//! bundle   = MAGIC(16) || u32be(len) || signed manifest || entries
//! entries  = { u32be(len) || entry wire bytes }*
//! manifest signature = ed25519(BUNDLE_SIGNING_DOMAIN || bincode(Manifest))
//! ```
//!
//! The manifest names the exporter, the network, the count, the set digest
//! of the entries, and the BLAKE3 hash of the entries section, so a
//! truncated, reordered or altered file is refused as a whole before any
//! entry is imported. Each entry is still validated on its own on import:
//! the exporter vouches for the file, not for other authors' entries.

use serde::{Deserialize, Serialize};

use crate::codec::{self, DecodeError, EncodeError};
use crate::digest::LedgerDigest;
use crate::hlc::Hlc;
use crate::ids::{NetworkId, NodeId};
use crate::limits::SIGNATURE_BYTES;
use crate::region::RegionCode;
use crate::sign::{self, Keypair, SignatureError};

pub const MAGIC: &[u8; 16] = b"LIANDONG-BUNDLE1";
pub const BUNDLE_SIGNING_DOMAIN: &[u8] = b"liandong/bundle-manifest/v1\0";
/// Largest signed manifest accepted.
pub const MAX_MANIFEST_BYTES: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub network: NetworkId,
    pub exporter: NodeId,
    /// Wall-clock time of export, ms since the epoch.
    pub created_ms: u64,
    /// The post region whose interest was exported.
    pub scope: RegionCode,
    pub since: Option<Hlc>,
    pub count: u64,
    pub digest: LedgerDigest,
    /// BLAKE3 of the entries section, exactly as written.
    pub content_hash: [u8; 32],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("manifest is undecodable: {0}")]
    Undecodable(DecodeError),
    #[error("manifest signature is invalid: {0}")]
    Signature(SignatureError),
    #[error("manifest is {0} bytes, too short to hold a signature")]
    TooShort(usize),
}

impl Manifest {
    /// The signed manifest bytes.
    pub fn sign(&self, keypair: &Keypair) -> Result<Vec<u8>, EncodeError> {
        let mut bytes = codec::encode(self)?;
        let sig = keypair.sign(BUNDLE_SIGNING_DOMAIN, &bytes);
        bytes.extend_from_slice(&sig);
        Ok(bytes)
    }

    /// Decodes signed manifest bytes and checks the exporter's signature.
    pub fn verify(bytes: &[u8]) -> Result<Manifest, ManifestError> {
        if bytes.len() <= SIGNATURE_BYTES {
            return Err(ManifestError::TooShort(bytes.len()));
        }
        let (body, sig) = bytes.split_at(bytes.len() - SIGNATURE_BYTES);
        let manifest: Manifest =
            codec::decode(body, MAX_MANIFEST_BYTES).map_err(ManifestError::Undecodable)?;
        sign::verify(&manifest.exporter, BUNDLE_SIGNING_DOMAIN, body, sig)
            .map_err(ManifestError::Signature)?;
        Ok(manifest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(kp: &Keypair) -> Manifest {
        Manifest {
            network: NetworkId::from_name("t"),
            exporter: kp.node_id(),
            created_ms: 1,
            scope: "654203".parse().expect("region"),
            since: None,
            count: 3,
            digest: LedgerDigest::default(),
            content_hash: [1; 32],
        }
    }

    #[test]
    fn signed_manifest_round_trips_and_detects_tampering() {
        let kp = Keypair::from_secret([4; 32]);
        let m = manifest(&kp);
        let bytes = m.sign(&kp).expect("sign");
        assert_eq!(Manifest::verify(&bytes), Ok(m));
        let mut tampered = bytes.clone();
        tampered[40] ^= 1;
        assert!(Manifest::verify(&tampered).is_err());
        assert_eq!(
            Manifest::verify(&bytes[..10]),
            Err(ManifestError::TooShort(10))
        );
    }

    #[test]
    fn entry_signatures_do_not_verify_as_manifests() {
        // Domain separation: the same key signing the same bytes as an entry
        // gives a signature that is worthless as a manifest signature.
        let kp = Keypair::from_secret([4; 32]);
        let body = codec::encode(&manifest(&kp)).expect("encode");
        let mut bytes = body.clone();
        bytes.extend_from_slice(&kp.sign(crate::entry::wire::ENTRY_SIGNING_DOMAIN, &body));
        assert!(matches!(
            Manifest::verify(&bytes),
            Err(ManifestError::Signature(_))
        ));
    }
}
