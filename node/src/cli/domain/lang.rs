//! Bilingual labels: Chinese by default, English on request.

use clap::ValueEnum;
use liandong_protocol::domain::fold::WarningStatus;
use liandong_protocol::domain::fold::Who;
use liandong_protocol::domain::{
    DeploymentStatus, EventType, Phase, ResourceClass, ResponseAction, Severity, TaskState,
    WarningColor,
};
use liandong_protocol::{Level, Operator, ResponseLevel};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Lang {
    /// 中文
    #[default]
    Zh,
    /// English
    En,
}

/// A post as boards name it, with the operator who entered the entry when
/// it says: `西戈壁村 · 张三`.
pub fn post_and_operator(who: &Who) -> String {
    match &who.entered_by {
        Some(op) => format!("{} · {}", who.name, op.display()),
        None => who.name.to_string(),
    }
}

impl Lang {
    /// "录入：张三" / "entered by 张三 (zhangsan)": the after-action
    /// review's words for the operator who entered an entry.
    pub fn entered_by(self, op: &Operator) -> String {
        match self {
            Lang::Zh => format!("录入：{}", op.display()),
            Lang::En => format!("entered by {op}"),
        }
    }

    /// Picks the text of this language.
    pub fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// Picks the text of this language from an entry whose English is
    /// optional (a warning's headline): blank English shows the Chinese.
    pub fn text<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::En if !en.trim().is_empty() => en,
            _ => zh,
        }
    }

    pub fn phase(self, p: Phase) -> &'static str {
        self.t(p.name_zh(), p.name())
    }

    pub fn severity(self, s: Severity) -> String {
        match self {
            Lang::Zh => format!("{}（{}）", s.numeral(), s.name_zh()),
            Lang::En => format!("{} ({})", s.numeral(), s.name_en()),
        }
    }

    pub fn event(self, e: &EventType) -> String {
        match self {
            Lang::Zh => e.name_zh(),
            Lang::En => e.name_en(),
        }
    }

    pub fn level(self, l: Level) -> &'static str {
        self.t(l.name_zh(), l.name_en())
    }

    pub fn response(self, level: ResponseLevel) -> String {
        match self {
            Lang::Zh => format!("{level}级"),
            Lang::En => format!("level {level}"),
        }
    }

    pub fn action(self, a: ResponseAction) -> &'static str {
        self.t(a.name_zh(), a.name())
    }

    pub fn color(self, c: WarningColor) -> &'static str {
        self.t(c.name_zh(), c.name())
    }

    pub fn warning_status(self, s: WarningStatus) -> &'static str {
        self.t(s.name_zh(), s.name_en())
    }

    pub fn task_state(self, s: TaskState) -> &'static str {
        self.t(s.name_zh(), s.name())
    }

    pub fn deployment(self, s: DeploymentStatus) -> &'static str {
        self.t(s.name_zh(), s.name())
    }

    pub fn class(self, c: ResourceClass) -> &'static str {
        self.t(c.name_zh(), c.name())
    }

    /// A duration as minutes (or hours and minutes).
    pub fn duration(self, ms: u64) -> String {
        let minutes = ms / 60_000;
        let (h, m) = (minutes / 60, minutes % 60);
        match (self, h) {
            (Lang::Zh, 0) => format!("{m}分钟"),
            (Lang::Zh, _) => format!("{h}小时{m}分"),
            (Lang::En, 0) => format!("{m} min"),
            (Lang::En, _) => format!("{h} h {m} min"),
        }
    }
}
