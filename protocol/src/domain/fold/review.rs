//! After-action review (总结评估), computed from the views: nothing in it is
//! typed by hand, so a review is as verifiable as the ledger.
//!
//! For one incident, or for a whole track (a drill's review covers
//! everything in the drill): report latency against the deadline policy,
//! gaps between reports, time from the first report to the response,
//! acknowledgement times of tasks, time to commit and fill resource
//! requests, and the timeline of it all.

use serde::{Deserialize, Serialize};

use super::outcome::ConflictRule;
use super::track::Track;
use super::views::{CommitView, IncidentView, RequestView, TaskView, Views};
use crate::authority::ResponseLevel;
use crate::header::Operator;
use crate::ids::EntryId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub track: Track,
    /// The incident reviewed; `None` for the whole track.
    pub incident: Option<EntryId>,
    pub incidents: Vec<IncidentTimeline>,
    pub tasks: TaskStats,
    pub resources: ResourceStats,
    pub conflicts: usize,
    pub invalid: usize,
    pub timeline: Vec<TimelineEvent>,
}

/// The reporting and response record of one incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentTimeline {
    pub id: EntryId,
    pub title: String,
    pub occurred_ms: u64,
    pub first_report_ms: u64,
    pub first_report_latency_ms: u64,
    pub first_report_deadline_ms: u64,
    pub first_report_on_time: bool,
    pub reports: usize,
    pub max_update_gap_ms: u64,
    pub late_updates: u32,
    pub response_activated_ms: Option<u64>,
    /// From the 首报 to the first response decision in force.
    pub report_to_response_ms: Option<u64>,
    /// The most severe level decided (overridden decisions excluded).
    pub highest_level: Option<ResponseLevel>,
    pub closed_ms: Option<u64>,
    /// From occurrence to the 终报.
    pub duration_ms: Option<u64>,
}

/// Minimum, median and maximum of a set of durations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Durations {
    pub count: usize,
    pub min_ms: Option<u64>,
    pub median_ms: Option<u64>,
    pub max_ms: Option<u64>,
}

