//! `liandong note add`: write a free-text situation note.

use clap::{Args, Subcommand};
use liandong_protocol::restricted::Audience;
use liandong_protocol::{Body, Note, RegionCode, Status};

use super::CliError;
use super::access::{self, Access};
use super::output;
use super::who::Who;
use crate::datadir::DataDir;
use crate::service::rows::{EntryRow, Names};

#[derive(Debug, Subcommand)]
pub enum NoteCommand {
    /// Add a situation note / 添加情况记录
    Add(NoteAddArgs),
}

#[derive(Debug, Args)]
pub struct NoteAddArgs {
    /// The note's text / 记录内容
    pub text: String,
    /// Region the note is about [default: this post's region] / 涉及区划
    #[arg(long)]
    pub scope: Option<RegionCode>,
    /// actual, exercise (drill) or test / 实战、演练或测试
    #[arg(long, default_value = "actual", value_parser = crate::service::rows::parse_status)]
    pub status: Status,
    /// Restrict the note (受限信息) to an audience: `region:654203:county`,
    /// `role:NAME` or `posts:ID,ID` / 受限范围
    #[arg(long, value_name = "AUDIENCE", value_parser = super::domain::parse_audience)]
    pub restrict_to: Option<Audience>,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &DataDir, who: &Who, cmd: NoteCommand) -> Result<(), CliError> {
    match cmd {
        NoteCommand::Add(args) => add(data_dir, who, args),
    }
}

fn add(data_dir: &DataDir, who: &Who, args: NoteAddArgs) -> Result<(), CliError> {
    let row: EntryRow = match access::open_as(data_dir, who)? {
        Access::Local(post) => {
            let operator = who.offline(data_dir, "/api/notes")?;
            let scope = args
                .scope
                .unwrap_or_else(|| post.config.post.region.clone());
            let entry = post.ledger.author_to(
                scope,
                args.status,
                Body::Note(Note { text: args.text }),
                operator,
                args.restrict_to.as_ref(),
            )?;
            // This post wrote it: its name is the config's.
            let names = Names::from([(post.ledger.node_id(), post.config.post.name.clone())]);
            EntryRow::new(&entry, &names, post.ledger.keyring())
        }
        Access::Running(client) => {
            let body = serde_json::json!({
                "text": args.text,
                "scope": args.scope.map(|s| s.to_string()),
                "status": args.status,
                "restrict_to": args.restrict_to.map(|a| a.to_text()),
            });
            client.post("/api/notes", &body).map_err(access::remote)?
        }
    };
    if args.json {
        output::print_json(&row);
    } else {
        println!("已记录 / recorded: #{} {} ({})", row.seq, row.id, row.time);
    }
    Ok(())
}
