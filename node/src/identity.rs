//! The post's secret key on disk, and the libp2p identity derived from it.
//!
//! One ed25519 secret signs ledger entries and authenticates the post's
//! libp2p connections, so a peer's transport identity and its entry-author
//! identity are the same key.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use liandong_protocol::Keypair;

const KEY_HEADER: &str = "# liandong ed25519 secret key / 联动节点私钥 — never share / 切勿外传";

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error(
        "a key already exists at {0}; it is never overwritten / 私钥已存在，不会覆盖 \
         (use another --data-dir for a new post)"
    )]
    AlreadyExists(PathBuf),
    #[error("no key file at {0}: run `liandong init` first / 未找到私钥，请先运行 liandong init")]
    Missing(PathBuf),
    #[error(
        "key file {path} is readable by others (mode {mode:o}); run `chmod 600 {path}` / \
         私钥文件权限过宽，请执行 chmod 600"
    )]
    LoosePermissions { path: PathBuf, mode: u32 },
    #[error("key file {0} is not a liandong key file (corrupt or foreign) / 私钥文件格式错误")]
    Malformed(PathBuf),
    #[error("cannot read or write key file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the operating system has no randomness for a new key: {0}")]
    NoRandomness(String),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> IdentityError + '_ {
    move |source| IdentityError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates a new random key at `path` (mode 0600). Refuses to replace one.
pub fn create_key(path: &Path) -> Result<Keypair, IdentityError> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| IdentityError::NoRandomness(e.to_string()))?;
    let keypair = Keypair::from_secret(secret);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => IdentityError::AlreadyExists(path.to_path_buf()),
            _ => IdentityError::Io {
                path: path.to_path_buf(),
                source: e,
            },
        })?;
    file.write_all(key_file_text(&keypair).as_bytes())
        .map_err(io_err(path))?;
    file.sync_all().map_err(io_err(path))?;
    Ok(keypair)
}

/// Loads the key at `path`, refusing a file others can read.
pub fn load_key(path: &Path) -> Result<Keypair, IdentityError> {
    let meta = fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => IdentityError::Missing(path.to_path_buf()),
        _ => IdentityError::Io {
            path: path.to_path_buf(),
            source: e,
        },
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(IdentityError::LoosePermissions {
            path: path.to_path_buf(),
            mode,
        });
    }
    if meta.len() > 4096 {
        return Err(IdentityError::Malformed(path.to_path_buf()));
    }
    let text =
        fs::read_to_string(path).map_err(|_| IdentityError::Malformed(path.to_path_buf()))?;
    parse_key_file(&text).ok_or_else(|| IdentityError::Malformed(path.to_path_buf()))
}

/// The text of a key file: a warning comment, then the secret in hex.
pub fn key_file_text(keypair: &Keypair) -> String {
    format!("{KEY_HEADER}\n{}\n", hex::encode(keypair.secret_bytes()))
}

/// Reads the secret from a key file's text: the first line that is not
/// blank or a comment, 64 hex characters. (Split from [`load_key`] so the
/// parser can be fuzzed without a file.)
pub fn parse_key_file(text: &str) -> Option<Keypair> {
    let hex_line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))?;
    let mut secret = [0u8; 32];
    hex::decode_to_slice(hex_line, &mut secret).ok()?;
    Some(Keypair::from_secret(secret))
}

/// The libp2p identity of the same key.
pub fn libp2p_keypair(keypair: &Keypair) -> libp2p_identity::Keypair {
    let mut secret = keypair.secret_bytes();
    // `ed25519_from_bytes` only fails on a wrong length, and we pass exactly 32 bytes.
    libp2p_identity::Keypair::ed25519_from_bytes(&mut secret)
        .unwrap_or_else(|_| unreachable!("32-byte ed25519 secret"))
}

pub fn peer_id(keypair: &Keypair) -> libp2p_identity::PeerId {
    libp2p_keypair(keypair).public().to_peer_id()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_load_and_never_overwrite() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("secret.key");
        let kp = create_key(&path).expect("create");
        assert_eq!(
            fs::metadata(&path).expect("meta").permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(load_key(&path).expect("load").node_id(), kp.node_id());
        assert!(matches!(
            create_key(&path),
            Err(IdentityError::AlreadyExists(_))
        ));
        assert_eq!(
            load_key(&path).expect("still there").node_id(),
            kp.node_id()
        );
    }

    #[test]
    fn loose_permissions_and_garbage_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("secret.key");
        create_key(&path).expect("create");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(matches!(
            load_key(&path),
            Err(IdentityError::LoosePermissions { mode: 0o644, .. })
        ));
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).expect("chmod");
        fs::write(&path, "not a key").expect("write");
        assert!(matches!(load_key(&path), Err(IdentityError::Malformed(_))));
        assert!(matches!(
            load_key(&dir.path().join("none")),
            Err(IdentityError::Missing(_))
        ));
    }

    #[test]
    fn libp2p_identity_uses_the_same_key() {
        let kp = Keypair::from_secret([5u8; 32]);
        let p2p = libp2p_keypair(&kp);
        let ed = p2p.clone().try_into_ed25519().expect("ed25519");
        assert_eq!(ed.public().to_bytes(), kp.node_id().0);
    }
}
