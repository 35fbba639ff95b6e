//! A post's duty desk: its ledger folded into views for one track (reality
//! or one drill), the directory the fold asks about authors, the policies,
//! and who the post is. Every domain action — from the CLI or the console —
//! is planned against a desk and checked by [`Desk::check`] before it is
//! signed, so both refuse exactly the same things with the same reasons.

use std::sync::Arc;

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
        Desk::with_fold(ledger, setup, Arc::new(fold), drill, now_ms)
    }

    /// Opens a desk on an already loaded fold (the console keeps one).
    pub fn with_fold(
        ledger: &Ledger,
        setup: &DeskSetup,
        fold: Arc<Fold>,
        drill: Option<&str>,
        now_ms: u64,
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
        };
        if let Some(drill) = drill.filter(|d| !d.trim().is_empty()) {
            let views = desk.views();
            let id = ids::resolve(drill, views.drills.iter().map(|d| d.id), DRILL, "drill")?;
            desk.track = Track::Drill(id);
        }
        Ok(desk)
    }

    pub fn ctx(&self) -> FoldContext<'_> {
        FoldContext {
            directory: &self.directory,
            authority: &self.authority,
            deadlines: &self.deadlines,
            now_ms: self.now_ms,
        }
    }

    /// The views of this desk's track.
    pub fn views(&self) -> Views {
        self.fold.views(&self.ctx(), self.track)
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
        let (_, outcome) = self.fold.outcome(&self.ctx(), self.track, &candidate);
        match outcome {
            Outcome::Applied | Outcome::NotInTrack => Ok(None),
            Outcome::Excluded(reason) => Err(ActionError::excluded(&reason)),
            Outcome::Conflict(c) if !c.applied => Err(ActionError::conflict(&c)),
            Outcome::Conflict(c) => Ok(Some(*c)),
        }
    }
}
