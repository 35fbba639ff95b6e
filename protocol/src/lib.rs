//! Liandong's protocol, without IO: the types every post agrees on, their
//! one canonical encoding, signatures, and validation.
//!
//! No networking, storage, threads or clocks live here. Time and randomness
//! come in as arguments, so every rule is a plain function that tests (and
//! any future implementation) can run deterministically.
//!
//! The modules are layered; each uses only modules of the layers before it,
//! so every one can be read (and tested) without those above it:
//!
//! 1. primitives: [`limits`], [`level`], [`ids`], [`hlc`], [`region`],
//!    [`codec`], [`sign`], [`digest`], [`unit`](mod@unit);
//! 2. [`header`]: what every entry says before its body, and its exact
//!    bytes;
//! 3. [`authority`]: who may do what, as rules over data;
//! 4. [`body_rules`]: the error every body check returns, and the shared
//!    text rule;
//! 5. the bodies entries carry: [`trust_bodies`] (certificates, revocations,
//!    equivocation evidence), [`linkage`] (reports, warnings, resources …)
//!    and [`restricted`] (agreement keys and sealed envelopes);
//! 6. [`entry`]: the typed body and the signed, hash-chained entry;
//! 7. [`validate`](mod@validate): the one check every received entry passes;
//! 8. what reads whole entries: [`trust`] (genesis and the trust state,
//!    which validates equivocation evidence), [`domain`] (the fold into
//!    views; it re-exports the linkage bodies); and the exchange between
//!    posts: [`interest`], [`net`], [`sync`], [`bundle`].
//!
//! Re-exports keep the older paths (`entry::Header`, `entry::wire`,
//! `trust::entries`, `domain::incident` …) working.

pub mod authority;
pub mod body_rules;
pub mod bundle;
pub mod codec;
pub mod digest;
pub mod domain;
pub mod entry;
pub mod header;
pub mod hlc;
pub mod ids;
pub mod interest;
pub mod level;
pub mod limits;
pub mod linkage;
pub mod net;
pub mod region;
pub mod restricted;
pub mod sign;
pub mod sync;
pub mod trust;
pub mod trust_bodies;
pub mod unit;
pub mod validate;

pub use authority::{
    Action, AuthorityError, AuthorityPolicy, Directory, PostInfo, ResponseLevel, Role,
};
pub use digest::LedgerDigest;
pub use entry::{
    Body, Draft, Header, Kind, Note, Operator, OperatorError, PostPlace, PostProfile, SignedEntry,
    Status, UnitType,
};
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
