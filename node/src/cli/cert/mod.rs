//! `liandong cert …`: certificates, carried between posts on a USB stick
//! or handed over the network.
//!
//! A newcomer writes a request (`request`, or `request --send ADDR`), its
//! parent post checks its own authority and issues a certificate (`issue`;
//! `requests` lists those handed over the network), the newcomer installs
//! it (`install FILE`, or `install --from-network`; a running newcomer
//! collects it by itself). `list` shows the certificate tree this post
//! holds; `revoke` withdraws a certificate below this post, after a
//! preview. Certificates are ledger entries: once written they also travel
//! by sync and bundles. Every verb works while `liandong run` holds the
//! store, through its local API.

mod install;
mod issue;
pub(crate) mod list;
mod request;
mod requests;
mod revoke;

use std::fs::File;
use std::io::Read;
use std::path::Path;

use clap::Subcommand;

use super::CliError;
use super::who::Who;
use crate::datadir::DataDir;

#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Write a certificate request for this post / 生成证书申请
    Request(request::RequestArgs),
    /// Requests handed to this post over the network / 网络提交的证书申请
    Requests(requests::RequestsArgs),
    /// Issue a certificate for a post below this one / 为下级签发证书
    Issue(issue::IssueArgs),
    /// Install this post's certificate file / 安装本节点证书
    Install(install::InstallArgs),
    /// Show the certificate tree this post holds / 查看证书树
    List(list::ListArgs),
    /// Revoke a certificate below this post / 吊销下级证书
    Revoke(revoke::RevokeArgs),
}

pub fn run(data_dir: &DataDir, who: &Who, cmd: CertCommand) -> Result<(), CliError> {
    match cmd {
        CertCommand::Request(args) => request::run(data_dir, args),
        CertCommand::Requests(args) => requests::run(data_dir, args),
        CertCommand::Issue(args) => issue::run(data_dir, who, args),
        CertCommand::Install(args) => install::run(data_dir, args),
        CertCommand::List(args) => list::run(data_dir, args),
        CertCommand::Revoke(args) => revoke::run(data_dir, who, args),
    }
}

/// Reads a file an operator hands us, refusing it unread when it is larger
/// than `max`.
fn read_bounded(path: &Path, max: usize) -> Result<Vec<u8>, CliError> {
    let err = |e: std::io::Error| CliError::Invalid(format!("cannot read {}: {e}", path.display()));
    let mut bytes = Vec::new();
    File::open(path)
        .map_err(err)?
        .take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(err)?;
    if bytes.len() > max {
        return Err(CliError::Invalid(format!(
            "{} is over {max} bytes / 文件过大",
            path.display()
        )));
    }
    Ok(bytes)
}
