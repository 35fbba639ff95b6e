//! What revoking a key would do here, shown before it is done: who is
//! revoked, from when, and how many entries this post holds that would
//! stop counting (`liandong cert revoke` without `--yes`).
//!
//! The count is not estimated: the preview puts the revocation into a copy
//! of the trust state and re-judges the entries the ledger itself would
//! re-judge after writing it (`ledger::standing`: every entry by a key
//! whose standing the change can touch — the subject, and posts it
//! certified from the revocation's time on, with theirs below). So it
//! follows every trust rule, strong removal included: a key already
//! revoked earlier loses nothing more.

use std::collections::{BTreeMap, BTreeSet};

use liandong_protocol::trust::CertRecord;
use liandong_protocol::{
    Body, Draft, EntryId, Hlc, NodeId, RegionCode, Revocation, SignedEntry, Status, TrustState,
};
use serde::{Deserialize, Serialize};

use crate::clock;
use crate::ledger::{Ledger, LedgerError};

/// Who a revocation would remove and what it would take with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RevocationPreview {
    pub subject: String,
    pub name: String,
    pub level: String,
    pub region: String,
    /// The scope the revocation entry carries (the subject's newest
    /// certificate's region, so that it reaches every post holding it).
    pub scope: RegionCode,
    /// The revocation's effective time: its entry time, now. Entries the
    /// subject signs from then on count nowhere.
    pub effective: String,
    pub effective_ms: u64,
    /// When the key was already revoked (a counted earlier revocation),
    /// from when: then this one changes nothing.
    pub already_revoked_since: Option<String>,
    /// Entries stored here that would stop counting.
    pub voids: usize,
    /// Of those, by author (the subject first, then posts that depend on
    /// its certificates), with the author's name where known.
    pub voids_by_author: Vec<AuthorCount>,
    /// The subject's entries stored here that keep counting (written
    /// before the effective time), and the time of the latest: how recently
    /// this post heard from it.
    pub subject_entries_kept: usize,
    pub subject_last_entry: Option<String>,
}

/// The subject's entries that keep counting.
struct Kept {
    count: usize,
    last: Option<Hlc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthorCount {
    pub node: String,
    pub name: String,
    pub entries: usize,
}

/// A candidate for revocation: a key holding a certificate this post may
/// revoke.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    #[serde(skip)]
    pub id: NodeId,
    pub node: String,
    pub name: String,
    pub level: String,
    pub region: String,
}

/// The keys this post may revoke (it stands in their certificate chain),
/// each described by its newest certificate, in tree-walk-independent
/// order (by region, then name).
pub fn candidates(t: &TrustState, own: &NodeId) -> Vec<Candidate> {
    let mut newest: BTreeMap<NodeId, &CertRecord> = BTreeMap::new();
    for c in t.certificates() {
        let slot = newest.entry(c.cert.subject).or_insert(c);
        if (c.hlc, c.id) > (slot.hlc, slot.id) {
            *slot = c;
        }
    }
    let mut out: Vec<Candidate> = newest
        .into_iter()
        .filter(|(subject, _)| t.may_revoke(own, subject).is_ok())
        .map(|(subject, c)| Candidate {
            id: subject,
            node: subject.to_hex(),
            name: c.cert.name.clone(),
            level: c.cert.level.name_zh().into(),
            region: c.cert.region.to_string(),
        })
        .collect();
    out.sort_by(|a, b| (&a.region, &a.name).cmp(&(&b.region, &b.name)));
    out
}

