//! What the fold says about entries it could not simply apply: excluded
//! entries (with a reason) and resolved conflicts (with the rule). Nothing
//! is dropped silently; every message is in English and Chinese.

use serde::{Deserialize, Serialize};

use super::views::Who;
use crate::authority::AuthorityError;
use crate::ids::{EntryId, NodeId};

/// Why an entry is not in the views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// The author was not a certified post at the entry's time (unknown,
    /// not yet certified, revoked or quarantined).
    UnknownAuthor,
    /// The authority rules do not allow the author this action.
    NotAuthorized,
    /// The entry names an entry that is not (or not yet) in this ledger,
    /// or not of the kind it should be. It applies once that arrives.
    UnknownReference,
    /// Status and drill id disagree (an Actual entry naming a drill, an
    /// Exercise entry naming none, a drill record not marked Exercise).
    WrongTrack,
    /// Only the owner of an offer may commit it.
    NotOwner,
    /// Only an assignee may report on a task.
    NotAssignee,
    /// Only the owner or the requester may report a resource's status.
    NotParty,
    /// A stored body that does not decode.
    Undecodable,
    /// The thing is already finished (a drill ended twice).
    AlreadyDone,
    /// A reopen of an incident that is not closed.
    NotClosed,
}

/// A reason, with its bilingual explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: ReasonCode,
    pub en: String,
    pub zh: String,
}

impl Reason {
    pub fn new(code: ReasonCode, en: impl Into<String>, zh: impl Into<String>) -> Reason {
        Reason {
            code,
            en: en.into(),
            zh: zh.into(),
        }
    }

    pub fn unknown_author(author: &NodeId) -> Reason {
        Reason::new(
            ReasonCode::UnknownAuthor,
            format!(
                "author {} was not a certified post at the entry's time",
                author.short()
            ),
            format!("作者 {} 在该时间不是有效认证的单位", author.short()),
        )
    }

    pub fn not_authorized(e: &AuthorityError) -> Reason {
        // AuthorityError's text is already "English / 中文".
        let text = e.to_string();
        let (en, zh) = match text.split_once(" / ") {
            Some((en, zh)) => (en.to_string(), zh.to_string()),
            None => (text.clone(), text),
        };
        Reason::new(ReasonCode::NotAuthorized, en, zh)
    }

    /// `what` names the referenced thing: ("incident", "事件").
    pub fn unknown_reference(what: (&str, &str), id: &EntryId) -> Reason {
        Reason::new(
            ReasonCode::UnknownReference,
            format!(
                "names {} {}, which is not in this ledger",
                what.0,
                id.short()
            ),
            format!("引用的{} {} 不在本地台账中", what.1, id.short()),
        )
    }

    pub fn not_authorized_rule(en: impl Into<String>, zh: impl Into<String>) -> Reason {
        Reason::new(ReasonCode::NotAuthorized, en, zh)
    }
}

/// An entry left out of the views.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excluded {
    pub entry: EntryId,
    /// The kind's machine name.
    pub kind: String,
    pub author: NodeId,
    pub at_ms: u64,
    pub reason: Reason,
}

/// The documented conflict rules (see `fold`'s module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictRule {
    /// A response decision lost to a decision by a higher post.
    ResponseOverridden,
    /// A warning version lost to a version by a higher post.
    WarningOverridden,
    /// A commitment beyond what remained of the offer.
    OverCommit,
    /// A report or decision about a closed incident. A 续报 or 终报 is never
    /// applied (reopening is its own, explicit report: `Phase::Reopen`); a
    /// response decision is applied when its author is above the post
    /// that closed the incident.
    ClosedIncident,
    /// A resource status that goes back in the lifecycle, or follows its end.
    StatusRegressed,
    /// A commitment beyond what the request still needs, not marked as
    /// surplus (超额).
    OverRequest,
    /// A second delivery (or a second end) of the same commitment.
    DuplicateStatus,
    /// A task state that goes back, or follows done / refused.
    TaskStateRegressed,
}

/// A conflict and how it was resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub rule: ConflictRule,
    /// What the conflict is about: the incident, warning, offer, commit or task.
    pub subject: EntryId,
    /// The entry that conflicted.
    pub entry: EntryId,
    pub by: Who,
    pub at_ms: u64,
    /// The entry it conflicted with (the winner, the closing report …).
    pub other: Option<EntryId>,
    /// Whether `entry` was applied anyway (a higher post's override).
    pub applied: bool,
    pub en: String,
    pub zh: String,
}
