//! Where a newcomer sent its certificate request over the network
//! (`cert request --send`), so that the running node asks there until the
//! certificate comes back (`node::handover`), and `cert install
//! --from-network` knows where to ask without being told.
//!
//! Side tree `side/cert-outbox`: key = the parent's address as typed,
//! value = the send time (u64, big-endian). At most [`MAX_OUTBOX`] kept:
//! a newer send pushes out the oldest.

use libp2p::Multiaddr;

use crate::ledger::Ledger;
use crate::store::{Side, SideBatch, StoreError};

/// Parent addresses remembered at most.
pub const MAX_OUTBOX: usize = 8;
/// Longest address kept (a multiaddr with a peer id is ~100 bytes).
const MAX_ADDR_BYTES: usize = 512;

/// One address a request went to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentTo {
    pub addr: Multiaddr,
    pub sent_ms: u64,
}

/// The addresses this post sent its request to, newest first (damaged
/// rows are skipped: they are disk input).
pub fn list(ledger: &Ledger) -> Result<Vec<SentTo>, StoreError> {
    let tree = ledger.store().side(Side::CertOutbox)?;
    let mut out = Vec::new();
    for row in tree.scan(b"") {
        let (k, v) = row?;
        if k.len() > MAX_ADDR_BYTES {
            continue;
        }
        let (Ok(text), Ok(ms)) = (std::str::from_utf8(&k), <[u8; 8]>::try_from(v.as_ref())) else {
            continue;
        };
        if let Ok(addr) = text.parse::<Multiaddr>() {
            out.push(SentTo {
                addr,
                sent_ms: u64::from_be_bytes(ms),
            });
        }
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.sent_ms));
    Ok(out)
}

/// Where to ask for the certificate: `given`, else every address the
/// request went to; `Err` (the operator's message) when there is none.
pub fn targets(
    ledger: &Ledger,
    given: Option<Multiaddr>,
) -> Result<Result<Vec<Multiaddr>, String>, StoreError> {
    let addrs: Vec<Multiaddr> = match given {
        Some(a) => vec![a],
        None => list(ledger)?.into_iter().map(|s| s.addr).collect(),
    };
    Ok(if addrs.is_empty() {
        Err("no request was sent over the network; give the parent's address: --from-network ADDR / 未通过网络发送过申请，请给出上级节点地址".into())
    } else {
        Ok(addrs)
    })
}

/// Remembers that the request went to `addr` now.
pub fn record(ledger: &Ledger, addr: &Multiaddr, now_ms: u64) -> Result<(), StoreError> {
    let key = addr.to_string();
    if key.len() > MAX_ADDR_BYTES {
        return Ok(());
    }
    let mut batch = SideBatch::default();
    let kept = list(ledger)?;
    for old in kept.iter().filter(|s| s.addr != *addr).skip(MAX_OUTBOX - 1) {
        batch.remove(old.addr.to_string().as_bytes());
    }
    batch.put(key.as_bytes(), &now_ms.to_be_bytes());
    ledger.store().side(Side::CertOutbox)?.apply(batch)?;
    ledger.store().sync()
}

/// Forgets every address: the certificate is installed.
pub fn clear(ledger: &Ledger) -> Result<(), StoreError> {
    ledger.store().side(Side::CertOutbox)?.clear()?;
    ledger.store().sync()
}
