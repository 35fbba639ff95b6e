//! Why the trust layer refuses an entry or a post.

use crate::authority::AuthorityError;
use crate::entry::{BodyError, Status};
use crate::hlc::Hlc;
use crate::ids::{EntryId, NodeId};
use crate::region::RegionCode;

/// One variant per reason; each message is bilingual for operators.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    #[error("{} holds no certificate of this network / 该节点未经本网络认证", .node.short())]
    NotCertified { node: NodeId },
    #[error(
        "no certificate of {} is valid at {at} (expired or not yet valid) / 证书不在有效期内",
        .node.short()
    )]
    OutsideValidity { node: NodeId, at: Hlc },
    #[error(
        "certificate {} of {} was issued by {}, which was not a valid post at that time: {reason} \
         / 签发单位当时不是有效节点",
        .cert.short(), .node.short(), .issuer.short()
    )]
    IssuerInvalid {
        node: NodeId,
        cert: EntryId,
        issuer: NodeId,
        reason: Box<TrustError>,
    },
    #[error(transparent)]
    Authority(#[from] AuthorityError),
    #[error("{} was revoked at {at} by {} / 证书已吊销", .node.short(), .by.short())]
    Revoked { node: NodeId, at: Hlc, by: NodeId },
    #[error(
        "{} is quarantined: it signed two entries at seq {seq} / 该密钥出现分叉，已隔离",
        .node.short()
    )]
    Quarantined { node: NodeId, seq: u64, since: Hlc },
    #[error("the certificate chain of {} is longer than {max} / 证书链过长", .node.short())]
    ChainTooLong { node: NodeId, max: usize },
    #[error(
        "this entry must be scoped to its subject's region {region}, not {scope} \
         / 证书类条目的区划须为被认证单位的区划"
    )]
    WrongScope {
        scope: RegionCode,
        region: RegionCode,
    },
    #[error(
        "{} is a root of this network: only the genesis certifies it, nobody revokes it \
         / 根节点不能被签发或吊销",
        .subject.short()
    )]
    RootSubject { subject: NodeId },
    #[error("a post cannot certify or revoke itself / 不能为自己签发或吊销证书")]
    SelfSubject,
    #[error(
        "{} is neither the issuer nor an ancestor of {}; only they may revoke it \
         / 只有签发单位或其上级可以吊销",
        .author.short(), .subject.short()
    )]
    NotAnAncestor { author: NodeId, subject: NodeId },
    #[error(
        "the revocation names {}, whose certificate is not held here / 未找到被吊销节点的证书",
        .subject.short()
    )]
    UnknownSubject { subject: NodeId },
    #[error("equivocation evidence is invalid / 分叉证据无效: {0}")]
    BadEvidence(String),
    #[error("trust entries must have status actual, not {} / 证书类条目必须为实战状态", .0.name_zh())]
    NotActual(Status),
    #[error("entry body is unreadable / 条目内容无法解析: {0}")]
    Body(BodyError),
}

impl TrustError {
    /// A short stable label, for metrics and logs.
    pub fn label(&self) -> &'static str {
        match self {
            TrustError::NotCertified { .. } => "not_certified",
            TrustError::OutsideValidity { .. } => "outside_validity",
            TrustError::IssuerInvalid { .. } => "issuer_invalid",
            TrustError::Authority(_) => "authority",
            TrustError::Revoked { .. } => "revoked",
            TrustError::Quarantined { .. } => "quarantined",
            TrustError::ChainTooLong { .. } => "chain_too_long",
            TrustError::WrongScope { .. } => "wrong_scope",
            TrustError::RootSubject { .. } => "root_subject",
            TrustError::SelfSubject => "self_subject",
            TrustError::NotAnAncestor { .. } => "not_an_ancestor",
            TrustError::UnknownSubject { .. } => "unknown_subject",
            TrustError::BadEvidence(_) => "bad_evidence",
            TrustError::NotActual(_) => "not_actual",
            TrustError::Body(_) => "body",
        }
    }

    /// True when the entry may be admitted later, once certificates this
    /// post lacks arrive (so a sync layer should offer it again rather than
    /// treat the sender as hostile).
    pub fn awaits_certificates(&self) -> bool {
        match self {
            TrustError::NotCertified { .. } | TrustError::UnknownSubject { .. } => true,
            TrustError::IssuerInvalid { reason, .. } => reason.awaits_certificates(),
            _ => false,
        }
    }
}
