//! Rights as 分级负责 has them, one scenario per rule, allowed and refused:
//! who activates and approves a plan, which side reports a commitment's
//! dispatch and receipt, duplicate deliveries, commitments beyond the
//! request, and reopening a closed incident.

mod world;

use liandong_protocol::domain::fold::{ConflictRule, Fold, Item, Outcome, ReasonCode, Track};
use liandong_protocol::domain::*;
use liandong_protocol::{Body, EntryId, Kind, SignedEntry};
use world::*;

fn county_plan() -> Body {
    Body::Plan(Box::new(county_plan_record(at(10_000))))
}

fn activation(plan: EntryId, incident: EntryId) -> Body {
    Body::PlanActivation(Box::new(PlanActivation {
        plan,
        incident,
        drill: None,
        note: String::new(),
    }))
}

fn approval(plan: EntryId, version: EntryId, kind: PlanApprovalKind) -> Body {
    Body::PlanApproval(Box::new(PlanApproval {
        plan,
        version,
        kind,
        note: String::new(),
    }))
}

fn conflict_rule(v: &fold::Views, e: &SignedEntry) -> Option<(ConflictRule, bool)> {
    v.conflicts
        .iter()
        .find(|c| c.entry == e.id())
        .map(|c| (c.rule, c.applied))
}

#[test]
fn a_plan_is_activated_by_its_owner_or_a_post_above() {
    let w = World::new();
    let inc = w.write(&w.village, 0, report(Phase::Initial, None));
    let plan = w.write(&w.county, 1, county_plan());
    let by_owner = w.write(&w.county, 2, activation(plan.id(), inc.id()));
    let by_prefecture = w.write(&w.prefecture, 3, activation(plan.id(), inc.id()));
    let by_village = w.write(&w.village, 4, activation(plan.id(), inc.id()));
    let by_town = w.write(&w.town, 5, activation(plan.id(), inc.id()));
    let by_fire = w.write(&w.fire, 6, activation(plan.id(), inc.id()));
    let v = w.fold(
        &[
            inc,
            plan,
            by_owner.clone(),
            by_prefecture.clone(),
            by_village.clone(),
            by_town.clone(),
            by_fire.clone(),
        ],
        10,
    );
    let activations: Vec<_> = v.plans[0].activations.iter().map(|a| a.entry).collect();
    assert_eq!(activations, vec![by_owner.id(), by_prefecture.id()]);
    for refused in [&by_village, &by_town, &by_fire] {
        assert_eq!(invalid_code(&v, refused), Some(ReasonCode::NotAuthorized));
    }
    let x = v
        .invalid
        .iter()
        .find(|x| x.entry == by_village.id())
        .expect("refused");
    assert!(x.reason.zh.contains("沙湾市"), "{}", x.reason.zh);
    assert_eq!(v.incidents[0].plans.len(), 2);
}

#[test]
fn a_plan_is_approved_above_its_owner_never_by_itself() {
    let w = World::new();
    let reg = w.write(&w.county, 0, county_plan());
    let id = reg.id();
    let own = w.write(&w.county, 1, approval(id, id, PlanApprovalKind::Approve));
    let peer = w.write(
        &w.other_county,
        2,
        approval(id, id, PlanApprovalKind::Approve),
    );
    let v = w.fold(&[reg.clone(), own.clone(), peer.clone()], 10);
    assert!(
        !v.plans[0].approved,
        "the county does not approve its own plan"
    );
    assert_eq!(invalid_code(&v, &own), Some(ReasonCode::NotAuthorized));
    assert!(invalid_code(&v, &peer).is_some(), "nor does a neighbour");
    let above = w.write(
        &w.prefecture,
        3,
        approval(id, id, PlanApprovalKind::Approve),
    );
    let v = w.fold(&[reg.clone(), own, peer, above], 10);
    assert!(v.plans[0].approved, "the prefecture, above, approves");

    // A version registered by the prefecture itself is approved by a post
    // above the prefecture, not by the prefecture.
    let v2 = w.write(
        &w.prefecture,
        20,
        Body::Plan(Box::new(PlanRecord {
            plan: Some(id),
            version: "2025".into(),
            ..county_plan_record(at(10_000))
        })),
    );
    let self_ok = w.write(
        &w.prefecture,
        21,
        approval(id, v2.id(), PlanApprovalKind::Approve),
    );
    let province = w.write(
        &w.province,
        22,
        approval(id, v2.id(), PlanApprovalKind::Approve),
    );
    let v = w.fold(&[reg, v2, self_ok.clone(), province], 30);
    assert_eq!(invalid_code(&v, &self_ok), Some(ReasonCode::NotAuthorized));
    assert!(v.plans[0].approved);
}

