//! The fold's rules, one scenario each: authority, conflicts, deadlines,
//! drills, reviews.

mod world;

use liandong_protocol::domain::fold::{
    ConflictRule, Fold, Item, Outcome, ReasonCode, Track, WarningStatus, review,
};
use liandong_protocol::domain::*;
use liandong_protocol::{Body, Hlc, ResponseLevel, Status};
use world::*;

#[test]
fn unknown_and_revoked_authors_are_listed_not_dropped() {
    let mut w = World::new();
    let first = w.write(&w.village, 10, report(Phase::Initial, None));
    let stranger = w.write(&w.stranger, 11, report(Phase::Initial, None));
    let late = w.write(&w.village, 50, report(Phase::Update, Some(first.id())));
    w.revoke(w.village.id(), 40);
    let v = w.fold(&[first.clone(), stranger.clone(), late.clone()], 60);
    // Signed before the revocation: stays valid, even though the revocation
    // is known now.
    assert_eq!(v.incidents.len(), 1);
    assert_eq!(v.incidents[0].reports.len(), 1);
    let codes: Vec<_> = v.invalid.iter().map(|x| (x.entry, x.reason.code)).collect();
    assert_eq!(
        codes,
        vec![
            (stranger.id(), ReasonCode::UnknownAuthor),
            (late.id(), ReasonCode::UnknownAuthor)
        ]
    );
    assert!(v.invalid[0].reason.zh.contains("不是有效认证"));
}

#[test]
fn reports_need_an_author_covering_the_region() {
    let w = World::new();
    // 乌苏市 reports a flood in 西戈壁村 (another county): not its area.
    let e = w.write_full(
        &w.other_county,
        Hlc::at_wall(at(5)),
        rc("654202"),
        Status::Actual,
        report(Phase::Initial, None),
    );
    let v = w.fold(&[e], 10);
    assert!(v.incidents.is_empty());
    assert_eq!(v.invalid[0].reason.code, ReasonCode::NotAuthorized);
    // An update naming an incident nobody has seen waits as an unresolved
    // reference.
    let orphan = w.write(
        &w.village,
        5,
        report(Phase::Update, Some(liandong_protocol::EntryId([7; 32]))),
    );
    let v = w.fold(&[orphan], 10);
    assert_eq!(v.invalid[0].reason.code, ReasonCode::UnknownReference);
}

#[test]
fn higher_post_response_overrides_lower_within_its_subtree() {
    let w = World::new();
    let inc = w.write(&w.village, 0, report(Phase::Initial, None));
    let id = inc.id();
    let county_iv = w.write(
        &w.county,
        10,
        decision(ResponseAction::Activate, id, ResponseLevel::IV),
    );
    let pref_iii = w.write(
        &w.prefecture,
        20,
        decision(ResponseAction::Adjust, id, ResponseLevel::III),
    );
    // The county, unaware, lowers the response afterwards: overridden.
    let county_again = w.write(
        &w.county,
        30,
        decision(ResponseAction::Adjust, id, ResponseLevel::IV),
    );
    // The county may not decide level Ⅲ at all.
    let county_iii = w.write(
        &w.county,
        31,
        decision(ResponseAction::Adjust, id, ResponseLevel::III),
    );
    let v = w.fold(
        &[
            inc,
            county_iv,
            pref_iii.clone(),
            county_again.clone(),
            county_iii.clone(),
        ],
        40,
    );
    let i = &v.incidents[0];
    let r = i.response.as_ref().expect("response");
    assert_eq!(
        (r.level, r.entry, r.active),
        (ResponseLevel::III, pref_iii.id(), true)
    );
    assert_eq!(r.first_activated_ms, Some(at(10)));
    assert_eq!(v.conflicts.len(), 1);
    let c = &v.conflicts[0];
    assert_eq!(c.rule, ConflictRule::ResponseOverridden);
    assert_eq!(
        (c.entry, c.other, c.applied),
        (county_again.id(), Some(pref_iii.id()), false)
    );
    assert!(c.zh.contains("以上级决定为准"), "{}", c.zh);
    assert_eq!(i.decisions.len(), 3);
    assert!(i.decisions[2].overridden);
    assert_eq!(v.invalid.len(), 1);
    assert_eq!(v.invalid[0].entry, county_iii.id());
    assert_eq!(v.invalid[0].reason.code, ReasonCode::NotAuthorized);
    assert!(
        v.invalid[0].reason.zh.contains("地市级"),
        "{}",
        v.invalid[0].reason.zh
    );
}

