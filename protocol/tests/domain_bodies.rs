//! Every domain body travels: it encodes, signs, validates and decodes back
//! to itself, and a body that breaks its rules is refused at validation.

mod world;

use liandong_protocol::domain::*;
use liandong_protocol::entry::BodyError;
use liandong_protocol::{
    Body, EntryId, Hlc, Kind, Limits, NetworkId, ResponseLevel, Status, ValidationContext,
    ValidationError, validate,
};
use world::*;

fn samples(w: &World) -> Vec<Body> {
    let id = EntryId([1; 32]);
    vec![
        report(Phase::Initial, None),
        decision(ResponseAction::Activate, id, ResponseLevel::IV),
        Body::Warning(Box::new(Warning::Issue {
            drill: None,
            info: warning_info(WarningColor::Red, "654203", 0, 60),
        })),
        request(Some(id), 2),
        offer(None, 4),
        commit(id, id, 1),
        status(id, DeploymentStatus::Delivered),
        task(Some(id), vec![w.village.id()], Some(30)),
        task_update(id, TaskState::Refused, "无可用力量"),
        Body::Plan(Box::new(PlanRecord {
            plan: None,
            title: "沙湾市防汛抗旱应急预案".into(),
            version: "2024".into(),
            events: vec![EventType::new(Category::Natural, "flood_drought")],
            region: rc("654203"),
            summary: String::new(),
            document: Some(Attachment {
                hash: liandong_protocol::ids::ContentHash::of(b"plan.pdf"),
                name: "预案.pdf".into(),
                media_type: "application/pdf".into(),
                bytes: 8,
            }),
            review_due_ms: at(1000),
        })),
        Body::PlanApproval(Box::new(PlanApproval {
            plan: id,
            version: id,
            kind: PlanApprovalKind::File,
            note: String::new(),
        })),
        Body::PlanActivation(Box::new(PlanActivation {
            plan: id,
            incident: id,
            drill: None,
            note: String::new(),
        })),
        Body::DrillStart(Box::new(DrillStart {
            name: "防汛演练".into(),
            scenario: String::new(),
            region: rc("654203"),
            plan: Some(id),
        })),
        Body::DrillEnd(Box::new(DrillEnd {
            drill: id,
            summary: String::new(),
        })),
        Body::Consultation(Box::new(Consultation {
            incident: id,
            drill: None,
            topic: "汛情会商".into(),
            participants: vec!["水利".into()],
            assessment: "仍有强降雨".into(),
            decisions: String::new(),
        })),
        Body::InfoRelease(Box::new(InfoRelease {
            incident: id,
            drill: None,
            channel: "政府网站".into(),
            headline: "汛情通报".into(),
            text: "西戈壁村转移群众 37 人".into(),
        })),
    ]
}

#[test]
fn every_domain_kind_round_trips_through_validation() {
    let w = World::new();
    let limits = Limits::default();
    let ctx = ValidationContext {
        now_ms: at(100),
        network: NetworkId::from_name("liandong-test"),
        limits: &limits,
    };
    let bodies = samples(&w);
    let mut kinds: Vec<Kind> = bodies.iter().map(Body::kind).collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds.len(), 16, "one sample per domain kind");
    for body in bodies {
        assert_eq!(body.check(&limits), Ok(()), "{:?}", body.kind());
        let kind = body.kind();
        assert!(kind.is_known() && (200..500).contains(&kind.0));
        assert_eq!(Kind::parse(kind.name().expect("named")), Some(kind));
        assert_eq!(Kind::parse(kind.name_zh().expect("named")), Some(kind));
        let e = w.write_full(
            &w.county,
            Hlc::at_wall(at(1)),
            rc("654203"),
            Status::Actual,
            body.clone(),
        );
        let back = validate(e.wire(), &ctx).expect("valid");
        assert_eq!(back.body(), Ok(body.clone()));
        // JSON too, for the CLI and the console.
        let json = serde_json::to_string(&body).expect("json");
        assert_eq!(
            serde_json::from_str::<Body>(&json).expect("from json"),
            body
        );
    }
}

#[test]
fn broken_bodies_are_refused_at_validation() {
    let w = World::new();
    let limits = Limits::default();
    let ctx = ValidationContext {
        now_ms: at(100),
        network: NetworkId::from_name("liandong-test"),
        limits: &limits,
    };
    // A 首报 that names an incident: the author signed it, the network
    // refuses it.
    let bad = Body::IncidentReport(Box::new(flood_report(
        Phase::Initial,
        Some(EntryId([1; 32])),
        0,
    )));
    let e = w.write_full(
        &w.village,
        Hlc::at_wall(at(1)),
        rc("654203106201"),
        Status::Actual,
        bad,
    );
    assert_eq!(
        validate(e.wire(), &ctx).map(|_| ()),
        Err(ValidationError::InvalidBody(BodyError::Domain(
            DomainError::PhaseReference
        )))
    );
    let err = DomainError::PhaseReference.to_string();
    assert!(
        err.contains("首报") && err.contains("initial report"),
        "{err}"
    );
}
