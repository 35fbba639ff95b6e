//! The post's accounts, kept in `<data-dir>/operators.json` (mode 0600,
//! replaced atomically on every change). Local to the post: never
//! replicated, never in a bundle.
//!
//! Only one process changes the file at a time: the running node (through
//! its API) or, when it is stopped, a CLI command that holds the store's
//! lock meanwhile.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::account::{
    Account, AccountRow, MACHINE_ACCOUNT, account_name, display_name, os_user_name,
};
use super::role::OperatorRole;
use super::{OperatorsError, files, password};
use crate::datadir::DataDir;

/// Accounts a post keeps at most.
pub const MAX_ACCOUNTS: usize = 256;
/// Largest accounts file read (each account is well under 1 KiB).
pub const MAX_ACCOUNTS_FILE_BYTES: u64 = 1024 * MAX_ACCOUNTS as u64;
/// The file's format version.
const FORMAT: u32 = 1;

pub fn accounts_path(data_dir: &DataDir) -> PathBuf {
    data_dir.root().join("operators.json")
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    format: u32,
    accounts: Vec<Account>,
}

/// A new account as the CLI or the admin page gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    pub account: String,
    pub display: String,
    pub role: OperatorRole,
    pub password: String,
    #[serde(default)]
    pub os_user: Option<String>,
}

/// The accounts of one post.
#[derive(Debug, Clone, Default)]
pub struct AccountBook {
    accounts: Vec<Account>,
}

impl AccountBook {
    /// Reads the accounts file; an absent file is a post with no accounts.
    pub fn load(data_dir: &DataDir) -> Result<AccountBook, OperatorsError> {
        Self::load_path(&accounts_path(data_dir))
    }

    fn load_path(path: &Path) -> Result<AccountBook, OperatorsError> {
        let io = |e: std::io::Error| OperatorsError::Io(format!("{}: {e}", path.display()));
        let Some(bytes) = files::read_limited(path, MAX_ACCOUNTS_FILE_BYTES).map_err(io)? else {
            return Ok(AccountBook::default());
        };
        let file: File = serde_json::from_slice(&bytes)
            .map_err(|e| OperatorsError::Corrupt(format!("{}: {e}", path.display())))?;
        if file.format != FORMAT {
            return Err(OperatorsError::Corrupt(format!(
                "{}: format {} (this liandong reads {FORMAT})",
                path.display(),
                file.format
            )));
        }
        if file.accounts.len() > MAX_ACCOUNTS {
            return Err(OperatorsError::Corrupt(format!(
                "{}: more than {MAX_ACCOUNTS} accounts",
                path.display()
            )));
        }
        Ok(AccountBook {
            accounts: file.accounts,
        })
    }

