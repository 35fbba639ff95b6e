//! A post's task inbox: the tasks assigned to it, with its own state of each.

use liandong_protocol::domain::TaskState;
use liandong_protocol::domain::fold::{TaskView, Who};
use liandong_protocol::{EntryId, NodeId};
use serde::Serialize;

/// A task assigned to this post, as its inbox shows it.
#[derive(Debug, Serialize)]
pub struct InboxItem {
    pub id: EntryId,
    pub issuer: Who,
    pub at_ms: u64,
    pub incident: Option<EntryId>,
    pub objective: String,
    pub due_ms: Option<u64>,
    pub overdue: bool,
    /// This post's own state of the task.
    pub state: TaskState,
    pub acked_ms: Option<u64>,
    pub note: String,
}

pub fn inbox_item(t: &TaskView, me: &NodeId) -> Option<InboxItem> {
    let mine = t.assignees.iter().find(|a| a.post.node == *me)?;
    Some(InboxItem {
        id: t.id,
        issuer: t.issuer.clone(),
        at_ms: t.at_ms,
        incident: t.incident,
        objective: t.objective.clone(),
        due_ms: t.due_ms,
        overdue: t.overdue && !matches!(mine.state, TaskState::Done | TaskState::Refused),
        state: mine.state,
        acked_ms: mine.acked_ms,
        note: mine.note.clone(),
    })
}
