//! Writing the operators' files safely: atomically (a crash leaves the old
//! file or the new one, never half of one), readable by the post's own
//! user only (mode 0600), and read back with a size limit.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same
/// directory: write, fsync, rename over, fsync the directory.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp"));
    {
        let mut file = private_options().open(&tmp)?;
        // An older temporary file may have other permissions.
        set_private(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    sync_dir(dir)
}

/// Opens `path` for appending, created 0600 when absent.
pub fn append_private(path: &Path) -> std::io::Result<fs::File> {
    let mut options = private_options();
    options.truncate(false).append(true);
    let file = options.open(path)?;
    set_private(path)?;
    Ok(file)
}

/// Reads `path`, refusing one longer than `max` bytes; `None` when absent.
pub fn read_limited(path: &Path, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    if len > max {
        return Err(std::io::Error::other(format!(
            "{} is {len} bytes, over the limit of {max} / 文件过大",
            path.display()
        )));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(std::io::Error::other(format!(
            "{} grew over the limit of {max} bytes while read / 文件过大",
            path.display()
        )));
    }
    Ok(Some(bytes))
}

fn private_options() -> fs::OpenOptions {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

fn set_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_files_are_replaced_whole_and_size_checked() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("x.json");
        assert!(read_limited(&path, 10).expect("absent").is_none());
        write_private(&path, b"first").expect("write");
        write_private(&path, b"second").expect("write");
        assert_eq!(
            read_limited(&path, 6).expect("read").as_deref(),
            Some(&b"second"[..])
        );
        assert!(read_limited(&path, 5).is_err(), "one byte over the limit");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let names: Vec<_> = fs::read_dir(tmp.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
    }
}