#[test]
fn same_level_decisions_resolve_by_time_then_id() {
    let w = World::new();
    let inc = w.write(&w.village, 0, report(Phase::Initial, None));
    let id = inc.id();
    // Two decisions by the county at the very same HLC: the larger id wins.
    let a = w.write_full(
        &w.county,
        Hlc::new(at(10), 0),
        rc("654203"),
        Status::Actual,
        decision(ResponseAction::Activate, id, ResponseLevel::IV),
    );
    let mut b_body = decision(ResponseAction::Activate, id, ResponseLevel::IV);
    if let Body::ResponseDecision(d) = &mut b_body {
        d.lead_hq = "沙湾市应急指挥部".into();
    }
    let b = w.write_full(
        &w.county,
        Hlc::new(at(10), 0),
        rc("654203"),
        Status::Actual,
        b_body,
    );
    let winner = a.id().max(b.id());
    for order in [[&inc, &a, &b], [&b, &a, &inc]] {
        let entries: Vec<_> = order.iter().map(|e| (*e).clone()).collect();
        let v = w.fold(&entries, 20);
        assert_eq!(
            v.incidents[0].response.as_ref().map(|r| r.entry),
            Some(winner)
        );
        assert!(
            v.conflicts.is_empty(),
            "same level: a later decision is not a conflict"
        );
    }
}

#[test]
fn closed_incidents_refuse_updates_and_reopen_only_explicitly() {
    let w = World::new();
    let inc = w.write(&w.village, 0, report(Phase::Initial, None));
    let id = inc.id();
    let fin = w.write(&w.village, 60, report(Phase::Final, Some(id)));
    let late = w.write(&w.village, 70, report(Phase::Update, Some(id)));
    let v = w.fold(&[inc.clone(), fin.clone(), late.clone()], 80);
    assert!(v.incidents[0].closed.is_some());
    assert_eq!(v.conflicts.len(), 1);
    assert_eq!(v.conflicts[0].rule, ConflictRule::ClosedIncident);
    assert!(!v.conflicts[0].applied);
    assert_eq!(v.conflicts[0].other, Some(fin.id()));
    assert_eq!(v.incidents[0].reports.len(), 2);
    assert_eq!(
        v.incidents[0].current.phase,
        Phase::Final,
        "the latest applied report is the state, not the refused one"
    );

    // A 核报 corrects a closed incident without a conflict.
    let verified = w.write(&w.village, 75, report(Phase::Verified, Some(id)));
    // A 续报 from the county, above the village, no longer reopens it.
    let county = w.write(&w.county, 90, report(Phase::Update, Some(id)));
    let all = [inc, fin, late, verified, county.clone()];
    let v = w.fold(&all, 100);
    let i = &v.incidents[0];
    assert!(i.closed.is_some(), "a 续报 never reopens");
    assert_eq!(i.reports.len(), 3);
    assert!(i.verified, "the 核报 stands");
    assert_eq!(i.current.phase, Phase::Verified);
    let applied: Vec<_> = v.conflicts.iter().map(|c| (c.entry, c.applied)).collect();
    assert_eq!(applied, vec![(late_id(&v), false), (county.id(), false)]);
    assert!(v.conflicts[1].zh.contains("重开"), "{}", v.conflicts[1].zh);
    // Activating a response for a closed incident is the same conflict.
    let w2 = World::new();
    let inc = w2.write(&w2.village, 0, report(Phase::Initial, None));
    let fin = w2.write(&w2.county, 10, report(Phase::Final, Some(inc.id())));
    let act = w2.write(
        &w2.county,
        20,
        decision(ResponseAction::Activate, inc.id(), ResponseLevel::IV),
    );
    let end = w2.write(
        &w2.county,
        21,
        decision(ResponseAction::Terminate, inc.id(), ResponseLevel::IV),
    );
    let v = w2.fold(&[inc, fin, act, end.clone()], 30);
    assert_eq!(v.conflicts.len(), 1);
    assert_eq!(v.conflicts[0].rule, ConflictRule::ClosedIncident);
    assert_eq!(
        v.incidents[0].response.as_ref().map(|r| r.entry),
        Some(end.id())
    );
}

