//! Installing the certificate file a parent issued — what `liandong cert
//! install` does with the store, and what the running node does for it
//! (`POST /api/members/install`) and for a certificate that came back over
//! the network (`node::handover`). The file is checked here; its entries
//! then go through the ordinary ingest path (locally, or the node's), so
//! every certificate in the chain is checked like any received entry.

use liandong_protocol::limits::HARD_MAX_ENCODED_BYTES;
use liandong_protocol::trust::certfile::CERT_FILE_MAGIC;
use liandong_protocol::trust::{CertFile, SignedGenesis};
use liandong_protocol::{Body, Level, RegionCode, Role, validate};
use serde::{Deserialize, Serialize};

use crate::config::PostConfig;
use crate::ledger::{ItemOutcome, Ledger, LedgerError};

/// Largest certificate file read.
pub const MAX_CERT_FILE_BYTES: usize = CERT_FILE_MAGIC.len() + HARD_MAX_ENCODED_BYTES;

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// A certificate file found fit for this post, ready to ingest.
#[derive(Debug, Clone)]
pub struct Checked {
    /// Wire bytes, root first, this post's certificate last.
    pub entries: Vec<Vec<u8>>,
    leaf: String,
    issuer: String,
}

/// What was installed, as the CLI prints it and the API answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Installed {
    pub installed: String,
    pub chain: usize,
    pub name: String,
    pub level: Level,
    pub region: RegionCode,
    pub roles: Vec<Role>,
    pub can_certify: bool,
    pub issuer: String,
}

fn invalid(why: impl Into<String>) -> InstallError {
    InstallError::Invalid(why.into())
}

/// Reads the file and checks it is this network's, for this post's key,
/// and names what this post's config says it is.
pub fn check(ledger: &Ledger, me: &PostConfig, bytes: &[u8]) -> Result<Checked, InstallError> {
    if !ledger.trust_enabled() {
        return Err(LedgerError::NoGenesis.into());
    }
    if bytes.len() > MAX_CERT_FILE_BYTES {
        return Err(invalid(format!(
            "the certificate file is over {MAX_CERT_FILE_BYTES} bytes / 证书文件过大"
        )));
    }
    let cf = CertFile::from_file_bytes(bytes).map_err(|e| invalid(e.to_string()))?;
    let theirs = SignedGenesis::from_bytes(&cf.genesis).map_err(|e| invalid(e.to_string()))?;
    if theirs.network_id() != ledger.network() {
        return Err(invalid(format!(
            "the certificate is for network {} ({}), this post is in {} / 证书属于其他网络",
            theirs.genesis().name,
            theirs.network_id().short(),
            ledger.network().short()
        )));
    }
    let entries = cf.entries();
    let own = ledger.node_id();
    let Some(last) = entries.last() else {
        return Err(invalid("the certificate file holds no certificate"));
    };
    let leaf = validate(last, &ledger.context()).map_err(|e| invalid(e.to_string()))?;
    let Ok(Body::Certificate(cert)) = leaf.body() else {
        return Err(invalid(
            "the file's last entry is not a certificate / 文件中没有证书",
        ));
    };
    if cert.subject != own {
        return Err(invalid(format!(
            "this certificate is for another post ({}), not this one ({}) / 证书不属于本节点",
            cert.subject.short(),
            own.short()
        )));
    }
    if cert.region != me.region || cert.level != me.level {
        return Err(invalid(format!(
            "the certificate names {} {}, but this post is configured as {} {}; \
             ask the parent for a matching certificate / 证书的级别或区划与本节点配置不符",
            cert.level.name_zh(),
            cert.region,
            me.level.name_zh(),
            me.region
        )));
    }
    Ok(Checked {
        entries,
        leaf: leaf.id().to_hex(),
        issuer: leaf.author().to_hex(),
    })
}

/// Says whether the certificate was taken in (the outcome of its own
/// entry, the file's last) and what this post now is.
pub fn finish(
    ledger: &Ledger,
    checked: &Checked,
    outcomes: &[ItemOutcome],
) -> Result<Installed, InstallError> {
    match outcomes.last() {
        Some(ItemOutcome::Added(_) | ItemOutcome::Duplicate(_) | ItemOutcome::Fork(_)) => {}
        Some(ItemOutcome::Refused(e)) => {
            return Err(invalid(format!(
                "the certificate is refused / 证书未获准: {e}"
            )));
        }
        Some(ItemOutcome::Rejected(e)) => {
            return Err(invalid(format!(
                "the certificate is invalid / 证书无效: {e}"
            )));
        }
        Some(ItemOutcome::OutOfScope(_)) | None => {
            return Err(invalid(
                "the certificate lies outside this post's region / 证书不在本节点区划内",
            ));
        }
    }
    let own = ledger.node_id();
    let post = ledger.resolve(&own, ledger.now_hlc())?;
    Ok(Installed {
        installed: checked.leaf.clone(),
        chain: checked.entries.len(),
        name: post.name.to_string(),
        level: post.level,
        region: post.region,
        roles: post.roles,
        can_certify: post.can_certify,
        issuer: checked.issuer.clone(),
    })
}
