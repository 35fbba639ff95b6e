//! Who, inside a post, is acting: the signed-in operator as the console's
//! access check hands it to the routes, and the headers by which the CLI
//! names its operator to a running node.
//!
//! The access layer (`api/access.rs`, the accounts in `crate::operators`)
//! fills [`SignedIn`] into each authenticated request's extensions; the
//! routes that write entries read it and record the operator inside the
//! signed entry.

use crate::operators::AccountBook;
pub use crate::operators::OperatorRole;

/// The header in which the CLI names the operator account given by
/// `--operator` (or `LIANDONG_OPERATOR`).
pub const OPERATOR_HEADER: &str = "x-liandong-operator";
/// The header in which the CLI passes the local user's login name, used
/// to find the account that user maps to when no `--operator` is given.
pub const OS_USER_HEADER: &str = "x-liandong-os-user";

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
/// account `os_user` maps to (its configured local login, else an account
/// of that name), else nobody. An explicit name that is no account, or a
/// disabled account, is an error naming it; a post with no accounts has
/// nobody to record.
pub fn resolve_offline(
    data_dir: &crate::datadir::DataDir,
    explicit: Option<&str>,
    os_user: Option<&str>,
) -> Result<Option<SignedIn>, String> {
    let book = AccountBook::load(data_dir).map_err(|e| e.to_string())?;
    if book.is_empty() {
        return match explicit.map(str::trim).filter(|s| !s.is_empty()) {
            Some(name) => {
                Err(crate::operators::OperatorsError::NoSuchAccount(name.into()).to_string())
            }
            None => Ok(None),
        };
    }
    let found = book.resolve(explicit, os_user).map_err(|e| e.to_string())?;
    Ok(found.map(|a| SignedIn {
        account: a.account.clone(),
        display: a.display.clone(),
        role: a.role,
    }))
}

/// Whether the operator of an offline CLI command may do what needs
/// `needed` (`service::roles::required_role`, the same table the console's guard
/// reads). Nobody named (no accounts, or a local login that maps to none)
/// acts as the post's own user, who holds its key: allowed.
pub fn may(operator: Option<&SignedIn>, needed: OperatorRole) -> Result<(), String> {
    match operator {
        Some(op) if !op.role.permits(needed) => Err(format!(
            "{} ({}) is {} and this needs {needed} or higher / {}为{}，此操作须由{}或更高角色执行",
            op.display,
            op.account,
            op.role,
            op.display,
            op.role.name_zh(),
            needed.name_zh()
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datadir::DataDir;
    use crate::operators::NewAccount;

    #[test]
    fn an_offline_operator_acts_within_their_role() {
        let zhang = SignedIn {
            account: "zhang".into(),
            display: "张三".into(),
            role: OperatorRole::Operator,
        };
        assert!(may(Some(&zhang), OperatorRole::Operator).is_ok());
        let err = may(Some(&zhang), OperatorRole::Leader).expect_err("a decision");
        assert!(err.contains("张三") && err.contains("带班领导"), "{err}");
        assert!(may(None, OperatorRole::Admin).is_ok());
    }

    #[test]
    fn offline_commands_act_as_the_named_or_mapped_account() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        assert_eq!(resolve_offline(&dir, None, Some("duty")), Ok(None));
        assert!(resolve_offline(&dir, Some("zhang"), None).is_err());
        let mut book = AccountBook::default();
        book.add(
            NewAccount {
                account: "zhang".into(),
                display: "张三".into(),
                role: OperatorRole::Operator,
                password: "password-1234".into(),
                os_user: Some("duty".into()),
            },
            1,
        )
        .expect("add");
        book.save(&dir).expect("save");
        let zhang = Some(SignedIn {
            account: "zhang".into(),
            display: "张三".into(),
            role: OperatorRole::Operator,
        });
        assert_eq!(
            resolve_offline(&dir, Some("Zhang"), None),
            Ok(zhang.clone())
        );
        assert_eq!(resolve_offline(&dir, None, Some("duty")), Ok(zhang));
        assert_eq!(resolve_offline(&dir, None, Some("root")), Ok(None));
        let err = resolve_offline(&dir, Some("li"), None).expect_err("unknown");
        assert!(err.contains("li") && err.contains("没有该账户"), "{err}");
        book.set_disabled("zhang", true, 2).expect("disable");
        book.save(&dir).expect("save");
        let err = resolve_offline(&dir, None, Some("duty")).expect_err("disabled");
        assert!(err.contains("停用"), "{err}");
    }
}
