//! One EDXL-RM message as plain data, built from the fold's views for one
//! ledger entry following [`super::mapping::RULES`]. The writer
//! (`writer.rs`) turns it into XML; nothing here knows about XML.

use liandong_protocol::EntryId;
use liandong_protocol::domain::fold::{CommitView, OfferView, RequestView, Track, Views, Who};
use liandong_protocol::domain::{DeploymentStatus, ResourceItem};

use super::mapping::{
    ContactRole, Link, MessageType, ResponseType, Rule, ScheduleType, Step, lists, rule,
};

/// The one ResourceInformation each message carries: a Liandong entry
/// is about one resource, so the element id is always this.
pub const RESOURCE_INFO_ELEMENT_ID: &str = "1";

/// The MessageID of the message made from `entry`: the same entry always
/// gives the same id, and entry ids are hashes, so ids never collide.
pub fn message_id(entry: &EntryId) -> String {
    format!("urn:liandong:entry:{}", entry.to_hex())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub kind: MessageType,
    /// The ledger entry the message was made from.
    pub entry: EntryId,
    pub id: String,
    /// When the entry was written (its HLC wall time), ms since the epoch.
    pub sent_ms: u64,
    pub description: Option<String>,
    pub originating: String,
    pub preceding: Option<String>,
    pub incident: Option<Incident>,
    pub contacts: Vec<Contact>,
    pub info: ResourceInformation,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub id: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub description: String,
    pub role: Option<ContactRole>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceInformation {
    pub element_id: &'static str,
    pub response: Option<Response>,
    pub resource: Resource,
    pub quantity: Quantity,
    pub schedules: Vec<Schedule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub preceding_element_id: &'static str,
    pub kind: ResponseType,
}

/// A value list: a list URN and one value from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub list: &'static str,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub name: String,
    pub type_structure: Value,
    pub keywords: Vec<Value>,
    pub description: Option<String>,
    /// Who holds it (ResponsibleParty/ContactDescription).
    pub holder: Option<String>,
    pub deployment_status: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantity {
    pub amount: u64,
    pub unit: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub kind: ScheduleType,
    pub at_ms: Option<u64>,
    pub location: Option<String>,
}

/// Why a message could not be made: the views do not hold what an entry
/// refers to (a view snapshot of another track, or a bug).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    #[error("{what} {id} is not in the views / 视图中没有该{what_zh}")]
    Missing {
        what: &'static str,
        what_zh: &'static str,
        id: String,
    },
    #[error("no EDXL-RM mapping for {0:?}")]
    NoRule(Step),
}

fn missing(what: &'static str, what_zh: &'static str, id: &EntryId) -> MessageError {
    MessageError::Missing {
        what,
        what_zh,
        id: id.short(),
    }
}

fn find_request<'v>(views: &'v Views, id: &EntryId) -> Result<&'v RequestView, MessageError> {
    views
        .request(id)
        .ok_or_else(|| missing("request", "资源需求", id))
}

fn find_offer<'v>(views: &'v Views, id: &EntryId) -> Result<&'v OfferView, MessageError> {
    views
        .offer(id)
        .ok_or_else(|| missing("offer", "资源提供", id))
}

fn find_commit<'v>(views: &'v Views, id: &EntryId) -> Result<&'v CommitView, MessageError> {
    views
        .commit(id)
        .ok_or_else(|| missing("commitment", "资源承诺", id))
}

fn the_rule(step: Step) -> Result<&'static Rule, MessageError> {
    rule(step).ok_or(MessageError::NoRule(step))
}

/// A post as a contact: its unit name and node id, so a receiver can tell
/// two posts of the same name apart.
fn contact(who: &Who, requester: Option<&Who>) -> Contact {
    let role = if requester.is_some_and(|r| r.node == who.node) {
        ContactRole::Requester
    } else {
        ContactRole::Sender
    };
    Contact {
        description: format!("{} ({})", who.name, who.node.to_hex()),
        role: Some(role),
    }
}

