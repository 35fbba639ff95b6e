//! The person at the post who entered an entry: an [`Operator`], recorded
//! in the header of a version-2 entry and covered by the post's signature.
//!
//! The post's key proves *which post* wrote an entry; the operator says
//! *who at that post* entered it (the 值班员 who typed the 首报, the 带班领导
//! who decided the response). Accounts are the post's own and are not
//! replicated, so the entry carries the account name and the display name
//! as they were at the time of writing.

use std::borrow::Cow;
use std::sync::Arc;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::limits::{MAX_OPERATOR_ACCOUNT_BYTES, MAX_OPERATOR_DISPLAY_CHARS};

/// Why an operator cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperatorError {
    #[error("operator account is empty / 操作员账号为空")]
    EmptyAccount,
    #[error(
        "operator account is {len} bytes, over the limit of {max} / 操作员账号过长",
        max = MAX_OPERATOR_ACCOUNT_BYTES
    )]
    AccountTooLong { len: usize },
    #[error(
        "operator account {account:?} may hold only a-z, 0-9, '.', '_' and '-' / \
         操作员账号只能含小写字母、数字、“.”、“_”、“-”"
    )]
    AccountCharacters { account: String },
    #[error("operator display name is blank / 操作员姓名为空")]
    BlankDisplay,
    #[error(
        "operator display name is {chars} characters, over the limit of {max} / 操作员姓名过长",
        max = MAX_OPERATOR_DISPLAY_CHARS
    )]
    DisplayTooLong { chars: usize },
    #[error(
        "operator display name holds a control or text-direction character / \
         操作员姓名含控制字符或文字方向字符"
    )]
    DisplayControl,
}

/// Who entered an entry: an account name of this post and the name people
/// know them by. Both are checked when made, so every `Operator` (and every
/// decoded entry's) keeps the limits in `limits.rs`.
///
/// The two names share one allocation, and a copy shares it too: the views
/// copy an entry's operator into everything that shows who entered it
/// (a million reports, a million copies at a start).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Operator {
    /// The account name, then the display name.
    names: Arc<str>,
    account_len: usize,
}

/// An operator as it arrives (JSON, the wire), before its checks. The names
/// are borrowed from the input where they can be.
#[derive(Deserialize)]
struct RawOperator<'a> {
    #[serde(borrow)]
    account: Cow<'a, str>,
    #[serde(borrow)]
    display: Cow<'a, str>,
}

impl<'de> Deserialize<'de> for Operator {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawOperator::deserialize(d)?;
        Operator::new(&raw.account, &raw.display).map_err(serde::de::Error::custom)
    }
}

/// The same fields as the names it holds: `{account, display}`.
impl Serialize for Operator {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut fields = s.serialize_struct("Operator", 2)?;
        fields.serialize_field("account", self.account())?;
        fields.serialize_field("display", self.display())?;
        fields.end()
    }
}

impl std::fmt::Debug for Operator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operator")
            .field("account", &self.account())
            .field("display", &self.display())
            .finish()
    }
}

impl Operator {
    /// Checks both names; copies them only once they pass.
    pub fn new(account: &str, display: &str) -> Result<Operator, OperatorError> {
        check_account(account)?;
        check_display(display)?;
        let mut names = String::with_capacity(account.len() + display.len());
        names.push_str(account);
        names.push_str(display);
        Ok(Operator {
            names: names.into(),
            account_len: account.len(),
        })
    }

    /// The account name (`zhangsan`).
    pub fn account(&self) -> &str {
        self.names.get(..self.account_len).unwrap_or_default()
    }

    /// The display name (张三).
    pub fn display(&self) -> &str {
        self.names.get(self.account_len..).unwrap_or_default()
    }
}

impl std::fmt::Display for Operator {
    /// `张三 (zhangsan)`, the way timelines and reviews name an operator.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.display(), self.account())
    }
}

/// An account name: 1 to [`MAX_OPERATOR_ACCOUNT_BYTES`] of `[a-z0-9._-]`.
pub fn check_account(account: &str) -> Result<(), OperatorError> {
    if account.is_empty() {
        return Err(OperatorError::EmptyAccount);
    }
    // The length first: a long name is refused without scanning it.
    if account.len() > MAX_OPERATOR_ACCOUNT_BYTES {
        return Err(OperatorError::AccountTooLong { len: account.len() });
    }
    let allowed =
        |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-');
    if !account.bytes().all(allowed) {
        return Err(OperatorError::AccountCharacters {
            account: account.to_owned(),
        });
    }
    Ok(())
}

