//! A certified network made in-process, for the ledger's trust tests: a
//! genesis, certificates, notes and ledgers opened in it.
#![allow(dead_code)]

pub mod certs;
pub mod cli;
pub mod running;
pub mod views;

use std::time::{SystemTime, UNIX_EPOCH};

use liandong_node::ledger::Ledger;
use liandong_node::store::Store;
use liandong_protocol::trust::{Genesis, Root};
use liandong_protocol::{
    Body, Certificate, Draft, EntryId, Hlc, Interest, Keypair, Limits, Note, RegionCode,
    Revocation, SignedEntry, SignedGenesis, Status, UnitType,
};

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

pub fn rc(s: &str) -> RegionCode {
    s.parse().expect("region")
}

pub fn genesis(root: &Keypair) -> SignedGenesis {
    SignedGenesis::sign(
        Genesis::new(
            "测试网",
            now_ms(),
            Root {
                key: root.node_id(),
                name: "国家".into(),
                roles: Vec::new(),
            },
            RegionCode::national(),
            Limits::default(),
        ),
        root,
    )
    .expect("genesis")
}

pub fn entry(
    g: &SignedGenesis,
    kp: &Keypair,
    seq: u64,
    prev: Option<EntryId>,
    ago_ms: u64,
    scope: &str,
    body: Body,
) -> SignedEntry {
    entry_at(
        g,
        kp,
        seq,
        prev,
        Hlc::new(now_ms() - ago_ms, 0),
        scope,
        body,
    )
}

pub fn entry_at(
    g: &SignedGenesis,
    kp: &Keypair,
    seq: u64,
    prev: Option<EntryId>,
    hlc: Hlc,
    scope: &str,
    body: Body,
) -> SignedEntry {
    SignedEntry::sign(
        kp,
        Draft {
            network: g.network_id(),
            seq,
            prev,
            hlc,
            scope: rc(scope),
            status: Status::Actual,
            body,
            operator: None,
        },
    )
    .expect("sign")
}

pub fn cert_body(subject: &Keypair, region: &str, can_certify: bool) -> Body {
    let region = rc(region);
    Body::Certificate(Certificate {
        subject: subject.node_id(),
        name: format!("post {region}"),
        level: region.level(),
        region,
        unit_type: UnitType::Command,
        roles: Vec::new(),
        can_certify,
        cooperates: Vec::new(),
        valid_from_ms: 0,
        valid_until_ms: None,
    })
}

pub fn note(text: &str) -> Body {
    Body::Note(Note { text: text.into() })
}

/// Runs `open` until it no longer fails with a lock (bounded): sled's
/// background threads can hold a store's files a moment after the last
/// handle of this process is dropped.
fn waiting_for_lock<T, E>(
    mut open: impl FnMut() -> Result<T, E>,
    locked: impl Fn(&E) -> bool,
) -> Result<T, E> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match open() {
            Err(e) if locked(&e) && std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// Opens the store as [`open_store`] does, with its error if it fails for
/// anything but a lock.
pub fn try_open_store(path: &std::path::Path) -> Result<Store, liandong_node::store::StoreError> {
    waiting_for_lock(
        || Store::open(path, 8),
        |e| matches!(e, liandong_node::store::StoreError::Locked(_)),
    )
}

/// Opens the store, waiting (bounded) for a just-dropped handle of this
/// process to let go of sled's file lock.
pub fn open_store(path: &std::path::Path) -> Store {
    try_open_store(path).expect("store")
}

/// sled's own handle on a store's files, for tests that damage or rewrite
/// rows: waits, as [`open_store`] does, for the threads of a store just
/// dropped in this process to let go of them.
pub fn raw_sled(path: &std::path::Path) -> sled::Db {
    waiting_for_lock(|| sled::open(path), |e| e.to_string().contains("lock")).expect("raw open")
}

pub fn open(dir: &std::path::Path, me: &Keypair, g: &SignedGenesis) -> Ledger {
    let store = open_store(&dir.join("store"));
    Ledger::open_in_network(
        store,
        Keypair::from_secret(me.secret_bytes()),
        g.clone(),
        Interest::everything(),
    )
    .expect("ledger")
}

pub fn revocation(subject: &Keypair) -> Body {
    Body::Revocation(Revocation {
        subject: subject.node_id(),
        reason: "密钥丢失".into(),
    })
}

/// Wall time `ms` from now (negative: in the past), as an entry time.
pub fn at(ms: i64) -> Hlc {
    Hlc::new(now_ms().saturating_add_signed(ms), 0)
}

/// One author's chain: signs its next entry with the right seq and prev.
#[derive(Debug)]
pub struct Author {
    pub kp: Keypair,
    g: SignedGenesis,
    seq: u64,
    prev: Option<EntryId>,
}

impl Author {
    pub fn new(g: &SignedGenesis, seed: u8) -> Author {
        Author {
            kp: Keypair::from_secret([seed; 32]),
            g: g.clone(),
            seq: 0,
            prev: None,
        }
    }

    pub fn next(&mut self, hlc: Hlc, scope: &str, body: Body) -> SignedEntry {
        let e = entry_at(&self.g, &self.kp, self.seq + 1, self.prev, hlc, scope, body);
        self.seq = e.seq();
        self.prev = Some(e.id());
        e
    }

    /// Signs another entry at its first seq: a fork (for a chain of one).
    pub fn fork_first(&self, hlc: Hlc, scope: &str, body: Body) -> SignedEntry {
        entry_at(&self.g, &self.kp, 1, None, hlc, scope, body)
    }
}

pub fn wires(entries: &[&SignedEntry]) -> Vec<Vec<u8>> {
    entries.iter().map(|e| e.wire().to_vec()).collect()
}
