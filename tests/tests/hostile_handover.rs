//! Hostile bytes on the certificate handover protocol
//! (`/liandong/cert-request/1`), which a post answers for anyone, admitted
//! or not: an ask whose length prefix is one byte over the limit and an
//! undecodable one are refused (nothing read past the prefix, nothing
//! kept), and the post goes on answering well-formed asks from the same
//! outsider; a request for a key it could never certify is refused too.

use liandong_protocol::trust::CertRequest;
use liandong_protocol::trust::handover::{
    CertAnswer, CertAsk, HandoverRefusal, MAX_ASK_FRAME_BYTES,
};
use liandong_tests::hostile::*;

/// `body` with the codec's length prefix.
fn framed(body: &[u8]) -> Vec<u8> {
    [(body.len() as u32).to_be_bytes().to_vec(), body.to_vec()].concat()
}

/// Sends `bytes` raw and reads the post's answer frame.
async fn ask_raw(a: &Attacker, post: &NodeHandle, bytes: Vec<u8>) -> CertAnswer {
    let answer = a
        .raw_cert(post.peer_id(), bytes)
        .await
        .unwrap_or_else(|e| panic!("no answer: {e}"));
    let len = u32::from_be_bytes(answer[..4].try_into().expect("a length prefix")) as usize;
    assert_eq!(answer.len(), 4 + len, "one frame");
    CertAnswer::decode(&answer[4..]).expect("an answer frame")
}

fn refused_for(answer: &CertAnswer) -> Option<HandoverRefusal> {
    match answer {
        CertAnswer::Refused { reason, .. } => Some(*reason),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_undecodable_asks_are_refused_and_the_post_goes_on() {
    let s = Scene::new().await;
    let outsider = Attacker::spawn(random_keypair(), s.network(), scope(VILLAGE));
    outsider
        .connect(s.county.listen_addrs()[0].clone(), s.county.peer_id())
        .await;

    // One byte over the ask limit: refused from the prefix alone.
    let mut over = ((MAX_ASK_FRAME_BYTES + 1) as u32).to_be_bytes().to_vec();
    over.extend([0u8; 16]);
    let answer = ask_raw(&outsider, &s.county, over).await;
    assert_eq!(
        refused_for(&answer),
        Some(HandoverRefusal::Invalid),
        "{answer:?}"
    );
    // Within the limit but not an ask.
    let answer = ask_raw(&outsider, &s.county, framed(&[0xff; 40])).await;
    assert_eq!(
        refused_for(&answer),
        Some(HandoverRefusal::Invalid),
        "{answer:?}"
    );

    // The same outsider's well-formed asks are still answered.
    let stranger = random_keypair();
    let poll = CertAsk::Poll {
        subject: stranger.node_id(),
    };
    let answer = ask_raw(&outsider, &s.county, framed(&poll.encode().expect("ask"))).await;
    assert_eq!(answer, CertAnswer::Unknown);

    // A request for a region outside the county: refused, not kept.
    let foreign = CertRequest {
        network: s.network(),
        subject: stranger.node_id(),
        name: "别县".into(),
        level: liandong_protocol::Level::County,
        region: scope("654202"),
        unit_type: UnitType::Command,
        contact: String::new(),
        created_ms: now_ms(),
        since_ms: now_ms(),
    }
    .sign(&stranger)
    .expect("sign");
    let submit = CertAsk::Submit { request: foreign };
    let answer = ask_raw(&outsider, &s.county, framed(&submit.encode().expect("ask"))).await;
    assert_eq!(
        refused_for(&answer),
        Some(HandoverRefusal::NotHere),
        "{answer:?}"
    );
    let kept = s
        .county
        .ledger()
        .read(liandong_node::service::cert_inbox::list)
        .await
        .expect("read")
        .expect("list");
    assert!(kept.is_empty(), "{kept:?}");
    s.honest_traffic_still_flows(&[]).await;
    s.shutdown().await;
}
