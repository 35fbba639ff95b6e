//! The nemesis world: a small command hierarchy of posts, each dialling its
//! parent (and a neighbour or two) through a [`Wire`] the harness controls.

use std::path::Path;
use std::sync::Arc;

use liandong_protocol::{RegionCode, Selector, UnitType};
use tokio::sync::Mutex;

use super::post::{Launch, Post, free_port};
use super::wire::{LinkState, Wire};
use crate::config::{Config, PostConfig};
use crate::datadir::DataDir;

/// A post of the world: its name, region and whom it dials (by index).
struct Plan {
    name: &'static str,
    region: &'static str,
    dials: &'static [usize],
}

/// A prefecture, two counties that also talk to each other, a township
/// under each, and two villages.
const FULL: &[Plan] = &[
    Plan {
        name: "塔城地区",
        region: "6542",
        dials: &[],
    },
    Plan {
        name: "沙湾市",
        region: "654203",
        dials: &[0],
    },
    Plan {
        name: "塔城市",
        region: "654201",
        dials: &[0, 1],
    },
    Plan {
        name: "西戈壁镇",
        region: "654203106",
        dials: &[1],
    },
    Plan {
        name: "西戈壁村",
        region: "654203106201",
        dials: &[3],
    },
    Plan {
        name: "东戈壁村",
        region: "654203106202",
        dials: &[3],
    },
    Plan {
        name: "塔城市某镇",
        region: "654201100",
        dials: &[2],
    },
];

/// The same shape, smaller, for the test suite.
const SMALL: &[Plan] = &[
    Plan {
        name: "塔城地区",
        region: "6542",
        dials: &[],
    },
    Plan {
        name: "沙湾市",
        region: "654203",
        dials: &[0],
    },
    Plan {
        name: "西戈壁镇",
        region: "654203106",
        dials: &[1],
    },
    Plan {
        name: "西戈壁村",
        region: "654203106201",
        dials: &[2],
    },
];

/// One link: `from` dials `to` through `wire`.
#[derive(Debug)]
pub struct Link {
    pub from: usize,
    pub to: usize,
    pub wire: Wire,
}

/// What never changes about a post (read without locking it).
#[derive(Debug, Clone)]
pub struct PostInfo {
    pub name: String,
    pub region: RegionCode,
    pub dir: DataDir,
}

#[derive(Debug)]
pub struct World {
    pub info: Vec<PostInfo>,
    /// Each post behind its own lock: a write to one does not hold up a
    /// fault played on another.
    pub posts: Vec<Arc<Mutex<Post>>>,
    pub links: Vec<Link>,
}

impl World {
    /// Creates the posts' data directories under `root` and their wires.
    pub async fn build(root: &Path, small: bool, launch: &Launch) -> Result<World, String> {
        let plans = if small { SMALL } else { FULL };
        let mut posts = Vec::with_capacity(plans.len());
        for (i, plan) in plans.iter().enumerate() {
            let region: RegionCode = plan.region.parse().map_err(|e| format!("{e}"))?;
            let dir = DataDir::new(root.join(format!("post{i}")));
            let mut config = Config::new(PostConfig {
                name: plan.name.to_string(),
                level: region.level(),
                region: region.clone(),
                unit_type: UnitType::Command,
                contact: String::new(),
                location: None,
            });
            config.network.name = "nemesis".into();
            config.network.mdns = false;
            let post = crate::post::Post::init(&dir, config).map_err(|e| e.to_string())?;
            let peer_id = crate::identity::peer_id(post.ledger.keypair());
            drop(post);
            let listen = free_port()?;
            posts.push(Post::new(
                plan.name,
                region,
                dir,
                peer_id,
                listen,
                launch.clone(),
            ));
        }
        let mut links = Vec::new();
        for (from, plan) in plans.iter().enumerate() {
            for &to in plan.dials {
                let wire = Wire::start(posts[to].listen)
                    .await
                    .map_err(|e| e.to_string())?;
                let addr = format!(
                    "/ip4/127.0.0.1/tcp/{}/p2p/{}",
                    wire.addr.port(),
                    posts[to].peer_id
                )
                .parse()
                .map_err(|e| format!("{e}"))?;
                posts[from].dials.push(addr);
                links.push(Link { from, to, wire });
            }
        }
        let info = posts
            .iter()
            .map(|p| PostInfo {
                name: p.name.clone(),
                region: p.region.clone(),
                dir: p.dir.clone(),
            })
            .collect();
        Ok(World {
            info,
            posts: posts.into_iter().map(|p| Arc::new(Mutex::new(p))).collect(),
            links,
        })
    }

    /// "0: 沙湾市 → 塔城地区", one per link, for reports.
    pub fn link_names(&self) -> Vec<String> {
        self.links
            .iter()
            .enumerate()
            .map(|(i, l)| format!("{i}: {} → {}", self.info[l.from].name, self.info[l.to].name))
            .collect()
    }

    pub fn heal_all(&self) {
        for l in &self.links {
            l.wire.set(LinkState::Open { rate: None });
        }
    }

    /// The pairs of (post, selector, post) that must hold the same entries
    /// once the network has converged: every post's own subtree at each
    /// post above it, and every ancestor's own scope at the ancestor and at
    /// each post below it. (Each post writes at its own region.)
    pub fn agreements(&self) -> Vec<(usize, Selector, usize)> {
        let mut out = Vec::new();
        for (x, px) in self.info.iter().enumerate() {
            for (a, pa) in self.info.iter().enumerate() {
                if a == x || !px.region.is_within(&pa.region) {
                    continue;
                }
                out.push((x, Selector::Subtree(px.region.clone()), a));
                out.push((x, Selector::Exact(pa.region.clone()), a));
            }
        }
        out
    }

    /// Posts that must hold an entry written at `scope`: its author's
    /// region and everything above it, and everything below it (which holds
    /// its ancestors' own scope).
    pub fn holders_of(&self, scope: &RegionCode) -> Vec<usize> {
        self.info
            .iter()
            .enumerate()
            .filter(|(_, p)| scope.is_within(&p.region) || p.region.is_within(scope))
            .map(|(i, _)| i)
            .collect()
    }
}
