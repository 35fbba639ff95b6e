//! A post on disk: its data directory opened into config, key and ledger.

use std::fs;

use liandong_protocol::{Body, PostProfile, Status};

use crate::config::{Config, ConfigError, PostConfig};
use crate::datadir::DataDir;
use crate::identity::{self, IdentityError};
use crate::ledger::{Ledger, LedgerError};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum PostError {
    #[error(
        "{0} is not a liandong data directory (no secret.key); run `liandong init` \
         or pass the right --data-dir / 不是联动数据目录，请先运行 liandong init 或检查 --data-dir"
    )]
    NotInitialised(String),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

#[derive(Debug)]
pub struct Post {
    pub data_dir: DataDir,
    pub config: Config,
    pub ledger: Ledger,
}

impl Post {
    /// Opens an initialised data directory.
    pub fn open(data_dir: &DataDir) -> Result<Post, PostError> {
        if !data_dir.root().exists() || !data_dir.is_initialised() {
            // A config without a key means the key was lost or moved:
            // say so rather than "not initialised".
            if data_dir.config_path().exists() {
                return Err(IdentityError::Missing(data_dir.key_path()).into());
            }
            return Err(PostError::NotInitialised(
                data_dir.root().display().to_string(),
            ));
        }
        let keypair = identity::load_key(&data_dir.key_path())?;
        let config = Config::load(&data_dir.config_path())?;
        let store = Store::open(&data_dir.store_path(), config.store.cache_mb)?;
        let ledger = Ledger::open(
            store,
            keypair,
            config.network.network_id(),
            config.limits.clone(),
            config.interest(),
        )?;
        Ok(Post {
            data_dir: data_dir.clone(),
            config,
            ledger,
        })
    }

    /// Like [`Post::open`], but waits up to `patience` while another
    /// command briefly holds the store (a `status` run by cron, say).
    pub fn open_waiting(
        data_dir: &DataDir,
        patience: std::time::Duration,
    ) -> Result<Post, PostError> {
        let end = std::time::Instant::now() + patience;
        loop {
            match Post::open(data_dir) {
                Err(PostError::Store(StoreError::Locked(_))) if std::time::Instant::now() < end => {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                other => return other,
            }
        }
    }

    /// Creates a new post: key, config, store, and its first entry (the
    /// post's self-description). Refuses a directory that already holds a
    /// post or anything else.
    pub fn init(data_dir: &DataDir, config: Config) -> Result<Post, PostError> {
        let root = data_dir.root();
        if data_dir.is_initialised() {
            return Err(IdentityError::AlreadyExists(data_dir.key_path()).into());
        }
        if root.exists() {
            let non_empty = fs::read_dir(root)
                .map_err(|source| IdentityError::Io {
                    path: root.to_path_buf(),
                    source,
                })?
                .next()
                .is_some();
            if non_empty {
                return Err(PostError::NotInitialised(format!(
                    "{} is not empty and holds no liandong post; refusing to write into it",
                    root.display()
                )));
            }
        }
        fs::create_dir_all(root).map_err(|source| IdentityError::Io {
            path: root.to_path_buf(),
            source,
        })?;
        let keypair = identity::create_key(&data_dir.key_path())?;
        let config_path = data_dir.config_path();
        fs::write(&config_path, config.to_toml()).map_err(|source| ConfigError::Io {
            path: config_path.clone(),
            source,
        })?;
        let store = Store::open(&data_dir.store_path(), config.store.cache_mb)?;
        let ledger = Ledger::open(
            store,
            keypair,
            config.network.network_id(),
            config.limits.clone(),
            config.interest(),
        )?;
        let post = Post {
            data_dir: data_dir.clone(),
            config,
            ledger,
        };
        post.publish_profile()?;
        Ok(post)
    }

    /// Writes the post's self-description from its config.
    pub fn publish_profile(&self) -> Result<(), LedgerError> {
        let PostConfig {
            name,
            level,
            region,
            unit_type,
            contact,
        } = self.config.post.clone();
        let body = Body::PostProfile(PostProfile {
            name,
            level,
            region: region.clone(),
            unit_type,
            contact,
        });
        self.ledger.author(region, Status::Actual, body)?;
        Ok(())
    }
}
