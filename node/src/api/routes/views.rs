//! The views as JSON: everything (`/api/views`), one area at a time (the
//! same sections `liandong board --json` prints), one incident with its
//! whole timeline, the after-action review, and the overview a duty
//! officer opens first. Every route takes `?drill=` for a drill's views.

use axum::Json;
use axum::extract::{Path, Query, State};
use liandong_protocol::domain::fold::{
    IncidentView, RequestView, TaskView, Track, Views, WarningStatus, Who, review as fold_review,
};
use liandong_protocol::domain::{Severity, TaskState, WarningColor};
use liandong_protocol::{EntryId, NodeId};
use serde::{Deserialize, Serialize};

use super::TrackQuery;
use crate::api::{ApiError, ApiState};
use crate::domain::ids::{self, INCIDENT};
use crate::domain::sections::Area;

/// The views of the requested track, with `f` applied on the blocking pool.
async fn with_views<T, F>(s: &ApiState, drill: Option<String>, f: F) -> Result<Json<T>, ApiError>
where
    T: Send + 'static,
    F: FnOnce(Views, NodeId) -> Result<T, ApiError> + Send + 'static,
{
    s.with_desk(drill, move |_, desk| f(desk.views(), desk.node))
        .await
        .map(Json)
}

fn section(v: &Views, area: Area) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(area.section(v)).map_err(|e| ApiError::internal(e.to_string()))
}

pub async fn all(
    State(s): State<ApiState>,
    Query(q): Query<TrackQuery>,
) -> Result<Json<Views>, ApiError> {
    with_views(&s, q.drill, |v, _| Ok(v)).await
}

macro_rules! area_route {
    ($name:ident, $area:expr) => {
        pub async fn $name(
            State(s): State<ApiState>,
            Query(q): Query<TrackQuery>,
        ) -> Result<Json<serde_json::Value>, ApiError> {
            with_views(&s, q.drill, |v, _| section(&v, $area)).await
        }
    };
}

area_route!(incidents, Area::Incidents);
area_route!(warnings, Area::Warnings);
area_route!(resources, Area::Resources);
area_route!(plans, Area::Plans);
area_route!(drills, Area::Drills);

/// The tasks section, plus this post's inbox: the tasks assigned to it,
/// with its own state.
pub async fn tasks(
    State(s): State<ApiState>,
    Query(q): Query<TrackQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    with_views(&s, q.drill, |v, me| {
        let mut value = section(&v, Area::Tasks)?;
        let inbox: Vec<InboxItem> = v.tasks.iter().filter_map(|t| inbox_item(t, &me)).collect();
        let issued: Vec<&TaskView> = v.tasks.iter().filter(|t| t.issuer.node == me).collect();
        value["inbox"] = serde_json::to_value(inbox).unwrap_or_default();
        value["issued"] = serde_json::to_value(issued).unwrap_or_default();
        Ok(value)
    })
    .await
}

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

