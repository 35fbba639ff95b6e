//! Entry kinds.
//!
//! A kind is a number, not a Rust enum on the wire, so that adding a kind is
//! not a format break. The body travels as opaque bytes inside the signed
//! entry, and the policy for a kind this code does not know is:
//!
//! - it is **accepted, stored and relayed** like any other entry, after every
//!   check that does not need the body (size, network, version, chain,
//!   time, scope, signature) — so an older node never splits the network
//!   or loses a newer node's entries while it waits for an upgrade;
//! - it counts in digests and sync like any entry;
//! - views ignore it, and `liandong log` shows it as "unknown kind N".
//!
//! Numbers are never reused. Ranges: 1–99 ledger core, 100–199 trust,
//! 200–499 linkage domain.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Kind(pub u16);

impl Kind {
    /// A post's self-description.
    pub const POST_PROFILE: Kind = Kind(1);
    /// A free-text situation note.
    pub const NOTE: Kind = Kind(2);
    /// Where a post is (its map position), from its config.
    pub const POST_PLACE: Kind = Kind(3);
    /// A post announces its X25519 key for restricted entries (加密公钥),
    /// authored by the post itself; a higher `number` rotates it.
    pub const AGREEMENT_KEY: Kind = Kind(4);
    /// A restricted entry (受限信息): the body is a sealed envelope that only
    /// its audience can open (`restricted::Sealed`).
    pub const RESTRICTED: Kind = Kind(5);
    /// A certificate: a parent post vouches for a key (trust range).
    pub const CERTIFICATE: Kind = Kind(100);
    /// A revocation of a certified key by its issuer or an ancestor.
    pub const REVOCATION: Kind = Kind(101);
    /// Evidence that a key signed two entries at one sequence number.
    pub const EQUIVOCATION: Kind = Kind(102);

    // 200–499: the linkage domain (应急联动): reports, warnings, resources …
    /// An incident report: 首报, 续报, 终报 or 核报.
    pub const INCIDENT_REPORT: Kind = Kind(200);
    /// A response decision: activate, adjust or terminate a level Ⅰ–Ⅳ response.
    pub const RESPONSE_DECISION: Kind = Kind(210);
    /// A warning: issue, update or cancel.
    pub const WARNING: Kind = Kind(220);
    /// A warning received from outside the network as CAP, recorded whole.
    pub const EXTERNAL_WARNING: Kind = Kind(221);
    /// A request for resources.
    pub const RESOURCE_REQUEST: Kind = Kind(230);
    /// An offer of resources, or a standing inventory / team registration.
    pub const RESOURCE_OFFER: Kind = Kind(231);
    /// The owner commits part of an offer to a request.
    pub const RESOURCE_COMMIT: Kind = Kind(232);
    /// Where a committed resource is: dispatched … returned.
    pub const RESOURCE_STATUS: Kind = Kind(233);
    /// A commitment explicitly marked as surplus (超额承诺): the same body as
    /// [`Kind::RESOURCE_COMMIT`], allowed to exceed what the request still
    /// needs. A kind of its own, so that commitments written before the
    /// mark existed keep their encoding.
    pub const RESOURCE_COMMIT_SURPLUS: Kind = Kind(234);
    /// A rescue force's record (救援力量储备库): its registration, or its
    /// whole state after a change. Older posts store and relay it unread.
    pub const RESCUE_FORCE: Kind = Kind(235);
    /// A task (指令) assigned to posts.
    pub const TASK: Kind = Kind(240);
    /// An assignee acknowledges, works on, completes or refuses a task.
    pub const TASK_UPDATE: Kind = Kind(241);
    /// A plan (预案), or a new version of one.
    pub const PLAN: Kind = Kind(250);
    /// A plan version is approved (批准) or filed (备案).
    pub const PLAN_APPROVAL: Kind = Kind(251);
    /// A plan is activated for an incident.
    pub const PLAN_ACTIVATION: Kind = Kind(252);
    /// A drill starts; its entry id is the drill id.
    pub const DRILL_START: Kind = Kind(260);
    /// A drill ends.
    pub const DRILL_END: Kind = Kind(261);
    /// A joint consultation about an incident.
    pub const CONSULTATION: Kind = Kind(270);
    /// A public information release about an incident.
    pub const INFO_RELEASE: Kind = Kind(271);

