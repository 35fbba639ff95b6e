//! The people who work a post: their accounts and roles, how they log in
//! to the console, and the audit trail of what they did there. All local
//! to the post, in its data directory; nothing here is replicated.
//!
//! | file | what |
//! |---|---|
//! | `operators.json` | the accounts ([`book`]), 0600, replaced atomically |
//! | `audit.log`, `audit.head` | the hash-chained audit trail ([`audit`]) |
//! | `local-cli.credential` | the running node's credential for its own CLI ([`local_credential`]) |
//!
//! Sessions ([`sessions`]) and the login throttle ([`throttle`]) live in
//! the running node's memory. Nothing here reads the post's signing key.

pub mod account;
pub mod audit;
pub mod book;
pub mod files;
pub mod local_credential;
pub mod password;
pub mod role;
pub mod sessions;
pub mod throttle;

pub use account::{AccountRow, MACHINE_ACCOUNT};
pub use audit::{AuditEvent, AuditLog, AuditRecord};
pub use book::{AccountBook, NewAccount};
pub use role::OperatorRole;

/// Why an account operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperatorsError {
    #[error("bad account name {0} / 账户名无效")]
    BadName(String),
    #[error("bad display name: {0} / 显示名无效")]
    BadDisplay(String),
    #[error("the account {0:?} already exists / 账户已存在")]
    Exists(String),
    #[error("{0:?} is reserved for the console token's machine account / 该名称保留给机器账户")]
    Reserved(String),
    #[error("no account {0:?} at this post / 本节点没有该账户")]
    NoSuchAccount(String),
    #[error("the account {0:?} is disabled / 该账户已停用")]
    Disabled(String),
    #[error(
        "{0:?} is the last admin able to log in: add or enable another admin first / 这是最后一个可用的管理员账户，请先新增或启用其他管理员"
    )]
    LastAdmin(String),
    #[error(
        "the local login {os_user:?} already maps to the account {account:?} / 该本机用户已对应其他账户"
    )]
    OsUserTaken { os_user: String, account: String },
    #[error(
        "this post has the most accounts it keeps ({}) / 账户数量已达上限",
        book::MAX_ACCOUNTS
    )]
    TooMany,
    #[error(transparent)]
    Password(#[from] password::PasswordError),
    #[error("the accounts file cannot be read or written: {0} / 账户文件读写失败")]
    Io(String),
    #[error("the accounts file is damaged: {0} / 账户文件已损坏")]
    Corrupt(String),
}

impl OperatorsError {
    /// The API's error code for it.
    pub fn code(&self) -> &'static str {
        match self {
            OperatorsError::BadName(_) => "bad_account_name",
            OperatorsError::BadDisplay(_) => "bad_display_name",
            OperatorsError::Exists(_) => "account_exists",
            OperatorsError::Reserved(_) => "account_reserved",
            OperatorsError::NoSuchAccount(_) => "unknown_operator",
            OperatorsError::Disabled(_) => "operator_disabled",
            OperatorsError::LastAdmin(_) => "last_admin",
            OperatorsError::OsUserTaken { .. } => "os_user_taken",
            OperatorsError::TooMany => "too_many_accounts",
            OperatorsError::Password(password::PasswordError::Hash(_)) => "internal",
            OperatorsError::Password(_) => "bad_password",
            OperatorsError::Io(_) => "accounts_io",
            OperatorsError::Corrupt(_) => "accounts_corrupt",
        }
    }
}
