//! External warnings (外部预警): a CAP alert received from outside the
//! network (a meteorological bureau, the national release system, a
//! neighbouring platform), recorded in the ledger by the post that received
//! it and kept whole, so it can be shown, updated, cancelled and handed on
//! as CAP 1.2 with the same meaning.
//!
//! The types follow CAP 1.2 (OASIS, 2010) element for element. What is not
//! kept, and why: the XML signature (the recording post signs the entry;
//! an XML signature cannot survive re-serialisation anyway) and a
//! resource's embedded `derefUri` content (media does not ride the ledger;
//! its URI, size and digest are kept). Times keep the offset they were
//! written with, so an export says `+08:00` where the alert did.
//!
//! The XML reading and writing is the node's gateway (`node/src/gateway`);
//! this file holds what the ledger stores and the rules every post checks.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::geo::GeoPoint;
use super::rules;
use crate::body_rules::{BodyError, DomainError};
use crate::ids::EntryId;
use crate::limits::Limits;

pub mod mapping;

/// Most `<info>`, `<area>`, `<geocode>`, `<parameter>`, `<resource>` or
/// `<references>` items one alert may carry: the same bound as every list.
pub const MAX_CAP_ITEMS: usize = rules::MAX_LIST_ITEMS;

/// A CAP alert recorded by a post, and the drill it belongs to when its
/// status is `Exercise` (an exercise never lands among real warnings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalWarning {
    pub drill: Option<EntryId>,
    pub alert: CapAlert,
}

impl ExternalWarning {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        match (self.alert.status, self.drill) {
            (CapStatus::Actual, None) | (CapStatus::Exercise, Some(_)) => {}
            (CapStatus::Exercise, None) => return Err(BodyError::Empty { field: "drill" }),
            (status, _) => {
                return Err(DomainError::OutOfRange {
                    field: "status",
                    value: status.name().to_string(),
                    expected: "Actual, or Exercise within a drill",
                }
                .into());
            }
        }
        if !matches!(
            self.alert.msg_type,
            CapMsgType::Alert | CapMsgType::Update | CapMsgType::Cancel
        ) {
            return Err(DomainError::OutOfRange {
                field: "msgType",
                value: self.alert.msg_type.name().to_string(),
                expected: "Alert, Update or Cancel",
            }
            .into());
        }
        self.alert.check(limits)
    }
}

/// A CAP time: the instant and the UTC offset it was written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CapTime {
    /// Milliseconds since the Unix epoch (CAP times have whole seconds).
    pub ms: u64,
    /// The written offset from UTC in minutes (`+08:00` is 480).
    pub offset_min: i16,
}

/// `sender,identifier,sent` of an earlier message this one refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapReference {
    pub sender: String,
    pub identifier: String,
    /// As written; references name messages, they are not re-timed.
    pub sent: String,
}

/// A `valueName`/`value` pair (`eventCode`, `parameter`, `geocode`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapValue {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapAlert {
    pub identifier: String,
    pub sender: String,
    pub sent: CapTime,
    pub status: CapStatus,
    pub msg_type: CapMsgType,
    pub source: String,
    pub scope: CapScope,
    /// Required when `scope` is Restricted.
    pub restriction: String,
    /// Required when `scope` is Private.
    pub addresses: String,
    pub codes: Vec<String>,
    pub note: String,
    pub references: Vec<CapReference>,
    pub incidents: String,
    pub infos: Vec<CapInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapInfo {
    /// RFC 3066 language, `en-US` when the alert gave none.
    pub language: String,
    pub categories: Vec<CapCategory>,
    pub event: String,
    pub response_types: Vec<CapResponseType>,
    pub urgency: CapUrgency,
    pub severity: CapSeverity,
    pub certainty: CapCertainty,
    pub audience: String,
    pub event_codes: Vec<CapValue>,
    pub effective: Option<CapTime>,
    pub onset: Option<CapTime>,
    pub expires: Option<CapTime>,
    pub sender_name: String,
    pub headline: String,
    pub description: String,
    pub instruction: String,
    pub web: String,
    pub contact: String,
    pub parameters: Vec<CapValue>,
    pub resources: Vec<CapResource>,
    pub areas: Vec<CapArea>,
}

/// A resource's description; embedded content (`derefUri`) is not kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapResource {
    pub description: String,
    pub mime_type: String,
    pub size: Option<u64>,
    pub uri: String,
    pub digest: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapArea {
    pub description: String,
    /// Closed polygons (first point = last), WGS-84.
    pub polygons: Vec<Vec<GeoPoint>>,
    pub circles: Vec<CapCircle>,
    pub geocodes: Vec<CapValue>,
    /// Feet above mean sea level, as written (CAP gives a decimal).
    pub altitude: String,
    pub ceiling: String,
}

/// A circle: centre and radius. The radius is kept in millimetres, an
/// integer, so encodings stay canonical and CAP's decimal kilometres
/// round-trip to six places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapCircle {
    pub center: GeoPoint,
    pub radius_mm: u64,
}

/// Largest circle radius: half the Earth's circumference.
pub const MAX_CIRCLE_RADIUS_MM: u64 = 20_037_508_000;

