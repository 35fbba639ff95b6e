//! `liandong warning import FILE|-` and `liandong warning export --cap`:
//! the CAP gateway from the command line (see docs/cap.md). Both work on a
//! stopped post and through a running one, like every domain command.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::cli::CliError;
use crate::cli::access::{self, Access};
use crate::cli::domain::{Common, Session};
use crate::cli::who::Who;
use crate::datadir::DataDir;
use crate::domain::actions::external_warning::{Refused, plan_all};
use crate::domain::ids::{self, WARNING};
use crate::gateway::atom::{Feed, FeedEntry, write_feed};
use crate::gateway::cap::{Links, MAX_CAP_BYTES, read_document, write_alert};
use crate::gateway::export;
use crate::service::cap::ImportReport;
use crate::service::rows::EntryRow;
use crate::service::written::Written;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A CAP 1.0/1.1/1.2 alert, or an Atom/RSS index whose entries carry or
    /// link alerts (relative paths beside it); `-` reads standard input; an
    /// http:// URL fetches a feed with alerts inline (another post's
    /// /api/cap/index.atom?inline=true; token in LIANDONG_FEED_TOKEN) /
    /// CAP 预警文件、索引或 http 地址，- 表示标准输入
    pub file: PathBuf,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write CAP 1.2 (the only format, and required: the name says what
    /// comes out) / 导出 CAP 1.2
    #[arg(long, required = true)]
    pub cap: bool,
    /// The warning: id or prefix [default: every warning in force, as an
    /// Atom index with each alert inline] / 预警编号
    #[arg(long)]
    pub warning: Option<String>,
    /// Write to this file instead of standard output / 输出文件
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

pub fn import(
    data_dir: &DataDir,
    dev_roles: Option<&Path>,
    who: &Who,
    a: ImportArgs,
) -> Result<(), CliError> {
    let (bytes, links) = read_input(&a.file)?;
    let alerts = read_document(&bytes, links).map_err(|p| {
        let (zh, en) = p.describe();
        CliError::Invalid(format!(
            "CAP 无效，未导入任何内容 / invalid CAP, nothing imported:\n{zh}\n{en}"
        ))
    })?;
    let report = match access::open_as(data_dir, who)? {
        Access::Local(post) => {
            let operator = who.offline(data_dir, "/api/cap")?;
            let session = Session::with_post(*post, data_dir, dev_roles, &a.common)?;
            let (planned, skipped) = plan_all(&session.desk, alerts).map_err(refused)?;
            let mut written = Vec::with_capacity(planned.len());
            for p in planned {
                let entry =
                    session
                        .post
                        .ledger
                        .author_by(p.scope, p.status, p.body, operator.clone())?;
                written.push(Written {
                    entry: EntryRow::new(
                        &entry,
                        &Default::default(),
                        session.post.ledger.keyring(),
                    ),
                    label_zh: p.label_zh,
                    label_en: p.label_en,
                    notice: None,
                });
            }
            ImportReport { written, skipped }
        }
        // The running node reads XML only, and follows no link: hand it
        // the alerts already read here, inline in one index.
        Access::Running(client) => {
            let entries: Vec<FeedEntry> = alerts
                .iter()
                .map(|alert| FeedEntry {
                    id: format!("urn:cap:{}:{}", alert.sender, alert.identifier),
                    title: alert.identifier.clone(),
                    updated: crate::clock::rfc3339_ms(alert.sent.ms),
                    author: alert.sender.clone(),
                    summary: String::new(),
                    category: alert.status.name().to_string(),
                    link: None,
                    inline: Some(write_alert(alert)),
                })
                .collect();
            let xml = write_feed(
                &Feed {
                    id: "urn:liandong:cli-import",
                    title: "liandong warning import",
                    self_link: None,
                    updated: &crate::clock::rfc3339_ms(crate::clock::now_ms()),
                },
                &entries,
            );
            let query = a
                .common
                .drill
                .as_deref()
                .map(|d| format!("?drill={d}"))
                .unwrap_or_default();
            client
                .post_bytes(&format!("/api/cap{query}"), xml.as_bytes())
                .map_err(access::remote)?
        }
    };
    if a.common.json {
        crate::cli::output::print_json(&report);
    } else {
        for line in report.lines() {
            println!("{}", crate::cli::output::terminal_safe(&line));
        }
    }
    Ok(())
}

pub fn export(data_dir: &DataDir, dev_roles: Option<&Path>, a: ExportArgs) -> Result<(), CliError> {
    let xml = match access::open(data_dir)? {
        Access::Local(post) => {
            let session = Session::with_post(*post, data_dir, dev_roles, &a.common)?;
            let views = session.views();
            match &a.warning {
                Some(text) => {
                    let id = ids::resolve(
                        text,
                        views.warnings.iter().map(|w| w.id),
                        WARNING,
                        "warning",
                    )
                    .map_err(crate::cli::domain::session::action_error)?;
                    let w = views.warning(&id).ok_or_else(|| {
                        crate::cli::domain::session::action_error(ids::unknown(
                            WARNING, &id, "warning",
                        ))
                    })?;
                    export::alert_xml(w, session.desk.drill())
                }
                None => export::feed(
                    &views,
                    &export::FeedPost {
                        name: &session.desk.name,
                        node: session.desk.node,
                    },
                    None,
                    "",
                    true,
                ),
            }
        }
        Access::Running(client) => {
            let path = match &a.warning {
                Some(text) => format!("/api/cap/{}.xml", text.trim()),
                None => "/api/cap/index.atom".to_string(),
            };
            let bytes = client
                .get_bytes(
                    &path,
                    &[
                        ("drill", a.common.drill.clone()),
                        ("inline", a.warning.is_none().then(|| "true".to_string())),
                    ],
                )
                .map_err(access::remote)?;
            String::from_utf8(bytes).map_err(|e| {
                CliError::Failed(format!(
                    "the node answered with text that is not UTF-8: {e}"
                ))
            })?
        }
    };
    match &a.output {
        Some(path) => std::fs::write(path, xml.as_bytes()).map_err(|e| {
            CliError::Failed(format!("cannot write {}: {e} / 无法写入", path.display()))
        }),
        None => {
            print!("{xml}");
            Ok(())
        }
    }
}

/// The document's bytes, bounded before anything is parsed, and where its
/// links may lead: beside a file, nowhere for standard input.
fn read_input(path: &Path) -> Result<(Vec<u8>, Links), CliError> {
    let too_big = || {
        CliError::Invalid(format!(
            "CAP 文件超过 {} KiB 上限 / the CAP document is over the limit of {} KiB",
            MAX_CAP_BYTES / 1024,
            MAX_CAP_BYTES / 1024
        ))
    };
    let limit = u64::try_from(MAX_CAP_BYTES).unwrap_or(u64::MAX) + 1;
    let mut bytes = Vec::new();
    if let Some(url) = path.to_str().filter(|p| p.starts_with("http://")) {
        return read_url(url);
    }
    if path.to_str().is_some_and(|p| p.starts_with("https://")) {
        return Err(CliError::Usage(
            "https feeds cannot be fetched yet (no TLS client); save the feed to a file, or use http on a trusted network / 暂不支持 https 地址".into(),
        ));
    }
    if path.as_os_str() == "-" {
        std::io::stdin()
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(|e| {
                CliError::Failed(format!(
                    "cannot read standard input: {e} / 无法读取标准输入"
                ))
            })?;
        if bytes.len() > MAX_CAP_BYTES {
            return Err(too_big());
        }
        return Ok((bytes, Links::Refuse));
    }
    let file = std::fs::File::open(path).map_err(|e| {
        CliError::Usage(format!(
            "cannot read {}: {e} / 无法读取文件",
            path.display()
        ))
    })?;
    file.take(limit).read_to_end(&mut bytes).map_err(|e| {
        CliError::Failed(format!(
            "cannot read {}: {e} / 无法读取文件",
            path.display()
        ))
    })?;
    if bytes.len() > MAX_CAP_BYTES {
        return Err(too_big());
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    Ok((bytes, Links::Under(dir)))
}

/// A feed or alert served over HTTP (another post's
/// `/api/cap/index.atom?inline=true`, or any CAP publisher): fetched once,
/// bounded like a file, and read with no link followed. A token for
/// another post's console comes from `LIANDONG_FEED_TOKEN`, never from the
/// command line (where `ps` would show it).
fn read_url(url: &str) -> Result<(Vec<u8>, Links), CliError> {
    let token = std::env::var("LIANDONG_FEED_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());
    let bytes = crate::client::Client::new("")
        .with_token(token)
        .get_limited(url, &[], MAX_CAP_BYTES)
        .map_err(|e| {
            CliError::Failed(format!(
                "cannot fetch {url}: {e} (at most {} KiB) / 无法获取",
                MAX_CAP_BYTES / 1024
            ))
        })?;
    Ok((bytes, Links::Refuse))
}

fn refused(all: Vec<Refused>) -> CliError {
    let (zh, en) = Refused::describe(&all);
    CliError::Invalid(format!("未导入任何内容 / nothing imported:\n{zh}\n{en}"))
}
