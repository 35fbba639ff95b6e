//! 指令下达与反馈: assign, then acknowledge, progress, done or refuse.

use clap::Args;
use liandong_protocol::Body;
use liandong_protocol::domain::{TaskAssign, TaskState, TaskUpdate};
use serde::{Deserialize, Serialize};

use crate::domain::desk::{Desk, Planned};
use crate::domain::error::ActionError;
use crate::domain::ids::{self, INCIDENT, TASK};
use crate::domain::input;

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    /// Assignee: post name or node id (repeatable, or comma-separated) / 受领单位
    #[arg(long = "to", required = true)]
    pub to: Vec<String>,
    /// What to do / 任务内容
    #[arg(long)]
    pub objective: String,
    /// Due: 2h (from now) or a time / 完成时限，如 2h 表示 2 小时内
    #[arg(long)]
    #[serde(default)]
    pub due: Option<String>,
    /// The incident: id or prefix / 事件编号
    #[arg(long)]
    #[serde(default)]
    pub incident: Option<String>,
}

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateInput {
    /// The task: id or prefix / 指令编号
    #[arg(long)]
    pub task: String,
    /// A note; for a refusal, the reason (required) / 备注（拒绝时为理由）
    #[arg(long, default_value = "")]
    #[serde(default)]
    pub note: String,
}

pub fn assign(desk: &Desk, a: AssignInput) -> Result<Planned, ActionError> {
    let names = input::lists(&a.to);
    if names.is_empty() {
        return Err(ActionError::missing("to", "受领单位"));
    }
    let views = desk.views();
    let posts = desk.directory.latest();
    let assignees = names
        .iter()
        .map(|t| ids::resolve_post(t, posts.iter(), "to"))
        .collect::<Result<Vec<_>, _>>()?;
    let incident = input::non_blank(&a.incident)
        .map(|i| {
            ids::resolve(
                i,
                views.incidents.iter().map(|v| v.id),
                INCIDENT,
                "incident",
            )
        })
        .transpose()?;
    let body = Body::Task(Box::new(TaskAssign {
        incident,
        drill: desk.drill(),
        assignees,
        objective: a.objective,
        due_ms: input::future_opt("due", &a.due, desk.now_ms)?,
    }));
    Ok(desk.plan(desk.region.clone(), body, "指令", "task"))
}

/// Acknowledged, in progress, done or refused (a refusal needs its reason).
pub fn update(desk: &Desk, a: UpdateInput, state: TaskState) -> Result<Planned, ActionError> {
    if state == TaskState::Refused && a.note.trim().is_empty() {
        return Err(ActionError::missing("note", "拒绝理由"));
    }
    let views = desk.views();
    let task = ids::resolve(&a.task, views.tasks.iter().map(|t| t.id), TASK, "task")?;
    let body = Body::TaskUpdate(Box::new(TaskUpdate {
        task,
        drill: desk.drill(),
        state,
        note: a.note,
    }));
    Ok(desk.plan(desk.region.clone(), body, state.name_zh(), state.name()))
}
