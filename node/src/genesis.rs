//! The network's genesis on disk: `genesis.bin` in the data directory, and
//! the genesis files operators carry between posts.
//!
//! A data directory with a genesis belongs to that network: its network id
//! and limits come from the genesis and the trust layer admits received
//! entries. Without one, the post runs in development mode (network id from
//! the config's network name, no admission), as before the trust layer.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use liandong_protocol::trust::genesis::{GENESIS_MAGIC, MAX_GENESIS_BYTES};
use liandong_protocol::trust::{GenesisError, SignedGenesis};

#[derive(Debug, thiserror::Error)]
pub enum GenesisFileError {
    #[error("cannot read or write genesis file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("genesis file {path} is invalid / 创世文件无效: {source}")]
    Invalid { path: PathBuf, source: GenesisError },
    #[error(
        "this post already belongs to a network ({0} exists); it is never replaced \
         / 本节点已加入网络，创世文件不会被覆盖"
    )]
    AlreadyExists(PathBuf),
}

/// Reads and verifies a genesis file; `Ok(None)` when there is none.
pub fn load(path: &Path) -> Result<Option<SignedGenesis>, GenesisFileError> {
    match read(path) {
        Ok(g) => Ok(Some(g)),
        Err(GenesisFileError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Reads and verifies a genesis file that must exist. The size is bounded
/// before the file is read into memory.
pub fn read(path: &Path) -> Result<SignedGenesis, GenesisFileError> {
    let io = |source| GenesisFileError::Io {
        path: path.to_path_buf(),
        source,
    };
    let invalid = |source| GenesisFileError::Invalid {
        path: path.to_path_buf(),
        source,
    };
    let max = (GENESIS_MAGIC.len() + MAX_GENESIS_BYTES) as u64;
    let mut bytes = Vec::new();
    File::open(path)
        .map_err(io)?
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > max {
        return Err(invalid(GenesisError::TooLarge {
            size: bytes.len(),
            max: max as usize,
        }));
    }
    SignedGenesis::from_file_bytes(&bytes).map_err(invalid)
}

/// Writes a genesis file that must not exist yet: to a temporary name,
/// synced, then renamed, so a crash never leaves half a genesis.
pub fn write_new(path: &Path, genesis: &SignedGenesis) -> Result<(), GenesisFileError> {
    if path.exists() {
        return Err(GenesisFileError::AlreadyExists(path.to_path_buf()));
    }
    write_file(path, &genesis.to_file_bytes()).map_err(|source| GenesisFileError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes `bytes` to `path` atomically (temporary file, fsync, rename).
pub fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("partial");
    let mut file = File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    fs::rename(&tmp, path)
}
