//! What a duty officer sees first: the post's whole subtree at a glance.

use liandong_protocol::EntryId;
use liandong_protocol::domain::fold::{
    AssigneeView, IncidentView, RequestView, TaskView, Track, Views, WarningStatus, WarningView,
    Who,
};
use liandong_protocol::domain::{Severity, TaskState, WarningColor};
use serde::Serialize;

/// Rows each of the overview's lists carries at most; [`Totals`] counts
/// them all. A national post's subtree can hold 100,000 open incidents:
/// 37 MB of JSON that no front page can show (BENCHMARKS.md). The rows
/// kept are the ones to act on first; the area pages show more.
pub const OVERVIEW_ROWS: usize = 200;

/// What a duty officer sees first: the post's whole subtree at a glance.
#[derive(Debug, Serialize)]
pub struct Overview {
    pub track: Track,
    pub now_ms: u64,
    /// Open incidents, most severe first, then the latest reported.
    pub active: Vec<ActiveIncident>,
    /// Open incidents per severity (Ⅰ … Ⅳ).
    pub by_severity: Vec<(Severity, usize)>,
    pub closed: usize,
    /// Warnings in force or pending, per colour (red first).
    pub warnings_by_color: Vec<(WarningColor, usize)>,
    /// External (CAP) warnings in force or pending whose severity gave no
    /// colour (未分级): counted apart, never under a colour.
    pub warnings_ungraded: usize,
    /// Most overdue first.
    pub overdue_reports: Vec<OverdueReport>,
    pub open_requests: Vec<RequestView>,
    pub unacknowledged: Vec<Unacknowledged>,
    /// How many of each list there are (each carries at most
    /// [`OVERVIEW_ROWS`]).
    pub totals: Totals,
    pub conflicts: usize,
    pub invalid: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub active: usize,
    pub overdue_reports: usize,
    pub open_requests: usize,
    pub unacknowledged: usize,
}

#[derive(Debug, Serialize)]
pub struct ActiveIncident {
    pub id: EntryId,
    pub title: String,
    pub severity: Severity,
    pub provisional: bool,
    pub region: liandong_protocol::RegionCode,
    pub reported_by: Who,
    pub last_report_ms: u64,
    pub response_level: Option<liandong_protocol::ResponseLevel>,
    pub update_overdue: bool,
}

#[derive(Debug, Serialize)]
pub struct OverdueReport {
    pub incident: EntryId,
    pub title: String,
    pub reported_by: Who,
    /// `first_report_late` (迟报) or `update_overdue` (续报逾期).
    pub kind: &'static str,
    pub due_ms: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct Unacknowledged {
    pub task: EntryId,
    pub objective: String,
    pub issuer: Who,
    pub assignee: Who,
    pub at_ms: u64,
    pub due_ms: Option<u64>,
    pub overdue: bool,
}

pub fn build_overview(v: &Views) -> Overview {
    let open: Vec<&IncidentView> = v.incidents.iter().filter(|i| i.closed.is_none()).collect();
    let mut active: Vec<ActiveIncident> = open
        .iter()
        .map(|i| ActiveIncident {
            id: i.id,
            title: i.current.title.clone(),
            severity: i.current.severity,
            provisional: i.current.provisional,
            region: i.region.clone(),
            reported_by: i.reported_by.clone(),
            last_report_ms: i.last_report_ms,
            response_level: i.response.as_ref().filter(|r| r.active).map(|r| r.level),
            update_overdue: i.deadlines.update_overdue,
        })
        .collect();
    active.sort_by_key(|a| (a.severity, std::cmp::Reverse(a.last_report_ms)));
    let by_severity = Severity::ALL
        .iter()
        .map(|s| (*s, open.iter().filter(|i| i.current.severity == *s).count()))
        .collect();
    let warnings_by_color = WarningColor::ALL
        .iter()
        .map(|c| {
            let n = v
                .warnings
                .iter()
                .filter(|w| w.current.color == *c && in_force(w) && graded(w))
                .count();
            (*c, n)
        })
        .collect();
    let warnings_ungraded = v
        .warnings
        .iter()
        .filter(|w| in_force(w) && !graded(w))
        .count();
    let mut overdue_reports = Vec::new();
    for i in &v.incidents {
        if i.closed.is_none() && i.deadlines.update_overdue {
            overdue_reports.push(OverdueReport {
                incident: i.id,
                title: i.current.title.clone(),
                reported_by: i.reported_by.clone(),
                kind: "update_overdue",
                due_ms: i.deadlines.next_update_due_ms,
            });
        }
        if i.deadlines.first_report_late {
            overdue_reports.push(OverdueReport {
                incident: i.id,
                title: i.current.title.clone(),
                reported_by: i.reported_by.clone(),
                kind: "first_report_late",
                due_ms: Some(
                    i.current
                        .occurred_ms
                        .saturating_add(i.deadlines.first_report_deadline_ms),
                ),
            });
        }
    }
    // The requests and tasks keep the views' order: only the rows shown are
    // copied, the others counted.
    let open_requests: Vec<RequestView> =
        open_requests_of(v).take(OVERVIEW_ROWS).cloned().collect();
    let unacknowledged: Vec<Unacknowledged> = unacknowledged_of(v)
        .take(OVERVIEW_ROWS)
        .map(|(t, a)| Unacknowledged {
            task: t.id,
            objective: t.objective.clone(),
            issuer: t.issuer.clone(),
            assignee: a.post.clone(),
            at_ms: t.at_ms,
            due_ms: t.due_ms,
            overdue: t.overdue,
        })
        .collect();
    // Most overdue (earliest due) first; equal dues keep the views' order.
    overdue_reports.sort_by_key(|r| r.due_ms.unwrap_or(u64::MAX));
    let totals = Totals {
        active: active.len(),
        overdue_reports: overdue_reports.len(),
        open_requests: open_requests_of(v).count(),
        unacknowledged: unacknowledged_of(v).count(),
    };
    active.truncate(OVERVIEW_ROWS);
    overdue_reports.truncate(OVERVIEW_ROWS);
    Overview {
        totals,
        track: v.track,
        now_ms: v.now_ms,
        closed: v.incidents.len() - open.len(),
        active,
        by_severity,
        warnings_by_color,
        warnings_ungraded,
        overdue_reports,
        open_requests,
        unacknowledged,
        conflicts: v.conflicts.len(),
        invalid: v.invalid.len(),
    }
}

/// Requests still waiting for some of what they asked.
fn open_requests_of(v: &Views) -> impl Iterator<Item = &RequestView> {
    v.requests.iter().filter(|r| r.outstanding > 0)
}

/// Each assignee that has not acknowledged its task, with the task.
fn unacknowledged_of(v: &Views) -> impl Iterator<Item = (&TaskView, &AssigneeView)> {
    v.tasks.iter().flat_map(|t| {
        t.assignees
            .iter()
            .filter(|a| a.state == TaskState::Assigned)
            .map(move |a| (t, a))
    })
}

fn in_force(w: &WarningView) -> bool {
    matches!(w.status, WarningStatus::Active | WarningStatus::Pending)
}

/// A colour the warning really has (an ungraded CAP alert's is a placeholder).
fn graded(w: &WarningView) -> bool {
    w.external.as_ref().is_none_or(|e| e.graded)
}