/// A display name: 1 to [`MAX_OPERATOR_DISPLAY_CHARS`] characters, not
/// blank, no control characters (a name is one line on a board) and no
/// text-direction overrides (which would show a review reader another name
/// than the one signed).
pub fn check_display(display: &str) -> Result<(), OperatorError> {
    if display.trim().is_empty() {
        return Err(OperatorError::BlankDisplay);
    }
    // At most 4 bytes a character: longer byte strings are over the limit
    // whatever they hold, and are refused without counting.
    if display.len() > MAX_OPERATOR_DISPLAY_CHARS * 4 {
        return Err(OperatorError::DisplayTooLong {
            chars: display.chars().take(MAX_OPERATOR_DISPLAY_CHARS + 1).count(),
        });
    }
    let chars = display.chars().count();
    if chars > MAX_OPERATOR_DISPLAY_CHARS {
        return Err(OperatorError::DisplayTooLong { chars });
    }
    let unprintable =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if display.chars().any(unprintable) {
        return Err(OperatorError::DisplayControl);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_limits_at_their_boundaries() {
        let max = "a".repeat(MAX_OPERATOR_ACCOUNT_BYTES);
        assert!(Operator::new(&max, "张三").is_ok());
        let over = "a".repeat(MAX_OPERATOR_ACCOUNT_BYTES + 1);
        assert_eq!(
            Operator::new(&over, "张三"),
            Err(OperatorError::AccountTooLong {
                len: MAX_OPERATOR_ACCOUNT_BYTES + 1
            })
        );
        assert_eq!(Operator::new("", "张三"), Err(OperatorError::EmptyAccount));
        assert!(Operator::new("z", "张三").is_ok());
        assert!(Operator::new("zhang.san_01-a", "张三").is_ok());
        for bad in ["ZhangSan", "zhang san", "张三", "a/b", "a@b", "a\0"] {
            assert!(
                matches!(
                    Operator::new(bad, "张三"),
                    Err(OperatorError::AccountCharacters { .. })
                ),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn display_limits_at_their_boundaries() {
        let max = "张".repeat(MAX_OPERATOR_DISPLAY_CHARS);
        assert!(Operator::new("zhangsan", &max).is_ok());
        let over = "张".repeat(MAX_OPERATOR_DISPLAY_CHARS + 1);
        assert_eq!(
            Operator::new("zhangsan", &over),
            Err(OperatorError::DisplayTooLong {
                chars: MAX_OPERATOR_DISPLAY_CHARS + 1
            })
        );
        // Far over: refused by its byte length, counted only up to the limit.
        let huge = "张".repeat(10_000);
        assert_eq!(
            Operator::new("zhangsan", &huge),
            Err(OperatorError::DisplayTooLong {
                chars: MAX_OPERATOR_DISPLAY_CHARS + 1
            })
        );
        assert_eq!(
            Operator::new("zhangsan", ""),
            Err(OperatorError::BlankDisplay)
        );
        assert_eq!(
            Operator::new("zhangsan", "  "),
            Err(OperatorError::BlankDisplay)
        );
        for bad in [
            "张\n三",
            "张\t三",
            "张\u{7f}三",
            "\u{1b}[31m",
            "\u{202e}三张",
            "张\u{2066}三",
        ] {
            assert_eq!(
                Operator::new("zhangsan", bad),
                Err(OperatorError::DisplayControl),
                "{bad:?} accepted"
            );
        }
        assert!(Operator::new("a", "值班员 张三").is_ok());
    }

    #[test]
    fn json_is_checked_like_any_other_input() {
        let op = Operator::new("zhangsan", "张三").expect("valid");
        let json = serde_json::to_string(&op).expect("json");
        assert_eq!(json, r#"{"account":"zhangsan","display":"张三"}"#);
        assert_eq!(serde_json::from_str::<Operator>(&json).expect("back"), op);
        assert!(serde_json::from_str::<Operator>(r#"{"account":"ZS","display":"张三"}"#).is_err());
        assert_eq!(op.to_string(), "张三 (zhangsan)");
    }

    /// The two names in one allocation encode, decode, compare and hash as
    /// the two strings they were kept as before.
    #[test]
    fn encodes_as_its_two_names() -> Result<(), Box<dyn std::error::Error>> {
        use std::hash::{BuildHasher, RandomState};
        let op = Operator::new("zhangsan", "值班员 张三")?;
        assert_eq!((op.account(), op.display()), ("zhangsan", "值班员 张三"));
        let bytes = crate::codec::encode(&op)?;
        assert_eq!(bytes, crate::codec::encode(&("zhangsan", "值班员 张三"))?);
        let back: Operator = crate::codec::decode(&bytes, 1024)?;
        assert_eq!(back, op);
        let bad = crate::codec::encode(&("ZS", "张三"))?;
        assert!(crate::codec::decode::<Operator>(&bad, 1024).is_err());
        // Where the names split matters: "ab"+"c" is not "a"+"bc".
        let (ab_c, a_bc) = (Operator::new("ab", "c")?, Operator::new("a", "bc")?);
        assert_ne!(ab_c, a_bc);
        let hasher = RandomState::new();
        assert_ne!(hasher.hash_one(&ab_c), hasher.hash_one(&a_bc));
        assert_eq!(hasher.hash_one(&op), hasher.hash_one(&back));
        assert_eq!(
            format!("{op:?}"),
            r#"Operator { account: "zhangsan", display: "值班员 张三" }"#
        );
        Ok(())
    }
}
