//! `liandong genesis create|show`: define a network at its root post, and
//! look at a network's genesis.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use liandong_protocol::authority::{AuthorityPolicy, Role};
use liandong_protocol::trust::{Genesis, Root, SignedGenesis};
use liandong_protocol::{Limits, UnitType};
use serde::Serialize;

use super::CliError;
use super::output;
use crate::clock;
use crate::datadir::DataDir;
use crate::genesis::{self, GenesisFileError};
use crate::ledger::LedgerError;
use crate::post::Post;

/// Largest policy file read.
const MAX_POLICY_BYTES: u64 = 64 * 1024;

#[derive(Debug, Subcommand)]
pub enum GenesisCommand {
    /// Create the network's genesis at this (root) post / 在根节点创建网络
    Create(CreateArgs),
    /// Show this post's network, or a genesis file / 显示网络创世信息
    Show(ShowArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The network's name, e.g. 新疆应急联动网 / 网络名称
    #[arg(long)]
    pub name: String,
    /// A role of the root post, e.g. warning_issuer (repeatable) / 根节点角色
    #[arg(long = "role", value_name = "ROLE")]
    pub roles: Vec<String>,
    /// Authority policy as TOML (response_min_level, warning_role)
    /// [default: Ⅰ national, Ⅱ province, Ⅲ prefecture, Ⅳ county] / 权限规则文件
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Show this genesis file instead of this post's network / 创世文件
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &DataDir, cmd: GenesisCommand) -> Result<(), CliError> {
    match cmd {
        GenesisCommand::Create(args) => create(data_dir, args),
        GenesisCommand::Show(args) => show(data_dir, args),
    }
}

fn create(data_dir: &DataDir, args: CreateArgs) -> Result<(), CliError> {
    let policy = match &args.policy {
        Some(path) => load_policy(path)?,
        None => AuthorityPolicy::default(),
    };
    let post = Post::open(data_dir)?;
    if post.genesis.is_some() {
        return Err(CliError::DataDir(
            GenesisFileError::AlreadyExists(data_dir.genesis_path()).to_string(),
        ));
    }
    let me = &post.config.post;
    if me.unit_type != UnitType::Command {
        return Err(CliError::Invalid(format!(
            "a network's root must be a command post, not {} / 根节点须为指挥部",
            me.unit_type.name_zh()
        )));
    }
    let root = Root {
        key: post.ledger.node_id(),
        name: me.name.clone(),
        roles: args.roles.iter().map(|r| Role::new(r)).collect(),
    };
    let mut g = Genesis::new(
        &args.name,
        clock::now_ms(),
        root,
        me.region.clone(),
        post.config.limits.clone(),
    );
    g.policy = policy;
    let signed = SignedGenesis::sign(g, post.ledger.keypair())
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    let had_entries = post.ledger.store().count()?;
    drop(post);
    let post = Post::join_network(data_dir, &signed)?;
    let view = GenesisView::of(&signed);
    if args.json {
        output::print_json(&view);
    } else {
        println!("已创建网络 / network created: {}", view.name);
        println!("  网络标识 / network id : {}", view.network_id);
        println!(
            "  创世文件 / genesis    : {}",
            data_dir.genesis_path().display()
        );
        if had_entries > 0 {
            println!(
                "  开发模式台账已移至 / the development ledger ({had_entries} entries) was moved to store.before-genesis"
            );
        }
        println!(
            "下一步 / next: 把 genesis.bin 交给下级节点，在那里运行 liandong init --genesis genesis.bin / \
             give genesis.bin to the posts below ({})",
            post.config.post.name
        );
    }
    Ok(())
}

fn show(data_dir: &DataDir, args: ShowArgs) -> Result<(), CliError> {
    let signed = match &args.file {
        Some(path) => genesis::read(path).map_err(|e| CliError::Invalid(e.to_string()))?,
        None => Post::open(data_dir)?
            .genesis
            .ok_or(LedgerError::NoGenesis)?,
    };
    let view = GenesisView::of(&signed);
    if args.json {
        output::print_json(&view);
        return Ok(());
    }
    println!("网络 / network        : {}", view.name);
    println!("网络标识 / network id : {}", view.network_id);
    println!("创建 / created        : {}", view.created);
    println!(
        "根区划 / root region : {} ({})",
        view.root_region, view.root_level
    );
    for r in &view.roots {
        println!(
            "根节点 / root        : {} {} {}",
            &r.key[..8],
            r.name,
            r.roles.join(",")
        );
    }
    let levels = &signed.genesis().policy.response_min_level;
    println!(
        "响应级别 / response  : Ⅰ {} · Ⅱ {} · Ⅲ {} · Ⅳ {} (及以上 / or above)",
        levels[0].name_zh(),
        levels[1].name_zh(),
        levels[2].name_zh(),
        levels[3].name_zh()
    );
    println!(
        "预警角色 / warn role : {}",
        signed.genesis().policy.warning_role
    );
    println!(
        "条目上限 / max entry : {} bytes",
        view.limits.max_entry_bytes
    );
    Ok(())
}

fn load_policy(path: &PathBuf) -> Result<AuthorityPolicy, CliError> {
    let invalid = |why: String| CliError::Invalid(format!("policy {}: {why}", path.display()));
    let meta = std::fs::metadata(path).map_err(|e| invalid(e.to_string()))?;
    if meta.len() > MAX_POLICY_BYTES {
        return Err(invalid(format!("over {MAX_POLICY_BYTES} bytes")));
    }
    let text = std::fs::read_to_string(path).map_err(|e| invalid(e.to_string()))?;
    toml::from_str(&text).map_err(|e| invalid(e.to_string()))
}

#[derive(Debug, Serialize)]
struct GenesisView {
    network_id: String,
    name: String,
    created: String,
    root_region: String,
    root_level: String,
    roots: Vec<RootView>,
    policy: AuthorityPolicy,
    limits: Limits,
}

#[derive(Debug, Serialize)]
struct RootView {
    key: String,
    name: String,
    roles: Vec<String>,
}

impl GenesisView {
    fn of(signed: &SignedGenesis) -> GenesisView {
        let g = signed.genesis();
        GenesisView {
            network_id: signed.network_id().to_hex(),
            name: g.name.clone(),
            created: clock::rfc3339_ms(g.created_ms),
            root_region: g.root_region.to_string(),
            root_level: g.root_level.to_string(),
            roots: g
                .roots
                .iter()
                .map(|r| RootView {
                    key: r.key.to_hex(),
                    name: r.name.clone(),
                    roles: r.roles.iter().map(|x| x.0.clone()).collect(),
                })
                .collect(),
            policy: g.policy.clone(),
            limits: g.limits.clone(),
        }
    }
}
