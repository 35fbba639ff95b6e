//! What this post hands out as CAP: a warning's alert (the external alert
//! in force as received, or a native warning written as CAP 1.2), and the
//! Atom index of the warnings in force. Shared by the API and the CLI.

use liandong_protocol::domain::cap::mapping;
use liandong_protocol::domain::fold::{Views, WarningStatus, WarningView};
use liandong_protocol::{EntryId, NodeId};

use super::atom::{Feed, FeedEntry, write_feed};
use super::cap::{NativeMessage, native_alert, write_alert};
use crate::clock;
use crate::regions;

/// The post the feed is of.
#[derive(Debug)]
pub struct FeedPost<'a> {
    pub name: &'a str,
    pub node: NodeId,
}

/// The warning as a CAP 1.2 document. A native warning is written as the
/// message in force: its issue (Alert), its latest version (Update), or
/// its end (Cancel).
pub fn alert_xml(w: &WarningView, drill: Option<EntryId>) -> String {
    match &w.external {
        Some(e) => write_alert(&e.alert),
        None => {
            let message = if w.status == WarningStatus::Cancelled {
                NativeMessage::Cancel
            } else if w.current_entry != w.id {
                NativeMessage::Update
            } else {
                NativeMessage::Alert
            };
            write_alert(&native_alert(w, message, &area_description(w), drill))
        }
    }
}

/// The regions warned, by name where the tables know them.
fn area_description(w: &WarningView) -> String {
    let names: Vec<String> = w
        .current
        .area
        .iter()
        .map(|code| regions::lookup(code).map_or_else(|| code.to_string(), |n| n.name))
        .collect();
    if names.is_empty() {
        w.current.headline_zh.clone()
    } else {
        names.join("、")
    }
}

/// The Atom index of the warnings in force or pending. `base` is the
/// console's address (`http://host:port`) when the request named it;
/// `query` is appended to every alert link (`?drill=…`). With `inline`
/// each alert is carried whole, so the file imports on its own.
pub fn feed(
    views: &Views,
    post: &FeedPost<'_>,
    base: Option<&str>,
    query: &str,
    inline: bool,
) -> String {
    let drill = match views.track {
        liandong_protocol::domain::fold::Track::Drill(d) => Some(d),
        liandong_protocol::domain::fold::Track::Actual => None,
    };
    let shown: Vec<&WarningView> = views
        .warnings
        .iter()
        .filter(|w| matches!(w.status, WarningStatus::Active | WarningStatus::Pending))
        .collect();
    let mut latest = 0;
    let entries: Vec<FeedEntry> = shown
        .iter()
        .map(|w| {
            let updated = updated_ms(w);
            latest = latest.max(updated);
            let (author, category) = match &w.external {
                Some(e) => (
                    mapping::primary(&e.alert)
                        .map(|i| i.sender_name.trim())
                        .filter(|n| !n.is_empty())
                        .unwrap_or(&e.alert.sender)
                        .to_string(),
                    if e.graded {
                        w.current.color.name().to_string()
                    } else {
                        "ungraded".into()
                    },
                ),
                None => (
                    w.issued_by.name.to_string(),
                    w.current.color.name().to_string(),
                ),
            };
            FeedEntry {
                id: format!("urn:liandong:warning:{}", w.id.to_hex()),
                title: first_nonempty(&w.current.headline_zh, &w.current.headline_en),
                updated: clock::rfc3339_ms(updated),
                author,
                summary: first_nonempty(&w.current.description_zh, &w.current.description_en),
                category,
                link: base.map(|b| format!("{b}/api/cap/{}.xml{query}", w.id.to_hex())),
                inline: inline.then(|| alert_xml(w, drill)),
            }
        })
        .collect();
    let feed_id = format!("urn:liandong:post:{}:cap", post.node.to_hex());
    let title = format!("{} 预警 / warnings", post.name);
    let self_link = base.map(|b| format!("{b}/api/cap/index.atom{query}"));
    write_feed(
        &Feed {
            id: &feed_id,
            title: &title,
            self_link: self_link.as_deref(),
            updated: &clock::rfc3339_ms(if latest == 0 { clock::now_ms() } else { latest }),
        },
        &entries,
    )
}

/// When the message in force was written: CAP's `sent` for an external
/// warning, the entry's time for a native one.
fn updated_ms(w: &WarningView) -> u64 {
    match &w.external {
        Some(e) => e.alert.sent.ms,
        None => w
            .history
            .iter()
            .filter(|h| h.entry == w.current_entry)
            .map(|h| h.at_ms)
            .next()
            .unwrap_or(w.issued_ms),
    }
}

fn first_nonempty(a: &str, b: &str) -> String {
    if a.trim().is_empty() { b } else { a }.to_string()
}
