//! `liandong cert revoke`: withdraw a certificate below this post. The
//! revocation is a ledger entry; it voids the key's entries from its time
//! on, at every post that receives it, and cannot be taken back (a
//! mistaken revocation is repaired by certifying a new key: docs/trust.md).
//! So the command first shows who would be revoked, from when and what it
//! voids here, and acts only with `--yes`.

use clap::Args;
use liandong_protocol::Status;
use serde_json::json;

use crate::cli::access::{self, Access};
use crate::cli::who::Who;
use crate::cli::{CliError, output};
use crate::datadir::DataDir;
use crate::service::revocation::{self, RevocationPreview, RevokeError, RevokeOutcome};

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The key to revoke: node id, or a unique prefix from `cert list` / 被吊销节点
    pub node: String,
    /// Why, for operators / 吊销原因
    #[arg(long)]
    pub reason: String,
    /// Revoke: without it, only show what the revocation would do / 确认吊销
    #[arg(long)]
    pub yes: bool,
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &DataDir, who: &Who, args: RevokeArgs) -> Result<(), CliError> {
    let outcome = match access::open_as(data_dir, who)? {
        Access::Local(post) => {
            let planned = revocation::plan(&post.ledger, &args.node).map_err(revoke_error)?;
            if args.yes {
                let entry = post.ledger.author_by(
                    planned.preview.scope.clone(),
                    Status::Actual,
                    revocation::body(&planned, &args.reason),
                    who.offline(data_dir, "/api/members/revoke")?,
                )?;
                revocation::done(&post.ledger, planned, &entry)?
            } else {
                revocation::not_done(planned)
            }
        }
        // `liandong run` holds the store: the node previews and writes (and
        // gossips the revocation at once).
        Access::Running(client) => client
            .post::<_, RevokeOutcome>(
                "/api/members/revoke",
                &json!({ "node": args.node, "reason": args.reason, "yes": args.yes }),
            )
            .map_err(access::remote)?,
    };

    if args.json {
        output::print_json(&outcome);
    } else {
        print_preview(&outcome.preview);
        if let Some(voided) = outcome.voided.filter(|_| outcome.done) {
            println!(
                "已吊销 / revoked: {} — {}；本节点作废 {} 条 / {} entries voided here",
                &outcome.preview.subject[..8],
                output::terminal_safe(&args.reason),
                voided,
                voided
            );
            println!(
                "误吊销的补救见 docs/trust.md / to repair a mistaken revocation, see docs/trust.md"
            );
        }
    }
    if !outcome.done {
        return Err(CliError::Usage(
            "未执行 / not done: add --yes to revoke / 确认无误后加 --yes 吊销".into(),
        ));
    }
    Ok(())
}

fn revoke_error(e: RevokeError) -> CliError {
    match e {
        RevokeError::Usage(m) => CliError::Usage(m),
        RevokeError::NoMatch(m) => CliError::Invalid(m),
        RevokeError::Ledger(l) => l.into(),
    }
}

fn print_preview(p: &RevocationPreview) {
    println!(
        "吊销 / revoke: {} ({} {}) 节点 node {}",
        output::terminal_safe(&p.name),
        p.level,
        p.region,
        &p.subject[..8]
    );
    println!(
        "生效时间 / effective: {} 起（此后该节点签署的条目各节点一律不认）/ from then on its entries count nowhere",
        p.effective
    );
    if let Some(since) = &p.already_revoked_since {
        println!(
            "注意 / note: 该节点已于 {since} 被吊销，本次吊销不再作废更多条目 / already revoked"
        );
    }
    println!(
        "本节点将作废 / voided here: {} 条 entries{}",
        p.voids,
        if p.voids == 0 {
            "（吊销排在本节点已收到的全部条目之后 / the revocation orders after everything this post holds）"
        } else {
            ""
        }
    );
    println!(
        "该节点在本节点的 {} 条条目保持有效{} / its {} entries here stay valid",
        p.subject_entries_kept,
        p.subject_last_entry
            .as_deref()
            .map(|t| format!("，最近一条 latest {t}"))
            .unwrap_or_default(),
        p.subject_entries_kept
    );
    for a in &p.voids_by_author {
        println!(
            "  {} {}: {} 条",
            &a.node[..8],
            output::terminal_safe(&a.name),
            a.entries
        );
    }
    println!(
        "其他节点：它在生效时间之后签署的条目（如断网期间所写），吊销送达时一律作废 / other posts void its entries from the effective time on (e.g. written while cut off) when the revocation reaches them"
    );
}
