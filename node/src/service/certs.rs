//! The certificate tree a post holds, as `liandong cert list` prints it and
//! the console's 成员 page shows it.

use std::collections::{BTreeMap, BTreeSet};

use liandong_protocol::trust::CertRecord;
use liandong_protocol::{Hlc, NodeId, TrustError, TrustState};
use serde::{Deserialize, Serialize};

use crate::clock;

#[derive(Debug, Serialize, Deserialize)]
pub struct Row {
    pub depth: usize,
    pub node: String,
    pub name: String,
    pub level: String,
    pub region: String,
    pub unit_type: String,
    /// The level and unit type in English, for the console in English.
    #[serde(default)]
    pub level_en: String,
    #[serde(default)]
    pub unit_type_en: String,
    pub roles: Vec<String>,
    pub can_certify: bool,
    /// The certificate entry; `None` for a root.
    pub certificate: Option<String>,
    pub issuer: Option<String>,
    pub issued: Option<String>,
    pub valid_until: Option<String>,
    /// `valid`, or the reason label of why it does not hold now.
    pub status: String,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct RevocationRow {
    pub subject: String,
    pub by: String,
    pub time: String,
    /// The revocation's effective time, wall-clock ms (the console formats
    /// it in the reader's language).
    #[serde(default)]
    pub time_ms: u64,
    pub counts: bool,
    pub reason: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Listing {
    pub network: String,
    pub tree: Vec<Row>,
    pub revocations: Vec<RevocationRow>,
    pub quarantined: Vec<String>,
}

/// The certificate tree, roots first, each certificate under its issuer
/// (also the console's 成员 page).
pub fn listing(t: &TrustState, now: Hlc) -> Listing {
    let mut by_issuer: BTreeMap<NodeId, Vec<&CertRecord>> = BTreeMap::new();
    for c in t.certificates() {
        by_issuer.entry(c.issuer).or_default().push(c);
    }
    for certs in by_issuer.values_mut() {
        certs.sort_by_key(|c| (c.hlc, c.id));
    }
    let mut tree = Vec::new();
    let mut placed: BTreeSet<NodeId> = BTreeSet::new();
    for root in &t.genesis().roots {
        let status = t.resolve(&root.key, now);
        tree.push(Row {
            depth: 0,
            node: root.key.to_hex(),
            name: root.name.clone(),
            level: t.genesis().root_level.name_zh().into(),
            level_en: t.genesis().root_level.name_en().into(),
            unit_type_en: "command".into(),
            region: t.genesis().root_region.to_string(),
            unit_type: "指挥部".into(),
            roles: root.roles.iter().map(|r| r.0.clone()).collect(),
            can_certify: true,
            certificate: None,
            issuer: None,
            issued: None,
            valid_until: None,
            status: status
                .as_ref()
                .map_or_else(|e| e.label().into(), |_| "valid".into()),
            reason: status.err().as_ref().map(reason_text),
        });
        placed.insert(root.key);
        descend(t, now, &by_issuer, &root.key, 1, &mut placed, &mut tree);
    }
    // Certificates whose issuer is not in the tree: shown, flagged.
    for c in t.certificates() {
        if !placed.contains(&c.issuer) {
            tree.push(row(t, now, c, 0));
        }
    }
    let mut revocations: Vec<RevocationRow> = t
        .revocations()
        .map(|(r, counts)| RevocationRow {
            subject: r.subject.short(),
            by: r.author.short(),
            time: clock::format_hlc(r.hlc),
            time_ms: r.hlc.wall_ms(),
            counts,
            reason: r.reason.clone(),
        })
        .collect();
    revocations.sort_by_key(|r| r.time_ms);
    let mut quarantined: Vec<String> = t
        .quarantined()
        .map(|(k, q)| {
            format!(
                "{} (seq {}, since {})",
                k.short(),
                q.from_seq,
                clock::format_hlc(q.since)
            )
        })
        .collect();
    quarantined.sort();
    Listing {
        network: String::new(),
        tree,
        revocations,
        quarantined,
    }
}

fn descend(
    t: &TrustState,
    now: Hlc,
    by_issuer: &BTreeMap<NodeId, Vec<&CertRecord>>,
    issuer: &NodeId,
    depth: usize,
    placed: &mut BTreeSet<NodeId>,
    tree: &mut Vec<Row>,
) {
    let Some(certs) = by_issuer.get(issuer) else {
        return;
    };
    for c in certs {
        tree.push(row(t, now, c, depth));
        // A key certified twice is expanded once (and a forged loop ends).
        if placed.insert(c.cert.subject) {
            descend(t, now, by_issuer, &c.cert.subject, depth + 1, placed, tree);
        }
    }
}

fn row(t: &TrustState, now: Hlc, c: &CertRecord, depth: usize) -> Row {
    let cert = &c.cert;
    let status: Result<(), TrustError> = match t.certificate_effective(&c.id) {
        Some(Err(e)) => Err(e),
        _ if !cert.valid_at(now) => Err(TrustError::OutsideValidity {
            node: cert.subject,
            at: now,
        }),
        _ => t.resolve(&cert.subject, now).map(|_| ()),
    };
    let superseded = status.is_ok()
        && t.chain(&cert.subject, now)
            .and_then(|ids| ids.last().copied())
            .is_some_and(|chosen| chosen != c.id);
    Row {
        depth,
        node: cert.subject.to_hex(),
        name: cert.name.clone(),
        level: cert.level.name_zh().into(),
        level_en: cert.level.name_en().into(),
        unit_type_en: cert.unit_type.name().into(),
        region: cert.region.to_string(),
        unit_type: cert.unit_type.name_zh().into(),
        roles: cert.roles.iter().map(|r| r.0.clone()).collect(),
        can_certify: cert.can_certify,
        certificate: Some(c.id.to_hex()),
        issuer: Some(c.issuer.to_hex()),
        issued: Some(clock::format_hlc(c.hlc)),
        valid_until: cert.valid_until_ms.map(clock::format_ms),
        status: match &status {
            Ok(()) if superseded => "superseded".into(),
            Ok(()) => "valid".into(),
            Err(e) => e.label().into(),
        },
        reason: status.err().as_ref().map(reason_text),
    }
}

/// Why a certificate does not hold, as an operator reads it: times as
/// dates in Beijing time (the protocol's own text, having no clock, shows
/// an entry time's raw milliseconds).
fn reason_text(e: &TrustError) -> String {
    match e {
        TrustError::Revoked { node, at, by } => {
            let when = clock::format_hlc(*at);
            format!(
                "{} was revoked from {when} by {} / 自 {when} 起被 {} 吊销",
                node.short(),
                by.short(),
                by.short()
            )
        }
        TrustError::OutsideValidity { node, at } => format!(
            "no certificate of {} is valid at {} (expired or not yet valid) / 证书不在有效期内",
            node.short(),
            clock::format_hlc(*at)
        ),
        TrustError::IssuerInvalid {
            node,
            cert,
            issuer,
            reason,
        } => format!(
            "certificate {} of {} was issued by {}, which was not a valid post at that time: {} / 签发单位当时不是有效节点",
            cert.short(),
            node.short(),
            issuer.short(),
            reason_text(reason)
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revocation_reads_as_a_date_not_milliseconds() {
        let at = Hlc::new(1_796_220_040_307, 0);
        let e = TrustError::Revoked {
            node: NodeId([1; 32]),
            at,
            by: NodeId([2; 32]),
        };
        let text = reason_text(&TrustError::IssuerInvalid {
            node: NodeId([3; 32]),
            cert: liandong_protocol::EntryId([4; 32]),
            issuer: NodeId([1; 32]),
            reason: Box::new(e),
        });
        assert!(text.contains(&clock::format_hlc(at)), "{text}");
        assert!(!text.contains("1796220040307"), "{text}");
    }
}
