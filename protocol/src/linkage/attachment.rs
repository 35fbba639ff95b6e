//! Files attached to an entry by hash (photos, scans, plan documents).
//!
//! The ledger carries the hash, never the file: files travel out of band
//! (or not at all over a thin link), and the hash proves a copy is the one
//! the author meant.

use serde::{Deserialize, Serialize};

use super::rules;
use crate::body_rules::BodyError;
use crate::ids::ContentHash;
use crate::limits::Limits;

/// A file named by its BLAKE3 hash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Attachment {
    pub hash: ContentHash,
    /// File name as the author saw it, e.g. "村东河道.jpg".
    pub name: String,
    /// Media type, e.g. "image/jpeg" (may be empty).
    pub media_type: String,
    /// Size in bytes.
    pub bytes: u64,
}

impl Attachment {
    pub fn check(&self, limits: &Limits) -> Result<(), BodyError> {
        rules::name("attachment.name", &self.name, limits)?;
        rules::short("attachment.media_type", &self.media_type, limits)
    }

    /// Checks a list of attachments: bounded, each valid, no file twice.
    pub fn check_all(items: &[Attachment], limits: &Limits) -> Result<(), BodyError> {
        rules::list("attachments", items)?;
        items.iter().try_for_each(|a| a.check(limits))?;
        let hashes: Vec<ContentHash> = items.iter().map(|a| a.hash).collect();
        rules::distinct("attachments", &hashes)
    }
}
