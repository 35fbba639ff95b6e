//! One post of the nemesis world: started in this process (`Node::spawn`)
//! or as a real `liandong run` process, and driven the same way.
//!
//! A real process can be killed with SIGKILL at any instant and can run
//! with a skewed clock (`clock::SKEW_ENV`); a post in this process stops
//! cleanly instead of being killed, and keeps the process's clock.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use liandong_protocol::{Body, EntryId, Note, RegionCode, Selector, Status};
use libp2p::{Multiaddr, PeerId};

use crate::datadir::DataDir;
use crate::node::{Node, NodeHandle, NodeOptions};
use crate::service::status::BannedBy;

/// How long a starting post may take to answer.
const START_DEADLINE: Duration = Duration::from_secs(60);

/// How a post runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    InProcess,
    /// Real processes of this binary.
    Processes,
}

/// How every post of a world is started.
#[derive(Debug, Clone)]
pub struct Launch {
    pub mode: Mode,
    /// The `liandong` binary, for [`Mode::Processes`].
    pub binary: Option<PathBuf>,
    pub sync_interval: Duration,
}

#[derive(Debug)]
enum Runner {
    Stopped,
    InProcess(NodeHandle),
    Process { child: Child, console: SocketAddr },
}

#[derive(Debug)]
pub struct Post {
    pub name: String,
    pub region: RegionCode,
    pub dir: DataDir,
    pub peer_id: PeerId,
    /// Where the post listens (fixed across restarts: its wires point here).
    pub listen: SocketAddr,
    /// Whom it dials: its parent and neighbours, through their wires.
    pub dials: Vec<Multiaddr>,
    /// Clock skew for its next start, in ms (processes only).
    pub skew_ms: i64,
    launch: Launch,
    runner: Runner,
}

impl Post {
    pub fn new(
        name: &str,
        region: RegionCode,
        dir: DataDir,
        peer_id: PeerId,
        listen: SocketAddr,
        launch: Launch,
    ) -> Post {
        Post {
            name: name.to_string(),
            region,
            dir,
            peer_id,
            listen,
            dials: Vec::new(),
            skew_ms: 0,
            launch,
            runner: Runner::Stopped,
        }
    }

    pub fn is_running(&self) -> bool {
        !matches!(self.runner, Runner::Stopped)
    }

    pub fn listen_addr(&self) -> Multiaddr {
        format!("/ip4/127.0.0.1/tcp/{}", self.listen.port())
            .parse()
            .unwrap_or_else(|_| Multiaddr::empty())
    }

    pub async fn start(&mut self) -> Result<(), String> {
        if self.is_running() {
            return Ok(());
        }
        self.runner = match self.launch.mode {
            Mode::InProcess => {
                let mut o = NodeOptions::new(self.dir.clone());
                o.listen = vec![self.listen_addr()];
                o.peers = self.dials.clone();
                o.mdns = Some(false);
                o.sync_interval = self.launch.sync_interval;
                // A restart may find the port or the store still held a
                // moment by the stopped node's last tasks: retry briefly.
                let end = Instant::now() + START_DEADLINE;
                loop {
                    match Node::spawn(o.clone()).await {
                        Ok(node) => break Runner::InProcess(node),
                        Err(e) if Instant::now() < end => {
                            tracing::debug!(post = %self.name, error = %e, "start retried");
                            tokio::time::sleep(Duration::from_millis(200)).await;
                        }
                        Err(e) => return Err(format!("{}: {e}", self.name)),
                    }
                }
            }
            Mode::Processes => self.spawn_process().await?,
        };
        Ok(())
    }

    async fn spawn_process(&self) -> Result<Runner, String> {
        let binary = self.launch.binary.clone().ok_or("no binary")?;
        let console = free_port()?;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.root().with_extension("log"))
            .map_err(|e| e.to_string())?;
        let mut cmd = Command::new(binary);
        cmd.arg("--data-dir")
            .arg(self.dir.root())
            .args(["run", "--no-mdns", "--listen"])
            .arg(self.listen_addr().to_string())
            .arg("--console")
            .arg(console.to_string())
            .arg("--sync-interval")
            .arg(self.launch.sync_interval.as_secs().max(1).to_string())
            .env(crate::clock::SKEW_ENV, self.skew_ms.to_string())
            .env_remove("LIANDONG_DATA_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        for d in &self.dials {
            cmd.arg("--peer").arg(d.to_string());
        }
        let child = cmd.spawn().map_err(|e| format!("{}: {e}", self.name))?;
        let runner = Runner::Process { child, console };
        let end = Instant::now() + START_DEADLINE;
        while Instant::now() < end {
            if http_get(console, "/api/status").await.is_ok() {
                return Ok(runner);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("{} did not start", self.name))
    }

