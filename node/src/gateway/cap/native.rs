//! A warning issued in the network, described as CAP 1.2 for feeds,
//! broadcasters and neighbouring platforms.
//!
//! - Identifier: GB/T 35965.1's `ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N` — the
//!   6-digit GB/T 2260 code of the writing post's region (a province or
//!   prefecture code padded with zeros), institution `000`, unit `000`,
//!   extension `00`; the entry's time in Beijing time; and one digit
//!   taken from the entry id, so the same entry always exports the same
//!   identifier.
//! - Sender: `liandong:<node id hex>` of the post that wrote the message.
//! - Times: Beijing time (`+08:00`), whole seconds.
//! - One `zh-CN` info, and an `en-US` info when English text exists; the
//!   colour, category, urgency and certainty come from the protocol's
//!   mapping tables (`liandong_protocol::domain::cap::mapping`).
//! - One area: the description the caller gives (region names), the
//!   polygon if any, each region code as a `<geocode>`.
//! - A warning of a drill is an `Exercise`, its `<note>` naming the drill.
//!
//! The fold keeps only the content now in force, so every message carries
//! that content; an Update or Cancel references the issue's Alert.

use liandong_protocol::domain::cap::{
    CapAlert, CapArea, CapCategory, CapInfo, CapMsgType, CapReference, CapResponseType, CapScope,
    CapStatus, CapTime, CapValue, mapping,
};
use liandong_protocol::domain::fold::{WarningStatus, WarningView};
use liandong_protocol::domain::vocab::SUBTYPES;
use liandong_protocol::domain::{EventType, WarningInfo};
use liandong_protocol::ids::{EntryId, NodeId};
use liandong_protocol::region::RegionCode;

use super::time;

/// Beijing time, which GB/T 35965.1 writes every time in.
pub const BEIJING_OFFSET_MIN: i16 = 8 * 60;

/// Which message of a warning to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NativeKind {
    /// The issue: msgType Alert, identified by the issue entry.
    Issue,
    /// The message in force: the Alert while the warning was never
    /// changed, an Update once updated, a Cancel once cancelled (both
    /// identified by their own entry and referencing the Alert).
    Current,
}

/// The drill a warning belongs to (it is in the entry, not the view).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NativeDrill<'a> {
    pub id: EntryId,
    pub name: &'a str,
}

/// What [`native_alert`] needs besides the warning's view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NativeMessage<'a> {
    pub kind: NativeKind,
    /// The region of the post that issued the warning.
    pub issuer_region: &'a RegionCode,
    /// The region of the post that wrote the current version (the issuer's
    /// again unless a higher post updated or cancelled the warning).
    pub author_region: &'a RegionCode,
    /// `<areaDesc>`: the warned regions by name; when empty, their codes.
    pub area_desc: &'a str,
    pub drill: Option<NativeDrill<'a>>,
}

/// The warning as a CAP alert. A warning received as CAP (`external`) is
/// the alert in force, as received.
pub fn native_alert(w: &WarningView, msg: NativeMessage<'_>) -> CapAlert {
    if let Some(external) = &w.external {
        return external.alert.clone();
    }
    let issue_sent = beijing(w.issued_ms);
    let issue_sender = sender(&w.issued_by.node);
    let issue_identifier = native_identifier(msg.issuer_region, w.issued_ms, &w.id);
    let current = current_message(w);
    let (msg_type, sender, identifier, sent, author) = match (msg.kind, current) {
        (NativeKind::Current, Some((msg_type, at_ms))) => (
            msg_type,
            sender(&w.current_by.node),
            native_identifier(msg.author_region, at_ms, &w.current_entry),
            beijing(at_ms),
            &w.current_by.name,
        ),
        _ => (
            CapMsgType::Alert,
            issue_sender.clone(),
            issue_identifier.clone(),
            issue_sent,
            &w.issued_by.name,
        ),
    };
    let references = if msg_type.refers() {
        vec![CapReference {
            sender: issue_sender,
            identifier: issue_identifier,
            sent: time::format(issue_sent),
        }]
    } else {
        Vec::new()
    };
    let mut notes = Vec::new();
    if let Some(d) = msg.drill {
        notes.push(format!(
            "演练 / Exercise: {} (drill {})",
            d.name.trim(),
            d.id.to_hex()
        ));
    }
    if msg_type == CapMsgType::Cancel
        && let Some(reason) = w.cancel_reason.as_deref().filter(|r| !r.trim().is_empty())
    {
        notes.push(format!("解除原因 / Cancelled: {}", reason.trim()));
    }
    let content = Content {
        info: &w.current,
        sent,
        sender_name: author,
        area: area(&w.current, msg.area_desc),
        cancel: msg_type == CapMsgType::Cancel,
    };
    let mut infos = vec![content.info(Language::Chinese)];
    if !w.current.headline_en.trim().is_empty() || !w.current.description_en.trim().is_empty() {
        infos.push(content.info(Language::English));
    }
    CapAlert {
        identifier,
        sender,
        sent,
        status: if msg.drill.is_some() {
            CapStatus::Exercise
        } else {
            CapStatus::Actual
        },
        msg_type,
        source: String::new(),
        scope: CapScope::Public,
        restriction: String::new(),
        addresses: String::new(),
        codes: Vec::new(),
        note: notes.join("\n"),
        references,
        incidents: String::new(),
        infos,
    }
}

