//! The export on a hand-built lifecycle: which messages, in which order,
//! linked how; each document parsed back (namespaces, element names and
//! their order, required elements); the same views giving the same bytes.

use liandong_protocol::domain::fold::{
    CommitView, FoldStats, OfferView, RequestView, StatusRef, Track, Views, Who,
};
use liandong_protocol::domain::{DeploymentStatus, ResourceClass, ResourceItem};
use liandong_protocol::level::Level;
use liandong_protocol::{EntryId, NodeId};
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::mapping::{MSG_NS, RM_NS};
use super::message::message_id;
use super::{Document, Selection, export, writer};

/// 2026-11-28 08:00:00 UTC = 16:00 in Beijing.
const T0: u64 = 1_795_852_800_000;
const MIN: u64 = 60_000;

fn id(n: u8) -> EntryId {
    EntryId([n; 32])
}

fn who(n: u8, name: &str, level: Level) -> Who {
    Who {
        node: NodeId([n; 32]),
        name: name.into(),
        level,
        entered_by: None,
    }
}

fn village() -> Who {
    who(0x11, "西戈壁村", Level::Village)
}

fn county() -> Who {
    who(0x22, "沙湾市应急管理局", Level::County)
}

fn boats() -> ResourceItem {
    ResourceItem {
        class: ResourceClass::Material,
        item: "冲锋舟".into(),
        unit: "艘".into(),
        capabilities: Vec::new(),
    }
}

const REQUEST: u8 = 1;
const OFFER: u8 = 2;
const COMMIT: u8 = 3;
const STANDING: u8 = 9;

/// A request for 3 boats, the county's offer of 4, a commitment of 3 and
/// its reports (dispatched, arrived, delivered, returned); and a standing
/// team registration nobody drew on.
fn views() -> Views {
    let statuses = [
        (10, DeploymentStatus::Dispatched, county(), 30),
        (11, DeploymentStatus::Arrived, village(), 90),
        (12, DeploymentStatus::Delivered, village(), 95),
        (13, DeploymentStatus::Returned, county(), 600),
    ];
    let history: Vec<StatusRef> = statuses
        .iter()
        .map(|(n, status, by, m)| StatusRef {
            entry: id(*n),
            status: *status,
            by: by.clone(),
            at_ms: T0 + m * MIN,
        })
        .collect();
    Views {
        track: Track::Actual,
        now_ms: T0 + 700 * MIN,
        incidents: Vec::new(),
        warnings: Vec::new(),
        requests: vec![RequestView {
            id: id(REQUEST),
            by: village(),
            at_ms: T0,
            incident: None,
            resource: boats(),
            quantity: 3,
            deliver_to: "西戈壁村村委会".into(),
            needed_by_ms: Some(T0 + 120 * MIN),
            note: "水深 <1.5m> & 流急".into(),
            committed: 3,
            delivered: 3,
            outstanding: 0,
            overfilled: false,
            offers: vec![id(OFFER)],
            commits: vec![id(COMMIT)],
            first_commit_ms: Some(T0 + 10 * MIN),
            filled_ms: Some(T0 + 10 * MIN),
            overdue: false,
        }],
        offers: vec![
            OfferView {
                id: id(OFFER),
                owner: county(),
                at_ms: T0 + 5 * MIN,
                request: Some(id(REQUEST)),
                resource: boats(),
                quantity: 4,
                location: "沙湾市应急物资储备库".into(),
                holder: "沙湾市应急物资储备库".into(),
                available_from_ms: None,
                available_until_ms: None,
                note: String::new(),
                committed: 0,
                remaining: 4,
                commits: vec![id(COMMIT)],
            },
            OfferView {
                id: id(STANDING),
                owner: county(),
                at_ms: T0 - 1000 * MIN,
                request: None,
                resource: ResourceItem {
                    class: ResourceClass::Team,
                    item: "水域救援队".into(),
                    unit: "人".into(),
                    capabilities: vec!["水域救援".into(), "医疗".into()],
                },
                quantity: 12,
                location: "沙湾市消防救援大队".into(),
                holder: "沙湾市消防救援大队".into(),
                available_from_ms: Some(T0 - 1000 * MIN),
                available_until_ms: Some(T0 + 10_000 * MIN),
                note: String::new(),
                committed: 0,
                remaining: 12,
                commits: Vec::new(),
            },
        ],
        commits: vec![CommitView {
            id: id(COMMIT),
            by: county(),
            at_ms: T0 + 10 * MIN,
            offer: id(OFFER),
            request: id(REQUEST),
            quantity: 3,
            surplus: false,
            eta_ms: Some(T0 + 80 * MIN),
            note: String::new(),
            status: DeploymentStatus::Returned,
            status_ms: T0 + 600 * MIN,
            history,
        }],
        tasks: Vec::new(),
        plans: Vec::new(),
        drills: Vec::new(),
        forces: Vec::new(),
        conflicts: Vec::new(),
        invalid: Vec::new(),
        stats: FoldStats::default(),
    }
}

