//! What every linkage-domain command shares: the session (post, fold,
//! directory, track), ids typed by operators, bilingual labels, input
//! parsing, and one-line summaries for `liandong log`.

pub mod ids;
pub mod input;
pub mod lang;
pub mod session;
pub mod summary;

use clap::Args;

pub use lang::Lang;
pub use session::Session;

/// Options every domain command takes.
#[derive(Debug, Clone, Args)]
pub struct Common {
    /// Write into (or show) this drill instead of reality: its id or a
    /// prefix / 演练编号（写入或查看该演练）
    #[arg(long, value_name = "DRILL_ID")]
    pub drill: Option<String>,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

/// Tells the operator what was written and its id (the id later commands
/// take; its first 8 characters are enough).
pub fn print_written(entry: &liandong_protocol::SignedEntry, json: bool, what: (&str, &str)) {
    let row = super::output::EntryRow::new(entry, &Default::default());
    if json {
        super::output::print_json(&row);
    } else {
        println!(
            "已写入{} / {} written: #{} {} {}",
            what.0,
            what.1,
            entry.seq(),
            row.time,
            super::output::truncate(&row.summary, 60)
        );
        println!("  编号 / id: {}", entry.id());
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
}
