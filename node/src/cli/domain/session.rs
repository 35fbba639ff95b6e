//! A domain command's session: the post, its entries folded into views,
//! the directory the fold asks, and the track (reality or one drill).
//!
//! Writing goes through [`Session::write`]: the entry is first shown to
//! the fold as a candidate, so anything the views would refuse (no
//! authority, unknown reference, a conflict) is refused here with the
//! fold's own bilingual reason, before anything is signed. What passes is
//! written by `Ledger::author`, the one write path.

use std::path::{Path, PathBuf};

use liandong_protocol::domain::fold::{
    DeadlinePolicy, Fold, FoldContext, Item, Outcome, Track, Views,
};
use liandong_protocol::{
    AuthorityPolicy, Body, EntryId, Hlc, PostInfo, RegionCode, SignedEntry, Status,
};

use super::{Common, ids};
use crate::cli::CliError;
use crate::clock;
use crate::datadir::DataDir;
use crate::domain::{DevRoles, PostDirectory, load_fold};
use crate::post::Post;

/// The dev-roles file read when `--dev-roles` is not given.
pub const DEFAULT_DEV_ROLES: &str = "dev-roles.toml";

pub struct Session {
    pub post: Post,
    pub fold: Fold,
    /// The trust state in a network with a genesis; posts as their
    /// profiles describe them in development mode.
    pub directory: PostDirectory,
    pub authority: AuthorityPolicy,
    pub deadlines: DeadlinePolicy,
    pub track: Track,
    pub now_ms: u64,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("track", &self.track)
            .field("entries", &self.fold.len())
            .finish_non_exhaustive()
    }
}

impl Session {
    pub fn open(
        data_dir: &DataDir,
        dev_roles: Option<&Path>,
        common: &Common,
    ) -> Result<Session, CliError> {
        let post = Post::open(data_dir)?;
        let roles = match roles_path(data_dir, dev_roles) {
            Some(path) => DevRoles::load(&path).map_err(|e| CliError::DataDir(e.to_string()))?,
            None => DevRoles::default(),
        };
        let store = post.ledger.store();
        let directory =
            PostDirectory::for_ledger(&post.ledger, &roles, &post.config.network.cooperate)?;
        let fold = load_fold(store)?;
        let authority = post
            .ledger
            .with_trust(|t| t.policy().clone())
            .unwrap_or_default();
        let mut session = Session {
            post,
            fold,
            directory,
            authority,
            deadlines: DeadlinePolicy::default(),
            track: Track::Actual,
            now_ms: clock::now_ms(),
        };
        if let Some(drill) = &common.drill {
            let views = session.views();
            let id = ids::resolve(drill, views.drills.iter().map(|d| d.id), ("drill", "演练"))?;
            if views.drill(&id).is_none() {
                return Err(CliError::Invalid(format!(
                    "本节点台账中没有演练 {} / drill {} is not in this post's ledger",
                    id.short(),
                    id.short()
                )));
            }
            session.track = Track::Drill(id);
        }
        Ok(session)
    }

    pub fn ctx(&self) -> FoldContext<'_> {
        FoldContext {
            directory: &self.directory,
            authority: &self.authority,
            deadlines: &self.deadlines,
            now_ms: self.now_ms,
        }
    }

    /// The views of this session's track.
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

    /// This post as the directory sees it (its latest profile).
    pub fn me(&self) -> Result<PostInfo, CliError> {
        let node = self.post.ledger.node_id();
        self.directory.latest_of(&node).ok_or_else(|| {
            CliError::DataDir(
                "this post is not a known post: uncertified (install its certificate with \
                 `liandong cert install`) or without a profile entry \
                 / 本节点未获认证或缺少岗位信息条目"
                    .into(),
            )
        })
    }

    pub fn my_region(&self) -> RegionCode {
        self.post.config.post.region.clone()
    }

    /// Checks `body` against the fold as if written now, then writes it.
    /// An applied conflict (a higher post overriding) is written with a
    /// notice on stderr.
    pub fn write(&self, scope: RegionCode, body: Body) -> Result<SignedEntry, CliError> {
        self.write_as(scope, self.status(), body)
    }

    /// [`Session::write`] with an explicit status (a drill's start record is
    /// an Exercise entry written outside any drill).
    pub fn write_as(
        &self,
        scope: RegionCode,
        status: Status,
        body: Body,
    ) -> Result<SignedEntry, CliError> {
        if let Track::Drill(id) = self.track
            && let Some(drill) = self.views().drill(&id).cloned()
            && drill.ended.is_some()
            && !matches!(body, Body::DrillEnd(_))
        {
            return Err(CliError::Invalid(format!(
                "演练“{}”已结束 / the drill {} has ended",
                drill.name, drill.name
            )));
        }
        let after = self
            .fold
            .max_hlc()
            .map_or(Hlc::ZERO, |h| Hlc::from_u64(h.as_u64().saturating_add(1)));
        let candidate = Item {
            id: Item::CANDIDATE_ID,
            author: self.post.ledger.node_id(),
            hlc: Hlc::at_wall(self.now_ms).max(after),
            scope: scope.clone(),
            status,
            body: body.clone(),
        };
        let (_, outcome) = self.fold.outcome(&self.ctx(), self.track, &candidate);
        match outcome {
            Outcome::Applied | Outcome::NotInTrack => {}
            Outcome::Excluded(reason) => {
                return Err(CliError::Invalid(format!("{} / {}", reason.zh, reason.en)));
            }
            Outcome::Conflict(c) if !c.applied => {
                return Err(CliError::Invalid(format!("{} / {}", c.zh, c.en)));
            }
            Outcome::Conflict(c) => eprintln!("注意 / note: {} / {}", c.zh, c.en),
        }
        Ok(self.post.ledger.author(scope, status, body)?)
    }
}

fn roles_path(data_dir: &DataDir, given: Option<&Path>) -> Option<PathBuf> {
    match given {
        Some(p) => Some(p.to_path_buf()),
        None => {
            let default = data_dir.root().join(DEFAULT_DEV_ROLES);
            default.exists().then_some(default)
        }
    }
}
