//! Liandong's protocol, without IO: the types every post agrees on, their
//! one canonical encoding, signatures, and validation.
//!
//! No networking, storage, threads or clocks live here. Time and randomness
//! come in as arguments, so every rule is a plain function that tests (and
//! any future implementation) can run deterministically.

pub mod authority;
pub mod bundle;
pub mod codec;
pub mod digest;
pub mod domain;
pub mod entry;
pub mod hlc;
pub mod ids;
pub mod interest;
pub mod level;
pub mod limits;
pub mod net;
pub mod region;
pub mod sign;
pub mod sync;
pub mod trust;
pub mod validate;

pub use authority::{
    Action, AuthorityError, AuthorityPolicy, Directory, PostInfo, ResponseLevel, Role,
};
pub use digest::LedgerDigest;
pub use entry::{Body, Draft, Header, Kind, Note, PostProfile, SignedEntry, Status, UnitType};
pub use hlc::{Hlc, HlcClock};
pub use ids::{EntryId, NetworkId, NodeId};
pub use interest::{Interest, Selector};
pub use level::Level;
pub use limits::Limits;
pub use region::RegionCode;
pub use sign::Keypair;
pub use trust::{
    Certificate, Equivocation, Genesis, Removals, Revocation, SignedGenesis, TrustError, TrustState,
};
pub use validate::{ValidationContext, ValidationError, validate};
