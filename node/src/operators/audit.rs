//! The console's own audit trail: logins, failed logins, logouts, account
//! changes, exports, imports, revocations, certificates issued — an
//! append-only, hash-chained log in `<data-dir>/audit.log` (one JSON record
//! a line, mode 0600), local to the post.
//!
//! Each record holds the BLAKE3 hash of the one before (`prev`) and its own
//! (`hash`, over a domain tag and the record's other fields), so editing a
//! record breaks the chain at that record. Removing records from the end
//! keeps the chain intact, so a separately stored head
//! (`<data-dir>/audit.head`: count, last hash, length in bytes) is written
//! after every append and checked against the log: fewer records than the
//! head counts is truncation. (Whoever can write the data directory can
//! rewrite log and head together — they can also read the post's signing
//! key; the trail guards against quiet edits, not against the machine's
//! owner.)
//!
//! An append writes and fsyncs the record, then replaces the head. A crash
//! between the two leaves one complete record beyond the head (taken into
//! the head at the next open) or a partial line beyond it (cut off at the
//! next open): nothing the head counts is ever lost or changed.

use std::io::{BufRead, BufReader, Read, Seek, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::files;
use crate::datadir::DataDir;

/// Longest details text kept in a record (characters; longer is cut).
pub const MAX_DETAILS_CHARS: usize = 512;
/// Longest source text kept in a record (characters).
pub const MAX_SOURCE_CHARS: usize = 128;
/// Longest line read back: a longer one is damage, not a record.
pub const MAX_RECORD_BYTES: usize = 4096;
/// Largest head file read.
const MAX_HEAD_BYTES: u64 = 1024;
/// Records `read` returns at most (the newest).
pub const MAX_READ_RECORDS: usize = 10_000;
/// Separates the hashed bytes of a record from any other BLAKE3 use.
const DOMAIN: &[u8] = b"liandong audit record v1\0";

pub fn log_path(data_dir: &DataDir) -> PathBuf {
    data_dir.root().join("audit.log")
}

pub fn head_path(data_dir: &DataDir) -> PathBuf {
    data_dir.root().join("audit.head")
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditEvent {
    Login,
    LoginFailed,
    Logout,
    AccountAdded,
    PasswordChanged,
    AccountDisabled,
    AccountEnabled,
    BundleExport,
    BundleImport,
    CapImport,
    CapExport,
    Revocation,
    CertIssue,
    CertInstall,
    CertRequest,
    /// A damaged trail was moved aside at start-up and this one begun.
    TrailSetAside,
}

impl AuditEvent {
    pub fn name_zh(self) -> &'static str {
        use AuditEvent as E;
        match self {
            E::Login => "登录",
            E::LoginFailed => "登录失败",
            E::Logout => "退出登录",
            E::AccountAdded => "新增账户",
            E::PasswordChanged => "修改密码",
            E::AccountDisabled => "停用账户",
            E::AccountEnabled => "启用账户",
            E::BundleExport => "导出数据包",
            E::BundleImport => "导入数据包",
            E::CapImport => "导入 CAP 预警",
            E::CapExport => "导出 CAP 预警",
            E::Revocation => "吊销证书",
            E::CertIssue => "签发证书",
            E::CertInstall => "安装证书",
            E::CertRequest => "申请证书",
            E::TrailSetAside => "原审计日志损坏，已另存",
        }
    }

    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// One record of the trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    /// 1 for the first record, then one more each.
    pub seq: u64,
    pub at_ms: u64,
    pub event: AuditEvent,
    /// The operator account, when one is known.
    pub account: Option<String>,
    /// Where it came from: `console 192.0.2.7`, `cli duty`, …
    pub source: String,
    pub details: String,
    /// The previous record's hash (hex; zeros before the first).
    pub prev: String,
    pub hash: String,
}

/// The fields a record's hash covers, in this order.
#[derive(Serialize)]
struct Hashed<'a> {
    seq: u64,
    at_ms: u64,
    event: AuditEvent,
    account: &'a Option<String>,
    source: &'a str,
    details: &'a str,
    prev: &'a str,
}

