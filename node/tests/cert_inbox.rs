//! The parent's queue of requests handed over the network
//! (`service::cert_inbox`): what it refuses before keeping anything, its
//! limits at their boundaries (per address, in all), the answers a
//! newcomer's poll gets, and that it survives a restart.

mod common;

use std::net::IpAddr;

use common::{cert_body, genesis, now_ms, open, rc};
use liandong_node::ledger::Ledger;
use liandong_node::service::cert_inbox::{self, InboxError, MAX_PENDING_PER_SOURCE, MAX_QUEUED};
use liandong_protocol::trust::handover::{CertAnswer, HandoverRefusal};
use liandong_protocol::trust::{CertFile, CertRequest};
use liandong_protocol::{Keypair, Level, SignedGenesis, Status, UnitType};

fn request(g: &SignedGenesis, kp: &Keypair, level: Level, region: &str) -> Vec<u8> {
    CertRequest {
        network: g.network_id(),
        subject: kp.node_id(),
        name: format!("post {region}"),
        level,
        region: rc(region),
        unit_type: UnitType::Command,
        contact: String::new(),
        created_ms: now_ms(),
        since_ms: now_ms(),
    }
    .sign(kp)
    .expect("sign")
}

fn key(n: u32) -> Keypair {
    let mut secret = [7u8; 32];
    secret[..4].copy_from_slice(&n.to_be_bytes());
    Keypair::from_secret(secret)
}

fn ip(a: u8, b: u8) -> Option<IpAddr> {
    Some(IpAddr::from([10, 0, a, b]))
}

