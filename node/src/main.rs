//! The `liandong` binary: parse, set up logging, run, exit with a code.

use clap::Parser;
use liandong_node::cli::{self, Cli};
use tracing_subscriber::EnvFilter;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_tracing(&cli.log_format);
    match cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误 / error: {e}");
            std::process::ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn init_tracing(format: &str) {
    let filter = EnvFilter::try_from_env("LIANDONG_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}
