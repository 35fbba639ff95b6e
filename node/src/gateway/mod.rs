//! The gateway to the warning world's formats (CAP 1.2, Atom indexes,
//! EDXL-RM): reading and writing XML, kept apart from the ledger and the
//! domain, which see only the protocol's types.

pub mod atom;
pub mod cap;
pub mod edxl_rm;
pub mod export;
