//! Sources of VMs. `local` (hosts registered with `azlin host add`) needs no cloud and is
//! always active; `azure` is active when a subscription is known.

pub mod azure;
pub mod local;
pub mod tags;

use crate::config::Config;
use crate::inventory::{Inventory, SessionCache};
use crate::paths::Paths;
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
    /// What the Azure provider did, when it is active.
    pub azure: Option<AzureLoad>,
    /// Problems that did not stop loading, to show as warnings.
    pub warnings: Vec<String>,
    /// Whether the inventory holds the whole fleet: Azure (when active) was listed or read
    /// from its cache, and not narrowed by `--subscription`/`--rg`. Caches keyed by VM may
    /// forget VMs missing from a complete inventory only.
    pub complete: bool,
}

/// What loading cost on the Azure side.
#[derive(Debug, Clone, Default)]
pub struct AzureLoad {
    /// The subscription listed (its id).
    pub subscription: String,
    /// Whether Azure was listed in this run (else its VMs came from the cache).
    pub fetched: bool,
    /// Whether Azure could not be listed (an older listing, or none, stood in).
    pub failed: bool,
    /// Requests sent.
    pub requests: usize,
    /// The credential used, when one was needed.
    pub credential: Option<&'static str>,
    /// Whether Azure failed and nothing stood in: the inventory has no Azure VM at all,
    /// and `list` must say so with exit 1.
    pub left_out: bool,
    /// The Azure records behind the inventory's Azure VMs (resource group, both
    /// addresses, subscription), for `list` to show.
    pub records: Vec<azure::AzureVm>,
}

/// Loads the VMs of every active provider and the session cache.
pub fn load_inventory_with(
    paths: &Paths,
    config: &Config,
    options: &LoadOptions,
) -> Result<Loaded, crate::Error> {
    // At fleet size both hosts.toml and the session cache are milliseconds of parsing on
    // every run (a sync, a resolve): the cache is read on a thread of its own meanwhile.
    let (vms, sessions) = std::thread::scope(|s| {
        let sessions = s.spawn(|| SessionCache::load(&paths.sessions_cache()));
        let vms = load_vms(paths, config, options);
        let sessions = sessions
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (vms, sessions)
    });
    let (vms, azure, warnings) = vms?;
    let complete = match &azure {
        None => true,
        Some(a) => !a.failed && options.scope == ScopeFlags::default(),
    };
    Ok(Loaded {
        inventory: Inventory::new(vms, sessions)?,
        azure,
        warnings,
        complete,
    })
}

/// What the providers gave: the VMs, what the Azure listing said, warnings.
type ProviderVms = (Vec<crate::inventory::Vm>, Option<AzureLoad>, Vec<String>);

/// The VMs of every active provider, what the Azure listing said, and warnings.
fn load_vms(
    paths: &Paths,
    config: &Config,
    options: &LoadOptions,
) -> Result<ProviderVms, crate::Error> {
    let hosts = local::HostsFile::load(&paths.hosts_file())?;
    let mut vms = hosts.into_vms();
    let mut warnings = Vec::new();
    let mut azure = None;
    let scope = azure::Scope::resolve(&options.scope, config, &paths.home)?;
    let configured = azure::scope::configured_subscriptions(config)?;
    let graph: Option<&[String]> = if options.scope.all_subscriptions {
        Some(&[])
    } else if !configured.is_empty() {
        Some(&configured)
    } else {
        None
    };
    let mut listed = None;
    if let Some(subs) = graph {
        let label = if subs.is_empty() {
            "every readable subscription (Resource Graph)".to_string()
        } else {
            format!("{} (Resource Graph)", subs.join(", "))
        };
        match azure::load_from(paths, config, azure::Source::Graph(subs), options.refresh) {
            Ok(mut l) => {
                if let Some(rg) = scope.as_ref().and_then(|s| s.resource_group.as_ref()) {
                    l.vms.retain(|v| v.resource_group.eq_ignore_ascii_case(rg));
                }
                listed = Some((l, label, false));
            }
            // Resource Manager, one subscription, stays the fallback.
            Err(e) if !e.is_usage() && scope.is_some() => warnings.push(format!(
                "{e}\nResource Graph failed; listing one subscription through Resource Manager \
                 instead (Resource Graph needs Reader on each subscription)"
            )),
            Err(e) => return Err(e.into()),
        }
    }
    if listed.is_none()
        && let Some(scope) = &scope
    {
        let label = scope.subscription.clone();
        listed = Some(match azure::load(paths, config, scope, options.refresh) {
            Ok(l) => (l, label, false),
            // A subscription azlin only found in the Azure CLI's profile must not stop
            // the local inventory from working when Azure is unreachable or logged out;
            // `list` still fails (see AzureLoad::left_out).
            Err(e) if scope.source == SubscriptionSource::AzureCli && !e.is_usage() => {
                warnings.push(format!(
                    "{e}\nAzure VMs are left out (the subscription is the Azure CLI's default); \
                     the local inventory is used"
                ));
                (azure::Listing::default(), label, true)
            }
            Err(e) => return Err(e.into()),
        });
    }
    if let Some((listing, subscription, left_out)) = listed {
        vms.extend(listing.vms.iter().filter_map(|v| v.to_vm(&config.azure)));
        warnings.extend(listing.warnings);
        azure = Some(AzureLoad {
            subscription,
            fetched: listing.fetched,
            failed: listing.stale || left_out,
            requests: listing.requests,
            credential: listing.credential,
            left_out,
            records: listing.vms,
        });
    }
    Ok((vms, azure, warnings))
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
    load_for(id, config.default_session(), options, |o| {
        load_inventory_with(paths, config, o)
    })
}

/// The rule of [`load_inventory_for`] over any way of loading (`load`): one load, and a
/// second one with `refresh` when Azure's VMs came from its cache and `id` is not found
/// in what was loaded.
pub fn load_for(
    id: &str,
    default_session: &str,
    options: &LoadOptions,
    load: impl Fn(&LoadOptions) -> Result<Loaded, crate::Error>,
) -> Result<Loaded, crate::Error> {
    let loaded = load(options)?;
    if !loaded.could_refresh() {
        return Ok(loaded);
    }
    match resolve(id, &loaded.inventory, default_session) {
        Err(ResolveError::NotFound { .. }) => load(&LoadOptions {
            refresh: true,
            ..options.clone()
        }),
        _ => Ok(loaded),
    }
}

impl Loaded {
    /// Whether listing Azure again could add VMs: Azure is active and its VMs came from
    /// the cache (not listed in this run, and not failed).
    pub fn could_refresh(&self) -> bool {
        self.azure.as_ref().is_some_and(|a| !a.fetched && !a.failed)
    }
}
