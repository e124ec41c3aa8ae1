//! `azlin host remove NAME`: takes a host out of the local inventory (and its sessions out
//! of the session cache).

use anyhow::Result;
use azlin_core::persist::{self, Lock};
use azlin_core::provider::local::HostsFile;
use clap::Args;

use crate::context::Context;

/// `azlin host remove`.
#[derive(Debug, Args)]
pub struct HostRemoveArgs {
    /// The host's name
    pub name: String,
}

/// Runs `azlin host remove`.
pub fn run(ctx: &Context, args: &HostRemoveArgs) -> Result<u8> {
    let path = ctx.run.paths.hosts_file();
    let lock_file = ctx.run.paths.lock_file();
    let _lock = Lock::acquire(&lock_file).map_err(persist::named("lock", &lock_file))?;
    let mut file = HostsFile::load(&path).map_err(azlin_core::Error::from)?;
    file.remove(&args.name).map_err(azlin_core::Error::from)?;
    file.save(&path).map_err(azlin_core::Error::from)?;
    // Forget the sessions last seen there, so resolution no longer offers them.
    let cache_path = ctx.run.paths.sessions_cache();
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
