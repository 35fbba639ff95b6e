//! `liandong cert list`: the certificate tree this post holds, from the
//! roots down, with each certificate's standing now; then revocations and
//! quarantined keys.

use clap::Args;
use serde::Deserialize;

use crate::cli::access::{self, Access};
use crate::cli::{CliError, output};
use crate::datadir::DataDir;
use crate::ledger::LedgerError;
use crate::service::certs::{Listing, Row, listing};

/// `GET /api/members` as the running node answers it.
#[derive(Debug, Deserialize)]
struct Members {
    mode: String,
    #[serde(flatten)]
    listing: Listing,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &DataDir, args: ListArgs) -> Result<(), CliError> {
    let listing = match access::open(data_dir)? {
        Access::Local(post) => {
            let genesis = post.genesis.clone().ok_or(LedgerError::NoGenesis)?;
            let now = post.ledger.now_hlc();
            let mut listing = post
                .ledger
                .with_trust(|t| listing(t, now))
                .ok_or(LedgerError::NoGenesis)?;
            listing.network = format!(
                "{} ({})",
                genesis.genesis().name,
                genesis.network_id().short()
            );
            listing
        }
        // `liandong run` holds the store: the console's 成员 page answers.
        Access::Running(client) => {
            let members = client
                .get::<Members>("/api/members", &[])
                .map_err(access::remote)?;
            // A development network has no certificates, as locally.
            if members.mode != "trust" {
                return Err(LedgerError::NoGenesis.into());
            }
            members.listing
        }
    };
    if args.json {
        output::print_json(&listing);
        return Ok(());
    }
    println!("网络 / network: {}", listing.network);
    let rows: Vec<Vec<String>> = listing
        .tree
        .iter()
        .map(|r| {
            vec![
                format!("{}{}", "  ".repeat(r.depth), output::truncate(&r.name, 24)),
                r.node[..8].to_string(),
                r.level.clone(),
                r.region.clone(),
                r.unit_type.clone(),
                r.roles.join(","),
                if r.can_certify { "是" } else { "" }.to_string(),
                status_zh(r),
            ]
        })
        .collect();
    output::print_table(
        &[
            "单位 post",
            "节点 node",
            "级别 level",
            "区划 region",
            "类型 unit",
            "角色 roles",
            "可签发 certifies",
            "状态 status",
        ],
        &rows,
    );
    for r in &listing.revocations {
        println!(
            "吊销 / revocation: {} by {} at {}{} — {}",
            r.subject,
            r.by,
            r.time,
            if r.counts {
                ""
            } else {
                " (不生效 does not count)"
            },
            output::terminal_safe(&r.reason)
        );
    }
    for q in &listing.quarantined {
        println!("隔离 / quarantined for equivocation: {q}");
    }
    Ok(())
}

fn status_zh(r: &Row) -> String {
    match r.status.as_str() {
        "valid" => "有效 valid".into(),
        "revoked" => "已吊销 revoked".into(),
        "quarantined" => "已隔离 quarantined".into(),
        "outside_validity" => "不在有效期 expired".into(),
        "superseded" => "已被新证书取代 superseded".into(),
        other => format!("无效 invalid ({other})"),
    }
}
