//! Commands work whether or not the node runs: with the store when it is
//! free, through the running node's API when `liandong run` holds it.

use super::CliError;
use super::who::Who;
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

/// Like [`open`], for a command that writes entries: a running node is
/// told who is entering them (`who.rs`); with the store at hand the
/// command resolves the operator itself (`Who::offline`).
pub fn open_as(data_dir: &DataDir, who: &Who) -> Result<Access, CliError> {
    Ok(match open(data_dir)? {
        Access::Running(client) => Access::Running(who.to_node(client)),
        local @ Access::Local(_) => local,
    })
}

/// How long a command waits for another short command to release the store.
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(5);

/// The running node's refusal, with the exit code the same refusal has
/// locally: the API's error code and status say which kind it was.
pub fn remote(e: crate::client::ClientError) -> CliError {
    use crate::client::ClientError;
    match e {
        ClientError::Refused { code, message, .. }
            if crate::service::http::STORE_CODES.contains(&code.as_str()) =>
        {
            CliError::Storage(message)
        }
        ClientError::Refused {
            status: 400,
            message,
            ..
        } => CliError::Usage(message),
        // The console's own access checks: not the input's fault.
        ClientError::Refused { code, message, .. }
            if [
                "unauthorized",
                "bad_token",
                "csrf",
                "forbidden_host",
                "forbidden_role",
                "unknown_operator",
                "operator_disabled",
            ]
            .contains(&code.as_str()) =>
        {
            CliError::Failed(message)
        }
        ClientError::Refused {
            status: 401..=499,
            message,
            ..
        } => CliError::Invalid(message),
        other => CliError::Failed(other.to_string()),
    }
}
