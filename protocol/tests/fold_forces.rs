//! The rescue-force registry (救援力量储备库) in the fold: the owner keeps a
//! force current, a post above it may too, a stranger may not; the latest
//! record wins whatever the order of arrival; assignments name tasks and
//! commitments; the records travel through validation and stay out of
//! drills' writes.

mod world;

use liandong_protocol::domain::fold::{AssignmentKind, ReasonCode, Track};
use liandong_protocol::domain::*;
use liandong_protocol::{
    Body, EntryId, Hlc, Kind, Limits, NetworkId, Status, ValidationContext, ValidationError,
    validate,
};
use world::*;

fn brigade(force: Option<EntryId>, headcount: u32, availability: Availability) -> Body {
    Body::RescueForce(Box::new(RescueForce {
        force,
        name: "沙湾市消防救援大队".into(),
        name_en: String::new(),
        force_type: "fire".into(),
        headcount,
        capabilities: vec!["fire_fighting".into(), "water_rescue".into()],
        equipment: vec!["冲锋舟 4 艘".into()],
        base: GeoPoint {
            lat_e6: 44_322_000,
            lon_e6: 85_606_000,
        },
        region: rc("654203"),
        contact: "0993-119".into(),
        availability,
        last_drill_ms: Some(at(0)),
        assigned_to: None,
        note: String::new(),
    }))
}

fn assigned(body: Body, to: EntryId) -> Body {
    match body {
        Body::RescueForce(mut f) => {
            f.assigned_to = Some(to);
            Body::RescueForce(f)
        }
        other => other,
    }
}

#[test]
fn the_owner_keeps_its_force_current() {
    let w = World::new();
    let reg = w.write(&w.fire, 0, brigade(None, 42, Availability::Ready));
    let out = w.write(
        &w.fire,
        5,
        brigade(Some(reg.id()), 40, Availability::Deployed),
    );
    let v = w.fold(&[reg.clone(), out.clone()], 10);
    assert_eq!(v.forces.len(), 1);
    let f = &v.forces[0];
    assert_eq!(f.id, reg.id(), "the force id is its registration's id");
    assert_eq!(f.owner.node, w.fire.id());
    assert_eq!(f.current.headcount, 40);
    assert_eq!(f.current.availability, Availability::Deployed);
    assert_eq!(f.current_entry, out.id());
    assert_eq!(f.updated_ms, at(5));
    assert_eq!(f.registered_ms, at(0));
    assert_eq!(f.records, vec![reg.id(), out.id()]);
    assert!(v.invalid.is_empty(), "{:?}", v.invalid);
}

#[test]
fn a_post_above_may_update_a_stranger_may_not() {
    let w = World::new();
    let reg = w.write(&w.fire, 0, brigade(None, 42, Availability::Ready));
    let by_prefecture = w.write(
        &w.prefecture,
        1,
        brigade(Some(reg.id()), 41, Availability::Ready),
    );
    // The county command post is at the brigade's own level: not above it.
    let by_county = w.write(
        &w.county,
        2,
        brigade(Some(reg.id()), 1, Availability::Resting),
    );
    let by_village = w.write(
        &w.village,
        3,
        brigade(Some(reg.id()), 1, Availability::Resting),
    );
    let by_neighbour = w.write(
        &w.other_county,
        4,
        brigade(Some(reg.id()), 1, Availability::Resting),
    );
    let v = w.fold(
        &[
            reg.clone(),
            by_prefecture.clone(),
            by_county.clone(),
            by_village.clone(),
            by_neighbour.clone(),
        ],
        10,
    );
    let f = &v.forces[0];
    assert_eq!(f.current.headcount, 41, "the prefecture's update stands");
    assert_eq!(f.updated_by.node, w.prefecture.id());
    assert_eq!(f.records, vec![reg.id(), by_prefecture.id()]);
    for refused in [&by_county, &by_village, &by_neighbour] {
        assert_eq!(invalid_code(&v, refused), Some(ReasonCode::NotAuthorized));
    }
    let x = v
        .invalid
        .iter()
        .find(|x| x.entry == by_village.id())
        .expect("refused");
    assert!(
        x.reason.zh.contains("沙湾市消防救援大队"),
        "{}",
        x.reason.zh
    );
    assert_eq!(x.kind, "rescue_force");
}

#[test]
fn the_latest_record_wins_in_any_order() {
    let w = World::new();
    let reg = w.write(&w.fire, 0, brigade(None, 42, Availability::Ready));
    let a = w.write(
        &w.fire,
        3,
        brigade(Some(reg.id()), 30, Availability::Deployed),
    );
    let b = w.write(
        &w.fire,
        7,
        brigade(Some(reg.id()), 25, Availability::Resting),
    );
    let forward = w.fold(&[reg.clone(), a.clone(), b.clone()], 10);
    let backward = w.fold(&[b.clone(), a.clone(), reg.clone()], 10);
    assert_eq!(forward, backward);
    assert_eq!(forward.forces[0].current.headcount, 25);
    assert_eq!(
        forward.forces[0].current.availability,
        Availability::Resting
    );
    // An update without its registration waits as an unknown reference.
    let orphan = w.fold(std::slice::from_ref(&a), 10);
    assert!(orphan.forces.is_empty());
    assert_eq!(
        invalid_code(&orphan, &a),
        Some(ReasonCode::UnknownReference)
    );
}

