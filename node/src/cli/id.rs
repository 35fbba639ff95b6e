//! `liandong id`: who this post is.

use clap::Args;
use serde_json::json;

use super::CliError;
use super::output;
use crate::config::Config;
use crate::datadir::DataDir;
use crate::genesis;
use crate::identity;
use crate::post::PostError;

#[derive(Debug, Args)]
pub struct IdArgs {
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

/// Reads only the key and config, so it works while the node is running.
pub fn run(data_dir: &DataDir, args: IdArgs) -> Result<(), CliError> {
    if !data_dir.is_initialised() {
        return Err(PostError::NotInitialised(data_dir.root().display().to_string()).into());
    }
    let keypair = identity::load_key(&data_dir.key_path())?;
    let config = Config::load(&data_dir.config_path())?;
    let genesis = genesis::load(&data_dir.genesis_path()).map_err(PostError::from)?;
    let (network, network_id) = match &genesis {
        Some(g) => (g.genesis().name.clone(), g.network_id()),
        None => (config.network.name.clone(), config.network.network_id()),
    };
    let node_id = keypair.node_id();
    let peer_id = identity::peer_id(&keypair);
    if args.json {
        output::print_json(&json!({
            "node_id": node_id.to_hex(),
            "peer_id": peer_id.to_string(),
            "name": config.post.name,
            "level": config.post.level,
            "region": config.post.region,
            "unit_type": config.post.unit_type,
            "network": network,
            "network_id": network_id.to_hex(),
            "genesis": genesis.is_some(),
        }));
    } else {
        println!("node id / 节点标识 : {node_id}");
        println!("peer id / 对等标识 : {peer_id}");
        println!(
            "unit / 单位        : {} · {} · {} · {}",
            config.post.name,
            config.post.level.name_zh(),
            config.post.region,
            config.post.unit_type.name_zh()
        );
        println!(
            "region / 区划      : {}",
            crate::regions::describe(&config.post.region)
        );
        let mode = if genesis.is_some() {
            "".to_string()
        } else {
            " (开发模式 development mode)".to_string()
        };
        println!(
            "network / 网络     : {network} {}{mode}",
            network_id.short()
        );
    }
    Ok(())
}
