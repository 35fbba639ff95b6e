//! `liandong operator add|list|passwd|disable|enable`: the post's operator
//! accounts (issue 17). With the node stopped the accounts file is changed
//! here (while this command holds the store's lock, so nothing else
//! changes it meanwhile); while it runs, through its API, so the running
//! console sees the change at once. Passwords are typed at a prompt
//! without echo or piped with `--password-stdin`, never given as flags.

use clap::{Args, Subcommand};

use super::access::{self, Access};
use super::{CliError, output, secret_input};
use crate::clock;
use crate::datadir::DataDir;
use crate::operators::{
    AccountBook, AccountRow, AuditEvent, AuditLog, NewAccount, OperatorRole, OperatorsError,
};

#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Add an account / 新增操作员账户
    Add(AddArgs),
    /// List the accounts / 列出账户
    List(ListArgs),
    /// Set a new password / 重设密码
    Passwd(PasswdArgs),
    /// Disable an account (it can no longer log in or act) / 停用账户
    Disable(NameArgs),
    /// Enable a disabled account again / 重新启用账户
    Enable(NameArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Account name (ASCII letters, digits, . _ -) / 账户名
    pub account: String,
    /// The name people know them by, e.g. 张三 / 姓名
    #[arg(long)]
    pub display: String,
    /// viewer, operator (值班员), leader (带班领导) or admin / 角色
    #[arg(long)]
    pub role: OperatorRole,
    /// The local login whose CLI commands act as this account / 对应的本机用户名
    #[arg(long)]
    pub os_user: Option<String>,
    /// Read the password from one line of standard input / 从标准输入读取密码
    #[arg(long)]
    pub password_stdin: bool,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// Account name / 账户名
    pub account: String,
    /// Read the password from one line of standard input / 从标准输入读取密码
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct NameArgs {
    /// Account name / 账户名
    pub account: String,
}

pub fn run(data_dir: &DataDir, cmd: OperatorCommand) -> Result<(), CliError> {
    match cmd {
        OperatorCommand::Add(args) => {
            let password = secret_input::new_password(args.password_stdin)?;
            let new = NewAccount {
                account: args.account,
                display: args.display,
                role: args.role,
                password,
                os_user: args.os_user,
            };
            let body = serde_json::json!({
                "account": new.account, "display": new.display, "role": new.role,
                "password": new.password, "os_user": new.os_user,
            });
            let row = change(
                data_dir,
                AuditEvent::AccountAdded,
                "/api/operators",
                &body,
                |b, now| b.add(new, now),
            )?;
            if args.json {
                output::print_json(&row);
            } else {
                println!(
                    "已添加 / added: {} ({}, {} {})",
                    row.account, row.display, row.role_zh, row.role
                );
            }
            Ok(())
        }
        OperatorCommand::List(args) => list(data_dir, args),
        OperatorCommand::Passwd(args) => {
            let password = secret_input::new_password(args.password_stdin)?;
            let path = format!("/api/operators/{}/passwd", args.account);
            let body = serde_json::json!({ "password": password });
            let row = change(
                data_dir,
                AuditEvent::PasswordChanged,
                &path,
                &body,
                move |b, now| b.set_password(&args.account, &password, now),
            )?;
            println!("已重设密码 / password set: {}", row.account);
            Ok(())
        }
        OperatorCommand::Disable(args) => {
            let path = format!("/api/operators/{}/disable", args.account);
            let row = change(
                data_dir,
                AuditEvent::AccountDisabled,
                &path,
                &serde_json::json!({}),
                |b, now| b.set_disabled(&args.account, true, now),
            )?;
            println!("已停用 / disabled: {}", row.account);
            Ok(())
        }
        OperatorCommand::Enable(args) => {
            let path = format!("/api/operators/{}/enable", args.account);
            let row = change(
                data_dir,
                AuditEvent::AccountEnabled,
                &path,
                &serde_json::json!({}),
                |b, now| b.set_disabled(&args.account, false, now),
            )?;
            println!("已启用 / enabled: {}", row.account);
            Ok(())
        }
    }
}

fn list(data_dir: &DataDir, args: ListArgs) -> Result<(), CliError> {
    let rows: Vec<AccountRow> = match access::open(data_dir)? {
        Access::Local(_post) => AccountBook::load(data_dir).map_err(accounts_error)?.rows(),
        Access::Running(client) => client.get("/api/operators", &[]).map_err(access::remote)?,
    };
    if args.json {
        output::print_json(&rows);
        return Ok(());
    }
    if rows.is_empty() {
        println!(
            "没有操作员账户：本机控制台无需登录 / no accounts: the loopback console is open \
             (add one with `liandong operator add`)"
        );
        return Ok(());
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.account.clone(),
                r.display.clone(),
                format!("{} {}", r.role_zh, r.role),
                if r.disabled {
                    "停用 disabled".into()
                } else {
                    "启用 enabled".into()
                },
                r.os_user.clone().unwrap_or_default(),
                clock::format_ms(r.changed_ms),
            ]
        })
        .collect();
    output::print_table(
        &[
            "账户 account",
            "姓名 name",
            "角色 role",
            "状态 state",
            "本机用户 os user",
            "修改 changed",
        ],
        &table,
    );
    Ok(())
}

/// Makes one change: through the running node's API, or here (the store's
/// lock held meanwhile) with its audit record.
fn change<F>(
    data_dir: &DataDir,
    event: AuditEvent,
    api_path: &str,
    body: &serde_json::Value,
    local: F,
) -> Result<AccountRow, CliError>
where
    F: FnOnce(&mut AccountBook, u64) -> Result<AccountRow, OperatorsError>,
{
    match access::open(data_dir)? {
        Access::Local(_post) => {
            // `_post` holds the store's lock until the change is written.
            let mut book = AccountBook::load(data_dir).map_err(accounts_error)?;
            let mut audit =
                AuditLog::open(data_dir).map_err(|e| CliError::Failed(e.to_string()))?;
            let row = local(&mut book, clock::now_ms()).map_err(accounts_error)?;
            book.save(data_dir).map_err(accounts_error)?;
            let details = format!("account {} ({}, {})", row.account, row.display, row.role);
            audit
                .append(clock::now_ms(), event, None, &cli_source(), &details)
                .map_err(|e| CliError::Failed(e.to_string()))?;
            Ok(row)
        }
        Access::Running(client) => client.post(api_path, body).map_err(access::remote),
    }
}

/// The audit trail's source of a command run here: the local login.
pub fn cli_source() -> String {
    match std::env::var("USER").or_else(|_| std::env::var("LOGNAME")) {
        Ok(user) => format!("cli {user}"),
        Err(_) => "cli".into(),
    }
}

fn accounts_error(e: OperatorsError) -> CliError {
    match e {
        OperatorsError::Io(_) | OperatorsError::Corrupt(_) => CliError::DataDir(e.to_string()),
        OperatorsError::Password(crate::operators::password::PasswordError::Hash(_)) => {
            CliError::Failed(e.to_string())
        }
        _ => CliError::Usage(e.to_string()),
    }
}
