//! `liandong cert revoke`: withdraw a certificate below this post. The
//! revocation is a ledger entry; it voids the key's entries from its time
//! on, at every post that receives it, and cannot be taken back (a
//! mistaken revocation is repaired by certifying a new key: docs/trust.md).
//! So the command first shows who would be revoked, from when and what it
//! voids here, and acts only with `--yes`.

use std::collections::BTreeSet;

use clap::Args;
use liandong_protocol::{Body, NodeId, Revocation, Status};
use serde_json::json;

use super::network_post;
use crate::cli::{CliError, output};
use crate::datadir::DataDir;
use crate::ledger::{Ledger, LedgerError};
use crate::service::revocation::{Candidate, RevocationPreview, candidates, preview};

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

pub fn run(data_dir: &DataDir, args: RevokeArgs) -> Result<(), CliError> {
    let (post, _) = network_post(data_dir)?;
    let own = post.ledger.node_id();
    let revocable = post
        .ledger
        .with_trust(|t| candidates(t, &own))
        .ok_or(LedgerError::NoGenesis)?;
    let subject = pick(&args.node, &revocable)?;
    let plan = preview(&post.ledger, &subject)?;

    if !args.yes {
        if args.json {
            output::print_json(&json!({ "done": false, "preview": plan }));
        } else {
            print_preview(&plan);
        }
        return Err(CliError::Usage(
            "未执行 / not done: add --yes to revoke / 确认无误后加 --yes 吊销".into(),
        ));
    }

    let voided_before = voided_ids(&post.ledger)?;
    let entry = post.ledger.author(
        plan.scope.clone(),
        Status::Actual,
        Body::Revocation(Revocation {
            subject,
            reason: args.reason.clone(),
        }),
    )?;
    // Writing it re-judged what this post holds (ledger::standing); the
    // difference is what it actually voided here.
    let voided_now = voided_ids(&post.ledger)?.difference(&voided_before).count();
    if args.json {
        output::print_json(&json!({
            "done": true,
            "revocation": entry.id().to_hex(),
            "subject": subject.to_hex(),
            "scope": plan.scope,
            "hlc": entry.hlc().as_u64(),
            "voided": voided_now,
            "preview": plan,
        }));
    } else {
        print_preview(&plan);
        println!(
            "已吊销 / revoked: {} — {}；本节点作废 {} 条 / {} entries voided here",
            subject.short(),
            output::terminal_safe(&args.reason),
            voided_now,
            voided_now
        );
        println!(
            "误吊销的补救见 docs/trust.md / to repair a mistaken revocation, see docs/trust.md"
        );
    }
    Ok(())
}

/// The revocable key `text` names: a full id or a unique prefix (8+ hex
/// characters). Anything else is refused with the keys it could have
/// meant, so a mistyped id revokes nobody.
fn pick(text: &str, revocable: &[Candidate]) -> Result<NodeId, CliError> {
    let t = text.trim().to_ascii_lowercase();
    if t.len() < 8 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(CliError::Usage(format!(
            "{text:?} is not a node id (64 hex characters, or a unique prefix of 8+) / 节点标识格式有误{}",
            list(revocable)
        )));
    }
    let matches: Vec<&Candidate> = revocable
        .iter()
        .filter(|c| c.node.starts_with(&t))
        .collect();
    match matches.as_slice() {
        [one] => one
            .node
            .parse()
            .map_err(|_| CliError::Failed(format!("stored id {} does not parse", one.node))),
        [] => Err(CliError::Invalid(format!(
            "no key this post may revoke starts with {} / 本节点可吊销的证书中没有该节点{}",
            output::terminal_safe(&t),
            list(revocable)
        ))),
        several => Err(CliError::Usage(format!(
            "{t} matches {} keys; give more characters / 前缀不唯一{}",
            several.len(),
            list(&several.iter().map(|c| (*c).clone()).collect::<Vec<_>>())
        ))),
    }
}

/// The candidates, one a line, for an error message.
fn list(candidates: &[Candidate]) -> String {
    if candidates.is_empty() {
        return "\n本节点没有可吊销的下级证书 / this post may revoke no key".into();
    }
    let mut out = String::from("\n可吊销 / candidates:");
    for c in candidates {
        out.push_str(&format!(
            "\n  {}  {}  {} {}",
            &c.node[..8],
            output::terminal_safe(&c.name),
            c.level,
            c.region
        ));
    }
    out
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

fn voided_ids(ledger: &Ledger) -> Result<BTreeSet<liandong_protocol::EntryId>, CliError> {
    Ok(ledger
        .store()
        .voided()?
        .into_iter()
        .map(|(id, _)| id)
        .collect())
}
