//! `liandong resource export --edxl-rm [--request ID | --offer ID] [-o PATH]`:
//! resource lifecycles as EDXL-RM 1.0 messages, read from the views like
//! the boards (folded here when the store is free, asked of the running
//! node when it holds the store).
//!
//! EDXL-RM is one message per document, so several messages never share
//! a file: one message goes to stdout or to the file `-o` names; several
//! go to the directory `-o` names, one file each, and without `-o` the
//! command says so rather than print a stream that is no XML document.

use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;

use super::super::CliError;
use super::super::domain::Common;
use super::super::domain::session::{self, action_error};
use super::super::output;
use crate::datadir::DataDir;
use crate::domain::ids::{self, OFFER, REQUEST};
use crate::gateway::edxl_rm::{self, Document, Selection, files};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// As EDXL-RM 1.0 messages (OASIS Resource Messaging) / 导出为 EDXL-RM 1.0 消息
    #[arg(long, required = true)]
    pub edxl_rm: bool,
    /// Only this request's lifecycle: id or prefix / 仅导出该需求的全过程
    #[arg(long, value_name = "ID", conflicts_with = "offer")]
    pub request: Option<String>,
    /// Only this offer's lifecycle: id or prefix / 仅导出该提供（储备）的全过程
    #[arg(long, value_name = "ID")]
    pub offer: Option<String>,
    /// Write to PATH: a file for one message; a directory, new or empty,
    /// with one file per message for several [default: stdout, one
    /// message only] / 输出位置
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

/// What `--json` prints for each file written.
#[derive(Debug, Serialize)]
struct Written {
    file: String,
    message_id: String,
    message_type: &'static str,
    entry: String,
}

pub fn run(data_dir: &DataDir, dev_roles: Option<&Path>, a: ExportArgs) -> Result<(), CliError> {
    let views = session::load_views(data_dir, dev_roles, &a.common)?;
    let selection = match (&a.request, &a.offer) {
        (Some(r), _) => Selection::Request(
            ids::resolve(r, views.requests.iter().map(|v| v.id), REQUEST, "request")
                .map_err(action_error)?,
        ),
        (None, Some(o)) => Selection::Offer(
            ids::resolve(o, views.offers.iter().map(|v| v.id), OFFER, "offer")
                .map_err(action_error)?,
        ),
        (None, None) => Selection::All,
    };
    let docs = edxl_rm::export(&views, &selection).map_err(|e| CliError::Failed(e.to_string()))?;
    if docs.is_empty() {
        eprintln!("没有可导出的资源记录 / no resource records to export");
        return Ok(());
    }
    match &a.output {
        None => to_stdout(&docs, a.common.json),
        Some(path) if docs.len() > 1 || path.is_dir() => to_dir(path, &docs, a.common.json),
        Some(path) => to_file(path, &docs[0], a.common.json),
    }
}

fn to_stdout(docs: &[Document], json: bool) -> Result<(), CliError> {
    if json {
        return Err(CliError::Usage(
            "--json describes the files written; give -o PATH / --json 需配合 -o 使用".into(),
        ));
    }
    match docs {
        [one] => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(&one.xml)
                .and_then(|()| out.flush())
                .map_err(|e| CliError::Failed(format!("cannot write to stdout: {e}")))
        }
        many => Err(CliError::Usage(format!(
            "{n} EDXL-RM messages: EDXL-RM is one message per document; give -o DIR to \
             write one file each / 共 {n} 条消息（EDXL-RM 每个文件一条），请用 -o 指定目录",
            n = many.len()
        ))),
    }
}

fn to_file(path: &Path, doc: &Document, json: bool) -> Result<(), CliError> {
    std::fs::write(path, &doc.xml)
        .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?;
    report(&[(path.to_path_buf(), doc)], json);
    Ok(())
}

fn to_dir(dir: &Path, docs: &[Document], json: bool) -> Result<(), CliError> {
    let paths = files::write_dir(dir, docs).map_err(|e| match e {
        files::FilesError::NotEmpty(_) | files::FilesError::NotADirectory(_) => {
            CliError::Usage(e.to_string())
        }
        files::FilesError::Io { .. } => CliError::Failed(e.to_string()),
    })?;
    let written: Vec<(PathBuf, &Document)> = paths.into_iter().zip(docs).collect();
    report(&written, json);
    Ok(())
}

fn report(written: &[(PathBuf, &Document)], json: bool) {
    if json {
        let rows: Vec<Written> = written
            .iter()
            .map(|(path, d)| Written {
                file: path.display().to_string(),
                message_id: d.message_id.clone(),
                message_type: d.kind.name(),
                entry: d.entry.to_hex(),
            })
            .collect();
        output::print_json(&rows);
        return;
    }
    for (path, d) in written {
        println!(
            "已导出 / exported {} {}",
            d.kind.name(),
            output::terminal_safe(&path.display().to_string())
        );
    }
}