/// The village asks for 5 boats; the county offers 6 and commits 3.
fn boats_on_the_way(w: &World) -> (SignedEntry, SignedEntry, SignedEntry) {
    let req = w.write(&w.village, 0, request(None, 5));
    let off = w.write(&w.county, 1, offer(Some(req.id()), 6));
    let c = w.write(&w.county, 2, commit(off.id(), req.id(), 3));
    (req, off, c)
}

#[test]
fn the_sender_dispatches_and_the_receiver_confirms_delivery() {
    let w = World::new();
    let (req, off, c) = boats_on_the_way(&w);
    let village_dispatch = w.write(&w.village, 3, status(c.id(), DeploymentStatus::Dispatched));
    let dispatch = w.write(&w.county, 4, status(c.id(), DeploymentStatus::Dispatched));
    let arrived = w.write(&w.village, 5, status(c.id(), DeploymentStatus::Arrived));
    let county_delivers = w.write(&w.county, 6, status(c.id(), DeploymentStatus::Delivered));
    let delivered = w.write(&w.village, 7, status(c.id(), DeploymentStatus::Delivered));
    let county_releases = w.write(&w.county, 8, status(c.id(), DeploymentStatus::Released));
    let stranger = w.write(&w.town, 9, status(c.id(), DeploymentStatus::Arrived));
    let v = w.fold(
        &[
            req.clone(),
            off,
            c.clone(),
            village_dispatch.clone(),
            dispatch,
            arrived,
            county_delivers.clone(),
            delivered,
            county_releases.clone(),
            stranger.clone(),
        ],
        20,
    );
    for refused in [
        &village_dispatch,
        &county_delivers,
        &county_releases,
        &stranger,
    ] {
        assert_eq!(invalid_code(&v, refused), Some(ReasonCode::NotParty));
    }
    let x = v
        .invalid
        .iter()
        .find(|x| x.entry == county_delivers.id())
        .expect("refused");
    assert!(x.reason.zh.contains("西戈壁村"), "{}", x.reason.zh);
    let k = v.commit(&c.id()).expect("commit");
    assert_eq!(k.status, DeploymentStatus::Delivered);
    let seq: Vec<_> = k.history.iter().map(|h| h.status).collect();
    assert_eq!(
        seq,
        vec![
            DeploymentStatus::Dispatched,
            DeploymentStatus::Arrived,
            DeploymentStatus::Delivered
        ]
    );
    assert_eq!(v.request(&req.id()).expect("request").delivered, 3);
}

#[test]
fn the_receiver_releases_and_the_sender_takes_back() {
    let w = World::new();
    let (req, off, c) = boats_on_the_way(&w);
    let released = w.write(&w.village, 3, status(c.id(), DeploymentStatus::Released));
    let v = w.fold(&[req.clone(), off.clone(), c.clone(), released], 10);
    assert_eq!(
        v.commit(&c.id()).expect("commit").status,
        DeploymentStatus::Released
    );
    assert_eq!(v.offer(&off.id()).expect("offer").remaining, 6);

    let village_returns = w.write(&w.village, 3, status(c.id(), DeploymentStatus::Returned));
    let returned = w.write(&w.county, 4, status(c.id(), DeploymentStatus::Returned));
    let v = w.fold(
        &[req, off, c.clone(), village_returns.clone(), returned],
        10,
    );
    assert_eq!(
        invalid_code(&v, &village_returns),
        Some(ReasonCode::NotParty)
    );
    assert_eq!(
        v.commit(&c.id()).expect("commit").status,
        DeploymentStatus::Returned
    );
}

