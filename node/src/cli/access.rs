//! Commands work whether or not the node runs: with the store when it is
//! free, through the running node's API when `liandong run` holds it.

use super::CliError;
use crate::client::Client;
use crate::datadir::DataDir;
use crate::post::{Post, PostError};
use crate::store::StoreError;

pub enum Access {
    Local(Box<Post>),
    Running(Client),
}

pub fn open(data_dir: &DataDir) -> Result<Access, CliError> {
    match Post::open(data_dir) {
        Ok(post) => Ok(Access::Local(Box::new(post))),
        Err(PostError::Store(StoreError::Locked(_))) => match Client::find(data_dir) {
            Ok(client) => Ok(Access::Running(client)),
            // Locked, but no running node: another command holds it
            // briefly; wait for it.
            Err(_) => Ok(Access::Local(Box::new(Post::open_waiting(
                data_dir, PATIENCE,
            )?))),
        },
        Err(e) => Err(e.into()),
    }
}

/// How long a command waits for another short command to release the store.
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(5);

pub fn remote(e: crate::client::ClientError) -> CliError {
    CliError::Failed(e.to_string())
}
