//! The genesis: the signed document that defines a network.
//!
//! ```text
//! genesis file   = GENESIS_MAGIC(16) || signed genesis
//! signed genesis = codec(Genesis) || signature(64)
//! signature      = ed25519 by roots[0] over GENESIS_SIGNING_DOMAIN || codec(Genesis)
//! network id     = BLAKE3 derive_key(NETWORK_ID_CONTEXT, signed genesis)
//! ```
//!
//! The network id commits to every byte of the signed genesis — roots,
//! authority policy, limits — so two posts that agree on the id agree on
//! the rules, and an entry of another network (or of a genesis edited after
//! the fact) is refused by the stateless validator's network check.

use serde::{Deserialize, Serialize};

use crate::authority::{AuthorityPolicy, PostInfo, Role};
use crate::codec::{self, DecodeError, EncodeError};
use crate::entry::UnitType;
use crate::ids::{NetworkId, NodeId};
use crate::level::Level;
use crate::limits::{Limits, MAX_ENTRY_CEILING, SIGNATURE_BYTES};
use crate::region::RegionCode;
use crate::sign::{self, Keypair, SignatureError};

pub const GENESIS_MAGIC: &[u8; 16] = b"LIANDONG-GENESIS";
pub const GENESIS_SIGNING_DOMAIN: &[u8] = b"liandong/genesis/v1\0";
/// The BLAKE3 `derive_key` context of network ids.
pub const NETWORK_ID_CONTEXT: &str = "liandong network id from genesis v1";
/// The genesis format this code writes and reads.
pub const GENESIS_VERSION: u8 = 1;
/// Largest signed genesis accepted (a few hundred bytes in practice).
pub const MAX_GENESIS_BYTES: usize = 64 * 1024;
/// Most root keys a network may have.
pub const MAX_ROOTS: usize = 8;
/// Smallest `max_entry_bytes` a genesis may set: below it, certificates
/// would not fit.
pub const MIN_ENTRY_BYTES: usize = 2048;

/// A root post: certified by the genesis itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Root {
    pub key: NodeId,
    pub name: String,
    pub roles: Vec<Role>,
}

/// What defines a network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    pub version: u8,
    /// The network's name, e.g. "新疆应急联动网".
    pub name: String,
    /// Wall-clock ms at creation.
    pub created_ms: u64,
    /// The root posts; the first one signs the genesis.
    pub roots: Vec<Root>,
    /// The roots' region: "00" for a national network, a province code for
    /// a provincial deployment.
    pub root_region: RegionCode,
    pub root_level: Level,
    pub policy: AuthorityPolicy,
    pub limits: Limits,
}

/// Why a genesis is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenesisError {
    #[error("not a liandong genesis file (wrong magic bytes) / 不是联动网络创世文件")]
    NotAGenesis,
    #[error("genesis is {size} bytes, over the limit of {max} / 创世文件过大")]
    TooLarge { size: usize, max: usize },
    #[error("genesis is undecodable / 创世文件无法解析: {0}")]
    Undecodable(DecodeError),
    #[error("genesis has version {0}; this liandong reads version {v} / 创世文件版本不受支持", v = GENESIS_VERSION)]
    UnsupportedVersion(u8),
    #[error("genesis signature is invalid / 创世文件签名无效: {0}")]
    Signature(SignatureError),
    #[error("genesis must be signed by its first root key / 创世文件须由第一个根密钥签名")]
    SignerNotRoot,
    #[error("genesis is inconsistent / 创世文件内容有误: {0}")]
    Invalid(String),
    #[error("cannot encode genesis: {0}")]
    Encode(EncodeError),
}

impl Genesis {
    /// A one-root genesis with the default authority policy.
    pub fn new(
        name: &str,
        created_ms: u64,
        root: Root,
        root_region: RegionCode,
        limits: Limits,
    ) -> Genesis {
        Genesis {
            version: GENESIS_VERSION,
            name: name.trim().to_string(),
            created_ms,
            roots: vec![root],
            root_level: root_region.level(),
            root_region,
            policy: AuthorityPolicy::default(),
            limits,
        }
    }

