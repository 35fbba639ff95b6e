//! Why a domain action was refused: one typed error for the CLI and the
//! API alike, with a stable machine code, the field at fault (when one is;
//! every field at fault when a form has several) and the message in
//! Chinese and English.

use liandong_protocol::domain::DomainError;
use liandong_protocol::domain::fold::{Conflict, ConflictRule, Reason, ReasonCode};
use liandong_protocol::entry::BodyError;
use serde::{Deserialize, Serialize};

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
    /// The input field at fault, by its JSON name (`title`, `quantity`);
    /// the first of `fields` when there are several.
    pub field: Option<String>,
    /// Every field at fault, each with its own reason, when one refusal
    /// names several (`invalid_fields`, see [`ActionError::all`]); empty
    /// otherwise.
    pub fields: Vec<FieldError>,
    pub zh: String,
    pub en: String,
}

/// One field's problem within a refusal naming several: what the console
/// shows at that field and the CLI prints beside its flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// By its JSON name, as [`ActionError::field`].
    pub field: String,
    /// `missing_field` or `invalid_field` (the code this problem alone
    /// would have had).
    pub code: String,
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
            fields: Vec::new(),
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

    /// Every problem found in one form, as one refusal, so the operator
    /// fixes them all in one go instead of learning of them one by one.
    /// None is `Ok`; a single problem is returned as it is; several become
    /// `invalid_fields`, listing each (with its own code and message) in
    /// `fields`, the first also in `field`, all of them in the message.
    pub fn all(problems: Vec<ActionError>) -> Result<(), ActionError> {
        let mut problems = problems.into_iter();
        let Some(first) = problems.next() else {
            return Ok(());
        };
        let rest: Vec<ActionError> = problems.collect();
        if rest.is_empty() {
            return Err(first);
        }
        let kind = first.kind;
        let fields: Vec<FieldError> = std::iter::once(first)
            .chain(rest)
            .map(|p| FieldError {
                field: p.field.unwrap_or_default(),
                code: p.code.to_string(),
                zh: p.zh,
                en: p.en,
            })
            .collect();
        let n = fields.len();
        let zh = fields
            .iter()
            .map(|f| named_zh(&f.field, &f.zh))
            .collect::<Vec<_>>()
            .join("；");
        let en = fields
            .iter()
            .map(|f| named_en(&f.field, &f.en))
            .collect::<Vec<_>>()
            .join("; ");
        Err(ActionError {
            kind,
            code: "invalid_fields",
            field: fields.first().map(|f| f.field.clone()),
            fields,
            zh: format!("有 {n} 项需补正：{zh}"),
            en: format!("{n} fields to fix: {en}"),
        })
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

/// A field's Chinese message naming the field, unless it already does
/// (`请填写预警颜色（color）` does; `填写有误：…` does not).
fn named_zh(field: &str, zh: &str) -> String {
    if field.is_empty() || zh.contains(&format!("（{field}）")) {
        zh.to_string()
    } else {
        format!("{zh}（{field}）")
    }
}

/// A field's English message naming the field, unless it starts with it.
fn named_en(field: &str, en: &str) -> String {
    if field.is_empty() || en.starts_with(field) {
        en.to_string()
    } else {
        format!("{field}: {en}")
    }
}

/// The problems of a refusal naming several fields, one line each with the
/// CLI flag the operator types (`--headline-en`), for the terminal.
pub fn field_lines(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(|f| {
            let flag = if f.field.is_empty() {
                String::new()
            } else {
                format!("--{}  ", f.field.replace('_', "-"))
            };
            if f.zh == f.en {
                format!("  {flag}{}", f.en)
            } else {
                format!("  {flag}{} / {}", f.zh, f.en)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
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
    fn several_problems_become_one_refusal_naming_each() {
        assert_eq!(ActionError::all(Vec::new()), Ok(()));
        let one = ActionError::missing("color", "预警颜色");
        assert_eq!(ActionError::all(vec![one.clone()]), Err(one));

        let e = ActionError::all(vec![
            ActionError::missing("color", "预警颜色"),
            ActionError::invalid("expires", "soon is not a time / 无法识别的时间"),
            ActionError::missing("headline", "中文标题"),
        ])
        .expect_err("refused");
        assert_eq!(e.kind, ActionErrorKind::Input);
        assert_eq!(e.code, "invalid_fields");
        assert_eq!(e.field.as_deref(), Some("color"), "the first stays `field`");
        let named: Vec<(&str, &str)> = e
            .fields
            .iter()
            .map(|f| (f.field.as_str(), f.code.as_str()))
            .collect();
        assert_eq!(
            named,
            [
                ("color", "missing_field"),
                ("expires", "invalid_field"),
                ("headline", "missing_field")
            ]
        );
        assert!(e.zh.starts_with("有 3 项需补正"), "{}", e.zh);
        assert!(e.zh.contains("无法识别的时间（expires）"), "{}", e.zh);
        assert!(
            e.en.contains("color is required; expires: soon is not a time"),
            "{}",
            e.en
        );
        let lines = field_lines(&e.fields);
        assert_eq!(lines.lines().count(), 3, "{lines}");
        assert!(lines.contains("--expires  填写有误"), "{lines}");
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