fn late_id(v: &liandong_protocol::domain::fold::Views) -> liandong_protocol::EntryId {
    v.conflicts[0].entry
}

#[test]
fn offers_never_go_below_zero_and_returns_give_back() {
    let w = World::new();
    let req = w.write(&w.village, 0, request(None, 5));
    let off = w.write(&w.county, 1, offer(Some(req.id()), 4));
    let c1 = w.write(&w.county, 2, commit(off.id(), req.id(), 3));
    let c2 = w.write(&w.county, 3, commit(off.id(), req.id(), 2));
    let by_other = w.write(&w.fire, 4, commit(off.id(), req.id(), 1));
    let v = w.fold(
        &[
            req.clone(),
            off.clone(),
            c1.clone(),
            c2.clone(),
            by_other.clone(),
        ],
        10,
    );
    let o = v.offer(&off.id()).expect("offer");
    assert_eq!((o.committed, o.remaining), (3, 1));
    assert_eq!(v.conflicts.len(), 1);
    assert_eq!(v.conflicts[0].rule, ConflictRule::OverCommit);
    assert_eq!(v.conflicts[0].entry, c2.id());
    assert!(
        v.conflicts[0].zh.contains("仅剩1艘"),
        "{}",
        v.conflicts[0].zh
    );
    assert_eq!(v.invalid[0].reason.code, ReasonCode::NotOwner);
    let r = v.request(&req.id()).expect("request");
    assert_eq!((r.committed, r.outstanding, r.offers.len()), (3, 2, 1));
    assert_eq!(r.first_commit_ms, Some(at(2)));
    assert_eq!(r.filled_ms, None);

    // Fill the rest from a second offer; deliver; return.
    let off2 = w.write(&w.fire, 5, offer(Some(req.id()), 2));
    let c3 = w.write(&w.fire, 6, commit(off2.id(), req.id(), 2));
    let d1 = w.write(&w.county, 7, status(c1.id(), DeploymentStatus::Dispatched));
    let d2 = w.write(&w.village, 8, status(c1.id(), DeploymentStatus::Delivered));
    let back = w.write(&w.county, 9, status(c1.id(), DeploymentStatus::Dispatched));
    let ret = w.write(&w.county, 10, status(c1.id(), DeploymentStatus::Returned));
    let stranger = w.write(&w.fire, 11, status(c1.id(), DeploymentStatus::Released));
    let all = [
        req.clone(),
        off.clone(),
        c1.clone(),
        c2,
        by_other,
        off2,
        c3,
        d1,
        d2,
        back.clone(),
        ret,
        stranger.clone(),
    ];
    let v = w.fold(&all, 20);
    let r = v.request(&req.id()).expect("request");
    assert_eq!((r.committed, r.outstanding, r.delivered), (5, 0, 3));
    assert_eq!(r.filled_ms, Some(at(6)));
    let o = v.offer(&off.id()).expect("offer");
    assert_eq!(
        (o.committed, o.remaining),
        (0, 4),
        "returned boats are available again"
    );
    let c = v.commit(&c1.id()).expect("commit");
    assert_eq!(c.status, DeploymentStatus::Returned);
    assert!(
        v.conflicts
            .iter()
            .any(|c| c.rule == ConflictRule::StatusRegressed && c.entry == back.id())
    );
    assert!(
        v.invalid
            .iter()
            .any(|x| x.entry == stranger.id() && x.reason.code == ReasonCode::NotParty)
    );
}

