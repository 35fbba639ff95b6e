//! `liandong cert requests`: the certificate requests newcomers handed to
//! this post over the network, waiting ones first — with the store, or
//! from the running node (`GET /api/members/requests`).

use clap::Args;

use crate::cli::access::{self, Access};
use crate::cli::{CliError, output};
use crate::datadir::DataDir;
use crate::service::cert_inbox::{self, RequestRow};

#[derive(Debug, Args)]
pub struct RequestsArgs {
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &DataDir, args: RequestsArgs) -> Result<(), CliError> {
    let rows: Vec<RequestRow> = match access::open(data_dir)? {
        Access::Local(post) => cert_inbox::list(&post.ledger)?,
        Access::Running(client) => client
            .get("/api/members/requests", &[])
            .map_err(access::remote)?,
    };
    if args.json {
        output::print_json(&rows);
        return Ok(());
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.node[..8].to_string(),
                output::truncate(&output::terminal_safe(&r.name), 24),
                r.level_zh.clone(),
                r.region.to_string(),
                r.unit_type_zh.clone(),
                r.received.clone(),
                r.source.clone().unwrap_or_default(),
                if r.status == "issued" {
                    "已签发，待取回 issued".into()
                } else {
                    "待签发 waiting".into()
                },
            ]
        })
        .collect();
    output::print_table(
        &[
            "编号 id",
            "单位 post",
            "级别 level",
            "区划 region",
            "类型 unit",
            "收到 received",
            "来自 from",
            "状态 status",
        ],
        &table,
    );
    if let Some(r) = rows.iter().find(|r| r.status == "pending") {
        println!(
            "签发 / to issue: liandong cert issue --request {} --level {} --region {}",
            &r.node[..8],
            r.level,
            r.region
        );
    }
    Ok(())
}