/// What revoking `subject` now would do at this post. Refuses, as the
/// revocation itself would, when this post may not revoke it.
pub fn preview(ledger: &Ledger, subject: &NodeId) -> Result<RevocationPreview, LedgerError> {
    let own = ledger.node_id();
    let trust = ledger
        .with_trust(Clone::clone)
        .ok_or(LedgerError::NoGenesis)?;
    ledger.resolve(&own, ledger.now_hlc())?;
    let scope = trust
        .may_revoke(&own, subject)
        .map_err(LedgerError::Refused)?;
    let newest = trust
        .certificates()
        .filter(|c| c.cert.subject == *subject)
        .max_by_key(|c| (c.hlc, c.id))
        .map(|c| c.cert.clone());
    let already = trust.revoked(subject).map(|r| r.at);

    // The time the revocation entry would carry. The post's clock orders
    // it after every entry stored here, so it voids nothing here unless
    // the trust rules reach further (see `judge`); the preview computes
    // rather than assumes.
    let effective = ledger.next_hlc();
    let (voided, kept) = judge(ledger, &trust, subject, &scope, effective)?;

    let name_of = |node: &NodeId| -> String {
        trust
            .certificates()
            .filter(|c| c.cert.subject == *node)
            .max_by_key(|c| (c.hlc, c.id))
            .map(|c| c.cert.name.clone())
            .unwrap_or_default()
    };
    let mut by_author: Vec<AuthorCount> = voided
        .iter()
        .map(|(node, n)| AuthorCount {
            node: node.to_hex(),
            name: name_of(node),
            entries: *n,
        })
        .collect();
    // The subject first: it is what the operator named.
    by_author.sort_by_key(|a| (a.node != subject.to_hex(), a.node.clone()));
    Ok(RevocationPreview {
        subject: subject.to_hex(),
        name: newest.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
        level: newest
            .as_ref()
            .map(|c| c.level.name_zh().to_string())
            .unwrap_or_default(),
        region: newest
            .as_ref()
            .map(|c| c.region.to_string())
            .unwrap_or_default(),
        scope: scope.clone(),
        effective: clock::format_hlc(effective),
        effective_ms: effective.wall_ms(),
        subject_entries_kept: kept.count,
        subject_last_entry: kept.last.map(clock::format_hlc),
        already_revoked_since: already.map(clock::format_hlc),
        voids: voided.values().sum(),
        voids_by_author: by_author,
    })
}

/// Re-judges, under a copy of the trust state holding the revocation, the
/// stored entries whose standing it can change. Returns the entries that
/// would newly stop counting, by author, and the subject's stored entries
/// that keep counting.
fn judge(
    ledger: &Ledger,
    trust: &TrustState,
    subject: &NodeId,
    scope: &RegionCode,
    effective: Hlc,
) -> Result<(BTreeMap<NodeId, usize>, Kept), LedgerError> {
    // The trust state reads only a revocation's author, time and body, and
    // an entry can only be built signed. This one is signed in memory and
    // dropped when this function returns: never stored, never sent.
    let hypothetical = SignedEntry::sign(
        ledger.keypair(),
        Draft {
            network: ledger.network(),
            seq: ledger.next_seq(),
            prev: None,
            hlc: effective,
            scope: scope.clone(),
            status: Status::Actual,
            body: Body::Revocation(Revocation {
                subject: *subject,
                reason: String::new(),
            }),
            operator: None,
        },
    )?;
    let before = trust.removals();
    let mut after = trust.clone();
    after.insert(&hypothetical).map_err(LedgerError::Refused)?;

    let mut voided: BTreeMap<NodeId, usize> = BTreeMap::new();
    for author in after.affected_since(&before) {
        for entry in counting(ledger, &author)? {
            if after.admit(&entry).is_err() {
                *voided.entry(author).or_default() += 1;
            }
        }
    }
    let mut kept = Kept {
        count: 0,
        last: None,
    };
    for entry in counting(ledger, subject)? {
        if after.admit(&entry).is_ok() {
            kept.count += 1;
            kept.last = kept.last.max(Some(entry.hlc()));
        }
    }
    Ok((voided, kept))
}

/// The entries by `author` stored here that count now (not voided).
fn counting(ledger: &Ledger, author: &NodeId) -> Result<Vec<SignedEntry>, LedgerError> {
    let store = ledger.store();
    let mut out = Vec::new();
    for id in store.author_ids(author) {
        let id = id?;
        if store.is_voided(&id)? {
            continue;
        }
        // Listed by the index a moment ago; gone only in a damaged store,
        // which `verify` reports.
        if let Some(entry) = store.get(&id)? {
            out.push(entry);
        }
    }
    Ok(out)
}

/// What `cert revoke` answers, locally or from the running node's
/// `POST /api/members/revoke`: the preview, and with `yes` what was done.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RevokeOutcome {
    pub done: bool,
    pub preview: RevocationPreview,
    /// The revocation entry written, its time and how many stored entries
    /// it voided here; absent when not done.
    pub revocation: Option<String>,
    pub hlc: Option<u64>,
    pub voided: Option<usize>,
}