#[test]
fn tasks_follow_command_and_move_forward() {
    let w = World::new();
    let t = w.write(
        &w.county,
        0,
        task(None, vec![w.village.id(), w.fire.id()], Some(60)),
    );
    let up = w.write(&w.village, 1, task(None, vec![w.county.id()], None));
    let ack = w.write(
        &w.village,
        5,
        task_update(t.id(), TaskState::Acknowledged, ""),
    );
    let done = w.write(
        &w.village,
        30,
        task_update(t.id(), TaskState::Done, "已转移 37 人"),
    );
    let back = w.write(
        &w.village,
        31,
        task_update(t.id(), TaskState::InProgress, ""),
    );
    let intruder = w.write(&w.town, 32, task_update(t.id(), TaskState::Done, ""));
    let refuse = w.write(
        &w.fire,
        40,
        task_update(t.id(), TaskState::Refused, "力量已全部出动"),
    );
    let v = w.fold(
        &[
            t.clone(),
            up.clone(),
            ack,
            done,
            back.clone(),
            intruder.clone(),
            refuse,
        ],
        90,
    );
    assert_eq!(v.tasks.len(), 1);
    let tv = &v.tasks[0];
    let village = &tv.assignees[0];
    assert_eq!(village.state, TaskState::Done);
    assert_eq!(village.ack_latency_ms, Some(5 * MIN));
    assert_eq!(village.done_ms, Some(at(30)));
    let fire = &tv.assignees[1];
    assert_eq!(
        (fire.state, fire.ack_latency_ms),
        (TaskState::Refused, Some(40 * MIN))
    );
    assert_eq!(fire.note, "力量已全部出动");
    assert_eq!(tv.state, TaskState::Done);
    assert!(!tv.overdue, "everyone finished, one way or the other");
    assert!(
        v.invalid
            .iter()
            .any(|x| x.entry == up.id() && x.reason.code == ReasonCode::NotAuthorized)
    );
    assert!(
        v.invalid
            .iter()
            .any(|x| x.entry == intruder.id() && x.reason.code == ReasonCode::NotAssignee)
    );
    assert_eq!(v.conflicts.len(), 1);
    assert_eq!(v.conflicts[0].rule, ConflictRule::TaskStateRegressed);
    assert_eq!(v.conflicts[0].entry, back.id());

    // Unacknowledged past its due time: overdue.
    let t2 = w.write(&w.county, 0, task(None, vec![w.town.id()], Some(60)));
    let v = w.fold(std::slice::from_ref(&t2), 59);
    assert!(!v.tasks[0].overdue);
    let v = w.fold(&[t2], 61);
    assert!(v.tasks[0].overdue);
    assert_eq!(v.tasks[0].state, TaskState::Assigned);
}

#[test]
fn warnings_need_the_role_and_higher_versions_win() {
    let w = World::new();
    let info = warning_info(WarningColor::Orange, "654203", 0, 600);
    let by_fire = w.write(
        &w.fire,
        0,
        Body::Warning(Box::new(Warning::Issue {
            drill: None,
            info: info.clone(),
        })),
    );
    let issue = w.write(
        &w.weather,
        1,
        Body::Warning(Box::new(Warning::Issue {
            drill: None,
            info: info.clone(),
        })),
    );
    let v = w.fold(&[by_fire.clone(), issue.clone()], 5);
    assert_eq!(v.warnings.len(), 1);
    assert_eq!(v.warnings[0].status, WarningStatus::Active);
    assert!(
        v.invalid
            .iter()
            .any(|x| x.entry == by_fire.id() && x.reason.zh.contains("预警发布权限"))
    );

    // Updates by a higher warning issuer win; a lower issuer's later
    // cancellation is overridden, and shown.
    let mut w = World::new();
    w.grant(w.prefecture.id(), "warning_issuer");
    let issue = w.write(
        &w.weather,
        1,
        Body::Warning(Box::new(Warning::Issue {
            drill: None,
            info: info.clone(),
        })),
    );
    let red = warning_info(WarningColor::Red, "654203", 0, 600);
    let raise = w.write(
        &w.prefecture,
        10,
        Body::Warning(Box::new(Warning::Update {
            warning: issue.id(),
            drill: None,
            info: red,
        })),
    );
    let cancel = w.write(
        &w.weather,
        20,
        Body::Warning(Box::new(Warning::Cancel {
            warning: issue.id(),
            drill: None,
            reason: "水位回落".into(),
        })),
    );
    let entries = [issue.clone(), raise.clone(), cancel.clone()];
    let v = w.fold(&entries, 30);
    let warning = &v.warnings[0];
    assert_eq!(warning.current.color, WarningColor::Red);
    assert_eq!(warning.current_entry, raise.id());
    assert_eq!(warning.status, WarningStatus::Active);
    assert_eq!(v.conflicts.len(), 1);
    assert_eq!(v.conflicts[0].rule, ConflictRule::WarningOverridden);
    assert_eq!(v.conflicts[0].entry, cancel.id());
    assert!(warning.history[2].overridden);
    // The prefecture itself may cancel.
    let end = w.write(
        &w.prefecture,
        25,
        Body::Warning(Box::new(Warning::Cancel {
            warning: issue.id(),
            drill: None,
            reason: "水位回落".into(),
        })),
    );
    let v = w.fold(&[issue.clone(), raise, cancel, end], 30);
    assert_eq!(v.warnings[0].status, WarningStatus::Cancelled);
    assert_eq!(v.warnings[0].cancel_reason.as_deref(), Some("水位回落"));
    // Status follows `now`.
    assert_eq!(
        w.fold(std::slice::from_ref(&issue), 700).warnings[0].status,
        WarningStatus::Expired
    );
    let mut future = info;
    future.effective_ms = at(100);
    let later = w.write(
        &w.weather,
        2,
        Body::Warning(Box::new(Warning::Issue {
            drill: None,
            info: future,
        })),
    );
    assert_eq!(
        w.fold(&[later], 50).warnings[0].status,
        WarningStatus::Pending
    );
}

