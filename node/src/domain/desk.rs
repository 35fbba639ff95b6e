//! A post's duty desk: its ledger folded into views for one track (reality
//! or one drill), the directory the fold asks about authors, the policies,
//! and who the post is. Every domain action — from the CLI or the console —
//! is planned against a desk and checked by [`Desk::check`] before it is
//! signed, so both refuse exactly the same things with the same reasons.

use std::sync::{Arc, OnceLock};

use liandong_protocol::domain::fold::{
    Conflict, DeadlinePolicy, Fold, FoldContext, Item, Outcome, Reason, Track, Views,
};
use liandong_protocol::{
    AuthorityPolicy, Body, Directory, EntryId, Hlc, Limits, NodeId, PostInfo, RegionCode, Status,
    authority,
};

use super::error::{ActionError, ActionErrorKind};
use super::ids::{self, DRILL};
use super::{DevRoles, PostDirectory, snapshot};
use crate::ledger::Ledger;

/// What a desk needs besides the ledger: from the post's config and data
/// directory.
#[derive(Debug, Clone)]
pub struct DeskSetup {
    /// Development-mode roles (ignored once the network has a genesis).
    pub roles: DevRoles,
    /// The cooperation areas the config declares.
    pub cooperate: Vec<RegionCode>,
    /// This post's name and region, as its config states them.
    pub name: String,
    pub region: RegionCode,
}

/// An entry ready to be written: what the action produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub scope: RegionCode,
    pub status: Status,
    pub body: Body,
    /// What was written, for the operator: ("首报", "initial report").
    pub label_zh: String,
    pub label_en: String,
}

impl Planned {
    pub fn new(scope: RegionCode, status: Status, body: Body, zh: &str, en: &str) -> Planned {
        Planned {
            scope,
            status,
            body,
            label_zh: zh.to_string(),
            label_en: en.to_string(),
        }
    }
}

pub struct Desk {
    pub fold: Arc<Fold>,
    pub directory: PostDirectory,
    pub authority: AuthorityPolicy,
    pub deadlines: DeadlinePolicy,
    pub limits: Limits,
    pub track: Track,
    pub now_ms: u64,
    pub node: NodeId,
    pub name: String,
    pub region: RegionCode,
    /// The views of `track` at `now_ms`, folded at most once per desk, or
    /// handed over by the console, which keeps them (see [`Known`]): a pass
    /// at a national post takes about 0.4 s at a million entries
    /// (BENCHMARKS.md), and an action would otherwise fold once to plan and
    /// once more to check.
    pub(crate) views: OnceLock<Arc<Views>>,
}

/// Views the caller already holds for the desk's fold, at one time: the
/// console keeps reality's and each drill's between requests.
#[derive(Debug, Default)]
pub struct Known {
    pub reality: Option<Arc<Views>>,
    /// The views of the drill the desk is opened on.
    pub drill: Option<Arc<Views>>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("track", &self.track)
            .field("entries", &self.fold.len())
            .finish_non_exhaustive()
    }
}

impl Desk {
    /// Folds the ledger's domain entries (from the views' snapshot, brought
    /// up to date: see [`super::snapshot`]) and opens the desk on reality,
    /// or on the drill named by `drill` (an id or a prefix).
    pub fn open(
        ledger: &Ledger,
        setup: &DeskSetup,
        drill: Option<&str>,
        now_ms: u64,
    ) -> Result<Desk, ActionError> {
        let fold = snapshot::load(ledger.store(), ledger.keyring())
            .map_err(ActionError::store)?
            .fold;
        Desk::with_fold(
            ledger,
            setup,
            Arc::new(fold),
            drill,
            now_ms,
            Known::default(),
        )
    }