/// GB/T 35965.1's identifier for the entry `entry` written at `at_ms` by a
/// post of `region`.
pub fn native_identifier(region: &RegionCode, at_ms: u64, entry: &EntryId) -> String {
    let code: String = region
        .as_str()
        .chars()
        .chain(std::iter::repeat('0'))
        .take(6)
        .collect();
    let stamp: String = time::format(beijing(at_ms))
        .chars()
        .take(19)
        .filter(char::is_ascii_digit)
        .collect();
    let serial = entry.0[0] % 10;
    format!("{code}00000000_{stamp}_{serial}")
}

fn sender(node: &NodeId) -> String {
    format!("liandong:{}", node.to_hex())
}

fn beijing(ms: u64) -> CapTime {
    time::whole_seconds(CapTime {
        ms,
        offset_min: BEIJING_OFFSET_MIN,
    })
}

/// The message in force when it is not the issue: its type and time.
fn current_message(w: &WarningView) -> Option<(CapMsgType, u64)> {
    if w.current_entry == w.id {
        return None;
    }
    let version = w.history.iter().find(|v| v.entry == w.current_entry);
    let cancelled = w.status == WarningStatus::Cancelled;
    let msg_type = match version.map(|v| v.action.as_str()) {
        Some("cancel") => CapMsgType::Cancel,
        Some("update") => CapMsgType::Update,
        _ if cancelled => CapMsgType::Cancel,
        _ => CapMsgType::Update,
    };
    Some((msg_type, version.map_or(w.issued_ms, |v| v.at_ms)))
}

fn area(info: &WarningInfo, area_desc: &str) -> CapArea {
    let codes: Vec<&str> = info.area.iter().map(RegionCode::as_str).collect();
    CapArea {
        description: if area_desc.trim().is_empty() {
            codes.join(" ")
        } else {
            area_desc.trim().to_string()
        },
        polygons: if info.polygon.is_empty() {
            Vec::new()
        } else {
            vec![info.polygon.clone()]
        },
        circles: Vec::new(),
        geocodes: info
            .area
            .iter()
            .map(|code| CapValue {
                name: mapping::geocode_name(code).to_string(),
                value: code.as_str().to_string(),
            })
            .collect(),
        altitude: String::new(),
        ceiling: String::new(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Language {
    Chinese,
    English,
}

/// What both infos share.
struct Content<'a> {
    info: &'a WarningInfo,
    sent: CapTime,
    sender_name: &'a str,
    area: CapArea,
    cancel: bool,
}

impl Content<'_> {
    fn info(&self, language: Language) -> CapInfo {
        let w = self.info;
        let (tag, headline, description, instruction) = match language {
            Language::Chinese => (
                "zh-CN",
                &w.headline_zh,
                &w.description_zh,
                &w.instruction_zh,
            ),
            Language::English => (
                "en-US",
                &w.headline_en,
                &w.description_en,
                &w.instruction_en,
            ),
        };
        let category: CapCategory = mapping::category_of(&w.event);
        CapInfo {
            language: tag.to_string(),
            categories: vec![category],
            event: event_name(&w.event, language),
            response_types: if self.cancel {
                vec![CapResponseType::AllClear]
            } else {
                Vec::new()
            },
            urgency: mapping::urgency(w.effective_ms, self.sent.ms),
            severity: mapping::severity_of(w.color),
            certainty: mapping::NATIVE_CERTAINTY,
            audience: String::new(),
            event_codes: Vec::new(),
            effective: Some(beijing(w.effective_ms)),
            onset: None,
            expires: Some(beijing(w.expires_ms)),
            sender_name: self.sender_name.trim().to_string(),
            headline: headline.trim().to_string(),
            description: description.trim().to_string(),
            instruction: instruction.trim().to_string(),
            web: String::new(),
            contact: String::new(),
            parameters: Vec::new(),
            resources: Vec::new(),
            areas: vec![self.area.clone()],
        }
    }
}

/// A known GB/T 35561 subtype by its name in the info's language (which
/// `mapping::event_of` reads back); a local subtype as written.
fn event_name(event: &EventType, language: Language) -> String {
    match SUBTYPES.iter().find(|s| s.0 == event.subtype) {
        Some(s) if language == Language::Chinese => s.2.to_string(),
        Some(s) => s.3.to_string(),
        None => event.subtype.clone(),
    }
}
