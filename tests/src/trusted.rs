//! A certified test network, made with the library (not the CLI): a
//! provincial root with its genesis, certificates down to a county and
//! below, every data directory in a temporary directory.
//!
//! The root never runs: it only signs the genesis and the county's
//! certificate. Every certificate is installed in every honest post's
//! store before it starts, as if it had replicated already, so tests
//! begin from a settled trust state.

use std::path::{Path, PathBuf};

use liandong_node::config::{Config, PostConfig};
use liandong_node::datadir::DataDir;
use liandong_node::ledger::ItemOutcome;
use liandong_node::post::Post;
use liandong_node::store::Durability;
use liandong_protocol::trust::{Genesis, Root};
use liandong_protocol::{
    Body, Certificate, Keypair, Limits, NetworkId, NodeId, RegionCode, SignedEntry, SignedGenesis,
    Status, UnitType,
};

use crate::region;

/// The provincial root: 新疆 (65).
pub const PROVINCE: &str = "65";
/// 沙湾市, certified by the province, may certify below it.
pub const COUNTY: &str = "654203";
/// 西戈壁镇, certified by the county.
pub const TOWNSHIP: &str = "654203106";
/// 西戈壁村 (a village of the township), where the insider attacker sits.
pub const VILLAGE: &str = "654203106201";
/// A sibling village, outside the attacker's area.
pub const SIBLING_VILLAGE: &str = "654203106202";

/// A network: its genesis, the root's data directory and every
/// certificate issued so far (wire bytes, in issue order).
#[derive(Debug)]
pub struct TrustedNet {
    pub genesis: SignedGenesis,
    root: PathBuf,
    base: PathBuf,
    certificates: Vec<Vec<u8>>,
}

fn now_ms() -> u64 {
    liandong_node::clock::now_ms()
}

fn post_config(name: &str, region_code: &str) -> Config {
    let r = region(region_code);
    let mut config = Config::new(PostConfig {
        name: name.to_string(),
        level: r.level(),
        region: r,
        unit_type: UnitType::Command,
        contact: String::new(),
        location: None,
    });
    config.network.mdns = false;
    config
}

impl TrustedNet {
    /// Creates the root post (新疆应急管理厅) under `base` and its genesis.
    pub fn new(base: &Path) -> TrustedNet {
        let root = base.join("root-province");
        let dir = DataDir::new(&root);
        let post = Post::init(&dir, post_config("新疆应急管理厅", PROVINCE))
            .unwrap_or_else(|e| panic!("init root: {e}"));
        let genesis = SignedGenesis::sign(
            Genesis::new(
                "敌对节点测试网",
                now_ms(),
                Root {
                    key: post.ledger.node_id(),
                    name: "新疆应急管理厅".into(),
                    roles: Vec::new(),
                },
                region(PROVINCE),
                Limits::default(),
            ),
            post.ledger.keypair(),
        )
        .unwrap_or_else(|e| panic!("sign genesis: {e}"));
        drop(post);
        Post::join_network(&dir, &genesis).unwrap_or_else(|e| panic!("join network: {e}"));
        TrustedNet {
            genesis,
            root,
            base: base.to_path_buf(),
            certificates: Vec::new(),
        }
    }

    pub fn network(&self) -> NetworkId {
        self.genesis.network_id()
    }

    /// The root's data directory (it signs, it never runs).
    pub fn root_dir(&self) -> DataDir {
        DataDir::new(&self.root)
    }

    /// A new, not yet certified post in this network.
    pub fn join(&self, name: &str, region_code: &str) -> DataDir {
        let dir = DataDir::new(self.base.join(name));
        let config = post_config(name, region_code);
        Post::init_in(&dir, config, Some(&self.genesis))
            .unwrap_or_else(|e| panic!("init {name}: {e}"));
        dir
    }

    /// The key of a post's data directory.
    pub fn node_id(dir: &DataDir) -> NodeId {
        liandong_node::identity::load_key(&dir.key_path())
            .unwrap_or_else(|e| panic!("key of {}: {e}", dir.root().display()))
            .node_id()
    }

