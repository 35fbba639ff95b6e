//! The post's agreement keys (X25519): the secrets that open restricted
//! entries sealed to this post, kept in `<data>/agreement.keys` (0600).
//!
//! They are separate from the signing key (`secret.key`) so that they can
//! be rotated without changing who the post is. Rotation appends a new
//! secret and keeps the old ones: entries sealed to an old key stay
//! readable. The file is local and never replicated; only the public
//! halves travel, in the post's `agreement_key` announcements.
//!
//! Format, one key per line: `<number> <64 hex digits>`; the highest
//! number is the current key.

use std::path::{Path, PathBuf};

use liandong_protocol::Limits;
use liandong_protocol::restricted::{AgreementKey, AgreementSecret};

use crate::operators::files::{read_limited, write_private};

/// Most keys one keyring holds (a rotation a day for years).
pub const MAX_KEYS: usize = 4096;
/// The keyring file's size limit: a line is at most ~80 bytes.
const MAX_FILE_BYTES: u64 = (MAX_KEYS as u64) * 96;

#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error("cannot read or write the agreement keys {path}: {source} / 无法读写加密密钥文件")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the agreement keys {path} are damaged at line {line}: {why}; restore the file from \
         a backup (entries sealed to this post cannot be read without it) / 加密密钥文件已损坏"
    )]
    Damaged {
        path: PathBuf,
        line: usize,
        why: String,
    },
    #[error("no randomness for a new agreement key: {0} / 无法生成随机数")]
    NoRandomness(String),
    #[error("the keyring holds {MAX_KEYS} keys, its limit; no further rotation / 密钥数量已达上限")]
    Full,
}

/// The post's agreement secrets, oldest first.
#[derive(Debug, Default)]
pub struct Keyring {
    /// Each key's number, in the order of `secrets`; growing.
    numbers: Vec<u32>,
    secrets: Vec<AgreementSecret>,
    /// The network's limits, which an opened body is checked against
    /// before anything folds it (validation saw only the ciphertext).
    limits: Limits,
}

impl Keyring {
    /// A keyring that opens nothing (development ledgers, tests).
    pub fn empty() -> Keyring {
        Keyring::default()
    }

    /// Loads the keyring at `path`, creating it with a first key when the
    /// file does not exist (a post initialised before restricted entries).
    pub fn load_or_create(path: &Path) -> Result<Keyring, KeyringError> {
        let io = |source| KeyringError::Io {
            path: path.to_path_buf(),
            source,
        };
        match read_limited(path, MAX_FILE_BYTES).map_err(io)? {
            Some(bytes) => Keyring::parse(path, &bytes),
            None => {
                let mut ring = Keyring::empty();
                ring.rotate(path)?;
                Ok(ring)
            }
        }
    }

    fn parse(path: &Path, bytes: &[u8]) -> Result<Keyring, KeyringError> {
        let damaged = |line: usize, why: &str| KeyringError::Damaged {
            path: path.to_path_buf(),
            line,
            why: why.to_string(),
        };
        let text = std::str::from_utf8(bytes).map_err(|_| damaged(0, "not UTF-8"))?;
        let mut ring = Keyring::empty();
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let line_no = i + 1;
            let (number, hex_secret) = line
                .trim()
                .split_once(' ')
                .ok_or_else(|| damaged(line_no, "expected `<number> <hex>`"))?;
            let number: u32 = number
                .parse()
                .map_err(|_| damaged(line_no, "the key number is not a number"))?;
            let mut secret = [0u8; 32];
            hex::decode_to_slice(hex_secret.trim(), &mut secret)
                .map_err(|_| damaged(line_no, "the secret is not 64 hex digits"))?;
            let secret = AgreementSecret::from_bytes(secret)
                .map_err(|e| damaged(line_no, &e.to_string()))?;
            if ring.numbers.last().is_some_and(|last| *last >= number) {
                return Err(damaged(line_no, "key numbers must grow line by line"));
            }
            if ring.numbers.len() == MAX_KEYS {
                return Err(damaged(line_no, "more keys than the limit"));
            }
            ring.numbers.push(number);
            ring.secrets.push(secret);
        }
        if ring.is_empty() {
            return Err(damaged(0, "no key"));
        }
        Ok(ring)
    }

    /// Adds a new current key and writes the whole file (atomically).
    /// Returns the new key's number.
    pub fn rotate(&mut self, path: &Path) -> Result<u32, KeyringError> {
        if self.numbers.len() >= MAX_KEYS {
            return Err(KeyringError::Full);
        }
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| KeyringError::NoRandomness(e.to_string()))?;
        let number = self.current().map_or(1, |(n, _)| n.saturating_add(1));
        self.numbers.push(number);
        self.secrets.push(AgreementSecret::from_seed(seed));
        let mut text = String::new();
        for (n, secret) in self.numbers.iter().zip(&self.secrets) {
            text.push_str(&format!("{n} {}\n", hex::encode(secret.to_bytes())));
        }
        write_private(path, text.as_bytes()).map_err(|source| KeyringError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(number)
    }

    /// The current key's number and public half.
    pub fn current(&self) -> Option<(u32, AgreementKey)> {
        let number = self.numbers.last()?;
        let secret = self.secrets.last()?;
        Some((*number, secret.public()))
    }

    /// Every secret, for opening entries sealed to any of them.
    pub fn secrets(&self) -> &[AgreementSecret] {
        &self.secrets
    }

    /// The keyring checking opened bodies against `limits` (the ledger's).
    pub fn with_limits(mut self, limits: Limits) -> Keyring {
        self.limits = limits;
        self
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_rotated_reloaded_and_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("agreement.keys");
        let mut ring = Keyring::load_or_create(&path).expect("created");
        let (first, first_key) = ring.current().expect("a key");
        assert_eq!(first, 1);
        assert_eq!(ring.rotate(&path).expect("rotated"), 2);
        let again = Keyring::load_or_create(&path).expect("reloaded");
        assert_eq!(again.secrets().len(), 2, "old keys are kept");
        assert_eq!(again.secrets()[0].public(), first_key);
        assert_ne!(again.current().map(|(_, k)| k), Some(first_key));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_damaged_file_is_an_error_naming_the_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("agreement.keys");
        Keyring::load_or_create(&path).expect("created");
        let text = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, format!("{text}2 not-hex\n")).expect("write");
        match Keyring::load_or_create(&path) {
            Err(KeyringError::Damaged { line: 2, .. }) => {}
            other => panic!("expected damage at line 2, got {other:?}"),
        }
        std::fs::write(&path, "").expect("write");
        assert!(matches!(
            Keyring::load_or_create(&path),
            Err(KeyringError::Damaged { .. })
        ));
    }
}
