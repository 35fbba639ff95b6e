//! The floor `bench net` measures Liandong's gossip against: plain libp2p
//! gossipsub between the same number of posts, on the same topology, with
//! the same gossipsub settings, the same entries and the same publishing
//! schedule, in the same process and run.
//!
//! Each baseline post does on every message what the issue that asked for
//! it names as the unavoidable work of a hop: validate the entry
//! (`liandong_protocol::validate`: decode, checks, `verify_strict`) and
//! one sled insert, then let gossipsub forward it. The publisher signs,
//! inserts and flushes (as a post's `author` makes its own entry durable)
//! before it publishes, and latency runs from before that, as it does for
//! the real posts. Everything Liandong adds on top — trust admission, index
//! rows, the ledger thread, push, console events — is the difference the
//! ratio shows.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use liandong_protocol::{
    Body, Draft, EntryId, HlcClock, Keypair, Limits, NetworkId, Note, RegionCode, SignedEntry,
    Status, ValidationContext, validate,
};
use libp2p::gossipsub::{self, IdentTopic, MessageAcceptance, MessageAuthenticity};
use libp2p::swarm::SwarmEvent;
use libp2p::{Multiaddr, Swarm, SwarmBuilder, noise, tcp, yamux};
use rand::rngs::StdRng;
use tokio::sync::{mpsc, oneshot};

use super::{Arrivals, BenchOptions, Delivery, fail, measure_delivery, wait};
use crate::clock;
use crate::net::behaviour::gossipsub_config;

const TOPIC: &str = "/liandong/bench-baseline";

enum Command {
    Dial(Multiaddr),
    MeshPeers(oneshot::Sender<usize>),
    Publish {
        text: String,
        reply: oneshot::Sender<Result<EntryId, String>>,
    },
    Stop,
}

struct BaselinePost {
    commands: mpsc::Sender<Command>,
    addr: Multiaddr,
    task: tokio::task::JoinHandle<()>,
}

/// Delivery of plain gossipsub over `links`.
pub async fn run(
    nodes: usize,
    links: &[(usize, usize)],
    opts: &BenchOptions,
    root: &Path,
    heartbeat: Duration,
    rng: &mut StdRng,
) -> Result<Delivery, String> {
    let arrivals: Arrivals = Arc::new(Mutex::new(HashMap::new()));
    let mut posts = Vec::with_capacity(nodes);
    for i in 0..nodes {
        let dir = root.join(format!("baseline-{i:03}"));
        posts.push(start_post(i, &dir, heartbeat, Arc::clone(&arrivals)).await?);
    }
    for &(i, j) in links {
        send(&posts[i], Command::Dial(posts[j].addr.clone())).await?;
    }
    wait(opts.deadline, "baseline gossip meshes", || async {
        for p in &posts {
            let (tx, rx) = oneshot::channel();
            if send(p, Command::MeshPeers(tx)).await.is_err() || rx.await.unwrap_or(0) == 0 {
                return false;
            }
        }
        true
    })
    .await?;
    let result = measure_delivery(nodes, opts, rng, &arrivals, |author, k| {
        let post = &posts[author];
        async move {
            let (reply, rx) = oneshot::channel();
            send(
                post,
                Command::Publish {
                    text: format!("live {k}"),
                    reply,
                },
            )
            .await?;
            rx.await.map_err(|_| "baseline post stopped".to_string())?
        }
    })
    .await;
    for p in &posts {
        let _ = p.commands.send(Command::Stop).await;
    }
    for p in posts {
        let _ = p.task.await;
    }
    result
}

async fn send(post: &BaselinePost, cmd: Command) -> Result<(), String> {
    post.commands
        .send(cmd)
        .await
        .map_err(|_| "baseline post stopped".to_string())
}

/// What one baseline post owns: its swarm, its entry chain and its store.
struct Post {
    swarm: Swarm<gossipsub::Behaviour>,
    keypair: Keypair,
    clock: HlcClock,
    seq: u64,
    prev: Option<EntryId>,
    entries: sled::Tree,
    limits: Limits,
    arrivals: Arrivals,
}

