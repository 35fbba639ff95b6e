//! What a domain action answers once its entry is written: the entry, the
//! action's label in both languages, and a notice worth telling the
//! operator. The console's API returns it and the CLI prints it.

use serde::{Deserialize, Serialize};

use super::rows::EntryRow;

#[derive(Debug, Serialize, Deserialize)]
pub struct Written {
    pub entry: EntryRow,
    pub label_zh: String,
    pub label_en: String,
    /// An applied override's conflict, worth telling the operator.
    pub notice: Option<Notice>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Notice {
    pub zh: String,
    pub en: String,
}
