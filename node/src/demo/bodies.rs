//! The entries the demo's posts write: a flood at 西戈壁村.

use liandong_protocol::domain::{
    Availability, Casualties, Category, DeploymentStatus, EventType, GeoPoint, IncidentReport,
    Phase, PlanApproval, PlanApprovalKind, PlanRecord, RescueForce, ResourceClass, ResourceCommit,
    ResourceItem, ResourceOffer, ResourceRequest, ResourceStatus, ResponseAction, ResponseDecision,
    Severity, TaskAssign, TaskState, TaskUpdate, Warning, WarningColor, WarningInfo,
};
use liandong_protocol::{Body, EntryId, NodeId, RegionCode, ResponseLevel};

const HOUR_MS: u64 = 3_600_000;

pub fn flood() -> EventType {
    EventType::new(Category::Natural, "flood_drought")
}

pub fn rain() -> EventType {
    EventType::new(Category::Natural, "meteorological")
}

pub struct Report<'a> {
    pub phase: Phase,
    pub incident: Option<EntryId>,
    pub occurred_ms: u64,
    pub region: &'a RegionCode,
    pub casualties: Casualties,
    pub trend: &'a str,
    pub actions: &'a str,
    pub requests: &'a str,
}

pub fn report(r: Report<'_>) -> Body {
    Body::from(IncidentReport {
        phase: r.phase,
        incident: r.incident,
        drill: None,
        title: "西戈壁村洪涝".into(),
        event: flood(),
        severity: Severity::IV,
        provisional: r.phase == Phase::Initial,
        occurred_ms: r.occurred_ms,
        region: r.region.clone(),
        // 西戈壁镇, roughly.
        point: Some(GeoPoint {
            lat_e6: 44_330_000,
            lon_e6: 85_570_000,
        }),
        casualties: r.casualties,
        economic_loss_wan: None,
        losses: "村东农田受淹约 300 亩，一段村道被冲毁".into(),
        cause: "持续强降雨，上游来水，村东排洪渠漫溢".into(),
        trend: r.trend.into(),
        actions: r.actions.into(),
        requests: r.requests.into(),
        contact: "村党支部书记 138-0993-0000".into(),
        attachments: Vec::new(),
    })
}

pub fn warning(area: Vec<RegionCode>, now_ms: u64) -> Body {
    Body::from(Warning::Issue {
        drill: None,
        info: WarningInfo {
            color: WarningColor::Orange,
            event: rain(),
            area,
            polygon: Vec::new(),
            effective_ms: now_ms,
            expires_ms: now_ms + 24 * HOUR_MS,
            headline_zh: "暴雨橙色预警".into(),
            headline_en: "Orange rainstorm warning".into(),
            description_zh: "未来 6 小时沙湾市、乌苏市降雨量将达 50 毫米以上。".into(),
            description_en: "Over 50 mm of rain expected in Shawan and Wusu within 6 hours.".into(),
            instruction_zh: "低洼地带群众做好转移准备，停止户外作业。".into(),
            instruction_en: "Residents of low-lying areas prepare to evacuate; stop outdoor work."
                .into(),
        },
    })
}

pub fn plan(region: &RegionCode, now_ms: u64) -> Body {
    Body::from(PlanRecord {
        plan: None,
        title: "沙湾市防汛抗旱应急预案".into(),
        version: "2026".into(),
        events: vec![flood()],
        region: region.clone(),
        summary: "Ⅳ级响应由市防汛抗旱指挥部启动，消防、卫健、水利为成员单位。".into(),
        document: None,
        review_due_ms: now_ms + 365 * 24 * HOUR_MS,
    })
}

pub fn file_plan(plan: EntryId) -> Body {
    Body::from(PlanApproval {
        plan,
        version: plan,
        kind: PlanApprovalKind::File,
        note: "地区应急管理局备案".into(),
    })
}

