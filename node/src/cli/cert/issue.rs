//! `liandong cert issue`: at the parent post, certify a newcomer.
//!
//! The parent checks its own authority first (the same rule engine every
//! post will apply to the certificate), then writes the certificate into
//! its ledger and a certificate file — the certificate, the parent's own
//! chain up to the root, and the genesis — for the USB stick.

use std::path::PathBuf;

use clap::Args;
use liandong_protocol::authority::{Action, Role};
use liandong_protocol::trust::request::MAX_REQUEST_BYTES;
use liandong_protocol::trust::{CertFile, CertRequest, Certificate};
use liandong_protocol::{Body, Level, RegionCode, Status, TrustError};
use serde_json::json;

use super::{network_post, read_bounded};
use crate::cli::{CliError, output};
use crate::clock;
use crate::datadir::DataDir;
use crate::genesis::write_file;
use crate::ledger::LedgerError;

#[derive(Debug, Args)]
pub struct IssueArgs {
    /// The request file the newcomer wrote / 证书申请文件
    pub request: PathBuf,
    /// The level certified: province, prefecture, county, township, village / 级别
    #[arg(long)]
    pub level: Level,
    /// The region certified / 区划代码
    #[arg(long)]
    pub region: RegionCode,
    /// Roles, comma-separated, e.g. warning_issuer / 角色
    #[arg(long, value_delimiter = ',')]
    pub roles: Vec<String>,
    /// Allow the post to certify posts below it / 允许其签发下级证书
    #[arg(long)]
    pub can_certify: bool,
    /// End of validity: 2027-12-31, "2027-12-31 18:00" (Beijing) [default: until revoked] / 有效期至
    #[arg(long)]
    pub valid_until: Option<String>,
    /// A neighbouring region the post cooperates with (repeatable) / 协作区划
    #[arg(long = "cooperate", value_name = "REGION")]
    pub cooperates: Vec<RegionCode>,
    /// Certify a level or region other than the request asked for / 允许与申请不符的级别或区划
    #[arg(long)]
    pub force: bool,
    /// The certificate file to write / 输出证书文件
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &DataDir, args: IssueArgs) -> Result<(), CliError> {
    let (post, genesis) = network_post(data_dir)?;
    let request = CertRequest::verify(&read_bounded(&args.request, MAX_REQUEST_BYTES)?)
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    if request.network != post.ledger.network() {
        return Err(CliError::Invalid(format!(
            "the request is for network {}, this post is in {} / 申请来自其他网络",
            request.network.short(),
            post.ledger.network().short()
        )));
    }
    if args.region.level() != args.level {
        return Err(CliError::Usage(format!(
            "region {} is not at level {} / 区划代码与级别不符",
            args.region, args.level
        )));
    }
    // A mistyped region certifies the wrong post for good (a certificate
    // can be superseded, not withdrawn without voiding): the operator
    // confirms a difference from what the newcomer asked for.
    let differs = request.level != args.level || request.region != args.region;
    if differs && !args.force {
        return Err(CliError::Usage(format!(
            "申请的是 {} {}，本次给出 {} {}：核对后重试，确需不同时加 --force / the request asked for {} {}, not {} {}; check, or add --force",
            request.level.name_zh(),
            request.region,
            args.level.name_zh(),
            args.region,
            request.level,
            request.region,
            args.level,
            args.region
        )));
    }
    let now = clock::now_ms();
    let valid_until_ms = args
        .valid_until
        .as_deref()
        .map(|t| clock::parse_time_ms(t, now))
        .transpose()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    if valid_until_ms.is_some_and(|until| until <= now) {
        return Err(CliError::Usage(
            "--valid-until lies in the past / 有效期已过".into(),
        ));
    }
    let cert = Certificate {
        subject: request.subject,
        name: request.name.clone(),
        level: args.level,
        region: args.region.clone(),
        unit_type: request.unit_type.clone(),
        roles: args
            .roles
            .iter()
            .filter(|r| !r.trim().is_empty())
            .map(|r| Role::new(r))
            .collect(),
        can_certify: args.can_certify,
        cooperates: args.cooperates.clone(),
        // From the newcomer's first entry on: what it recorded while it
        // waited becomes valid with its certificate.
        valid_from_ms: request.since_ms.min(request.created_ms).min(now),
        valid_until_ms,
    };
    cert.check(post.ledger.limits())
        .map_err(|e| CliError::Invalid(e.to_string()))?;

    // This post's own authority, by the rules every peer will apply.
    let own = post.ledger.node_id();
    let me = post.ledger.resolve(&own, post.ledger.now_hlc())?;
    if request.subject == own {
        return Err(LedgerError::Refused(TrustError::SelfSubject).into());
    }
    // A revoked key stays revoked whatever certifies it later: say so
    // instead of writing a certificate that changes nothing.
    if let Some(r) = post
        .ledger
        .with_trust(|t| t.revoked(&request.subject))
        .flatten()
    {
        return Err(CliError::Invalid(format!(
            "key {} was revoked from {}; a new certificate does not revive it — the post needs a new key (docs/trust.md, 误吊销的补救) / 该密钥已被吊销，须换新密钥后重新申请",
            request.subject.short(),
            clock::format_hlc(r.at)
        )));
    }
    if genesis.genesis().is_root(&request.subject) {
        return Err(LedgerError::Refused(TrustError::RootSubject {
            subject: request.subject,
        })
        .into());
    }
    genesis
        .genesis()
        .policy
        .check(
            &me,
            &Action::Certify {
                subject_level: cert.level,
                subject_region: &cert.region,
                subject_unit: &cert.unit_type,
                subject_can_certify: cert.can_certify,
            },
        )
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    let chain = post.ledger.own_chain()?.ok_or_else(|| {
        CliError::Failed(
            "this post's own certificate chain is incomplete here / 本节点证书链不完整".into(),
        )
    })?;

    let entry = post.ledger.author(
        args.region.clone(),
        Status::Actual,
        Body::Certificate(cert.clone()),
    )?;
    let mut entries = chain;
    entries.push(entry.wire().to_vec());
    let file = CertFile::new(genesis.bytes().to_vec(), entries)
        .to_file_bytes()
        .map_err(|e| CliError::Failed(e.to_string()))?;
    write_file(&args.output, &file)
        .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", args.output.display())))?;

    if args.json {
        output::print_json(&json!({
            "certificate": entry.id().to_hex(),
            "subject": cert.subject.to_hex(),
            "name": cert.name,
            "level": cert.level,
            "region": cert.region,
            "unit_type": cert.unit_type,
            "roles": cert.roles,
            "can_certify": cert.can_certify,
            "file": args.output.display().to_string(),
            "differs_from_request": differs,
        }));
    } else {
        println!(
            "已签发证书 / certificate issued: {} → {} ({} {})",
            me.name,
            cert.name,
            cert.level.name_zh(),
            cert.region
        );
        if differs {
            println!(
                "注意 / note: 申请的是 {} {}，按 --force 签发为 {} {} / certified other than requested (--force)",
                request.level.name_zh(),
                request.region,
                cert.level.name_zh(),
                cert.region
            );
        }
        println!("证书文件 / certificate file: {}", args.output.display());
        println!(
            "下一步 / next: 在下级节点运行 liandong cert install {}",
            args.output.display()
        );
    }
    Ok(())
}
