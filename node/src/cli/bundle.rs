//! `liandong bundle export|import`: carry entries on a USB stick.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use liandong_protocol::{Hlc, RegionCode};

use super::CliError;
use super::access::{self, Access};
use super::output;
use crate::bundle::{self, BundleError, ExportSummary, ImportSummary};
use crate::clock;
use crate::datadir::DataDir;
use crate::post::Post;

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Write entries to a bundle file / 导出数据包
    Export(ExportArgs),
    /// Import a bundle file / 导入数据包
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Export what a post at this region holds [default: this post's region] / 区划
    #[arg(long)]
    pub scope: Option<RegionCode>,
    /// Only entries from this time on / 起始时间
    #[arg(long)]
    pub since: Option<String>,
    /// Output file / 输出文件
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The bundle file / 数据包文件
    pub file: PathBuf,
    #[arg(long)]
    pub json: bool,
}

/// Bundles at least this large get a progress bar.
const PROGRESS_THRESHOLD: u64 = 2_000;

pub fn run(data_dir: &DataDir, cmd: BundleCommand) -> Result<(), CliError> {
    match cmd {
        BundleCommand::Export(args) => export(data_dir, args),
        BundleCommand::Import(args) => import(data_dir, args),
    }
}

fn export(data_dir: &DataDir, args: ExportArgs) -> Result<(), CliError> {
    let since_ms = args
        .since
        .as_deref()
        .map(|s| clock::parse_time_ms(s, clock::now_ms()))
        .transpose()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let summary = match access::open(data_dir)? {
        Access::Local(post) => {
            let scope = args
                .scope
                .clone()
                .unwrap_or_else(|| post.config.post.region.clone());
            bundle::export(
                &post.ledger,
                &scope,
                since_ms.map(Hlc::at_wall),
                &args.output,
            )
            .map_err(bundle_error)?
        }
        Access::Running(client) => {
            let params = [
                ("scope", args.scope.as_ref().map(ToString::to_string)),
                ("since", since_ms.map(clock::rfc3339_ms)),
            ];
            let bytes = client
                .get_bytes("/api/bundle", &params)
                .map_err(access::remote)?;
            let manifest = bundle::manifest_of(&bytes, &args.output).map_err(bundle_error)?;
            bundle::write_file(&args.output, &bytes).map_err(bundle_error)?;
            ExportSummary {
                path: args.output.clone(),
                entries: manifest.count,
                bytes: bytes.len() as u64,
                digest: manifest.digest.to_string(),
            }
        }
    };
    if args.json {
        output::print_json(&summary);
    } else {
        println!(
            "已导出 / exported {} entries ({} bytes) to {}",
            summary.entries,
            summary.bytes,
            summary.path.display()
        );
        println!("摘要 / digest: {}", summary.digest);
    }
    Ok(())
}

fn import(data_dir: &DataDir, args: ImportArgs) -> Result<(), CliError> {
    let summary = match access::open(data_dir)? {
        Access::Local(post) => import_local(&post, &args)?,
        Access::Running(client) => {
            let bytes = std::fs::read(&args.file).map_err(|e| {
                CliError::Failed(format!("cannot read {}: {e}", args.file.display()))
            })?;
            client
                .post_bytes("/api/bundle/import", &bytes)
                .map_err(access::remote)?
        }
    };
    if args.json {
        output::print_json(&summary);
    } else {
        println!(
            "数据包 / bundle: {} entries from {} (exported {})",
            summary.entries,
            summary.exporter.get(..8).unwrap_or(&summary.exporter),
            summary.exported_at
        );
        println!(
            "新增 added {} · 重复 duplicate {} · 拒收 rejected {} · 未获准 refused {} · 范围外 out of scope {}",
            summary.added,
            summary.duplicate,
            summary.rejected.len(),
            summary.refused.len(),
            summary.out_of_scope
        );
        for r in &summary.rejected {
            println!("  拒收 rejected #{}: {}", r.index, r.reason);
        }
        for r in &summary.refused {
            println!("  未获准 refused #{}: {}", r.index, r.reason);
        }
    }
    nothing_taken(&summary).map_or(Ok(()), |msg| Err(CliError::Invalid(msg)))
}

/// When a bundle gave this post nothing new and some of its entries were
/// refused, the import failed as invalid (exit code 6): the message counts
/// the refusals by reason. A bundle of which some entries are refused (a
/// revoked post's, say) but others taken is a success; its summary lists
/// the refusals.
fn nothing_taken(summary: &ImportSummary) -> Option<String> {
    let refused = summary.rejected.len() + summary.refused.len();
    if summary.added > 0 || summary.forks > 0 || refused == 0 {
        return None;
    }
    let mut by_reason: std::collections::BTreeMap<&str, usize> = Default::default();
    for r in summary.rejected.iter().chain(&summary.refused) {
        *by_reason.entry(r.label.as_str()).or_default() += 1;
    }
    let counts: Vec<String> = by_reason
        .iter()
        .map(|(label, n)| format!("{n} × {label}"))
        .collect();
    Some(format!(
        "nothing imported: {refused} of {} entries refused ({}) / 未导入任何条目：{refused} 条被拒收",
        summary.entries,
        counts.join(", ")
    ))
}

fn import_local(post: &Post, args: &ImportArgs) -> Result<ImportSummary, CliError> {
    let checked = bundle::read_checked(
        &args.file,
        post.ledger.network(),
        post.ledger.limits().max_entry_bytes,
    )
    .map_err(bundle_error)?;
    let total = checked.entries().len() as u64;
    let bar = (!args.json && total >= PROGRESS_THRESHOLD).then(|| {
        let bar = ProgressBar::new(total);
        if let Ok(style) =
            ProgressStyle::with_template("导入 importing {bar:40} {pos}/{len} ({eta})")
        {
            bar.set_style(style);
        }
        bar
    });
    let summary = bundle::import(&post.ledger, &checked, |done, _| {
        if let Some(bar) = &bar {
            bar.set_position(done);
        }
    })
    .map_err(bundle_error)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(summary)
}

fn bundle_error(e: BundleError) -> CliError {
    match e {
        BundleError::Store(s) => CliError::Store(s),
        BundleError::Ledger(l) => l.into(),
        BundleError::Io { .. } | BundleError::Encode(_) => CliError::Failed(e.to_string()),
        _ => CliError::Invalid(e.to_string()),
    }
}
