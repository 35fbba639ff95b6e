//! The `liandong` command line: argument definitions and dispatch.
//!
//! Every subcommand lives in its own file and returns `Result<(), CliError>`;
//! `main.rs` turns the error into a message and an exit code.

mod access;
mod audit;
mod bench;
mod board;
mod bundle;
pub(crate) mod cert;
mod demo;
pub mod domain;
mod drill;
mod error;
mod force;
mod genesis;
mod id;
mod incident;
mod init;
mod key;
mod log;
mod note;
mod operator;
pub mod output;
mod plan;
mod resource;
mod response;
mod run;
mod secret_input;
mod status;
mod sync;
mod task;
pub mod verify;
mod warning;
mod who;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use error::{CliError, ExitCode};

use crate::datadir::{DataDir, default_data_dir};

/// Liandong 联动 — a federated ledger for emergency-management command posts.
#[derive(Debug, Parser)]
#[command(name = "liandong", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Data directory of this post / 数据目录
    /// [default: ~/.local/share/liandong]
    #[arg(long, global = true, env = "LIANDONG_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Log format on stderr: text or json / 日志格式
    #[arg(long, global = true, default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,

    /// The operator account entering what this command writes, recorded in
    /// the entries [default: the account your login name maps to] /
    /// 录入人账号（记入所写条目）
    #[arg(long, global = true, env = "LIANDONG_OPERATOR", value_name = "ACCOUNT")]
    pub operator: Option<String>,

    /// Development mode: roles granted to posts, by name or node id (TOML
    /// `[roles]`) [default: DIR/dev-roles.toml if present] / 开发模式角色配置
    #[arg(long, global = true, env = "LIANDONG_DEV_ROLES", value_name = "FILE")]
    pub dev_roles: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create this post's identity and data directory / 初始化本节点
    Init(init::InitArgs),
    /// Show this post's node id and libp2p peer id / 显示节点标识
    Id(id::IdArgs),
    /// Situation notes / 情况记录
    #[command(subcommand)]
    Note(note::NoteCommand),
    /// List ledger entries / 查看台账
    Log(log::LogArgs),
    /// Re-validate the whole store and report problems / 校验本地台账
    Verify(verify::VerifyArgs),
    /// Run this post on the network / 运行节点
    Run(run::RunArgs),
    /// Show the running node's state / 节点状态
    Status(status::StatusArgs),
    /// Reconcile with a peer now / 立即同步
    Sync(sync::SyncArgs),
    /// Run the demonstration / 运行演示
    Demo(demo::DemoArgs),
    /// Carry entries on a USB stick / 数据包（U盘摆渡）
    #[command(subcommand)]
    Bundle(bundle::BundleCommand),
    /// The network's genesis / 网络创世
    #[command(subcommand)]
    Genesis(genesis::GenesisCommand),
    /// Certificates: request, issue, install, list, revoke / 证书
    #[command(subcommand)]
    Cert(cert::CertCommand),
    /// Benchmarks / 性能测试
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Incident reports: 首报, 续报, 终报, 核报 / 信息报告
    #[command(subcommand)]
    Incident(incident::IncidentCommand),
    /// Response decisions / 应急响应
    #[command(subcommand)]
    Response(response::ResponseCommand),
    /// Warnings / 预警
    #[command(subcommand)]
    Warning(warning::WarningCommand),
    /// Resources: request, offer, commit, dispatch, deliver, return / 资源调配
    #[command(subcommand)]
    Resource(resource::ResourceCommand),
    /// Tasks (指令) / 指令
    #[command(subcommand)]
    Task(task::TaskCommand),
    /// Plans (预案) / 预案
    #[command(subcommand)]
    Plan(plan::PlanCommand),
    /// Drills and after-action reviews / 演练与总结评估
    #[command(subcommand)]
    Drill(drill::DrillCommand),
    /// The rescue-force registry: register, update, list, show / 救援力量储备库
    #[command(subcommand)]
    Force(force::ForceCommand),
    /// Boards: the current views as tables / 看板
    #[command(subcommand)]
    Board(board::BoardCommand),
    /// Operator accounts: add, list, passwd, disable, enable / 操作员账户
    #[command(subcommand)]
    Operator(operator::OperatorCommand),
    /// The console's audit trail / 审计日志
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// The agreement key for restricted entries: show, rotate / 加密密钥
    #[command(subcommand)]
    Key(key::KeyCommand),
}

impl Command {
    /// Commands that print a result and end (not a running post, the demo
    /// or a benchmark).
    pub fn is_one_shot(&self) -> bool {
        !matches!(self, Command::Run(_) | Command::Demo(_) | Command::Bench(_))
    }
}

impl Cli {
    pub fn data_dir(&self) -> DataDir {
        DataDir::new(self.data_dir.clone().unwrap_or_else(default_data_dir))
    }
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<(), CliError> {
    let data_dir = cli.data_dir();
    let dev_roles = cli.dev_roles.as_deref();
    // Checked only by the command groups that write, so a stray
    // LIANDONG_OPERATOR never stops `run`, `log` or `status`.
    let who = || who::Who::new(cli.operator.clone());
    match cli.command {
        Command::Init(args) => init::run(&data_dir, args),
        Command::Id(args) => id::run(&data_dir, args),
        Command::Note(cmd) => note::run(&data_dir, &who()?, cmd),
        Command::Log(args) => log::run(&data_dir, args),
        Command::Verify(args) => verify::run(&data_dir, args),
        Command::Demo(args) => demo::run(args),
        Command::Run(args) => run::run(&data_dir, args),
        Command::Status(args) => status::run(&data_dir, args),
        Command::Sync(args) => sync::run(&data_dir, args),
        Command::Bench(cmd) => bench::run(&data_dir, cmd),
        Command::Bundle(cmd) => bundle::run(&data_dir, cmd),
        Command::Genesis(cmd) => genesis::run(&data_dir, cmd),
        Command::Cert(cmd) => cert::run(&data_dir, &who()?, cmd),
        Command::Incident(cmd) => incident::run(&data_dir, dev_roles, &who()?, cmd),
        Command::Response(cmd) => response::run(&data_dir, dev_roles, &who()?, cmd),
        Command::Warning(cmd) => warning::run(&data_dir, dev_roles, &who()?, cmd),
        Command::Resource(cmd) => resource::run(&data_dir, dev_roles, &who()?, cmd),
        Command::Task(cmd) => task::run(&data_dir, dev_roles, &who()?, cmd),
        Command::Plan(cmd) => plan::run(&data_dir, dev_roles, &who()?, cmd),
        Command::Drill(cmd) => drill::run(&data_dir, dev_roles, &who()?, cmd),
        Command::Force(cmd) => force::run(&data_dir, dev_roles, &who()?, cmd),
        Command::Board(cmd) => board::run(&data_dir, dev_roles, cmd),
        Command::Operator(cmd) => operator::run(&data_dir, cmd),
        Command::Audit(cmd) => audit::run(&data_dir, cmd),
        Command::Key(cmd) => key::run(&data_dir, cmd),
    }
}