#[test]
fn plans_are_approved_filed_and_reviewed() {
    let w = World::new();
    let plan = |p: Option<liandong_protocol::EntryId>, version: &str, due: u64| {
        Body::Plan(Box::new(PlanRecord {
            plan: p,
            title: "沙湾市防汛抗旱应急预案".into(),
            version: version.into(),
            events: vec![EventType::new(Category::Natural, "flood_drought")],
            region: rc("654203"),
            summary: String::new(),
            document: None,
            review_due_ms: at(due),
        }))
    };
    let approval = |plan, version, kind| {
        Body::PlanApproval(Box::new(PlanApproval {
            plan,
            version,
            kind,
            note: String::new(),
        }))
    };
    let reg = w.write(&w.county, 0, plan(None, "2023", 1000));
    let id = reg.id();
    let approve = w.write(
        &w.prefecture,
        1,
        approval(id, id, PlanApprovalKind::Approve),
    );
    let self_file = w.write(&w.county, 2, approval(id, id, PlanApprovalKind::File));
    let file = w.write(&w.prefecture, 3, approval(id, id, PlanApprovalKind::File));
    let by_fire = w.write(&w.fire, 4, approval(id, id, PlanApprovalKind::Approve));
    let entries = vec![
        reg.clone(),
        approve,
        self_file.clone(),
        file,
        by_fire.clone(),
    ];
    let v = w.fold(&entries, 10);
    let p = &v.plans[0];
    assert!(p.approved && p.filed && !p.review_overdue);
    assert!(
        v.invalid
            .iter()
            .any(|x| x.entry == self_file.id() && x.reason.zh.contains("备案"))
    );
    assert!(
        v.invalid.iter().any(|x| x.entry == by_fire.id()),
        "a fire brigade approves no plans"
    );
    // A new version needs approval again; reviews fall due.
    let v2 = w.write(&w.county, 20, plan(Some(id), "2024", 30));
    let mut entries = entries;
    entries.push(v2.clone());
    let v = w.fold(&entries, 40);
    let p = &v.plans[0];
    assert_eq!(p.current_version, v2.id());
    assert!(!p.approved && !p.filed && p.review_overdue);
    assert_eq!(p.versions.len(), 2);
    // Plans are real even when activated in a drill: a plan entry with
    // status Exercise is refused.
    let e = w.write_full(
        &w.county,
        Hlc::at_wall(at(50)),
        rc("654203"),
        Status::Exercise,
        plan(None, "x", 100),
    );
    let v = w.fold(&[e], 60);
    assert_eq!(v.invalid[0].reason.code, ReasonCode::WrongTrack);
}

