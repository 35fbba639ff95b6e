//! Who, inside a post, is acting: the signed-in operator as the console's
//! access check hands it to the routes, and the headers by which the CLI
//! names its operator to a running node.
//!
//! The access layer (`api/access.rs`, the accounts in `crate::operators`)
//! fills [`SignedIn`] into each authenticated request's extensions; the
//! routes that write entries read it and record the operator inside the
//! signed entry.

use serde::{Deserialize, Serialize};

/// The header in which the CLI names the operator account given by
/// `--operator` (or `LIANDONG_OPERATOR`).
pub const OPERATOR_HEADER: &str = "x-liandong-operator";
/// The header in which the CLI passes the local user's login name, used
/// to find the account that user maps to when no `--operator` is given.
pub const OS_USER_HEADER: &str = "x-liandong-os-user";

/// What an operator may do at this post. Ordered: each role may do
/// everything the roles before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OperatorRole {
    /// Reads only (the board in the duty room).
    Viewer,
    /// 值班员: reports, tasks, resources, notes.
    Operator,
    /// 带班领导: response decisions, warnings, plan activation, revocation,
    /// certificate issue, bundle import.
    Leader,
    /// Accounts and console settings.
    Admin,
}

/// The operator behind one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// The account name (ASCII, unique at this post).
    pub account: String,
    /// The name people know them by (张三).
    pub display: String,
    pub role: OperatorRole,
}

/// The operator of a CLI command that works on the store itself (no node
/// running): the account named by `explicit` (`--operator`), else the
/// account `os_user` maps to, else nobody.
///
/// Placeholder until the accounts land (issue 17, `crate::operators`):
/// takes the explicit name as both account and display name.
pub fn resolve_offline(
    _data_dir: &crate::datadir::DataDir,
    explicit: Option<&str>,
    _os_user: Option<&str>,
) -> Result<Option<SignedIn>, String> {
    Ok(explicit.map(|a| SignedIn {
        account: a.to_owned(),
        display: a.to_owned(),
        role: OperatorRole::Admin,
    }))
}