impl AuditRecord {
    fn compute_hash(&self) -> String {
        let hashed = Hashed {
            seq: self.seq,
            at_ms: self.at_ms,
            event: self.event,
            account: &self.account,
            source: &self.source,
            details: &self.details,
            prev: &self.prev,
        };
        let bytes = serde_json::to_vec(&hashed).unwrap_or_default();
        let mut h = blake3::Hasher::new();
        h.update(DOMAIN);
        h.update(&bytes);
        h.finalize().to_hex().to_string()
    }
}

/// The separately stored end of the chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    pub count: u64,
    pub last: String,
    pub bytes: u64,
}

fn zero_hash() -> String {
    "0".repeat(64)
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("audit log {0} / 审计日志读写失败")]
    Io(String),
    #[error(
        "the audit log is damaged: {0} — keep audit.log and audit.head as evidence, move them \
         aside to start a new trail / 审计日志已被改动或截断"
    )]
    Damaged(String),
}

fn io(e: std::io::Error) -> AuditError {
    AuditError::Io(e.to_string())
}

fn cut(text: &str, max: usize) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() <= max {
        clean
    } else {
        clean
            .chars()
            .take(max.saturating_sub(1))
            .chain(['…'])
            .collect()
    }
}

/// What reading the log found.
#[derive(Debug, Clone, Default)]
struct Scan {
    /// Good records, in order, chained from the first.
    count: u64,
    last: String,
    /// Bytes up to the end of the last good record.
    good_bytes: u64,
    /// The hash of record number `head.count` (to compare with the head).
    at_head: Option<String>,
    /// The first bad record (its line number) and what is wrong.
    bad: Option<(u64, String)>,
    /// A last line with no newline (an append cut short).
    partial: bool,
    /// The newest records from `since` (only when asked).
    kept: std::collections::VecDeque<AuditRecord>,
}

fn read_head(data_dir: &DataDir) -> Result<Option<Head>, AuditError> {
    let path = head_path(data_dir);
    match files::read_limited(&path, MAX_HEAD_BYTES).map_err(io)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| AuditError::Damaged(format!("audit.head is unreadable: {e}"))),
    }
}

/// Reads the log, checking every record and the chain; keeps the records
/// at or after `keep_since` (at most [`MAX_READ_RECORDS`], the newest).
fn scan(data_dir: &DataDir, head_count: u64, keep_since: Option<u64>) -> Result<Scan, AuditError> {
    let mut s = Scan {
        last: zero_hash(),
        ..Scan::default()
    };
    let file = match std::fs::File::open(log_path(data_dir)) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(s),
        Err(e) => return Err(io(e)),
    };
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    let mut n = 0u64;
    loop {
        line.clear();
        let read = (&mut reader)
            .take(MAX_RECORD_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(io)?;
        if read == 0 {
            break;
        }
        n += 1;
        if line.last() != Some(&b'\n') {
            if line.len() > MAX_RECORD_BYTES {
                s.bad = Some((
                    n,
                    format!("line {n} is longer than {MAX_RECORD_BYTES} bytes"),
                ));
            } else {
                s.partial = true;
            }
            break;
        }
        let record: AuditRecord = match serde_json::from_slice(&line[..line.len() - 1]) {
            Ok(r) => r,
            Err(e) => {
                s.bad = Some((n, format!("record {n} is unreadable ({e})")));
                break;
            }
        };
        let why = if record.seq != n {
            Some(format!("record {n} says it is number {}", record.seq))
        } else if record.prev != s.last {
            Some(format!(
                "record {n} does not follow record {} (a record was removed or changed)",
                n - 1
            ))
        } else if record.hash != record.compute_hash() {
            Some(format!(
                "record {n} was changed after it was written (hash mismatch)"
            ))
        } else {
            None
        };
        if let Some(why) = why {
            s.bad = Some((n, why));
            break;
        }
        s.count = n;
        s.last = record.hash.clone();
        s.good_bytes += read as u64;
        if n == head_count {
            s.at_head = Some(record.hash.clone());
        }
        if keep_since.is_some_and(|since| record.at_ms >= since) {
            if s.kept.len() == MAX_READ_RECORDS {
                s.kept.pop_front();
            }
            s.kept.push_back(record);
        }
    }
    Ok(s)
}

/// What `verify` reports of the trail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuditCheck {
    pub records: u64,
    /// The first problem, naming the first bad record.
    pub problem: Option<String>,
    /// Harmless findings (an append cut short by a crash).
    pub notes: Vec<String>,
}

