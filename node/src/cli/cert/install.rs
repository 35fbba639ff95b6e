//! `liandong cert install`: the newcomer stores the certificate file its
//! parent issued — through the ordinary ingest path, so every certificate
//! in the chain is checked like any received entry.

use std::path::PathBuf;

use clap::Args;
use liandong_protocol::limits::HARD_MAX_ENCODED_BYTES;
use liandong_protocol::trust::certfile::CERT_FILE_MAGIC;
use liandong_protocol::trust::{CertFile, SignedGenesis};
use liandong_protocol::{Body, validate};
use serde_json::json;

use super::{network_post, read_bounded};
use crate::cli::{CliError, output};
use crate::datadir::DataDir;
use crate::ledger::ItemOutcome;
use crate::store::Durability;

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// The certificate file from the parent post / 证书文件
    pub file: PathBuf,
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &DataDir, args: InstallArgs) -> Result<(), CliError> {
    let (post, _) = network_post(data_dir)?;
    let invalid = |why: String| CliError::Invalid(why);
    let bytes = read_bounded(&args.file, CERT_FILE_MAGIC.len() + HARD_MAX_ENCODED_BYTES)?;
    let cf = CertFile::from_file_bytes(&bytes).map_err(|e| invalid(e.to_string()))?;
    let theirs = SignedGenesis::from_bytes(&cf.genesis).map_err(|e| invalid(e.to_string()))?;
    if theirs.network_id() != post.ledger.network() {
        return Err(invalid(format!(
            "the certificate is for network {} ({}), this post is in {} / 证书属于其他网络",
            theirs.genesis().name,
            theirs.network_id().short(),
            post.ledger.network().short()
        )));
    }
    let entries = cf.entries();
    let own = post.ledger.node_id();
    let Some(last) = entries.last() else {
        return Err(invalid("the certificate file holds no certificate".into()));
    };
    let leaf = validate(last, &post.ledger.context()).map_err(|e| invalid(e.to_string()))?;
    let Ok(Body::Certificate(cert)) = leaf.body() else {
        return Err(invalid(
            "the file's last entry is not a certificate / 文件中没有证书".into(),
        ));
    };
    if cert.subject != own {
        return Err(invalid(format!(
            "this certificate is for another post ({}), not this one ({}) / 证书不属于本节点",
            cert.subject.short(),
            own.short()
        )));
    }
    let me = &post.config.post;
    if cert.region != me.region || cert.level != me.level {
        return Err(invalid(format!(
            "the certificate names {} {}, but this post is configured as {} {}; \
             ask the parent for a matching certificate / 证书的级别或区划与本节点配置不符",
            cert.level.name_zh(),
            cert.region,
            me.level.name_zh(),
            me.region
        )));
    }

    let outcomes = post.ledger.ingest_each(&entries, Durability::Durable)?;
    match outcomes.last() {
        Some(ItemOutcome::Added(_) | ItemOutcome::Duplicate(_) | ItemOutcome::Fork(_)) => {}
        Some(ItemOutcome::Refused(e)) => {
            return Err(invalid(format!(
                "the certificate is refused / 证书未获准: {e}"
            )));
        }
        Some(ItemOutcome::Rejected(e)) => {
            return Err(invalid(format!(
                "the certificate is invalid / 证书无效: {e}"
            )));
        }
        Some(ItemOutcome::OutOfScope(_)) | None => {
            return Err(invalid(
                "the certificate lies outside this post's region / 证书不在本节点区划内".into(),
            ));
        }
    }
    let post_info = post.ledger.resolve(&own, post.ledger.now_hlc())?;

    if args.json {
        output::print_json(&json!({
            "installed": leaf.id().to_hex(),
            "chain": entries.len(),
            "name": post_info.name,
            "level": post_info.level,
            "region": post_info.region,
            "roles": post_info.roles,
            "can_certify": post_info.can_certify,
            "issuer": leaf.author().to_hex(),
        }));
    } else {
        println!(
            "证书已安装 / certificate installed: {} · {} · {}",
            post_info.name,
            post_info.level.name_zh(),
            post_info.region
        );
        println!(
            "  签发单位 / issued by {} · 证书链 / chain of {}",
            leaf.author().short(),
            entries.len()
        );
        if !post_info.roles.is_empty() {
            let roles: Vec<&str> = post_info.roles.iter().map(|r| r.0.as_str()).collect();
            println!("  角色 / roles: {}", roles.join(", "));
        }
        println!(
            "本节点已获认证，其条目将被其他节点接收 / this post is certified; peers will accept its entries"
        );
    }
    Ok(())
}
