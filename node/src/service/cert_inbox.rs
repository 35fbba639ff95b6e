//! The parent's queue of certificate requests handed over the network
//! (`/liandong/cert-request/1`): kept in the store until the operator
//! issues one (`cert issue --request`, the console's 签发), then answered
//! when the newcomer asks again. `liandong cert requests` and
//! `GET /api/members/requests` list it.
//!
//! Anyone may connect and ask, so the queue is bounded: one request per
//! key (a newer one replaces it, at most every [`RESUBMIT_AFTER_MS`], as
//! every write is synced), at most [`MAX_PENDING_PER_SOURCE`] waiting from
//! one IP address, at most [`MAX_QUEUED`] kept in all (an answered one
//! makes room first). A request this post could never issue
//! — another network, a key already revoked, a region or level outside its
//! authority — is refused before it is kept.
//!
//! Side tree `side/cert-inbox`: key = subject key (32 bytes), value = a
//! [`Record`] as JSON (at most [`MAX_RECORD_BYTES`], checked before
//! decoding).

use std::net::IpAddr;

use liandong_protocol::trust::handover::{CertAnswer, HandoverRefusal};
use liandong_protocol::trust::request::MAX_REQUEST_BYTES;
use liandong_protocol::trust::{CertFile, CertRequest};
use liandong_protocol::{Level, NodeId, RegionCode, UnitType};
use serde::{Deserialize, Serialize};

use super::cert_issue::{may_certify, revoked};
use crate::clock;
use crate::ledger::{Ledger, LedgerError};
use crate::store::{Side, SideBatch, StoreError};

/// Requests kept at most (waiting and answered together).
pub const MAX_QUEUED: usize = 64;
/// Requests waiting from one IP address at most.
pub const MAX_PENDING_PER_SOURCE: usize = 4;
/// How soon a kept request may be replaced by a newer one of the same key.
pub const RESUBMIT_AFTER_MS: u64 = 10_000;
/// Largest stored record: a hex-encoded request and a little more.
const MAX_RECORD_BYTES: usize = 2 * MAX_REQUEST_BYTES + 1024;

/// One request as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    /// The signed request file, hex.
    request: String,
    received_ms: u64,
    /// The IP address it came from.
    source: Option<String>,
    /// When this post issued a certificate for it, and which.
    issued_ms: Option<u64>,
    certificate: Option<String>,
}

/// A request as the operator sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestRow {
    pub node: String,
    pub name: String,
    pub level: Level,
    pub level_zh: String,
    pub region: RegionCode,
    pub unit_type: UnitType,
    pub unit_type_zh: String,
    pub contact: String,
    pub received_ms: u64,
    pub received: String,
    pub source: Option<String>,
    /// `pending`, or `issued` (waiting for the newcomer to collect it).
    pub status: String,
    pub issued_ms: Option<u64>,
    pub certificate: Option<String>,
}

/// Why a request was not kept.
#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    #[error("{detail}")]
    Refused {
        reason: HandoverRefusal,
        detail: String,
    },
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

impl From<StoreError> for InboxError {
    fn from(e: StoreError) -> Self {
        InboxError::Ledger(e.into())
    }
}

fn refused(reason: HandoverRefusal, detail: impl Into<String>) -> InboxError {
    InboxError::Refused {
        reason,
        detail: detail.into(),
    }
}

impl From<InboxError> for CertAnswer {
    fn from(e: InboxError) -> Self {
        match e {
            InboxError::Refused { reason, detail } => CertAnswer::refused(reason, detail),
            InboxError::Ledger(e) => CertAnswer::refused(
                HandoverRefusal::Unavailable,
                format!("store unavailable / 存储不可用: {e}"),
            ),
        }
    }
}

fn decode(value: &[u8]) -> Option<Record> {
    if value.len() > MAX_RECORD_BYTES {
        return None;
    }
    serde_json::from_slice(value).ok()
}

fn request_of(record: &Record) -> Option<(CertRequest, Vec<u8>)> {
    let bytes = hex::decode(&record.request).ok()?;
    Some((CertRequest::verify(&bytes).ok()?, bytes))
}

/// Every stored record (a damaged one is skipped: it is disk input).
fn records(ledger: &Ledger) -> Result<Vec<(NodeId, Record)>, StoreError> {
    let tree = ledger.store().side(Side::CertInbox)?;
    let mut out = Vec::new();
    for row in tree.scan(b"") {
        let (k, v) = row?;
        let Ok(key) = <[u8; 32]>::try_from(k.as_ref()) else {
            continue;
        };
        if let Some(r) = decode(&v) {
            out.push((NodeId(key), r));
        }
    }
    Ok(out)
}