fn judge(head: Option<&Head>, s: &Scan) -> AuditCheck {
    let mut check = AuditCheck {
        records: s.count,
        ..AuditCheck::default()
    };
    if let Some((_, why)) = &s.bad {
        check.problem = Some(why.clone());
        return check;
    }
    let Some(head) = head else {
        if s.count > 0 {
            check.problem = Some(format!(
                "audit.head is missing but the log holds {} records",
                s.count
            ));
        }
        return check;
    };
    if s.count < head.count {
        check.problem = Some(format!(
            "the log ends after record {} but the head counts {} (records {}..={} were removed)",
            s.count,
            head.count,
            s.count + 1,
            head.count
        ));
    } else if s.at_head.as_deref() != Some(head.last.as_str()) && head.count > 0 {
        check.problem = Some(format!(
            "record {} differs from the head's last hash (changed)",
            head.count
        ));
    } else if s.count > head.count + 1 {
        check.problem = Some(format!(
            "the log holds {} records beyond the head's {} (records {}.. were added outside the trail)",
            s.count - head.count,
            head.count,
            head.count + 1
        ));
    } else if s.count == head.count + 1 {
        check.notes.push(format!(
            "record {} is not in the head yet (an append was interrupted)",
            s.count
        ));
    }
    if s.partial {
        check
            .notes
            .push("the log ends in a partial line (an append was cut short)".into());
    }
    check
}

/// Checks the whole trail against its head.
pub fn check(data_dir: &DataDir) -> Result<AuditCheck, AuditError> {
    let head = match read_head(data_dir) {
        Ok(h) => h,
        Err(AuditError::Damaged(why)) => {
            return Ok(AuditCheck {
                problem: Some(why),
                ..AuditCheck::default()
            });
        }
        Err(e) => return Err(e),
    };
    let s = scan(data_dir, head.as_ref().map_or(0, |h| h.count), None)?;
    Ok(judge(head.as_ref(), &s))
}

/// The records at or after `since_ms` (all when `None`; at most
/// [`MAX_READ_RECORDS`], the newest), and the trail's check.
pub fn read(
    data_dir: &DataDir,
    since_ms: Option<u64>,
) -> Result<(Vec<AuditRecord>, AuditCheck), AuditError> {
    let head = read_head(data_dir)?;
    let s = scan(
        data_dir,
        head.as_ref().map_or(0, |h| h.count),
        Some(since_ms.unwrap_or(0)),
    )?;
    let check = judge(head.as_ref(), &s);
    Ok((s.kept.into_iter().collect(), check))
}

/// The writer of the trail (one per post at a time: the running node, or
/// a CLI command holding the store's lock).
#[derive(Debug)]
pub struct AuditLog {
    data_dir: DataDir,
    file: std::fs::File,
    head: Head,
}

