//! The fold's input: an entry's header fields and decoded body.

use crate::entry::{Body, Operator, SignedEntry, Status};
use crate::hlc::Hlc;
use crate::ids::{EntryId, NodeId};
use crate::region::RegionCode;

use super::outcome::{Excluded, Reason, ReasonCode};
use super::track::is_domain;

/// One entry as the fold sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: EntryId,
    pub author: NodeId,
    pub hlc: Hlc,
    pub scope: RegionCode,
    pub status: Status,
    pub body: Body,
    /// Who at the post entered it (version-2 entries).
    pub operator: Option<Operator>,
}

impl Item {
    /// The id a not-yet-signed candidate gets: sorts after every real id of
    /// the same time (see `Fold::outcome`).
    pub const CANDIDATE_ID: EntryId = EntryId([0xff; 32]);

    /// Decodes an entry for the fold: `Ok(None)` for kinds that are not the
    /// domain's (profiles, notes, newer kinds), `Err` for a body that does
    /// not decode.
    pub fn from_entry(entry: &SignedEntry) -> Result<Option<Item>, Box<Excluded>> {
        let h = entry.header();
        let body = entry.body().map_err(|e| {
            Box::new(Excluded {
                entry: entry.id(),
                kind: h.kind.to_string(),
                author: h.author,
                at_ms: h.hlc.wall_ms(),
                reason: Reason::new(
                    ReasonCode::Undecodable,
                    format!("body does not decode: {e}"),
                    "内容无法解码",
                ),
            })
        })?;
        if !is_domain(&body) {
            return Ok(None);
        }
        Ok(Some(Item {
            id: entry.id(),
            author: h.author,
            hlc: h.hlc,
            scope: h.scope.clone(),
            status: h.status,
            body,
            operator: h.operator.clone(),
        }))
    }

    pub fn at_ms(&self) -> u64 {
        self.hlc.wall_ms()
    }

    pub(crate) fn kind_name(&self) -> String {
        self.body.kind().to_string()
    }
}
