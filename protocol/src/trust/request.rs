//! A certificate request: what a newcomer carries to its parent post.
//!
//! ```text
//! request file = REQUEST_MAGIC(16) || codec(CertRequest) || signature(64)
//! signature    = ed25519 by `subject` over REQUEST_SIGNING_DOMAIN || codec(CertRequest)
//! ```
//!
//! The signature is the proof of possession: whoever hands the parent this
//! file holds the secret of the key to be certified, so nobody can get a
//! certificate issued for a key they merely copied. Its own signing domain
//! keeps it from ever verifying as an entry or a manifest.

use serde::{Deserialize, Serialize};

use crate::codec::{self, DecodeError, EncodeError};
use crate::entry::UnitType;
use crate::ids::{NetworkId, NodeId};
use crate::level::Level;
use crate::limits::SIGNATURE_BYTES;
use crate::region::RegionCode;
use crate::sign::{self, Keypair, SignatureError};

pub const REQUEST_MAGIC: &[u8; 16] = b"LIANDONG-CERTREQ";
pub const REQUEST_SIGNING_DOMAIN: &[u8] = b"liandong/cert-request/v1\0";
/// Largest request file accepted.
pub const MAX_REQUEST_BYTES: usize = 8 * 1024;

/// What the newcomer proposes; the issuer decides what it certifies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertRequest {
    pub network: NetworkId,
    pub subject: NodeId,
    pub name: String,
    pub level: Level,
    pub region: RegionCode,
    pub unit_type: UnitType,
    pub contact: String,
    /// Wall-clock ms when the request was made.
    pub created_ms: u64,
    /// Wall-clock ms of the post's first entry in this network: the issuer
    /// dates the certificate's validity back to it, so that what the
    /// newcomer recorded before it was certified becomes valid too.
    pub since_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("not a liandong certificate request (wrong magic bytes) / 不是证书申请文件")]
    NotARequest,
    #[error("request is {size} bytes, over the limit of {max} / 申请文件过大")]
    TooLarge { size: usize, max: usize },
    #[error("request is undecodable / 申请文件无法解析: {0}")]
    Undecodable(DecodeError),
    #[error(
        "request signature is invalid (not signed by the key it names) / 申请文件签名无效: {0}"
    )]
    Signature(SignatureError),
    #[error("cannot encode request: {0}")]
    Encode(EncodeError),
}

impl CertRequest {
    /// The request file, signed by the subject's own key.
    pub fn sign(&self, keypair: &Keypair) -> Result<Vec<u8>, RequestError> {
        if keypair.node_id() != self.subject {
            // Signing someone else's key would prove nothing.
            return Err(RequestError::Signature(SignatureError::Bad));
        }
        let body = codec::encode(self).map_err(RequestError::Encode)?;
        let signature = keypair.sign(REQUEST_SIGNING_DOMAIN, &body);
        Ok([&REQUEST_MAGIC[..], &body, &signature].concat())
    }

    /// Reads a request file and checks the proof of possession.
    pub fn verify(file: &[u8]) -> Result<CertRequest, RequestError> {
        if file.len() > MAX_REQUEST_BYTES {
            return Err(RequestError::TooLarge {
                size: file.len(),
                max: MAX_REQUEST_BYTES,
            });
        }
        let bytes = file
            .strip_prefix(&REQUEST_MAGIC[..])
            .ok_or(RequestError::NotARequest)?;
        if bytes.len() <= SIGNATURE_BYTES {
            return Err(RequestError::Undecodable(DecodeError::Undecodable(
                "too short to hold a signature".into(),
            )));
        }
        let (body, signature) = bytes.split_at(bytes.len() - SIGNATURE_BYTES);
        let request: CertRequest =
            codec::decode(body, MAX_REQUEST_BYTES).map_err(RequestError::Undecodable)?;
        sign::verify(&request.subject, REQUEST_SIGNING_DOMAIN, body, signature)
            .map_err(RequestError::Signature)?;
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(kp: &Keypair) -> CertRequest {
        CertRequest {
            network: NetworkId([1; 32]),
            subject: kp.node_id(),
            name: "西戈壁镇".into(),
            level: Level::Township,
            region: "654203106".parse().expect("region"),
            unit_type: UnitType::Command,
            contact: String::new(),
            created_ms: 5,
            since_ms: 4,
        }
    }

    #[test]
    fn round_trip_and_proof_of_possession() {
        let kp = Keypair::from_secret([3; 32]);
        let file = request(&kp).sign(&kp).expect("sign");
        assert_eq!(CertRequest::verify(&file), Ok(request(&kp)));

        let mut tampered = file.clone();
        tampered[20] ^= 1;
        assert!(CertRequest::verify(&tampered).is_err());

        // A request naming someone else's key cannot be made.
        let other = Keypair::from_secret([4; 32]);
        assert!(request(&other).sign(&kp).is_err());
        // Nor forged by re-signing the body with another key.
        let body = codec::encode(&request(&other)).expect("encode");
        let forged = [
            &REQUEST_MAGIC[..],
            &body,
            &kp.sign(REQUEST_SIGNING_DOMAIN, &body),
        ]
        .concat();
        assert!(matches!(
            CertRequest::verify(&forged),
            Err(RequestError::Signature(_))
        ));
        assert_eq!(
            CertRequest::verify(b"not a request at all"),
            Err(RequestError::NotARequest)
        );
    }
}
