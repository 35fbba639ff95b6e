//! The event the console's live view and the benchmarks hear for every
//! entry new to a post.

use liandong_protocol::{Hlc, NodeId, RegionCode};

/// An entry new to this post.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewEntry {
    pub id: liandong_protocol::EntryId,
    pub author: NodeId,
    pub kind: liandong_protocol::Kind,
    pub scope: RegionCode,
    pub hlc: Hlc,
    /// Whether this post wrote it.
    pub local: bool,
}
