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
        Err(PostError::Store(StoreError::Locked(path))) => match Client::find(data_dir) {
            Ok(client) => Ok(Access::Running(client)),
            // Locked, but no node.json: another command holds it briefly,
            // or a node without a console.
            Err(_) => Err(CliError::Store(StoreError::Locked(path))),
        },
        Err(e) => Err(e.into()),
    }
}

pub fn remote(e: crate::client::ClientError) -> CliError {
    CliError::Failed(e.to_string())
}
