//! Response decisions (应急响应): activate, adjust or terminate a response
//! of level Ⅰ–Ⅳ for an incident.
//!
//! Who may decide which level is the authority policy's business
//! ([`crate::authority::Action::Respond`]); the fold asks it with the
//! incident's region. Concurrent decisions are resolved in the fold.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::rules;
use super::vocab::parse_grade;
use crate::authority::ResponseLevel;
use crate::body_rules::BodyError;
use crate::ids::EntryId;
use crate::limits::Limits;

/// What a decision does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseAction {
    /// 启动
    Activate,
    /// 调整 (raise or lower the level)
    Adjust,
    /// 终止
    Terminate,
}

impl ResponseAction {
    pub const fn name(self) -> &'static str {
        match self {
            ResponseAction::Activate => "activate",
            ResponseAction::Adjust => "adjust",
            ResponseAction::Terminate => "terminate",
        }
    }

    pub const fn name_zh(self) -> &'static str {
        match self {
            ResponseAction::Activate => "启动",
            ResponseAction::Adjust => "调整",
            ResponseAction::Terminate => "终止",
        }
    }
}

impl fmt::Display for ResponseAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A decision on the response to an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseDecision {
    pub action: ResponseAction,
    pub incident: EntryId,
    pub drill: Option<EntryId>,
    /// The level activated or adjusted to; for a termination, the level
    /// being ended.
    pub level: ResponseLevel,
    /// The plan (预案) activated with this decision: its register entry id.
    pub plan: Option<EntryId>,
    /// The lead headquarters (牵头指挥部), e.g. "沙湾市防汛抗旱指挥部".
    pub lead_hq: String,
    /// Member units called up (成员单位).
    pub member_units: Vec<String>,
    /// Grounds for the decision.
    pub reason: String,
}

impl ResponseDecision {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        if self.action != ResponseAction::Terminate {
            rules::name("lead_hq", &self.lead_hq, limits)?;
        } else {
            rules::short("lead_hq", &self.lead_hq, limits)?;
        }
        rules::names("member_units", &self.member_units, limits)?;
        rules::long("reason", &self.reason, limits)
    }
}

/// The text named no response level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown response level {0:?}; write I, II, III or IV (or 1–4, Ⅰ–Ⅳ, 一级–四级) / 响应级别应为 Ⅰ、Ⅱ、Ⅲ 或 Ⅳ"
)]
pub struct LevelParseError(pub String);

/// Parses a response level written as `IV`, `4`, `Ⅳ` or `四级`.
pub fn parse_response_level(text: &str) -> Result<ResponseLevel, LevelParseError> {
    parse_grade(text)
        .map(|i| ResponseLevel::ALL[i])
        .ok_or_else(|| LevelParseError(text.to_string()))
}

impl FromStr for ResponseAction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "activate" | "启动" => Ok(ResponseAction::Activate),
            "adjust" | "调整" => Ok(ResponseAction::Adjust),
            "terminate" | "end" | "终止" => Ok(ResponseAction::Terminate),
            _ => Err(format!(
                "unknown response action {s:?}; use activate, adjust or terminate / 响应动作应为 启动、调整 或 终止"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(action: ResponseAction) -> ResponseDecision {
        ResponseDecision {
            action,
            incident: EntryId([1; 32]),
            drill: None,
            level: ResponseLevel::IV,
            plan: None,
            lead_hq: "沙湾市防汛抗旱指挥部".into(),
            member_units: vec!["水利".into(), "消防".into()],
            reason: "西戈壁村洪涝".into(),
        }
    }

    #[test]
    fn rules() {
        let limits = Limits::default();
        assert_eq!(decision(ResponseAction::Activate).check(&limits), Ok(()));
        let mut d = decision(ResponseAction::Activate);
        d.lead_hq.clear();
        assert_eq!(d.check(&limits), Err(BodyError::Empty { field: "lead_hq" }));
        let mut d = decision(ResponseAction::Terminate);
        d.lead_hq.clear();
        assert_eq!(d.check(&limits), Ok(()), "ending needs no headquarters");
        let mut d = decision(ResponseAction::Adjust);
        d.member_units.push("水利".into());
        assert!(d.check(&limits).is_err());
    }

    #[test]
    fn levels_parse() {
        assert_eq!(parse_response_level("Ⅳ"), Ok(ResponseLevel::IV));
        assert_eq!(parse_response_level("3"), Ok(ResponseLevel::III));
        assert_eq!(parse_response_level("二级"), Ok(ResponseLevel::II));
        assert!(parse_response_level("5").is_err());
    }
}
