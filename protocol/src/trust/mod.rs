//! The trust layer: which keys belong to a network and what each may do
//! (统一领导、分级负责).
//!
//! - [`genesis`]: the signed document that defines a network — its roots,
//!   authority policy and limits; the network id is derived from it.
//! - [`entries`]: the certificate, revocation and equivocation-evidence
//!   entry bodies (kinds 100–102), which replicate like any entry. They are
//!   defined in [`crate::trust_bodies`], below the entry that carries them,
//!   and re-exported here.
//! - [`request`]: the signed request a newcomer carries to its parent.
//! - [`certfile`]: what the parent hands back: certificate chain + genesis.
//! - [`handover`]: the same request and answer carried over the network
//!   (`/liandong/cert-request/1`), for a newcomer not yet admitted.
//! - [`state`]: the deterministic fold of those entries: the
//!   [`crate::Directory`] of posts, revocation and quarantine, and the
//!   admission rule every received entry passes before it is stored.
//! - [`directory`]: the state as the fold's directory, each post resolved
//!   once rather than once per entry.
//! - [`affected`]: after the state changes, whose stored entries may have
//!   lost (or regained) standing.

pub mod affected;
pub mod certfile;
pub mod directory;
pub mod error;
pub mod genesis;
pub mod handover;
pub mod request;
mod resolve;
pub mod state;

// The bodies sit below `entry` (whose `Body` wraps them); `trust::entries`
// stays their path.
pub use crate::trust_bodies as entries;

pub use crate::trust_bodies::{Certificate, Equivocation, ForkShape, Revocation};
pub use affected::Removals;
pub use certfile::{CertFile, CertFileError};
pub use directory::TrustDirectory;
pub use error::TrustError;
pub use genesis::{Genesis, GenesisError, Root, SignedGenesis};
pub use request::{CertRequest, RequestError};
pub use resolve::{CertRecord, MAX_CHAIN_DEPTH, Revoked};
pub use state::{Quarantine, RevocationRecord, TrustState};