fn put(
    ledger: &Ledger,
    subject: &NodeId,
    record: &Record,
    evict: Option<NodeId>,
) -> Result<(), StoreError> {
    let tree = ledger.store().side(Side::CertInbox)?;
    let mut batch = SideBatch::default();
    if let Some(old) = evict {
        batch.remove(old.as_bytes());
    }
    let value = serde_json::to_vec(record).map_err(|e| StoreError::Sled(e.to_string()))?;
    batch.put(subject.as_bytes(), &value);
    tree.apply(batch)?;
    // Not derived from the ledger: synced now, so a restart keeps it.
    ledger.store().sync()
}

/// Takes in a request handed over the network from `source`: checks it,
/// keeps it (replacing an earlier one of the same key), and answers. A
/// request already issued here is answered with its certificate at once.
pub fn receive(
    ledger: &Ledger,
    bytes: &[u8],
    source: Option<IpAddr>,
    now_ms: u64,
) -> Result<CertAnswer, InboxError> {
    let request =
        CertRequest::verify(bytes).map_err(|e| refused(HandoverRefusal::Invalid, e.to_string()))?;
    if request.network != ledger.network() {
        return Err(refused(
            HandoverRefusal::Invalid,
            format!(
                "the request is for network {}, this post is in {} / 申请来自其他网络",
                request.network.short(),
                ledger.network().short()
            ),
        ));
    }
    let genesis = ledger.genesis().ok_or(LedgerError::NoGenesis)?;
    let me = ledger
        .resolve(&ledger.node_id(), ledger.now_hlc())
        .map_err(|e| refused(HandoverRefusal::NotHere, e.to_string()))?;
    // What the newcomer asks for must be something this post could issue
    // (the operator may still change it, with force, when issuing).
    may_certify(
        &genesis,
        &me,
        request.level,
        &request.region,
        &request.unit_type,
        false,
    )
    .map_err(|e| refused(HandoverRefusal::NotHere, e))?;
    if let Some(why) = revoked(ledger, &request.subject) {
        return Err(refused(HandoverRefusal::Invalid, why));
    }

    let all = records(ledger)?;
    let others: Vec<&(NodeId, Record)> =
        all.iter().filter(|(k, _)| *k != request.subject).collect();
    let waiting = |extra: usize| {
        let n = others.iter().filter(|(_, r)| r.issued_ms.is_none()).count() + extra;
        CertAnswer::Received {
            waiting: u32::try_from(n).unwrap_or(u32::MAX),
        }
    };
    if let Some((_, r)) = all.iter().find(|(k, _)| *k == request.subject) {
        if r.issued_ms.is_some() {
            return answer(ledger, &request.subject);
        }
        // Kept already: a newer request replaces it, but not more often
        // than every RESUBMIT_AFTER_MS (each write is synced to disk).
        if r.request == hex::encode(bytes)
            || now_ms.saturating_sub(r.received_ms) < RESUBMIT_AFTER_MS
        {
            return Ok(waiting(1));
        }
    }
    let from = source.map(|ip| ip.to_string());
    let waiting_from_source = others
        .iter()
        .filter(|(_, r)| r.issued_ms.is_none() && from.is_some() && r.source == from)
        .count();
    if waiting_from_source >= MAX_PENDING_PER_SOURCE {
        return Err(refused(
            HandoverRefusal::Full,
            format!(
                "{MAX_PENDING_PER_SOURCE} requests from this address already wait here; ask the parent's operator / 来自该地址的待办申请已满"
            ),
        ));
    }
    let mut evict = None;
    if others.len() >= MAX_QUEUED {
        // Room is made by the oldest answered request, never a waiting one.
        evict = others
            .iter()
            .filter(|(_, r)| r.issued_ms.is_some())
            .min_by_key(|(_, r)| r.issued_ms)
            .map(|(k, _)| *k);
        if evict.is_none() {
            return Err(refused(
                HandoverRefusal::Full,
                format!(
                    "{MAX_QUEUED} requests already wait here; carry the request file instead / 上级待办申请已满，请改用文件"
                ),
            ));
        }
    }
    let record = Record {
        request: hex::encode(bytes),
        received_ms: now_ms,
        source: from,
        issued_ms: None,
        certificate: None,
    };
    put(ledger, &request.subject, &record, evict)?;
    tracing::info!(
        subject = %request.subject.short(),
        name = %request.name,
        region = %request.region,
        "certificate request received over the network / 收到网络提交的证书申请"
    );
    Ok(waiting(1))
}

