//! The certificate file a parent hands a newcomer (on a USB stick): the
//! signed genesis and the certificate chain, root first, the newcomer's own
//! certificate last.
//!
//! ```text
//! cert file = CERT_FILE_MAGIC(16) || codec(CertFile)
//! ```
//!
//! The file itself is not signed: every piece in it is (the genesis by the
//! root, each certificate by its issuer), and the installing post checks
//! each through its ordinary ingest path.

use serde::{Deserialize, Serialize};

use crate::codec::{self, DecodeError, EncodeError};
use crate::limits::HARD_MAX_ENCODED_BYTES;

pub const CERT_FILE_MAGIC: &[u8; 16] = b"LIANDONG-CERTIFY";
/// Most certificates in one chain: six levels and a member unit, with room.
pub const MAX_CHAIN_ENTRIES: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertFile {
    /// The signed genesis bytes (without the genesis file magic).
    #[serde(with = "serde_bytes")]
    pub genesis: Vec<u8>,
    /// Certificate entries' wire bytes, root first, the subject's last.
    pub chain: Vec<serde_bytes::ByteBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertFileError {
    #[error("not a liandong certificate file (wrong magic bytes) / 不是证书文件")]
    NotACertFile,
    #[error("certificate file is undecodable / 证书文件无法解析: {0}")]
    Undecodable(DecodeError),
    #[error(
        "certificate file holds {0} certificates; a chain has 1–{MAX_CHAIN_ENTRIES} / 证书链长度有误"
    )]
    ChainLength(usize),
    #[error("cannot encode certificate file: {0}")]
    Encode(EncodeError),
}

impl CertFile {
    pub fn new(genesis: Vec<u8>, chain: Vec<Vec<u8>>) -> CertFile {
        CertFile {
            genesis,
            chain: chain.into_iter().map(serde_bytes::ByteBuf::from).collect(),
        }
    }

    pub fn to_file_bytes(&self) -> Result<Vec<u8>, CertFileError> {
        let body = codec::encode(self).map_err(CertFileError::Encode)?;
        Ok([&CERT_FILE_MAGIC[..], &body].concat())
    }

    /// Reads a certificate file; the size is bounded by the codec's hard
    /// limit before anything is decoded.
    pub fn from_file_bytes(file: &[u8]) -> Result<CertFile, CertFileError> {
        let body = file
            .strip_prefix(&CERT_FILE_MAGIC[..])
            .ok_or(CertFileError::NotACertFile)?;
        let cf: CertFile =
            codec::decode(body, HARD_MAX_ENCODED_BYTES).map_err(CertFileError::Undecodable)?;
        if cf.chain.is_empty() || cf.chain.len() > MAX_CHAIN_ENTRIES {
            return Err(CertFileError::ChainLength(cf.chain.len()));
        }
        Ok(cf)
    }

    /// The chain's entries' wire bytes, root first.
    pub fn entries(&self) -> Vec<Vec<u8>> {
        self.chain.iter().map(|b| b.to_vec()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bounds() {
        let cf = CertFile::new(vec![1, 2, 3], vec![vec![4; 10], vec![5; 20]]);
        let bytes = cf.to_file_bytes().expect("encode");
        assert_eq!(CertFile::from_file_bytes(&bytes), Ok(cf));
        assert_eq!(
            CertFile::from_file_bytes(b"LIANDONG-GENESIS"),
            Err(CertFileError::NotACertFile)
        );
        let empty = CertFile::new(vec![1], Vec::new())
            .to_file_bytes()
            .expect("encode");
        assert_eq!(
            CertFile::from_file_bytes(&empty),
            Err(CertFileError::ChainLength(0))
        );
    }
}
