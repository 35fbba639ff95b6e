//! How a domain command runs: with the store when it is free, through the
//! running node's API when `liandong run` holds it. Either way the action
//! is planned and checked by the same code (`crate::domain`): locally here,
//! remotely by the node, which also gossips what it writes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ledger::Entering;
pub use crate::service::written::{Notice, Written};
use liandong_protocol::domain::fold::{Track, Views};

use super::Common;
use crate::cli::CliError;
use crate::cli::access::{self, Access};
use crate::cli::who::Who;
use crate::clock;
use crate::datadir::DataDir;
use crate::domain::error::field_lines;
use crate::domain::incident_search::{FoundIncidents, IncidentQuery};
use crate::domain::sections::{Area, ReadSection};
use crate::domain::{Action, ActionError, ActionErrorKind, Desk, DeskSetup, DevRoles};
use crate::post::Post;
use crate::service::rows::EntryRow;

/// A post opened with its desk, for commands that read the views.
pub struct Session {
    pub post: Post,
    pub desk: Desk,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("desk", &self.desk)
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
        Self::with_post(post, data_dir, dev_roles, common)
    }

    pub fn with_post(
        post: Post,
        data_dir: &DataDir,
        dev_roles: Option<&Path>,
        common: &Common,
    ) -> Result<Session, CliError> {
        let setup = setup(&post, data_dir, dev_roles)?;
        let desk = Desk::open(
            &post.ledger,
            &setup,
            common.drill.as_deref(),
            clock::now_ms(),
        )
        .map_err(action_error)?;
        Ok(Session { post, desk })
    }

    pub fn views(&self) -> Arc<Views> {
        self.desk.views()
    }

    /// The views, owned (the session is done with).
    pub fn into_views(self) -> Views {
        self.desk.into_views()
    }

    /// Checks the action against the fold, then writes it, entered by
    /// `operator`.
    pub fn write(&self, action: Action, entering: Entering) -> Result<Written, CliError> {
        let (planned, notice) = action.prepare(&self.desk).map_err(action_error)?;
        let entry = self.post.ledger.author_to(
            planned.scope,
            planned.status,
            planned.body,
            entering.operator,
            entering.restrict.as_ref(),
        )?;
        Ok(Written {
            entry: EntryRow::new(&entry, &Default::default(), self.post.ledger.keyring()),
            label_zh: planned.label_zh,
            label_en: planned.label_en,
            notice: notice.map(|c| Notice { zh: c.zh, en: c.en }),
        })
    }
}

/// What a desk needs from the post's config and data directory.
pub fn setup(
    post: &Post,
    data_dir: &DataDir,
    dev_roles: Option<&Path>,
) -> Result<DeskSetup, CliError> {
    let roles = match roles_path(data_dir, dev_roles) {
        Some(path) => DevRoles::load(&path).map_err(|e| CliError::DataDir(e.to_string()))?,
        None => DevRoles::default(),
    };
    Ok(DeskSetup {
        roles,
        cooperate: post.config.network.cooperate.clone(),
        name: post.config.post.name.clone(),
        region: post.config.post.region.clone(),
    })
}

/// Runs one domain action, locally or through the running node, and tells
/// the operator what was written.
pub fn execute(
    data_dir: &DataDir,
    dev_roles: Option<&Path>,
    who: &Who,
    common: &Common,
    action: Action,
) -> Result<Written, CliError> {
    let written = match access::open_as(data_dir, who)? {
        Access::Local(post) => {
            let route = format!("/api/{}", action.to_request().0);
            let entering = Entering {
                operator: who.offline(data_dir, &route)?,
                restrict: common.restrict_to.clone(),
            };
            Session::with_post(*post, data_dir, dev_roles, common)?.write(action, entering)?
        }
        Access::Running(client) => {
            let (path, body) = action.to_request();
            let params: Vec<String> = [
                common
                    .drill
                    .as_deref()
                    .map(|d| format!("drill={}", urlencode(d))),
                common
                    .restrict_to
                    .as_ref()
                    .map(|a| format!("restrict_to={}", urlencode(&a.to_text()))),
            ]
            .into_iter()
            .flatten()
            .collect();
            let query = if params.is_empty() {
                String::new()
            } else {
                format!("?{}", params.join("&"))
            };
            client
                .post::<_, Written>(&format!("/api/{path}{query}"), &body)
                .map_err(access::remote)?
        }
    };
    if let Some(n) = &written.notice {
        eprintln!("注意 / note: {} / {}", n.zh, n.en);
    }
    super::print_written(&written, common.json);
    Ok(written)
}

/// The views of the track `common` names: folded here when the store is
/// free, asked of the running node when it holds the store.
pub fn load_views(
    data_dir: &DataDir,
    dev_roles: Option<&Path>,
    common: &Common,
) -> Result<Views, CliError> {
    match access::open(data_dir)? {
        Access::Local(post) => {
            Ok(Session::with_post(*post, data_dir, dev_roles, common)?.into_views())
        }
        Access::Running(client) => client
            .get_large::<Views>("/api/views", &[("drill", common.drill.clone())])
            .map_err(access::remote),
    }
}

