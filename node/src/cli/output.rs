//! Shared output helpers: JSON, tables that line up with Chinese text, and
//! the one-line view of an entry.

use std::collections::HashMap;

use liandong_protocol::{Body, NodeId, SignedEntry, Status};
use serde::Serialize;

use crate::clock;
use crate::store::{Query, Store, StoreError};

pub fn print_json<T: Serialize + ?Sized>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("cannot print JSON: {e}"),
    }
}

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

/// Display width of text in a terminal: CJK and full-width characters take
/// two columns.
pub fn display_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    let cp = c as u32;
    let wide = matches!(cp,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
    if wide { 2 } else { 1 }
}

/// Cuts text to at most `max` display columns, marking the cut with "…".
pub fn truncate(text: &str, max: usize) -> String {
    if display_width(text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut width = 0;
    for c in text.chars() {
        let w = char_width(c);
        if width + w + 1 > max {
            break;
        }
        out.push(c);
        width += w;
    }
    out.push('…');
    out
}

/// Prints rows as a table with a header, padding by display width.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let cols = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| display_width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(cols) {
            widths[i] = widths[i].max(display_width(cell));
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < cells.len() {
                out.push_str(&" ".repeat(widths[i] - display_width(cell) + 2));
            }
        }
        println!("{}", out.trim_end());
    };
    line(header.to_vec());
    line(
        widths
            .iter()
            .map(|w| "─".repeat(*w))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect(),
    );
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

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
    /// Why the entry does not count in views (its author was revoked or
    /// quarantined as of its time, …); absent when it counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invalid: Option<String>,
}

impl EntryRow {
    pub fn new(e: &SignedEntry, names: &Names) -> EntryRow {
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
            invalid: None,
        }
    }

    /// Marks the entry as not counting in views, with the reason.
    pub fn with_standing(mut self, standing: Result<(), liandong_protocol::TrustError>) -> Self {
        self.invalid = standing.err().map(|e| e.to_string());
        self
    }

    pub fn cells(&self) -> Vec<String> {
        let who = match &self.author_name {
            Some(name) => truncate(name, 18),
            None => self.author[..8].to_string(),
        };
        vec![
            self.time.clone(),
            who,
            format!("#{}", self.seq),
            self.kind.clone(),
            self.scope.clone(),
            status_label(self.status).to_string(),
            match &self.invalid {
                Some(_) => truncate(&format!("⚠失效 invalid · {}", self.summary), 48),
                None => truncate(&self.summary, 48),
            },
        ]
    }

    pub const HEADER: [&'static str; 7] = [
        "时间 time",
        "单位 post",
        "序号 seq",
        "类型 kind",
        "区划 scope",
        "状态 status",
        "内容 content",
    ];
}

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Actual => "实战",
        Status::Exercise => "演练",
        Status::Test => "测试",
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
        Body::Unknown { kind } => format!("(newer entry kind {}: stored and relayed)", kind.0),
        domain => super::domain::summary::summarise(domain).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_counts_double() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("西戈壁村"), 8);
        assert_eq!(truncate("西戈壁村应急", 7), "西戈壁…");
        assert_eq!(truncate("abc", 7), "abc");
    }
}