impl CapAlert {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        rules::name("identifier", &self.identifier, limits)?;
        rules::name("sender", &self.sender, limits)?;
        rules::short("source", &self.source, limits)?;
        rules::long("restriction", &self.restriction, limits)?;
        rules::long("addresses", &self.addresses, limits)?;
        rules::long("note", &self.note, limits)?;
        rules::long("incidents", &self.incidents, limits)?;
        list("code", &self.codes)?;
        for code in &self.codes {
            rules::short("code", code, limits)?;
        }
        list("references", &self.references)?;
        for r in &self.references {
            rules::name("references.sender", &r.sender, limits)?;
            rules::name("references.identifier", &r.identifier, limits)?;
            rules::name("references.sent", &r.sent, limits)?;
        }
        match self.scope {
            CapScope::Restricted => rules::long_required("restriction", &self.restriction, limits)?,
            CapScope::Private => rules::long_required("addresses", &self.addresses, limits)?,
            CapScope::Public => {}
        }
        if self.msg_type.refers() && self.references.is_empty() {
            return Err(BodyError::Empty {
                field: "references",
            });
        }
        list("info", &self.infos)?;
        self.infos.iter().try_for_each(|i| i.check(limits))
    }
}

impl CapInfo {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        rules::short("language", &self.language, limits)?;
        if self.categories.is_empty() {
            return Err(BodyError::Empty { field: "category" });
        }
        list("category", &self.categories)?;
        list("responseType", &self.response_types)?;
        rules::name("event", &self.event, limits)?;
        rules::long("audience", &self.audience, limits)?;
        values("eventCode", &self.event_codes, limits)?;
        rules::after(
            ("effective", self.effective.map(|t| t.ms)),
            ("expires", self.expires.map(|t| t.ms)),
        )?;
        rules::short("senderName", &self.sender_name, limits)?;
        // CAP asks for under 160 characters but does not bound it; real
        // alerts run longer (a tsunami update: 195).
        rules::long("headline", &self.headline, limits)?;
        rules::long("description", &self.description, limits)?;
        rules::long("instruction", &self.instruction, limits)?;
        rules::long("web", &self.web, limits)?;
        rules::long("contact", &self.contact, limits)?;
        values("parameter", &self.parameters, limits)?;
        list("resource", &self.resources)?;
        for r in &self.resources {
            rules::name("resourceDesc", &r.description, limits)?;
            rules::name("mimeType", &r.mime_type, limits)?;
            rules::long("uri", &r.uri, limits)?;
            rules::short("digest", &r.digest, limits)?;
        }
        list("area", &self.areas)?;
        self.areas.iter().try_for_each(|a| a.check(limits))
    }
}

impl CapArea {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        rules::long_required("areaDesc", &self.description, limits)?;
        list("polygon", &self.polygons)?;
        for p in &self.polygons {
            GeoPoint::check_polygon(p)?;
        }
        list("circle", &self.circles)?;
        for c in &self.circles {
            c.center.check()?;
            if c.radius_mm > MAX_CIRCLE_RADIUS_MM {
                return Err(DomainError::TooLarge {
                    field: "circle radius (mm)",
                    value: c.radius_mm,
                    max: MAX_CIRCLE_RADIUS_MM,
                }
                .into());
            }
        }
        values("geocode", &self.geocodes, limits)?;
        rules::short("altitude", &self.altitude, limits)?;
        rules::short("ceiling", &self.ceiling, limits)
    }
}

fn list<T>(field: &'static str, items: &[T]) -> Result<(), BodyError> {
    if items.len() > MAX_CAP_ITEMS {
        return Err(DomainError::TooMany {
            field,
            count: items.len(),
            max: MAX_CAP_ITEMS,
        }
        .into());
    }
    Ok(())
}

fn values(field: &'static str, items: &[CapValue], limits: &Limits) -> Result<(), BodyError> {
    list(field, items)?;
    for v in items {
        rules::name(field, &v.name, limits)?;
        rules::long(field, &v.value, limits)?;
    }
    Ok(())
}

