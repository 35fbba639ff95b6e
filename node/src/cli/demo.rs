//! `liandong demo`: the demonstration network (see `crate::demo`).

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::CliError;
use super::output;
use crate::demo::{self, DemoOptions, DemoSummary};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Run unattended and exit at the end (no consoles, no pauses) / 无人值守运行
    #[arg(long)]
    pub headless: bool,
    /// Write the summary as JSON to this file / 摘要写入 JSON 文件
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Pause between steps, in milliseconds [default: 600, headless 0] / 步骤间隔（毫秒）
    #[arg(long, value_name = "MS")]
    pub step_delay: Option<u64>,
    /// More villages under 西戈壁镇, for a larger network / 增加村级节点数
    #[arg(long, default_value_t = 0)]
    pub villages: usize,
    /// Keep the demo's data directories instead of deleting them / 保留数据目录
    #[arg(long)]
    pub keep: bool,
}

pub fn run(args: DemoArgs) -> Result<(), CliError> {
    let opts = DemoOptions {
        step_delay: Duration::from_millis(args.step_delay.unwrap_or(if args.headless {
            0
        } else {
            600
        })),
        extra_villages: args.villages,
        consoles: !args.headless,
        ..DemoOptions::default()
    };
    let tmp = tempfile::Builder::new()
        .prefix("liandong-demo-")
        .tempdir()
        .map_err(|e| CliError::Failed(format!("cannot create a temporary directory: {e}")))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("cannot start the runtime: {e}")))?;
    let result = runtime.block_on(async {
        println!("== 联动演示：西戈壁村洪涝 / Liandong demo: a flood at 西戈壁村 ==");
        let mut progress = |line: &str| println!("{line}");
        let net = demo::start(tmp.path(), &opts, &mut progress)
            .await
            .map_err(|e| CliError::Failed(e.to_string()))?;
        let summary = demo::play(&net, &opts, &mut progress).await;
        let summary = match summary {
            Ok(s) => s,
            Err(e) => {
                net.shutdown().await;
                return Err(CliError::Failed(format!("the demo failed / 演示失败: {e}")));
            }
        };
        print_summary(&summary);
        if let Some(path) = &args.json {
            let text = serde_json::to_string_pretty(&summary)
                .map_err(|e| CliError::Failed(e.to_string()))?;
            std::fs::write(path, text)
                .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?;
        }
        if !args.headless {
            println!("\n各节点控制台 / consoles of the posts:");
            let consoles: Vec<(&str, String)> = net
                .posts()
                .filter_map(|(m, node)| {
                    Some((m.name.as_str(), format!("http://{}/", node.console()?)))
                })
                .collect();
            // Padded by terminal columns: a Chinese name takes two per character.
            let widest = consoles
                .iter()
                .map(|(name, _)| output::display_width(name))
                .max()
                .unwrap_or(0);
            for (name, url) in &consoles {
                let pad = " ".repeat(widest - output::display_width(name));
                println!("  {name}{pad}  {url}");
            }
            println!("网络保持运行，按 Ctrl-C 结束 / the network stays up; press Ctrl-C to end");
            let _ = tokio::signal::ctrl_c().await;
        }
        net.shutdown().await;
        Ok(summary)
    });
    if args.keep {
        let kept = tmp.keep();
        println!("数据保留在 / data kept in {}", kept.display());
    }
    let summary = result?;
    if !summary.converged {
        return Err(CliError::Failed(
            "the network did not converge / 全网未收敛".into(),
        ));
    }
    if !summary.problems.is_empty() {
        return Err(CliError::Failed(format!(
            "the demo found problems / 演示发现问题: {}",
            summary.problems.join("; ")
        )));
    }
    Ok(())
}

fn print_summary(s: &DemoSummary) {
    println!("\n== 小结 / summary ==");
    println!("节点 / posts              : {}", s.nodes);
    println!("条目 / entries (network)  : {}", s.entries);
    println!(
        "首报到县 / 首报 to county  : {} ms",
        s.first_report_to_county_ms
    );
    println!(
        "愈合后收敛 / convergence  : {} ms after the heal",
        s.convergence_ms
    );
    println!(
        "全网一致 / converged      : {}",
        if s.converged { "是 yes" } else { "否 NO" }
    );
    let rows: Vec<Vec<String>> = s
        .digests
        .iter()
        .map(|d| {
            vec![
                d.post.clone(),
                d.region.clone(),
                d.entries.to_string(),
                d.digest
                    .split(':')
                    .nth(1)
                    .map(|h| h[..12.min(h.len())].to_string())
                    .unwrap_or_default(),
                if d.matches {
                    "✓".into()
                } else {
                    "✗".into()
                },
            ]
        })
        .collect();
    output::print_table(
        &[
            "岗位 post",
            "区划 region",
            "条目 entries",
            "摘要 digest",
            "一致 match",
        ],
        &rows,
    );
    for p in &s.problems {
        println!("问题 / problem: {p}");
    }
    println!("用时 / took {:.1} s", s.seconds);
}
