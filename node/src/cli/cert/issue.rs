//! `liandong cert issue`: at the parent post, certify a newcomer — from
//! the request file it carried, or from a request it handed over the
//! network (`--request ID`, see `cert requests`). With the store, or
//! through the running node (`POST /api/members/issue`); the checks are
//! `service::cert_issue`'s on both paths.

use std::path::PathBuf;

use clap::Args;
use liandong_protocol::trust::request::MAX_REQUEST_BYTES;
use liandong_protocol::{Level, RegionCode, Status};
use serde_json::json;

use super::read_bounded;
use crate::cli::access::{self, Access};
use crate::cli::who::Who;
use crate::cli::{CliError, output};
use crate::clock;
use crate::datadir::DataDir;
use crate::genesis::write_file;
use crate::service::cert_inbox;
use crate::service::cert_issue::{self, IssueError, IssueOutcome, IssueSpec};

#[derive(Debug, Args)]
pub struct IssueArgs {
    /// The request file the newcomer wrote / 证书申请文件
    #[arg(required_unless_present = "queued", conflicts_with = "queued")]
    pub request: Option<PathBuf>,
    /// A request handed over the network: its id from `cert requests` (8+ characters) / 网络提交的申请编号
    #[arg(long = "request", value_name = "ID")]
    pub queued: Option<String>,
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
    /// The certificate file to write (needed for a request file; a request
    /// handed over the network is answered over the network) / 输出证书文件
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

pub(super) fn issue_error(e: IssueError) -> CliError {
    match e {
        IssueError::Usage(m) => CliError::Usage(m),
        IssueError::Invalid(m) => CliError::Invalid(m),
        IssueError::Ledger(l) => l.into(),
        IssueError::Failed(m) => CliError::Failed(m),
    }
}

pub fn run(data_dir: &DataDir, who: &Who, args: IssueArgs) -> Result<(), CliError> {
    if args.request.is_some() && args.output.is_none() {
        return Err(CliError::Usage(
            "a request file is answered with a certificate file: add -o FILE / 请用 -o 指定证书文件".into(),
        ));
    }
    let file = args
        .request
        .as_deref()
        .map(|p| read_bounded(p, MAX_REQUEST_BYTES))
        .transpose()?;
    let spec = IssueSpec {
        level: args.level,
        region: args.region.clone(),
        roles: args.roles.clone(),
        can_certify: args.can_certify,
        valid_until: args.valid_until.clone(),
        cooperates: args.cooperates.clone(),
        force: args.force,
    };
    let outcome = match access::open_as(data_dir, who)? {
        Access::Local(post) => {
            let operator = who.offline(data_dir, "/api/members/issue")?;
            let ledger = &post.ledger;
            let bytes = match (file, &args.queued) {
                (Some(bytes), _) => bytes,
                (None, Some(id)) => cert_inbox::find(ledger, id)?.map_err(CliError::Usage)?,
                (None, None) => {
                    return Err(CliError::Usage("no request given / 未给出申请".into()));
                }
            };
            let now = clock::now_ms();
            let planned = cert_issue::plan(ledger, &bytes, &spec, now).map_err(issue_error)?;
            let (scope, body) = planned.entry();
            let subject = planned.cert.subject;
            let entry = ledger.author_by(scope, Status::Actual, body, operator)?;
            let outcome = cert_issue::finish(planned, &entry).map_err(issue_error)?;
            cert_inbox::mark_issued(ledger, &subject, &outcome.certificate, now)?;
            outcome
        }
        // `liandong run` holds the store: the node checks, writes and
        // gossips the certificate.
        Access::Running(client) => client
            .post::<_, IssueOutcome>(
                "/api/members/issue",
                &json!({
                    "request_file_hex": file.map(hex::encode),
                    "request": args.queued,
                    "spec": spec,
                }),
            )
            .map_err(access::remote)?,
    };
    if let Some(path) = &args.output {
        let bytes = hex::decode(&outcome.file_hex)
            .map_err(|e| CliError::Failed(format!("certificate file: {e}")))?;
        write_file(path, &bytes)
            .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?;
    }
    print(&outcome, &args);
    Ok(())
}

fn print(outcome: &IssueOutcome, args: &IssueArgs) {
    if args.json {
        let mut v = serde_json::to_value(outcome).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.remove("file_hex");
            o.insert(
                "file".into(),
                json!(args.output.as_ref().map(|p| p.display().to_string())),
            );
        }
        output::print_json(&v);
        return;
    }
    println!(
        "已签发证书 / certificate issued: {} → {} ({} {})",
        output::terminal_safe(&outcome.issuer),
        output::terminal_safe(&outcome.name),
        outcome.level.name_zh(),
        outcome.region
    );
    if outcome.differs_from_request {
        println!(
            "注意 / note: 申请的是 {} {}，按 --force 签发为 {} {} / certified other than requested (--force)",
            outcome.requested_level.name_zh(),
            outcome.requested_region,
            outcome.level.name_zh(),
            outcome.region
        );
    }
    match &args.output {
        Some(path) => {
            println!("证书文件 / certificate file: {}", path.display());
            println!(
                "下一步 / next: 在下级节点运行 liandong cert install {}",
                path.display()
            );
        }
        None => println!(
            "下级节点下次询问时经网络取回证书 / the newcomer collects it over the network when it next asks"
        ),
    }
}
