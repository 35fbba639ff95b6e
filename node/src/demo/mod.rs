//! `liandong demo`: a certified multi-level network on loopback playing a
//! flood at 西戈壁村 — 首报, a warning, the county's Ⅳ and the
//! prefecture's Ⅲ, resources across counties, tasks, a partition that cuts
//! the villages off while they keep reporting, a bundle carried across the
//! cut, the heal, final reports and the after-action review.

mod bodies;
pub mod cast;
mod converge;
mod scenario;
mod script;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use liandong_protocol::SignedEntry;
use liandong_protocol::domain::fold::Review;
use serde::Serialize;

pub use converge::PostDigest;

use crate::app::{self, ConsoleOptions};
use crate::node::{NodeHandle, NodeOptions};

#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Pause between steps, so a person can follow along.
    pub step_delay: Duration,
    /// More villages under 西戈壁镇.
    pub extra_villages: usize,
    /// Serve a console on every post (on a free localhost port).
    pub consoles: bool,
    /// Longest wait for any one condition.
    pub deadline: Duration,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            step_delay: Duration::from_millis(300),
            extra_villages: 0,
            consoles: true,
            deadline: Duration::from_secs(120),
        }
    }
}

/// What the demo reports at the end (and writes with `--json`).
#[derive(Debug, Clone, Serialize)]
pub struct DemoSummary {
    pub nodes: usize,
    /// Entries in the whole network (the national post holds them all).
    pub entries: u64,
    /// True only when every post holds exactly the entries of its interest
    /// that exist anywhere (its digests equal the national post's).
    pub converged: bool,
    /// From the heal of the partition to convergence.
    pub convergence_ms: u64,
    /// From the village's 首报 to the county holding it.
    pub first_report_to_county_ms: u64,
    pub digests: Vec<PostDigest>,
    pub review: Option<Review>,
    pub steps: Vec<Step>,
    pub problems: Vec<String>,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub name: String,
    pub ms: u64,
}

/// The running demo network.
#[derive(Debug)]
pub struct DemoNet {
    pub members: Vec<cast::Member>,
    pub nodes: HashMap<String, NodeHandle>,
    deadline: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Setup(#[from] cast::SetupError),
    #[error("starting {post}: {message}")]
    Start { post: String, message: String },
    #[error("{0}")]
    Step(String),
}

impl DemoNet {
    pub fn node(&self, key: &str) -> Result<&NodeHandle, DemoError> {
        self.nodes
            .get(key)
            .ok_or_else(|| DemoError::Step(format!("no post {key}")))
    }

    /// The members with their running nodes, in cast order.
    pub fn posts(&self) -> impl Iterator<Item = (&cast::Member, &NodeHandle)> {
        self.members
            .iter()
            .filter_map(|m| self.nodes.get(&m.key).map(|n| (m, n)))
    }

    /// Waits until `key` holds `entry`; returns how long it took.
    pub async fn until_held(&self, key: &str, entry: &SignedEntry) -> Result<Duration, DemoError> {
        let node = self.node(key)?;
        let id = entry.id();
        let start = Instant::now();
        let end = start + self.deadline;
        loop {
            let held = node
                .ledger()
                .read(move |l| l.store().contains(&id).unwrap_or(false))
                .await
                .unwrap_or(false);
            if held {
                return Ok(start.elapsed());
            }
            if Instant::now() >= end {
                return Err(DemoError::Step(format!(
                    "{key} never received entry {}",
                    id.short()
                )));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn shutdown(self) {
        for node in self.nodes.values() {
            node.shutdown().await;
        }
    }
}

/// Builds the network under `root` and starts every post.
pub async fn start(
    root: &Path,
    opts: &DemoOptions,
    progress: &mut impl FnMut(&str),
) -> Result<DemoNet, DemoError> {
    let members = cast::cast(opts.extra_villages);
    progress(&format!(
        "创建 {} 个岗位节点、创世文件与证书 / creating {} posts, the genesis and certificates",
        members.len(),
        members.len()
    ));
    let root_dir = root.to_path_buf();
    let cast_for_build = members.clone();
    let built = tokio::task::spawn_blocking(move || cast::build(&root_dir, &cast_for_build))
        .await
        .map_err(|e| DemoError::Step(e.to_string()))??;
    let mut nodes = HashMap::new();
    for (m, dir) in &built {
        let mut o = NodeOptions::new(dir.clone());
        o.listen = vec![
            "/ip4/127.0.0.1/tcp/0"
                .parse()
                .map_err(|e| DemoError::Step(format!("{e}")))?,
        ];
        o.mdns = Some(false);
        o.heartbeat = Duration::from_millis(200);
        o.sync_interval = Duration::from_secs(10);
        let console = opts
            .consoles
            .then(|| ConsoleOptions::on(std::net::SocketAddr::from(([127, 0, 0, 1], 0))));
        let node = app::start(o, console).await.map_err(|e| DemoError::Start {
            post: m.name.clone(),
            message: e.to_string(),
        })?;
        nodes.insert(m.key.clone(), node);
    }
    let net = DemoNet {
        members,
        nodes,
        deadline: opts.deadline,
    };
    progress("连接各级节点 / connecting the posts");
    for (a, b) in cast::links(&net.members) {
        script::connect(&net, &a, &b).await?;
    }
    Ok(net)
}

/// Plays the flood on a started network.
pub async fn play(
    net: &DemoNet,
    opts: &DemoOptions,
    progress: &mut impl FnMut(&str),
) -> Result<DemoSummary, DemoError> {
    let started = Instant::now();
    let mut summary = DemoSummary {
        nodes: net.nodes.len(),
        entries: 0,
        converged: false,
        convergence_ms: 0,
        first_report_to_county_ms: 0,
        digests: Vec::new(),
        review: None,
        steps: Vec::new(),
        problems: Vec::new(),
        seconds: 0.0,
    };
    scenario::run(net, opts, &mut summary, progress).await?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}
