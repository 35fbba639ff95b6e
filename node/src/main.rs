//! The `liandong` binary: parse, set up logging, run, exit with a code.

use clap::Parser;
use liandong_node::cli::{self, Cli};
use tracing_subscriber::EnvFilter;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_tracing(&cli.log_format);
    liandong_node::panics::install_hook();
    if cli.command.is_one_shot() {
        // Rust ignores SIGPIPE, so printing to a closed pipe panics
        // (`liandong log | head -1`). A command that only prints should end
        // quietly instead, as other Unix tools do. Not for `run`, `demo` and
        // `bench`: a long-running post must outlive a closed terminal.
        sigpipe::reset();
    }
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
