//! Projections of the folded views that the console shows (and the CLI
//! can): pure functions of `Views`, no IO, so they are tested and reused
//! without a running post.

pub mod forces;
pub mod inbox;
pub mod incident;
pub mod overview;

pub use forces::{ForceList, ForceQuery, ForceRow, search as search_forces};
pub use inbox::{InboxItem, inbox_item};
pub use incident::{IncidentDetail, TimelineItem, detail};
pub use overview::{OVERVIEW_ROWS, Overview, Totals, build_overview};