impl Durations {
    pub fn of(mut values: Vec<u64>) -> Durations {
        values.sort_unstable();
        Durations {
            count: values.len(),
            min_ms: values.first().copied(),
            // The lower median: a value that actually occurred.
            median_ms: values.get(values.len().saturating_sub(1) / 2).copied(),
            max_ms: values.last().copied(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskStats {
    pub tasks: usize,
    /// Task × assignee pairs.
    pub assignments: usize,
    pub acknowledged: usize,
    pub done: usize,
    pub refused: usize,
    pub unacknowledged: usize,
    pub overdue: usize,
    /// Done after the due time.
    pub done_late: usize,
    pub ack_latency: Durations,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceStats {
    pub requests: usize,
    pub commits: usize,
    /// Requests whose commits cover the quantity.
    pub filled: usize,
    /// Requests delivered in full.
    pub delivered: usize,
    /// From request to its first commit.
    pub time_to_first_commit: Durations,
    /// From request to being covered in full.
    pub time_to_fill: Durations,
    pub over_commits: usize,
}

/// One step of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub at_ms: u64,
    pub entry: EntryId,
    pub by: String,
    /// Who at the post entered the entry, when it says (version 2): the
    /// review's "首报 entered by 张三".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entered_by: Option<Operator>,
    pub en: String,
    pub zh: String,
}

/// Reviews one incident (`Some`) or the whole track of `views` (`None`).
/// An unknown incident gives an empty review.
pub fn review(views: &Views, incident: Option<EntryId>) -> Review {
    let about = |i: &Option<EntryId>| incident.is_none() || *i == incident;
    let incidents: Vec<&IncidentView> = views
        .incidents
        .iter()
        .filter(|v| about(&Some(v.id)))
        .collect();
    let tasks: Vec<&TaskView> = views.tasks.iter().filter(|t| about(&t.incident)).collect();
    let requests: Vec<&RequestView> = views
        .requests
        .iter()
        .filter(|r| about(&r.incident))
        .collect();
    let commits: Vec<&CommitView> = views
        .commits
        .iter()
        .filter(|c| requests.iter().any(|r| r.id == c.request))
        .collect();

    let mut timeline = Vec::new();
    for v in &incidents {
        incident_events(v, &mut timeline);
    }
    for t in &tasks {
        task_events(t, &mut timeline);
    }
    for r in &requests {
        timeline.push(TimelineEvent {
            at_ms: r.at_ms,
            entry: r.id,
            by: r.by.name.to_string(),
            entered_by: r.by.entered_by.clone(),
            en: format!(
                "requests {} {} {}",
                r.quantity, r.resource.unit, r.resource.item
            ),
            zh: format!("请求{}{}{}", r.resource.item, r.quantity, r.resource.unit),
        });
    }
    for c in &commits {
        timeline.push(TimelineEvent {
            at_ms: c.at_ms,
            entry: c.id,
            by: c.by.name.to_string(),
            entered_by: c.by.entered_by.clone(),
            en: format!("commits {}", c.quantity),
            zh: format!("承诺调拨 {}", c.quantity),
        });
        for s in &c.history {
            timeline.push(TimelineEvent {
                at_ms: s.at_ms,
                entry: s.entry,
                by: s.by.name.to_string(),
                entered_by: s.by.entered_by.clone(),
                en: format!("resource {}", s.status),
                zh: format!("资源{}", s.status.name_zh()),
            });
        }
    }
    if incident.is_none() {
        for w in &views.warnings {
            timeline.push(TimelineEvent {
                at_ms: w.issued_ms,
                entry: w.id,
                by: w.issued_by.name.to_string(),
                entered_by: w.issued_by.entered_by.clone(),
                // English is optional on a warning: the Chinese stands in.
                en: format!(
                    "issues warning: {}",
                    if w.current.headline_en.trim().is_empty() {
                        &w.current.headline_zh
                    } else {
                        &w.current.headline_en
                    }
                ),
                zh: format!("发布预警：{}", w.current.headline_zh),
            });
        }
    }
    timeline.sort_by_key(|e| (e.at_ms, e.entry));

    let related = |subject: &EntryId| {
        incident.is_none()
            || Some(*subject) == incident
            || tasks.iter().any(|t| t.id == *subject)
            || commits
                .iter()
                .any(|c| c.id == *subject || c.offer == *subject)
    };
    Review {
        track: views.track,
        incident,
        incidents: incidents.iter().map(|v| incident_timeline(v)).collect(),
        tasks: task_stats(&tasks),
        resources: resource_stats(&requests, commits.len(), views, &related),
        conflicts: views
            .conflicts
            .iter()
            .filter(|c| related(&c.subject))
            .count(),
        invalid: if incident.is_none() {
            views.invalid.len()
        } else {
            0
        },
        timeline,
    }
}

fn incident_timeline(v: &IncidentView) -> IncidentTimeline {
    let first_response = v.decisions.iter().find(|d| !d.overridden).map(|d| d.at_ms);
    IncidentTimeline {
        id: v.id,
        title: v.current.title.clone(),
        occurred_ms: v.current.occurred_ms,
        first_report_ms: v.first_report_ms,
        first_report_latency_ms: v.deadlines.first_report_latency_ms,
        first_report_deadline_ms: v.deadlines.first_report_deadline_ms,
        first_report_on_time: !v.deadlines.first_report_late,
        reports: v.reports.len(),
        max_update_gap_ms: v.deadlines.max_update_gap_ms,
        late_updates: v.deadlines.late_updates,
        response_activated_ms: v.response.as_ref().and_then(|r| r.first_activated_ms),
        report_to_response_ms: first_response.map(|t| t.saturating_sub(v.first_report_ms)),
        highest_level: v
            .decisions
            .iter()
            .filter(|d| !d.overridden)
            .map(|d| d.level)
            .min(),
        closed_ms: v.closed.as_ref().map(|c| c.at_ms),
        duration_ms: v
            .closed
            .as_ref()
            .map(|c| c.at_ms.saturating_sub(v.current.occurred_ms)),
    }
}

fn incident_events(v: &IncidentView, out: &mut Vec<TimelineEvent>) {
    for r in &v.reports {
        out.push(TimelineEvent {
            at_ms: r.at_ms,
            entry: r.entry,
            by: r.by.name.to_string(),
            entered_by: r.by.entered_by.clone(),
            en: format!("{} report: {}", r.phase, v.current.title),
            zh: format!("{}：{}", r.phase.name_zh(), v.current.title),
        });
    }
    for d in &v.decisions {
        let overridden = if d.overridden { " (overridden)" } else { "" };
        out.push(TimelineEvent {
            at_ms: d.at_ms,
            entry: d.entry,
            by: d.by.name.to_string(),
            entered_by: d.by.entered_by.clone(),
            en: format!("{} level {} response{overridden}", d.action, d.level),
            zh: format!(
                "{}{}级响应{}",
                d.action.name_zh(),
                d.level,
                if d.overridden {
                    "（被上级决定覆盖）"
                } else {
                    ""
                }
            ),
        });
    }
    for c in &v.consultations {
        out.push(TimelineEvent {
            at_ms: c.at_ms,
            entry: c.entry,
            by: c.by.name.to_string(),
            entered_by: c.by.entered_by.clone(),
            en: format!("consultation: {}", c.topic),
            zh: format!("会商研判：{}", c.topic),
        });
    }
    for r in &v.releases {
        out.push(TimelineEvent {
            at_ms: r.at_ms,
            entry: r.entry,
            by: r.by.name.to_string(),
            entered_by: r.by.entered_by.clone(),
            en: format!("information release: {}", r.headline),
            zh: format!("信息发布：{}", r.headline),
        });
    }
}

fn task_events(t: &TaskView, out: &mut Vec<TimelineEvent>) {
    out.push(TimelineEvent {
        at_ms: t.at_ms,
        entry: t.id,
        by: t.issuer.name.to_string(),
        entered_by: t.issuer.entered_by.clone(),
        en: format!("task: {}", t.objective),
        zh: format!("下达指令：{}", t.objective),
    });
    for a in &t.assignees {
        if let (Some(at), Some(entry)) = (a.acked_ms, a.updates.first()) {
            out.push(TimelineEvent {
                at_ms: at,
                entry: *entry,
                by: a.post.name.to_string(),
                // The assignee's view keeps its post, not who entered
                // its updates.
                entered_by: None,
                en: "acknowledges the task".into(),
                zh: "签收指令".into(),
            });
        }
        if let (Some(at), Some(entry)) = (a.done_ms, a.updates.last()) {
            out.push(TimelineEvent {
                at_ms: at,
                entry: *entry,
                by: a.post.name.to_string(),
                // The assignee's view keeps its post, not who entered
                // its updates.
                entered_by: None,
                en: "completes the task".into(),
                zh: "完成指令".into(),
            });
        }
    }
}

fn task_stats(tasks: &[&TaskView]) -> TaskStats {
    use crate::domain::TaskState;
    let mut s = TaskStats {
        tasks: tasks.len(),
        ..TaskStats::default()
    };
    let mut latencies = Vec::new();
    for t in tasks {
        if t.overdue {
            s.overdue += 1;
        }
        for a in &t.assignees {
            s.assignments += 1;
            match a.ack_latency_ms {
                Some(l) => {
                    s.acknowledged += 1;
                    latencies.push(l);
                }
                None => s.unacknowledged += 1,
            }
            match a.state {
                TaskState::Done => s.done += 1,
                TaskState::Refused => s.refused += 1,
                _ => {}
            }
            if let (Some(done), Some(due)) = (a.done_ms, t.due_ms)
                && done > due
            {
                s.done_late += 1;
            }
        }
    }
    s.ack_latency = Durations::of(latencies);
    s
}

fn resource_stats(
    requests: &[&RequestView],
    commits: usize,
    views: &Views,
    related: &dyn Fn(&EntryId) -> bool,
) -> ResourceStats {
    ResourceStats {
        requests: requests.len(),
        commits,
        filled: requests.iter().filter(|r| r.filled_ms.is_some()).count(),
        delivered: requests
            .iter()
            .filter(|r| r.delivered >= r.quantity)
            .count(),
        time_to_first_commit: Durations::of(
            requests
                .iter()
                .filter_map(|r| r.first_commit_ms.map(|t| t.saturating_sub(r.at_ms)))
                .collect(),
        ),
        time_to_fill: Durations::of(
            requests
                .iter()
                .filter_map(|r| r.filled_ms.map(|t| t.saturating_sub(r.at_ms)))
                .collect(),
        ),
        over_commits: views
            .conflicts
            .iter()
            .filter(|c| c.rule == ConflictRule::OverCommit && related(&c.subject))
            .count(),
    }
}