/// An element parsed back: its namespace, local name, text, children.
#[derive(Debug)]
struct El {
    ns: String,
    name: String,
    text: String,
    children: Vec<El>,
}

impl El {
    fn names(&self) -> Vec<&str> {
        self.children.iter().map(|c| c.name.as_str()).collect()
    }

    fn child(&self, name: &str) -> &El {
        self.children
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("{} has no {name}: {:?}", self.name, self.names()))
    }

    fn has(&self, name: &str) -> bool {
        self.children.iter().any(|c| c.name == name)
    }

    fn at(&self, path: &[&str]) -> &El {
        path.iter().fold(self, |el, name| el.child(name))
    }

    /// Every element below (and including) this one.
    fn walk<'a>(&'a self, out: &mut Vec<&'a El>) {
        out.push(self);
        for c in &self.children {
            c.walk(out);
        }
    }
}

fn namespace(r: &ResolveResult<'_>) -> String {
    match r {
        ResolveResult::Bound(ns) => ns.as_ref().to_string(),
        other => panic!("element outside any namespace: {other:?}"),
    }
}

/// Parses a document with quick-xml's namespace-aware reader, failing on
/// anything not well-formed.
fn parse(xml: &[u8]) -> El {
    let text = std::str::from_utf8(xml).expect("UTF-8");
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<El> = Vec::new();
    let mut root = None;
    loop {
        let (ns, event) = reader.read_resolved_event().expect("well-formed XML");
        match event {
            Event::Start(e) => stack.push(El {
                ns: namespace(&ns),
                name: e.local_name().as_ref().to_string(),
                text: String::new(),
                children: Vec::new(),
            }),
            Event::End(_) => {
                let mut done = stack.pop().expect("balanced");
                // Indentation between elements is no content.
                done.text = done.text.trim().to_string();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Empty(e) => panic!("empty element {:?}", e.local_name()),
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let name = r.as_ref().to_string();
                let resolved = resolve_predefined_entity(&name).expect("predefined entity");
                stack.last_mut().expect("inside").text.push_str(resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unclosed elements");
    root.expect("a root element")
}

fn all() -> Vec<Document> {
    export(&views(), &Selection::All).expect("export")
}

fn kinds(docs: &[Document]) -> Vec<&'static str> {
    docs.iter().map(|d| d.kind.name()).collect()
}

#[test]
fn the_lifecycle_becomes_the_standards_messages_in_order() {
    let docs = all();
    assert_eq!(
        kinds(&docs),
        [
            "RequestResource",
            "ResponseToRequestResource",
            "CommitResource",
            "ReportResourceDeploymentStatus",
            "ReportResourceDeploymentStatus",
            "ReportResourceDeploymentStatus",
            "ReportResourceDeploymentStatus",
            "OfferUnsolicitedResource",
        ]
    );
    let entries: Vec<EntryId> = docs.iter().map(|d| d.entry).collect();
    let expected: Vec<EntryId> = [REQUEST, OFFER, COMMIT, 10, 11, 12, 13, STANDING]
        .into_iter()
        .map(id)
        .collect();
    assert_eq!(entries, expected);
    assert_eq!(
        docs[2].file_name,
        format!("003-CommitResource-{}.xml", id(COMMIT).short())
    );
}

#[test]
fn every_document_has_the_header_in_the_schemas_order() {
    let header = [
        "MessageID",
        "SentDateTime",
        "MessageContentType",
        "MessageDescription",
        "OriginatingMessageID",
        "PrecedingMessageID",
        "IncidentInformation",
        "MessageRecall",
        "Funding",
        "ContactInformation",
        "ResourceInformation",
    ];
    let info = [
        "ResourceInfoElementID",
        "ResponseInformation",
        "Resource",
        "AssignmentInformation",
        "ScheduleInformation",
    ];
    let position = |order: &[&str], name: &str| {
        order
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| panic!("unexpected element {name}"))
    };
    for doc in all() {
        let root = parse(&doc.xml);
        assert_eq!(root.ns, MSG_NS);
        assert_eq!(root.name, doc.kind.name());
        let names = root.names();
        let mut sorted = names.clone();
        sorted.sort_by_key(|n| position(&header, n));
        assert_eq!(names, sorted, "{}", root.name);
        for required in [
            "MessageID",
            "SentDateTime",
            "MessageContentType",
            "OriginatingMessageID",
            "ContactInformation",
            "ResourceInformation",
        ] {
            assert!(root.has(required), "{} lacks {required}", root.name);
        }
        assert_eq!(root.child("MessageContentType").text, doc.kind.name());
        assert_eq!(root.child("MessageID").text, doc.message_id);
        let ri = root.child("ResourceInformation");
        let names = ri.names();
        let mut sorted = names.clone();
        sorted.sort_by_key(|n| position(&info, n));
        assert_eq!(names, sorted);
        assert_eq!(ri.child("ResourceInfoElementID").text, "1");
        assert_eq!(
            ri.has("ResponseInformation"),
            doc.kind.is_response(),
            "{}",
            root.name
        );
        let resource = ri.child("Resource");
        assert_eq!(resource.names()[..2], ["Name", "TypeStructure"]);
        let amount = ri.at(&[
            "AssignmentInformation",
            "Quantity",
            "MeasuredQuantity",
            "Amount",
        ]);
        assert_eq!(amount.ns, RM_NS);
        assert!(amount.text.parse::<u64>().is_ok(), "{}", amount.text);
    }
}

#[test]
fn common_type_children_are_in_the_rm_namespace_and_the_rest_in_msg() {
    // The children of the common types (EDXL-RMCommonTypes.xsd); every
    // other element is declared by the message schema.
    let rm = [
        "ContactDescription",
        "ContactRole",
        "ValueListURN",
        "Value",
        "MeasuredQuantity",
        "Amount",
        "UnitOfMeasure",
        "LocationDescription",
        "IncidentID",
        "IncidentDescription",
        "PrecedingResourceInfoElementID",
        "ResponseType",
    ];
    for doc in all() {
        let root = parse(&doc.xml);
        let mut els = Vec::new();
        root.walk(&mut els);
        for el in els {
            let want = if rm.contains(&el.name.as_str()) {
                RM_NS
            } else {
                MSG_NS
            };
            assert_eq!(el.ns, want, "{} in {}", el.name, root.name);
        }
    }
}

#[test]
fn messages_follow_each_other_by_id() {
    let docs = all();
    let roots: Vec<El> = docs.iter().map(|d| parse(&d.xml)).collect();
    let text = |i: usize, name: &str| roots[i].child(name).text.clone();
    let request_id = message_id(&id(REQUEST));
    // The request opens the exchange: it originates it, follows nothing.
    assert_eq!(text(0, "MessageID"), request_id);
    assert_eq!(text(0, "OriginatingMessageID"), request_id);
    assert!(!roots[0].has("PrecedingMessageID"));
    // The offer answers the request.
    assert_eq!(text(1, "OriginatingMessageID"), request_id);
    assert_eq!(text(1, "PrecedingMessageID"), request_id);
    // The commitment follows the offer; the reports follow each other.
    assert_eq!(text(2, "PrecedingMessageID"), message_id(&id(OFFER)));
    assert_eq!(text(3, "PrecedingMessageID"), message_id(&id(COMMIT)));
    assert_eq!(text(4, "PrecedingMessageID"), message_id(&id(10)));
    for i in 1..7 {
        assert_eq!(text(i, "OriginatingMessageID"), request_id, "message {i}");
    }
    // The standing offer opens its own exchange.
    assert_eq!(text(7, "OriginatingMessageID"), text(7, "MessageID"));
    assert!(!roots[7].has("PrecedingMessageID"));
}

#[test]
fn values_carry_the_lifecycle() {
    let docs = all();
    let roots: Vec<El> = docs.iter().map(|d| parse(&d.xml)).collect();
    let request = &roots[0];
    assert_eq!(
        request.child("SentDateTime").text,
        "2026-11-28T16:00:00+08:00"
    );
    let contact = request.child("ContactInformation");
    assert_eq!(contact.child("ContactRole").text, "Requester");
    assert!(
        contact
            .child("ContactDescription")
            .text
            .starts_with("西戈壁村 (")
    );
    let ri = request.child("ResourceInformation");
    assert_eq!(ri.at(&["Resource", "Name"]).text, "冲锋舟");
    assert_eq!(
        ri.at(&["Resource", "TypeStructure", "Value"]).text,
        "material"
    );
    // Text is escaped on the way out and comes back the same.
    assert_eq!(
        ri.at(&["Resource", "Description"]).text,
        "水深 <1.5m> & 流急"
    );
    assert!(!ri.child("Resource").has("ResponsibleParty"));
    let measured = ri.at(&["AssignmentInformation", "Quantity", "MeasuredQuantity"]);
    assert_eq!(measured.child("Amount").text, "3");
    assert_eq!(measured.at(&["UnitOfMeasure", "Value"]).text, "艘");
    let schedule = ri.child("ScheduleInformation");
    assert_eq!(schedule.child("ScheduleType").text, "RequestedArrival");
    assert_eq!(schedule.child("DateTime").text, "2026-11-28T18:00:00+08:00");
    assert_eq!(
        schedule.at(&["Location", "LocationDescription"]).text,
        "西戈壁村村委会"
    );

    let commit = &roots[2];
    let ri = commit.child("ResourceInformation");
    assert_eq!(
        ri.at(&["ResponseInformation", "ResponseType"]).text,
        "Accept"
    );
    assert_eq!(
        ri.at(&["Resource", "ResourceStatus", "DeploymentStatus", "Value"])
            .text,
        "committed"
    );
    let types: Vec<&str> = ri
        .children
        .iter()
        .filter(|c| c.name == "ScheduleInformation")
        .map(|s| s.child("ScheduleType").text.as_str())
        .collect();
    assert_eq!(types, ["Committed", "EstimatedArrival"]);
    assert_eq!(
        commit.child("ContactInformation").child("ContactRole").text,
        "Sender"
    );

    let statuses: Vec<(&str, &str)> = roots[3..7]
        .iter()
        .map(|r| {
            let ri = r.child("ResourceInformation");
            (
                ri.at(&["Resource", "ResourceStatus", "DeploymentStatus", "Value"])
                    .text
                    .as_str(),
                ri.at(&["ScheduleInformation", "ScheduleType"])
                    .text
                    .as_str(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("dispatched", "ActualDeparture"),
            ("arrived", "ActualArrival"),
            ("delivered", "Current"),
            ("returned", "ActualReturnArrival"),
        ]
    );
    // Arrival is reported by the requesting village.
    assert_eq!(
        roots[4]
            .child("ContactInformation")
            .child("ContactRole")
            .text,
        "Requester"
    );

    let standing = roots[7].child("ResourceInformation");
    let keywords: Vec<&str> = standing
        .child("Resource")
        .children
        .iter()
        .filter(|c| c.name == "Keyword")
        .map(|k| k.child("Value").text.as_str())
        .collect();
    assert_eq!(keywords, ["水域救援", "医疗"]);
    assert_eq!(
        standing
            .at(&["Resource", "ResponsibleParty", "ContactDescription"])
            .text,
        "沙湾市消防救援大队"
    );
}

#[test]
fn the_same_views_give_the_same_bytes() {
    let a = all();
    let b = all();
    assert_eq!(a, b);
    // And a view's JSON round trip (the running node's path) changes
    // nothing either.
    let json = serde_json::to_vec(&views()).expect("JSON");
    let back: Views = serde_json::from_slice(&json).expect("views");
    assert_eq!(export(&back, &Selection::All).expect("export"), a);
}

#[test]
fn a_selection_exports_one_lifecycle() {
    let v = views();
    let request = export(&v, &Selection::Request(id(REQUEST))).expect("export");
    assert_eq!(request.len(), 7);
    assert!(request.iter().all(|d| d.entry != id(STANDING)));
    let standing = export(&v, &Selection::Offer(id(STANDING))).expect("export");
    assert_eq!(kinds(&standing), ["OfferUnsolicitedResource"]);
    // An offer's lifecycle starts at the request it answers.
    let offer = export(&v, &Selection::Offer(id(OFFER))).expect("export");
    assert_eq!(offer.len(), 7);
    assert_eq!(offer[0].kind.name(), "RequestResource");
    assert!(
        export(&v, &Selection::Request(id(0x77)))
            .expect("export")
            .is_empty()
    );
}

#[test]
fn released_becomes_release_resource() {
    let mut v = views();
    let last = v.commits[0].history.last_mut().expect("a report");
    last.status = DeploymentStatus::Released;
    let docs = export(&v, &Selection::Request(id(REQUEST))).expect("export");
    let release = docs.last().expect("messages");
    assert_eq!(release.kind.name(), "ReleaseResource");
    let root = parse(&release.xml);
    assert_eq!(
        root.at(&[
            "ResourceInformation",
            "Resource",
            "ResourceStatus",
            "DeploymentStatus",
            "Value"
        ])
        .text,
        "released"
    );
    assert!(root.has("PrecedingMessageID"));
}

#[test]
fn a_drill_export_says_it_is_an_exercise() {
    let mut v = views();
    v.track = Track::Drill(id(0x55));
    for doc in export(&v, &Selection::All).expect("export") {
        let root = parse(&doc.xml);
        assert!(
            root.child("MessageDescription")
                .text
                .starts_with("EXERCISE 演练"),
            "{}",
            root.name
        );
    }
}

#[test]
fn times_are_beijing_time_with_their_offset() {
    assert_eq!(writer::date_time(T0), "2026-11-28T16:00:00+08:00");
    assert_eq!(writer::date_time(0), "1970-01-01T08:00:00+08:00");
    assert_eq!(writer::date_time(u64::MAX), "9999-12-31T23:59:59+08:00");
}

#[test]
fn the_incident_a_request_serves_is_named_in_every_message_of_it() {
    let mut v = views();
    v.requests[0].incident = Some(id(0x44));
    let docs = export(&v, &Selection::Request(id(REQUEST))).expect("export");
    for doc in docs {
        let root = parse(&doc.xml);
        let incident = root.child("IncidentInformation");
        assert_eq!(incident.child("IncidentID").text, message_id(&id(0x44)));
        // The incident is not in these views: no description is made up.
        assert!(!incident.has("IncidentDescription"));
    }
}

#[test]
fn an_offer_answering_a_request_this_post_lacks_still_names_it() {
    let mut v = views();
    // The village's request never reached this post; the county's offer
    // answering it did.
    v.requests.clear();
    v.commits.clear();
    v.offers[0].commits.clear();
    let docs = export(&v, &Selection::All).expect("export");
    assert_eq!(
        kinds(&docs),
        ["ResponseToRequestResource", "OfferUnsolicitedResource"]
    );
    let root = parse(&docs[0].xml);
    let request_id = message_id(&id(REQUEST));
    assert_eq!(root.child("OriginatingMessageID").text, request_id);
    assert_eq!(root.child("PrecedingMessageID").text, request_id);
    assert_eq!(
        root.child("ContactInformation").child("ContactRole").text,
        "Sender"
    );
}

#[test]
fn characters_xml_cannot_carry_are_replaced_not_written() {
    let mut v = views();
    v.requests[0].note = "水位\u{0}上涨\u{1b}[31m\u{FFFF}".into();
    let docs = export(&v, &Selection::Request(id(REQUEST))).expect("export");
    let root = parse(&docs[0].xml);
    assert_eq!(
        root.at(&["ResourceInformation", "Resource", "Description"])
            .text,
        "水位\u{FFFD}上涨\u{FFFD}[31m\u{FFFD}"
    );
    assert_eq!(writer::xml_safe("a\tb\nc"), "a\tb\nc");
}
