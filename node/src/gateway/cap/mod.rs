//! CAP XML: alerts (CAP 1.0, 1.1, 1.2) and Atom/RSS indexes of alerts
//! read into the protocol's [`CapAlert`], and alerts written as CAP 1.2.
//!
//! - [`read_alert`] reads one alert and checks CAP's own rules, listing
//!   every problem ([`CapProblems`]). The network's limits are not checked
//!   here: `ExternalWarning::check` does that where an alert is recorded.
//! - [`read_document`] reads an alert, or an Atom feed / RSS channel whose
//!   entries carry alerts inline or link them in local files.
//! - [`write_alert`] writes CAP 1.2 that validates against `cap12.xsd`.
//! - [`native_alert`] describes a warning issued in the network as CAP.
//!
//! Hostile XML is harmless (`xml.rs`): the size is checked before parsing,
//! DTDs, custom entities and XInclude are refused, depth and sizes are
//! bounded ([`limits`]), and parsing reads nothing but the given bytes.
//! Decisions about what is read (times, whitespace, versions) are written
//! where they are made: `time.rs`, `fields.rs`, `read.rs`, `info.rs`,
//! `area.rs`.

mod area;
mod fields;
mod geo;
mod index;
mod info;
pub mod limits;
mod native;
mod problems;
mod read;
mod time;
mod write;
mod xml;

#[cfg(test)]
mod tests;

use liandong_protocol::domain::cap::CapAlert;

pub use index::Links;
pub use limits::MAX_CAP_BYTES;
pub use native::{BEIJING_OFFSET_MIN, NativeMessage, native_alert, native_identifier};
pub use problems::{CapProblem, CapProblems, Problem};
pub use write::write_alert;

/// Reads one CAP 1.0, 1.1 or 1.2 alert, or names every problem with it.
pub fn read_alert(xml: &[u8]) -> Result<CapAlert, CapProblems> {
    let root = xml::parse(xml)?;
    read::alert(&root, "alert")
}

/// An Atom or RSS index: each entry either carries a CAP alert inline (an
/// `<alert>` element in `<content>` or directly in the entry/item) or links
/// one (`<link href>` in Atom, `<link>` text in RSS) in a local file;
/// `links` decides whether links may be followed (see [`Links`]). A bare
/// `<alert>` document is read as one alert. Every problem of every entry
/// is listed; nothing is returned unless all entries read.
pub fn read_document(xml: &[u8], links: Links) -> Result<Vec<CapAlert>, CapProblems> {
    let root = xml::parse(xml)?;
    if read::is_alert(&root) {
        return read::alert(&root, "alert").map(|a| vec![a]);
    }
    index::read(&root, &links)
}