#[test]
fn a_force_names_its_task_or_commitment() {
    let w = World::new();
    let inc = w.write(&w.village, 0, report(Phase::Initial, None));
    let task_e = w.write(&w.county, 1, task(Some(inc.id()), vec![w.fire.id()], None));
    let reg = w.write(&w.fire, 2, brigade(None, 42, Availability::Ready));
    let out = w.write(
        &w.fire,
        3,
        assigned(
            brigade(Some(reg.id()), 42, Availability::Deployed),
            task_e.id(),
        ),
    );
    let v = w.fold(&[inc.clone(), task_e.clone(), reg.clone(), out.clone()], 10);
    let a = v.forces[0].assignment.clone().expect("assigned");
    assert_eq!(a.kind, AssignmentKind::Task);
    assert_eq!(a.entry, task_e.id());
    assert!(!a.label.is_empty());
    assert_eq!(v.forces_on(&task_e.id()).len(), 1);

    // A commitment: the offer's item is its label.
    let req = w.write(&w.town, 4, request(Some(inc.id()), 1));
    let off = w.write(&w.fire, 5, offer(Some(req.id()), 1));
    let com = w.write(&w.fire, 6, commit(off.id(), req.id(), 1));
    let on_commit = w.write(
        &w.fire,
        7,
        assigned(
            brigade(Some(reg.id()), 42, Availability::Deployed),
            com.id(),
        ),
    );
    let v = w.fold(
        &[inc, task_e, reg, out, req, off, com.clone(), on_commit],
        10,
    );
    let a = v.forces[0].assignment.clone().expect("assigned");
    assert_eq!(a.kind, AssignmentKind::Commit);
    assert_eq!(a.label, boats().item);

    // A name the views do not hold is shown as unknown, not refused.
    let w2 = World::new();
    let reg = w2.write(&w2.fire, 0, brigade(None, 42, Availability::Ready));
    let far = w2.write(
        &w2.fire,
        1,
        assigned(
            brigade(Some(reg.id()), 42, Availability::Deployed),
            EntryId([7; 32]),
        ),
    );
    let v = w2.fold(&[reg, far], 10);
    assert!(v.invalid.is_empty());
    let a = v.forces[0].assignment.clone().expect("named");
    assert_eq!(a.kind, AssignmentKind::Unknown);
}

#[test]
fn forces_are_real_and_seen_in_every_drill() {
    let w = World::new();
    let reg = w.write(&w.fire, 0, brigade(None, 42, Availability::Ready));
    let drill = w.write_full(
        &w.county,
        Hlc::new(at(1), 0),
        rc("654203"),
        Status::Exercise,
        Body::DrillStart(Box::new(DrillStart {
            name: "防汛演练".into(),
            scenario: String::new(),
            region: rc("654203"),
            plan: None,
        })),
    );
    let exercised = w.write_full(
        &w.fire,
        Hlc::new(at(2), 0),
        rc("654203"),
        Status::Exercise,
        brigade(Some(reg.id()), 5, Availability::Deployed),
    );
    let all = [reg.clone(), drill.clone(), exercised.clone()];
    let in_drill = w.fold_drill(&all, drill.id(), 10);
    assert_eq!(in_drill.track, Track::Drill(drill.id()));
    assert_eq!(in_drill.forces.len(), 1, "the roster is seen in a drill");
    assert_eq!(in_drill.forces[0].current.headcount, 42);
    assert_eq!(
        invalid_code(&in_drill, &exercised),
        Some(ReasonCode::WrongTrack)
    );
}

#[test]
fn a_force_record_travels_through_validation() {
    let w = World::new();
    let limits = Limits::default();
    let ctx = ValidationContext {
        now_ms: at(100),
        network: NetworkId::from_name("liandong-test"),
        limits: &limits,
    };
    let body = brigade(None, 42, Availability::Ready);
    let reg = w.write(&w.fire, 0, body.clone());
    assert_eq!(reg.header().kind, Kind::RESCUE_FORCE);
    assert_eq!(Kind::parse("救援力量"), Some(Kind::RESCUE_FORCE));
    assert_eq!(Kind::parse("rescue_force"), Some(Kind::RESCUE_FORCE));
    let back = validate(reg.wire(), &ctx).expect("valid");
    assert_eq!(back.body(), Ok(body.clone()));
    let json = serde_json::to_string(&body).expect("json");
    assert_eq!(serde_json::from_str::<Body>(&json).expect("json"), body);
    // A body that breaks its rules is refused before it is stored.
    let zero = w.write(&w.fire, 1, brigade(None, 0, Availability::Ready));
    assert!(matches!(
        validate(zero.wire(), &ctx),
        Err(ValidationError::InvalidBody(_))
    ));
}
