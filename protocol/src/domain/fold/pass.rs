//! One pass over the entries of a track, in canonical order.
//!
//! The pass resolves each entry's author through the [`Directory`] at the
//! entry's time, applies the generic scope rule, and hands the entry to its
//! area (one file each: incidents, responses, warnings, resources, tasks,
//! plans, drills, rescue forces). An area returns `Ok` (applied), an exclusion (with its
//! reason) or an unapplied conflict; conflicts that are applied anyway are
//! recorded by the area itself.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::FoldContext;
use super::item::Item;
use super::outcome::{Conflict, Excluded, Reason};
use super::track::{Placement, Track, drill_field, place};
use super::views::{FoldStats, Views, Who};
use crate::authority::{Action, PostInfo};
use crate::domain::IncidentReport;
use crate::entry::Body;
use crate::ids::EntryId;

/// Why an area did not apply an entry.
#[derive(Debug)]
pub(super) enum Problem {
    Excluded(Reason),
    Conflict(Box<Conflict>),
}

impl From<Reason> for Problem {
    fn from(r: Reason) -> Self {
        Problem::Excluded(r)
    }
}

impl From<Conflict> for Problem {
    fn from(c: Conflict) -> Self {
        Problem::Conflict(Box::new(c))
    }
}

/// The entry being applied, with its author as the directory knows it.
#[derive(Debug)]
pub(super) struct Act<'a> {
    pub item: &'a Item,
    pub post: Arc<PostInfo>,
    pub who: Who,
}

impl Act<'_> {
    pub fn id(&self) -> EntryId {
        self.item.id
    }
    pub fn at_ms(&self) -> u64 {
        self.item.at_ms()
    }
}

impl Who {
    /// A post, with no operator named.
    pub fn of(post: &PostInfo) -> Who {
        Who {
            node: post.node,
            name: post.name.clone(),
            level: post.level,
            entered_by: None,
        }
    }

    /// The author post of an entry and the operator who entered it.
    pub fn entering(post: &PostInfo, item: &Item) -> Who {
        Who {
            entered_by: item.operator.clone(),
            ..Who::of(post)
        }
    }
}

/// Positions of views by id, for the references entries make.
#[derive(Debug, Default)]
pub(super) struct Index {
    pub incidents: HashMap<EntryId, usize>,
    pub warnings: HashMap<EntryId, usize>,
    /// External warnings by their first message's CAP (sender, identifier).
    pub external: HashMap<(String, String), usize>,
    pub requests: HashMap<EntryId, usize>,
    pub offers: HashMap<EntryId, usize>,
    pub commits: HashMap<EntryId, usize>,
    pub tasks: HashMap<EntryId, usize>,
    pub plans: HashMap<EntryId, usize>,
    pub forces: HashMap<EntryId, usize>,
    pub drills: HashMap<EntryId, usize>,
}

pub(super) struct Pass<'c> {
    pub ctx: &'c FoldContext<'c>,
    pub track: Track,
    pub views: Views,
    pub index: Index,
    /// Entries seen per drill id, whatever the track.
    drill_entries: BTreeMap<EntryId, u64>,
    /// The latest applied report of each incident (by position), when a
    /// later one replaced the first: cloned into the view once, when the
    /// pass ends, rather than at every 续报 (a million reports are nine
    /// hundred thousand clones of their text otherwise).
    pub latest_reports: Vec<Option<&'c IncidentReport>>,
}

impl<'c> Pass<'c> {
    pub fn new(ctx: &'c FoldContext<'c>, track: Track) -> Self {
        Pass {
            ctx,
            track,
            views: Views {
                track,
                now_ms: ctx.now_ms,
                incidents: Vec::new(),
                warnings: Vec::new(),
                requests: Vec::new(),
                offers: Vec::new(),
                commits: Vec::new(),
                tasks: Vec::new(),
                plans: Vec::new(),
                drills: Vec::new(),
                forces: Vec::new(),
                conflicts: Vec::new(),
                invalid: Vec::new(),
                stats: FoldStats::default(),
            },
            index: Index::default(),
            drill_entries: BTreeMap::new(),
            latest_reports: Vec::new(),
        }
    }

    /// Records entries excluded before the pass (undecodable bodies).
    pub fn exclude_all(&mut self, excluded: impl IntoIterator<Item = Excluded>) {
        self.views.invalid.extend(excluded);
    }

