//! The fold: views as a pure function of the entry **set**.
//!
//! ```text
//! entries ──Item::from_entry──► Fold (a set by (HLC, id), in canonical order: `items.rs`)
//!            decode once                │
//!                                       ▼ views(ctx, track)
//!                      one pass in canonical order ──► Views
//! ```
//!
//! Delivery order cannot matter: entries are kept as a set keyed by
//! (HLC, entry id) and always folded in that order, so any order of
//! arrival, and any duplicates, give identical views (property-tested by
//! shuffling). `now` only affects time-derived flags (overdue, expired),
//! all set in one place ([`Views::set_time`], `time.rs`).
//!
//! Each entry's author is looked up in the [`Directory`] at the entry's
//! HLC; an author unknown, uncertified or revoked at that time excludes the
//! entry, and every excluded entry is listed in [`Views::invalid`] with its
//! reason — never silently dropped. Authority is asked of
//! [`AuthorityPolicy::check`], never re-implemented here.
//!
//! ## Conflict rules
//!
//! Concurrent decisions are resolved **authority first** (a higher post
//! overrides a lower one within its subtree), **then HLC, then entry id**,
//! and every conflict is listed in [`Views::conflicts`]:
//!
//! - **Response decisions** from different levels: the decision in force is
//!   the highest post's latest; a lower post's decision made after a higher
//!   post decided is shown as overridden.
//! - **Warnings**: the same rule for updates and cancellations. External
//!   (CAP) warnings follow their sender's messages instead: the latest CAP
//!   `sent` is in force ([`external_warnings`]).
//! - **Commitments beyond the remaining quantity**: taken in canonical
//!   order; the one that would take an offer below zero is refused, and so
//!   is one beyond what the request still needs unless it is marked as
//!   surplus (超额承诺, its own entry kind).
//! - **Updates to a closed incident** (after its 终报): a 续报 or 终报 is
//!   refused, whoever sends it; the post that closed it, or a post above,
//!   reopens it with an explicit 重开 report. A 核报 (verified correction)
//!   is always allowed. A response decision on a closed incident still
//!   applies when its author is above the closer (conflict shown).
//! - **Lifecycle regressions** (a resource status or task state going back,
//!   or anything after the end) are refused; so is a second delivery.
//!
//! Rights (分级负责) are exclusions with a reason, not conflicts: a plan is
//! activated by its owner or a post above it and approved or filed only
//! above its owner ([`plans`]); a rescue force is updated by its owning
//! post or a post above it, the latest record in force ([`forces`]); a commitment's dispatch and return are the
//! committing side's to report, its delivery and release the requester's
//! ([`resources`]). All of these rules apply to every entry by the same
//! fold, so a ledger holding entries written before them folds the same on
//! every post: those entries now show in `invalid` or `conflicts` with their
//! reason (each area's file says which).
//!
//! Each area's file states its rules in full: [`incidents`], [`responses`],
//! [`warnings`], [`resources`], [`tasks`], [`plans`], [`drills`], [`forces`].
//!
//! ## Speed
//!
//! A [`Fold`] decodes each body once, on insert; [`Fold::views`] is then a
//! single linear pass with hash lookups. Rebuilding from scratch is the
//! same code: [`fold`]. Measured by `benches/fold.rs` on the shared 2-core
//! reference box (release build), for a realistic mix (reports, decisions,
//! requests, offers, commits, statuses, tasks, acknowledgements):
//!
//! | entries | full fold (decode + pass) | views from a decoded `Fold` |
//! |---|---|---|
//! | 100,000 | ~200 ms | ~90 ms |
//! | 1,000,000 | ~3.8 s | ~0.85 s |

pub mod deadline;
pub mod drills;
pub mod external_warnings;
pub mod forces;
pub mod incidents;
pub mod item;
mod items;
pub mod outcome;
mod pass;
pub mod plans;
pub mod resources;
pub mod responses;
pub mod review;
pub mod tasks;
mod time;
pub mod track;
pub mod views;
pub mod warnings;

use std::collections::BTreeMap;

pub use deadline::{CategoryMinutes, DeadlinePolicy};
pub use item::Item;
pub use outcome::{Conflict, ConflictRule, Excluded, Reason, ReasonCode};
pub use review::{Review, review};
pub use track::Track;
pub use views::*;

use crate::authority::{AuthorityPolicy, Directory};
use crate::entry::SignedEntry;
use crate::hlc::Hlc;
use crate::ids::EntryId;
use items::Items;
use pass::Pass;

/// What the fold needs besides the entries.
#[derive(Clone, Copy)]
pub struct FoldContext<'a> {
    /// Who the certified posts were, at any time.
    pub directory: &'a dyn Directory,
    pub authority: &'a AuthorityPolicy,
    pub deadlines: &'a DeadlinePolicy,
    /// Wall time in ms for overdue and expiry flags.
    pub now_ms: u64,
}

