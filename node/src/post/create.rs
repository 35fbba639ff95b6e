//! Creating a post, all or nothing.
//!
//! `init` builds the whole post — key, config, genesis, store and its first
//! entry (the profile) — in a staging directory `<data-dir>/.init/`, syncs
//! it, then moves the pieces into the data directory with `secret.key`
//! last. A data directory with `secret.key` is a post, and it is complete;
//! one with `.init/` and no key is an init a kill or power cut interrupted,
//! which nobody was told had succeeded: the next `init` clears it and
//! starts over, and every other command says to run `init` again.
//!
//! Staging inside the data directory (not beside it) keeps every rename on
//! one file system and needs no write access to the parent, which a
//! service account often lacks (`/var/lib`).

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use liandong_protocol::SignedGenesis;

use super::{Post, PostError};
use crate::config::{Config, ConfigError};
use crate::datadir::DataDir;
use crate::genesis;
use crate::identity::{self, IdentityError};

/// The staging directory inside the data directory.
const STAGING: &str = ".init";
/// What an init moves into place, the key last (see the module comment).
const PIECES: [&str; 4] = ["store", "config.toml", "genesis.bin", "secret.key"];
/// How long opening the new post waits for the staging store's lock.
const REOPEN_PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

impl Post {
    /// Creates a new post in development mode: key, config, store, and its
    /// first entry (the post's self-description). Refuses a directory that
    /// already holds a post or anything else.
    pub fn init(data_dir: &DataDir, config: Config) -> Result<Post, PostError> {
        Self::init_in(data_dir, config, None)
    }

    /// Creates a new post in the network of `genesis` (a newcomer joining).
    pub fn init_in(
        data_dir: &DataDir,
        config: Config,
        genesis: Option<&SignedGenesis>,
    ) -> Result<Post, PostError> {
        let root = data_dir.root();
        if data_dir.is_initialised() {
            return Err(IdentityError::AlreadyExists(data_dir.key_path()).into());
        }
        clear_interrupted(root)?;
        if root.exists() {
            let non_empty = fs::read_dir(root).map_err(io(root))?.next().is_some();
            if non_empty {
                return Err(PostError::NotInitialised(format!(
                    "{} is not empty and holds no liandong post; refusing to write into it",
                    root.display()
                )));
            }
        }
        let staging = DataDir::new(root.join(STAGING));
        fs::create_dir_all(staging.root()).map_err(io(staging.root()))?;
        build(&staging, config, genesis)?;
        sync_dir(staging.root())?;
        for piece in PIECES {
            let from = staging.root().join(piece);
            if from.exists() {
                if piece == "secret.key" {
                    // Everything else is in place, durably, before the key
                    // makes the directory a post.
                    sync_dir(root)?;
                }
                fs::rename(&from, root.join(piece)).map_err(io(&from))?;
            }
        }
        sync_dir(root)?;
        fs::remove_dir_all(staging.root()).map_err(io(staging.root()))?;
        sync_dir(root)?;
        Post::open_waiting(data_dir, REOPEN_PATIENCE)
    }
}

/// Writes every piece of a new post into `staging`, each synced.
fn build(
    staging: &DataDir,
    config: Config,
    genesis: Option<&SignedGenesis>,
) -> Result<(), PostError> {
    let keypair = identity::create_key(&staging.key_path())?;
    let config_path = staging.config_path();
    write_synced(&config_path, config.to_toml().as_bytes()).map_err(|source| ConfigError::Io {
        path: config_path.clone(),
        source,
    })?;
    if let Some(g) = genesis {
        genesis::write_new(&staging.genesis_path(), g)?;
    }
    let post = Post::open_parts(staging, config, keypair, genesis.cloned())?;
    // Durable before it returns (an authored entry), like every write.
    post.publish_profile()?;
    post.publish_place()?;
    Ok(())
}

/// Called when a post is opened: finishes the clean-up of an init that
/// completed (`secret.key` in place), or says an init was interrupted.
pub(super) fn finish_or_report(data_dir: &DataDir) -> Result<(), PostError> {
    let staging = data_dir.root().join(STAGING);
    if !staging.exists() {
        return Ok(());
    }
    if data_dir.is_initialised() {
        fs::remove_dir_all(&staging).map_err(io(&staging))?;
        return Ok(());
    }
    Err(PostError::InitInterrupted(
        data_dir.root().display().to_string(),
    ))
}

/// Removes what an interrupted init left, so that `init` can start over.
/// Only called when the data directory has no key: nothing in it was ever
/// reported as created, and an init only ever writes into an empty one.
fn clear_interrupted(root: &Path) -> Result<(), PostError> {
    let staging = root.join(STAGING);
    if !staging.exists() {
        return Ok(());
    }
    for piece in PIECES {
        let path = root.join(piece);
        let removed = if path.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        match removed {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(&path)(e).into()),
        }
    }
    fs::remove_dir_all(&staging).map_err(io(&staging))?;
    tracing::warn!(
        dir = %root.display(),
        "cleared an interrupted init; starting over / 已清理中断的初始化，重新开始"
    );
    Ok(())
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

fn sync_dir(dir: &Path) -> Result<(), IdentityError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> IdentityError + '_ {
    move |source| IdentityError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use liandong_protocol::{Level, UnitType};

    use super::*;
    use crate::config::PostConfig;

    fn config() -> Config {
        Config::new(PostConfig {
            name: "西戈壁村".into(),
            level: Level::Village,
            region: "654203106201".parse().expect("region"),
            unit_type: UnitType::Command,
            contact: String::new(),
            location: None,
        })
    }

    #[test]
    fn init_leaves_a_complete_post_and_no_staging() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = DataDir::new(dir.path().join("post"));
        let post = Post::init(&data, config()).expect("init");
        assert_eq!(post.ledger.store().count().expect("count"), 1, "profile");
        assert!(!data.root().join(STAGING).exists());
        for piece in ["store", "config.toml", "secret.key"] {
            assert!(data.root().join(piece).exists(), "{piece}");
        }
    }

    #[test]
    fn an_interrupted_init_is_reported_then_started_over() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = DataDir::new(dir.path().join("post"));
        // What a kill during the moves leaves: pieces in place, the key
        // still in staging.
        fs::create_dir_all(data.root().join(STAGING)).expect("mkdir");
        fs::write(data.root().join(STAGING).join("secret.key"), "half").expect("w");
        fs::write(data.root().join("config.toml"), "half").expect("w");
        assert!(matches!(
            Post::open(&data),
            Err(PostError::InitInterrupted(_))
        ));
        let post = Post::init(&data, config()).expect("init starts over");
        assert_eq!(post.ledger.store().count().expect("count"), 1);
    }

    #[test]
    fn a_finished_init_whose_clean_up_was_cut_opens() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = DataDir::new(dir.path().join("post"));
        drop(Post::init(&data, config()).expect("init"));
        fs::create_dir_all(data.root().join(STAGING)).expect("leftover");
        let post = Post::open_waiting(&data, REOPEN_PATIENCE).expect("opens");
        assert_eq!(post.ledger.store().count().expect("count"), 1);
        assert!(!data.root().join(STAGING).exists());
    }
}