    pub fn step(&mut self, item: &'c Item) {
        self.views.stats.entries += 1;
        if let Some(Some(drill)) = drill_field(&item.body)
            && item.status == crate::entry::Status::Exercise
        {
            *self.drill_entries.entry(drill).or_default() += 1;
        }
        match place(&item.body, item.status, &self.track) {
            Placement::Here => {}
            Placement::Elsewhere(_) => {
                self.views.stats.other_track += 1;
                return;
            }
            Placement::Test => {
                self.views.stats.test += 1;
                return;
            }
            Placement::Invalid(reason) => return self.exclude(item, reason),
        }
        let Some(post) = self.ctx.directory.post_at(&item.author, item.hlc) else {
            return self.exclude(item, Reason::unknown_author(&item.author));
        };
        if let Err(e) = self
            .ctx
            .authority
            .check(&post, &Action::Write { scope: &item.scope })
        {
            return self.exclude(item, Reason::not_authorized(&e));
        }
        let act = Act {
            item,
            who: Who::entering(&post, item),
            post,
        };
        let result = match &item.body {
            Body::IncidentReport(b) => self.incident_report(&act, b),
            Body::Consultation(b) => self.consultation(&act, b),
            Body::InfoRelease(b) => self.info_release(&act, b),
            Body::ResponseDecision(b) => self.response_decision(&act, b),
            Body::Warning(b) => self.warning(&act, b),
            Body::ExternalWarning(b) => self.external_warning(&act, b),
            Body::ResourceRequest(b) => self.resource_request(&act, b),
            Body::ResourceOffer(b) => self.resource_offer(&act, b),
            Body::ResourceCommit(b) => self.resource_commit(&act, b),
            Body::ResourceStatus(b) => self.resource_status(&act, b),
            Body::Task(b) => self.task(&act, b),
            Body::TaskUpdate(b) => self.task_update(&act, b),
            Body::Plan(b) => self.plan(&act, b),
            Body::PlanApproval(b) => self.plan_approval(&act, b),
            Body::PlanActivation(b) => self.plan_activation(&act, b),
            Body::DrillStart(b) => self.drill_start(&act, b),
            Body::DrillEnd(b) => self.drill_end(&act, b),
            Body::RescueForce(b) => self.rescue_force(&act, b),
            // `Item::from_entry` keeps domain bodies only.
            Body::PostProfile(_)
            | Body::PostPlace(_)
            | Body::Note(_)
            | Body::AgreementKey(_)
            | Body::Restricted(_)
            | Body::Certificate(_)
            | Body::Revocation(_)
            | Body::Equivocation(_)
            | Body::Unknown { .. } => Ok(()),
        };
        match result {
            Ok(()) => self.views.stats.applied += 1,
            Err(Problem::Excluded(reason)) => self.exclude(item, reason),
            Err(Problem::Conflict(c)) => self.views.conflicts.push(*c),
        }
    }

    fn exclude(&mut self, item: &Item, reason: Reason) {
        self.views.invalid.push(Excluded {
            entry: item.id,
            kind: item.kind_name(),
            author: item.author,
            at_ms: item.at_ms(),
            reason,
        });
    }

    /// Asks the authority policy; a refusal excludes the entry.
    pub fn check(&self, post: &PostInfo, action: &Action<'_>) -> Result<(), Problem> {
        self.ctx
            .authority
            .check(post, action)
            .map_err(|e| Reason::not_authorized(&e).into())
    }

    /// Looks a referenced view up; a miss excludes the entry.
    pub fn find(
        map: &HashMap<EntryId, usize>,
        id: &EntryId,
        what: (&str, &str),
    ) -> Result<usize, Problem> {
        map.get(id)
            .copied()
            .ok_or_else(|| Reason::unknown_reference(what, id).into())
    }

    /// Derived figures and counts, then the views as of the context's time
    /// (`time.rs`: the only part that changes when no entry does).
    pub fn finish(mut self) -> Views {
        self.finish_incidents();
        self.finish_tasks();
        self.finish_plans();
        self.finish_forces();
        for d in &mut self.views.drills {
            d.entries = self.drill_entries.get(&d.id).copied().unwrap_or(0);
        }
        self.views.set_time(self.ctx.now_ms);
        self.views
    }
}
