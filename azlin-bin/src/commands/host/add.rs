//! `azlin host add NAME --address A …`: registers a host in the local inventory.

use anyhow::Result;
use azlin_core::persist::{self, Lock};
use azlin_core::provider::local::{HostsFile, LocalHost, parse_tags};
use azlin_core::ssh;
use clap::Args;
use std::path::PathBuf;

use crate::context::Context;

/// `azlin host add`.
#[derive(Debug, Args)]
pub struct HostAddArgs {
    /// Name to call the host by (letters, digits, `-`, `_`, `.`)
    pub name: String,
    /// IP address or DNS name of the host
    #[arg(long, short = 'a', value_name = "ADDR")]
    pub address: String,
    /// sshd port
    #[arg(long, short = 'p', value_name = "PORT")]
    pub port: Option<u16>,
    /// Login name (default: `default_user` in config.toml, else ssh's own default)
    #[arg(long, short = 'u', value_name = "USER")]
    pub user: Option<String>,
    /// Private key to use (stored as an absolute path; a warning if it does not exist)
    #[arg(long, short = 'i', value_name = "FILE")]
    pub identity_file: Option<PathBuf>,
    /// Jump host(s), as for `ssh -J`
    #[arg(long, short = 'J', value_name = "JUMP")]
    pub proxy_jump: Option<String>,
    /// A label to connect by (`azlin connect LABEL`)
    #[arg(long, value_name = "LABEL")]
    pub label: Option<String>,
    /// A tag, KEY=VALUE (repeatable)
    #[arg(long = "tag", value_name = "K=V")]
    pub tags: Vec<String>,
    /// Where the host runs (e.g. `eastus`), shown in `azlin list`'s REGION column
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
}

/// Runs `azlin host add`.
pub fn run(ctx: &Context, args: &HostAddArgs) -> Result<u8> {
    let tags = parse_tags(&args.tags).map_err(azlin_core::Error::from)?;
    // Stored absolute, so it names the same key whatever directory azlin runs in later.
    let identity_file = match &args.identity_file {
        Some(key) => {
            let cwd = std::env::current_dir()
                .map_err(persist::named("read the current directory for", key))?;
            let key = ssh::absolute_identity_file(key, &cwd, &ctx.run.paths.home)
                .map_err(azlin_core::Error::from)?;
            if !key.exists() {
                ctx.warn(&format!(
                    "identity file {} does not exist (yet): ssh to `{}` will fail until it does",
                    key.display(),
                    args.name
                ));
            }
            Some(key)
        }
        None => None,
    };
    let host = LocalHost {
        address: args.address.clone(),
        port: args.port,
        user: args.user.clone(),
        identity_file,
        proxy_jump: args.proxy_jump.clone(),
        label: args.label.clone(),
        tags,
        region: args.region.clone(),
    };
    let path = ctx.run.paths.hosts_file();
    let lock_file = ctx.run.paths.lock_file();
    let _lock = Lock::acquire(&lock_file).map_err(persist::named("lock", &lock_file))?;
    let mut file = HostsFile::load(&path).map_err(azlin_core::Error::from)?;
    file.add(&args.name, host)
        .map_err(azlin_core::Error::from)?;
    file.save(&path).map_err(azlin_core::Error::from)?;
    if !ctx.quiet {
        println!(
            "Added host `{}`. Connect with `azlin connect {}`.",
            args.name, args.name
        );
    }
    Ok(0)
}