    /// Opens a desk on an already loaded fold (the console keeps one), with
    /// the views of it the caller holds.
    pub fn with_fold(
        ledger: &Ledger,
        setup: &DeskSetup,
        fold: Arc<Fold>,
        drill: Option<&str>,
        now_ms: u64,
        known: Known,
    ) -> Result<Desk, ActionError> {
        let directory = PostDirectory::for_ledger(ledger, &setup.roles, &setup.cooperate)
            .map_err(ActionError::store)?;
        let authority = ledger
            .with_trust(|t| t.policy().clone())
            .unwrap_or_default();
        let mut desk = Desk {
            fold,
            directory,
            authority,
            deadlines: DeadlinePolicy::default(),
            limits: ledger.limits().clone(),
            track: Track::Actual,
            now_ms,
            node: ledger.node_id(),
            name: setup.name.clone(),
            region: setup.region.clone(),
            views: OnceLock::new(),
        };
        desk.adopt(known.reality);
        if let Some(drill) = drill.filter(|d| !d.trim().is_empty()) {
            let views = desk.views();
            let id = ids::resolve(drill, views.drills.iter().map(|d| d.id), DRILL, "drill")?;
            desk.track = Track::Drill(id);
            desk.views = OnceLock::new();
            desk.adopt(known.drill);
        }
        Ok(desk)
    }

    /// Takes views folded elsewhere as this desk's, when they are of its
    /// track and were set to a time in the same second as the desk's (the
    /// fold is the caller's to vouch for). The console's pages see
    /// deadlines pass within a second too; the entry an action writes is
    /// checked at the desk's exact time all the same ([`Desk::check`]).
    fn adopt(&mut self, views: Option<Arc<Views>>) {
        let second = self.now_ms / 1000;
        if let Some(views) = views.filter(|v| v.track == self.track && v.now_ms / 1000 == second) {
            self.views = OnceLock::from(views);
        }
    }

