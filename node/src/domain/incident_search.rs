//! Finding incidents among a national post's hundred thousand: the newest
//! few, optionally only those a search finds, with the counts of all that
//! match. The console's incidents page, its map and plan form, and
//! `board incidents` ask through this one type, so the CLI and the console
//! find the same incidents for the same words.
//!
//! A search is words separated by spaces; an incident matches when every
//! word is found in one of: its title, its event type (Chinese or English
//! name), the start of its id, the start of its region code, or the name of
//! its region or of a region above it (so 四川 finds every incident in
//! Sichuan). Letters match regardless of case.

use std::collections::HashMap;

use liandong_protocol::RegionCode;
use liandong_protocol::domain::fold::{Conflict, Excluded, IncidentView, Track, Views};
use liandong_protocol::linkage::EventType;
use serde::Serialize;

use super::sections::Area;
use crate::regions;

/// The longest search, in characters: the console's search box and the
/// CLI's `--search` are held to it, and the API refuses a longer one.
pub const MAX_SEARCH_CHARS: usize = 100;

/// What to find: the newest `latest` open and `latest` closed incidents
/// among those `search` finds (all of them when `latest` is absent, every
/// incident when `search` is absent or blank), only those with a point on
/// the map when `located` (the console's map).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentQuery {
    pub latest: Option<usize>,
    pub search: Option<String>,
    pub located: bool,
}

/// A search longer than [`MAX_SEARCH_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "搜索词最多 {MAX_SEARCH_CHARS} 个字，此处为 {0} 个 / a search is at most {MAX_SEARCH_CHARS} characters; this one has {0}"
)]
pub struct SearchTooLong(pub usize);

impl SearchTooLong {
    pub fn zh(&self) -> String {
        format!("搜索词最多 {MAX_SEARCH_CHARS} 个字，此处为 {} 个", self.0)
    }

    pub fn en(&self) -> String {
        format!(
            "a search is at most {MAX_SEARCH_CHARS} characters; this one has {}",
            self.0
        )
    }
}

impl IncidentQuery {
    /// Refuses a search over [`MAX_SEARCH_CHARS`] before any incident is read.
    pub fn checked(latest: Option<usize>, search: Option<String>) -> Result<Self, SearchTooLong> {
        if let Some(s) = &search {
            let chars = s.chars().count();
            if chars > MAX_SEARCH_CHARS {
                return Err(SearchTooLong(chars));
            }
        }
        Ok(IncidentQuery {
            latest,
            search,
            located: false,
        })
    }

    /// Only incidents whose current report places them on the map.
    pub fn located(self) -> Self {
        IncidentQuery {
            located: true,
            ..self
        }
    }

    /// The search's words, lower-cased; empty when there is nothing to find.
    fn words(&self) -> Vec<String> {
        self.search
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_lowercase)
            .collect()
    }
}

/// The incidents a query found, in the views' order (oldest first, as in
/// a [`super::sections::Section`]), with the counts of every match: what
/// `/api/incidents?latest=N&q=…` answers.
#[derive(Debug, Serialize)]
pub struct FoundIncidents<'a> {
    pub track: &'a Track,
    pub now_ms: u64,
    pub incidents: Vec<&'a IncidentView>,
    /// Open and closed incidents that match, shown or not.
    pub open: usize,
    pub closed: usize,
    /// Every incident of the views, matching or not.
    pub all: usize,
    pub conflicts: Vec<&'a Conflict>,
    pub invalid: Vec<&'a Excluded>,
}

impl<'a> FoundIncidents<'a> {
    pub fn of(v: &'a Views, query: &IncidentQuery) -> FoundIncidents<'a> {
        let n = query.latest.unwrap_or(usize::MAX);
        let mut matcher = Matcher::new(query.words());
        let (mut open, mut closed) = (0, 0);
        let mut incidents = Vec::new();
        for i in v.incidents.iter().rev() {
            if (query.located && i.current.point.is_none()) || !matcher.matches(i) {
                continue;
            }
            let count = if i.closed.is_some() {
                &mut closed
            } else {
                &mut open
            };
            if *count < n {
                incidents.push(i);
            }
            *count += 1;
        }
        incidents.reverse();
        FoundIncidents {
            track: &v.track,
            now_ms: v.now_ms,
            incidents,
            open,
            closed,
            all: v.incidents.len(),
            conflicts: Area::Incidents.conflicts(v),
            invalid: Area::Incidents.invalid(v),
        }
    }
}

/// Tests incidents against a search's words. Region and event names are
/// looked up once per region and event type: a hundred thousand incidents
/// share a few thousand regions.
struct Matcher {
    words: Vec<String>,
    region_names: HashMap<RegionCode, String>,
    event_names: HashMap<EventType, String>,
}

impl Matcher {
    fn new(words: Vec<String>) -> Matcher {
        Matcher {
            words,
            region_names: HashMap::new(),
            event_names: HashMap::new(),
        }
    }

    fn matches(&mut self, i: &IncidentView) -> bool {
        if self.words.is_empty() {
            return true;
        }
        let title = i.current.title.to_lowercase();
        let id = i.id.to_string();
        let code = i.region.as_str();
        let regions = self
            .region_names
            .entry(i.region.clone())
            .or_insert_with(|| names_above(&i.region));
        let event = self
            .event_names
            .entry(i.current.event.clone())
            .or_insert_with(|| {
                let e = &i.current.event;
                format!("{} {} {}", e.name_zh(), e.name_en(), e.subtype).to_lowercase()
            });
        self.words.iter().all(|w| {
            title.contains(w.as_str())
                || event.contains(w.as_str())
                || regions.contains(w.as_str())
                || id.starts_with(w.as_str())
                || code.starts_with(w.as_str())
        })
    }
}

/// The names of a region and of every region above it, lower-cased, that
/// the region tables know.
fn names_above(region: &RegionCode) -> String {
    std::iter::once(region.clone())
        .chain(region.ancestors())
        .filter(|r| !r.is_national())
        .filter_map(|r| regions::lookup(&r))
        .map(|n| n.name.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}
