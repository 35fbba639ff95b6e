//! `liandong demo`: a scripted tour on embedded defaults, in a temporary
//! directory: create a village post, record notes, list and verify them.

use clap::Args;
use liandong_protocol::{Body, Level, Note, Status, UnitType};

use super::CliError;
use super::output::{self, EntryRow};
use super::verify;
use crate::config::{Config, PostConfig};
use crate::datadir::DataDir;
use crate::post::Post;
use crate::store::Query;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the demo's data directory instead of deleting it
    #[arg(long)]
    pub keep: bool,
}

const NOTES: [&str; 3] = [
    "西戈壁村：暴雨持续，村东河道水位上涨 0.8 米。",
    "西戈壁村：已组织转移低洼地带 12 户 37 人。",
    "西戈壁村：村道一处塌方，已设置警示。",
];

pub fn run(args: DemoArgs) -> Result<(), CliError> {
    let tmp = tempfile::Builder::new()
        .prefix("liandong-demo-")
        .tempdir()
        .map_err(|e| CliError::Failed(format!("cannot create a temporary directory: {e}")))?;
    let data_dir = DataDir::new(tmp.path().join("xigebi-village"));
    println!("== 联动演示 / Liandong demo ==");
    println!(
        "1. 初始化西戈壁村节点 / init the 西戈壁村 post in {}",
        data_dir.root().display()
    );
    let config = Config::new(PostConfig {
        name: "西戈壁村应急联动工作站".into(),
        level: Level::Village,
        region: "654203106201"
            .parse()
            .map_err(|e| CliError::Failed(format!("{e}")))?,
        unit_type: UnitType::Command,
        contact: "0993-6000000".into(),
    });
    let post = Post::init(&data_dir, config)?;
    println!("   node id {}", post.ledger.node_id());

    println!("2. 记录情况 / record notes");
    let region = post.config.post.region.clone();
    for text in NOTES {
        let e = post.ledger.author(
            region.clone(),
            Status::Actual,
            Body::Note(Note { text: text.into() }),
        )?;
        println!("   #{} {}", e.seq(), e.id().short());
    }

    println!("3. 台账 / the ledger");
    let store = post.ledger.store();
    let names = output::post_names(store)?;
    let rows: Vec<Vec<String>> = store
        .query(&Query::default())?
        .iter()
        .map(|e| EntryRow::new(e, &names).cells())
        .collect();
    output::print_table(&EntryRow::HEADER, &rows);

    println!("4. 校验 / verify");
    let report = verify::verify(&post.ledger)?;
    println!(
        "   {} entries, {} valid, digest {}",
        report.entries, report.valid, report.digest
    );
    if !report.problems.is_empty() {
        return Err(CliError::Problems(report.problems.len()));
    }
    if args.keep {
        let kept = tmp.keep();
        println!("数据保留在 / data kept in {}", kept.display());
    }
    println!("演示完成 / demo complete");
    Ok(())
}
