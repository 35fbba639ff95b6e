//! Reading a password: from the terminal with echo off, or one line of
//! standard input (`--password-stdin`, for scripts). Never from the
//! command line, where `ps` and the shell's history would show it.

use std::io::{BufRead, Read, Write};

use super::CliError;
use crate::operators::password::{self, MAX_PASSWORD_BYTES};

/// A new password: typed twice at a terminal, or one line of stdin.
pub fn new_password(from_stdin: bool) -> Result<String, CliError> {
    let password = if from_stdin {
        read_stdin_line()?
    } else {
        let first = prompt("新密码 / new password: ")?;
        password::check_new(&first).map_err(|e| CliError::Usage(e.to_string()))?;
        let again = prompt("再输一次 / again: ")?;
        if first != again {
            return Err(CliError::Usage(
                "the two passwords differ / 两次输入的密码不一致".into(),
            ));
        }
        first
    };
    password::check_new(&password).map_err(|e| CliError::Usage(e.to_string()))?;
    Ok(password)
}

/// One line of standard input, without its line ending.
fn read_stdin_line() -> Result<String, CliError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(MAX_PASSWORD_BYTES as u64 + 2)
        .read_line(&mut line)
        .map_err(|e| {
            CliError::Usage(format!(
                "cannot read the password from stdin: {e} / 无法读取密码"
            ))
        })?;
    let line = line.strip_suffix('\n').unwrap_or(&line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    Ok(line.to_string())
}

/// Asks at the terminal with echo off.
fn prompt(label: &str) -> Result<String, CliError> {
    use rustix::termios::{LocalModes, OptionalActions, isatty, tcgetattr, tcsetattr};
    let stdin = std::io::stdin();
    if !isatty(&stdin) {
        return Err(CliError::Usage(
            "no terminal to ask for the password: pipe it with --password-stdin \
             / 无终端可输入密码，请用 --password-stdin"
                .into(),
        ));
    }
    let mut err = std::io::stderr();
    let _ = write!(err, "{label}");
    let _ = err.flush();
    let saved = tcgetattr(&stdin).map_err(|e| CliError::Failed(format!("terminal: {e}")))?;
    let mut quiet = saved.clone();
    quiet.local_modes.remove(LocalModes::ECHO);
    tcsetattr(&stdin, OptionalActions::Now, &quiet)
        .map_err(|e| CliError::Failed(format!("terminal: {e}")))?;
    let line = read_stdin_line();
    // Echo back on whatever happened.
    let _ = tcsetattr(&stdin, OptionalActions::Now, &saved);
    let _ = writeln!(err);
    line
}