    /// Writes the accounts file (atomically, 0600).
    pub fn save(&self, data_dir: &DataDir) -> Result<(), OperatorsError> {
        let path = accounts_path(data_dir);
        let file = File {
            format: FORMAT,
            accounts: self.accounts.clone(),
        };
        let bytes = serde_json::to_vec_pretty(&file)
            .map_err(|e| OperatorsError::Io(format!("{}: {e}", path.display())))?;
        files::write_private(&path, &bytes)
            .map_err(|e| OperatorsError::Io(format!("{}: {e}", path.display())))
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    pub fn rows(&self) -> Vec<AccountRow> {
        self.accounts.iter().map(Account::row).collect()
    }

    /// The account of that name (as typed: any case).
    pub fn get(&self, name: &str) -> Option<&Account> {
        let name = name.trim();
        self.accounts
            .iter()
            .find(|a| a.account.eq_ignore_ascii_case(name))
    }

    fn get_mut(&mut self, name: &str) -> Result<&mut Account, OperatorsError> {
        let name = name.trim();
        self.accounts
            .iter_mut()
            .find(|a| a.account.eq_ignore_ascii_case(name))
            .ok_or_else(|| OperatorsError::NoSuchAccount(name.to_string()))
    }

    /// Adds an account; the password is hashed here.
    pub fn add(&mut self, new: NewAccount, now_ms: u64) -> Result<AccountRow, OperatorsError> {
        let account = account_name(&new.account)?;
        if account == MACHINE_ACCOUNT {
            return Err(OperatorsError::Reserved(account));
        }
        if self.get(&account).is_some() {
            return Err(OperatorsError::Exists(account));
        }
        if self.accounts.len() >= MAX_ACCOUNTS {
            return Err(OperatorsError::TooMany);
        }
        let display = display_name(&new.display)?;
        let os_user = new.os_user.as_deref().map(os_user_name).transpose()?;
        if let Some(user) = &os_user
            && let Some(other) = self
                .accounts
                .iter()
                .find(|a| a.os_user.as_ref() == Some(user))
        {
            return Err(OperatorsError::OsUserTaken {
                os_user: user.clone(),
                account: other.account.clone(),
            });
        }
        let phc = password::hash(&new.password)?;
        let a = Account {
            account,
            display,
            role: new.role,
            disabled: false,
            password: phc,
            os_user,
            created_ms: now_ms,
            changed_ms: now_ms,
        };
        let row = a.row();
        self.accounts.push(a);
        Ok(row)
    }

    /// Sets a new password.
    pub fn set_password(
        &mut self,
        name: &str,
        new_password: &str,
        now_ms: u64,
    ) -> Result<AccountRow, OperatorsError> {
        let phc = password::hash(new_password)?;
        let a = self.get_mut(name)?;
        a.password = phc;
        a.changed_ms = now_ms;
        Ok(a.row())
    }

    /// Disables (or enables again) an account. A disabled account cannot
    /// log in and no CLI command may act as it.
    pub fn set_disabled(
        &mut self,
        name: &str,
        disabled: bool,
        now_ms: u64,
    ) -> Result<AccountRow, OperatorsError> {
        // The console's accounts are managed by an admin: never disable the
        // last one still able to log in.
        let other_admins = |me: &str| {
            self.accounts
                .iter()
                .filter(|a| a.role == OperatorRole::Admin && !a.disabled)
                .any(|a| !a.account.eq_ignore_ascii_case(me))
        };
        if disabled
            && let Some(a) = self.get(name)
            && a.role == OperatorRole::Admin
            && !a.disabled
            && !other_admins(&a.account)
        {
            return Err(OperatorsError::LastAdmin(a.account.clone()));
        }
        let a = self.get_mut(name)?;
        a.disabled = disabled;
        a.changed_ms = now_ms;
        Ok(a.row())
    }

    /// Checks `password` for the account `name`: the account when it
    /// exists, is enabled and the password matches. Spends one hash
    /// verification's time in every case.
    pub fn check_password(&self, name: &str, password: &str) -> Option<&Account> {
        match self.get(name) {
            Some(a) if !a.disabled => password::verify(password, &a.password).then_some(a),
            _ => {
                password::verify_nothing(password);
                None
            }
        }
    }

    /// The account a command acts as: the one named `explicit`, else the
    /// one the local login `os_user` maps to (its configured login name,
    /// else an account of that very name), else none. A name that is no
    /// account, or a disabled account, is an error, never "nobody".
    pub fn resolve(
        &self,
        explicit: Option<&str>,
        os_user: Option<&str>,
    ) -> Result<Option<&Account>, OperatorsError> {
        let explicit = explicit.map(str::trim).filter(|s| !s.is_empty());
        let found = match explicit {
            Some(name) => Some(
                self.get(name)
                    .ok_or_else(|| OperatorsError::NoSuchAccount(name.to_string()))?,
            ),
            None => {
                let user = os_user.map(str::trim).filter(|s| !s.is_empty());
                user.and_then(|u| {
                    self.accounts
                        .iter()
                        .find(|a| a.os_user.as_deref() == Some(u))
                        .or_else(|| self.get(u))
                })
            }
        };
        match found {
            Some(a) if a.disabled => Err(OperatorsError::Disabled(a.account.clone())),
            other => Ok(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn new(account: &str, role: OperatorRole) -> NewAccount {
        NewAccount {
            account: account.into(),
            display: format!("显示-{account}"),
            role,
            password: "password-1234".into(),
            os_user: None,
        }
    }

    #[test]
    fn accounts_survive_a_reload_and_names_are_unique() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        let mut book = AccountBook::load(&dir).expect("empty");
        assert!(book.is_empty());
        book.add(new("zhangsan", OperatorRole::Operator), 1)
            .expect("add");
        assert!(matches!(
            book.add(new("ZhangSan", OperatorRole::Viewer), 2),
            Err(OperatorsError::Exists(_))
        ));
        assert!(matches!(
            book.add(new("machine", OperatorRole::Viewer), 2),
            Err(OperatorsError::Reserved(_))
        ));
        book.save(&dir).expect("save");
        let back = AccountBook::load(&dir).expect("load");
        assert_eq!(back.rows(), book.rows());
        assert!(back.check_password("zhangsan", "password-1234").is_some());
        assert!(back.check_password("zhangsan", "password-12345").is_none());
        assert!(back.check_password("nobody", "password-1234").is_none());
    }

    #[test]
    fn the_last_admin_able_to_log_in_is_never_disabled() {
        let mut book = AccountBook::default();
        book.add(new("wang", OperatorRole::Admin), 1)
            .expect("admin");
        book.add(new("zhang", OperatorRole::Operator), 1)
            .expect("operator");
        assert!(matches!(
            book.set_disabled("WANG", true, 2),
            Err(OperatorsError::LastAdmin(_))
        ));
        // Others may go; with a second admin, so may the first.
        book.set_disabled("zhang", true, 2).expect("an operator");
        book.add(new("li", OperatorRole::Admin), 3)
            .expect("second admin");
        book.set_disabled("wang", true, 4)
            .expect("another admin remains");
        assert!(matches!(
            book.set_disabled("li", true, 5),
            Err(OperatorsError::LastAdmin(_))
        ));
        book.set_disabled("wang", false, 6).expect("enabled again");
    }

    #[test]
    fn disabled_accounts_neither_log_in_nor_act() {
        let mut book = AccountBook::default();
        let mut a = new("li", OperatorRole::Leader);
        a.os_user = Some("duty".into());
        book.add(a, 1).expect("add");
        book.add(new("wang", OperatorRole::Viewer), 1).expect("add");
        assert_eq!(
            book.resolve(None, Some("duty"))
                .expect("ok")
                .map(|a| a.account.as_str()),
            Some("li")
        );
        // A login named like the account maps to it too.
        assert_eq!(
            book.resolve(None, Some("wang"))
                .expect("ok")
                .map(|a| a.account.as_str()),
            Some("wang")
        );
        assert!(book.resolve(None, Some("root")).expect("ok").is_none());
        assert!(matches!(
            book.resolve(Some("nobody"), None),
            Err(OperatorsError::NoSuchAccount(_))
        ));
        book.set_disabled("li", true, 2).expect("disable");
        assert!(book.check_password("li", "password-1234").is_none());
        assert!(matches!(
            book.resolve(Some("LI"), None),
            Err(OperatorsError::Disabled(_))
        ));
        assert!(matches!(
            book.resolve(None, Some("duty")),
            Err(OperatorsError::Disabled(_))
        ));
        book.set_disabled("li", false, 3).expect("enable");
        book.set_password("li", "another-password", 4)
            .expect("passwd");
        assert!(book.check_password("li", "password-1234").is_none());
        assert!(book.check_password("li", "another-password").is_some());
    }

    #[test]
    fn the_account_limit_holds() {
        let mut book = AccountBook::default();
        // Hashing is the slow part; fill with stored accounts directly.
        for i in 0..MAX_ACCOUNTS {
            book.accounts.push(Account {
                account: format!("a{i}"),
                display: "x".into(),
                role: OperatorRole::Viewer,
                disabled: false,
                password: String::new(),
                os_user: None,
                created_ms: 0,
                changed_ms: 0,
            });
        }
        assert!(matches!(
            book.add(new("one-more", OperatorRole::Viewer), 1),
            Err(OperatorsError::TooMany)
        ));
    }

    #[test]
    fn a_corrupt_file_is_an_error_not_an_empty_post() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        std::fs::write(accounts_path(&dir), b"{not json").expect("write");
        assert!(matches!(
            AccountBook::load(&dir),
            Err(OperatorsError::Corrupt(_))
        ));
    }
}
