//! Sources of VMs. `local` (hosts registered with `azlin host add`) needs no cloud and is
//! always active; `azure` is active when a subscription is known.

pub mod azure;
pub mod local;
pub mod tags;

use crate::config::{Config, Paths};
use crate::inventory::{Inventory, SessionCache};
use crate::resolve::{ResolveError, resolve};

pub use azure::scope::ScopeFlags;
use azure::scope::SubscriptionSource;

/// How to load the inventory: the global Azure flags, and whether to skip the cache.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// `--subscription` and `--rg`.
    pub scope: ScopeFlags,
    /// `--refresh`: list Azure again even when the cache is fresh.
    pub refresh: bool,
}

/// The inventory and what it took to load it.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// VMs of every active provider, and the session cache.
    pub inventory: Inventory,
    /// The Azure subscription listed, when the Azure provider is active.
    pub azure_subscription: Option<String>,
    /// Whether Azure was asked in this run (else its VMs came from the cache).
    pub azure_fetched: bool,
    /// Requests sent to Azure.
    pub azure_requests: usize,
    /// The Azure credential used, when one was needed.
    pub azure_credential: Option<&'static str>,
    /// Problems that did not stop loading, to show as warnings.
    pub warnings: Vec<String>,
    /// Whether Azure could not be listed (an older listing, or none, stood in).
    pub azure_failed: bool,
    /// One line per request sent to Azure, for `-vv`.
    pub azure_log: Vec<String>,
}

/// Loads the VMs of every active provider and the session cache (default options).
pub fn load_inventory(paths: &Paths, config: &Config) -> Result<Inventory, crate::Error> {
    Ok(load_inventory_with(paths, config, &LoadOptions::default())?.inventory)
}

/// Loads the VMs of every active provider and the session cache.
pub fn load_inventory_with(
    paths: &Paths,
    config: &Config,
    options: &LoadOptions,
) -> Result<Loaded, crate::Error> {
    let hosts = local::HostsFile::load(&paths.hosts_file())?;
    let mut vms = hosts.vms();
    let mut loaded = Loaded {
        inventory: Inventory::default(),
        azure_subscription: None,
        azure_fetched: false,
        azure_requests: 0,
        azure_credential: None,
        warnings: Vec::new(),
        azure_failed: false,
        azure_log: Vec::new(),
    };
    if let Some(scope) = azure::Scope::resolve(&options.scope, config, &paths.home)? {
        let listing = match azure::load(paths, config, &scope, options.refresh) {
            Ok(l) => l,
            // A subscription azlin only found in the Azure CLI's profile must not stop
            // the local inventory from working when Azure is unreachable or logged out.
            Err(e) if scope.source == SubscriptionSource::AzureCli && !e.is_usage() => {
                loaded.warnings.push(format!(
                    "{e}\nAzure VMs are left out; the local inventory is used"
                ));
                loaded.azure_failed = true;
                azure::Listing::default()
            }
            Err(e) => return Err(e.into()),
        };
        loaded.azure_failed |= listing.stale;
        loaded.azure_log = listing.log;
        vms.extend(listing.vms.iter().filter_map(|v| v.to_vm(&config.azure)));
        loaded.azure_subscription = Some(scope.subscription);
        loaded.azure_fetched = listing.fetched;
        loaded.azure_requests = listing.requests;
        loaded.azure_credential = listing.credential;
        loaded.warnings.extend(listing.warnings);
    }
    let sessions = SessionCache::load(&paths.sessions_cache());
    loaded.inventory = Inventory::new(vms, sessions)?;
    Ok(loaded)
}

/// Loads the inventory for resolving `id`: from the cache, and once more from Azure when
/// `id` names nothing there (a VM created since the last listing), so that "not found"
/// is only said after a fresh look.
pub fn load_inventory_for(
    paths: &Paths,
    config: &Config,
    options: &LoadOptions,
    id: &str,
) -> Result<Loaded, crate::Error> {
    let loaded = load_inventory_with(paths, config, options)?;
    if loaded.azure_subscription.is_none() || loaded.azure_fetched || loaded.azure_failed {
        return Ok(loaded);
    }
    match resolve(id, &loaded.inventory, config.default_session()) {
        Err(ResolveError::NotFound { .. }) => {
            let refresh = LoadOptions {
                refresh: true,
                ..options.clone()
            };
            load_inventory_with(paths, config, &refresh)
        }
        _ => Ok(loaded),
    }
}