/// Why a revocation was not even previewed.
#[derive(Debug, thiserror::Error)]
pub enum RevokeError {
    /// Not a node id or prefix, or a prefix of several keys.
    #[error("{0}")]
    Usage(String),
    /// No key this post may revoke matches.
    #[error("{0}")]
    NoMatch(String),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// A revocation decided on: its subject, its preview, and the entries
/// voided here before it is written (to tell what writing it voided).
#[derive(Debug)]
pub struct Planned {
    pub subject: NodeId,
    pub preview: RevocationPreview,
    pub voided_before: BTreeSet<EntryId>,
}

/// Picks the key `text` names among those this post may revoke and
/// previews its revocation.
pub fn plan(ledger: &Ledger, text: &str) -> Result<Planned, RevokeError> {
    let own = ledger.node_id();
    let revocable = ledger
        .with_trust(|t| candidates(t, &own))
        .ok_or(LedgerError::NoGenesis)?;
    let subject = pick(text, &revocable)?;
    Ok(Planned {
        subject,
        preview: preview(ledger, &subject)?,
        voided_before: voided_ids(ledger)?,
    })
}

/// The revocation entry's body for a planned revocation.
pub fn body(planned: &Planned, reason: &str) -> Body {
    Body::Revocation(Revocation {
        subject: planned.subject,
        reason: reason.to_string(),
    })
}

/// The outcome once the revocation `entry` is written: what it voided
/// here (writing it re-judged what this post holds, `ledger::standing`).
pub fn done(
    ledger: &Ledger,
    planned: Planned,
    entry: &SignedEntry,
) -> Result<RevokeOutcome, LedgerError> {
    let voided = voided_ids(ledger)?
        .difference(&planned.voided_before)
        .count();
    Ok(RevokeOutcome {
        done: true,
        preview: planned.preview,
        revocation: Some(entry.id().to_hex()),
        hlc: Some(entry.hlc().as_u64()),
        voided: Some(voided),
    })
}

/// The outcome when only previewed.
pub fn not_done(planned: Planned) -> RevokeOutcome {
    RevokeOutcome {
        done: false,
        preview: planned.preview,
        revocation: None,
        hlc: None,
        voided: None,
    }
}

fn voided_ids(ledger: &Ledger) -> Result<BTreeSet<EntryId>, LedgerError> {
    Ok(ledger
        .store()
        .voided()?
        .into_iter()
        .map(|(id, _)| id)
        .collect())
}

/// The revocable key `text` names: a full id or a unique prefix (8+ hex
/// characters). Anything else is refused with the keys it could have
/// meant, so a mistyped id revokes nobody.
fn pick(text: &str, revocable: &[Candidate]) -> Result<NodeId, RevokeError> {
    let t = text.trim().to_ascii_lowercase();
    if t.len() < 8 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(RevokeError::Usage(format!(
            "{:?} is not a node id (64 hex characters, or a unique prefix of 8+) / 节点标识格式有误{}",
            printable(text),
            list(revocable)
        )));
    }
    let matches: Vec<Candidate> = revocable
        .iter()
        .filter(|c| c.node.starts_with(&t))
        .cloned()
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.id),
        [] => Err(RevokeError::NoMatch(format!(
            "no key this post may revoke starts with {t} / 本节点可吊销的证书中没有该节点{}",
            list(revocable)
        ))),
        several => Err(RevokeError::Usage(format!(
            "{t} matches {} keys; give more characters / 前缀不唯一{}",
            several.len(),
            list(several)
        ))),
    }
}

/// The candidates, one a line, for an error message.
fn list(candidates: &[Candidate]) -> String {
    if candidates.is_empty() {
        return "\n本节点没有可吊销的下级证书 / this post may revoke no key".into();
    }
    let mut out = String::from("\n可吊销 / candidates:");
    for c in candidates {
        out.push_str(&format!(
            "\n  {}  {}  {} {}",
            &c.node[..8],
            printable(&c.name),
            c.level,
            c.region
        ));
    }
    out
}

/// `text` with control characters escaped: certificate names are signed
/// by other posts and end up in an operator's terminal.
pub(crate) fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}
