//! One operator account: its name, the name people know them by, role,
//! password hash, optional local login name, and whether it is disabled.
//! Names and limits are checked here, once, for the CLI and the API.

use serde::{Deserialize, Serialize};

use super::OperatorsError;
use super::role::OperatorRole;

/// Longest account name (ASCII letters, digits, `.`, `_`, `-`): the
/// protocol's limit, so every account can be recorded in an entry.
pub const MAX_ACCOUNT_CHARS: usize = liandong_protocol::limits::MAX_OPERATOR_ACCOUNT_BYTES;
/// Longest display name (characters; Chinese welcome): the protocol's.
pub const MAX_DISPLAY_CHARS: usize = liandong_protocol::limits::MAX_OPERATOR_DISPLAY_CHARS;
/// Longest local login name an account maps to (Linux allows 32).
pub const MAX_OS_USER_CHARS: usize = 32;
/// The name the console's token (`[console] token`) acts as: reserved, no
/// account may take it.
pub const MACHINE_ACCOUNT: &str = "machine";

/// A stored account. The password hash stays inside `operators/`: the
/// API and the CLI show [`AccountRow`]s.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub account: String,
    pub display: String,
    pub role: OperatorRole,
    #[serde(default)]
    pub disabled: bool,
    /// Argon2id PHC string.
    pub password: String,
    /// The local login name whose CLI commands act as this account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_user: Option<String>,
    pub created_ms: u64,
    pub changed_ms: u64,
}

// The hash is a secret too: never in a debug dump.
impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("account", &self.account)
            .field("display", &self.display)
            .field("role", &self.role)
            .field("disabled", &self.disabled)
            .field("os_user", &self.os_user)
            .finish_non_exhaustive()
    }
}

/// What is shown of an account (no hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRow {
    pub account: String,
    pub display: String,
    pub role: OperatorRole,
    pub role_zh: String,
    pub disabled: bool,
    pub os_user: Option<String>,
    pub created_ms: u64,
    pub changed_ms: u64,
}

impl Account {
    pub fn row(&self) -> AccountRow {
        AccountRow {
            account: self.account.clone(),
            display: self.display.clone(),
            role: self.role,
            role_zh: self.role.name_zh().to_string(),
            disabled: self.disabled,
            os_user: self.os_user.clone(),
            created_ms: self.created_ms,
            changed_ms: self.changed_ms,
        }
    }
}

/// An account name as typed: trimmed, lower-cased (names are compared
/// without case), and checked.
pub fn account_name(text: &str) -> Result<String, OperatorsError> {
    let name = text.trim().to_ascii_lowercase();
    let bad = |why: &str| OperatorsError::BadName(format!("{name:?}: {why}"));
    if name.is_empty() {
        return Err(bad("empty / 为空"));
    }
    if name.chars().count() > MAX_ACCOUNT_CHARS {
        return Err(bad(&format!(
            "longer than {MAX_ACCOUNT_CHARS} characters / 超过 {MAX_ACCOUNT_CHARS} 个字符"
        )));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(bad(
            "only ASCII letters, digits, '.', '_' and '-' / 仅限英文字母、数字及 . _ -",
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(bad(
            "must start with a letter or digit / 须以字母或数字开头",
        ));
    }
    // What an entry may record: the same rule the protocol checks.
    liandong_protocol::header::operator::check_account(&name).map_err(|e| bad(&e.to_string()))?;
    Ok(name)
}

/// A display name: trimmed, non-empty, no control characters.
pub fn display_name(text: &str) -> Result<String, OperatorsError> {
    let name = text.trim().to_string();
    if name.is_empty() {
        return Err(OperatorsError::BadDisplay("empty / 为空".into()));
    }
    if name.chars().count() > MAX_DISPLAY_CHARS {
        return Err(OperatorsError::BadDisplay(format!(
            "longer than {MAX_DISPLAY_CHARS} characters / 超过 {MAX_DISPLAY_CHARS} 个字符"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(OperatorsError::BadDisplay(
            "control characters / 含控制字符".into(),
        ));
    }
    // What an entry may record (no text-direction overrides either).
    liandong_protocol::header::operator::check_display(&name)
        .map_err(|e| OperatorsError::BadDisplay(e.to_string()))?;
    Ok(name)
}

/// A local login name (as `id -un` prints it).
pub fn os_user_name(text: &str) -> Result<String, OperatorsError> {
    let name = text.trim().to_string();
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_OS_USER_CHARS
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '$'));
    if ok {
        Ok(name)
    } else {
        Err(OperatorsError::BadName(format!(
            "{name:?}: not a local login name (at most {MAX_OS_USER_CHARS} ASCII characters) \
             / 不是有效的本机用户名"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names_are_checked_at_their_limits() {
        assert_eq!(account_name(" ZhangSan ").expect("ok"), "zhangsan");
        assert!(account_name(&"a".repeat(MAX_ACCOUNT_CHARS)).is_ok());
        assert!(account_name(&"a".repeat(MAX_ACCOUNT_CHARS + 1)).is_err());
        for bad in ["", "张三", "a b", "-x", ".x", "a/b"] {
            assert!(account_name(bad).is_err(), "{bad:?}");
        }
        assert!(account_name("duty.1_a-b").is_ok());
    }

    #[test]
    fn display_names_take_chinese_and_refuse_control_characters() {
        assert_eq!(display_name(" 张三 ").expect("ok"), "张三");
        assert!(display_name(&"张".repeat(MAX_DISPLAY_CHARS)).is_ok());
        assert!(display_name(&"张".repeat(MAX_DISPLAY_CHARS + 1)).is_err());
        assert!(display_name("a\u{7}b").is_err());
        assert!(display_name("  ").is_err());
        assert!(os_user_name("duty").is_ok());
        assert!(os_user_name(&"u".repeat(MAX_OS_USER_CHARS + 1)).is_err());
        assert!(os_user_name("a b").is_err());
    }

    #[test]
    fn the_debug_dump_has_no_hash() {
        let a = Account {
            account: "a".into(),
            display: "A".into(),
            role: OperatorRole::Viewer,
            disabled: false,
            password: "$argon2id$secret-hash".into(),
            os_user: None,
            created_ms: 1,
            changed_ms: 1,
        };
        assert!(!format!("{a:?}").contains("secret-hash"));
        let row = serde_json::to_string(&a.row()).expect("json");
        assert!(!row.contains("secret-hash"));
    }
}
