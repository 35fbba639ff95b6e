//! Issuing a certificate for a newcomer's request — what `liandong cert
//! issue` does with the store, and what the running node does for it and
//! for the console's 签发 button (`POST /api/members/issue`): the same
//! checks, in the same order, on both paths.
//!
//! The parent checks its own authority first (the same rule engine every
//! post will apply to the certificate), then the entry is written (by the
//! caller: locally, or through the node so that it is gossiped), then
//! [`finish`] assembles the certificate file — the certificate, the
//! parent's own chain up to the root, and the genesis.

use liandong_protocol::authority::{Action, Role};
use liandong_protocol::trust::{CertFile, CertRequest, Certificate};
use liandong_protocol::{
    Body, Level, NodeId, PostInfo, RegionCode, SignedEntry, SignedGenesis, TrustError, UnitType,
};
use serde::{Deserialize, Serialize};

use crate::clock;
use crate::ledger::{Ledger, LedgerError};

/// What the issuing operator decides: the CLI's flags, the console's form.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueSpec {
    pub level: Level,
    pub region: RegionCode,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub can_certify: bool,
    /// End of validity as the operator typed it (`2027-12-31`, Beijing).
    #[serde(default)]
    pub valid_until: Option<String>,
    #[serde(default)]
    pub cooperates: Vec<RegionCode>,
    /// Certify a level or region other than the request asked for.
    #[serde(default)]
    pub force: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// The operator's input (exit 2, HTTP 400): a region not at the level,
    /// a difference from the request without `force`, a time in the past.
    #[error("{0}")]
    Usage(String),
    /// The request or the certificate is refused (exit 6, HTTP 422).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("{0}")]
    Failed(String),
}

/// A certificate decided on, not yet written.
#[derive(Debug, Clone)]
pub struct Planned {
    pub request: CertRequest,
    pub cert: Certificate,
    /// The level or region differs from the request (issued with `force`).
    pub differs: bool,
    pub issuer_name: String,
    /// This post's own chain, root first: the file's head.
    chain: Vec<Vec<u8>>,
    genesis: SignedGenesis,
}

impl Planned {
    /// The scope and body of the certificate entry to write.
    pub fn entry(&self) -> (RegionCode, Body) {
        (
            self.cert.region.clone(),
            Body::Certificate(self.cert.clone()),
        )
    }
}

/// What was issued, as the CLI prints it and the API answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssueOutcome {
    pub certificate: String,
    pub subject: String,
    pub name: String,
    pub level: Level,
    pub region: RegionCode,
    pub unit_type: liandong_protocol::UnitType,
    pub roles: Vec<Role>,
    pub can_certify: bool,
    pub differs_from_request: bool,
    pub requested_level: Level,
    pub requested_region: RegionCode,
    pub issuer: String,
    /// The certificate file, hex-encoded (for the operator who carries it).
    pub file_hex: String,
}

