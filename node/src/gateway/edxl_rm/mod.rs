//! EDXL-RM 1.0 export: a resource's lifecycle (request, offer,
//! commitment, dispatch, delivery, return) as OASIS Emergency Data
//! Exchange Language Resource Messaging 1.0 messages (OASIS Standard
//! incorporating Approved Errata, 22 December 2009).
//!
//! EDXL-RM is one message per XML document: an export is a list of
//! [`Document`]s, each a complete message, never one file wrapping several
//! (that would not be EDXL-RM). Message ids are made from ledger entry
//! ids, so the same ledger exports to the same bytes.
//!
//! - `mapping.rs`: which step becomes which message, as a table, and the
//!   standard's names.
//! - `lifecycle.rs`: which entries a selection holds, in order.
//! - `message.rs`: one message as plain data, built from the views.
//! - `writer.rs`: the message as XML (quick-xml).
//! - `files.rs`: writing an export to a directory.
//!
//! The mapping and what is left out are written down in docs/cap.md
//! ("EDXL-RM export").

pub mod files;
pub mod lifecycle;
pub mod mapping;
pub mod message;
pub mod writer;

#[cfg(test)]
mod tests;

use liandong_protocol::EntryId;
use liandong_protocol::domain::fold::Views;

use lifecycle::Item;
pub use lifecycle::Selection;
use mapping::MessageType;
use message::MessageError;

/// One exported message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub kind: MessageType,
    pub message_id: String,
    /// The ledger entry it was made from.
    pub entry: EntryId,
    /// `003-CommitResource-1a2b3c4d.xml`: its place in the export, its
    /// type and its entry.
    pub file_name: String,
    pub xml: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Message(#[from] MessageError),
    #[error("cannot write the EDXL-RM XML: {0}")]
    Xml(#[from] std::io::Error),
}

/// The messages of `selection`, in lifecycle order.
pub fn export(views: &Views, selection: &Selection) -> Result<Vec<Document>, ExportError> {
    lifecycle::items(views, selection)
        .iter()
        .enumerate()
        .map(|(n, item)| {
            let m = match *item {
                Item::Request(id) => message::request(views, &id)?,
                Item::Offer(id) => message::offer(views, &id)?,
                Item::Commit(id) => message::commit(views, &id)?,
                Item::Status(commit, i) => message::status(views, &commit, i)?,
            };
            Ok(Document {
                kind: m.kind,
                file_name: format!("{:03}-{}-{}.xml", n + 1, m.kind.name(), m.entry.short()),
                message_id: m.id.clone(),
                entry: m.entry,
                xml: writer::write(&m)?,
            })
        })
        .collect()
}
