//! Writing an export as a directory of files, one message each.
//!
//! The directory must be new or empty: files of an earlier export, with
//! other numbers, would otherwise sit among these and read as one
//! exchange.

use std::io;
use std::path::{Path, PathBuf};

use super::Document;

#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    #[error(
        "{0} already holds files; give a new or empty directory / 目录非空，请指定新目录或空目录"
    )]
    NotEmpty(PathBuf),
    #[error("{0} is not a directory / 不是目录")]
    NotADirectory(PathBuf),
    #[error("cannot write {path}: {source} / 写入失败")]
    Io { path: PathBuf, source: io::Error },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> FilesError + '_ {
    move |source| FilesError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes each document to `dir/<file_name>`, creating `dir` if needed,
/// and returns the paths written, in order.
pub fn write_dir(dir: &Path, docs: &[Document]) -> Result<Vec<PathBuf>, FilesError> {
    if dir.exists() {
        if !dir.is_dir() {
            return Err(FilesError::NotADirectory(dir.to_path_buf()));
        }
        let mut entries = std::fs::read_dir(dir).map_err(io_error(dir))?;
        if entries.next().is_some() {
            return Err(FilesError::NotEmpty(dir.to_path_buf()));
        }
    } else {
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    }
    docs.iter()
        .map(|d| {
            let path = dir.join(&d.file_name);
            std::fs::write(&path, &d.xml).map_err(io_error(&path))?;
            Ok(path)
        })
        .collect()
}
