//! `liandong cert install`: the newcomer stores the certificate its parent
//! issued — from the file it carried, or collected over the network from
//! where `cert request --send` handed the request (`--from-network`).
//! With the store, or through the running node (`POST
//! /api/members/install`); the file is checked by `service::cert_install`
//! on both paths, then goes through the ordinary ingest path.

use std::path::PathBuf;

use clap::Args;
use libp2p::Multiaddr;
use serde_json::json;

use super::read_bounded;
use crate::cli::access::{self, Access};
use crate::cli::{CliError, output};
use crate::clock;
use crate::datadir::DataDir;
use crate::net::courier;
use crate::post::Post;
use crate::service::cert_install::{self, InstallError, Installed, MAX_CERT_FILE_BYTES};
use crate::service::cert_outbox;
use crate::service::cert_request::{self, InstallAnswer, Sent};
use crate::store::Durability;

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// The certificate file from the parent post / 证书文件
    #[arg(
        required_unless_present = "from_network",
        conflicts_with = "from_network"
    )]
    pub file: Option<PathBuf>,
    /// Collect it over the network: from ADDR, or from where `cert request
    /// --send` sent the request / 从网络取回证书
    #[arg(long, value_name = "ADDR", num_args = 0..=1)]
    pub from_network: Option<Option<String>>,
    #[arg(long)]
    pub json: bool,
}

pub(super) fn install_error(e: InstallError) -> CliError {
    match e {
        InstallError::Invalid(m) => CliError::Invalid(m),
        InstallError::Ledger(l) => l.into(),
    }
}

pub(super) fn parse_addr(text: &str) -> Result<Multiaddr, CliError> {
    text.trim().parse().map_err(|e| {
        CliError::Usage(format!(
            "{text} is not a network address (multiaddr, e.g. /ip4/10.1.2.3/tcp/7400/p2p/12D3…): {e} / 地址格式有误"
        ))
    })
}

/// Installs a certificate file into the post's own ledger.
pub(super) fn install_local(post: &Post, file: &[u8]) -> Result<Installed, CliError> {
    let ledger = &post.ledger;
    let checked = cert_install::check(ledger, &post.config.post, file).map_err(install_error)?;
    let outcomes = ledger.ingest_each(&checked.entries, Durability::Durable)?;
    let installed = cert_install::finish(ledger, &checked, &outcomes).map_err(install_error)?;
    cert_outbox::clear(ledger)?;
    Ok(installed)
}

/// Asks each address (the one given, or every one the request went to)
/// until the certificate comes back, and installs it.
fn collect_local(post: &Post, addr: Option<&str>) -> Result<InstallAnswer, CliError> {
    let given = addr.map(parse_addr).transpose()?;
    let addrs = cert_outbox::targets(&post.ledger, given)?.map_err(CliError::Usage)?;
    let mut asked = Vec::new();
    for a in addrs {
        let answer = courier::collect_blocking(&a, post.ledger.node_id(), || {
            cert_request::sign(&post.ledger, &post.config.post, clock::now_ms())
                .map(|(_, _, bytes)| bytes)
                .map_err(CliError::from)
        })?;
        let mut sent = Sent::new(a.to_string(), &answer);
        if let liandong_protocol::trust::handover::CertAnswer::Issued { file } = answer {
            let installed = install_local(post, &file)?;
            sent.installed = Some(installed.clone());
            asked.push(sent);
            return Ok(InstallAnswer {
                installed: Some(installed),
                asked,
            });
        }
        asked.push(sent);
    }
    Ok(InstallAnswer {
        installed: None,
        asked,
    })
}

pub fn run(data_dir: &DataDir, args: InstallArgs) -> Result<(), CliError> {
    let file = args
        .file
        .as_deref()
        .map(|p| read_bounded(p, MAX_CERT_FILE_BYTES))
        .transpose()?;
    let answer = match access::open(data_dir)? {
        Access::Local(post) => match &file {
            Some(bytes) => InstallAnswer {
                installed: Some(install_local(&post, bytes)?),
                asked: Vec::new(),
            },
            None => collect_local(&post, args.from_network.clone().flatten().as_deref())?,
        },
        // `liandong run` holds the store: the node installs (and asks the
        // network) itself.
        Access::Running(client) => client
            .post::<_, InstallAnswer>(
                "/api/members/install",
                &json!({
                    "file_hex": file.as_ref().map(hex::encode),
                    "from_network": args.from_network.is_some(),
                    "addr": args.from_network.clone().flatten(),
                }),
            )
            .map_err(access::remote)?,
    };
    if args.json {
        // A file's install answers what was installed, as it always has.
        match (&answer.installed, args.file.is_some()) {
            (Some(i), true) => output::print_json(i),
            _ => output::print_json(&answer),
        }
    } else {
        for a in &answer.asked {
            print_asked(a);
        }
        if let Some(i) = &answer.installed {
            print_installed(i);
        }
    }
    if answer.installed.is_none() {
        return Err(CliError::Failed(
            "not issued yet: ask again later / 上级尚未签发，请稍后再取".into(),
        ));
    }
    Ok(())
}

pub(super) fn print_asked(a: &Sent) {
    let what = match a.answer.as_str() {
        "received" => format!(
            "已收到，等待签发 / received, waiting ({} 份待办 in the queue)",
            a.waiting.unwrap_or(0)
        ),
        "pending" => "等待签发 / waiting to be issued".into(),
        "issued" => "已签发 / issued".into(),
        "unknown" => "对方没有该申请 / unknown there".into(),
        _ => format!(
            "被拒绝 / refused: {}",
            output::terminal_safe(a.detail.as_deref().unwrap_or(""))
        ),
    };
    println!("{} — {what}", a.to);
}

pub(super) fn print_installed(i: &Installed) {
    println!(
        "证书已安装 / certificate installed: {} · {} · {}",
        output::terminal_safe(&i.name),
        i.level.name_zh(),
        i.region
    );
    println!(
        "  签发单位 / issued by {} · 证书链 / chain of {}",
        &i.issuer[..8.min(i.issuer.len())],
        i.chain
    );
    if !i.roles.is_empty() {
        let roles: Vec<&str> = i.roles.iter().map(|r| r.0.as_str()).collect();
        println!("  角色 / roles: {}", roles.join(", "));
    }
    println!(
        "本节点已获认证，其条目将被其他节点接收 / this post is certified; peers will accept its entries"
    );
}
