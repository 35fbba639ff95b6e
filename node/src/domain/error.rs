//! Why a domain action was refused: one typed error for the CLI and the
//! API alike, with a stable machine code, the field at fault (when one is)
//! and the message in Chinese and English.

use liandong_protocol::domain::DomainError;
use liandong_protocol::domain::fold::{Conflict, ConflictRule, Reason, ReasonCode};
use liandong_protocol::entry::BodyError;

/// What kind of refusal: decides the CLI's exit code and the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionErrorKind {
    /// The operator's input is missing, malformed or ambiguous.
    Input,
    /// An id names nothing this post holds.
    NotFound,
    /// The entry would break a field rule of its body.
    InvalidBody,
    /// The authority or ownership rules do not allow it.
    Forbidden,
    /// The fold would refuse it (unknown reference, wrong track …).
    Refused,
    /// It conflicts with what the ledger already holds.
    Conflict,
    /// This post cannot act (not certified, no profile).
    NotAPost,
    /// The store failed.
    Store,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{zh} / {en}")]
pub struct ActionError {
    pub kind: ActionErrorKind,
    /// Stable, for scripts and the console: `missing_field`, `unknown_incident` …
    pub code: &'static str,
    /// The input field at fault, by its JSON name (`title`, `quantity`).
    pub field: Option<String>,
    pub zh: String,
    pub en: String,
}

impl ActionError {
    pub fn new(
        kind: ActionErrorKind,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> ActionError {
        ActionError {
            kind,
            code,
            field: None,
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> ActionError {
        self.field = Some(field.into());
        self
    }

    /// A required field was not given. `zh` names it for the operator.
    pub fn missing(field: &str, zh: &str) -> ActionError {
        ActionError::new(
            ActionErrorKind::Input,
            "missing_field",
            format!("请填写{zh}（{field}）"),
            format!("{field} is required"),
        )
        .with_field(field)
    }

    /// A field's value could not be read; `detail` is the parser's own
    /// (usually bilingual) explanation.
    pub fn invalid(field: &str, detail: impl std::fmt::Display) -> ActionError {
        let detail = detail.to_string();
        let (en, zh) = split_bilingual(&detail);
        // The field travels as data (the console shows the message at the
        // field, the CLI names the flag); the text is the parser's own.
        ActionError::new(
            ActionErrorKind::Input,
            "invalid_field",
            format!("填写有误：{zh}"),
            en,
        )
        .with_field(field)
    }

    pub fn store(e: impl std::fmt::Display) -> ActionError {
        ActionError::new(
            ActionErrorKind::Store,
            "store_error",
            format!("本地台账读写失败：{e}"),
            format!("the store failed: {e}"),
        )
    }

    /// An entry body that breaks its field rules (checked before signing).
    pub fn body(e: &BodyError) -> ActionError {
        let text = e.to_string();
        let (en, zh) = split_bilingual(&text);
        let err = ActionError::new(ActionErrorKind::InvalidBody, "invalid_body", zh, en);
        match body_field(e) {
            Some(f) => err.with_field(f),
            None => err,
        }
    }

    /// The fold would leave the entry out.
    pub fn excluded(reason: &Reason) -> ActionError {
        let (kind, code) = match reason.code {
            ReasonCode::UnknownAuthor => (ActionErrorKind::NotAPost, "unknown_author"),
            ReasonCode::NotAuthorized => (ActionErrorKind::Forbidden, "not_authorized"),
            ReasonCode::NotOwner => (ActionErrorKind::Forbidden, "not_owner"),
            ReasonCode::NotAssignee => (ActionErrorKind::Forbidden, "not_assignee"),
            ReasonCode::NotParty => (ActionErrorKind::Forbidden, "not_party"),
            ReasonCode::UnknownReference => (ActionErrorKind::Refused, "unknown_reference"),
            ReasonCode::WrongTrack => (ActionErrorKind::Refused, "wrong_track"),
            ReasonCode::Undecodable => (ActionErrorKind::Refused, "undecodable"),
            ReasonCode::AlreadyDone => (ActionErrorKind::Conflict, "already_done"),
            ReasonCode::NotClosed => (ActionErrorKind::Conflict, "not_closed"),
        };
        ActionError::new(kind, code, reason.zh.clone(), reason.en.clone())
    }

    /// The fold would record the entry as a conflict it does not apply.
    pub fn conflict(c: &Conflict) -> ActionError {
        let code = match c.rule {
            ConflictRule::ResponseOverridden => "response_overridden",
            ConflictRule::WarningOverridden => "warning_overridden",
            ConflictRule::OverCommit => "over_commit",
            ConflictRule::ClosedIncident => "closed_incident",
            ConflictRule::StatusRegressed => "status_regressed",
            ConflictRule::OverRequest => "over_request",
            ConflictRule::DuplicateStatus => "duplicate_status",
            ConflictRule::TaskStateRegressed => "task_state_regressed",
        };
        ActionError::new(ActionErrorKind::Conflict, code, c.zh.clone(), c.en.clone())
    }
}

/// Splits "English / 中文" (the shape of the protocol's error texts) into
/// its halves; text without the separator is used for both.
pub fn split_bilingual(text: &str) -> (String, String) {
    match text.split_once(" / ") {
        Some((en, zh)) => (en.trim().to_string(), zh.trim().to_string()),
        None => (text.to_string(), text.to_string()),
    }
}

/// The body field a rule violation names, if any.
fn body_field(e: &BodyError) -> Option<&'static str> {
    match e {
        BodyError::Empty { field }
        | BodyError::TooLong { field, .. }
        | BodyError::TooMany { field, .. } => Some(field),
        BodyError::Domain(d) => match d {
            DomainError::TooMany { field, .. }
            | DomainError::Zero { field }
            | DomainError::TooLarge { field, .. }
            | DomainError::Duplicate { field, .. }
            | DomainError::OutOfRange { field, .. } => Some(field),
            DomainError::TimeOrder { later, .. } => Some(later),
            DomainError::BadPolygon { .. } => Some("polygon"),
            DomainError::SubtypeCategory { .. } => Some("event"),
            DomainError::PhaseReference => Some("incident"),
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_errors_name_their_field() {
        let e = ActionError::body(&BodyError::Domain(DomainError::Zero { field: "quantity" }));
        assert_eq!(e.code, "invalid_body");
        assert_eq!(e.field.as_deref(), Some("quantity"));
        assert!(e.zh.contains("必须大于零"), "{}", e.zh);
        assert!(e.en.contains("greater than zero"), "{}", e.en);
    }

    #[test]
    fn bilingual_texts_split() {
        assert_eq!(
            split_bilingual("bad / 不好"),
            ("bad".to_string(), "不好".to_string())
        );
        assert_eq!(split_bilingual("plain"), ("plain".into(), "plain".into()));
    }
}
