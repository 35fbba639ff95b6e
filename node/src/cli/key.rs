//! `liandong key show|rotate`: the post's agreement key, which restricted
//! entries (受限信息) are sealed to.
//!
//! `rotate` adds a new key, keeps the old ones (what was sealed to them
//! stays readable) and announces the new key in the ledger, so entries
//! written from then on are sealed to it. It needs the store, so the node
//! must be stopped; the next start gossips the announcement.

use clap::{Args, Subcommand};
use serde_json::json;

use super::CliError;
use super::output;
use crate::datadir::DataDir;
use crate::post::{Post, PostError};
use crate::restricted::Keyring;
use crate::store::StoreError;

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Show the current agreement key / 显示当前加密公钥
    Show(KeyArgs),
    /// Make a new agreement key and announce it (the node must be stopped)
    /// / 更换加密密钥（需先停止节点）
    Rotate(KeyArgs),
}

#[derive(Debug, Args)]
pub struct KeyArgs {
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &DataDir, cmd: KeyCommand) -> Result<(), CliError> {
    match cmd {
        KeyCommand::Show(args) => show(data_dir, &args),
        KeyCommand::Rotate(args) => rotate(data_dir, &args),
    }
}

/// Reads only the keyring file, so it works while the node runs.
fn show(data_dir: &DataDir, args: &KeyArgs) -> Result<(), CliError> {
    if !data_dir.is_initialised() {
        return Err(PostError::NotInitialised(data_dir.root().display().to_string()).into());
    }
    let ring = Keyring::load_or_create(&data_dir.agreement_keys_path()).map_err(PostError::from)?;
    print(&ring, args, false);
    Ok(())
}

fn rotate(data_dir: &DataDir, args: &KeyArgs) -> Result<(), CliError> {
    let post = match Post::open(data_dir) {
        Err(PostError::Store(StoreError::Locked(_))) => {
            return Err(CliError::Failed(
                "the node is running and holds the store: stop it, rotate, then start it again \
                 / 节点正在运行：请先停止节点，更换密钥后再启动"
                    .into(),
            ));
        }
        other => other?,
    };
    let path = data_dir.agreement_keys_path();
    let mut ring = Keyring::load_or_create(&path).map_err(PostError::from)?;
    ring.rotate(&path).map_err(PostError::from)?;
    // The ledger was opened with the old keyring: reopen so the
    // announcement names the new key.
    drop(post);
    let post = Post::open(data_dir)?;
    let announced = post.publish_agreement_key()?;
    print(&ring, args, announced);
    Ok(())
}

fn print(ring: &Keyring, args: &KeyArgs, announced: bool) {
    let Some((number, key)) = ring.current() else {
        return;
    };
    if args.json {
        output::print_json(&json!({
            "number": number,
            "key": key.to_string(),
            "key_id": key.id().to_string(),
            "keys_kept": ring.secrets().len(),
            "announced": announced,
        }));
    } else {
        println!("加密公钥 / agreement key #{number}: {key}");
        println!("  编号 / key id: {}", key.id());
        println!("  保留的密钥 / keys kept: {}", ring.secrets().len());
        if announced {
            println!(
                "已在台账中公布，下次联网时同步 / announced in the ledger; it travels at the next sync"
            );
        }
    }
}
