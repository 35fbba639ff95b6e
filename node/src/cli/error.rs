//! What a failed command tells the operator, and its exit code.

use crate::config::ConfigError;
use crate::identity::IdentityError;
use crate::ledger::LedgerError;
use crate::post::PostError;
use crate::store::StoreError;

/// Exit codes, stable for scripts (documented in the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// The operation failed.
    Failed = 1,
    /// Bad arguments (clap uses 2 as well).
    Usage = 2,
    /// The data directory, its config or its key is missing or wrong.
    DataDir = 3,
    /// The store is locked, corrupt or the disk is failing.
    Store = 4,
    /// `verify` found problems.
    Problems = 5,
    /// An entry or input was refused as invalid.
    Invalid = 6,
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    DataDir(String),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store failed, as a running node reported it.
    #[error("{0}")]
    Storage(String),
    #[error("{0}")]
    Invalid(String),
    #[error("verification found {0} problem(s) / 校验发现 {0} 个问题")]
    Problems(usize),
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Usage(_) => ExitCode::Usage,
            CliError::DataDir(_) | CliError::Identity(_) | CliError::Config(_) => ExitCode::DataDir,
            CliError::Store(_) | CliError::Storage(_) => ExitCode::Store,
            CliError::Invalid(_) => ExitCode::Invalid,
            CliError::Problems(_) => ExitCode::Problems,
            CliError::Failed(_) => ExitCode::Failed,
        }
    }
}

impl From<LedgerError> for CliError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::Store(s) => CliError::Store(s),
            LedgerError::Invalid(_)
            | LedgerError::InvalidBody(_)
            | LedgerError::Refused(_)
            | LedgerError::Restricted(_) => CliError::Invalid(e.to_string()),
            LedgerError::NoGenesis => CliError::DataDir(e.to_string()),
            LedgerError::OwnChainForked(_) | LedgerError::Encode(_) | LedgerError::Stopped => {
                CliError::Failed(e.to_string())
            }
        }
    }
}

impl From<PostError> for CliError {
    fn from(e: PostError) -> Self {
        match e {
            PostError::NotInitialised(_) | PostError::InitInterrupted(_) => {
                CliError::DataDir(e.to_string())
            }
            PostError::Identity(i) => CliError::Identity(i),
            PostError::Config(c) => CliError::Config(c),
            PostError::Genesis(g) => CliError::DataDir(g.to_string()),
            PostError::Ledger(l) => l.into(),
            PostError::Store(s) => CliError::Store(s),
            PostError::Keyring(k) => CliError::DataDir(k.to_string()),
        }
    }
}

impl From<crate::net::courier::CourierError> for CliError {
    fn from(e: crate::net::courier::CourierError) -> Self {
        CliError::Failed(e.to_string())
    }
}