#[test]
fn a_commitment_taken_back_before_delivery_no_longer_counts_toward_the_request() {
    let w = World::new();
    let (req, off, c) = boats_on_the_way(&w);
    let dispatch = w.write(&w.county, 3, status(c.id(), DeploymentStatus::Dispatched));
    let returned = w.write(&w.county, 4, status(c.id(), DeploymentStatus::Returned));
    let v = w.fold(
        &[
            req.clone(),
            off.clone(),
            c.clone(),
            dispatch.clone(),
            returned,
        ],
        10,
    );
    let r = v.request(&req.id()).expect("request");
    assert_eq!((r.committed, r.outstanding, r.delivered), (0, 5, 0));
    // So the county may commit all five again, with no surplus mark.
    let again = w.write(&w.county, 5, commit(off.id(), req.id(), 5));
    let returned = w.write(&w.county, 4, status(c.id(), DeploymentStatus::Returned));
    let v = w.fold(
        &[
            req.clone(),
            off.clone(),
            c.clone(),
            dispatch,
            returned,
            again.clone(),
        ],
        10,
    );
    assert_eq!(conflict_rule(&v, &again), None);
    assert_eq!(v.request(&req.id()).expect("request").outstanding, 0);

    // Delivered, then taken back: it was received, and still counts.
    let delivered = w.write(&w.village, 3, status(c.id(), DeploymentStatus::Delivered));
    let back = w.write(&w.county, 4, status(c.id(), DeploymentStatus::Returned));
    let v = w.fold(&[req.clone(), off, c, delivered, back], 10);
    let r = v.request(&req.id()).expect("request");
    assert_eq!((r.committed, r.outstanding, r.delivered), (3, 2, 3));
}

#[test]
fn a_second_delivery_is_refused() {
    let w = World::new();
    let (req, off, c) = boats_on_the_way(&w);
    let dispatch = w.write(&w.county, 3, status(c.id(), DeploymentStatus::Dispatched));
    let again = w.write(&w.county, 4, status(c.id(), DeploymentStatus::Dispatched));
    let first = w.write(&w.village, 5, status(c.id(), DeploymentStatus::Delivered));
    let second = w.write(&w.village, 6, status(c.id(), DeploymentStatus::Delivered));
    let v = w.fold(
        &[
            req.clone(),
            off,
            c.clone(),
            dispatch,
            again.clone(),
            first.clone(),
            second.clone(),
        ],
        10,
    );
    assert_eq!(conflict_rule(&v, &again), None, "a position update applies");
    assert_eq!(
        conflict_rule(&v, &second),
        Some((ConflictRule::DuplicateStatus, false))
    );
    let conflict = v.conflicts.iter().find(|x| x.entry == second.id());
    assert_eq!(conflict.and_then(|x| x.other), Some(first.id()));
    assert_eq!(v.request(&req.id()).expect("request").delivered, 3);
    assert_eq!(v.commit(&c.id()).expect("commit").history.len(), 3);
}