fn non_empty(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn resource(item: &ResourceItem, note: &str) -> Resource {
    Resource {
        name: item.item.clone(),
        type_structure: Value {
            list: lists::RESOURCE_CLASS,
            value: item.class.name().to_string(),
        },
        keywords: item
            .capabilities
            .iter()
            .map(|c| Value {
                list: lists::CAPABILITY,
                value: c.clone(),
            })
            .collect(),
        description: non_empty(note),
        holder: None,
        deployment_status: None,
    }
}

fn quantity(amount: u64, item: &ResourceItem) -> Quantity {
    Quantity {
        amount,
        unit: Value {
            list: lists::UNIT,
            value: item.unit.clone(),
        },
    }
}

fn incident(views: &Views, id: Option<EntryId>) -> Option<Incident> {
    id.map(|id| Incident {
        id: message_id(&id),
        description: views.incident(&id).map(|i| i.current.title.clone()),
    })
}

/// What every message made by `rule` shares; the step's builder fills in
/// the rest.
struct Frame<'a> {
    rule: &'a Rule,
    entry: EntryId,
    sent_ms: u64,
    /// The request the step belongs to; links need only its id.
    request_id: Option<EntryId>,
    /// Its view, when this post holds it (an offer may answer a request
    /// the post has not received).
    request: Option<&'a RequestView>,
    offer: Option<EntryId>,
    previous: Option<EntryId>,
}

impl Frame<'_> {
    fn link(&self, link: Link) -> Option<String> {
        match link {
            Link::Nothing => None,
            Link::Request => self.request_id.map(|r| message_id(&r)),
            Link::Offer => self.offer.map(|o| message_id(&o)),
            Link::PreviousStatus => self.previous.map(|p| message_id(&p)),
        }
    }

    fn message(
        &self,
        views: &Views,
        author: &Who,
        resource: Resource,
        quantity: Quantity,
        mut schedules: Vec<Schedule>,
        place: Option<String>,
    ) -> Message {
        let id = message_id(&self.entry);
        let originating = self.link(self.rule.origin).unwrap_or_else(|| id.clone());
        let requester = self.request.map(|r| &r.by);
        // When (and where) the step happened, if the standard has a
        // schedule type for it; otherwise where the resource now is.
        let now = match self.rule.happened {
            Some(kind) => Some(Schedule {
                kind,
                at_ms: Some(self.sent_ms),
                location: place,
            }),
            None => place.map(|location| Schedule {
                kind: ScheduleType::Current,
                at_ms: None,
                location: Some(location),
            }),
        };
        if let Some(now) = now {
            schedules.insert(0, now);
        }
        let mut resource = resource;
        if let Some(status) = self.rule.deployment_status {
            resource.deployment_status = Some(Value {
                list: lists::DEPLOYMENT_STATUS,
                value: status.name().to_string(),
            });
        }
        if !self.rule.message.names_holder() {
            resource.holder = None;
        }
        let description = match views.track {
            Track::Actual => None,
            // EDXL-RM has no status field of its own (EDXL-DE's envelope
            // carries it); an exercise must never read as real.
            Track::Drill(d) => Some(format!(
                "EXERCISE 演练 {}",
                views.drill(&d).map_or(String::new(), |v| v.name.clone())
            )),
        };
        Message {
            kind: self.rule.message,
            entry: self.entry,
            id,
            sent_ms: self.sent_ms,
            description: description.map(|d| d.trim_end().to_string()),
            originating,
            preceding: self
                .link(self.rule.preceding)
                .filter(|_| self.rule.message.preceding_allowed()),
            incident: incident(views, self.request.and_then(|r| r.incident)),
            contacts: vec![contact(author, requester)],
            info: ResourceInformation {
                element_id: RESOURCE_INFO_ELEMENT_ID,
                response: self.rule.response.map(|kind| Response {
                    preceding_element_id: RESOURCE_INFO_ELEMENT_ID,
                    kind,
                }),
                resource,
                quantity,
                schedules,
            },
        }
    }
}