/// The answer to "has the request of `subject` been answered?": the
/// certificate file once issued here, else whether it waits.
pub fn answer(ledger: &Ledger, subject: &NodeId) -> Result<CertAnswer, InboxError> {
    let tree = ledger.store().side(Side::CertInbox)?;
    let Some(record) = tree.get(subject.as_bytes())?.as_deref().and_then(decode) else {
        return Ok(CertAnswer::Unknown);
    };
    if record.issued_ms.is_none() {
        return Ok(CertAnswer::Pending);
    }
    let genesis = ledger.genesis().ok_or(LedgerError::NoGenesis)?;
    // The chain as it stands now: a certificate revoked since is not
    // handed out.
    let Some(chain) = ledger.chain_of(subject)? else {
        return Ok(CertAnswer::Pending);
    };
    let file = CertFile::new(genesis.bytes().to_vec(), chain)
        .to_file_bytes()
        .map_err(|e| refused(HandoverRefusal::Unavailable, e.to_string()))?;
    Ok(CertAnswer::Issued { file })
}

/// The requests kept here, waiting ones first, oldest first.
pub fn list(ledger: &Ledger) -> Result<Vec<RequestRow>, StoreError> {
    let mut rows: Vec<RequestRow> = records(ledger)?
        .into_iter()
        .filter_map(|(_, r)| {
            let (req, _) = request_of(&r)?;
            Some(RequestRow {
                node: req.subject.to_hex(),
                name: req.name,
                level: req.level,
                level_zh: req.level.name_zh().into(),
                region: req.region,
                unit_type_zh: req.unit_type.name_zh().into(),
                unit_type: req.unit_type,
                contact: req.contact,
                received_ms: r.received_ms,
                received: clock::format_ms(r.received_ms),
                source: r.source,
                status: if r.issued_ms.is_some() {
                    "issued"
                } else {
                    "pending"
                }
                .into(),
                issued_ms: r.issued_ms,
                certificate: r.certificate,
            })
        })
        .collect();
    rows.sort_by_key(|r| (r.issued_ms.is_some(), r.received_ms));
    Ok(rows)
}

/// The waiting request whose key starts with `prefix` (8+ hex
/// characters): its key and the request file. `Err` says why none or
/// several match, listing the waiting ones.
pub fn find(ledger: &Ledger, prefix: &str) -> Result<Result<Vec<u8>, String>, StoreError> {
    let p = prefix.trim().to_ascii_lowercase();
    let waiting: Vec<(NodeId, Record)> = records(ledger)?
        .into_iter()
        .filter(|(_, r)| r.issued_ms.is_none())
        .collect();
    let listed = || {
        let mut out = String::from("\n待签发 / waiting:");
        if waiting.is_empty() {
            out.push_str(" —");
        }
        for (k, r) in &waiting {
            let name = request_of(r).map(|(q, _)| q.name).unwrap_or_default();
            out.push_str(&format!(
                "\n  {}  {}",
                &k.to_hex()[..8],
                super::revocation::printable(&name)
            ));
        }
        out
    };
    if p.len() < 8 || !p.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(Err(format!(
            "--request takes a node id or a unique prefix of 8+ hex characters / 申请编号格式有误{}",
            listed()
        )));
    }
    let matches: Vec<&(NodeId, Record)> = waiting
        .iter()
        .filter(|(k, _)| k.to_hex().starts_with(&p))
        .collect();
    match matches.as_slice() {
        [(_, r)] => Ok(request_of(r)
            .map(|(_, bytes)| bytes)
            .ok_or_else(|| "the stored request is damaged / 申请记录损坏".to_string())),
        [] => Ok(Err(format!(
            "no waiting request starts with {p} / 没有该申请{}",
            listed()
        ))),
        several => Ok(Err(format!(
            "{p} matches {} requests; give more characters / 前缀不唯一{}",
            several.len(),
            listed()
        ))),
    }
}

/// Marks the request of `subject` (if one is kept) as issued with
/// `certificate`, so the newcomer's next ask collects it.
pub fn mark_issued(
    ledger: &Ledger,
    subject: &NodeId,
    certificate: &str,
    now_ms: u64,
) -> Result<(), StoreError> {
    let tree = ledger.store().side(Side::CertInbox)?;
    let Some(mut record) = tree.get(subject.as_bytes())?.as_deref().and_then(decode) else {
        return Ok(());
    };
    record.issued_ms = Some(now_ms);
    record.certificate = Some(certificate.to_string());
    put(ledger, subject, &record, None)
}
