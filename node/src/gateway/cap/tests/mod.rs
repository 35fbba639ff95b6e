//! Tests of the CAP gateway against whole documents: the shared real-world
//! alerts, the project's own Chinese fixtures, hostile XML, indexes with
//! links, and native warnings. Every exported alert is validated with
//! `xmllint --schema cap12.xsd` (see `schema.rs`).

mod attacks;
mod indexes;
mod native;
mod own;
mod schema;
mod shared;

use std::path::PathBuf;

use liandong_protocol::domain::cap::CapAlert;

use super::{read_alert, write_alert};

/// Reads `xml`, writes it as CAP 1.2, checks the output against the
/// schema (when it can) and reads it back: the alert must be unchanged.
/// Returns the alert and the written text.
fn round_trip(name: &str, xml: &[u8]) -> (CapAlert, String) {
    let alert = read_alert(xml).unwrap_or_else(|p| panic!("{name} does not read:\n{p}"));
    let written = write_alert(&alert);
    schema::assert_valid(name, &written);
    let again = read_alert(written.as_bytes())
        .unwrap_or_else(|p| panic!("{name} as written does not read:\n{p}\n{written}"));
    assert_eq!(again, alert, "{name} changed meaning in the round trip");
    assert_eq!(write_alert(&again), written, "{name}: writing is stable");
    (alert, written)
}

/// The project's own fixtures.
fn own_fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cap")
        .join(name)
}