/// RequestResource for request `id`.
pub fn request(views: &Views, id: &EntryId) -> Result<Message, MessageError> {
    let r = find_request(views, id)?;
    let frame = Frame {
        rule: the_rule(Step::Request)?,
        entry: r.id,
        sent_ms: r.at_ms,
        request_id: Some(r.id),
        request: Some(r),
        offer: None,
        previous: None,
    };
    let schedules = vec![Schedule {
        kind: ScheduleType::RequestedArrival,
        at_ms: r.needed_by_ms,
        location: non_empty(&r.deliver_to),
    }];
    Ok(frame.message(
        views,
        &r.by,
        resource(&r.resource, &r.note),
        quantity(r.quantity, &r.resource),
        schedules,
        None,
    ))
}

/// ResponseToRequestResource for an offer that answers a request, or
/// OfferUnsolicitedResource for a standing inventory / registration.
pub fn offer(views: &Views, id: &EntryId) -> Result<Message, MessageError> {
    let o = find_offer(views, id)?;
    let step = match o.request {
        Some(_) => Step::Offer,
        None => Step::StandingOffer,
    };
    let frame = Frame {
        rule: the_rule(step)?,
        entry: o.id,
        sent_ms: o.at_ms,
        request_id: o.request,
        request: o.request.and_then(|r| views.request(&r)),
        offer: None,
        previous: None,
    };
    let window = [
        (ScheduleType::BeginAvailable, o.available_from_ms),
        (ScheduleType::EndAvailable, o.available_until_ms),
    ];
    let schedules = window
        .into_iter()
        .filter_map(|(kind, at)| {
            at.map(|at| Schedule {
                kind,
                at_ms: Some(at),
                location: None,
            })
        })
        .collect();
    let mut res = resource(&o.resource, &o.note);
    res.holder = non_empty(&o.holder);
    Ok(frame.message(
        views,
        &o.owner,
        res,
        quantity(o.quantity, &o.resource),
        schedules,
        non_empty(&o.location),
    ))
}

/// CommitResource for commit `id`.
pub fn commit(views: &Views, id: &EntryId) -> Result<Message, MessageError> {
    let c = find_commit(views, id)?;
    let o = find_offer(views, &c.offer)?;
    let r = find_request(views, &c.request)?;
    let frame = Frame {
        rule: the_rule(Step::Commit)?,
        entry: c.id,
        sent_ms: c.at_ms,
        request_id: Some(r.id),
        request: Some(r),
        offer: Some(o.id),
        previous: None,
    };
    let schedules = c
        .eta_ms
        .map(|eta| Schedule {
            kind: ScheduleType::EstimatedArrival,
            at_ms: Some(eta),
            location: non_empty(&r.deliver_to),
        })
        .into_iter()
        .collect();
    let mut res = resource(&o.resource, &c.note);
    res.holder = non_empty(&o.holder);
    Ok(frame.message(
        views,
        &c.by,
        res,
        quantity(c.quantity, &o.resource),
        schedules,
        None,
    ))
}

/// The status report `index` (into the commit's history) of commit `id`.
pub fn status(views: &Views, id: &EntryId, index: usize) -> Result<Message, MessageError> {
    let c = find_commit(views, id)?;
    let s = c
        .history
        .get(index)
        .ok_or_else(|| missing("status report", "调运状态", id))?;
    let o = find_offer(views, &c.offer)?;
    let r = find_request(views, &c.request)?;
    let previous = match index.checked_sub(1) {
        Some(p) => c.history.get(p).map_or(c.id, |h| h.entry),
        None => c.id,
    };
    let frame = Frame {
        rule: the_rule(Step::Status(s.status))?,
        entry: s.entry,
        sent_ms: s.at_ms,
        request_id: Some(r.id),
        request: Some(r),
        offer: Some(o.id),
        previous: Some(previous),
    };
    // Where the step happened: at the destination, or where the resource
    // is held (it leaves from there and goes back there).
    let place = match s.status {
        DeploymentStatus::Arrived | DeploymentStatus::Delivered => non_empty(&r.deliver_to),
        _ => non_empty(&o.location),
    };
    let mut res = resource(&o.resource, "");
    res.holder = non_empty(&o.holder);
    Ok(frame.message(
        views,
        &s.by,
        res,
        quantity(c.quantity, &o.resource),
        Vec::new(),
        place,
    ))
}