#[test]
fn reporting_deadlines_and_overdue_updates() {
    let w = World::new();
    // A flood that happened at 0, first reported at 90 min: within 2 h.
    let mut flood = flood_report(Phase::Initial, None, 0);
    let e = w.write(
        &w.village,
        90,
        Body::IncidentReport(Box::new(flood.clone())),
    );
    let v = w.fold(std::slice::from_ref(&e), 100);
    let d = &v.incidents[0].deadlines;
    assert_eq!(d.first_report_latency_ms, 90 * MIN);
    assert_eq!(d.first_report_deadline_ms, 120 * MIN);
    assert!(!d.first_report_late);
    assert_eq!(d.next_update_due_ms, Some(at(90 + 240)));
    assert!(!d.update_overdue);
    // `now` only moves the overdue flag.
    let later = w.fold(std::slice::from_ref(&e), 90 + 241);
    assert!(later.incidents[0].deadlines.update_overdue);
    assert_eq!(later.incidents[0].current, v.incidents[0].current);
    // An accident reported 90 min after: 迟报 (1 h).
    flood.event = EventType::new(Category::Accident, "work_safety");
    let e = w.write(&w.village, 90, Body::IncidentReport(Box::new(flood)));
    let v = w.fold(std::slice::from_ref(&e), 100);
    assert!(v.incidents[0].deadlines.first_report_late);
    // Gaps between reports longer than the cadence are counted; closing
    // stops the clock.
    let u1 = w.write(&w.village, 400, report(Phase::Update, Some(e.id())));
    let fin = w.write(&w.village, 500, report(Phase::Final, Some(e.id())));
    let v = w.fold(&[e, u1, fin], 10_000);
    let d = &v.incidents[0].deadlines;
    assert_eq!((d.late_updates, d.max_update_gap_ms), (1, 310 * MIN));
    assert!(!d.update_overdue && d.next_update_due_ms.is_none());
}

#[test]
fn drills_never_mix_with_reality() {
    let w = World::new();
    let start = w.write_full(
        &w.county,
        Hlc::at_wall(at(0)),
        rc("654203"),
        Status::Exercise,
        Body::DrillStart(Box::new(DrillStart {
            name: "防汛联合演练".into(),
            scenario: "西戈壁村河道漫堤".into(),
            region: rc("654203"),
            plan: None,
        })),
    );
    let drill = start.id();
    let mut body = flood_report(Phase::Initial, None, 0);
    body.drill = Some(drill);
    let drill_report = w.write_full(
        &w.village,
        Hlc::at_wall(at(5)),
        rc("654203106201"),
        Status::Exercise,
        Body::IncidentReport(Box::new(body.clone())),
    );
    let real = w.write(&w.village, 6, report(Phase::Initial, None));
    // Mislabelled: an Actual entry naming a drill, an Exercise entry naming none.
    let actual_with_drill = w.write_full(
        &w.village,
        Hlc::at_wall(at(7)),
        rc("654203106201"),
        Status::Actual,
        Body::IncidentReport(Box::new(body.clone())),
    );
    body.drill = None;
    let exercise_without = w.write_full(
        &w.village,
        Hlc::at_wall(at(8)),
        rc("654203106201"),
        Status::Exercise,
        Body::IncidentReport(Box::new(body)),
    );
    let test = w.write_full(
        &w.village,
        Hlc::at_wall(at(9)),
        rc("654203106201"),
        Status::Test,
        report(Phase::Initial, None),
    );
    let mut d = decision(
        ResponseAction::Activate,
        drill_report.id(),
        ResponseLevel::IV,
    );
    if let Body::ResponseDecision(x) = &mut d {
        x.drill = Some(drill);
    }
    let drill_response = w.write_full(
        &w.county,
        Hlc::at_wall(at(10)),
        rc("654203"),
        Status::Exercise,
        d,
    );
    let end = w.write_full(
        &w.county,
        Hlc::at_wall(at(60)),
        rc("654203"),
        Status::Exercise,
        Body::DrillEnd(Box::new(DrillEnd {
            drill,
            summary: "响应及时".into(),
        })),
    );
    let entries = vec![
        start,
        drill_report.clone(),
        real.clone(),
        actual_with_drill,
        exercise_without,
        test,
        drill_response,
        end,
    ];

    let actual = w.fold(&entries, 70);
    assert_eq!(actual.incidents.len(), 1);
    assert_eq!(actual.incidents[0].id, real.id());
    assert!(actual.incidents.iter().all(|i| i.current.drill.is_none()));
    assert_eq!(actual.drills.len(), 1, "reality lists the drill");
    assert_eq!(actual.drills[0].entries, 2);
    assert!(actual.drills[0].ended.is_some());
    assert_eq!(actual.stats.other_track, 2);
    assert_eq!(actual.stats.test, 1);
    let wrong: Vec<_> = actual.invalid.iter().map(|x| x.reason.code).collect();
    assert_eq!(wrong, vec![ReasonCode::WrongTrack, ReasonCode::WrongTrack]);

    let in_drill = w.fold_drill(&entries, drill, 70);
    assert_eq!(in_drill.incidents.len(), 1);
    assert_eq!(in_drill.incidents[0].id, drill_report.id());
    assert!(in_drill.incidents[0].response.is_some());
    assert_eq!(in_drill.stats.other_track, 1, "the real report");
    // Another drill's view holds neither.
    let other = w.fold_drill(&entries, liandong_protocol::EntryId([3; 32]), 70);
    assert!(other.incidents.is_empty());
}

