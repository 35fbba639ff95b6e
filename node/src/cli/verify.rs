//! `liandong verify`: re-validate every stored entry and the indexes, and
//! report trust standing.
//!
//! Voided entries (stored before the revocation or evidence that voids them
//! arrived; see `store::standing`) are checked as what they are: their
//! scope, kind and time rows are absent by design, and the digests leave
//! them out.

use clap::Args;

use super::CliError;
use super::output;
use crate::datadir::DataDir;
use crate::ledger::verify::verify;
use crate::post::Post;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &DataDir, args: VerifyArgs) -> Result<(), CliError> {
    let post = Post::open(data_dir)?;
    let report = verify(&post.ledger)?;
    if args.json {
        output::print_json(&report);
    } else {
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
    }
    if report.problems.is_empty() {
        Ok(())
    } else {
        Err(CliError::Problems(report.problems.len()))
    }
}
