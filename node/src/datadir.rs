//! The data directory of a post and what lives in it.
//!
//! ```text
//! <data-dir>/
//!   secret.key    the post's ed25519 secret (mode 0600, never overwritten)
//!   config.toml   the post's profile, network settings and limits
//!   genesis.bin   the network's signed genesis (absent: development mode)
//!   store/        the sled ledger (see `store::keys` for its layout)
//!   operators.json  operator accounts (0600; `operators::book`)
//!   audit.log, audit.head  the console's audit trail (0600; `operators::audit`)
//!   local-cli.credential  the running node's credential for its CLI (0600)
//!   agreement.keys  the post's X25519 secrets for restricted entries (0600;
//!                 `restricted::keyring`); losing it loses what was sealed to it
//! ```

use std::path::{Path, PathBuf};

/// Where the data directory is when neither `--data-dir` nor
/// `LIANDONG_DATA_DIR` says: the per-user data directory
/// (`~/.local/share/liandong` on Linux).
pub fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("cn", "liandong", "liandong")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".liandong"))
}

/// The paths inside one data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DataDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn key_path(&self) -> PathBuf {
        self.root.join("secret.key")
    }

    pub fn config_path(&self) -> PathBuf {
        self.root.join("config.toml")
    }

    pub fn store_path(&self) -> PathBuf {
        self.root.join("store")
    }

    /// Development-mode roles, read by `run` and the domain commands when
    /// present (`--dev-roles` names another file).
    pub fn dev_roles_path(&self) -> PathBuf {
        self.root.join("dev-roles.toml")
    }

    /// The post's agreement secrets (restricted entries).
    pub fn agreement_keys_path(&self) -> PathBuf {
        self.root.join("agreement.keys")
    }

    pub fn genesis_path(&self) -> PathBuf {
        self.root.join("genesis.bin")
    }

    /// True when `init` has run here (a key file exists).
    pub fn is_initialised(&self) -> bool {
        self.key_path().exists()
    }
}
