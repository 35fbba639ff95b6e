//! Incident reports (信息报告): 首报, 续报, 终报 and 核报.
//!
//! The first report (首报) creates the incident; its entry id is the
//! incident's id, and every later report names it. Each report carries the
//! whole current picture (cumulative figures, as 续报 are written in
//! practice), so the latest report is the incident's state and no report
//! needs another to be read.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::attachment::Attachment;
use super::geo::GeoPoint;
use super::rules;
use super::vocab::{EventType, Severity};
use crate::body_rules::BodyError;
use crate::body_rules::DomainError;
use crate::ids::EntryId;
use crate::limits::Limits;
use crate::region::RegionCode;

/// Which report of an incident this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// 首报: the first report; creates the incident.
    Initial,
    /// 续报: a later report while the incident is open.
    Update,
    /// 终报: the final report; closes the incident.
    Final,
    /// 核报: a verified correction, allowed before and after closing.
    Verified,
    /// 重开: reopens a closed incident, by the post that closed it or a post
    /// above that one. Last in the list so that the other phases keep their
    /// encoding.
    Reopen,
}

impl Phase {
    pub const ALL: [Phase; 5] = [
        Phase::Initial,
        Phase::Update,
        Phase::Final,
        Phase::Verified,
        Phase::Reopen,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Phase::Initial => "initial",
            Phase::Update => "update",
            Phase::Final => "final",
            Phase::Verified => "verified",
            Phase::Reopen => "reopen",
        }
    }

    pub const fn name_zh(self) -> &'static str {
        match self {
            Phase::Initial => "首报",
            Phase::Update => "续报",
            Phase::Final => "终报",
            Phase::Verified => "核报",
            Phase::Reopen => "重开",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Phase {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Phase::ALL
            .into_iter()
            .find(|p| p.name() == t.to_ascii_lowercase() || p.name_zh() == t)
            .ok_or_else(|| {
                format!("unknown phase {s:?}; use initial, update, final, verified or reopen / 报告阶段应为 首报、续报、终报、核报 或 重开")
            })
    }
}

/// People affected, cumulative as of the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Casualties {
    /// 死亡
    pub dead: u32,
    /// 失踪
    pub missing: u32,
    /// 受伤
    pub injured: u32,
    /// 被困
    pub trapped: u32,
    /// 紧急转移
    pub evacuated: u32,
    /// 受灾
    pub affected: u32,
}

/// One report about an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentReport {
    pub phase: Phase,
    /// The incident (its 首报's entry id); `None` exactly for a 首报.
    pub incident: Option<EntryId>,
    /// The drill this report belongs to (status Exercise), if any.
    pub drill: Option<EntryId>,
    /// Short name, e.g. "西戈壁村洪涝".
    pub title: String,
    pub event: EventType,
    pub severity: Severity,
    /// The grade is an early estimate (初判), to be confirmed.
    pub provisional: bool,
    /// When it happened, ms since the Unix epoch.
    pub occurred_ms: u64,
    /// Where it happened.
    pub region: RegionCode,
    pub point: Option<GeoPoint>,
    pub casualties: Casualties,
    /// Direct economic loss, in units of 10,000 yuan (万元).
    pub economic_loss_wan: Option<u64>,
    /// Other losses: houses, roads, crops, livestock.
    pub losses: String,
    /// 原因
    pub cause: String,
    /// 发展趋势
    pub trend: String,
    /// 已采取措施
    pub actions: String,
    /// 需要支援的事项
    pub requests: String,
    /// On-scene contact: name and phone.
    pub contact: String,
    pub attachments: Vec<Attachment>,
}

impl IncidentReport {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        if (self.phase == Phase::Initial) != self.incident.is_none() {
            return Err(DomainError::PhaseReference.into());
        }
        rules::name("title", &self.title, limits)?;
        self.event.check(limits)?;
        if let Some(p) = &self.point {
            p.check()?;
        }
        if self.occurred_ms == 0 {
            return Err(DomainError::Zero {
                field: "occurred_ms",
            }
            .into());
        }
        rules::long("losses", &self.losses, limits)?;
        rules::long("cause", &self.cause, limits)?;
        rules::long("trend", &self.trend, limits)?;
        rules::long("actions", &self.actions, limits)?;
        rules::long("requests", &self.requests, limits)?;
        rules::short("contact", &self.contact, limits)?;
        Attachment::check_all(&self.attachments, limits)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ids::ContentHash;
    use crate::linkage::vocab::Category;

    pub(crate) fn initial() -> IncidentReport {
        IncidentReport {
            phase: Phase::Initial,
            incident: None,
            drill: None,
            title: "西戈壁村洪涝".into(),
            event: EventType::new(Category::Natural, "flood_drought"),
            severity: Severity::IV,
            provisional: true,
            occurred_ms: 1_795_000_000_000,
            region: "654203106201".parse().expect("region"),
            point: Some(GeoPoint {
                lat_e6: 44_330_000,
                lon_e6: 85_620_000,
            }),
            casualties: Casualties {
                trapped: 3,
                evacuated: 37,
                ..Casualties::default()
            },
            economic_loss_wan: None,
            losses: "农田受淹约 200 亩".into(),
            cause: "持续强降雨".into(),
            trend: "水位仍在上涨".into(),
            actions: "已转移低洼地带群众".into(),
            requests: "请求冲锋舟 2 艘".into(),
            contact: "村支书 王建国 13800000000".into(),
            attachments: Vec::new(),
        }
    }

    #[test]
    fn phase_and_reference_agree() {
        let limits = Limits::default();
        assert_eq!(initial().check(&limits), Ok(()));
        let mut r = initial();
        r.incident = Some(EntryId([1; 32]));
        assert_eq!(r.check(&limits), Err(DomainError::PhaseReference.into()));
        for phase in [Phase::Update, Phase::Final, Phase::Verified] {
            let mut r = initial();
            r.phase = phase;
            assert_eq!(r.check(&limits), Err(DomainError::PhaseReference.into()));
            r.incident = Some(EntryId([1; 32]));
            assert_eq!(r.check(&limits), Ok(()));
        }
    }

    #[test]
    fn fields_are_bounded() {
        let limits = Limits {
            max_text_chars: 20,
            ..Limits::default()
        };
        let mut r = initial();
        assert_eq!(r.check(&limits), Ok(()));
        r.cause = "很".repeat(21);
        assert!(matches!(
            r.check(&limits),
            Err(BodyError::TooLong { field: "cause", .. })
        ));
        let mut r = initial();
        r.title = " ".into();
        assert_eq!(
            r.check(&Limits::default()),
            Err(BodyError::Empty { field: "title" })
        );
        let mut r = initial();
        r.occurred_ms = 0;
        assert!(r.check(&Limits::default()).is_err());
        let mut r = initial();
        r.point = Some(GeoPoint {
            lat_e6: 91_000_000,
            lon_e6: 0,
        });
        assert!(r.check(&Limits::default()).is_err());
        let mut r = initial();
        let a = Attachment {
            hash: ContentHash::of(b"photo"),
            name: "河道.jpg".into(),
            media_type: "image/jpeg".into(),
            bytes: 5,
        };
        r.attachments = vec![a.clone(), a];
        assert!(matches!(
            r.check(&Limits::default()),
            Err(BodyError::Domain(DomainError::Duplicate { .. }))
        ));
    }

    #[test]
    fn phases_parse() {
        assert_eq!("首报".parse(), Ok(Phase::Initial));
        assert_eq!("Final".parse(), Ok(Phase::Final));
        assert!("second".parse::<Phase>().is_err());
    }
}
