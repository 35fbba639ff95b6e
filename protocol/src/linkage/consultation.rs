//! Joint consultations (会商研判) and information releases (信息发布),
//! both attached to an incident.

use serde::{Deserialize, Serialize};

use super::rules;
use crate::body_rules::BodyError;
use crate::ids::EntryId;
use crate::limits::Limits;

/// The record of a joint consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consultation {
    pub incident: EntryId,
    pub drill: Option<EntryId>,
    pub topic: String,
    /// Units or experts who took part.
    pub participants: Vec<String>,
    /// 研判结论: the assessment.
    pub assessment: String,
    /// What was decided.
    pub decisions: String,
}

impl Consultation {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        rules::name("topic", &self.topic, limits)?;
        rules::names("participants", &self.participants, limits)?;
        rules::long_required("assessment", &self.assessment, limits)?;
        rules::long("decisions", &self.decisions, limits)
    }
}

/// A public information release about an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoRelease {
    pub incident: EntryId,
    pub drill: Option<EntryId>,
    /// Where it was published: "政府网站", "新闻发布会", "短信".
    pub channel: String,
    pub headline: String,
    pub text: String,
}

impl InfoRelease {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        rules::name("channel", &self.channel, limits)?;
        rules::name("headline", &self.headline, limits)?;
        rules::long_required("text", &self.text, limits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        let limits = Limits::default();
        let c = Consultation {
            incident: EntryId([1; 32]),
            drill: None,
            topic: "汛情会商".into(),
            participants: vec!["水利".into(), "气象".into()],
            assessment: "未来 12 小时仍有强降雨".into(),
            decisions: String::new(),
        };
        assert_eq!(c.check(&limits), Ok(()));
        let no_assessment = Consultation {
            assessment: String::new(),
            ..c
        };
        assert!(no_assessment.check(&limits).is_err());
        let r = InfoRelease {
            incident: EntryId([1; 32]),
            drill: None,
            channel: "政府网站".into(),
            headline: "西戈壁村洪涝情况通报".into(),
            text: String::new(),
        };
        assert_eq!(r.check(&limits), Err(BodyError::Empty { field: "text" }));
    }
}