impl AuditLog {
    /// Opens the trail for appending, after checking it; refuses a damaged
    /// one (the evidence is left as it is).
    pub fn open(data_dir: &DataDir) -> Result<AuditLog, AuditError> {
        let head = read_head(data_dir)?;
        let s = scan(data_dir, head.as_ref().map_or(0, |h| h.count), None)?;
        let verdict = judge(head.as_ref(), &s);
        if let Some(problem) = verdict.problem {
            return Err(AuditError::Damaged(problem));
        }
        let mut file = files::append_private(&log_path(data_dir)).map_err(io)?;
        // Cut a partial last line; take an interrupted append's complete
        // record into the head.
        if file.metadata().map_err(io)?.len() != s.good_bytes {
            file.set_len(s.good_bytes).map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        file.seek(std::io::SeekFrom::End(0)).map_err(io)?;
        let head = Head {
            count: s.count,
            last: s.last,
            bytes: s.good_bytes,
        };
        let log = AuditLog {
            data_dir: data_dir.clone(),
            file,
            head,
        };
        log.write_head()?;
        Ok(log)
    }

    /// Opens the trail for the running node. A damaged trail must not keep
    /// a post from starting in an emergency, nor be written over: both
    /// files are renamed to `audit.log.damaged-<ms>` and
    /// `audit.head.damaged-<ms>` (the evidence, untouched), and a new trail
    /// begins with a record that says why and where they are.
    pub fn open_or_set_aside(data_dir: &DataDir, now_ms: u64) -> Result<AuditLog, AuditError> {
        let why = match AuditLog::open(data_dir) {
            Err(AuditError::Damaged(why)) => why,
            other => return other,
        };
        let mut kept = Vec::new();
        for path in [log_path(data_dir), head_path(data_dir)] {
            let mut aside = path.clone().into_os_string();
            aside.push(format!(".damaged-{now_ms}"));
            match std::fs::rename(&path, &aside) {
                Ok(()) => kept.push(PathBuf::from(aside).display().to_string()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(e)),
            }
        }
        tracing::error!(
            problem = %why,
            kept = ?kept,
            "the audit trail was damaged; it is kept aside and a new one begins / 审计日志损坏，已另存并重新开始"
        );
        let mut log = AuditLog::open(data_dir)?;
        log.append(
            now_ms,
            AuditEvent::TrailSetAside,
            None,
            "node start",
            &format!("{why}; kept as {}", kept.join(", ")),
        )?;
        Ok(log)
    }

    fn write_head(&self) -> Result<(), AuditError> {
        let bytes = serde_json::to_vec(&self.head).map_err(|e| AuditError::Io(e.to_string()))?;
        files::write_private(&head_path(&self.data_dir), &bytes).map_err(io)
    }

    pub fn count(&self) -> u64 {
        self.head.count
    }

    /// Appends one record (durably) and moves the head.
    pub fn append(
        &mut self,
        at_ms: u64,
        event: AuditEvent,
        account: Option<&str>,
        source: &str,
        details: &str,
    ) -> Result<AuditRecord, AuditError> {
        let mut record = AuditRecord {
            seq: self.head.count + 1,
            at_ms,
            event,
            account: account.map(|a| cut(a, MAX_SOURCE_CHARS)),
            source: cut(source, MAX_SOURCE_CHARS),
            details: cut(details, MAX_DETAILS_CHARS),
            prev: self.head.last.clone(),
            hash: String::new(),
        };
        record.hash = record.compute_hash();
        let mut line = serde_json::to_vec(&record).map_err(|e| AuditError::Io(e.to_string()))?;
        line.push(b'\n');
        self.file.write_all(&line).map_err(io)?;
        self.file.sync_data().map_err(io)?;
        self.head = Head {
            count: record.seq,
            last: record.hash.clone(),
            bytes: self.head.bytes + line.len() as u64,
        };
        self.write_head()?;
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trail(n: u64) -> (tempfile::TempDir, DataDir) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path());
        let mut log = AuditLog::open(&dir).expect("open");
        for i in 0..n {
            log.append(
                1000 + i,
                AuditEvent::Login,
                Some("zhang"),
                "console 127.0.0.1",
                &format!("#{i}"),
            )
            .expect("append");
        }
        (tmp, dir)
    }

