//! Operator input: times (past and future), lists, attachments.

use std::fs::File;
use std::io;
use std::path::Path;

use liandong_protocol::domain::{Attachment, GeoPoint};
use liandong_protocol::ids::ContentHash;

use crate::cli::CliError;
use crate::clock;

/// A time as operators write it: what `clock::parse_time_ms` reads (a date,
/// a Beijing date-time, RFC 3339, or `2h` for two hours ago), or `+2h` for
/// two hours from now.
pub fn time(text: &str, now_ms: u64) -> Result<u64, CliError> {
    let t = text.trim();
    if let Some(ahead) = t.strip_prefix('+') {
        let ago_ms =
            clock::parse_time_ms(ahead, now_ms).map_err(|e| CliError::Usage(e.to_string()))?;
        return Ok(now_ms.saturating_add(now_ms.saturating_sub(ago_ms)));
    }
    clock::parse_time_ms(t, now_ms).map_err(|e| CliError::Usage(e.to_string()))
}

pub fn time_opt(text: &Option<String>, now_ms: u64) -> Result<Option<u64>, CliError> {
    text.as_deref().map(|t| time(t, now_ms)).transpose()
}

/// Splits `a,b、c，d` into trimmed, non-empty items.
pub fn list(text: &str) -> Vec<String> {
    text.split([',', '，', '、'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Splits every value of a repeated option as a list, and joins them.
pub fn lists(values: &[String]) -> Vec<String> {
    values.iter().flat_map(|v| list(v)).collect()
}

/// `lat,lon;lat,lon;…` → polygon points.
pub fn polygon(text: &str) -> Result<Vec<GeoPoint>, CliError> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|p| {
            p.parse::<GeoPoint>()
                .map_err(|e| CliError::Usage(e.to_string()))
        })
        .collect()
}

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
    fn future_and_past_times() {
        let now = 1_795_824_000_000;
        assert_eq!(time("+2h", now).ok(), Some(now + 7_200_000));
        assert_eq!(time("2h", now).ok(), Some(now - 7_200_000));
        assert!(time("+soon", now).is_err());
    }

    #[test]
    fn lists_split_on_chinese_commas() {
        assert_eq!(
            list("水利，消防、卫生, 交通,"),
            ["水利", "消防", "卫生", "交通"]
        );
    }

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