#[test]
fn a_commitment_beyond_the_request_needs_the_surplus_mark() {
    let w = World::new();
    let (req, off, c) = boats_on_the_way(&w);
    // 2 boats are still needed.
    let three = w.write(&w.county, 3, commit(off.id(), req.id(), 3));
    let two = w.write(&w.county, 4, commit(off.id(), req.id(), 2));
    let more = w.write(&w.county, 5, commit(off.id(), req.id(), 1));
    let v = w.fold(
        &[
            req.clone(),
            off.clone(),
            c.clone(),
            three.clone(),
            two.clone(),
            more.clone(),
        ],
        10,
    );
    assert_eq!(
        conflict_rule(&v, &three),
        Some((ConflictRule::OverRequest, false))
    );
    assert_eq!(
        conflict_rule(&v, &more),
        Some((ConflictRule::OverRequest, false))
    );
    let x = v.conflicts.iter().find(|x| x.entry == three.id());
    assert!(
        x.is_some_and(|x| x.zh.contains("尚缺2艘")),
        "{:?}",
        x.map(|x| &x.zh)
    );
    let r = v.request(&req.id()).expect("request");
    assert_eq!((r.committed, r.outstanding, r.overfilled), (5, 0, false));
    assert_eq!(v.offer(&off.id()).expect("offer").remaining, 1);

    // Marked as surplus, the extra boat is committed; the request shows it.
    let surplus = w.write(&w.county, 6, surplus_commit(off.id(), req.id(), 1));
    assert_eq!(surplus.header().kind, Kind::RESOURCE_COMMIT_SURPLUS);
    let v = w.fold(
        &[req.clone(), off, c, three, two, more, surplus.clone()],
        10,
    );
    assert_eq!(conflict_rule(&v, &surplus), None);
    let r = v.request(&req.id()).expect("request");
    assert_eq!((r.committed, r.outstanding, r.overfilled), (6, 0, true));
    assert!(v.commit(&surplus.id()).expect("commit").surplus);
}

#[test]
fn the_surplus_mark_travels_in_the_kind_and_plain_commits_keep_their_bytes() {
    let w = World::new();
    let plain = w.write(&w.county, 0, commit(EntryId([1; 32]), EntryId([2; 32]), 1));
    let marked = w.write(
        &w.county,
        1,
        surplus_commit(EntryId([1; 32]), EntryId([2; 32]), 1),
    );
    assert_eq!(plain.header().kind, Kind::RESOURCE_COMMIT);
    assert_eq!(
        plain.body_bytes(),
        marked.body_bytes(),
        "same body encoding"
    );
    let decoded = |e: &SignedEntry| match e.body() {
        Ok(Body::ResourceCommit(c)) => c.surplus,
        other => panic!("not a commit: {other:?}"),
    };
    assert!(!decoded(&plain));
    assert!(decoded(&marked));
}

#[test]
fn a_closed_incident_is_reopened_by_its_closer_or_above() {
    let w = World::new();
    let inc = w.write(&w.village, 0, report(Phase::Initial, None));
    let id = inc.id();
    let fin = w.write(&w.town, 10, report(Phase::Final, Some(id)));
    let by_village = w.write(&w.village, 20, report(Phase::Reopen, Some(id)));
    let v = w.fold(&[inc.clone(), fin.clone(), by_village.clone()], 30);
    assert_eq!(
        invalid_code(&v, &by_village),
        Some(ReasonCode::NotAuthorized)
    );
    assert!(v.incidents[0].closed.is_some());

    for closer_or_above in [&w.town, &w.county] {
        let reopen = w.write(closer_or_above, 20, report(Phase::Reopen, Some(id)));
        let update = w.write(&w.village, 25, report(Phase::Update, Some(id)));
        let v = w.fold(&[inc.clone(), fin.clone(), reopen, update.clone()], 30);
        let i = &v.incidents[0];
        assert!(i.closed.is_none(), "reopened");
        assert_eq!(i.reports.len(), 4, "and the 续报 after it applies");
        assert!(v.conflicts.is_empty() && v.invalid.is_empty());
    }

    // Reopening an open incident is refused.
    let open = w.write(&w.village, 5, report(Phase::Reopen, Some(id)));
    let v = w.fold(&[inc, open.clone()], 30);
    assert_eq!(invalid_code(&v, &open), Some(ReasonCode::NotClosed));
}

#[test]
fn commands_see_the_refusal_before_signing() {
    let w = World::new();
    let (req, off, c) = boats_on_the_way(&w);
    let mut f = Fold::new();
    for e in [&req, &off, &c] {
        f.insert(e);
    }
    let candidate = w.write(&w.village, 3, status(c.id(), DeploymentStatus::Dispatched));
    let item = Item::from_entry(&candidate)
        .ok()
        .flatten()
        .expect("a domain item");
    let outcome = f.outcome(&w.ctx(10), Track::Actual, &item);
    assert!(
        matches!(&outcome, Outcome::Excluded(r) if r.code == ReasonCode::NotParty),
        "{outcome:?}"
    );
}
