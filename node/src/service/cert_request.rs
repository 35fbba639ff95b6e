//! The newcomer's side: its signed request — what `liandong cert request`
//! writes to a file (or sends), with the store or through the running
//! node (`POST /api/members/request`): one function for both — and what the
//! CLI and the API answer about sending it and collecting the certificate.

use liandong_protocol::trust::CertRequest;
use liandong_protocol::trust::handover::CertAnswer;
use liandong_protocol::{Level, RegionCode, UnitType};
use serde::{Deserialize, Serialize};

use super::cert_install::Installed;
use crate::config::PostConfig;
use crate::ledger::{Ledger, LedgerError};
use crate::store::Query;

/// A request signed with this post's key, and what it asks for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignedRequest {
    pub node_id: String,
    pub name: String,
    pub level: Level,
    pub region: RegionCode,
    pub unit_type: UnitType,
    /// The request file, hex-encoded.
    pub file_hex: String,
}

/// What a request sent over the network got back (`--send`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sent {
    pub to: String,
    /// `received`, `pending`, `issued` (then installed at once), or
    /// `refused`.
    pub answer: String,
    /// Requests waiting at the parent (when received), or why refused.
    pub waiting: Option<u32>,
    pub detail: Option<String>,
    /// The certificate, when the parent had already issued it.
    pub installed: Option<Installed>,
}

/// What `cert request` answers, locally or from the running node.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestAnswer {
    pub request: SignedRequest,
    pub sent: Option<Sent>,
}

/// What `cert install` answers, locally or from the running node.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InstallAnswer {
    /// What was installed, if anything.
    pub installed: Option<Installed>,
    /// Over the network: each address asked and its answer.
    #[serde(default)]
    pub asked: Vec<Sent>,
}

impl Sent {
    pub fn new(to: String, answer: &CertAnswer) -> Sent {
        let (label, waiting, detail) = match answer {
            CertAnswer::Received { waiting } => ("received", Some(*waiting), None),
            CertAnswer::Pending => ("pending", None, None),
            CertAnswer::Issued { .. } => ("issued", None, None),
            CertAnswer::Unknown => ("unknown", None, None),
            CertAnswer::Refused { reason, detail } => (
                "refused",
                None,
                Some(format!("{} ({})", detail, reason.label())),
            ),
        };
        Sent {
            to,
            answer: label.into(),
            waiting,
            detail,
            installed: None,
        }
    }
}

/// Signs this post's request: who it says it is (its config), and since
/// when it has been writing (its first entry), so that the certificate is
/// dated back to cover what it recorded while it waited.
pub fn sign(
    ledger: &Ledger,
    me: &PostConfig,
    now_ms: u64,
) -> Result<(CertRequest, SignedRequest, Vec<u8>), LedgerError> {
    // Certificates mean nothing in development mode.
    if !ledger.trust_enabled() {
        return Err(LedgerError::NoGenesis);
    }
    let node = ledger.node_id();
    let first = ledger.store().query(&Query {
        author: Some(node),
        limit: Some(1),
        ..Query::default()
    })?;
    let request = CertRequest {
        network: ledger.network(),
        subject: node,
        name: me.name.clone(),
        level: me.level,
        region: me.region.clone(),
        unit_type: me.unit_type.clone(),
        contact: me.contact.clone(),
        created_ms: now_ms,
        since_ms: first
            .first()
            .map_or(now_ms, |e| e.hlc().wall_ms().min(now_ms)),
    };
    let bytes = request
        .sign(ledger.keypair())
        .map_err(|e| LedgerError::Encode(liandong_protocol::codec::EncodeError(e.to_string())))?;
    let summary = SignedRequest {
        node_id: node.to_hex(),
        name: me.name.clone(),
        level: me.level,
        region: me.region.clone(),
        unit_type: me.unit_type.clone(),
        file_hex: hex::encode(&bytes),
    };
    Ok((request, summary, bytes))
}
