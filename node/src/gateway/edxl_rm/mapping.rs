//! Which EDXL-RM 1.0 message each step of a Liandong resource lifecycle
//! becomes, as a table (`RULES`), and the names the standard gives to the
//! values this export uses.
//!
//! The lifecycle (`liandong_protocol::linkage::resource`) is request → offer
//! (or a standing inventory) → commit by the owner → dispatched → arrived →
//! delivered → released | returned. EDXL-RM's own exchange is
//! RequestResource → ResponseToRequestResource → RequisitionResource →
//! CommitResource → ReportResourceDeploymentStatus … ReleaseResource;
//! Liandong has no separate requisition (the owner commits an offer to a
//! request directly), so a commit follows the offer.

use liandong_protocol::domain::DeploymentStatus;

/// The namespace of the message elements and of the elements the message
/// schemas declare locally (`EDXL-RM<Message>.xsd`).
pub const MSG_NS: &str = "urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg";
/// The namespace of the common types (`EDXL-RMCommonTypes.xsd`): the
/// children of ContactInformation, ValueList, Quantity, Location,
/// IncidentInformation and ResponseInformation.
pub const RM_NS: &str = "urn:oasis:names:tc:emergency:EDXL:RM:1.0";
/// The prefix used for [`RM_NS`]; the message namespace is the default.
pub const RM_PREFIX: &str = "rm";

/// Value lists this export names. EDXL-RM 1.0 types a resource, its
/// keywords, its unit of measure and its deployment status as value lists
/// (a list URN plus values) and leaves the lists to the communities using
/// it; these are Liandong's.
pub mod lists {
    /// `material`, `team`, `volunteer`.
    pub const RESOURCE_CLASS: &str = "urn:liandong:vocab:resource-class";
    /// A team's or volunteers' capabilities, as the operator wrote them.
    pub const CAPABILITY: &str = "urn:liandong:vocab:capability";
    /// The unit of measure, as the operator wrote it (艘, 顶, 人).
    pub const UNIT: &str = "urn:liandong:vocab:unit";
    /// `committed`, `dispatched`, `arrived`, `delivered`, `released`,
    /// `returned` ([`DeploymentStatus::name`]).
    pub const DEPLOYMENT_STATUS: &str = "urn:liandong:vocab:deployment-status";
}

/// The EDXL-RM 1.0 message types this export writes. The root element and
/// the MessageContentType value are the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MessageType {
    RequestResource,
    ResponseToRequestResource,
    OfferUnsolicitedResource,
    CommitResource,
    ReportResourceDeploymentStatus,
    ReleaseResource,
}

impl MessageType {
    pub const fn name(self) -> &'static str {
        match self {
            MessageType::RequestResource => "RequestResource",
            MessageType::ResponseToRequestResource => "ResponseToRequestResource",
            MessageType::OfferUnsolicitedResource => "OfferUnsolicitedResource",
            MessageType::CommitResource => "CommitResource",
            MessageType::ReportResourceDeploymentStatus => "ReportResourceDeploymentStatus",
            MessageType::ReleaseResource => "ReleaseResource",
        }
    }

    /// The standard requires PrecedingMessageID in responses and forbids
    /// it in the two messages that open an exchange.
    pub const fn preceding_allowed(self) -> bool {
        !matches!(
            self,
            MessageType::RequestResource | MessageType::OfferUnsolicitedResource
        )
    }

    /// Responses (and only they) carry ResponseInformation.
    pub const fn is_response(self) -> bool {
        matches!(
            self,
            MessageType::ResponseToRequestResource | MessageType::CommitResource
        )
    }

    /// ResponsibleParty (who holds the resource) is not allowed in a
    /// request, and means nothing there.
    pub const fn names_holder(self) -> bool {
        !matches!(self, MessageType::RequestResource)
    }
}

/// `ContactRole` values (`ContactRoleType` in the common types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactRole {
    Sender,
    Requester,
}

