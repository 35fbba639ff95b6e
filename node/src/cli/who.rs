//! Who is at the keyboard: the operator a writing command records in the
//! entries it writes. Given by `--operator` (or `LIANDONG_OPERATOR`), else
//! the account the local login name maps to.
//!
//! With the store at hand the post's own accounts decide
//! (`service::operator::resolve_offline`); with a node running, both names
//! go to it as headers (`service::operator::OPERATOR_HEADER`,
//! `OS_USER_HEADER`) and its access check decides, as for the console.

use liandong_protocol::Operator;
use liandong_protocol::header::operator::check_account;

use super::CliError;
use crate::client::Client;
use crate::datadir::DataDir;
use crate::service::operator::{may, resolve_offline};
use crate::service::roles;

/// Longest local login name passed on to a running node; longer ones (and
/// ones no header can carry) are not sent.
const MAX_OS_USER_BYTES: usize = 64;

/// The operator a command names and the local user running it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Who {
    /// `--operator`: an account name of this post.
    pub explicit: Option<String>,
    /// The local login name (`$USER`, else `$LOGNAME`).
    pub os_user: Option<String>,
}

impl Who {
    /// From the `--operator` flag and this process's environment. An
    /// account name no entry could record is refused here, before any work.
    pub fn new(explicit: Option<String>) -> Result<Who, CliError> {
        if let Some(account) = &explicit {
            check_account(account)
                .map_err(|e| CliError::Usage(format!("--operator {account:?}: {e}")))?;
        }
        let os_user = ["USER", "LOGNAME"]
            .into_iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|u| is_sendable(u));
        Ok(Who { explicit, os_user })
    }

    /// The operator to record when this command writes to the store
    /// itself: whom the post's accounts say it is, or nobody. Their role
    /// must allow `route` (`POST /api/…`, the console's route for the same
    /// work): the role table of `service::roles`, as for a running node.
    pub fn offline(&self, data_dir: &DataDir, route: &str) -> Result<Option<Operator>, CliError> {
        let found = resolve_offline(data_dir, self.explicit.as_deref(), self.os_user.as_deref())
            .map_err(CliError::Invalid)?;
        let needed = roles::required_role(&axum::http::Method::POST, route)
            .unwrap_or(crate::operators::OperatorRole::Admin);
        may(found.as_ref(), needed).map_err(CliError::Failed)?;
        found
            .map(|who| Operator::new(&who.account, &who.display))
            .transpose()
            .map_err(|e| {
                CliError::Invalid(format!(
                    "the operator cannot be recorded in an entry / 无法记录操作员: {e}"
                ))
            })
    }

    /// A client that names this operator and user to the running node.
    pub fn to_node(&self, client: Client) -> Client {
        client.with_operator(self.explicit.clone(), self.os_user.clone())
    }
}

/// Whether a login name can travel as a header value as it is.
fn is_sendable(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_OS_USER_BYTES
        && name.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unrecordable_account_is_a_usage_error() {
        assert!(matches!(
            Who::new(Some("Zhang San".into())),
            Err(CliError::Usage(_))
        ));
        let who = Who::new(Some("zhangsan".into())).expect("valid");
        assert_eq!(who.explicit.as_deref(), Some("zhangsan"));
    }

    #[test]
    fn only_plain_login_names_are_sent() {
        assert!(is_sendable("zhangsan"));
        assert!(!is_sendable(""));
        assert!(!is_sendable("张三"));
        assert!(!is_sendable("a b"));
        assert!(!is_sendable(&"a".repeat(MAX_OS_USER_BYTES + 1)));
        assert!(is_sendable(&"a".repeat(MAX_OS_USER_BYTES)));
    }
}
