//! What `liandong status` and the console show about a running post.

use std::sync::Arc;

use liandong_protocol::RegionCode;

use super::Shared;
use crate::clock;
use crate::service::status::{NodeStatus, PeerStatus};

pub async fn collect(shared: &Arc<Shared>) -> NodeStatus {
    let net = shared.net.info().await.unwrap_or_default();
    let (digest, store_bytes, store) = shared
        .ledger
        .read(|l| {
            // An unreadable store shows in `store` (its health) and the log.
            let d = l
                .store()
                .digest(&RegionCode::national())
                .inspect_err(|e| tracing::warn!(error = %e, "status: digest unreadable"))
                .unwrap_or_default();
            (d, l.store().size_on_disk(), l.store().health())
        })
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "status: the store could not be read");
            Default::default()
        });
    let (peer_list, recent_syncs, banned_by) = {
        let mut peers = shared.lock_peers();
        let now = clock::now_ms();
        peers.banned_by.retain(|_, b| b.until_ms > now);
        let banned_by = peers.banned_by.values().cloned().collect::<Vec<_>>();
        let list = peers
            .by_id
            .iter()
            .map(|(id, p)| PeerStatus {
                peer_id: id.to_string(),
                node_id: p.hello.as_ref().map(|h| h.node.to_hex()),
                name: p.name.clone(),
                region: p.hello.as_ref().map(|h| h.region.to_string()),
                address: p.address.to_string(),
                connected_since: clock::format_ms(p.connected_ms),
                last_sync: p.last_sync.clone(),
            })
            .collect();
        (
            list,
            peers.history.iter().rev().take(10).cloned().collect(),
            banned_by,
        )
    };
    let console = shared
        .console
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    NodeStatus {
        peer_id: shared.net.peer_id().to_string(),
        node_id: shared.node_id.to_hex(),
        name: shared.name.clone(),
        region: shared.region.to_string(),
        network: shared.network_name.clone(),
        listen: net.listen.iter().map(ToString::to_string).collect(),
        console: console.as_ref().map(|c| format!("{}/", c.url())),
        console_fingerprint: console
            .as_ref()
            .and_then(|c| c.fingerprint.map(|f| f.to_string())),
        console_cert: console
            .as_ref()
            .and_then(|c| c.cert.as_ref().map(|p| p.display().to_string())),
        peers: net.connected.len(),
        connections: net.connections,
        mesh_peers: net.mesh_peers,
        entries: digest.count,
        digest: digest.to_string(),
        store_bytes,
        store,
        peer_list,
        recent_syncs,
        links: net.links,
        bans: net.bans,
        banned_by,
    }
}
