//! `liandong cert revoke`: withdraw a certificate below this post. The
//! revocation is a ledger entry; it voids the key's entries from its time
//! on, at every post that receives it.

use clap::Args;
use liandong_protocol::{Body, Revocation, Status};
use serde_json::json;

use super::{network_post, parse_node};
use crate::cli::{CliError, output};
use crate::datadir::DataDir;
use crate::ledger::LedgerError;

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The key to revoke: node id, or a unique prefix from `cert list` / 被吊销节点
    pub node: String,
    /// Why, for operators / 吊销原因
    #[arg(long)]
    pub reason: String,
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &DataDir, args: RevokeArgs) -> Result<(), CliError> {
    let (post, _) = network_post(data_dir)?;
    let subjects: Vec<_> = post
        .ledger
        .with_trust(|t| t.certificates().map(|c| c.cert.subject).collect())
        .unwrap_or_default();
    let subject = parse_node(&args.node, subjects.into_iter())?;
    let own = post.ledger.node_id();
    post.ledger.resolve(&own, post.ledger.now_hlc())?;
    let scope = post
        .ledger
        .with_trust(|t| t.may_revoke(&own, &subject))
        .ok_or(LedgerError::NoGenesis)?
        .map_err(LedgerError::Refused)?;
    let entry = post.ledger.author(
        scope.clone(),
        Status::Actual,
        Body::Revocation(Revocation {
            subject,
            reason: args.reason.clone(),
        }),
    )?;
    if args.json {
        output::print_json(&json!({
            "revocation": entry.id().to_hex(),
            "subject": subject.to_hex(),
            "scope": scope,
            "hlc": entry.hlc().as_u64(),
        }));
    } else {
        println!(
            "已吊销 / revoked: {} (区划 scope {}) — {}",
            subject.short(),
            scope,
            args.reason
        );
        println!("该节点此后的条目将被拒收 / its entries from now on will be refused");
    }
    Ok(())
}
