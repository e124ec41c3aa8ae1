//! Sources of VMs. `local` (hosts registered with `azlin host add`) needs no cloud and is
//! always active.

pub mod local;

use crate::config::{Config, Paths};
use crate::inventory::{Inventory, SessionCache};

/// Loads the VMs of every active provider and the session cache.
pub fn load_inventory(paths: &Paths, _config: &Config) -> Result<Inventory, crate::Error> {
    let hosts = local::HostsFile::load(&paths.hosts_file())?;
    let vms = hosts.vms();
    let sessions = SessionCache::load(&paths.sessions_cache());
    Ok(Inventory::new(vms, sessions)?)
}
