//! Which kinds may be restricted, and the public class an envelope shows.
//!
//! The class is the one thing about a restricted entry's content that
//! every post sees (a placeholder reads "受限信息 · 资源"): coarse on
//! purpose, so that it says what board an entry belongs on without
//! saying which of the kinds behind it this is.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::header::Kind;

/// The classes of kinds that can be restricted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum KindClass {
    Note = 1,
    Incident = 2,
    Resource = 3,
    Task = 4,
    Plan = 5,
    Consultation = 6,
}

impl KindClass {
    pub const ALL: [KindClass; 6] = [
        KindClass::Note,
        KindClass::Incident,
        KindClass::Resource,
        KindClass::Task,
        KindClass::Plan,
        KindClass::Consultation,
    ];

    /// The class of a kind that may be restricted; `None` for every kind
    /// that never may: trust kinds (a certificate or revocation every post
    /// must read to validate), response decisions and warnings (public by
    /// nature: who may act on them must see them), drills, plan approvals
    /// and activations, agreement keys, profiles, places, and restricted
    /// entries themselves (no nesting).
    pub fn of(kind: Kind) -> Option<KindClass> {
        Some(match kind {
            Kind::NOTE => KindClass::Note,
            Kind::INCIDENT_REPORT | Kind::INFO_RELEASE => KindClass::Incident,
            Kind::RESOURCE_REQUEST
            | Kind::RESOURCE_OFFER
            | Kind::RESOURCE_COMMIT
            | Kind::RESOURCE_COMMIT_SURPLUS
            | Kind::RESOURCE_STATUS
            | Kind::RESCUE_FORCE => KindClass::Resource,
            Kind::TASK | Kind::TASK_UPDATE => KindClass::Task,
            Kind::PLAN => KindClass::Plan,
            Kind::CONSULTATION => KindClass::Consultation,
            _ => return None,
        })
    }

    pub fn from_code(code: u8) -> Option<KindClass> {
        Self::ALL.into_iter().find(|c| *c as u8 == code)
    }

    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn name(self) -> &'static str {
        match self {
            KindClass::Note => "note",
            KindClass::Incident => "incident",
            KindClass::Resource => "resource",
            KindClass::Task => "task",
            KindClass::Plan => "plan",
            KindClass::Consultation => "consultation",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            KindClass::Note => "情况记录",
            KindClass::Incident => "事件信息",
            KindClass::Resource => "资源",
            KindClass::Task => "指令",
            KindClass::Plan => "预案",
            KindClass::Consultation => "会商研判",
        }
    }
}

impl fmt::Display for KindClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The class byte an envelope carries. A byte this code does not know (a
/// class added later) still decodes, so the entry is stored and relayed;
/// [`SealedClass::known`] says whether it names a [`KindClass`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SealedClass(pub u8);

impl SealedClass {
    pub fn known(self) -> Option<KindClass> {
        KindClass::from_code(self.0)
    }

    /// The machine name, or `unknown` for a class newer than this code.
    pub fn name(self) -> &'static str {
        self.known().map_or("unknown", KindClass::name)
    }

    pub fn name_zh(self) -> &'static str {
        self.known().map_or("未知类别", KindClass::name_zh)
    }
}

impl From<KindClass> for SealedClass {
    fn from(class: KindClass) -> Self {
        SealedClass(class.code())
    }
}

impl fmt::Display for SealedClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.known() {
            Some(c) => f.write_str(c.name()),
            None => write!(f, "unknown class {}", self.0),
        }
    }
}

impl fmt::Debug for SealedClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SealedClass({}={self})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_kinds_have_a_class() {
        let restrictable: Vec<Kind> = Kind::KNOWN
            .iter()
            .copied()
            .filter(|k| KindClass::of(*k).is_some())
            .collect();
        assert_eq!(restrictable.len(), 13, "{restrictable:?}");
        for never in [
            Kind::POST_PROFILE,
            Kind::POST_PLACE,
            Kind::AGREEMENT_KEY,
            Kind::RESTRICTED,
            Kind::CERTIFICATE,
            Kind::REVOCATION,
            Kind::EQUIVOCATION,
            Kind::RESPONSE_DECISION,
            Kind::WARNING,
            Kind::EXTERNAL_WARNING,
            Kind::PLAN_APPROVAL,
            Kind::PLAN_ACTIVATION,
            Kind::DRILL_START,
            Kind::DRILL_END,
            Kind(4242),
        ] {
            assert_eq!(KindClass::of(never), None, "{never:?}");
        }
        assert_eq!(KindClass::of(Kind::INFO_RELEASE), Some(KindClass::Incident));
        assert_eq!(KindClass::of(Kind::RESCUE_FORCE), Some(KindClass::Resource));
    }

    #[test]
    fn class_bytes_round_trip_and_unknown_ones_decode() {
        for c in KindClass::ALL {
            assert_eq!(SealedClass::from(c).known(), Some(c));
            assert_eq!(KindClass::from_code(c.code()), Some(c));
        }
        let later = SealedClass(200);
        assert_eq!(later.known(), None);
        assert_eq!(later.name_zh(), "未知类别");
        let bytes = crate::codec::encode(&later).expect("encode");
        assert_eq!(bytes, [200]);
        assert_eq!(crate::codec::decode::<SealedClass>(&bytes, 1), Ok(later));
    }
}
