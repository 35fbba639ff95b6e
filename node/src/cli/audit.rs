//! `liandong audit log [--since]`: the console's audit trail (logins,
//! failed logins, account changes, exports, imports, revocations), oldest
//! first, and whether the trail is intact. Reads the file directly, so it
//! works whether or not the node runs.

use clap::{Args, Subcommand};

use super::{CliError, output};
use crate::clock;
use crate::datadir::DataDir;
use crate::operators::audit;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Show the audit trail / 查看审计日志
    Log(LogArgs),
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only records from this time (2026-12-02, "2026-12-02 08:00", 2h) / 起始时间
    #[arg(long)]
    pub since: Option<String>,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &DataDir, cmd: AuditCommand) -> Result<(), CliError> {
    match cmd {
        AuditCommand::Log(args) => log(data_dir, args),
    }
}

fn log(data_dir: &DataDir, args: LogArgs) -> Result<(), CliError> {
    if !data_dir.is_initialised() {
        return Err(CliError::DataDir(format!(
            "{} is not a post's data directory / 不是节点数据目录",
            data_dir.root().display()
        )));
    }
    let since = args
        .since
        .as_deref()
        .map(|t| clock::parse_time_ms(t, clock::now_ms()))
        .transpose()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let (records, check) =
        audit::read(data_dir, since).map_err(|e| CliError::Failed(e.to_string()))?;
    if args.json {
        output::print_json(&serde_json::json!({ "records": records, "check": check }));
    } else {
        let rows: Vec<Vec<String>> = records
            .iter()
            .map(|r| {
                vec![
                    r.seq.to_string(),
                    clock::format_ms(r.at_ms),
                    format!("{} {}", r.event.name_zh(), r.event.name()),
                    r.account.clone().unwrap_or_default(),
                    output::terminal_safe(&r.source).into_owned(),
                    output::terminal_safe(&r.details).into_owned(),
                ]
            })
            .collect();
        output::print_table(
            &[
                "#",
                "时间 time",
                "事件 event",
                "账户 account",
                "来源 source",
                "详情 details",
            ],
            &rows,
        );
        for note in &check.notes {
            println!("说明 / note    : {note}");
        }
        match &check.problem {
            Some(p) => println!("问题 / problem : {p}"),
            None => println!("审计日志完整 / trail intact ({} records)", check.records),
        }
    }
    match check.problem {
        Some(_) => Err(CliError::Problems(1)),
        None => Ok(()),
    }
}
