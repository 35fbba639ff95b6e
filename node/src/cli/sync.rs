//! `liandong sync --peer ADDR`: reconcile with a peer now.

use clap::Args;
use serde_json::json;

use super::CliError;
use super::output;
use crate::client::Client;
use crate::datadir::DataDir;
use crate::service::sync::SyncStats;

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Peer id, or multiaddress ending in /p2p/<peer id> / 对等节点
    #[arg(long)]
    pub peer: String,
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &DataDir, args: SyncArgs) -> Result<(), CliError> {
    let client = Client::find(data_dir).map_err(|e| CliError::Failed(e.to_string()))?;
    let stats: SyncStats = client
        .post("/api/sync", &json!({ "peer": args.peer }))
        .map_err(|e| CliError::Failed(e.to_string()))?;
    if args.json {
        output::print_json(&stats);
    } else {
        println!(
            "已同步 / synced with {}: {} round trips, fetched {}, pushed {}, {} bytes sent, {} received, {} ms",
            stats.peer,
            stats.round_trips,
            stats.fetched,
            stats.pushed,
            stats.bytes_sent,
            stats.bytes_received,
            stats.duration_ms
        );
    }
    Ok(())
}
