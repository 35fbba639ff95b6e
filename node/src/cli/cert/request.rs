//! `liandong cert request`: the newcomer's signed request, carried to the
//! parent post.

use std::path::PathBuf;

use clap::Args;
use liandong_protocol::trust::CertRequest;
use serde_json::json;

use super::network_post;
use crate::cli::{CliError, output};
use crate::clock;
use crate::datadir::DataDir;
use crate::genesis::write_file;
use crate::store::Query;

#[derive(Debug, Args)]
pub struct RequestArgs {
    /// Where to write the request [default: cert-request-<node id>.req] / 输出文件
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &DataDir, args: RequestArgs) -> Result<(), CliError> {
    let (post, _) = network_post(data_dir)?;
    let me = &post.config.post;
    let node = post.ledger.node_id();
    let now = clock::now_ms();
    let first = post.ledger.store().query(&Query {
        author: Some(node),
        limit: Some(1),
        ..Query::default()
    })?;
    let request = CertRequest {
        network: post.ledger.network(),
        subject: node,
        name: me.name.clone(),
        level: me.level,
        region: me.region.clone(),
        unit_type: me.unit_type.clone(),
        contact: me.contact.clone(),
        created_ms: now,
        since_ms: first.first().map_or(now, |e| e.hlc().wall_ms().min(now)),
    };
    let bytes = request
        .sign(post.ledger.keypair())
        .map_err(|e| CliError::Failed(e.to_string()))?;
    let path = args
        .output
        .unwrap_or_else(|| PathBuf::from(format!("cert-request-{}.req", node.short())));
    write_file(&path, &bytes)
        .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?;
    if args.json {
        output::print_json(&json!({
            "file": path.display().to_string(),
            "node_id": node.to_hex(),
            "name": me.name,
            "level": me.level,
            "region": me.region,
        }));
    } else {
        println!(
            "证书申请已写入 / certificate request written: {}",
            path.display()
        );
        println!(
            "  {} · {} · {} · {}",
            me.name,
            me.level.name_zh(),
            me.region,
            me.unit_type.name_zh()
        );
        println!(
            "下一步 / next: 把该文件交给上级节点，由上级运行 liandong cert issue {} … / \
             carry it to your parent post",
            path.display()
        );
    }
    Ok(())
}
