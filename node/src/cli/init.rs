//! `liandong init`: create this post.

use std::path::PathBuf;

use clap::Args;
use liandong_protocol::domain::GeoPoint;
use liandong_protocol::{Level, RegionCode, UnitType};
use serde_json::json;

use super::CliError;
use super::output;
use crate::config::{Config, PostConfig};
use crate::datadir::DataDir;
use crate::genesis;
use crate::identity;
use crate::post::Post;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Unit name, e.g. 西戈壁村应急联动工作站 / 单位名称
    #[arg(long)]
    pub name: String,
    /// Level: national, province, prefecture, county, township, village (or 国家级…村级) / 级别
    #[arg(long)]
    pub level: Level,
    /// Region code (2/4/6/9/12 digits), e.g. 654203106 / 区划代码
    #[arg(long)]
    pub region: RegionCode,
    /// Unit type: command, fire, police, health, water, weather, … / 单位类型
    #[arg(long, default_value = "command")]
    pub unit_type: String,
    /// Duty phone or contact / 值班电话
    #[arg(long, default_value = "")]
    pub contact: String,
    /// Where the post is, "lat,lon" in decimal degrees: drawn on every map
    /// / 岗位位置（纬度,经度）
    #[arg(long)]
    pub location: Option<GeoPoint>,
    /// Development network name (all posts of one network use the same) / 网络名称
    #[arg(long, conflicts_with = "genesis")]
    pub network: Option<String>,
    /// Join the network of this genesis file (from the root post) / 加入该创世文件定义的网络
    #[arg(long, value_name = "FILE")]
    pub genesis: Option<PathBuf>,
    /// Addresses to listen on (multiaddr, repeatable) / 监听地址
    #[arg(long = "listen", value_name = "MULTIADDR")]
    pub listen: Vec<String>,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &DataDir, args: InitArgs) -> Result<(), CliError> {
    let post_config = PostConfig {
        name: args.name.trim().to_string(),
        level: args.level,
        region: args.region,
        unit_type: UnitType::from(args.unit_type),
        contact: args.contact,
        location: args.location,
    };
    let mut config = Config::new(post_config);
    if let Some(network) = args.network {
        config.network.name = network;
    }
    if !args.listen.is_empty() {
        config.network.listen = args.listen;
    }
    // Check the profile before anything is written to disk.
    let profile = liandong_protocol::PostProfile {
        name: config.post.name.clone(),
        level: config.post.level,
        region: config.post.region.clone(),
        unit_type: config.post.unit_type.clone(),
        contact: config.post.contact.clone(),
    };
    let joining = args
        .genesis
        .as_deref()
        .map(genesis::read)
        .transpose()
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    if let Some(g) = &joining {
        let g = g.genesis();
        // The network's limits apply, and a post outside the network's
        // area could never be certified in it.
        config.limits = g.limits.clone();
        config.network.name = g.name.clone();
        if !config.post.region.is_within(&g.root_region) {
            return Err(CliError::Invalid(format!(
                "region {} lies outside the network {} (root region {}) / 区划不在该网络范围内",
                config.post.region, g.name, g.root_region
            )));
        }
    }
    profile
        .check(&config.limits)
        .map_err(|e| CliError::Invalid(e.to_string()))?;

    let post = Post::init_in(data_dir, config, joining.as_ref())?;
    let node_id = post.ledger.node_id();
    let peer_id = identity::peer_id(post.ledger.keypair());
    if args.json {
        output::print_json(&json!({
            "data_dir": data_dir.root().display().to_string(),
            "node_id": node_id.to_hex(),
            "peer_id": peer_id.to_string(),
            "name": post.config.post.name,
            "level": post.config.post.level,
            "region": post.config.post.region,
            "region_name": crate::regions::lookup(&post.config.post.region),
            "network": post.config.network.name,
            "network_id": post.ledger.network().to_hex(),
            "certified": post.ledger.current_post(&node_id).is_some(),
        }));
    } else {
        println!("已初始化节点 / Post initialised");
        println!("  数据目录 / data dir : {}", data_dir.root().display());
        println!(
            "  单位 / unit         : {} ({} {})",
            post.config.post.name,
            post.config.post.level.name_zh(),
            post.config.post.region
        );
        println!(
            "  区划 / region       : {}",
            crate::regions::describe(&post.config.post.region)
        );
        println!("  节点标识 / node id  : {node_id}");
        println!("  对等标识 / peer id  : {peer_id}");
        if post.genesis.is_some() {
            println!(
                "  网络 / network      : {} ({})",
                post.config.network.name,
                post.ledger.network().short()
            );
            println!(
                "尚未认证 / not yet certified: 本节点可记录，但其他节点在认证前不会接收 / \
                 this post works locally; peers accept its entries once it is certified"
            );
            println!(
                "下一步 / next: liandong cert request -o request.req   （交给上级 / carry it to your parent post）"
            );
        } else {
            println!("下一步 / next: liandong note add \"情况说明\"   ·   liandong log");
        }
    }
    Ok(())
}