    /// The genesis's own consistency rules.
    pub fn check(&self) -> Result<(), GenesisError> {
        let invalid = |why: String| Err(GenesisError::Invalid(why));
        if self.version != GENESIS_VERSION {
            return Err(GenesisError::UnsupportedVersion(self.version));
        }
        let name_ok = |n: &str| !n.trim().is_empty() && n.chars().count() <= 128;
        if !name_ok(&self.name) {
            return invalid(
                "the network name must be 1–128 characters / 网络名称须为 1–128 字".into(),
            );
        }
        if self.roots.is_empty() || self.roots.len() > MAX_ROOTS {
            return invalid(format!("a genesis names 1–{MAX_ROOTS} roots"));
        }
        for (i, root) in self.roots.iter().enumerate() {
            if !name_ok(&root.name) {
                return invalid(format!("root {} needs a name of 1–128 characters", i + 1));
            }
            if self.roots[..i].iter().any(|r| r.key == root.key) {
                return invalid(format!("root key {} is listed twice", root.key.short()));
            }
        }
        if self.root_region.level() != self.root_level {
            return invalid(format!(
                "root region {} is not at level {} / 根区划与级别不符",
                self.root_region, self.root_level
            ));
        }
        let l = &self.limits;
        if l.max_entry_bytes < MIN_ENTRY_BYTES || l.max_entry_bytes > MAX_ENTRY_CEILING {
            return invalid(format!(
                "max_entry_bytes must lie in {MIN_ENTRY_BYTES}..={MAX_ENTRY_CEILING}"
            ));
        }
        if l.max_name_chars == 0 || l.max_text_chars == 0 {
            return invalid("text limits must be positive".into());
        }
        Ok(())
    }

    /// The post a root key stands for.
    pub fn root_post(&self, key: &NodeId) -> Option<PostInfo> {
        self.roots.iter().find(|r| r.key == *key).map(|r| PostInfo {
            node: r.key,
            name: r.name.as_str().into(),
            level: self.root_level,
            region: self.root_region.clone(),
            unit_type: UnitType::Command,
            roles: r.roles.clone(),
            can_certify: true,
            cooperates: Vec::new(),
        })
    }

    pub fn is_root(&self, key: &NodeId) -> bool {
        self.roots.iter().any(|r| r.key == *key)
    }
}

/// A genesis whose signature verified, with its exact signed bytes and the
/// network id derived from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedGenesis {
    genesis: Genesis,
    bytes: Vec<u8>,
    network: NetworkId,
}

impl SignedGenesis {
    /// Signs a genesis with the first root's key.
    pub fn sign(genesis: Genesis, keypair: &Keypair) -> Result<SignedGenesis, GenesisError> {
        genesis.check()?;
        if genesis.roots.first().map(|r| r.key) != Some(keypair.node_id()) {
            return Err(GenesisError::SignerNotRoot);
        }
        let mut bytes = codec::encode(&genesis).map_err(GenesisError::Encode)?;
        let signature = keypair.sign(GENESIS_SIGNING_DOMAIN, &bytes);
        bytes.extend_from_slice(&signature);
        if bytes.len() > MAX_GENESIS_BYTES {
            return Err(GenesisError::TooLarge {
                size: bytes.len(),
                max: MAX_GENESIS_BYTES,
            });
        }
        Ok(SignedGenesis {
            network: network_id_of(&bytes),
            genesis,
            bytes,
        })
    }

    /// Decodes and verifies signed genesis bytes (without the file magic).
    pub fn from_bytes(bytes: &[u8]) -> Result<SignedGenesis, GenesisError> {
        if bytes.len() > MAX_GENESIS_BYTES {
            return Err(GenesisError::TooLarge {
                size: bytes.len(),
                max: MAX_GENESIS_BYTES,
            });
        }
        if bytes.len() <= SIGNATURE_BYTES {
            return Err(GenesisError::Undecodable(DecodeError::Undecodable(
                "too short to hold a signature".into(),
            )));
        }
        let (body, signature) = bytes.split_at(bytes.len() - SIGNATURE_BYTES);
        let genesis: Genesis =
            codec::decode(body, MAX_GENESIS_BYTES).map_err(GenesisError::Undecodable)?;
        genesis.check()?;
        let signer = genesis
            .roots
            .first()
            .map(|r| r.key)
            .ok_or(GenesisError::SignerNotRoot)?;
        sign::verify(&signer, GENESIS_SIGNING_DOMAIN, body, signature)
            .map_err(GenesisError::Signature)?;
        Ok(SignedGenesis {
            network: network_id_of(bytes),
            genesis,
            bytes: bytes.to_vec(),
        })
    }

