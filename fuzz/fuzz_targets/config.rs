//! `Config::parse`: the post's `config.toml`. Written by `liandong init`,
//! then edited by hand — and sometimes copied from another post, so it is
//! read as untrusted text: unknown keys, wrong types, bad region codes and
//! versions must all be errors, never panics.
//!
//! A parsed config prints (`to_toml`) to a text that parses back to the
//! same config, and its interest and network id can be derived.

use std::path::Path;

use liandong_node::config::Config;

fn main() {
    afl::fuzz!(|data: &[u8]| {
        // The loader reads the file with `read_to_string`: not UTF-8 is an
        // io error before the parser sees it.
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let path = Path::new("config.toml");
        let Ok(config) = Config::parse(text, path) else {
            return;
        };
        let printed = config.to_toml();
        let back = Config::parse(&printed, path).expect("a printed config parses");
        assert_eq!(back, config);
        assert_eq!(back.to_toml(), printed);
        let _ = (config.interest(), config.network.network_id());
    });
}