#[test]
fn review_computes_the_timeline_numbers() {
    let w = World::new();
    let mut first = flood_report(Phase::Initial, None, 0);
    first.occurred_ms = at(0);
    let inc = w.write(&w.village, 30, Body::IncidentReport(Box::new(first)));
    let id = inc.id();
    let act = w.write(
        &w.county,
        45,
        decision(ResponseAction::Activate, id, ResponseLevel::IV),
    );
    let req = w.write(&w.village, 50, request(Some(id), 2));
    let off = w.write(&w.county, 52, offer(Some(req.id()), 5));
    let com = w.write(&w.county, 60, commit(off.id(), req.id(), 2));
    let t1 = w.write(
        &w.county,
        61,
        task(Some(id), vec![w.village.id(), w.town.id()], Some(120)),
    );
    let a1 = w.write(
        &w.village,
        64,
        task_update(t1.id(), TaskState::Acknowledged, ""),
    );
    let a2 = w.write(
        &w.town,
        71,
        task_update(t1.id(), TaskState::Acknowledged, ""),
    );
    let d1 = w.write(&w.village, 130, task_update(t1.id(), TaskState::Done, ""));
    let fin = w.write(&w.village, 180, report(Phase::Final, Some(id)));
    let unrelated = w.write(&w.county, 70, task(None, vec![w.fire.id()], None));
    let entries = [inc, act, req, off, com, t1, a1, a2, d1, fin, unrelated];
    let v = w.fold(&entries, 200);
    let r = review(&v, Some(id));
    let i = &r.incidents[0];
    assert_eq!(i.first_report_latency_ms, 30 * MIN);
    assert!(i.first_report_on_time);
    assert_eq!(i.report_to_response_ms, Some(15 * MIN));
    assert_eq!(i.highest_level, Some(ResponseLevel::IV));
    assert_eq!(i.duration_ms, Some(180 * MIN));
    assert_eq!(
        r.tasks.tasks, 1,
        "the unrelated task is not this incident's"
    );
    assert_eq!(r.tasks.assignments, 2);
    assert_eq!(r.tasks.ack_latency.min_ms, Some(3 * MIN));
    assert_eq!(r.tasks.ack_latency.max_ms, Some(10 * MIN));
    assert_eq!(r.tasks.done, 1);
    assert_eq!(r.tasks.done_late, 1, "done at 130, due at 120");
    assert_eq!(r.resources.time_to_first_commit.median_ms, Some(10 * MIN));
    assert_eq!(r.resources.filled, 1);
    assert!(r.timeline.windows(2).all(|p| p[0].at_ms <= p[1].at_ms));
    assert_eq!(
        r.timeline.first().map(|e| e.zh.starts_with("首报")),
        Some(true)
    );
    assert!(r.timeline.iter().any(|e| e.zh == "签收指令"));
    let all = review(&v, None);
    assert_eq!(all.tasks.tasks, 2);
}

#[test]
fn outcome_previews_a_candidate() {
    let w = World::new();
    let inc = w.write(&w.village, 0, report(Phase::Initial, None));
    let mut fold = Fold::new();
    assert!(fold.insert(&inc));
    assert!(!fold.insert(&inc), "a set: inserting twice adds nothing");
    let ctx = w.ctx(10);
    let candidate = |post: &Post, level| Item {
        id: Item::CANDIDATE_ID,
        author: post.id(),
        hlc: Hlc::at_wall(at(5)),
        scope: post.info.region.clone(),
        status: Status::Actual,
        body: decision(ResponseAction::Activate, inc.id(), level),
        operator: None,
    };
    let ok = fold.outcome(
        &ctx,
        Track::Actual,
        &candidate(&w.county, ResponseLevel::IV),
    );
    assert_eq!(ok, Outcome::Applied);
    let refused = fold.outcome(
        &ctx,
        Track::Actual,
        &candidate(&w.county, ResponseLevel::II),
    );
    assert!(matches!(refused, Outcome::Excluded(r) if r.code == ReasonCode::NotAuthorized));
}
