//! One incident with everything about it, and its timeline in both
//! languages, in time order.

use liandong_protocol::EntryId;
use liandong_protocol::domain::fold::{
    CommitView, Conflict, IncidentView, RequestView, TaskView, Track, Views, Who,
};
use serde::Serialize;

/// One line of an incident's timeline, in both languages.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineItem {
    pub at_ms: u64,
    /// report, decision, plan, consultation, release, request, commit,
    /// status, task, task_update, conflict
    pub kind: &'static str,
    pub by: Option<Who>,
    pub entry: EntryId,
    pub zh: String,
    pub en: String,
    /// Lost to a higher post's decision, or refused as a conflict.
    pub overridden: bool,
}

#[derive(Debug, Serialize)]
pub struct IncidentDetail {
    pub track: Track,
    pub now_ms: u64,
    pub incident: IncidentView,
    pub requests: Vec<RequestView>,
    pub commits: Vec<liandong_protocol::domain::fold::CommitView>,
    pub tasks: Vec<TaskView>,
    pub conflicts: Vec<liandong_protocol::domain::fold::Conflict>,
    /// Everything above in time order.
    pub timeline: Vec<TimelineItem>,
}

pub fn detail(v: &Views, incident: IncidentView) -> IncidentDetail {
    let id = incident.id;
    let requests: Vec<RequestView> = v
        .requests
        .iter()
        .filter(|r| r.incident == Some(id))
        .cloned()
        .collect();
    let commits: Vec<_> = v
        .commits
        .iter()
        .filter(|c| requests.iter().any(|r| r.id == c.request))
        .cloned()
        .collect();
    let tasks: Vec<TaskView> = v
        .tasks
        .iter()
        .filter(|t| t.incident == Some(id))
        .cloned()
        .collect();
    let conflicts: Vec<_> = v
        .conflicts
        .iter()
        .filter(|c| c.subject == id)
        .cloned()
        .collect();
    let timeline = timeline(&incident, &requests, &commits, &tasks, &conflicts);
    IncidentDetail {
        track: v.track,
        now_ms: v.now_ms,
        incident,
        requests,
        commits,
        tasks,
        conflicts,
        timeline,
    }
}

fn timeline(
    i: &IncidentView,
    requests: &[RequestView],
    commits: &[CommitView],
    tasks: &[TaskView],
    conflicts: &[Conflict],
) -> Vec<TimelineItem> {
    let mut out = Vec::new();
    let mut push = |at_ms, kind, by: Option<&Who>, entry, zh: String, en: String, overridden| {
        out.push(TimelineItem {
            at_ms,
            kind,
            by: by.cloned(),
            entry,
            zh,
            en,
            overridden,
        });
    };
    for r in &i.reports {
        push(
            r.at_ms,
            "report",
            Some(&r.by),
            r.entry,
            r.phase.name_zh().to_string(),
            format!("{} report", r.phase.name()),
            false,
        );
    }
    for d in &i.decisions {
        push(
            d.at_ms,
            "decision",
            Some(&d.by),
            d.entry,
            format!("{}{}级应急响应", d.action.name_zh(), d.level),
            format!("{} level {} response", d.action.name(), d.level),
            d.overridden,
        );
    }
    for p in &i.plans {
        push(
            p.at_ms,
            "plan",
            Some(&p.by),
            p.entry,
            format!("启动预案 {}", p.plan.short()),
            format!("plan {} activated", p.plan.short()),
            false,
        );
    }
    for c in &i.consultations {
        push(
            c.at_ms,
            "consultation",
            Some(&c.by),
            c.entry,
            format!("会商研判：{} — {}", c.topic, c.assessment),
            format!("consultation: {} — {}", c.topic, c.assessment),
            false,
        );
    }
    for r in &i.releases {
        push(
            r.at_ms,
            "release",
            Some(&r.by),
            r.entry,
            format!("信息发布（{}）：{}", r.channel, r.headline),
            format!("release ({}): {}", r.channel, r.headline),
            false,
        );
    }
    for r in requests {
        push(
            r.at_ms,
            "request",
            Some(&r.by),
            r.id,
            format!(
                "资源需求：{} {}{}，送至 {}",
                r.resource.item, r.quantity, r.resource.unit, r.deliver_to
            ),
            format!(
                "resource request: {} {} {} to {}",
                r.quantity, r.resource.unit, r.resource.item, r.deliver_to
            ),
            false,
        );
    }
    for c in commits {
        push(
            c.at_ms,
            "commit",
            Some(&c.by),
            c.id,
            format!("承诺调拨 {} 件", c.quantity),
            format!("committed {}", c.quantity),
            false,
        );
        for h in &c.history {
            push(
                h.at_ms,
                "status",
                Some(&h.by),
                h.entry,
                format!("资源{}", h.status.name_zh()),
                format!("resource {}", h.status.name()),
                false,
            );
        }
    }
    for t in tasks {
        push(
            t.at_ms,
            "task",
            Some(&t.issuer),
            t.id,
            format!("下达指令：{}", t.objective),
            format!("task: {}", t.objective),
            false,
        );
        for a in &t.assignees {
            if let (Some(at), Some(entry)) = (a.acked_ms, a.updates.first()) {
                push(
                    at,
                    "task_update",
                    Some(&a.post),
                    *entry,
                    format!("{} 签收指令", a.post.name),
                    format!("{} acknowledged", a.post.name),
                    false,
                );
            }
            if let (Some(at), Some(entry)) = (a.done_ms, a.updates.last()) {
                push(
                    at,
                    "task_update",
                    Some(&a.post),
                    *entry,
                    format!("{} {}", a.post.name, a.state.name_zh()),
                    format!("{} {}", a.post.name, a.state.name()),
                    false,
                );
            }
        }
    }
    for c in conflicts {
        push(
            c.at_ms,
            "conflict",
            Some(&c.by),
            c.entry,
            c.zh.clone(),
            c.en.clone(),
            !c.applied,
        );
    }
    out.sort_by_key(|t| (t.at_ms, t.entry));
    out
}