    /// `issuer` (a data directory of this network, not running) certifies
    /// `subject` as the command post of `region_code`. The certificate is
    /// written into the issuer's ledger, as `liandong cert issue` does.
    pub fn certify(
        &mut self,
        issuer: &DataDir,
        subject: NodeId,
        name: &str,
        region_code: &str,
        can_certify: bool,
    ) -> SignedEntry {
        let r = region(region_code);
        let post = open(issuer);
        let cert = post
            .ledger
            .author(
                r.clone(),
                Status::Actual,
                Body::Certificate(Certificate {
                    subject,
                    name: name.to_string(),
                    level: r.level(),
                    region: r,
                    unit_type: UnitType::Command,
                    roles: Vec::new(),
                    can_certify,
                    cooperates: Vec::new(),
                    valid_from_ms: 0,
                    valid_until_ms: None,
                }),
            )
            .unwrap_or_else(|e| panic!("certify {name}: {e}"));
        self.certificates.push(cert.wire().to_vec());
        cert
    }

    /// Every certificate issued so far.
    pub fn certificates(&self) -> &[Vec<u8>] {
        &self.certificates
    }

    /// Stores every certificate issued so far in `dir`'s ledger (through
    /// the one ingest path), as if they had replicated.
    pub fn install(&self, dir: &DataDir) {
        let post = open(dir);
        let outcomes = post
            .ledger
            .ingest_each(&self.certificates, Durability::Durable)
            .unwrap_or_else(|e| panic!("install certificates: {e}"));
        for o in &outcomes {
            assert!(
                matches!(o, ItemOutcome::Added(_) | ItemOutcome::Duplicate(_)),
                "certificate not admitted at {}: {o:?}",
                dir.root().display()
            );
        }
    }
}

/// The usual cast of a hostile-peer test: a county and a township that
/// run honestly, and a certified village key held by the attacker.
#[derive(Debug)]
pub struct Cast {
    pub net: TrustedNet,
    pub county: DataDir,
    pub township: DataDir,
    /// The insider's key: a village post certified by the county.
    pub village: Keypair,
    /// The village's certificate chain, root first (what its hello shows).
    pub village_chain: Vec<Vec<u8>>,
    /// More certified village keys held by attackers (villages 203, 204,
    /// …), with their chains.
    pub more_insiders: Vec<(Keypair, Vec<Vec<u8>>)>,
}

impl Cast {
    pub fn new(base: &Path) -> Cast {
        Cast::with_insiders(base, 0)
    }

    /// The cast plus `more` certified village keys for attackers.
    pub fn with_insiders(base: &Path, more: usize) -> Cast {
        let mut net = TrustedNet::new(base);
        let county = net.join("county-shawan", COUNTY);
        let township = net.join("township-xigebi", TOWNSHIP);
        let root = net.root_dir();
        let county_cert = net.certify(
            &root,
            TrustedNet::node_id(&county),
            "沙湾市应急管理局",
            COUNTY,
            true,
        );
        net.certify(
            &county,
            TrustedNet::node_id(&township),
            "西戈壁镇应急办",
            TOWNSHIP,
            true,
        );
        let village = random_keypair();
        let village_cert =
            net.certify(&county, village.node_id(), "西戈壁村村委会", VILLAGE, false);
        let mut more_insiders = Vec::new();
        for i in 0..more {
            let key = random_keypair();
            let region_code = format!("{TOWNSHIP}{:03}", 203 + i);
            let cert = net.certify(
                &county,
                key.node_id(),
                &format!("村委会 {region_code}"),
                &region_code,
                false,
            );
            let chain = vec![county_cert.wire().to_vec(), cert.wire().to_vec()];
            more_insiders.push((key, chain));
        }
        net.install(&county);
        net.install(&township);
        Cast {
            net,
            county,
            township,
            village,
            village_chain: vec![county_cert.wire().to_vec(), village_cert.wire().to_vec()],
            more_insiders,
        }
    }
}

/// Opens a post that is not running, waiting while the store of a post
/// just closed is still being released (sled lets go of its lock a moment
/// after the handle is dropped).
pub fn open(dir: &DataDir) -> Post {
    Post::open_waiting(dir, std::time::Duration::from_secs(30))
        .unwrap_or_else(|e| panic!("open {}: {e}", dir.root().display()))
}

/// A fresh random key (an attacker's own, uncertified).
pub fn random_keypair() -> Keypair {
    let mut secret = [0u8; 32];
    rand::Rng::fill(&mut rand::rng(), &mut secret[..]);
    Keypair::from_secret(secret)
}

/// The region code of a scope constant.
pub fn scope(code: &str) -> RegionCode {
    region(code)
}