/// The views one board shows: all of them when folded here; from a
/// running node, only `area`'s section (a national post's whole views
/// are hundreds of megabytes), and the drills when the board is a drill's
/// (its name heads the board).
pub fn load_area(
    data_dir: &DataDir,
    dev_roles: Option<&Path>,
    common: &Common,
    area: Area,
) -> Result<Views, CliError> {
    let client = match access::open(data_dir)? {
        Access::Local(post) => {
            return Ok(Session::with_post(*post, data_dir, dev_roles, common)?.into_views());
        }
        Access::Running(client) => client,
    };
    let drill = [("drill", common.drill.clone())];
    let read = |area: Area| {
        client
            .get_large::<ReadSection>(&format!("/api/{}", area.route()), &drill)
            .map(ReadSection::into_views)
            .map_err(access::remote)
    };
    let mut views = read(area)?;
    if matches!(views.track, Track::Drill(_)) && area != Area::Drills {
        views.drills = read(Area::Drills)?.drills;
    }
    Ok(views)
}

/// The incidents a query found (`board incidents --latest/--search`):
/// views holding only those incidents, and the incidents area's conflicts
/// and excluded entries (all of them, as the node sends them), with the
/// counts the query gives.
#[derive(Debug)]
pub struct Found {
    pub views: Views,
    /// Open and closed incidents that match, shown or not.
    pub open: usize,
    pub closed: usize,
    /// Every incident of the views.
    pub all: usize,
}

/// What the node answers to `/api/incidents?latest=…&q=…`.
#[derive(Debug, serde::Deserialize)]
struct ReadFound {
    #[serde(flatten)]
    section: ReadSection,
    open: usize,
    closed: usize,
    all: usize,
}

/// Finds incidents with the same search as the console: in the store when
/// it is free, else asked of the running node, which sends only what it
/// found.
pub fn find_incidents(
    data_dir: &DataDir,
    dev_roles: Option<&Path>,
    common: &Common,
    query: &IncidentQuery,
) -> Result<Found, CliError> {
    let client = match access::open(data_dir)? {
        Access::Local(post) => {
            let mut views = Session::with_post(*post, data_dir, dev_roles, common)?.into_views();
            let found = FoundIncidents::of(&views, query);
            let (open, closed, all) = (found.open, found.closed, found.all);
            let incidents = found.incidents.into_iter().cloned().collect();
            let conflicts = found.conflicts.into_iter().cloned().collect();
            let invalid = found.invalid.into_iter().cloned().collect();
            views.incidents = incidents;
            views.conflicts = conflicts;
            views.invalid = invalid;
            return Ok(Found {
                views,
                open,
                closed,
                all,
            });
        }
        Access::Running(client) => client,
    };
    let params = [
        ("drill", common.drill.clone()),
        ("latest", query.latest.map(|n| n.to_string())),
        ("q", query.search.clone()),
    ];
    let read: ReadFound = client
        .get_large(&format!("/api/{}", Area::Incidents.route()), &params)
        .map_err(access::remote)?;
    let mut views = read.section.into_views();
    if matches!(views.track, Track::Drill(_)) {
        views.drills = load_area(data_dir, dev_roles, common, Area::Drills)?.drills;
    }
    Ok(Found {
        views,
        open: read.open,
        closed: read.closed,
        all: read.all,
    })
}

/// A refused action as the CLI reports it: input problems are usage
/// errors (exit 2), refusals are invalid (exit 6).
/// A refusal naming several fields prints each on its own line beside
/// its flag.
pub fn action_error(e: ActionError) -> CliError {
    let text = if e.fields.is_empty() {
        let flag = e
            .field
            .as_deref()
            .map(|f| format!(" (--{})", f.replace('_', "-")))
            .unwrap_or_default();
        format!("{e}{flag}")
    } else {
        format!(
            "有 {n} 项需补正 / {n} fields to fix:\n{}",
            field_lines(&e.fields),
            n = e.fields.len()
        )
    };
    match e.kind {
        ActionErrorKind::Input => CliError::Usage(text),
        ActionErrorKind::NotAPost => CliError::DataDir(text),
        ActionErrorKind::Store => CliError::Storage(text),
        ActionErrorKind::NotFound
        | ActionErrorKind::InvalidBody
        | ActionErrorKind::Forbidden
        | ActionErrorKind::Refused
        | ActionErrorKind::Conflict => CliError::Invalid(text),
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn roles_path(data_dir: &DataDir, given: Option<&Path>) -> Option<PathBuf> {
    match given {
        Some(p) => Some(p.to_path_buf()),
        None => {
            let default = data_dir.dev_roles_path();
            default.exists().then_some(default)
        }
    }
}
