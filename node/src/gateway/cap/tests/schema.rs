//! Validation of written CAP against the official CAP 1.2 schema with
//! `xmllint` (libxml2-utils). The schema is real-world data outside the
//! repository (`../shared/data/cap/cap12.xsd` from the project root); when
//! the folder is absent the validation is skipped, loudly. When xmllint
//! is missing the test fails on CI (env `CI` set) and is skipped, loudly,
//! elsewhere.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Once;

/// `../shared/data/cap` from the project root, if present.
pub(super) fn shared_cap_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/cap");
    if dir.is_dir() {
        Some(dir)
    } else {
        static WARN: Once = Once::new();
        WARN.call_once(|| {
            eprintln!(
                "\n*** SKIP: {} is absent: the shared CAP data (real alerts, cap12.xsd) is not \
                 here, so those cases are skipped ***\n",
                dir.display()
            );
        });
        None
    }
}

fn xmllint_present() -> bool {
    let found = Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "xmllint is missing on CI: install libxml2-utils"
        );
        static WARN: Once = Once::new();
        WARN.call_once(|| {
            eprintln!(
                "\n*** SKIP: xmllint is not installed: CAP output is NOT schema-validated ***\n"
            );
        });
    }
    found
}

/// Asserts `xml` validates against cap12.xsd, when xmllint and the schema
/// are here. Returns whether it was checked.
pub(super) fn assert_valid(name: &str, xml: &str) -> bool {
    let Some(dir) = shared_cap_dir() else {
        return false;
    };
    if !xmllint_present() {
        return false;
    }
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(xml.as_bytes()).expect("write temp file");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(dir.join("cap12.xsd"))
        .arg(file.path())
        .output()
        .expect("run xmllint");
    assert!(
        out.status.success(),
        "{name} does not validate against cap12.xsd:\n{}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
    true
}

#[test]
fn the_schema_check_refuses_invalid_cap() {
    // The check must be able to fail: an alert without identifier.
    let Some(dir) = shared_cap_dir() else {
        return;
    };
    if !xmllint_present() {
        return;
    }
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(
        br#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><sender>x</sender></alert>"#,
    )
    .expect("write");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(dir.join("cap12.xsd"))
        .arg(file.path())
        .output()
        .expect("run xmllint");
    assert!(!out.status.success());
}
