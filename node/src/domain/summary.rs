//! One-line summaries of domain entries, for `liandong log` and the
//! console's entry rows (Chinese first, as the operator reads them).

use liandong_protocol::Body;
use liandong_protocol::domain::Warning;
use liandong_protocol::domain::cap::{CapMsgType, mapping};
use liandong_protocol::domain::rescue_force::{FORCE_TYPES, label};

/// A short line for a domain body; `None` for other kinds.
pub fn summarise(body: &Body) -> Option<String> {
    let short = |id: &liandong_protocol::EntryId| id.short();
    Some(match body {
        Body::IncidentReport(r) => format!(
            "{} · {} · {} · {}{}",
            r.phase.name_zh(),
            r.title,
            r.event.name_zh(),
            r.severity.name_zh(),
            if r.provisional { "（初判）" } else { "" }
        ),
        Body::ResponseDecision(d) => format!(
            "{}{}级响应 · 事件 {} · {}",
            d.action.name_zh(),
            d.level,
            short(&d.incident),
            d.lead_hq
        ),
        Body::Warning(w) => match w.as_ref() {
            Warning::Issue { info, .. } => {
                format!("发布{}预警 · {}", info.color.name_zh(), info.headline_zh)
            }
            Warning::Update { warning, info, .. } => format!(
                "变更预警 {} · {} · {}",
                short(warning),
                info.color.name_zh(),
                info.headline_zh
            ),
            Warning::Cancel {
                warning, reason, ..
            } => {
                format!("解除预警 {} · {}", short(warning), reason)
            }
        },
        Body::ExternalWarning(w) => {
            let (info, graded) = mapping::warning_info(&w.alert);
            let msg = match w.alert.msg_type {
                CapMsgType::Update => "外部预警更新",
                CapMsgType::Cancel => "外部预警解除",
                _ => "外部预警",
            };
            format!(
                "{msg} · {} · {} · 来源 {}",
                if graded {
                    info.color.name_zh()
                } else {
                    "未分级"
                },
                info.headline_zh,
                w.alert.sender
            )
        }
        Body::ResourceRequest(r) => format!(
            "资源需求 · {} {}{} · 送至 {}",
            r.resource.item, r.quantity, r.resource.unit, r.deliver_to
        ),
        Body::ResourceOffer(o) => format!(
            "资源提供 · {} {}{} · {}",
            o.resource.item, o.quantity, o.resource.unit, o.location
        ),
        Body::ResourceCommit(c) => format!(
            "{} {} · 提供 {} → 需求 {}",
            if c.surplus {
                "超额承诺"
            } else {
                "承诺调拨"
            },
            c.quantity,
            short(&c.offer),
            short(&c.request)
        ),
        Body::ResourceStatus(s) => {
            format!("调运状态 {} · {}", short(&s.commit), s.status.name_zh())
        }
        Body::Task(t) => format!("下达指令 · {} · {} 个单位", t.objective, t.assignees.len()),
        Body::TaskUpdate(u) => format!("指令 {} · {}", short(&u.task), u.state.name_zh()),
        Body::Plan(p) => format!("预案 · {} · {}", p.title, p.version),
        Body::PlanApproval(a) => format!("预案{} · {}", a.kind.name_zh(), short(&a.plan)),
        Body::PlanActivation(a) => {
            format!("启动预案 {} · 事件 {}", short(&a.plan), short(&a.incident))
        }
        Body::DrillStart(d) => format!("演练开始 · {}", d.name),
        Body::DrillEnd(d) => format!("演练结束 · {}", short(&d.drill)),
        Body::Consultation(c) => format!("会商研判 · {} · {}", c.topic, c.assessment),
        Body::InfoRelease(r) => format!("信息发布 · {} · {}", r.channel, r.headline),
        Body::RescueForce(f) => {
            let (kind, _) = label(FORCE_TYPES, &f.force_type);
            format!(
                "{} · {} · {} · {}人 · {}{}",
                if f.force.is_some() {
                    "救援力量更新"
                } else {
                    "救援力量登记"
                },
                f.name,
                kind,
                f.headcount,
                f.availability.name_zh(),
                f.assigned_to
                    .map(|t| format!(" → {}", short(&t)))
                    .unwrap_or_default()
            )
        }
        Body::PostProfile(_)
        | Body::PostPlace(_)
        | Body::Note(_)
        | Body::AgreementKey(_)
        | Body::Restricted(_)
        | Body::Certificate(_)
        | Body::Revocation(_)
        | Body::Equivocation(_)
        | Body::Unknown { .. } => return None,
    })
}
