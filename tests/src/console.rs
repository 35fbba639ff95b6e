//! What the console's browser tests share: the browser (or a loud skip),
//! where screenshots go, and a post's console switched to TLS.

use std::path::{Path, PathBuf};

use liandong_node::config::{Config, TlsMode, TlsPlan};
use liandong_node::datadir::DataDir;
use liandong_node::tls::ServerTls;

use crate::init_logging;
use crate::webdriver::Tools;

/// `<target>/console-screenshots`, beside the test's `target_tmp`
/// (`env!("CARGO_TARGET_TMPDIR")`, which is `<target>/tmp`).
pub fn shots_dir(target_tmp: &str) -> PathBuf {
    let tmp = Path::new(target_tmp);
    tmp.parent()
        .map(|t| t.join("console-screenshots"))
        .unwrap_or_else(|| tmp.join("console-screenshots"))
}

/// Chromium and its driver, and where screenshots go; `None` (the test
/// says SKIPPED loudly and passes) when they are not installed.
pub fn browser_or_skip(test: &str, target_tmp: &str) -> Option<(Tools, PathBuf)> {
    let Some(tools) = Tools::find() else {
        eprintln!(
            "\n*** SKIPPED {test}: chromium and/or chromedriver not found \
             (Debian: apt-get install chromium chromium-driver) ***\n"
        );
        return None;
    };
    init_logging();
    let shots = shots_dir(target_tmp);
    let _ = std::fs::create_dir_all(&shots);
    Some((tools, shots))
}

/// Turns the post's console TLS on and generates its certificate now (the
/// post reuses it when it starts), so the browser can be launched trusting
/// it; returns the certificate's SPKI pin.
pub fn tls_on(dir: &DataDir) -> String {
    let path = dir.config_path();
    let mut config = Config::load(&path).expect("config");
    config.console.tls = TlsMode::On;
    std::fs::write(&path, config.to_toml()).expect("config written");
    let listen = "127.0.0.1:0".parse().expect("addr");
    let tls = ServerTls::prepare(&TlsPlan::Generated, dir.root(), listen, &config.post.name)
        .expect("certificate")
        .expect("TLS");
    tls.spki_pin.expect("an SPKI pin")
}
