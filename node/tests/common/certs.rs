//! A certified network of posts in temporary data directories, driven
//! through the real `liandong` binary: the root creates the genesis,
//! newcomers join, request, get issued and install (the certificate CLI
//! tests).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub fn liandong(dir: &Path, args: &[&str]) -> Output {
    liandong_skewed(dir, args, None)
}

pub fn liandong_skewed(dir: &Path, args: &[&str], skew_ms: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_liandong"));
    cmd.arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("LIANDONG_DATA_DIR")
        .env_remove("LIANDONG_CLOCK_SKEW_MS");
    if let Some(ms) = skew_ms {
        cmd.env("LIANDONG_CLOCK_SKEW_MS", ms);
    }
    cmd.output().expect("run liandong")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn ok_json(o: Output) -> Value {
    assert!(o.status.success(), "failed: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("json on stdout")
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

pub struct Net {
    pub tmp: tempfile::TempDir,
    pub root: PathBuf,
}

impl Net {
    pub fn new() -> Net {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("national");
        ok_json(liandong(
            &root,
            &[
                "init",
                "--name",
                "国家应急指挥中心",
                "--level",
                "national",
                "--region",
                "00",
                "--json",
            ],
        ));
        let g = ok_json(liandong(
            &root,
            &["genesis", "create", "--name", "测试联动网", "--json"],
        ));
        assert_eq!(g["roots"].as_array().map(Vec::len), Some(1));
        Net { tmp, root }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// A newcomer joins with the root's genesis file (not yet certified).
    pub fn join(&self, name: &str, unit: &str, level: &str, region: &str) -> PathBuf {
        let dir = self.path(name);
        let genesis = self.root.join("genesis.bin");
        let out = ok_json(liandong(
            &dir,
            &[
                "init",
                "--genesis",
                s(&genesis),
                "--name",
                unit,
                "--level",
                level,
                "--region",
                region,
                "--json",
            ],
        ));
        assert_eq!(out["certified"], false);
        dir
    }

    pub fn request(&self, child: &Path) -> PathBuf {
        let name = child.file_name().and_then(|n| n.to_str()).expect("name");
        let req = self.path(&format!("{name}.req"));
        ok_json(liandong(
            child,
            &["cert", "request", "-o", s(&req), "--json"],
        ));
        req
    }

    /// `cert issue REQ --level … --region … -o OUT` at `parent`, and `extra`.
    pub fn issue(
        &self,
        parent: &Path,
        req: &Path,
        level: &str,
        region: &str,
        out: &Path,
        extra: &[&str],
    ) -> Output {
        let mut args = vec![
            "cert",
            "issue",
            s(req),
            "--level",
            level,
            "--region",
            region,
            "-o",
            s(out),
        ];
        args.extend_from_slice(extra);
        liandong(parent, &args)
    }

    pub fn certify(&self, parent: &Path, child: &Path, level: &str, region: &str) {
        let req = self.request(child);
        let cert = self.path("cert.bin");
        ok_json(liandong(
            parent,
            &[
                "cert",
                "issue",
                s(&req),
                "--level",
                level,
                "--region",
                region,
                "-o",
                s(&cert),
                "--json",
            ],
        ));
        ok_json(liandong(child, &["cert", "install", s(&cert), "--json"]));
    }

    /// Carries everything `from` holds to `into`.
    pub fn carry(&self, from: &Path, into: &Path) {
        let file = self.path("carry.bundle");
        ok_json(liandong(
            from,
            &["bundle", "export", "-o", s(&file), "--json"],
        ));
        ok_json(liandong(into, &["bundle", "import", s(&file), "--json"]));
    }
}

pub fn node_id(dir: &Path) -> String {
    ok_json(liandong(dir, &["id", "--json"]))["node_id"]
        .as_str()
        .expect("node id")
        .to_string()
}