impl std::fmt::Debug for FoldContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FoldContext")
            .field("authority", self.authority)
            .field("deadlines", self.deadlines)
            .field("now_ms", &self.now_ms)
            .finish_non_exhaustive()
    }
}

/// Folds the real (Actual) views of a set of entries. Entries of other
/// kinds are ignored; duplicates count once.
pub fn fold<'e>(
    entries: impl IntoIterator<Item = &'e SignedEntry>,
    directory: &dyn Directory,
    authority: &AuthorityPolicy,
    deadlines: &DeadlinePolicy,
    now_ms: u64,
) -> Views {
    let ctx = FoldContext {
        directory,
        authority,
        deadlines,
        now_ms,
    };
    fold_track(entries, &ctx, Track::Actual)
}

/// Folds one track (reality or one drill) of a set of entries.
pub fn fold_track<'e>(
    entries: impl IntoIterator<Item = &'e SignedEntry>,
    ctx: &FoldContext<'_>,
    track: Track,
) -> Views {
    let mut f = Fold::new();
    for e in entries {
        f.insert(e);
    }
    f.views(ctx, track)
}

/// What would happen to a candidate entry (see [`Fold::outcome`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// It would belong to another track, or is a test entry.
    NotInTrack,
    Excluded(Reason),
    /// A conflict; `applied` says whether it would apply anyway.
    Conflict(Box<Conflict>),
}

/// The decoded entry set, ready to fold into any track.
#[derive(Debug, Clone, Default)]
pub struct Fold {
    items: Items,
    /// Stored bodies that do not decode: listed in every view's `invalid`.
    undecodable: BTreeMap<EntryId, Excluded>,
}

impl Fold {
    pub fn new() -> Fold {
        Fold::default()
    }

    /// Adds an entry (idempotent). Returns true when it is a domain entry
    /// new to the set.
    pub fn insert(&mut self, entry: &SignedEntry) -> bool {
        match Item::from_entry(entry) {
            Ok(Some(item)) => self.insert_item(item),
            Ok(None) => false,
            Err(excluded) => self.undecodable.insert(entry.id(), *excluded).is_none(),
        }
    }

    /// The set of these decoded items, built in one go: in place, from a
    /// list in key order, as a post's start reads its snapshot
    /// (`items.rs`). A duplicate counts once, as with [`Fold::insert_item`].
    pub fn from_items(items: impl IntoIterator<Item = Item>) -> Fold {
        Fold {
            items: Items::from_vec(items.into_iter().collect()),
            undecodable: BTreeMap::new(),
        }
    }

    /// Adds a decoded item (idempotent).
    pub fn insert_item(&mut self, item: Item) -> bool {
        self.items.insert(item)
    }

    /// Domain entries held.
    pub fn len(&self) -> usize {
        self.items.len() + self.undecodable.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The largest HLC held (a candidate must come after it).
    pub fn max_hlc(&self) -> Option<Hlc> {
        self.items.max_hlc()
    }

    /// Folds one track.
    pub fn views(&self, ctx: &FoldContext<'_>, track: Track) -> Views {
        self.run(ctx, track)
    }

    /// What the fold would do with `candidate` if it were added. The
    /// candidate must order after every held entry (a time after
    /// [`Fold::max_hlc`]), as a newly written entry does; commands use this
    /// to refuse what the views would refuse, before anything is signed.
    /// Only the steps run: the derived figures and time flags of the end of
    /// a pass (`Pass::finish`) decide nothing about an entry.
    pub fn outcome(&self, ctx: &FoldContext<'_>, track: Track, candidate: &Item) -> Outcome {
        let mut pass = Pass::new(ctx, track);
        for item in self.items.iter() {
            pass.step(item);
        }
        let (invalid, conflicts) = (pass.views.invalid.len(), pass.views.conflicts.len());
        pass.step(candidate);
        // What the candidate's step added (an entry can meet two rules: the
        // first one it met decides, as in the views).
        let views = &pass.views;
        if let Some(x) = views.invalid.get(invalid) {
            Outcome::Excluded(x.reason.clone())
        } else if let Some(c) = views.conflicts.get(conflicts) {
            Outcome::Conflict(Box::new(c.clone()))
        } else if track::place(&candidate.body, candidate.status, &track) != track::Placement::Here
        {
            Outcome::NotInTrack
        } else {
            Outcome::Applied
        }
    }

    fn run(&self, ctx: &FoldContext<'_>, track: Track) -> Views {
        let mut pass = Pass::new(ctx, track);
        pass.exclude_all(self.undecodable.values().cloned());
        for item in self.items.iter() {
            pass.step(item);
        }
        pass.finish()
    }
}