/// Checks the request and this post's authority and decides the
/// certificate; refuses as `cert issue` always has.
pub fn plan(
    ledger: &Ledger,
    request_bytes: &[u8],
    spec: &IssueSpec,
    now_ms: u64,
) -> Result<Planned, IssueError> {
    let genesis = ledger.genesis().ok_or(LedgerError::NoGenesis)?;
    let request =
        CertRequest::verify(request_bytes).map_err(|e| IssueError::Invalid(e.to_string()))?;
    if request.network != ledger.network() {
        return Err(IssueError::Invalid(format!(
            "the request is for network {}, this post is in {} / 申请来自其他网络",
            request.network.short(),
            ledger.network().short()
        )));
    }
    if spec.region.level() != spec.level {
        return Err(IssueError::Usage(format!(
            "region {} is not at level {} / 区划代码与级别不符",
            spec.region, spec.level
        )));
    }
    // A mistyped region certifies the wrong post for good (a certificate
    // can be superseded, not withdrawn without voiding): the operator
    // confirms a difference from what the newcomer asked for.
    let differs = request.level != spec.level || request.region != spec.region;
    if differs && !spec.force {
        return Err(IssueError::Usage(format!(
            "申请的是 {} {}，本次给出 {} {}：核对后重试，确需不同时加 --force / the request asked for {} {}, not {} {}; check, or add --force",
            request.level.name_zh(),
            request.region,
            spec.level.name_zh(),
            spec.region,
            request.level,
            request.region,
            spec.level,
            spec.region
        )));
    }
    let valid_until_ms = spec
        .valid_until
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(|t| clock::parse_time_ms(t, now_ms))
        .transpose()
        .map_err(|e| IssueError::Usage(e.to_string()))?;
    if valid_until_ms.is_some_and(|until| until <= now_ms) {
        return Err(IssueError::Usage(
            "--valid-until lies in the past / 有效期已过".into(),
        ));
    }
    let cert = Certificate {
        subject: request.subject,
        name: request.name.clone(),
        level: spec.level,
        region: spec.region.clone(),
        unit_type: request.unit_type.clone(),
        roles: spec
            .roles
            .iter()
            .filter(|r| !r.trim().is_empty())
            .map(|r| Role::new(r.trim()))
            .collect(),
        can_certify: spec.can_certify,
        cooperates: spec.cooperates.clone(),
        // From the newcomer's first entry on: what it recorded while it
        // waited becomes valid with its certificate.
        valid_from_ms: request.since_ms.min(request.created_ms).min(now_ms),
        valid_until_ms,
    };
    cert.check(ledger.limits())
        .map_err(|e| IssueError::Invalid(e.to_string()))?;

    // This post's own authority, by the rules every peer will apply.
    let own = ledger.node_id();
    let me = ledger.resolve(&own, ledger.now_hlc())?;
    if request.subject == own {
        return Err(LedgerError::Refused(TrustError::SelfSubject).into());
    }
    // A revoked key stays revoked whatever certifies it later: say so
    // instead of writing a certificate that changes nothing.
    if let Some(why) = revoked(ledger, &request.subject) {
        return Err(IssueError::Invalid(why));
    }
    if genesis.genesis().is_root(&request.subject) {
        return Err(LedgerError::Refused(TrustError::RootSubject {
            subject: request.subject,
        })
        .into());
    }
    may_certify(
        &genesis,
        &me,
        cert.level,
        &cert.region,
        &cert.unit_type,
        cert.can_certify,
    )
    .map_err(IssueError::Invalid)?;
    let chain = ledger.own_chain()?.ok_or_else(|| {
        IssueError::Failed(
            "this post's own certificate chain is incomplete here / 本节点证书链不完整".into(),
        )
    })?;
    Ok(Planned {
        request,
        cert,
        differs,
        issuer_name: me.name.to_string(),
        chain,
        genesis,
    })
}

/// Why a certificate for `subject` would change nothing: its key is
/// revoked, and stays so whatever certifies it later.
pub(crate) fn revoked(ledger: &Ledger, subject: &NodeId) -> Option<String> {
    let r = ledger.with_trust(|t| t.revoked(subject)).flatten()?;
    Some(format!(
        "key {} was revoked from {}; a new certificate does not revive it — the post needs a new key (docs/trust.md, 误吊销的补救) / 该密钥已被吊销，须换新密钥后重新申请",
        subject.short(),
        clock::format_hlc(r.at)
    ))
}

/// Whether `me` may certify a post of this level, region and kind, by the
/// genesis rules every peer will apply to the certificate.
pub(crate) fn may_certify(
    genesis: &SignedGenesis,
    me: &PostInfo,
    level: Level,
    region: &RegionCode,
    unit: &UnitType,
    can_certify: bool,
) -> Result<(), String> {
    genesis
        .genesis()
        .policy
        .check(
            me,
            &Action::Certify {
                subject_level: level,
                subject_region: region,
                subject_unit: unit,
                subject_can_certify: can_certify,
            },
        )
        .map_err(|e| e.to_string())
}

/// The certificate file for a written certificate `entry`, and what was
/// issued.
pub fn finish(planned: Planned, entry: &SignedEntry) -> Result<IssueOutcome, IssueError> {
    let Planned {
        request,
        cert,
        differs,
        issuer_name,
        mut chain,
        genesis,
    } = planned;
    chain.push(entry.wire().to_vec());
    let file = CertFile::new(genesis.bytes().to_vec(), chain)
        .to_file_bytes()
        .map_err(|e| IssueError::Failed(e.to_string()))?;
    Ok(IssueOutcome {
        certificate: entry.id().to_hex(),
        subject: cert.subject.to_hex(),
        name: cert.name,
        level: cert.level,
        region: cert.region,
        unit_type: cert.unit_type,
        roles: cert.roles,
        can_certify: cert.can_certify,
        differs_from_request: differs,
        requested_level: request.level,
        requested_region: request.region,
        issuer: issuer_name,
        file_hex: hex::encode(file),
    })
}