/// Declares a CAP enumeration: the variants with their CAP spellings, in
/// the order the schema lists them, and the lookups both ways.
macro_rules! cap_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as CAP spells it.
            pub const fn name(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The value CAP spells `text` (exactly, as the schema wants).
            pub fn from_cap(text: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.name() == text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

cap_enum!(
    /// `<status>`
    CapStatus { Actual = "Actual", Exercise = "Exercise", System = "System", Test = "Test", Draft = "Draft" }
);
cap_enum!(
    /// `<msgType>`
    CapMsgType { Alert = "Alert", Update = "Update", Cancel = "Cancel", Ack = "Ack", Error = "Error" }
);
cap_enum!(
    /// `<scope>`
    CapScope { Public = "Public", Restricted = "Restricted", Private = "Private" }
);
cap_enum!(
    /// `<category>`
    CapCategory {
        Geo = "Geo", Met = "Met", Safety = "Safety", Security = "Security", Rescue = "Rescue",
        Fire = "Fire", Health = "Health", Env = "Env", Transport = "Transport", Infra = "Infra",
        Cbrne = "CBRNE", Other = "Other",
    }
);
cap_enum!(
    /// `<responseType>`
    CapResponseType {
        Shelter = "Shelter", Evacuate = "Evacuate", Prepare = "Prepare", Execute = "Execute",
        Avoid = "Avoid", Monitor = "Monitor", Assess = "Assess", AllClear = "AllClear", None = "None",
    }
);
cap_enum!(
    /// `<urgency>`
    CapUrgency { Immediate = "Immediate", Expected = "Expected", Future = "Future", Past = "Past", Unknown = "Unknown" }
);
cap_enum!(
    /// `<severity>`
    CapSeverity { Extreme = "Extreme", Severe = "Severe", Moderate = "Moderate", Minor = "Minor", Unknown = "Unknown" }
);
cap_enum!(
    /// `<certainty>`
    CapCertainty { Observed = "Observed", Likely = "Likely", Possible = "Possible", Unlikely = "Unlikely", Unknown = "Unknown" }
);

impl CapMsgType {
    /// Update, Cancel, Ack and Error name the messages they concern.
    pub const fn refers(self) -> bool {
        !matches!(self, CapMsgType::Alert)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn alert() -> CapAlert {
        let t = |ms| CapTime {
            ms,
            offset_min: 480,
        };
        CapAlert {
            identifier: "650000041000000_20261201080000_1".into(),
            sender: "xj-meteo@cma.cn".into(),
            sent: t(1_795_000_000_000),
            status: CapStatus::Actual,
            msg_type: CapMsgType::Alert,
            source: String::new(),
            scope: CapScope::Public,
            restriction: String::new(),
            addresses: String::new(),
            codes: Vec::new(),
            note: String::new(),
            references: Vec::new(),
            incidents: String::new(),
            infos: vec![CapInfo {
                language: "zh-CN".into(),
                categories: vec![CapCategory::Met],
                event: "暴雨".into(),
                response_types: vec![CapResponseType::Prepare],
                urgency: CapUrgency::Expected,
                severity: CapSeverity::Severe,
                certainty: CapCertainty::Likely,
                audience: String::new(),
                event_codes: Vec::new(),
                effective: Some(t(1_795_000_000_000)),
                onset: None,
                expires: Some(t(1_795_086_400_000)),
                sender_name: "新疆气象台".into(),
                headline: "沙湾市暴雨橙色预警".into(),
                description: "预计未来 6 小时降雨量将达 50 毫米以上".into(),
                instruction: String::new(),
                web: String::new(),
                contact: String::new(),
                parameters: Vec::new(),
                resources: Vec::new(),
                areas: vec![CapArea {
                    description: "沙湾市".into(),
                    polygons: Vec::new(),
                    circles: vec![CapCircle {
                        center: GeoPoint {
                            lat_e6: 44_330_000,
                            lon_e6: 85_620_000,
                        },
                        radius_mm: 25_000_000,
                    }],
                    geocodes: vec![CapValue {
                        name: "GB/T 2260".into(),
                        value: "654203".into(),
                    }],
                    altitude: String::new(),
                    ceiling: String::new(),
                }],
            }],
        }
    }

    #[test]
    fn rules() {
        let limits = Limits::default();
        let w = ExternalWarning {
            drill: None,
            alert: alert(),
        };
        assert_eq!(w.check(&limits), Ok(()));

        let mut exercise = w.clone();
        exercise.alert.status = CapStatus::Exercise;
        assert_eq!(
            exercise.check(&limits),
            Err(BodyError::Empty { field: "drill" }),
            "an exercise names its drill"
        );
        exercise.drill = Some(EntryId([7; 32]));
        assert_eq!(exercise.check(&limits), Ok(()));

        let mut test = w.clone();
        test.alert.status = CapStatus::Test;
        assert!(test.check(&limits).is_err(), "Test alerts are not recorded");

        let mut update = w.clone();
        update.alert.msg_type = CapMsgType::Update;
        assert_eq!(
            update.check(&limits),
            Err(BodyError::Empty {
                field: "references"
            })
        );

        let mut open = w.clone();
        open.alert.infos[0].areas[0].polygons = vec![vec![GeoPoint {
            lat_e6: 1,
            lon_e6: 1,
        }]];
        assert!(open.check(&limits).is_err(), "a polygon must close");

        let mut many = w;
        many.alert.codes = vec!["x".into(); MAX_CAP_ITEMS + 1];
        assert!(many.check(&limits).is_err());
        many.alert.codes.truncate(MAX_CAP_ITEMS);
        assert_eq!(many.check(&limits), Ok(()));
    }

    #[test]
    fn enumerations_spell_as_cap() {
        assert_eq!(CapCategory::from_cap("CBRNE"), Some(CapCategory::Cbrne));
        assert_eq!(CapCategory::Cbrne.name(), "CBRNE");
        assert_eq!(
            CapResponseType::from_cap("AllClear"),
            Some(CapResponseType::AllClear)
        );
        assert_eq!(
            CapSeverity::from_cap("severe"),
            None,
            "CAP values are case-sensitive"
        );
    }
}
