//! `liandong status`: the running node's peers, syncs, entries and digest;
//! the store's own figures when the node is not running.

use clap::Args;
use liandong_protocol::RegionCode;
use serde_json::json;

use super::CliError;
use super::output;
use crate::client::{Client, ClientError};
use crate::datadir::DataDir;
use crate::post::Post;
use crate::service::status::NodeStatus;

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &DataDir, args: StatusArgs) -> Result<(), CliError> {
    match Client::find(data_dir).and_then(|c| c.get::<NodeStatus>("/api/status", &[])) {
        Ok(status) => {
            if args.json {
                output::print_json(&status);
            } else {
                print(&status);
            }
            Ok(())
        }
        Err(ClientError::NotRunning(_)) | Err(ClientError::Unreachable(_)) => {
            offline(data_dir, args.json)
        }
        Err(e) => Err(CliError::Failed(e.to_string())),
    }
}

fn offline(data_dir: &DataDir, json: bool) -> Result<(), CliError> {
    let post = Post::open(data_dir)?;
    let digest = post.ledger.store().digest(&RegionCode::national())?;
    let store = post.ledger.store().health();
    let peer_id = crate::identity::peer_id(post.ledger.keypair());
    if json {
        output::print_json(&json!({
            "running": false,
            "peer_id": peer_id.to_string(),
            "node_id": post.ledger.node_id().to_hex(),
            "name": post.config.post.name,
            "region": post.config.post.region,
            "peers": 0,
            "entries": digest.count,
            "digest": digest.to_string(),
            "store": store,
        }));
    } else {
        println!("节点未运行 / not running ({})", post.config.post.name);
        println!("条目 / entries : {}", digest.count);
        println!("摘要 / digest  : {digest}");
        print_store(&store);
    }
    Ok(())
}

/// The disk line, and a warning when writing is paused or failed.
fn print_store(h: &crate::store::StoreHealth) {
    use crate::store::mib;
    println!(
        "disk / 磁盘       : {} MiB free (reserve {} MiB) / 剩余 {} MiB（保留 {} MiB）",
        mib(h.free_bytes),
        mib(h.reserve_bytes),
        mib(h.free_bytes),
        mib(h.reserve_bytes)
    );
    if let Some(reason) = &h.failed {
        println!("!! 存储故障，写入已停止 / the store failed, writing stopped: {reason}");
    } else if h.disk_full {
        println!(
            "!! 磁盘空间不足，写入已暂停（清理后自动恢复）/ disk nearly full: writing paused \
             until space is freed"
        );
    }
}

/// The last characters of a peer id, as the tables show it.
fn tail(id: &str) -> &str {
    id.get(id.len().saturating_sub(8)..).unwrap_or(id)
}

fn print(s: &NodeStatus) {
    println!("{} · {} · {}", s.name, s.region, s.network);
    println!("peer id / 对等标识 : {}", s.peer_id);
    if let Some(c) = &s.console {
        println!("console / 控制台   : {c}");
    }
    if let Some(f) = &s.console_fingerprint {
        println!("TLS SHA-256 / 证书指纹 : {f}");
    }
    if let Some(cert) = &s.console_cert {
        println!("certificate / 证书 : {cert}");
    }
    println!(
        "peers / 对等节点   : {} ({} in gossip mesh)",
        s.peers, s.mesh_peers
    );
    println!("entries / 条目     : {}", s.entries);
    println!("digest / 摘要      : {}", s.digest);
    print_store(&s.store);
    for l in &s.links {
        if l.connected {
            println!("link / 配置链路    : {} 已连接 / connected", l.address);
        } else {
            println!(
                "link / 配置链路    : {} 未连接，{} 次失败，{} 秒后重连 / down, {} failed dials, next in {} s{}",
                l.address,
                l.failures,
                l.next_dial_s,
                l.failures,
                l.next_dial_s,
                l.last_error
                    .as_deref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            );
        }
    }
    for b in &s.bans {
        println!(
            "ban / 封禁         : …{} until {} — {}",
            tail(&b.peer_id),
            crate::clock::format_ms(b.until_ms),
            b.detail
        );
    }
    for b in &s.banned_by {
        println!(
            "!! banned by / 被封禁: {} (…{}) until {} — {}",
            output::terminal_safe(b.name.as_deref().unwrap_or("?")),
            tail(&b.peer_id),
            crate::clock::format_ms(b.until_ms),
            // The peer's own words.
            output::terminal_safe(&b.reason)
        );
    }
    if !s.peer_list.is_empty() {
        let rows: Vec<Vec<String>> = s
            .peer_list
            .iter()
            .map(|p| {
                vec![
                    p.name.clone().unwrap_or_else(|| "?".into()),
                    p.region.clone().unwrap_or_default(),
                    p.peer_id
                        .chars()
                        .rev()
                        .take(8)
                        .collect::<String>()
                        .chars()
                        .rev()
                        .collect(),
                    p.last_sync
                        .as_ref()
                        .map(|l| {
                            format!(
                                "{} ({} rt, +{} / -{})",
                                l.started, l.round_trips, l.fetched, l.pushed
                            )
                        })
                        .unwrap_or_else(|| "—".into()),
                ]
            })
            .collect();
        output::print_table(
            &["单位 post", "区划 region", "peer", "上次同步 last sync"],
            &rows,
        );
    }
}
