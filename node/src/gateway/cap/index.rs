//! Atom feeds and RSS channels listing CAP alerts — the shape aggregators
//! poll. Each entry (Atom `<entry>`, RSS `<item>`) carries its alert inline
//! (an `<alert>` in the entry or in its `<content>`) or links it. Links are
//! followed only when the caller allows it ([`Links::Under`], the command
//! line) and only to a file inside the index's folder: a relative path
//! with no scheme, no `..`, no query, that stays inside the folder once
//! symbolic links are resolved, and is no larger than [`MAX_CAP_BYTES`]
//! (checked before it is read, and again while reading). A linked file
//! must be an alert, not another index. The index itself is parsed before
//! any file is touched; nothing is fetched from the network.
//!
//! Which Atom link: the first with `type="application/cap+xml"`, else the
//! first with no `rel` or `rel="alternate"`. In RSS, the item's `<link>`.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use liandong_protocol::domain::cap::CapAlert;

use super::limits::{MAX_CAP_BYTES, MAX_INDEX_ENTRIES};
use super::problems::{CapProblems, LinkWhy, Problem};
use super::read;
use super::xml::{self, Element};

pub(super) const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// Whether an index's links to alert files may be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Links {
    /// Input from the network: any link is a problem (send alerts inline).
    Refuse,
    /// Input from a file: links are relative paths under this folder.
    Under(PathBuf),
}

/// One entry of an index: where it is, and its alert or link.
struct Entry<'a> {
    at: String,
    alert: Option<(&'a Element, String)>,
    link: Option<String>,
}

/// Reads the alerts of an Atom feed or RSS channel.
pub(super) fn read(root: &Element, links: &Links) -> Result<Vec<CapAlert>, CapProblems> {
    let entries = if root.name == "feed" && root.in_namespace(ATOM_NS) {
        atom_entries(root)
    } else if root.name == "rss" && root.namespace.is_none() {
        rss_items(root)
    } else {
        return Err(CapProblems::one(
            root.name.clone(),
            Problem::NotCap {
                found: root.qualified(),
            },
        ));
    };
    if entries.len() > MAX_INDEX_ENTRIES {
        return Err(CapProblems::one(
            xml::DOCUMENT,
            Problem::TooManyEntries {
                count: entries.len(),
                max: MAX_INDEX_ENTRIES,
            },
        ));
    }
    if entries.is_empty() {
        return Err(CapProblems::one(xml::DOCUMENT, Problem::NoEntries));
    }
    let mut problems = CapProblems::default();
    let mut alerts = Vec::new();
    for entry in entries {
        let result = match (entry.alert, entry.link, links) {
            (Some((alert, at)), _, _) => read::alert(alert, &at),
            (None, Some(href), Links::Refuse) => {
                Err(CapProblems::one(entry.at, Problem::LinkRefused(href)))
            }
            (None, Some(href), Links::Under(dir)) => match linked(dir, &href) {
                Ok(bytes) => super::read_alert(&bytes).map_err(|p| {
                    let mut all = CapProblems::default();
                    all.absorb(&format!("{}/link({href})/", entry.at), p);
                    all
                }),
                Err(p) => Err(CapProblems::one(entry.at, p)),
            },
            (None, None, _) => Err(CapProblems::one(entry.at, Problem::NoAlert)),
        };
        match result {
            Ok(alert) => alerts.push(alert),
            Err(p) => problems.absorb("", p),
        }
    }
    problems.result(alerts)
}

fn atom_entries(feed: &Element) -> Vec<Entry<'_>> {
    named(feed, "entry", Some(ATOM_NS))
        .enumerate()
        .map(|(i, entry)| {
            let at = format!("feed/entry[{i}]");
            let link = atom_link(entry);
            Entry {
                alert: inline(entry, &at),
                at,
                link,
            }
        })
        .collect()
}

fn rss_items(rss: &Element) -> Vec<Entry<'_>> {
    let mut out = Vec::new();
    for (c, channel) in named(rss, "channel", None).enumerate() {
        for (i, item) in named(channel, "item", None).enumerate() {
            let at = format!("rss/channel[{c}]/item[{i}]");
            let link = named(item, "link", None)
                .find_map(|l| l.text().ok().map(str::trim).filter(|t| !t.is_empty()))
                .map(str::to_string);
            out.push(Entry {
                alert: inline(item, &at),
                at,
                link,
            });
        }
    }
    out
}

fn named<'a>(
    parent: &'a Element,
    name: &'a str,
    namespace: Option<&'a str>,
) -> impl Iterator<Item = &'a Element> {
    parent
        .children
        .iter()
        .filter(move |c| c.name == name && c.namespace.as_deref() == namespace)
}