    pub fn ctx(&self) -> FoldContext<'_> {
        FoldContext {
            directory: &self.directory,
            authority: &self.authority,
            deadlines: &self.deadlines,
            now_ms: self.now_ms,
        }
    }

    /// The views of this desk's track (folded on first use).
    pub fn views(&self) -> Arc<Views> {
        Arc::clone(
            self.views
                .get_or_init(|| Arc::new(self.fold.views(&self.ctx(), self.track))),
        )
    }

    /// The views of this desk's track, owned (the desk is done with).
    pub fn into_views(mut self) -> Views {
        let views = self.views();
        self.views = OnceLock::new();
        Arc::unwrap_or_clone(views)
    }

    /// The drill written into, if any.
    pub fn drill(&self) -> Option<EntryId> {
        match self.track {
            Track::Actual => None,
            Track::Drill(id) => Some(id),
        }
    }

    /// Entries of a drill have status Exercise.
    pub fn status(&self) -> Status {
        match self.track {
            Track::Actual => Status::Actual,
            Track::Drill(_) => Status::Exercise,
        }
    }

    /// This post as the directory sees it.
    pub fn me(&self) -> Result<PostInfo, ActionError> {
        self.directory.latest_of(&self.node).ok_or_else(|| {
            ActionError::new(
                ActionErrorKind::NotAPost,
                "not_a_post",
                "本节点未获认证或缺少岗位信息条目（请用 liandong cert install 安装证书）",
                "this post is not a known post: uncertified (install its certificate with \
                 `liandong cert install`) or without a profile entry",
            )
        })
    }

    /// An entry of this desk's track: status and scope as the action chose.
    pub fn plan(&self, scope: RegionCode, body: Body, zh: &str, en: &str) -> Planned {
        Planned::new(scope, self.status(), body, zh, en)
    }

    /// Asks the authority rules, before the action reads the rest of its
    /// input, whether this post may take `action` at all: the same
    /// question, about the same post, as the fold asks of the entry in
    /// [`Desk::check`], so a post without the right learns that first
    /// rather than after fixing every field of the form.
    pub fn authorize(&self, action: &authority::Action<'_>) -> Result<(), ActionError> {
        let Some(post) = self.directory.post_at(&self.node, self.candidate_hlc()) else {
            return Err(ActionError::excluded(&Reason::unknown_author(&self.node)));
        };
        self.authority
            .check(&post, action)
            .map_err(|e| ActionError::excluded(&Reason::not_authorized(&e)))
    }

    /// The time an entry written now would carry, as the fold would see it:
    /// after everything it holds.
    fn candidate_hlc(&self) -> Hlc {
        let after = self
            .fold
            .max_hlc()
            .map_or(Hlc::ZERO, |h| Hlc::from_u64(h.as_u64().saturating_add(1)));
        Hlc::at_wall(self.now_ms).max(after)
    }

    /// Checks a planned entry as if written now: its field rules, a drill
    /// that has ended, and the fold's verdict on it as a candidate —
    /// anything the views would refuse (no authority, unknown reference, a
    /// conflict) is refused here, with the fold's own bilingual reason.
    /// Returns the conflict an applied override records, for a notice.
    pub fn check(&self, planned: &Planned) -> Result<Option<Conflict>, ActionError> {
        planned
            .body
            .check(&self.limits)
            .map_err(|e| ActionError::body(&e))?;
        if let Track::Drill(id) = self.track
            && let Some(drill) = self.views().drill(&id).cloned()
            && drill.ended.is_some()
            && !matches!(planned.body, Body::DrillEnd(_))
        {
            return Err(ActionError::new(
                ActionErrorKind::Conflict,
                "drill_ended",
                format!("演练“{}”已结束", drill.name),
                format!("the drill {} has ended", drill.name),
            ));
        }
        let candidate = Item {
            id: Item::CANDIDATE_ID,
            author: self.node,
            hlc: self.candidate_hlc(),
            scope: planned.scope.clone(),
            status: planned.status,
            body: planned.body.clone(),
            operator: None,
        };
        let outcome = self.fold.outcome(&self.ctx(), self.track, &candidate);
        match outcome {
            Outcome::Applied | Outcome::NotInTrack => Ok(None),
            Outcome::Excluded(reason) => Err(ActionError::excluded(&reason)),
            Outcome::Conflict(c) if !c.applied => Err(ActionError::conflict(&c)),
            Outcome::Conflict(c) => Ok(Some(*c)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{DevDirectory, DevRoles};

    fn desk(track: Track, now_ms: u64, known: Option<Arc<Views>>) -> Desk {
        let mut desk = Desk {
            fold: Arc::new(Fold::new()),
            directory: PostDirectory::Dev(DevDirectory::from_entries(
                &[],
                &DevRoles::default(),
                None,
            )),
            authority: AuthorityPolicy::default(),
            deadlines: DeadlinePolicy::default(),
            limits: Limits::default(),
            track,
            now_ms,
            node: NodeId([7; 32]),
            name: "沙湾市应急管理局".into(),
            region: RegionCode::national(),
            views: OnceLock::new(),
        };
        desk.adopt(known);
        desk
    }

    /// Views the desk's own fold would not give (it holds no entry), so
    /// that taking them shows.
    fn kept(track: Track, now_ms: u64) -> Arc<Views> {
        let mut views = desk(Track::Actual, now_ms, None).into_views();
        views.track = track;
        views.stats.entries = 42;
        Arc::new(views)
    }

    #[test]
    fn a_desk_takes_kept_views_of_its_track_and_second_only() {
        let same = kept(Track::Actual, 10_000);
        let d = desk(Track::Actual, 10_999, Some(Arc::clone(&same)));
        assert!(Arc::ptr_eq(&d.views(), &same), "same track, same second");
        assert!(Arc::ptr_eq(&d.views(), &d.views()), "folded once");

        let d = desk(Track::Actual, 11_000, Some(Arc::clone(&same)));
        assert_eq!(d.views().stats.entries, 0, "another second: folded here");
        assert_eq!(d.views().now_ms, 11_000);

        let drill = Track::Drill(EntryId([9; 32]));
        let d = desk(drill, 10_500, Some(same));
        assert_eq!(d.views().stats.entries, 0, "another track: folded here");
        assert_eq!(d.into_views().track, drill);
    }
}
