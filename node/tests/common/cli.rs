//! A post driven through the real `liandong` binary, for the CLI tests:
//! `init` it, run commands, read their JSON, expect refusals by exit code.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub struct Post {
    pub dir: PathBuf,
    pub roles: Option<PathBuf>,
}

impl Post {
    pub fn init(root: &Path, name: &str, level: &str, region: &str, unit: &str) -> Post {
        let post = Post {
            dir: root.join(region),
            roles: None,
        };
        let o = post.run(&[
            "init",
            "--name",
            name,
            "--level",
            level,
            "--region",
            region,
            "--unit-type",
            unit,
        ]);
        assert!(o.status.success(), "init {name}: {}", stderr(&o));
        post
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_liandong"));
        cmd.arg("--data-dir").arg(&self.dir);
        if let Some(r) = &self.roles {
            cmd.arg("--dev-roles").arg(r);
        }
        cmd.args(args)
            .env_remove("LIANDONG_DATA_DIR")
            .env_remove("LIANDONG_DEV_ROLES")
            .output()
            .expect("run liandong")
    }

    /// Runs a command that must succeed and print JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let o = self.run(&all);
        assert!(o.status.success(), "{args:?} failed: {}", stderr(&o));
        serde_json::from_slice(&o.stdout).expect("JSON on stdout")
    }

    /// Writes an entry and returns its id.
    pub fn write(&self, args: &[&str]) -> String {
        let v = self.json(args);
        v["id"].as_str().expect("id").to_string()
    }

    pub fn text(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(o.status.success(), "{args:?} failed: {}", stderr(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// A command that must be refused with `code`; returns stderr.
    pub fn refused(&self, args: &[&str], code: i32) -> String {
        let o = self.run(args);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {}", stderr(&o));
        stderr(&o)
    }
}

/// Carries what `from` holds to `to`, as a bundle on a USB stick would.
pub fn carry(from: &Post, to: &Post, file: &Path) {
    let f = file.to_str().expect("path");
    let o = from.run(&["bundle", "export", "-o", f]);
    assert!(o.status.success(), "export: {}", stderr(&o));
    let o = to.run(&["bundle", "import", f]);
    assert!(o.status.success(), "import: {}", stderr(&o));
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
