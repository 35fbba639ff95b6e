//! A network in a test: a root, its genesis, and posts' chains signed for
//! real (shared by the trust-state tests).

use std::collections::HashMap;

use liandong_protocol::authority::Role;
use liandong_protocol::trust::genesis::Root;
use liandong_protocol::trust::{Certificate, Genesis, Revocation, SignedGenesis, TrustState};
use liandong_protocol::{
    Body, Draft, EntryId, Hlc, Keypair, Limits, NodeId, Note, RegionCode, SignedEntry, Status,
    UnitType,
};

pub fn rc(s: &str) -> RegionCode {
    s.parse().expect("region")
}

pub fn t(ms: u64) -> Hlc {
    Hlc::new(1_795_000_000_000 + ms, 0)
}

/// A network and its posts' chains; every entry is signed for real.
pub struct World {
    pub root: Keypair,
    pub genesis: SignedGenesis,
    pub heads: HashMap<NodeId, (u64, Option<EntryId>)>,
}

impl World {
    pub fn new() -> World {
        let root = Keypair::from_secret([1; 32]);
        let genesis = SignedGenesis::sign(
            Genesis::new(
                "测试网",
                1_795_000_000_000,
                Root {
                    key: root.node_id(),
                    name: "国家应急指挥中心".into(),
                    roles: vec![Role::new("warning_issuer")],
                },
                RegionCode::national(),
                Limits::default(),
            ),
            &root,
        )
        .expect("genesis");
        World {
            root,
            genesis,
            heads: HashMap::new(),
        }
    }

    pub fn state(&self) -> TrustState {
        TrustState::new(self.genesis.clone())
    }

    pub fn entry_with(
        &mut self,
        kp: &Keypair,
        at: Hlc,
        scope: &str,
        status: Status,
        body: Body,
    ) -> SignedEntry {
        let (seq, prev) = self.heads.get(&kp.node_id()).copied().unwrap_or((0, None));
        let e = SignedEntry::sign(
            kp,
            Draft {
                network: self.genesis.network_id(),
                seq: seq + 1,
                prev,
                hlc: at,
                scope: rc(scope),
                status,
                body,
                operator: None,
            },
        )
        .expect("sign");
        self.heads.insert(kp.node_id(), (e.seq(), Some(e.id())));
        e
    }

    pub fn entry(&mut self, kp: &Keypair, at: Hlc, scope: &str, body: Body) -> SignedEntry {
        self.entry_with(kp, at, scope, Status::Actual, body)
    }

    pub fn note(&mut self, kp: &Keypair, at: Hlc, scope: &str) -> SignedEntry {
        self.entry(
            kp,
            at,
            scope,
            Body::Note(Note {
                text: "水位上涨".into(),
            }),
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub fn cert_with(
        &mut self,
        issuer: &Keypair,
        subject: &Keypair,
        region: &str,
        unit: UnitType,
        can_certify: bool,
        at: Hlc,
        until: Option<Hlc>,
    ) -> SignedEntry {
        let region = rc(region);
        let cert = Certificate {
            subject: subject.node_id(),
            name: format!("post {}", region),
            level: region.level(),
            region: region.clone(),
            unit_type: unit,
            roles: Vec::new(),
            can_certify,
            cooperates: Vec::new(),
            valid_from_ms: at.wall_ms(),
            valid_until_ms: until.map(|u| u.wall_ms()),
        };
        self.entry(issuer, at, region.as_str(), Body::Certificate(cert))
    }

    pub fn cert(
        &mut self,
        issuer: &Keypair,
        subject: &Keypair,
        region: &str,
        at: Hlc,
    ) -> SignedEntry {
        self.cert_with(issuer, subject, region, UnitType::Command, true, at, None)
    }

    pub fn revoke(
        &mut self,
        author: &Keypair,
        subject: &Keypair,
        scope: &str,
        at: Hlc,
    ) -> SignedEntry {
        self.entry(
            author,
            at,
            scope,
            Body::Revocation(Revocation {
                subject: subject.node_id(),
                reason: "密钥丢失".into(),
            }),
        )
    }
}

pub fn key(seed: u8) -> Keypair {
    Keypair::from_secret([seed; 32])
}

/// Admits and inserts, failing the test on a refusal.
pub fn accept(state: &mut TrustState, e: &SignedEntry) {
    state.admit(e).expect("admitted");
    state.insert(e).expect("inserted");
}
