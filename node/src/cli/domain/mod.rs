//! What every linkage-domain command shares: the session (the post and its
//! desk) and how an action runs (locally or through the running node),
//! bilingual labels, attachments, and one-line summaries for `liandong log`.
//! The actions themselves live in `crate::domain`, shared with the console.

pub mod input;
pub mod lang;
pub mod session;

use clap::Args;
use liandong_protocol::restricted::Audience;

pub use lang::Lang;
pub use session::{Session, Written, execute};

/// Options every domain command takes.
#[derive(Debug, Clone, Args)]
pub struct Common {
    /// Write into (or show) this drill instead of reality: its id or a
    /// prefix / 演练编号（写入或查看该演练）
    #[arg(long, value_name = "DRILL_ID")]
    pub drill: Option<String>,
    /// Write it as restricted (受限信息), readable only by this audience:
    /// `region:654203:county` (the county's posts and those above it),
    /// `role:NAME`, or `posts:ID,ID` / 受限范围（仅该范围内的岗位可读）
    #[arg(long, value_name = "AUDIENCE", value_parser = parse_audience)]
    pub restrict_to: Option<Audience>,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

/// Options of the commands that only show (boards, a drill's review):
/// [`Common`] without `--restrict-to`, which only a write takes.
#[derive(Debug, Clone, Args)]
pub struct ViewOptions {
    /// Show this drill instead of reality: its id or a prefix / 演练编号（查看该演练）
    #[arg(long, value_name = "DRILL_ID")]
    pub drill: Option<String>,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

impl ViewOptions {
    /// As the options a session takes (nothing is written).
    pub fn as_common(&self) -> Common {
        Common {
            drill: self.drill.clone(),
            restrict_to: None,
            json: self.json,
        }
    }
}

/// Reads `--restrict-to`.
pub fn parse_audience(text: &str) -> Result<Audience, String> {
    Audience::parse(text).map_err(|e| e.to_string())
}

/// Tells the operator what was written and its id (the id later commands
/// take; its first 8 characters are enough).
pub fn print_written(w: &Written, json: bool) {
    let row = &w.entry;
    if json {
        super::output::print_json(row);
    } else {
        println!(
            "已写入{} / {} written: #{} {} {}",
            w.label_zh,
            w.label_en,
            row.seq,
            row.time,
            super::output::terminal_safe(&super::output::truncate(&row.summary, 60))
        );
        println!("  编号 / id: {}", row.id);
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every command's arguments are consistent (unique names, valid
    /// defaults): clap checks this only when a command is first used.
    #[test]
    fn command_line_is_well_formed() {
        crate::cli::Cli::command().debug_assert();
    }

    /// `--restrict-to` is taken by what writes, and refused by what only
    /// shows (it would do nothing there).
    #[test]
    fn only_writing_commands_take_restrict_to() {
        use clap::Parser;
        let parse = |args: &[&str]| crate::cli::Cli::try_parse_from(args).map(drop);
        let audience = ["--restrict-to", "region:654203:county"];
        let write = ["liandong", "note", "add", "x"];
        assert!(parse(&[&write[..], &audience[..]].concat()).is_ok());
        for shows in [
            &["liandong", "board", "incidents"][..],
            &["liandong", "drill", "review", "--drill", "ab12"][..],
        ] {
            assert!(parse(shows).is_ok(), "{shows:?}");
            let err = parse(&[shows, &audience[..]].concat()).expect_err("refused");
            assert_eq!(err.kind(), clap::error::ErrorKind::UnknownArgument);
        }
    }
}
