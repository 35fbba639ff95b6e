//! CLI-only input: attachments, hashed from files on this machine.

use std::fs::File;
use std::io;
use std::path::Path;

use liandong_protocol::domain::Attachment;
use liandong_protocol::ids::ContentHash;

use crate::cli::CliError;

/// Hashes a file for attaching it by hash. The file itself stays where it
/// is: the ledger carries only its name, type, size and BLAKE3 hash.
pub fn attachment(path: &Path) -> Result<Attachment, CliError> {
    let fail = |e: io::Error| {
        CliError::Usage(format!(
            "cannot read attachment {}: {e} / 无法读取附件",
            path.display()
        ))
    };
    let mut file = File::open(path).map_err(fail)?;
    let mut hasher = blake3::Hasher::new();
    let bytes = io::copy(&mut file, &mut hasher).map_err(fail)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    Ok(Attachment {
        hash: ContentHash(*hasher.finalize().as_bytes()),
        media_type: media_type(&name).to_string(),
        name,
        bytes,
    })
}

fn media_type(name: &str) -> &'static str {
    let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "txt" => "text/plain",
        "mp4" => "video/mp4",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_hash_their_file() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("河道.jpg");
        std::fs::write(&path, b"photo").expect("write");
        let a = attachment(&path).expect("attach");
        assert_eq!(a.hash, ContentHash::of(b"photo"));
        assert_eq!(
            (a.name.as_str(), a.media_type.as_str(), a.bytes),
            ("河道.jpg", "image/jpeg", 5)
        );
    }
}
