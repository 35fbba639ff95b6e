//! What every entry says about itself before its body: the [`Header`], the
//! [`Kind`] numbers, and the exact bytes of an entry ([`wire`]).
//!
//! This sits below the typed bodies: decoding a header never needs to know
//! what a body means, and one body (equivocation evidence) carries two
//! whole entries whose headers it must read. The typed entry, with its
//! body, is built on top of this in `entry`, which re-exports all of it.

mod kind;
pub mod operator;
pub mod wire;

use serde::{Deserialize, Serialize};

pub use kind::Kind;
pub use operator::{Operator, OperatorError};
pub use wire::WireError;

use crate::hlc::Hlc;
use crate::ids::{EntryId, NetworkId, NodeId};
use crate::region::RegionCode;

/// The newest entry format this code reads and writes. It reads every
/// version from [`MIN_PROTOCOL_VERSION`] up to this one, and writes the
/// oldest that can say what an entry says (see [`Header::version_for`]):
///
/// - 1: the original layout;
/// - 2: version 1 plus the [`Operator`] who entered the entry, written only
///   when an entry has one, so a post without operator accounts keeps
///   writing bytes every older post reads (docs/protocol.md, *Upgrading a network*).
pub const PROTOCOL_VERSION: u8 = 2;
/// The oldest entry format this code reads.
pub const MIN_PROTOCOL_VERSION: u8 = 1;
/// The version of entries without an operator.
pub const VERSION_PLAIN: u8 = 1;
/// The version of entries that name the operator who entered them.
pub const VERSION_OPERATOR: u8 = 2;

/// Whether an entry is about a real event, a drill, or a technical test
/// (the three CAP statuses a post uses). Drill and test entries never mix
/// with actual ones in views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Actual,
    Exercise,
    Test,
}

impl Status {
    pub const fn name_zh(self) -> &'static str {
        match self {
            Status::Actual => "实战",
            Status::Exercise => "演练",
            Status::Test => "测试",
        }
    }
}

/// Everything about an entry except its body and signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub version: u8,
    pub network: NetworkId,
    pub author: NodeId,
    /// Position in the author's chain, starting at 1.
    pub seq: u64,
    /// The id of the author's entry at `seq - 1`; `None` exactly when `seq == 1`.
    pub prev: Option<EntryId>,
    pub hlc: Hlc,
    pub scope: RegionCode,
    pub status: Status,
    pub kind: Kind,
    /// Who at the post entered it; `Some` exactly when `version` is
    /// [`VERSION_OPERATOR`].
    #[serde(default)]
    pub operator: Option<Operator>,
}

impl Header {
    /// The version an entry with (or without) an operator is written in.
    pub fn version_for(operator: Option<&Operator>) -> u8 {
        match operator {
            Some(_) => VERSION_OPERATOR,
            None => VERSION_PLAIN,
        }
    }
}