    /// The genesis file: magic, then the signed bytes.
    pub fn to_file_bytes(&self) -> Vec<u8> {
        [&GENESIS_MAGIC[..], &self.bytes].concat()
    }

    /// Reads a genesis file.
    pub fn from_file_bytes(file: &[u8]) -> Result<SignedGenesis, GenesisError> {
        match file.strip_prefix(&GENESIS_MAGIC[..]) {
            Some(bytes) => Self::from_bytes(bytes),
            None => Err(GenesisError::NotAGenesis),
        }
    }

    pub fn genesis(&self) -> &Genesis {
        &self.genesis
    }

    /// The signed bytes (what the network id is derived from).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn network_id(&self) -> NetworkId {
        self.network
    }
}

fn network_id_of(signed: &[u8]) -> NetworkId {
    NetworkId(blake3::derive_key(NETWORK_ID_CONTEXT, signed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn genesis(kp: &Keypair) -> Genesis {
        Genesis::new(
            "测试网",
            1_795_000_000_000,
            Root {
                key: kp.node_id(),
                name: "国家应急指挥中心".into(),
                roles: Vec::new(),
            },
            RegionCode::national(),
            Limits::default(),
        )
    }

    #[test]
    fn sign_read_back_and_derive_the_network() {
        let kp = Keypair::from_secret([7; 32]);
        let signed = SignedGenesis::sign(genesis(&kp), &kp).expect("sign");
        let file = signed.to_file_bytes();
        let back = SignedGenesis::from_file_bytes(&file).expect("read");
        assert_eq!(back, signed);
        assert_eq!(back.genesis().root_level, Level::National);
        assert!(back.genesis().is_root(&kp.node_id()));
        // Any change to the genesis is another network.
        let mut g = genesis(&kp);
        g.policy.response_min_level[3] = Level::Township;
        let other = SignedGenesis::sign(g, &kp).expect("sign");
        assert_ne!(other.network_id(), signed.network_id());
    }

    #[test]
    fn tampering_and_foreign_signers_are_refused() {
        let kp = Keypair::from_secret([7; 32]);
        let signed = SignedGenesis::sign(genesis(&kp), &kp).expect("sign");
        let mut bytes = signed.bytes().to_vec();
        bytes[3] ^= 1;
        assert!(SignedGenesis::from_bytes(&bytes).is_err());
        assert_eq!(
            SignedGenesis::from_file_bytes(b"LIANDONG-BUNDLE1...."),
            Err(GenesisError::NotAGenesis)
        );
        let stranger = Keypair::from_secret([8; 32]);
        assert_eq!(
            SignedGenesis::sign(genesis(&kp), &stranger),
            Err(GenesisError::SignerNotRoot)
        );
        let big = vec![0u8; MAX_GENESIS_BYTES + 1];
        assert!(matches!(
            SignedGenesis::from_bytes(&big),
            Err(GenesisError::TooLarge { .. })
        ));
    }

    #[test]
    fn inconsistent_genesis_is_refused() {
        let kp = Keypair::from_secret([7; 32]);
        let mut g = genesis(&kp);
        g.root_level = Level::Province;
        assert!(matches!(g.check(), Err(GenesisError::Invalid(_))));
        let mut g = genesis(&kp);
        g.limits.max_entry_bytes = 100;
        assert!(matches!(g.check(), Err(GenesisError::Invalid(_))));
        let mut g = genesis(&kp);
        g.roots.push(g.roots[0].clone());
        assert!(matches!(g.check(), Err(GenesisError::Invalid(_))));
        let mut g = genesis(&kp);
        g.version = 9;
        assert_eq!(g.check(), Err(GenesisError::UnsupportedVersion(9)));
    }
}
