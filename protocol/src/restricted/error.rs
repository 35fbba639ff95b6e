//! Why a restricted entry cannot be sealed, or opened.

use crate::body_rules::BodyError;
use crate::header::Kind;
use crate::level::LevelParseError;
use crate::region::RegionError;

use super::envelope::MAX_RECIPIENTS;
use super::keys::KeyId;

/// Why an entry cannot be sealed, or an audience or key not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestrictedError {
    #[error(
        "{kind} entries cannot be restricted; only notes, incident reports and releases, \
         resources, tasks, plans and consultations can / 此类信息不能设为受限"
    )]
    NotRestrictable { kind: Kind },
    #[error("a restricted entry needs at least one recipient key / 受限信息至少需要一个接收方密钥")]
    NoRecipients,
    #[error(
        "{count} recipient keys, over the limit of {max} / 接收方密钥 {count} 个，超过上限 {max}",
        max = MAX_RECIPIENTS
    )]
    TooManyRecipients { count: usize },
    #[error(
        "two different recipient keys share the key id {id}; one of them must rotate / \
         两个不同的接收方密钥编号同为 {id}，其中一个须更换密钥"
    )]
    KeyIdCollision { id: KeyId },
    #[error(
        "recipient key {id} is not a usable X25519 public key / 接收方密钥 {id} 不是可用的 X25519 公钥"
    )]
    BadRecipientKey { id: KeyId },
    #[error("the agreement secret is all zero bytes, not a key / 加密私钥全为零，不是有效密钥")]
    BadSecret,
    #[error("the audience is invalid: {0} / 受限范围无效")]
    InvalidAudience(BodyError),
    #[error(
        "cannot read audience {text:?}; write posts:<node id>,<node id> or \
         region:<code>[:<level>] or role:<role> / 无法识别受限范围 {text:?}，应写作 \
         posts:<岗位公钥>,<岗位公钥>、region:<区划代码>[:<级别>] 或 role:<角色>"
    )]
    AudienceSyntax { text: String },
    #[error(
        "audience names node {text:?}, not a 64-character hex key / 受限范围中的岗位公钥 {text:?} 无效"
    )]
    AudienceNode { text: String },
    #[error("audience region: {0}")]
    AudienceRegion(RegionError),
    #[error("audience level: {0}")]
    AudienceLevel(LevelParseError),
    #[error("cannot seal: {0} / 加密失败")]
    Seal(String),
}

/// Why a post cannot read a restricted entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// None of the post's keys is among the recipients: the normal case at
    /// a post outside the audience (it shows the placeholder).
    #[error(
        "the restricted entry is not addressed to this post's keys / 本岗位不在此受限信息的接收范围内"
    )]
    NotForUs,
    /// A slot for one of the post's keys exists, but what it holds does
    /// not open, or opens to something no honest author writes.
    #[error("the restricted entry is damaged: {0} / 受限信息已损坏，无法解密")]
    Damaged(String),
}
