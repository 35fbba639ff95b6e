//! 外部预警导入: a CAP alert received from outside becomes an external
//! warning entry of this post (see `liandong_protocol::domain::cap`). Any
//! post may record what it received — the entry names the CAP sender, and
//! nothing is issued in this post's name, so no role is needed. The XML is
//! read by the gateway (`crate::gateway::cap`); this plans one alert.

use liandong_protocol::Body;
use liandong_protocol::domain::cap::{CapAlert, CapMsgType, CapStatus, ExternalWarning, mapping};
use serde::{Deserialize, Serialize};

use super::warning::common_region;
use crate::domain::desk::{Desk, Planned};
use crate::domain::error::{ActionError, ActionErrorKind};

/// Refused because the alert is already held: an import of a feed skips
/// it (`code` is stable for scripts and the console).
pub const DUPLICATE: &str = "duplicate_alert";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportInput {
    pub alert: CapAlert,
}

pub fn import(desk: &Desk, input: ImportInput) -> Result<Planned, ActionError> {
    let alert = input.alert;
    track_allows(desk, &alert)?;
    if let Some(held) = desk.views().warnings.iter().find(|w| {
        w.external
            .as_ref()
            .is_some_and(|e| e.holds(&alert.sender, &alert.identifier))
    }) {
        return Err(ActionError::new(
            ActionErrorKind::Conflict,
            DUPLICATE,
            format!("已收录：该 CAP 消息即预警 {}", held.id.short()),
            format!(
                "already held: this CAP message is warning {}",
                held.id.short()
            ),
        ));
    }
    let regions = mapping::primary(&alert)
        .map(mapping::regions_of)
        .unwrap_or_default();
    let scope = common_region(&regions, desk.region.clone());
    let (label_zh, label_en) = match alert.msg_type {
        CapMsgType::Update => ("外部预警更新", "external warning update"),
        CapMsgType::Cancel => ("外部预警解除", "external warning cancel"),
        _ => ("外部预警", "external warning"),
    };
    let body = Body::ExternalWarning(Box::new(ExternalWarning {
        drill: desk.drill(),
        alert,
    }));
    Ok(desk.plan(scope, body, label_zh, label_en))
}

/// The alert's status fits the track written into: an Exercise lands in a
/// drill, an Actual alert never does, and Test/System/Draft messages are
/// not warnings at all.
fn track_allows(desk: &Desk, alert: &CapAlert) -> Result<(), ActionError> {
    let refuse = |code, zh: String, en: String| {
        Err(ActionError::new(ActionErrorKind::Refused, code, zh, en).with_field("status"))
    };
    match (alert.status, desk.drill()) {
        (CapStatus::Actual, None) | (CapStatus::Exercise, Some(_)) => {}
        (CapStatus::Exercise, None) => {
            return refuse(
                "exercise_needs_drill",
                "该 CAP 消息为演练（Exercise），只能记入演练：请用 --drill 指定演练".into(),
                "this CAP alert is an Exercise: it lands in a drill only; name the drill with --drill".into(),
            );
        }
        (CapStatus::Actual, Some(_)) => {
            return refuse(
                "actual_in_drill",
                "该 CAP 消息为真实预警（Actual），不能记入演练".into(),
                "this CAP alert is Actual: it cannot be recorded in a drill".into(),
            );
        }
        (other, _) => {
            return refuse(
                "status_not_recorded",
                format!("CAP 状态 {other} 的消息不作为预警记录（只收录 Actual 与 Exercise）"),
                format!(
                    "a CAP message with status {other} is not recorded as a warning (only Actual and Exercise are)"
                ),
            );
        }
    }
    if !matches!(
        alert.msg_type,
        CapMsgType::Alert | CapMsgType::Update | CapMsgType::Cancel
    ) {
        return refuse(
            "msg_type_not_recorded",
            format!(
                "CAP 消息类型 {} 不是预警（只收录 Alert、Update、Cancel）",
                alert.msg_type
            ),
            format!(
                "a CAP {} message is not a warning (only Alert, Update and Cancel are)",
                alert.msg_type
            ),
        );
    }
    Ok(())
}

/// A CAP alert of an import that is already held, so not written again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub sender: String,
    pub identifier: String,
    pub zh: String,
    pub en: String,
}

/// An alert of an import that would be refused, and why.
#[derive(Debug, Clone)]
pub struct Refused {
    /// Its position in the document, from 0.
    pub index: usize,
    pub identifier: String,
    pub error: ActionError,
}

impl Refused {
    /// Every refusal of an import, one per line, in both languages.
    pub fn describe(all: &[Refused]) -> (String, String) {
        let zh = all
            .iter()
            .map(|r| format!("第 {} 条（{}）：{}", r.index + 1, r.identifier, r.error.zh))
            .collect::<Vec<_>>()
            .join("\n");
        let en = all
            .iter()
            .map(|r| format!("alert {} ({}): {}", r.index + 1, r.identifier, r.error.en))
            .collect::<Vec<_>>()
            .join("\n");
        (zh, en)
    }
}

/// Every alert of one import, planned against one desk before anything is
/// written: the entries to write, the alerts already held, or — when any
/// alert is refused — every refusal with its alert's position, so that
/// nothing partial is stored.
pub fn plan_all(
    desk: &Desk,
    alerts: Vec<CapAlert>,
) -> Result<(Vec<Planned>, Vec<Skipped>), Vec<Refused>> {
    let (mut planned, mut skipped, mut refused) = (Vec::new(), Vec::new(), Vec::new());
    let mut seen: Vec<(String, String)> = Vec::new();
    for (i, alert) in alerts.into_iter().enumerate() {
        let key = (alert.sender.clone(), alert.identifier.clone());
        let skip = |zh: String, en: String| Skipped {
            sender: key.0.clone(),
            identifier: key.1.clone(),
            zh,
            en,
        };
        if seen.contains(&key) {
            skipped.push(skip(
                "同一文件中重复出现".into(),
                "repeated in the same document".into(),
            ));
            continue;
        }
        seen.push(key.clone());
        let checked = import(desk, ImportInput { alert }).and_then(|p| {
            desk.check(&p)?;
            Ok(p)
        });
        match checked {
            Ok(p) => planned.push(p),
            Err(e) if e.code == DUPLICATE => skipped.push(skip(e.zh, e.en)),
            Err(error) => refused.push(Refused {
                index: i,
                identifier: key.1.clone(),
                error,
            }),
        }
    }
    if refused.is_empty() {
        Ok((planned, skipped))
    } else {
        Err(refused)
    }
}
