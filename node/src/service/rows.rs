//! One entry as the CLI prints it and the API returns it, with the names
//! of posts from their latest self-description.

use std::collections::HashMap;

use liandong_protocol::domain::GeoPoint;
use liandong_protocol::{Body, NodeId, Operator, SignedEntry, Status};
use serde::Serialize;

use crate::clock;
use crate::restricted::{Keyring, Reading, read};
use crate::store::{Query, Store, StoreError};

/// Names of posts, from their latest self-description.
pub type Names = HashMap<NodeId, String>;

pub fn post_names(store: &Store) -> Result<Names, StoreError> {
    let profiles = store.query(&Query {
        kind: Some(liandong_protocol::Kind::POST_PROFILE),
        ..Query::default()
    })?;
    let mut names = Names::new();
    for e in profiles {
        if let Ok(Body::PostProfile(p)) = e.body() {
            names.insert(e.author(), p.name);
        }
    }
    Ok(names)
}

/// Where posts are, from their latest place entry (by HLC).
pub fn post_places(store: &Store) -> Result<HashMap<NodeId, GeoPoint>, StoreError> {
    let places = store.query(&Query {
        kind: Some(liandong_protocol::Kind::POST_PLACE),
        ..Query::default()
    })?;
    let mut latest: HashMap<NodeId, (liandong_protocol::Hlc, GeoPoint)> = HashMap::new();
    for e in places {
        if let Ok(Body::PostPlace(p)) = e.body() {
            let hlc = e.header().hlc;
            let slot = latest.entry(e.author()).or_insert((hlc, p.point));
            if hlc >= slot.0 {
                *slot = (hlc, p.point);
            }
        }
    }
    Ok(latest.into_iter().map(|(k, (_, p))| (k, p)).collect())
}

/// One entry as the CLI shows it (and as `--json` prints it).
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct EntryRow {
    pub id: String,
    pub author: String,
    pub author_name: Option<String>,
    pub seq: u64,
    pub time: String,
    pub hlc: u64,
    pub kind: String,
    pub scope: String,
    pub status: Status,
    pub summary: String,
    pub body: serde_json::Value,
    /// Who at the author post entered it (version-2 entries); absent when
    /// the entry does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entered_by: Option<Operator>,
    /// Why the entry does not count in views (its author was revoked or
    /// quarantined as of its time, …); absent when it counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invalid: Option<String>,
    /// Set for a restricted entry (受限信息): whether this post reads it,
    /// and to how many posts it is sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted: Option<RestrictedRow>,
}

/// What a row says about a restricted entry.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct RestrictedRow {
    /// This post is in the audience and the body opened.
    pub readable: bool,
    /// How many posts' keys it is sealed to (the author's own included).
    pub recipients: usize,
    /// The public class of the entry (事件, 资源, 指令 …).
    pub class_zh: String,
    pub class_en: String,
    /// The audience as the writer named it; only where readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience_en: Option<String>,
}

impl EntryRow {
    /// The row of `e` as this post reads it: a restricted entry opened
    /// with `keyring` when this post is in its audience, otherwise a
    /// placeholder that shows no part of the body.
    pub fn new(e: &SignedEntry, names: &Names, keyring: &Keyring) -> EntryRow {
        match read(e, keyring) {
            None => EntryRow::plain(e, names),
            Some(Reading::Open {
                entry,
                audience,
                recipients,
            }) => {
                let (class_zh, class_en) = class_names(e);
                let mut row = EntryRow::plain(&entry, names);
                row.summary = format!("[受限 restricted] {}", row.summary);
                row.restricted = Some(RestrictedRow {
                    readable: true,
                    recipients,
                    class_zh,
                    class_en,
                    audience_zh: Some(
                        audience
                            .describe_zh_with(&|code| crate::regions::lookup(code).map(|r| r.name)),
                    ),
                    audience_en: Some(audience.describe_en()),
                });
                row
            }
            Some(Reading::Closed {
                class_zh,
                class_en,
                recipients,
            }) => EntryRow::placeholder(
                e,
                names,
                format!(
                    "受限信息（{class_zh}，{recipients} 个岗位可读）/ restricted {class_en}, \
                     readable by {recipients} posts"
                ),
                recipients,
            ),
            Some(Reading::Damaged { why, recipients }) => EntryRow::placeholder(
                e,
                names,
                format!("受限信息无法解密 / restricted entry does not open: {why}"),
                recipients,
            ),
        }
    }

