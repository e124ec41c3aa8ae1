//! `azlin host add|list|remove`: the local inventory.

use anyhow::Result;
use azlin_core::persist::{self, Lock};
use azlin_core::provider::local::{HostsFile, LocalHost, parse_tags};
use azlin_core::ssh::{self, DEFAULT_PORT};
use serde_json::json;

use crate::cli::{HostAddArgs, HostCommand, HostListArgs, HostRemoveArgs, ListFormat};
use crate::context::Context;
use crate::output;

/// Runs `azlin host …`.
pub fn run(ctx: &Context, cmd: &HostCommand) -> Result<u8> {
    match cmd {
        HostCommand::Add(args) => add(ctx, args),
        HostCommand::List(args) => list(ctx, args),
        HostCommand::Remove(args) => remove(ctx, args),
    }
}

fn add(ctx: &Context, args: &HostAddArgs) -> Result<u8> {
    let tags = parse_tags(&args.tags).map_err(azlin_core::Error::from)?;
    // Stored absolute, so it names the same key whatever directory azlin runs in later.
    let identity_file = match &args.identity_file {
        Some(key) => {
            let cwd = std::env::current_dir()
                .map_err(persist::named("read the current directory for", key))?;
            let key = ssh::absolute_identity_file(key, &cwd, &ctx.paths.home)
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
    let path = ctx.paths.hosts_file();
    let lock_file = ctx.paths.lock_file();
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

fn list(ctx: &Context, args: &HostListArgs) -> Result<u8> {
    let file = HostsFile::load(&ctx.paths.hosts_file()).map_err(azlin_core::Error::from)?;
    match args.format {
        ListFormat::Json => {
            let hosts: Vec<_> = file
                .hosts
                .iter()
                .map(|(name, h)| {
                    json!({
                        "name": name,
                        "address": h.address,
                        "port": h.port.unwrap_or(DEFAULT_PORT),
                        "user": h.user,
                        "identity_file": h.identity_file,
                        "proxy_jump": h.proxy_jump,
                        "label": h.label,
                        "tags": h.tags,
                    })
                })
                .collect();
            output::print_json(&hosts)?;
        }
        ListFormat::Table => {
            if file.hosts.is_empty() {
                eprintln!(
                    "No hosts registered. Add one with `azlin host add NAME --address ADDR`."
                );
                return Ok(0);
            }
            let rows: Vec<Vec<String>> = file
                .hosts
                .iter()
                .map(|(name, h)| {
                    vec![
                        name.clone(),
                        h.address.clone(),
                        h.port.unwrap_or(DEFAULT_PORT).to_string(),
                        h.user.clone().unwrap_or_else(|| "-".into()),
                        h.label.clone().unwrap_or_else(|| "-".into()),
                        h.tags
                            .iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(","),
                    ]
                })
                .collect();
            print!(
                "{}",
                output::table(
                    ctx.stdout_look(),
                    &["NAME", "ADDRESS", "PORT", "USER", "LABEL", "TAGS"],
                    &rows,
                    args.wide,
                    None,
                    &[0],
                )
            );
        }
    }
    Ok(0)
}

fn remove(ctx: &Context, args: &HostRemoveArgs) -> Result<u8> {
    let path = ctx.paths.hosts_file();
    let lock_file = ctx.paths.lock_file();
    let _lock = Lock::acquire(&lock_file).map_err(persist::named("lock", &lock_file))?;
    let mut file = HostsFile::load(&path).map_err(azlin_core::Error::from)?;
    file.remove(&args.name).map_err(azlin_core::Error::from)?;
    file.save(&path).map_err(azlin_core::Error::from)?;
    // Forget the sessions last seen there, so resolution no longer offers them.
    let cache_path = ctx.paths.sessions_cache();
    let mut cache = azlin_core::inventory::SessionCache::load(&cache_path);
    if cache.vms.remove(&args.name).is_some() {
        cache
            .save(&cache_path)
            .map_err(persist::named("write", &cache_path))?;
    }
    if !ctx.quiet {
        println!("Removed host `{}`.", args.name);
    }
    Ok(0)
}
