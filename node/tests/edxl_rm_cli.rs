//! `liandong resource export --edxl-rm` through the real binary: a county
//! post requests boats, offers and commits them, reports them dispatched,
//! delivered and returned, and registers a standing inventory; the export
//! writes one EDXL-RM 1.0 document per step, the same bytes whether the
//! store is free or a running node holds it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use serde_json::Value;

mod common;
use common::running::run_node;

const MSG_NS: &str = "urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg";

fn liandong(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liandong"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("LIANDONG_DATA_DIR")
        .env_remove("LIANDONG_DEV_ROLES")
        .output()
        .expect("run liandong")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let o = liandong(dir, &all);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("JSON on stdout")
}

/// Writes an entry; its id's first 8 characters.
fn write(dir: &Path, args: &[&str]) -> String {
    let v = json(dir, args);
    v["id"].as_str().expect("id")[..8].to_string()
}

/// The root element of a document (namespace, local name) and the local
/// names of its children, parsed with a namespace-aware reader that fails
/// on anything not well-formed.
fn root_of(xml: &[u8]) -> (String, String, Vec<String>) {
    let text = std::str::from_utf8(xml).expect("UTF-8");
    let mut reader = NsReader::from_str(text);
    let mut depth = 0usize;
    let mut root = None;
    let mut children = Vec::new();
    loop {
        let (ns, event) = reader.read_resolved_event().expect("well-formed XML");
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_string();
                if depth == 0 {
                    let ResolveResult::Bound(ns) = ns else {
                        panic!("root outside any namespace");
                    };
                    root = Some((ns.as_ref().to_string(), name));
                } else if depth == 1 {
                    children.push(name);
                }
                depth += 1;
            }
            Event::End(_) => depth -= 1,
            Event::Eof => break,
            _ => {}
        }
    }
    let (ns, name) = root.expect("a root element");
    (ns, name, children)
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("export directory")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
}

#[test]
fn a_resource_lifecycle_exports_as_edxl_rm_messages() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("county");
    let o = liandong(
        &dir,
        &[
            "init",
            "--name",
            "沙湾市应急管理局",
            "--level",
            "county",
            "--region",
            "654203",
        ],
    );
    assert!(o.status.success(), "init: {}", stderr(&o));

    let request = write(
        &dir,
        &[
            "resource",
            "request",
            "--item",
            "冲锋舟",
            "--unit",
            "艘",
            "--quantity",
            "3",
            "--deliver-to",
            "西戈壁村村委会",
            "--needed-by",
            "+2h",
        ],
    );
    let offer = write(
        &dir,
        &[
            "resource",
            "offer",
            "--item",
            "冲锋舟",
            "--unit",
            "艘",
            "--quantity",
            "4",
            "--location",
            "沙湾市应急物资储备库",
            "--request",
            &request,
        ],
    );
    let commit = write(
        &dir,
        &[
            "resource",
            "commit",
            "--offer",
            &offer,
            "--request",
            &request,
            "--quantity",
            "3",
            "--eta",
            "+1h",
        ],
    );
    for step in ["dispatch", "deliver", "return"] {
        write(&dir, &["resource", step, "--commit", &commit]);
    }
    let tents = write(
        &dir,
        &[
            "resource",
            "offer",
            "--item",
            "帐篷",
            "--unit",
            "顶",
            "--quantity",
            "50",
            "--location",
            "沙湾市应急物资储备库",
        ],
    );

    // Everything, into a new directory: one document per step.
    let out = tmp.path().join("edxl");
    let out_s = out.to_str().expect("path");
    let listed = json(&dir, &["resource", "export", "--edxl-rm", "-o", out_s]);
    let listed = listed.as_array().expect("a list of files");
    let types: Vec<&str> = listed
        .iter()
        .map(|f| f["message_type"].as_str().expect("type"))
        .collect();
    assert_eq!(
        types,
        [
            "RequestResource",
            "ResponseToRequestResource",
            "CommitResource",
            "ReportResourceDeploymentStatus",
            "ReportResourceDeploymentStatus",
            "ReportResourceDeploymentStatus",
            "OfferUnsolicitedResource",
        ]
    );
    let files = files_in(&out);
    assert_eq!(files.len(), types.len());
    for (file, want) in files.iter().zip(&types) {
        let xml = std::fs::read(file).expect("read");
        let (ns, name, children) = root_of(&xml);
        assert_eq!(ns, MSG_NS);
        assert_eq!(name, *want, "{}", file.display());
        assert_eq!(
            children[..3],
            ["MessageID", "SentDateTime", "MessageContentType"]
        );
        assert_eq!(
            children.last().map(String::as_str),
            Some("ResourceInformation")
        );
        assert!(String::from_utf8_lossy(&xml).contains("+08:00</SentDateTime>"));
    }

    // The same export again refuses to mix into the first one.
    let o = liandong(&dir, &["resource", "export", "--edxl-rm", "-o", out_s]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));

    // One message goes to stdout; several would not make one document.
    let o = liandong(
        &dir,
        &["resource", "export", "--edxl-rm", "--offer", &tents],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(root_of(&o.stdout).1, "OfferUnsolicitedResource");
    let o = liandong(
        &dir,
        &["resource", "export", "--edxl-rm", "--request", &request],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("-o DIR"), "{}", stderr(&o));
    let o = liandong(
        &dir,
        &["resource", "export", "--edxl-rm", "--request", "ffffffff"],
    );
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));

    // Through a running node (it holds the store): the same bytes.
    let running = run_node(&dir);
    let again = tmp.path().join("edxl-running");
    let o = liandong(
        &dir,
        &[
            "resource",
            "export",
            "--edxl-rm",
            "-o",
            again.to_str().expect("path"),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    drop(running);
    let second = files_in(&again);
    assert_eq!(second.len(), files.len());
    for (a, b) in files.iter().zip(&second) {
        assert_eq!(a.file_name(), b.file_name());
        assert_eq!(
            std::fs::read(a).expect("read"),
            std::fs::read(b).expect("read"),
            "{}",
            a.display()
        );
    }
}
