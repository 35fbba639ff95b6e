//! The one error every body check returns, whatever the body.

use super::DomainError;
use crate::header::Kind;
use crate::level::Level;
use crate::region::RegionCode;

/// Why a body is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("body of kind {kind} is undecodable: {reason}")]
    Undecodable { kind: Kind, reason: String },
    #[error("{field} is empty / {field} 不能为空")]
    Empty { field: &'static str },
    #[error("{field} has {chars} characters, over the limit of {max} / {field} 超过 {max} 字")]
    TooLong {
        field: &'static str,
        chars: usize,
        max: usize,
    },
    #[error("region {region} is not at level {level} / 区划代码与级别不符")]
    RegionLevelMismatch { region: RegionCode, level: Level },
    #[error("{field} has {count} items, over the limit of {max} / {field} 条目过多")]
    TooMany {
        field: &'static str,
        count: usize,
        max: usize,
    },
    #[error("validity ends before it begins / 有效期结束早于开始")]
    EmptyValidity,
    #[error("equivocation evidence does not show a fork: {0} / 分叉证据无效")]
    NotAFork(String),
    #[error(
        "{field} is {bytes} bytes, over the limit of {max} / {field} 为 {bytes} 字节，超过上限 {max}"
    )]
    TooManyBytes {
        field: &'static str,
        bytes: usize,
        max: usize,
    },
    #[error(
        "{field} must be sorted by key id, each id once / {field} 须按密钥编号排序，且编号不得重复"
    )]
    NotCanonical { field: &'static str },
    #[error("{field} is not a usable X25519 public key / {field} 不是可用的 X25519 公钥")]
    BadAgreementKey { field: &'static str },
    #[error(transparent)]
    Domain(#[from] DomainError),
}
