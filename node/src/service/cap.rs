//! What an import of CAP answers, for the console's API and the CLI alike:
//! the entries written and the alerts skipped because they are held.

use serde::{Deserialize, Serialize};

use super::written::Written;
use crate::domain::actions::external_warning::Skipped;

#[derive(Debug, Serialize, Deserialize)]
pub struct ImportReport {
    pub written: Vec<Written>,
    pub skipped: Vec<Skipped>,
}

impl ImportReport {
    /// What the operator reads after an import, one line per alert.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!(
            "已导入 {} 条，跳过 {} 条 / imported {}, skipped {}",
            self.written.len(),
            self.skipped.len(),
            self.written.len(),
            self.skipped.len()
        )];
        for w in &self.written {
            out.push(format!(
                "  + {} {} · {} / {}",
                w.entry.id, w.entry.summary, w.label_zh, w.label_en
            ));
        }
        for s in &self.skipped {
            out.push(format!(
                "  = {} ({}) · {} / {}",
                s.identifier, s.sender, s.zh, s.en
            ));
        }
        out
    }
}
