//! Tasks (指令): an issuer assigns an objective to posts below it; each
//! assignee acknowledges, works, and reports done — or refuses with a
//! reason.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::rules;
use crate::body_rules::BodyError;
use crate::ids::{EntryId, NodeId};
use crate::limits::Limits;

/// A directive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskAssign {
    pub incident: Option<EntryId>,
    pub drill: Option<EntryId>,
    /// The posts that must carry it out; at least one.
    pub assignees: Vec<NodeId>,
    pub objective: String,
    /// Due, ms since the Unix epoch.
    pub due_ms: Option<u64>,
}

impl TaskAssign {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        if self.assignees.is_empty() {
            return Err(BodyError::Empty { field: "assignees" });
        }
        rules::list("assignees", &self.assignees)?;
        rules::distinct("assignees", &self.assignees)?;
        rules::long_required("objective", &self.objective, limits)
    }
}

/// Where an assignee is with a task, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// 待签收 (the state before any update; never reported)
    Assigned,
    /// 已签收
    Acknowledged,
    /// 执行中
    InProgress,
    /// 已完成
    Done,
    /// 拒绝 (with a reason)
    Refused,
}

impl TaskState {
    pub const fn name(self) -> &'static str {
        match self {
            TaskState::Assigned => "assigned",
            TaskState::Acknowledged => "acknowledged",
            TaskState::InProgress => "in_progress",
            TaskState::Done => "done",
            TaskState::Refused => "refused",
        }
    }

    pub const fn name_zh(self) -> &'static str {
        match self {
            TaskState::Assigned => "待签收",
            TaskState::Acknowledged => "已签收",
            TaskState::InProgress => "执行中",
            TaskState::Done => "已完成",
            TaskState::Refused => "已拒绝",
        }
    }

    pub const fn is_final(self) -> bool {
        matches!(self, TaskState::Done | TaskState::Refused)
    }

    /// Position in the lifecycle; done and refused share the last.
    pub const fn stage(self) -> u8 {
        match self {
            TaskState::Assigned => 0,
            TaskState::Acknowledged => 1,
            TaskState::InProgress => 2,
            TaskState::Done | TaskState::Refused => 3,
        }
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An assignee's report on a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskUpdate {
    pub task: EntryId,
    pub drill: Option<EntryId>,
    pub state: TaskState,
    /// Progress note; for a refusal, the reason (required).
    pub note: String,
}

impl TaskUpdate {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        match self.state {
            TaskState::Assigned => Err(crate::body_rules::DomainError::OutOfRange {
                field: "state",
                value: self.state.to_string(),
                expected: "acknowledged, in_progress, done, refused",
            }
            .into()),
            TaskState::Refused => rules::long_required("reason", &self.note, limits),
            _ => rules::long("note", &self.note, limits),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        let limits = Limits::default();
        let mut t = TaskAssign {
            incident: None,
            drill: None,
            assignees: vec![NodeId([1; 32])],
            objective: "转移村东低洼地带群众".into(),
            due_ms: None,
        };
        assert_eq!(t.check(&limits), Ok(()));
        t.assignees.push(NodeId([1; 32]));
        assert!(t.check(&limits).is_err());
        t.assignees.clear();
        assert_eq!(
            t.check(&limits),
            Err(BodyError::Empty { field: "assignees" })
        );
        let refuse = TaskUpdate {
            task: EntryId([2; 32]),
            drill: None,
            state: TaskState::Refused,
            note: " ".into(),
        };
        assert_eq!(
            refuse.check(&limits),
            Err(BodyError::Empty { field: "reason" })
        );
        let ack = TaskUpdate {
            state: TaskState::Acknowledged,
            ..refuse
        };
        assert_eq!(ack.check(&limits), Ok(()));
        let assigned = TaskUpdate {
            state: TaskState::Assigned,
            ..ack
        };
        assert!(assigned.check(&limits).is_err());
    }
}