pub fn response(
    action: ResponseAction,
    incident: EntryId,
    level: ResponseLevel,
    plan: Option<EntryId>,
    lead_hq: &str,
    reason: &str,
) -> Body {
    Body::from(ResponseDecision {
        action,
        incident,
        drill: None,
        level,
        plan,
        lead_hq: lead_hq.into(),
        member_units: vec![
            "沙湾市消防救援大队".into(),
            "沙湾市卫生健康委员会".into(),
            "沙湾市水利局".into(),
        ],
        reason: reason.into(),
    })
}

fn item(class: ResourceClass, name: &str, unit: &str) -> ResourceItem {
    ResourceItem {
        class,
        item: name.into(),
        unit: unit.into(),
        capabilities: Vec::new(),
    }
}

pub fn sandbags() -> ResourceItem {
    item(ResourceClass::Material, "编织袋（防汛沙袋）", "条")
}

pub fn boats() -> ResourceItem {
    ResourceItem {
        capabilities: vec!["水域救援".into()],
        ..item(ResourceClass::Team, "水域救援队（含冲锋舟）", "支")
    }
}

pub fn request(incident: EntryId, resource: ResourceItem, quantity: u64, deliver_to: &str) -> Body {
    Body::from(ResourceRequest {
        incident: Some(incident),
        drill: None,
        resource,
        quantity,
        deliver_to: deliver_to.into(),
        needed_by_ms: None,
        note: String::new(),
    })
}

pub fn offer(
    request: EntryId,
    resource: ResourceItem,
    quantity: u64,
    location: &str,
    owner: &str,
) -> Body {
    Body::from(ResourceOffer {
        request: Some(request),
        drill: None,
        resource,
        quantity,
        location: location.into(),
        owner: owner.into(),
        available_from_ms: None,
        available_until_ms: None,
        note: String::new(),
    })
}

pub fn commit(offer: EntryId, request: EntryId, quantity: u64) -> Body {
    Body::from(ResourceCommit {
        offer,
        request,
        drill: None,
        quantity,
        eta_ms: None,
        note: String::new(),
        surplus: false,
    })
}

pub fn status(commit: EntryId, status: DeploymentStatus) -> Body {
    Body::from(ResourceStatus {
        commit,
        drill: None,
        status,
        note: String::new(),
    })
}

pub fn task(incident: EntryId, assignees: Vec<NodeId>, objective: &str, due_ms: u64) -> Body {
    Body::from(TaskAssign {
        incident: Some(incident),
        drill: None,
        assignees,
        objective: objective.into(),
        due_ms: Some(due_ms),
    })
}

pub fn task_update(task: EntryId, state: TaskState, note: &str) -> Body {
    Body::from(TaskUpdate {
        task,
        drill: None,
        state,
        note: note.into(),
    })
}

/// A rescue force as the demo registers it (救援力量储备库).
pub struct Force<'a> {
    pub name: &'a str,
    pub force_type: &'a str,
    pub headcount: u32,
    pub capabilities: &'a [&'a str],
    pub equipment: &'a [&'a str],
    /// Micro-degrees, near the posts of 沙湾市.
    pub base: (i32, i32),
    pub region: &'a RegionCode,
    pub contact: &'a str,
    /// Days since its last drill.
    pub drilled_days_ago: u64,
}

/// A force's registration (`force: None`), or its whole record after a
/// change.
pub fn rescue_force(
    f: &Force<'_>,
    force: Option<EntryId>,
    availability: Availability,
    assigned_to: Option<EntryId>,
    now_ms: u64,
) -> Body {
    Body::from(RescueForce {
        force,
        name: f.name.into(),
        name_en: String::new(),
        force_type: f.force_type.into(),
        headcount: f.headcount,
        capabilities: f.capabilities.iter().map(|c| c.to_string()).collect(),
        equipment: f.equipment.iter().map(|e| e.to_string()).collect(),
        base: GeoPoint {
            lat_e6: f.base.0,
            lon_e6: f.base.1,
        },
        region: f.region.clone(),
        contact: f.contact.into(),
        availability,
        last_drill_ms: Some(now_ms.saturating_sub(f.drilled_days_ago * 24 * HOUR_MS)),
        assigned_to,
        note: String::new(),
    })
}