async fn start_post(
    i: usize,
    dir: &Path,
    heartbeat: Duration,
    arrivals: Arrivals,
) -> Result<BaselinePost, String> {
    let behaviour = gossipsub::Behaviour::new(
        MessageAuthenticity::Anonymous,
        gossipsub_config(heartbeat).map_err(fail)?,
    )
    .map_err(fail)?;
    let mut swarm = SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )
        .map_err(fail)?
        .with_behaviour(|_| behaviour)
        .map_err(fail)?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(120)))
        .build();
    swarm
        .behaviour_mut()
        .subscribe(&IdentTopic::new(TOPIC))
        .map_err(fail)?;
    swarm
        .listen_on("/ip4/127.0.0.1/tcp/0".parse().map_err(fail)?)
        .map_err(fail)?;
    let addr = loop {
        if let SwarmEvent::NewListenAddr { address, .. } = swarm.select_next_some().await {
            break address;
        }
    };
    // Small caches, as the real bench posts have (`init_post`).
    let db = sled::Config::new()
        .path(dir)
        .cache_capacity(4 << 20)
        .open()
        .map_err(fail)?;
    let mut secret = [0u8; 32];
    secret[..8].copy_from_slice(&(i as u64 + 1).to_be_bytes());
    let post = Post {
        swarm,
        keypair: Keypair::from_secret(secret),
        clock: HlcClock::new(60_000),
        seq: 0,
        prev: None,
        entries: db.open_tree("entries").map_err(fail)?,
        limits: Limits::default(),
        arrivals,
    };
    let (commands, rx) = mpsc::channel(64);
    let task = tokio::spawn(post.run(rx));
    Ok(BaselinePost {
        commands,
        addr,
        task,
    })
}

fn network() -> NetworkId {
    NetworkId::from_name(super::NETWORK)
}

impl Post {
    async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        loop {
            tokio::select! {
                cmd = commands.recv() => match cmd {
                    Some(Command::Dial(addr)) => {
                        if let Err(e) = self.swarm.dial(addr) {
                            tracing::warn!(error = %e, "baseline dial failed");
                        }
                    }
                    Some(Command::MeshPeers(reply)) => {
                        let _ = reply.send(self.swarm.behaviour().all_mesh_peers().count());
                    }
                    Some(Command::Publish { text, reply }) => {
                        let _ = reply.send(self.publish(text));
                    }
                    Some(Command::Stop) | None => return,
                },
                event = self.swarm.select_next_some() => {
                    if let SwarmEvent::Behaviour(gossipsub::Event::Message {
                        propagation_source,
                        message_id,
                        message,
                    }) = event
                    {
                        let verdict = self.receive(&message.data);
                        let _ = self.swarm.behaviour_mut().report_message_validation_result(
                            &message_id,
                            &propagation_source,
                            verdict,
                        );
                    }
                }
            }
        }
    }

    /// A hop's work: validate, insert, and let gossipsub forward.
    fn receive(&mut self, data: &[u8]) -> MessageAcceptance {
        let ctx = ValidationContext {
            now_ms: clock::now_ms(),
            network: network(),
            limits: &self.limits,
        };
        let Ok(entry) = validate(data, &ctx) else {
            return MessageAcceptance::Reject;
        };
        if let Err(e) = self.entries.insert(entry.id().as_bytes(), data) {
            tracing::warn!(error = %e, "baseline insert failed");
            return MessageAcceptance::Ignore;
        }
        let at = Instant::now();
        self.arrivals
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(entry.id())
            .or_default()
            .push(at);
        MessageAcceptance::Accept
    }

    /// Signs, stores durably and publishes one note.
    fn publish(&mut self, text: String) -> Result<EntryId, String> {
        let region: RegionCode = super::REGION.parse().map_err(fail)?;
        let draft = Draft {
            network: network(),
            seq: self.seq + 1,
            prev: self.prev,
            hlc: self.clock.tick(clock::now_ms()),
            scope: region,
            status: Status::Test,
            body: Body::Note(Note { text }),
            operator: None,
        };
        let entry = SignedEntry::sign(&self.keypair, draft).map_err(fail)?;
        // As `Ledger::author` does: check our own output like anyone else's.
        let ctx = ValidationContext {
            now_ms: clock::now_ms(),
            network: network(),
            limits: &self.limits,
        };
        validate(entry.wire(), &ctx).map_err(fail)?;
        self.entries
            .insert(entry.id().as_bytes(), entry.wire())
            .map_err(fail)?;
        self.entries.flush().map_err(fail)?;
        self.seq = entry.seq();
        self.prev = Some(entry.id());
        self.swarm
            .behaviour_mut()
            .publish(IdentTopic::new(TOPIC), entry.wire().to_vec())
            .map_err(fail)?;
        Ok(entry.id())
    }
}
