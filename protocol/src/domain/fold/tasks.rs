//! Tasks (指令).
//!
//! Rules:
//! - Every assignee must be a certified post at the task's time, and the
//!   authority policy must allow the issuer to task it ([`Action::Assign`]:
//!   posts below, or the issuer's own member units).
//! - Only an assignee reports on a task, for itself.
//! - States move forward only: assigned → acknowledged → in progress →
//!   done | refused (steps may be skipped). Going back, or anything after
//!   done / refused, is a [`ConflictRule::TaskStateRegressed`] conflict.
//! - Acknowledgement latency is the time from the task to the assignee's
//!   first report, whatever it says.

use super::outcome::{Conflict, ConflictRule, Reason, ReasonCode};
use super::pass::{Act, Pass, Problem};
use super::views::{AssigneeView, TaskView, Who};
use crate::authority::Action;
use crate::domain::{TaskAssign, TaskState, TaskUpdate};

const TASK: (&str, &str) = ("task", "指令");

impl Pass<'_> {
    pub(super) fn task(&mut self, act: &Act, t: &TaskAssign) -> Result<(), Problem> {
        let mut assignees = Vec::with_capacity(t.assignees.len());
        for node in &t.assignees {
            let Some(post) = self.ctx.directory.post_at(node, act.item.hlc) else {
                return Err(Reason::new(
                    ReasonCode::UnknownReference,
                    format!("assignee {} is not a certified post", node.short()),
                    format!("受领单位 {} 不是有效认证的单位", node.short()),
                )
                .into());
            };
            self.check(&act.post, &Action::Assign { assignee: &post })?;
            assignees.push(AssigneeView {
                post: Who::of(&post),
                state: TaskState::Assigned,
                acked_ms: None,
                ack_latency_ms: None,
                done_ms: None,
                note: String::new(),
                updates: Vec::new(),
            });
        }
        self.index.tasks.insert(act.id(), self.views.tasks.len());
        self.views.tasks.push(TaskView {
            id: act.id(),
            issuer: act.who.clone(),
            at_ms: act.at_ms(),
            incident: t.incident,
            objective: t.objective.clone(),
            due_ms: t.due_ms,
            assignees,
            state: TaskState::Assigned,
            overdue: false,
        });
        Ok(())
    }

    pub(super) fn task_update(&mut self, act: &Act, u: &TaskUpdate) -> Result<(), Problem> {
        let t = Self::find(&self.index.tasks, &u.task, TASK)?;
        let task = &mut self.views.tasks[t];
        let assigned_ms = task.at_ms;
        let Some(a) = task
            .assignees
            .iter_mut()
            .find(|a| a.post.node == act.item.author)
        else {
            return Err(Reason::new(
                ReasonCode::NotAssignee,
                "only an assignee may report on a task",
                "只有受领单位可以反馈指令",
            )
            .into());
        };
        let current = a.state;
        if u.state.stage() < current.stage() || (current.is_final() && u.state != current) {
            return Err(Conflict {
                rule: ConflictRule::TaskStateRegressed,
                subject: u.task,
                entry: act.id(),
                by: act.who.clone(),
                at_ms: act.at_ms(),
                other: a.updates.last().copied(),
                applied: false,
                en: format!("reports {} after {}; not applied", u.state, current),
                zh: format!(
                    "已为“{}”，又反馈“{}”，未予采纳",
                    current.name_zh(),
                    u.state.name_zh()
                ),
            }
            .into());
        }
        a.updates.push(act.id());
        a.note = u.note.clone();
        if a.acked_ms.is_none() {
            a.acked_ms = Some(act.at_ms());
            a.ack_latency_ms = Some(act.at_ms().saturating_sub(assigned_ms));
        }
        if u.state != current {
            a.state = u.state;
            if u.state == TaskState::Done {
                a.done_ms = Some(act.at_ms());
            }
        }
        Ok(())
    }

    pub(super) fn finish_tasks(&mut self) {
        for t in &mut self.views.tasks {
            let working = t
                .assignees
                .iter()
                .filter(|a| a.state != TaskState::Refused)
                .map(|a| a.state)
                .min_by_key(|s| s.stage());
            t.state = working.unwrap_or(TaskState::Refused);
        }
    }
}