    /// The kinds this code can decode.
    pub const KNOWN: &'static [Kind] = &[
        Kind::POST_PROFILE,
        Kind::NOTE,
        Kind::POST_PLACE,
        Kind::CERTIFICATE,
        Kind::REVOCATION,
        Kind::EQUIVOCATION,
        Kind::INCIDENT_REPORT,
        Kind::RESPONSE_DECISION,
        Kind::WARNING,
        Kind::EXTERNAL_WARNING,
        Kind::RESOURCE_REQUEST,
        Kind::RESOURCE_OFFER,
        Kind::RESOURCE_COMMIT,
        Kind::RESOURCE_STATUS,
        Kind::RESOURCE_COMMIT_SURPLUS,
        Kind::TASK,
        Kind::TASK_UPDATE,
        Kind::PLAN,
        Kind::PLAN_APPROVAL,
        Kind::PLAN_ACTIVATION,
        Kind::DRILL_START,
        Kind::DRILL_END,
        Kind::CONSULTATION,
        Kind::INFO_RELEASE,
        // Appended, not placed by number: fuzz seeds name kinds by their
        // position in this list.
        Kind::RESCUE_FORCE,
        Kind::AGREEMENT_KEY,
        Kind::RESTRICTED,
    ];

    /// The kinds the trust layer folds into its state.
    pub const TRUST: [Kind; 3] = [Kind::CERTIFICATE, Kind::REVOCATION, Kind::EQUIVOCATION];

    pub fn is_known(self) -> bool {
        Self::KNOWN.contains(&self)
    }

    pub fn is_trust(self) -> bool {
        Self::TRUST.contains(&self)
    }

    /// A stable machine name, used in the CLI and JSON.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Kind::POST_PROFILE => Some("profile"),
            Kind::NOTE => Some("note"),
            Kind::POST_PLACE => Some("place"),
            Kind::AGREEMENT_KEY => Some("agreement_key"),
            Kind::RESTRICTED => Some("restricted"),
            Kind::CERTIFICATE => Some("certificate"),
            Kind::REVOCATION => Some("revocation"),
            Kind::EQUIVOCATION => Some("equivocation"),
            Kind::INCIDENT_REPORT => Some("incident_report"),
            Kind::RESPONSE_DECISION => Some("response"),
            Kind::WARNING => Some("warning"),
            Kind::EXTERNAL_WARNING => Some("external_warning"),
            Kind::RESOURCE_REQUEST => Some("resource_request"),
            Kind::RESOURCE_OFFER => Some("resource_offer"),
            Kind::RESOURCE_COMMIT => Some("resource_commit"),
            Kind::RESOURCE_STATUS => Some("resource_status"),
            Kind::RESOURCE_COMMIT_SURPLUS => Some("resource_commit_surplus"),
            Kind::RESCUE_FORCE => Some("rescue_force"),
            Kind::TASK => Some("task"),
            Kind::TASK_UPDATE => Some("task_update"),
            Kind::PLAN => Some("plan"),
            Kind::PLAN_APPROVAL => Some("plan_approval"),
            Kind::PLAN_ACTIVATION => Some("plan_activation"),
            Kind::DRILL_START => Some("drill_start"),
            Kind::DRILL_END => Some("drill_end"),
            Kind::CONSULTATION => Some("consultation"),
            Kind::INFO_RELEASE => Some("info_release"),
            _ => None,
        }
    }

    pub fn name_zh(self) -> Option<&'static str> {
        match self {
            Kind::POST_PROFILE => Some("岗位信息"),
            Kind::NOTE => Some("情况记录"),
            Kind::POST_PLACE => Some("岗位位置"),
            Kind::AGREEMENT_KEY => Some("加密公钥"),
            Kind::RESTRICTED => Some("受限信息"),
            Kind::CERTIFICATE => Some("证书"),
            Kind::REVOCATION => Some("吊销"),
            Kind::EQUIVOCATION => Some("分叉证据"),
            Kind::INCIDENT_REPORT => Some("事件报告"),
            Kind::RESPONSE_DECISION => Some("应急响应"),
            Kind::WARNING => Some("预警"),
            Kind::EXTERNAL_WARNING => Some("外部预警"),
            Kind::RESOURCE_REQUEST => Some("资源需求"),
            Kind::RESOURCE_OFFER => Some("资源提供"),
            Kind::RESOURCE_COMMIT => Some("资源承诺"),
            Kind::RESOURCE_STATUS => Some("调运状态"),
            Kind::RESOURCE_COMMIT_SURPLUS => Some("超额承诺"),
            Kind::RESCUE_FORCE => Some("救援力量"),
            Kind::TASK => Some("指令"),
            Kind::TASK_UPDATE => Some("指令反馈"),
            Kind::PLAN => Some("预案"),
            Kind::PLAN_APPROVAL => Some("预案审批"),
            Kind::PLAN_ACTIVATION => Some("预案启动"),
            Kind::DRILL_START => Some("演练开始"),
            Kind::DRILL_END => Some("演练结束"),
            Kind::CONSULTATION => Some("会商研判"),
            Kind::INFO_RELEASE => Some("信息发布"),
            _ => None,
        }
    }

    /// Looks a kind up by machine name, or accepts a plain number.
    pub fn parse(text: &str) -> Option<Kind> {
        let t = text.trim();
        Self::KNOWN
            .iter()
            .copied()
            .find(|k| k.name() == Some(t) || k.name_zh() == Some(t))
            .or_else(|| t.parse::<u16>().ok().map(Kind))
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "unknown kind {}", self.0),
        }
    }
}

impl fmt::Debug for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kind({}={})", self.0, self)
    }
}
