//! `liandong run`: start this post on the network until interrupted.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;
use libp2p::Multiaddr;

use super::CliError;
use crate::app::{self, ConsoleOptions};
use crate::client::{self, RunInfo};
use crate::config::Config;
use crate::datadir::DataDir;
use crate::node::NodeOptions;

/// Prints a line for whoever started the post, if anyone still listens: a
/// post outlives the terminal or pipe it was started from, and a closed
/// stdout must not take it down.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Listen on this multiaddress (repeatable) [default: the config's] / 监听地址
    #[arg(long = "listen", value_name = "MULTIADDR")]
    pub listen: Vec<Multiaddr>,
    /// Dial this peer at start (repeatable) / 连接对等节点
    #[arg(long = "peer", value_name = "MULTIADDR")]
    pub peers: Vec<Multiaddr>,
    /// Do not look for peers on the local network (mDNS) / 关闭局域网发现
    #[arg(long)]
    pub no_mdns: bool,
    /// Serve the console and API here [default: the config's, 127.0.0.1:7480] / 控制台地址
    #[arg(long, value_name = "ADDR")]
    pub console: Option<SocketAddr>,
    /// Anti-entropy with a random peer every this many seconds / 同步间隔（秒）
    #[arg(long, default_value_t = 30)]
    pub sync_interval: u64,
}

pub fn run(data_dir: &DataDir, args: RunArgs) -> Result<(), CliError> {
    let config = Config::load(&data_dir.config_path())?;
    let console = match args.console {
        Some(addr) => addr,
        None => config.console.listen.parse().map_err(|e| {
            CliError::DataDir(format!(
                "console.listen {:?} in the config is not an address: {e}",
                config.console.listen
            ))
        })?,
    };
    let mut options = NodeOptions::new(data_dir.clone());
    options.listen = args.listen;
    options.peers = args.peers;
    if args.no_mdns {
        options.mdns = Some(false);
    }
    options.sync_interval = Duration::from_secs(args.sync_interval.max(1));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async move {
        let node = app::start(options, Some(ConsoleOptions::on(console)))
            .await
            .map_err(|e| match e {
                crate::node::NodeError::Post(p) => CliError::from(p),
                other => CliError::Failed(other.to_string()),
            })?;
        let console = node.console_info();
        let info = RunInfo {
            pid: std::process::id(),
            peer_id: node.peer_id().to_string(),
            console: console.as_ref().map(|c| c.url()),
            console_fingerprint: console.as_ref().and_then(|c| c.fingerprint),
            console_cert: console.as_ref().and_then(|c| c.cert.clone()),
            listen: node
                .listen_addrs()
                .iter()
                .map(ToString::to_string)
                .collect(),
        };
        client::write_run_info(data_dir, &info)
            .map_err(|e| CliError::Failed(format!("cannot write node.json: {e}")))?;
        say!("联动节点运行中 / Liandong post running");
        say!("  peer id / 对等标识 : {}", info.peer_id);
        for a in &info.listen {
            say!("  listen / 监听      : {a}");
        }
        if let Some(c) = &info.console {
            say!("  console / 控制台   : {c}/");
        }
        if let Some(f) = &info.console_fingerprint {
            say!("  TLS SHA-256 / 证书指纹 : {f}");
        }
        if let Some(cert) = &info.console_cert {
            say!("  certificate / 证书 : {}", cert.display());
        }
        say!("按 Ctrl-C 停止 / press Ctrl-C to stop");
        tokio::select! {
            () = wait_for_signal() => {}
            // The node stops by itself only when its store failed.
            () = node.stopped() => {}
        }
        say!("正在停止 / stopping…");
        node.shutdown().await;
        client::remove_run_info(data_dir);
        match node.failure() {
            // Exit code 4, so that systemd's Restart=on-failure reopens it.
            Some(reason) => Err(CliError::Storage(format!(
                "the post stopped because its store failed / 存储故障，节点已停止: {reason}"
            ))),
            None => {
                say!("已停止 / stopped");
                Ok(())
            }
        }
    })
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
