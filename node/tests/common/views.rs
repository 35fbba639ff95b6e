//! The views' snapshot as the tests see it: reports written straight into
//! a store by test authors, and a load checked against the full fold.

use std::sync::Arc;

use liandong_node::domain::load_fold;
use liandong_node::domain::snapshot::{self, How};
use liandong_node::restricted::Keyring;
use liandong_node::store::{Durability, Store};
use liandong_protocol::domain::fold::{DeadlinePolicy, Fold, FoldContext, Track, Views};
use liandong_protocol::domain::{Casualties, Category, EventType, IncidentReport, Phase, Severity};
use liandong_protocol::{
    AuthorityPolicy, Body, Directory, EntryId, Hlc, Keypair, Level, NodeId, PostInfo, RegionCode,
    SignedEntry, SignedGenesis, UnitType,
};

use super::{entry_at, note, rc};

/// A directory in which every author is a county post, so that the views
/// hold every entry (an unknown author's entries would all be excluded).
pub struct Everyone;

impl Directory for Everyone {
    fn post_at(&self, node: &NodeId, _at: Hlc) -> Option<Arc<PostInfo>> {
        Some(Arc::new(PostInfo {
            node: *node,
            name: "县应急局".into(),
            level: Level::County,
            region: rc("654203"),
            unit_type: UnitType::Command,
            roles: Vec::new(),
            can_certify: false,
            cooperates: Vec::new(),
        }))
    }
}

pub fn views(fold: &Fold) -> Views {
    let ctx = FoldContext {
        directory: &Everyone,
        authority: &AuthorityPolicy::default(),
        deadlines: &DeadlinePolicy::default(),
        now_ms: 1_800_000_000_000,
    };
    fold.views(&ctx, Track::Actual)
}

pub fn report(title: &str, incident: Option<EntryId>) -> Body {
    Body::from(IncidentReport {
        phase: if incident.is_some() {
            Phase::Update
        } else {
            Phase::Initial
        },
        incident,
        drill: None,
        title: title.into(),
        event: EventType::new(Category::Natural, "flood_drought"),
        severity: Severity::IV,
        provisional: false,
        occurred_ms: 1_700_000_000_000,
        region: rc("654203"),
        point: None,
        casualties: Casualties::default(),
        economic_loss_wan: None,
        losses: String::new(),
        cause: String::new(),
        trend: "平稳".into(),
        actions: String::new(),
        requests: String::new(),
        contact: String::new(),
        attachments: Vec::new(),
    })
}

/// One author writing straight into a store (the store does not check
/// trust, so times can be chosen freely: old ones for late arrivals).
pub struct Author {
    g: SignedGenesis,
    pub kp: Keypair,
    seq: u64,
    prev: Option<EntryId>,
}

impl Author {
    pub fn new(g: &SignedGenesis, seed: u8) -> Author {
        Author {
            g: g.clone(),
            kp: Keypair::from_secret([seed; 32]),
            seq: 0,
            prev: None,
        }
    }

    pub fn write(&mut self, store: &Store, wall_ms: u64, body: Body) -> SignedEntry {
        self.seq += 1;
        let e = entry_at(
            &self.g,
            &self.kp,
            self.seq,
            self.prev,
            Hlc::new(wall_ms, 0),
            "654203",
            body,
        );
        self.prev = Some(e.id());
        store.insert(&e, Durability::Lazy).expect("insert");
        e
    }

    /// `incidents` incidents of a 首报 and `updates` 续报 each, plus a note,
    /// timed from `wall_ms` on, one millisecond apart.
    pub fn incidents(
        &mut self,
        store: &Store,
        wall_ms: u64,
        incidents: u64,
        updates: u64,
    ) -> Vec<SignedEntry> {
        let mut t = wall_ms;
        let mut out = Vec::new();
        for i in 0..incidents {
            let first = self.write(store, t, report(&format!("事件 {i}"), None));
            t += 1;
            out.push(first.clone());
            for _ in 0..updates {
                out.push(self.write(store, t, report(&format!("事件 {i}"), Some(first.id()))));
                t += 1;
            }
            self.write(store, t, note("值班记录"));
            t += 1;
        }
        out
    }
}

/// Loads through the snapshot and checks the result against a fold of
/// every entry read from the ledger: the same set (so the same views, for
/// any track and any time), and the views themselves.
pub fn load_and_compare(store: &Store) -> How {
    let loaded = snapshot::load(store, &Keyring::empty()).expect("load");
    let full = load_fold(store, &Keyring::empty()).expect("full fold");
    assert_eq!(
        format!("{:?}", loaded.fold),
        format!("{full:?}"),
        "the snapshot's fold differs from the full fold ({:?})",
        loaded.how
    );
    assert_eq!(views(&loaded.fold), views(&full));
    assert_eq!(
        loaded.digest,
        store.digest(&RegionCode::national()).expect("digest")
    );
    loaded.how
}