    fn lines(dir: &DataDir) -> Vec<String> {
        std::fs::read_to_string(log_path(dir))
            .expect("log")
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn write_lines(dir: &DataDir, lines: &[String]) {
        let mut text = lines.join("\n");
        text.push('\n');
        std::fs::write(log_path(dir), text).expect("write");
    }

    #[test]
    fn a_damaged_trail_is_set_aside_at_start_and_a_new_one_says_so() {
        let (_tmp, dir) = trail(3);
        let mut edited = lines(&dir);
        edited[1] = edited[1].replace("#1", "#9");
        write_lines(&dir, &edited);
        assert!(matches!(AuditLog::open(&dir), Err(AuditError::Damaged(_))));
        let log = AuditLog::open_or_set_aside(&dir, 77).expect("a new trail");
        assert_eq!(log.count(), 1);
        let (records, check) = read(&dir, None).expect("read");
        assert_eq!(check.problem, None);
        assert_eq!(records[0].event, AuditEvent::TrailSetAside);
        assert!(
            records[0].details.contains("record 2"),
            "{}",
            records[0].details
        );
        let aside = dir.root().join("audit.log.damaged-77");
        let kept = std::fs::read_to_string(&aside).expect("the evidence is kept");
        assert!(kept.contains("#9"));
        assert!(dir.root().join("audit.head.damaged-77").exists());
    }

    #[test]
    fn a_trail_survives_reopening_and_reads_back_in_order() {
        let (_tmp, dir) = trail(3);
        let mut log = AuditLog::open(&dir).expect("reopen");
        assert_eq!(log.count(), 3);
        log.append(5000, AuditEvent::Logout, None, "cli duty", "")
            .expect("append");
        let (records, check) = read(&dir, None).expect("read");
        assert_eq!(
            check,
            AuditCheck {
                records: 4,
                ..AuditCheck::default()
            }
        );
        assert_eq!(
            records.iter().map(|r| r.seq).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
        assert_eq!(records[3].prev, records[2].hash);
        let (since, _) = read(&dir, Some(1002)).expect("read");
        assert_eq!(since.iter().map(|r| r.seq).collect::<Vec<_>>(), [3, 4]);
    }

    #[test]
    fn an_edited_record_is_named() {
        let (_tmp, dir) = trail(4);
        let mut l = lines(&dir);
        l[1] = l[1].replace("\"#1\"", "\"#X\"");
        write_lines(&dir, &l);
        let check = check(&dir).expect("check");
        let problem = check.problem.expect("found");
        assert!(
            problem.contains("record 2") && problem.contains("changed"),
            "{problem}"
        );
        assert!(matches!(AuditLog::open(&dir), Err(AuditError::Damaged(_))));
    }

    #[test]
    fn a_removed_middle_record_is_named() {
        let (_tmp, dir) = trail(4);
        let mut l = lines(&dir);
        l.remove(1);
        write_lines(&dir, &l);
        let problem = check(&dir).expect("check").problem.expect("found");
        assert!(problem.contains("record 2"), "{problem}");
    }

    #[test]
    fn truncation_is_caught_by_the_head() {
        let (_tmp, dir) = trail(4);
        let mut l = lines(&dir);
        l.truncate(2);
        write_lines(&dir, &l);
        let problem = check(&dir).expect("check").problem.expect("found");
        assert!(problem.contains("records 3..=4 were removed"), "{problem}");
        // Emptied entirely, head and all but the log: still caught.
        std::fs::write(log_path(&dir), b"").expect("empty");
        assert!(check(&dir).expect("check").problem.is_some());
        // The head removed while records remain.
        let (_tmp2, dir2) = trail(2);
        std::fs::remove_file(head_path(&dir2)).expect("rm");
        assert!(
            check(&dir2)
                .expect("check")
                .problem
                .is_some_and(|p| p.contains("missing"))
        );
    }

    #[test]
    fn an_interrupted_append_is_harmless_and_healed_at_open() {
        let (_tmp, dir) = trail(2);
        let head = std::fs::read(head_path(&dir)).expect("head");
        let mut log = AuditLog::open(&dir).expect("open");
        log.append(9, AuditEvent::Logout, None, "x", "")
            .expect("append");
        // The crash came before the head was replaced.
        std::fs::write(head_path(&dir), &head).expect("old head");
        let c = check(&dir).expect("check");
        assert!(c.problem.is_none() && c.notes.len() == 1, "{c:?}");
        // A partial line after it too.
        let mut f = files::append_private(&log_path(&dir)).expect("append");
        f.write_all(b"{\"seq\":4,").expect("write");
        let c = check(&dir).expect("check");
        assert!(c.problem.is_none() && c.notes.len() == 2, "{c:?}");
        let mut log = AuditLog::open(&dir).expect("heals");
        assert_eq!(log.count(), 3);
        log.append(10, AuditEvent::Login, None, "x", "")
            .expect("append");
        assert_eq!(
            check(&dir).expect("check"),
            AuditCheck {
                records: 4,
                ..AuditCheck::default()
            }
        );
    }

    #[test]
    fn texts_are_cut_to_their_limits_and_long_lines_are_damage() {
        let (_tmp, dir) = trail(0);
        let mut log = AuditLog::open(&dir).expect("open");
        let r = log
            .append(
                1,
                AuditEvent::Login,
                None,
                &"s".repeat(1000),
                &"细".repeat(5000),
            )
            .expect("append");
        assert_eq!(r.details.chars().count(), MAX_DETAILS_CHARS);
        assert_eq!(r.source.chars().count(), MAX_SOURCE_CHARS);
        assert!(lines(&dir)[0].len() <= MAX_RECORD_BYTES);
        write_lines(&dir, &["x".repeat(MAX_RECORD_BYTES + 10)]);
        assert!(
            check(&dir)
                .expect("check")
                .problem
                .is_some_and(|p| p.contains("line 1"))
        );
    }
}