fn inbox_item(t: &TaskView, me: &NodeId) -> Option<InboxItem> {
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

/// Response decisions: every incident with a response, the decision in
/// force and every decision taken (overridden ones marked).
pub async fn responses(
    State(s): State<ApiState>,
    Query(q): Query<TrackQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    with_views(&s, q.drill, |v, _| {
        let list: Vec<serde_json::Value> = v
            .incidents
            .iter()
            .filter(|i| !i.decisions.is_empty())
            .map(|i| {
                serde_json::json!({
                    "incident": i.id,
                    "title": i.current.title,
                    "region": i.region,
                    "response": i.response,
                    "decisions": i.decisions,
                })
            })
            .collect();
        let conflicts: Vec<_> = v
            .conflicts
            .iter()
            .filter(|c| c.rule == liandong_protocol::domain::fold::ConflictRule::ResponseOverridden)
            .collect();
        Ok(serde_json::json!({ "track": v.track, "responses": list, "conflicts": conflicts }))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct ReviewQuery {
    drill: Option<String>,
    incident: Option<String>,
}

/// The after-action review of a drill (`?drill=`), or of a real incident
/// (`?incident=`), or of everything on the track.
pub async fn review(
    State(s): State<ApiState>,
    Query(q): Query<ReviewQuery>,
) -> Result<Json<liandong_protocol::domain::fold::Review>, ApiError> {
    with_views(&s, q.drill, move |v, _| {
        let incident = q
            .incident
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(|i| ids::resolve(i, v.incidents.iter().map(|x| x.id), INCIDENT, "incident"))
            .transpose()?;
        Ok(fold_review(&v, incident))
    })
    .await
}

pub async fn conflicts(
    State(s): State<ApiState>,
    Query(q): Query<TrackQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    with_views(&s, q.drill, |v, _| {
        Ok(serde_json::json!({ "track": v.track, "conflicts": v.conflicts }))
    })
    .await
}

pub async fn invalid(
    State(s): State<ApiState>,
    Query(q): Query<TrackQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    with_views(&s, q.drill, |v, _| {
        Ok(serde_json::json!({ "track": v.track, "invalid": v.invalid }))
    })
    .await
}

// ------------------------------------------------------------ one incident

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

pub async fn incident(
    State(s): State<ApiState>,
    Path(id): Path<String>,
    Query(q): Query<TrackQuery>,
) -> Result<Json<IncidentDetail>, ApiError> {
    with_views(&s, q.drill, move |v, _| {
        let id = ids::resolve(&id, v.incidents.iter().map(|x| x.id), INCIDENT, "id")?;
        let incident = v
            .incident(&id)
            .cloned()
            .ok_or_else(|| ids::unknown(INCIDENT, &id, "id"))?;
        Ok(detail(&v, incident))
    })
    .await
}

fn detail(v: &Views, incident: IncidentView) -> IncidentDetail {
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
    commits: &[liandong_protocol::domain::fold::CommitView],
    tasks: &[TaskView],
    conflicts: &[liandong_protocol::domain::fold::Conflict],
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

// ----------------------------------------------------------------- overview

/// What a duty officer sees first: the post's whole subtree at a glance.
#[derive(Debug, Serialize)]
pub struct Overview {
    pub track: Track,
    pub now_ms: u64,
    /// Open incidents, most severe first.
    pub active: Vec<ActiveIncident>,
    /// Open incidents per severity (Ⅰ … Ⅳ).
    pub by_severity: Vec<(Severity, usize)>,
    pub closed: usize,
    /// Warnings in force or pending, per colour (red first).
    pub warnings_by_color: Vec<(WarningColor, usize)>,
    pub overdue_reports: Vec<OverdueReport>,
    pub open_requests: Vec<RequestView>,
    pub unacknowledged: Vec<Unacknowledged>,
    pub conflicts: usize,
    pub invalid: usize,
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

pub async fn overview(
    State(s): State<ApiState>,
    Query(q): Query<TrackQuery>,
) -> Result<Json<Overview>, ApiError> {
    with_views(&s, q.drill, |v, _| Ok(build_overview(&v))).await
}

fn build_overview(v: &Views) -> Overview {
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
                .filter(|w| {
                    w.current.color == *c
                        && matches!(w.status, WarningStatus::Active | WarningStatus::Pending)
                })
                .count();
            (*c, n)
        })
        .collect();
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
    let open_requests = v
        .requests
        .iter()
        .filter(|r| r.outstanding > 0)
        .cloned()
        .collect();
    let unacknowledged = v
        .tasks
        .iter()
        .flat_map(|t| {
            t.assignees
                .iter()
                .filter(|a| a.state == TaskState::Assigned)
                .map(move |a| Unacknowledged {
                    task: t.id,
                    objective: t.objective.clone(),
                    issuer: t.issuer.clone(),
                    assignee: a.post.clone(),
                    at_ms: t.at_ms,
                    due_ms: t.due_ms,
                    overdue: t.overdue,
                })
        })
        .collect();
    Overview {
        track: v.track,
        now_ms: v.now_ms,
        closed: v.incidents.len() - open.len(),
        active,
        by_severity,
        warnings_by_color,
        overdue_reports,
        open_requests,
        unacknowledged,
        conflicts: v.conflicts.len(),
        invalid: v.invalid.len(),
    }
}