    fn placeholder(e: &SignedEntry, names: &Names, summary: String, recipients: usize) -> EntryRow {
        let (class_zh, class_en) = class_names(e);
        let mut row = EntryRow::plain(e, names);
        row.summary = summary;
        row.body = serde_json::Value::Null;
        row.restricted = Some(RestrictedRow {
            readable: false,
            recipients,
            class_zh,
            class_en,
            audience_zh: None,
            audience_en: None,
        });
        row
    }

    fn plain(e: &SignedEntry, names: &Names) -> EntryRow {
        let h = e.header();
        let (summary, body) = match e.body() {
            Ok(body) => (
                summarise(&body),
                serde_json::to_value(&body).unwrap_or(serde_json::Value::Null),
            ),
            Err(err) => (format!("(unreadable body: {err})"), serde_json::Value::Null),
        };
        EntryRow {
            id: e.id().to_hex(),
            author: h.author.to_hex(),
            author_name: names.get(&h.author).cloned(),
            seq: h.seq,
            time: clock::format_hlc(h.hlc),
            hlc: h.hlc.as_u64(),
            kind: h.kind.to_string(),
            scope: h.scope.to_string(),
            status: h.status,
            summary,
            body,
            entered_by: e.operator().cloned(),
            invalid: None,
            restricted: None,
        }
    }

    /// Marks the entry as not counting in views, with the reason.
    pub fn with_standing(mut self, standing: Result<(), liandong_protocol::TrustError>) -> Self {
        self.invalid = standing.err().map(|e| e.to_string());
        self
    }
}

/// The public class of a restricted entry, in both languages.
fn class_names(e: &SignedEntry) -> (String, String) {
    match e.body() {
        Ok(Body::Restricted(sealed)) => (
            sealed.class.name_zh().to_string(),
            sealed.class.name().to_string(),
        ),
        _ => (String::new(), String::new()),
    }
}

fn summarise(body: &Body) -> String {
    match body {
        Body::Note(n) => n.text.replace('\n', " "),
        Body::PostProfile(p) => format!(
            "{} · {} · {} · {}",
            p.name,
            p.level.name_zh(),
            p.region,
            p.unit_type.name_zh()
        ),
        Body::Certificate(c) => format!(
            "证书 certificate → {} · {} · {} · {}{}",
            c.name,
            c.level.name_zh(),
            c.region,
            c.unit_type.name_zh(),
            if c.can_certify { " · 可签发" } else { "" }
        ),
        Body::Revocation(r) => format!(
            "吊销 revocation of {} — {}",
            r.subject.short(),
            r.reason.replace('\n', " ")
        ),
        Body::Equivocation(_) => "分叉证据 equivocation evidence".to_string(),
        Body::PostPlace(p) => format!("岗位位置 post location {}", p.point),
        Body::AgreementKey(k) => format!("加密公钥 agreement key #{} · {}", k.number, k.key.id()),
        Body::Restricted(s) => format!("受限信息 restricted · {} posts", s.audience_size()),
        Body::Unknown { kind } => format!("(newer entry kind {}: stored and relayed)", kind.0),
        domain => crate::domain::summary::summarise(domain).unwrap_or_default(),
    }
}

/// A status as operators type it, in either language.
pub fn parse_status(text: &str) -> Result<Status, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "actual" | "实战" => Ok(Status::Actual),
        "exercise" | "drill" | "演练" => Ok(Status::Exercise),
        "test" | "测试" => Ok(Status::Test),
        _ => Err(format!(
            "unknown status {text:?}; use actual, exercise or test / 状态应为 实战、演练 或 测试"
        )),
    }
}