/// An alert directly in the entry, or in its (Atom) `<content>`.
fn inline<'a>(entry: &'a Element, at: &str) -> Option<(&'a Element, String)> {
    if let Some(alert) = entry.children.iter().find(|c| read::is_alert(c)) {
        return Some((alert, format!("{at}/alert")));
    }
    entry
        .children
        .iter()
        .filter(|c| c.name == "content")
        .find_map(|content| {
            let alert = content.children.iter().find(|c| read::is_alert(c))?;
            Some((alert, format!("{at}/content/alert")))
        })
}

fn atom_link(entry: &Element) -> Option<String> {
    let links: Vec<&Element> = named(entry, "link", Some(ATOM_NS)).collect();
    let cap = links
        .iter()
        .find(|l| l.attribute("type") == Some("application/cap+xml"));
    let alternate = links
        .iter()
        .find(|l| matches!(l.attribute("rel"), None | Some("alternate")));
    cap.or(alternate)
        .and_then(|l| l.attribute("href"))
        .map(|h| h.trim().to_string())
}

/// The bytes of the file `href` names under `dir`, checked as the module
/// documentation says.
fn linked(dir: &Path, href: &str) -> Result<Vec<u8>, Problem> {
    let path = resolve(dir, href)?;
    let unreadable = |error: String| Problem::LinkUnreadable {
        path: path.display().to_string(),
        error,
    };
    // Checked before opening: opening a FIFO or a device could block or
    // read without end.
    let meta = std::fs::metadata(&path).map_err(|e| unreadable(e.to_string()))?;
    if !meta.is_file() {
        return Err(unreadable("not a regular file".into()));
    }
    let file = File::open(&path).map_err(|e| unreadable(e.to_string()))?;
    let too_large = |bytes: usize| Problem::TooLarge {
        bytes,
        max: MAX_CAP_BYTES,
    };
    if meta.len() > MAX_CAP_BYTES as u64 {
        return Err(too_large(usize::try_from(meta.len()).unwrap_or(usize::MAX)));
    }
    let mut bytes = Vec::new();
    // The file may grow after the size check: read one byte past the limit
    // at most, and refuse if it is there.
    file.take(MAX_CAP_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(e.to_string()))?;
    if bytes.len() > MAX_CAP_BYTES {
        return Err(too_large(bytes.len()));
    }
    Ok(bytes)
}

/// `href` as a path inside `dir`, or why it is not one.
fn resolve(dir: &Path, href: &str) -> Result<PathBuf, Problem> {
    let outside = |why| Problem::LinkOutside {
        href: href.to_string(),
        why,
    };
    if has_scheme(href) {
        return Err(outside(LinkWhy::Url));
    }
    if href.starts_with(['/', '\\']) {
        return Err(outside(LinkWhy::Absolute));
    }
    if href.contains(['?', '#']) {
        return Err(outside(LinkWhy::QueryOrFragment));
    }
    let decoded = percent_decode(href).ok_or_else(|| outside(LinkWhy::BadPercent))?;
    if decoded.contains(['\\', '\0']) {
        return Err(outside(LinkWhy::BackslashOrNul));
    }
    let mut path = dir.to_path_buf();
    let mut parts = 0;
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(outside(LinkWhy::ParentFolder)),
            _ => {
                path.push(part);
                parts += 1;
            }
        }
    }
    if parts == 0 {
        return Err(outside(LinkWhy::NoFile));
    }
    let unreadable = |e: std::io::Error| Problem::LinkUnreadable {
        path: path.display().to_string(),
        error: e.to_string(),
    };
    let real_dir = dir.canonicalize().map_err(unreadable)?;
    let real = path.canonicalize().map_err(unreadable)?;
    if !real.starts_with(&real_dir) {
        return Err(outside(LinkWhy::Symlink));
    }
    Ok(real)
}

/// RFC 3986: `scheme ":"`, the scheme a letter then letters, digits, `+-.`.
fn has_scheme(href: &str) -> bool {
    let Some((scheme, _)) = href.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_and_percent_encoding() {
        assert!(has_scheme("http://example.com/a.xml"));
        assert!(has_scheme("file:///etc/passwd"));
        assert!(has_scheme("C:\\x.xml"));
        assert!(!has_scheme("alerts/a.xml"));
        assert!(!has_scheme("a:b/c.xml".split_once('/').map_or("", |p| p.1)));
        assert_eq!(percent_decode("a%20b.xml").as_deref(), Some("a b.xml"));
        assert_eq!(percent_decode("%2e%2e/x").as_deref(), Some("../x"));
        assert_eq!(percent_decode("bad%2"), None);
        assert_eq!(percent_decode("bad%zz"), None);
    }
}
