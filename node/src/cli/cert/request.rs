//! `liandong cert request`: the newcomer's signed request — written to a
//! file for the USB stick, and/or handed to the parent over the network
//! (`--send ADDR`). With the store, or through the running node (`POST
//! /api/members/request`), which then asks the parent until the
//! certificate comes back and installs it.

use std::path::PathBuf;

use clap::Args;
use liandong_protocol::trust::handover::{CertAnswer, CertAsk};
use serde_json::json;

use super::install::{install_local, parse_addr, print_asked, print_installed};
use crate::cli::access::{self, Access};
use crate::cli::{CliError, output};
use crate::clock;
use crate::datadir::DataDir;
use crate::genesis::write_file;
use crate::net::courier;
use crate::service::cert_outbox;
use crate::service::cert_request::{self, RequestAnswer, Sent};

#[derive(Debug, Args)]
pub struct RequestArgs {
    /// Where to write the request [default: cert-request-<node id>.req, unless --send] / 输出文件
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// Hand the request to the parent post at this address (multiaddr, as
    /// its `liandong status` shows) / 经网络提交给上级节点
    #[arg(long, value_name = "ADDR")]
    pub send: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &DataDir, args: RequestArgs) -> Result<(), CliError> {
    let send = args.send.as_deref().map(parse_addr).transpose()?;
    let answer = match access::open(data_dir)? {
        Access::Local(post) => {
            let ledger = &post.ledger;
            let now = clock::now_ms();
            let (_, request, bytes) = cert_request::sign(ledger, &post.config.post, now)?;
            let sent = match &send {
                None => None,
                Some(addr) => {
                    let answer = courier::ask_blocking(addr, CertAsk::Submit { request: bytes })?;
                    let mut sent = Sent::new(addr.to_string(), &answer);
                    match answer {
                        // `liandong run` asks there until the certificate
                        // comes back; `cert install --from-network` too.
                        CertAnswer::Received { .. } | CertAnswer::Pending => {
                            cert_outbox::record(ledger, addr, now)?;
                        }
                        CertAnswer::Issued { file } => {
                            sent.installed = Some(install_local(&post, &file)?);
                        }
                        CertAnswer::Unknown | CertAnswer::Refused { .. } => {}
                    }
                    Some(sent)
                }
            };
            RequestAnswer { request, sent }
        }
        Access::Running(client) => client
            .post::<_, RequestAnswer>(
                "/api/members/request",
                &json!({ "send": send.as_ref().map(ToString::to_string) }),
            )
            .map_err(access::remote)?,
    };

    let r = &answer.request;
    let path = match (&args.output, &send) {
        (Some(p), _) => Some(p.clone()),
        (None, None) => Some(PathBuf::from(format!(
            "cert-request-{}.req",
            &r.node_id[..8]
        ))),
        (None, Some(_)) => None,
    };
    if let Some(path) = &path {
        let bytes =
            hex::decode(&r.file_hex).map_err(|e| CliError::Failed(format!("request file: {e}")))?;
        write_file(path, &bytes)
            .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?;
    }
    if args.json {
        output::print_json(&json!({
            "file": path.as_ref().map(|p| p.display().to_string()),
            "node_id": r.node_id,
            "name": r.name,
            "level": r.level,
            "region": r.region,
            "sent": answer.sent,
        }));
    } else {
        if let Some(path) = &path {
            println!(
                "证书申请已写入 / certificate request written: {}",
                path.display()
            );
        }
        println!(
            "  {} · {} · {} · {}",
            output::terminal_safe(&r.name),
            r.level.name_zh(),
            r.region,
            r.unit_type.name_zh()
        );
        match &answer.sent {
            Some(sent) => {
                print_asked(sent);
                if let Some(i) = &sent.installed {
                    print_installed(i);
                } else if sent.answer == "received" || sent.answer == "pending" {
                    println!(
                        "下一步 / next: 上级签发后，运行中的节点自动取回并安装；或运行 liandong cert install --from-network / \
                         once the parent issues it, a running post collects and installs it"
                    );
                }
            }
            None => {
                if let Some(path) = &path {
                    println!(
                        "下一步 / next: 把该文件交给上级节点，由上级运行 liandong cert issue {} … / \
                         carry it to your parent post (or hand it over with --send ADDR)",
                        path.display()
                    );
                }
            }
        }
    }
    match &answer.sent {
        Some(s) if s.answer == "refused" || s.answer == "unknown" => {
            Err(CliError::Invalid(format!(
                "the parent refused the request / 上级拒绝了申请: {}",
                s.detail.as_deref().unwrap_or("")
            )))
        }
        _ => Ok(()),
    }
}