impl ContactRole {
    pub const fn name(self) -> &'static str {
        match self {
            ContactRole::Sender => "Sender",
            ContactRole::Requester => "Requester",
        }
    }
}

/// `ResponseType` values (`ResponseTypeType`): Accept, Decline,
/// Provisional. Liandong records only what was offered or committed, never
/// a refusal, so only Accept is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    Accept,
}

impl ResponseType {
    pub const fn name(self) -> &'static str {
        match self {
            ResponseType::Accept => "Accept",
        }
    }
}

/// `ScheduleType` values used here (the standard lists eighteen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ScheduleType {
    RequestedArrival,
    EstimatedArrival,
    ActualArrival,
    ActualDeparture,
    ActualReturnArrival,
    BeginAvailable,
    EndAvailable,
    Committed,
    Current,
}

impl ScheduleType {
    pub const fn name(self) -> &'static str {
        match self {
            ScheduleType::RequestedArrival => "RequestedArrival",
            ScheduleType::EstimatedArrival => "EstimatedArrival",
            ScheduleType::ActualArrival => "ActualArrival",
            ScheduleType::ActualDeparture => "ActualDeparture",
            ScheduleType::ActualReturnArrival => "ActualReturnArrival",
            ScheduleType::BeginAvailable => "BeginAvailable",
            ScheduleType::EndAvailable => "EndAvailable",
            ScheduleType::Committed => "Committed",
            ScheduleType::Current => "Current",
        }
    }
}

/// A step of a Liandong resource lifecycle: one ledger entry each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A resource request (资源需求).
    Request,
    /// An offer that answers a request.
    Offer,
    /// An offer with no request: a standing inventory or a team /
    /// volunteer registration (物资储备, 救援力量储备库).
    StandingOffer,
    /// The owner commits part of an offer to a request (承诺调拨).
    Commit,
    /// A deployment status report (never `Committed`: the commit is that).
    Status(DeploymentStatus),
}

/// Which earlier message a message follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// None: the message opens an exchange.
    Nothing,
    /// The request's RequestResource.
    Request,
    /// The offer's ResponseToRequestResource or OfferUnsolicitedResource.
    Offer,
    /// The commit's previous status report, or the CommitResource when
    /// this is the first.
    PreviousStatus,
}

/// How one lifecycle step is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub step: Step,
    pub message: MessageType,
    /// OriginatingMessageID: the message that opened the exchange (the
    /// request's), or this message itself when `Nothing`.
    pub origin: Link,
    /// PrecedingMessageID.
    pub preceding: Link,
    pub response: Option<ResponseType>,
    /// The value written as Resource/ResourceStatus/DeploymentStatus in
    /// [`lists::DEPLOYMENT_STATUS`].
    pub deployment_status: Option<DeploymentStatus>,
    /// The ScheduleInformation stamped with the entry's own time (when the
    /// step happened), if the step is one the standard schedules.
    pub happened: Option<ScheduleType>,
}

const fn status_rule(
    status: DeploymentStatus,
    message: MessageType,
    happened: Option<ScheduleType>,
) -> Rule {
    Rule {
        step: Step::Status(status),
        message,
        origin: Link::Request,
        preceding: Link::PreviousStatus,
        response: None,
        deployment_status: Some(status),
        happened,
    }
}

