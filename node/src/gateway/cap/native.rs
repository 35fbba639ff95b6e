//! A warning issued in the network, described as CAP 1.2 for feeds,
//! broadcasters and neighbouring platforms.
//!
//! - Identifier: GB/T 35965.1's `ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N` — a
//!   6-digit GB/T 2260 region code (a province or prefecture code padded
//!   with zeros), institution `000`, unit `000`, extension `00`; the
//!   entry's time in Beijing time; one digit taken from the entry id, so
//!   the same entry always exports the same identifier. The standard wants
//!   the issuing unit's code; the view does not name the issuing post's
//!   region, so the region every warned area lies in (their deepest
//!   common region) stands for it — the issuer's own region or one inside
//!   it, since a post warns only within its region.
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
use liandong_protocol::domain::fold::WarningView;
use liandong_protocol::domain::vocab::SUBTYPES;
use liandong_protocol::domain::{EventType, WarningInfo};
use liandong_protocol::ids::{EntryId, NodeId};
use liandong_protocol::region::RegionCode;

use super::time;

/// Beijing time, which GB/T 35965.1 writes every time in.
pub const BEIJING_OFFSET_MIN: i16 = 8 * 60;

/// Which message of a warning to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NativeMessage {
    /// The issue: msgType Alert, identified by the issue entry.
    Alert,
    /// The version in force as an Update, identified by its own entry and
    /// referencing the Alert.
    Update,
    /// The end of the warning as a Cancel, identified by the cancelling
    /// entry and referencing the Alert.
    Cancel,
}

/// The warning as a CAP alert: `message` says which one, `area_desc` is
/// the `<areaDesc>` (the warned regions by name; their codes when empty),
/// `drill` the drill the warning belongs to. A warning received as CAP
/// (`external`) is the alert in force, as received. An Update or Cancel of
/// a warning that has no later version than its issue is its Alert.
pub fn native_alert(
    w: &WarningView,
    message: NativeMessage,
    area_desc: &str,
    drill: Option<EntryId>,
) -> CapAlert {
    if let Some(external) = &w.external {
        return external.alert.clone();
    }
    let region = warned_region(&w.current);
    let issue_sent = beijing(w.issued_ms);
    let issue_sender = sender(&w.issued_by.node);
    let issue_identifier = native_identifier(&region, w.issued_ms, &w.id);
    let later = w.current_entry != w.id;
    let (msg_type, sender, identifier, sent, author) = match message {
        NativeMessage::Update | NativeMessage::Cancel if later => {
            let at_ms = w
                .history
                .iter()
                .find(|v| v.entry == w.current_entry)
                .map_or(w.issued_ms, |v| v.at_ms);
            let msg_type = if message == NativeMessage::Cancel {
                CapMsgType::Cancel
            } else {
                CapMsgType::Update
            };
            let mut identifier = native_identifier(&region, at_ms, &w.current_entry);
            if identifier == issue_identifier {
                // Written in the issue's second with the same digit: the
                // next digit, so the message never names itself.
                identifier = bump_serial(&identifier);
            }
            (
                msg_type,
                sender(&w.current_by.node),
                identifier,
                beijing(at_ms),
                &w.current_by,
            )
        }
        _ => (
            CapMsgType::Alert,
            issue_sender.clone(),
            issue_identifier.clone(),
            issue_sent,
            &w.issued_by,
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
    if let Some(d) = drill {
        notes.push(format!("演练 / Exercise: drill {}", d.to_hex()));
    }
    // The sender is the post (its key signed the entry); who at the post
    // entered this message is said in the note, where CAP puts remarks.
    if let Some(op) = &author.entered_by {
        notes.push(format!("录入 / Entered by: {op}"));
    }
    if msg_type == CapMsgType::Cancel
        && let Some(reason) = w.cancel_reason.as_deref().filter(|r| !r.trim().is_empty())
    {
        notes.push(format!("解除原因 / Cancelled: {}", reason.trim()));
    }
    let content = Content {
        info: &w.current,
        sent,
        sender_name: &author.name,
        area: area(&w.current, area_desc),
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
        status: if drill.is_some() {
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

/// The deepest region every warned region lies in (the nation when the
/// area is empty, which a valid warning's is not).
fn warned_region(info: &WarningInfo) -> RegionCode {
    let Some(first) = info.area.first() else {
        return RegionCode::national();
    };
    let mut region = first.clone();
    while !info.area.iter().all(|code| code.is_within(&region)) {
        match region.parent() {
            Some(parent) => region = parent,
            None => break,
        }
    }
    region
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

/// The identifier with its serial digit (the last character) advanced.
fn bump_serial(identifier: &str) -> String {
    let mut out = identifier.to_string();
    if let Some(d) = out.pop().and_then(|c| c.to_digit(10)) {
        out.push_str(&((d + 1) % 10).to_string());
    }
    out
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
            // Both as written (whole seconds), so the urgency reads true
            // against the times in the alert.
            urgency: mapping::urgency(beijing(w.effective_ms).ms, self.sent.ms),
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