fn refusal(r: Result<CertAnswer, InboxError>) -> HandoverRefusal {
    match r {
        Err(InboxError::Refused { reason, .. }) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn received(ledger: &Ledger, bytes: &[u8], from: Option<IpAddr>) {
    let answer = cert_inbox::receive(ledger, bytes, from, now_ms()).expect("kept");
    assert!(matches!(answer, CertAnswer::Received { .. }), "{answer:?}");
}

#[test]
fn what_is_refused_before_anything_is_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = Keypair::from_secret([1; 32]);
    let g = genesis(&root);
    let ledger = open(dir.path(), &root, &g);

    let county = key(1);
    let mut tampered = request(&g, &county, Level::County, "654203");
    tampered[30] ^= 1;
    assert_eq!(
        refusal(cert_inbox::receive(&ledger, &tampered, ip(0, 1), now_ms())),
        HandoverRefusal::Invalid
    );
    let other = genesis(&Keypair::from_secret([2; 32]));
    assert_eq!(
        refusal(cert_inbox::receive(
            &ledger,
            &request(&other, &county, Level::County, "654203"),
            ip(0, 1),
            now_ms()
        )),
        HandoverRefusal::Invalid
    );
    // Nothing this post could ever certify (a second national post).
    assert_eq!(
        refusal(cert_inbox::receive(
            &ledger,
            &request(&g, &county, Level::National, "00"),
            ip(0, 1),
            now_ms()
        )),
        HandoverRefusal::NotHere
    );
    assert!(cert_inbox::list(&ledger).expect("list").is_empty());
}

#[test]
fn the_queue_holds_its_limits_and_answers_polls_across_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = Keypair::from_secret([1; 32]);
    let g = genesis(&root);
    let ledger = open(dir.path(), &root, &g);

    // One address: exactly its share waits, one more is refused; the same
    // key sending again replaces its own request (no new slot).
    for n in 0..MAX_PENDING_PER_SOURCE as u32 {
        received(
            &ledger,
            &request(&g, &key(n), Level::County, "654203"),
            ip(0, 1),
        );
    }
    let one_more = request(&g, &key(999), Level::County, "654203");
    assert_eq!(
        refusal(cert_inbox::receive(&ledger, &one_more, ip(0, 1), now_ms())),
        HandoverRefusal::Full
    );
    received(
        &ledger,
        &request(&g, &key(0), Level::County, "654203"),
        ip(0, 1),
    );
    // A newer request of a kept key replaces it, but not at once.
    let name_of_first = |l: &Ledger| {
        cert_inbox::list(l)
            .expect("list")
            .into_iter()
            .find(|r| r.node == key(0).node_id().to_hex())
            .map(|r| r.name)
    };
    let newer = CertRequest {
        name: "改名".into(),
        ..CertRequest::verify(&request(&g, &key(0), Level::County, "654203")).expect("request")
    }
    .sign(&key(0))
    .expect("sign");
    received(&ledger, &newer, ip(0, 1));
    assert_eq!(name_of_first(&ledger).as_deref(), Some("post 654203"));
    let later = now_ms() + cert_inbox::RESUBMIT_AFTER_MS;
    let answer = cert_inbox::receive(&ledger, &newer, ip(0, 1), later).expect("kept");
    assert!(matches!(answer, CertAnswer::Received { .. }), "{answer:?}");
    assert_eq!(name_of_first(&ledger).as_deref(), Some("改名"));

    // In all: exactly MAX_QUEUED kept, from many addresses; one more is
    // refused while every one waits.
    for n in MAX_PENDING_PER_SOURCE as u32..MAX_QUEUED as u32 {
        received(
            &ledger,
            &request(&g, &key(n), Level::County, "654203"),
            ip(1 + (n / 250) as u8, (n % 250) as u8),
        );
    }
    assert_eq!(cert_inbox::list(&ledger).expect("list").len(), MAX_QUEUED);
    assert_eq!(
        refusal(cert_inbox::receive(&ledger, &one_more, ip(9, 9), now_ms())),
        HandoverRefusal::Full
    );

    // Polls: a stranger is unknown, a waiting one pending.
    let stranger = key(5000).node_id();
    assert_eq!(
        cert_inbox::answer(&ledger, &stranger).expect("answer"),
        CertAnswer::Unknown
    );
    let first = key(1);
    assert_eq!(
        cert_inbox::answer(&ledger, &first.node_id()).expect("answer"),
        CertAnswer::Pending
    );

    // Issued: the poll gets the certificate file, chain and genesis.
    let cert = ledger
        .author(
            rc("654203"),
            Status::Actual,
            cert_body(&first, "654203", false),
        )
        .expect("certificate");
    cert_inbox::mark_issued(&ledger, &first.node_id(), &cert.id().to_hex(), now_ms())
        .expect("mark");
    let CertAnswer::Issued { file } =
        cert_inbox::answer(&ledger, &first.node_id()).expect("answer")
    else {
        panic!("issued");
    };
    let cf = CertFile::from_file_bytes(&file).expect("a certificate file");
    assert_eq!(
        cf.chain.last().map(|b| b.to_vec()),
        Some(cert.wire().to_vec())
    );
    // Sending again once issued is answered with the certificate at once.
    let again = cert_inbox::receive(
        &ledger,
        &request(&g, &first, Level::County, "654203"),
        ip(0, 1),
        now_ms(),
    )
    .expect("answer");
    assert!(matches!(again, CertAnswer::Issued { .. }));

    // The queue is full of waiting requests and one answered: the
    // answered one makes room.
    received(&ledger, &one_more, ip(9, 9));
    let rows = cert_inbox::list(&ledger).expect("list");
    assert_eq!(rows.len(), MAX_QUEUED);
    assert!(rows.iter().all(|r| r.status == "pending"));
    assert!(!rows.iter().any(|r| r.node == first.node_id().to_hex()));

    // Kept across a restart.
    drop(ledger);
    let ledger = open(dir.path(), &root, &g);
    assert_eq!(cert_inbox::list(&ledger).expect("list").len(), MAX_QUEUED);
    let found = cert_inbox::find(&ledger, &key(999).node_id().to_hex()[..8])
        .expect("read")
        .expect("found by prefix");
    assert_eq!(found, one_more);
}
