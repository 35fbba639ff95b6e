//! `liandong verify`: re-validate the stored entries and their indexes,
//! report trust standing, and check the console's audit trail. By default only what arrived since the last clean
//! check (see `ledger::verify`); `--full` re-checks everything.
//!
//! Voided entries (stored before the revocation or evidence that voids them
//! arrived; see `store::standing`) are checked as what they are: their
//! scope, kind and time rows are absent by design, and the digests leave
//! them out.

use clap::Args;

use super::CliError;
use super::output;
use crate::clock;
use crate::datadir::DataDir;
use crate::ledger::verify::verify_since_point;
use crate::operators::audit;
use crate::post::Post;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Re-check every entry, not only those since the last clean check
    /// (finds bytes that rotted in old entries) / 全部重新校验
    #[arg(long)]
    pub full: bool,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &DataDir, args: VerifyArgs) -> Result<(), CliError> {
    let post = Post::open(data_dir)?;
    let report = verify_since_point(&post.ledger, args.full)?;
    // The console's audit trail (`operators::audit`): intact, or the
    // first bad record named.
    let audit = audit::check(data_dir).map_err(|e| CliError::Failed(e.to_string()))?;
    let problems = report.problems.len() + usize::from(audit.problem.is_some());
    if args.json {
        let mut value = serde_json::to_value(&report).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.insert(
                "audit".into(),
                serde_json::to_value(&audit).unwrap_or_default(),
            );
        }
        output::print_json(&value);
    } else {
        match &report.since {
            Some(point) => println!(
                "范围 / checked : {} entries since the check of {} ({} entries then); \
                 `--full` re-checks all / 仅校验上次校验后新增的条目",
                report.entries,
                clock::format_ms(point.at_ms),
                point.entries
            ),
            None => println!("范围 / checked : all entries / 全部条目"),
        }
        for note in &report.notes {
            println!("说明 / note    : {note}");
        }
        println!(
            "条目 / entries : {} ({} valid)",
            report.entries, report.valid
        );
        println!("摘要 / digest  : {}", report.digest);
        for f in &report.forks {
            println!("分叉 / fork    : {f}");
        }
        for (why, n) in &report.voided {
            println!("失效 / voided  : {n} ({why})");
        }
        for (why, n) in &report.without_standing {
            println!("未生效 / not counting : {n} ({why})");
        }
        for p in &report.problems {
            println!("问题 / problem : {p}");
        }
        if report.problems.is_empty() {
            println!("校验通过 / store verified");
        }
        for note in &audit.notes {
            println!("审计说明 / audit note : {note}");
        }
        match &audit.problem {
            Some(p) => println!("审计问题 / audit problem : {p}"),
            None => println!(
                "审计日志完整 / audit trail intact ({} records)",
                audit.records
            ),
        }
    }
    if problems == 0 {
        Ok(())
    } else {
        Err(CliError::Problems(problems))
    }
}
