//! Field-rule violations of the linkage (domain) bodies, in English and
//! Chinese.
//!
//! Empty and over-long text reuse [`BodyError`](super::BodyError)'s own
//! variants; everything else a domain body can get wrong is here, wrapped
//! in `BodyError::Domain`. It lives beside `BodyError`, not with the linkage
//! bodies, because `BodyError` wraps it and every body type sits above both.

/// Why a domain body breaks its field rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error(
        "{field} lists {count} items, over the limit of {max} / {field} 共 {count} 项，超过上限 {max}"
    )]
    TooMany {
        field: &'static str,
        count: usize,
        max: usize,
    },
    #[error("{field} must be greater than zero / {field} 必须大于零")]
    Zero { field: &'static str },
    #[error("{field} is {value}, over the limit of {max} / {field} 为 {value}，超过上限 {max}")]
    TooLarge {
        field: &'static str,
        value: u64,
        max: u64,
    },
    #[error("{field} lists {value} twice / {field} 中 {value} 重复")]
    Duplicate { field: &'static str, value: String },
    #[error("{field} {value} is out of range ({expected}) / {field} 超出范围（{expected}）")]
    OutOfRange {
        field: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("{later} must be after {earlier} / {later} 必须晚于 {earlier}")]
    TimeOrder {
        earlier: &'static str,
        later: &'static str,
    },
    #[error(
        "an initial report (首报) creates an incident and names none; update, final and \
         verified reports must name their incident / 首报不得引用事件，续报、终报、核报必须引用所属事件"
    )]
    PhaseReference,
    #[error(
        "a polygon needs 4 to {max} points, the last repeating the first (as in CAP) / \
         多边形须有 4 至 {max} 个点且首尾相同"
    )]
    BadPolygon { max: usize },
    #[error("event subtype {subtype:?} belongs to {actual}, not {stated} / 事件子类与类别不符")]
    SubtypeCategory {
        subtype: String,
        stated: &'static str,
        actual: &'static str,
    },
}