/// The mapping, one row per lifecycle step.
pub const RULES: [Rule; 9] = [
    Rule {
        step: Step::Request,
        message: MessageType::RequestResource,
        origin: Link::Nothing,
        preceding: Link::Nothing,
        response: None,
        deployment_status: None,
        happened: None,
    },
    Rule {
        step: Step::Offer,
        message: MessageType::ResponseToRequestResource,
        origin: Link::Request,
        preceding: Link::Request,
        response: Some(ResponseType::Accept),
        deployment_status: None,
        happened: None,
    },
    Rule {
        step: Step::StandingOffer,
        message: MessageType::OfferUnsolicitedResource,
        origin: Link::Nothing,
        preceding: Link::Nothing,
        response: None,
        deployment_status: None,
        happened: None,
    },
    Rule {
        step: Step::Commit,
        message: MessageType::CommitResource,
        origin: Link::Request,
        preceding: Link::Offer,
        response: Some(ResponseType::Accept),
        deployment_status: Some(DeploymentStatus::Committed),
        happened: Some(ScheduleType::Committed),
    },
    status_rule(
        DeploymentStatus::Dispatched,
        MessageType::ReportResourceDeploymentStatus,
        Some(ScheduleType::ActualDeparture),
    ),
    status_rule(
        DeploymentStatus::Arrived,
        MessageType::ReportResourceDeploymentStatus,
        Some(ScheduleType::ActualArrival),
    ),
    // Handed over: a status, with no schedule type of its own.
    status_rule(
        DeploymentStatus::Delivered,
        MessageType::ReportResourceDeploymentStatus,
        None,
    ),
    // Released from the incident: the standard's own message for it.
    status_rule(
        DeploymentStatus::Released,
        MessageType::ReleaseResource,
        None,
    ),
    // Back with its owner: a fact reported, not RequestReturn (a request
    // for the return, which Liandong has no step for).
    status_rule(
        DeploymentStatus::Returned,
        MessageType::ReportResourceDeploymentStatus,
        Some(ScheduleType::ActualReturnArrival),
    ),
];

/// The rule for `step`. Every step has one (tested); `None` only for a
/// status report of `Committed`, which the protocol refuses.
pub fn rule(step: Step) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.step == step)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_STEPS: [Step; 8] = [
        Step::Request,
        Step::Offer,
        Step::StandingOffer,
        Step::Commit,
        Step::Status(DeploymentStatus::Dispatched),
        Step::Status(DeploymentStatus::Arrived),
        Step::Status(DeploymentStatus::Delivered),
        Step::Status(DeploymentStatus::Released),
    ];

    #[test]
    fn every_step_has_exactly_one_rule() {
        let mut steps = ALL_STEPS.to_vec();
        steps.push(Step::Status(DeploymentStatus::Returned));
        for step in &steps {
            let n = RULES.iter().filter(|r| r.step == *step).count();
            assert_eq!(n, 1, "{step:?}");
        }
        assert_eq!(RULES.len(), steps.len());
        assert!(rule(Step::Status(DeploymentStatus::Committed)).is_none());
    }

    #[test]
    fn the_table_follows_the_standards_rules() {
        for r in &RULES {
            let opens = r.preceding == Link::Nothing;
            // RequestResource and OfferUnsolicitedResource open an
            // exchange and may not name a preceding message; every other
            // message here answers one.
            assert_eq!(!r.message.preceding_allowed(), opens, "{r:?}");
            assert_eq!(r.origin == Link::Nothing, opens, "{r:?}");
            assert_eq!(r.message.is_response(), r.response.is_some(), "{r:?}");
        }
    }

    #[test]
    fn lifecycle_steps_become_the_standards_messages() {
        let message = |s| rule(s).map(|r| r.message.name());
        assert_eq!(message(Step::Request), Some("RequestResource"));
        assert_eq!(message(Step::Offer), Some("ResponseToRequestResource"));
        assert_eq!(
            message(Step::StandingOffer),
            Some("OfferUnsolicitedResource")
        );
        assert_eq!(message(Step::Commit), Some("CommitResource"));
        assert_eq!(
            message(Step::Status(DeploymentStatus::Dispatched)),
            Some("ReportResourceDeploymentStatus")
        );
        assert_eq!(
            message(Step::Status(DeploymentStatus::Released)),
            Some("ReleaseResource")
        );
        assert_eq!(
            message(Step::Status(DeploymentStatus::Returned)),
            Some("ReportResourceDeploymentStatus")
        );
    }
}