    /// Stops the post cleanly (SIGTERM for a process).
    pub async fn stop(&mut self) {
        match std::mem::replace(&mut self.runner, Runner::Stopped) {
            Runner::Stopped => {}
            Runner::InProcess(node) => node.shutdown().await,
            Runner::Process { mut child, .. } => {
                let _ = Command::new("kill")
                    .args(["-TERM", &child.id().to_string()])
                    .status();
                wait_exit(&mut child).await;
            }
        }
    }

    /// SIGKILL at this instant (a process); a post in this process stops
    /// cleanly instead.
    pub async fn kill(&mut self) {
        match std::mem::replace(&mut self.runner, Runner::Stopped) {
            Runner::Process { mut child, .. } => {
                let _ = child.kill();
                wait_exit(&mut child).await;
            }
            other => {
                self.runner = other;
                self.stop().await;
            }
        }
    }

    /// Writes a note at this post's region; its id once durable.
    pub async fn write(&self, text: &str) -> Option<EntryId> {
        match &self.runner {
            Runner::Stopped => None,
            Runner::InProcess(node) => node
                .author(
                    self.region.clone(),
                    Status::Actual,
                    Body::Note(Note {
                        text: text.to_string(),
                    }),
                )
                .await
                .ok()
                .map(|e| e.id()),
            Runner::Process { console, .. } => {
                let body = serde_json::json!({ "text": text });
                let v = http_post(*console, "/api/notes", body).await.ok()?;
                v["id"].as_str()?.parse().ok()
            }
        }
    }

    /// The digest of what this post holds under `selector`.
    pub async fn digest(&self, selector: &Selector) -> Option<String> {
        match &self.runner {
            Runner::Stopped => None,
            Runner::InProcess(node) => node
                .selector_digest(selector.clone())
                .await
                .ok()
                .map(|d| d.to_string()),
            Runner::Process { console, .. } => {
                let (scope, exact) = match selector {
                    Selector::Subtree(r) => (r, false),
                    Selector::Exact(r) => (r, true),
                };
                let path = format!("/api/digest?scope={scope}&exact={exact}");
                let v = http_get(*console, &path).await.ok()?;
                v["digest"].as_str().map(str::to_string)
            }
        }
    }

    /// The bans this post holds, and those it was told of.
    pub async fn bans(&self) -> (Vec<crate::net::BanInfo>, Vec<BannedBy>) {
        let status = match &self.runner {
            Runner::Stopped => return Default::default(),
            Runner::InProcess(node) => Some(node.status().await),
            Runner::Process { console, .. } => http_get(*console, "/api/status")
                .await
                .ok()
                .and_then(|v| serde_json::from_value::<crate::service::status::NodeStatus>(v).ok()),
        };
        status.map(|s| (s.bans, s.banned_by)).unwrap_or_default()
    }
}

async fn wait_exit(child: &mut Child) {
    let end = Instant::now() + Duration::from_secs(30);
    while Instant::now() < end {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A loopback port free right now.
pub fn free_port() -> Result<SocketAddr, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())
}

async fn http_get(console: SocketAddr, path: &str) -> Result<serde_json::Value, String> {
    let url = format!("http://{console}{path}");
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        agent
            .get(&url)
            .call()
            .map_err(|e| e.to_string())?
            .body_mut()
            .read_json::<serde_json::Value>()
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

async fn http_post(
    console: SocketAddr,
    path: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, String> {
    let url = format!("http://{console}{path}");
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        agent
            .post(&url)
            .header(crate::service::http::CSRF_HEADER, "1")
            .send_json(&body)
            .map_err(|e| e.to_string())?
            .body_mut()
            .read_json::<serde_json::Value>()
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}
