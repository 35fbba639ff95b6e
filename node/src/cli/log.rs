//! `liandong log`: list ledger entries.

use clap::Args;
use liandong_protocol::{Hlc, Kind, RegionCode};

use super::CliError;
use super::access::{self, Access};
use super::output;
use crate::clock;
use crate::datadir::DataDir;
use crate::service::authors::{self, AuthorError};
use crate::service::rows::{EntryRow, post_names};
use crate::store::Query;

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only this kind (profile, note, or a number) / 只看此类型
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<Kind>,
    /// Only entries by this author: node id, or its first 8+ characters as
    /// listings show them / 只看此节点（节点标识或至少 8 位前缀）
    #[arg(long)]
    pub author: Option<String>,
    /// Only entries about this region or inside it / 只看此区划及下级
    #[arg(long)]
    pub scope: Option<RegionCode>,
    /// From this time: 2026-11-28, "2026-11-28 08:30" (Beijing), or 2h ago / 起始时间
    #[arg(long)]
    pub since: Option<String>,
    /// Up to this time / 截止时间
    #[arg(long)]
    pub until: Option<String>,
    /// Show at most this many entries / 最多显示条数
    #[arg(long)]
    pub limit: Option<usize>,
    /// Only voided entries: kept as evidence, no longer counted (their
    /// author was revoked or quarantined as of their time) / 只看已失效条目
    #[arg(long)]
    pub voided: bool,
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

fn parse_kind(text: &str) -> Result<Kind, String> {
    Kind::parse(text)
        .ok_or_else(|| format!("unknown kind {text:?}; use profile, note or a number / 未知类型"))
}

pub fn run(data_dir: &DataDir, args: LogArgs) -> Result<(), CliError> {
    let now = clock::now_ms();
    let time = |t: &Option<String>| -> Result<Option<Hlc>, CliError> {
        t.as_deref()
            .map(|s| {
                clock::parse_time_ms(s, now)
                    .map(Hlc::at_wall)
                    .map_err(|e| CliError::Usage(e.to_string()))
            })
            .transpose()
    };
    let mut query = Query {
        scope: args.scope,
        kind: args.kind,
        author: None,
        since: time(&args.since)?,
        until: time(&args.until)?.map(|t| Hlc::new(t.wall_ms(), u16::MAX)),
        limit: args.limit,
        voided: args.voided,
    };
    let rows: Vec<EntryRow> = match access::open(data_dir)? {
        Access::Local(post) => {
            let store = post.ledger.store();
            query.author = args
                .author
                .as_deref()
                .map(|a| authors::resolve(store, a))
                .transpose()
                .map_err(|e| match e {
                    AuthorError::Store(e) => CliError::from(e),
                    refused => CliError::Usage(refused.to_string()),
                })?;
            let names = post_names(store)?;
            store
                .query(&query)?
                .iter()
                .map(|e| {
                    EntryRow::new(e, &names, post.ledger.keyring())
                        .with_standing(post.ledger.standing(e))
                })
                .collect()
        }
        Access::Running(client) => {
            let params = [
                ("kind", args.kind.map(|k| k.0.to_string())),
                ("author", args.author.clone()),
                ("scope", query.scope.as_ref().map(ToString::to_string)),
                ("since", args.since.clone()),
                ("until", args.until.clone()),
                ("limit", args.limit.map(|l| l.to_string())),
                ("voided", args.voided.then(|| "true".to_string())),
            ];
            client
                .get("/api/entries", &params)
                .map_err(access::remote)?
        }
    };
    if args.json {
        output::print_json(&rows);
    } else if rows.is_empty() {
        println!("（无记录）no entries");
    } else {
        let cells: Vec<Vec<String>> = rows.iter().map(output::entry_cells).collect();
        output::print_table(&output::ENTRY_HEADER, &cells);
        println!("共 {} 条 / {} entries", rows.len(), rows.len());
    }
    Ok(())
}
