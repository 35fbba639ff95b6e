//! A post on disk: its data directory opened into config, key, genesis and
//! ledger. Creating one is in [`create`].

mod create;

use std::fs;
use std::path::PathBuf;

use liandong_protocol::restricted::KeyAnnouncement;
use liandong_protocol::{Body, Keypair, PostPlace, PostProfile, SignedGenesis, Status};

use crate::config::{Config, ConfigError, PostConfig};
use crate::datadir::DataDir;
use crate::genesis::{self, GenesisFileError};
use crate::identity::{self, IdentityError};
use crate::ledger::{Ledger, LedgerError};
use crate::restricted::{Keyring, KeyringError, directory};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum PostError {
    #[error(
        "{0} is not a liandong data directory (no secret.key); run `liandong init` \
         or pass the right --data-dir / 不是联动数据目录，请先运行 liandong init 或检查 --data-dir"
    )]
    NotInitialised(String),
    #[error(
        "an earlier `liandong init` in {0} was interrupted before it finished; run the same \
         `liandong init` again (it starts over) / 上次初始化未完成，请重新运行 liandong init"
    )]
    InitInterrupted(String),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Genesis(#[from] GenesisFileError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Keyring(#[from] KeyringError),
}

#[derive(Debug)]
pub struct Post {
    pub data_dir: DataDir,
    pub config: Config,
    pub ledger: Ledger,
    /// The network this post belongs to; `None` in development mode.
    pub genesis: Option<SignedGenesis>,
}

impl Post {
    /// Opens an initialised data directory.
    pub fn open(data_dir: &DataDir) -> Result<Post, PostError> {
        create::finish_or_report(data_dir)?;
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
        let genesis = genesis::load(&data_dir.genesis_path())?;
        Self::open_parts(data_dir, config, keypair, genesis)
    }

    fn open_parts(
        data_dir: &DataDir,
        config: Config,
        keypair: Keypair,
        genesis: Option<SignedGenesis>,
    ) -> Result<Post, PostError> {
        let keyring = Keyring::load_or_create(&data_dir.agreement_keys_path())?;
        let store = Store::open_with(&data_dir.store_path(), config.store.options())?;
        let mut ledger = match &genesis {
            Some(g) => Ledger::open_in_network(store, keypair, g.clone(), config.interest())?,
            None => Ledger::open(
                store,
                keypair,
                config.network.network_id(),
                config.limits.clone(),
                config.interest(),
            )?,
        };
        ledger.set_keyring(keyring);
        Ok(Post {
            data_dir: data_dir.clone(),
            config,
            ledger,
            genesis,
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

    /// Moves an initialised development-mode post into the network of
    /// `genesis` (used by `genesis create` at the root post).
    ///
    /// Its development ledger belongs to another network id, so it is moved
    /// aside (to `store.before-genesis`, never deleted) and the post starts
    /// a fresh ledger in the network with its profile as entry 1. The store
    /// is moved before the genesis is written: a crash in between leaves a
    /// development post with an empty ledger, and the command can be rerun.
    pub fn join_network(data_dir: &DataDir, genesis: &SignedGenesis) -> Result<Post, PostError> {
        let genesis_path = data_dir.genesis_path();
        if genesis_path.exists() {
            return Err(GenesisFileError::AlreadyExists(genesis_path).into());
        }
        let keypair = identity::load_key(&data_dir.key_path())?;
        let config = Config::load(&data_dir.config_path())?;
        let store = data_dir.store_path();
        if store.exists() {
            let aside = free_name(data_dir.root().join("store.before-genesis"));
            fs::rename(&store, &aside).map_err(|source| GenesisFileError::Io {
                path: aside.clone(),
                source,
            })?;
        }
        genesis::write_new(&genesis_path, genesis)?;
        let post = Self::open_parts(data_dir, config, keypair, Some(genesis.clone()))?;
        post.publish_profile()?;
        post.publish_place()?;
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
            ..
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

    /// Announces the post's current agreement key when its latest
    /// announcement names another (at start: the first after this feature,
    /// or after `liandong key rotate`). Scoped to the post's region, so the
    /// key travels where its certificate does. Returns whether it wrote.
    pub fn publish_agreement_key(&self) -> Result<bool, LedgerError> {
        // Development posts have no audience to resolve.
        if !self.ledger.trust_enabled() {
            return Ok(false);
        }
        let Some((number, key)) = self.ledger.keyring().current() else {
            return Ok(false);
        };
        let announced = directory::announced_keys(self.ledger.store())?;
        if announced.get(&self.ledger.node_id()) == Some(&key) {
            return Ok(false);
        }
        let body = Body::AgreementKey(KeyAnnouncement { key, number });
        self.ledger
            .author(self.config.post.region.clone(), Status::Actual, body)?;
        Ok(true)
    }

    /// Writes the post's map position when its config names one this
    /// post has not yet published (at init, and at every start, so a moved
    /// post is redrawn). Returns whether an entry was written.
    pub fn publish_place(&self) -> Result<bool, LedgerError> {
        let Some(point) = self.config.post.location else {
            return Ok(false);
        };
        let latest =
            crate::service::rows::post_places(self.ledger.store())?.remove(&self.ledger.node_id());
        if latest == Some(point) {
            return Ok(false);
        }
        let body = Body::PostPlace(PostPlace { point });
        self.ledger
            .author(self.config.post.region.clone(), Status::Actual, body)?;
        Ok(true)
    }
}

/// `path`, or `path.2`, `path.3`, … whichever does not exist yet.
fn free_name(path: PathBuf) -> PathBuf {
    let mut candidate = path.clone();
    let mut n = 2;
    while candidate.exists() {
        candidate = PathBuf::from(format!("{}.{n}", path.display()));
        n += 1;
    }
    candidate
}
