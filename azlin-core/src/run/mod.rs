//! One run of azlin: the inventory it loaded, the one resolution policy (the cache, one
//! live probe on a miss, a fresh Azure listing on a miss), what probes taught it (merged
//! into the session cache), the resync of the generated ssh config, and the guarded
//! session operations that several commands share. A library user who creates a [`Run`]
//! gets the very behaviour of the `azlin` binary, which only adds the terminal.
//!
//! A run loads its inventory once and reuses it: resolving a second name, recording a
//! probe and the resync that follows read the same copy, and probes update its session
//! cache in place.

mod events;
mod fleet;
mod gates;
mod label;
mod probe;
mod record;
mod resolution;
mod resync;
mod session_ops;
#[cfg(test)]
mod tests;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard};

pub use events::{Events, Silent};
pub use fleet::{Fleet, FleetSessions, Targets};
pub use gates::{Gate, Gates};
pub use probe::{Prober, SshProber};
pub use resolution::{Explained, OnConnect, Resolved};
pub use resync::Resync;

use crate::config::Config;
use crate::inventory::{ConnectDefaults, Inventory, PowerState, ProviderKind, SessionCache, Vm};
use crate::paths::Paths;
use crate::provider::{AzureLoad, LoadOptions, Loaded, ScopeFlags};
use crate::remote::{self, Settings};
use crate::ssh::SshTarget;

/// Where a run's inventory comes from: the providers (see [`Providers`]), or what a
/// library user or a test has in memory.
pub trait Source: Sync {
    /// The VMs of every active provider and the session cache of `paths`.
    fn load(
        &self,
        paths: &Paths,
        config: &Config,
        options: &LoadOptions,
    ) -> Result<Loaded, crate::Error>;

    /// The names of the local hosts (`hosts.toml`) now, read again by a run that holds
    /// azlin's lock before it writes what it learnt of them (`None`: unreadable, which
    /// removes nothing).
    fn local_hosts_now(&self, paths: &Paths) -> Option<Vec<String>>;
}

/// The providers of DESIGN.md: `hosts.toml`, and Azure when a subscription is known.
#[derive(Debug, Clone, Copy, Default)]
pub struct Providers;

impl Source for Providers {
    fn load(
        &self,
        paths: &Paths,
        config: &Config,
        options: &LoadOptions,
    ) -> Result<Loaded, crate::Error> {
        crate::provider::load_inventory_with(paths, config, options)
    }

    fn local_hosts_now(&self, paths: &Paths) -> Option<Vec<String>> {
        crate::provider::local::HostsFile::load(&paths.hosts_file())
            .ok()
            .map(|h| h.hosts.into_keys().collect())
    }
}

/// One run of azlin (see the module's documentation).
pub struct Run {
    /// azlin's files.
    pub paths: Paths,
    /// `config.toml`.
    pub config: Config,
    /// `--subscription` and `--rg`, for the Azure provider.
    pub scope: ScopeFlags,
    source: Box<dyn Source>,
    prober: Box<dyn Prober>,
    events: Box<dyn Events>,
    /// The inventory of this run, once loaded.
    current: Mutex<Option<Current>>,
    /// Whether the whole fleet was probed in this run (a second probe finds nothing new).
    fleet_probed: AtomicBool,
    /// Whether the run learnt sessions or labels since the generated ssh config was last
    /// resynced (see [`Run::resync_if_learnt`]).
    learnt: AtomicBool,
}

/// The inventory loaded in this run.
struct Current {
    inventory: Arc<Inventory>,
    /// Whether it holds every VM (no `--rg`/`--subscription` narrowing, Azure not failed):
    /// only then may the session cache forget VMs missing from it.
    complete: bool,
    /// Whether listing Azure again could add VMs (see [`Loaded::could_refresh`]).
    could_refresh: bool,
    /// What the Azure provider did; `None` when it is off (no subscription known).
    azure: Option<AzureLoad>,
}

impl Run {
    /// A run over the providers, probing over ssh, telling `events` what happens.
    pub fn new(paths: Paths, config: Config, scope: ScopeFlags, events: Box<dyn Events>) -> Run {
        Run::with_parts(
            paths,
            config,
            scope,
            Box::new(Providers),
            Box::new(SshProber),
            events,
        )
    }

    /// A run over any inventory source and prober.
    pub fn with_parts(
        paths: Paths,
        config: Config,
        scope: ScopeFlags,
        source: Box<dyn Source>,
        prober: Box<dyn Prober>,
        events: Box<dyn Events>,
    ) -> Run {
        Run {
            paths,
            config,
            scope,
            source,
            prober,
            events,
            current: Mutex::new(None),
            fleet_probed: AtomicBool::new(false),
            learnt: AtomicBool::new(false),
        }
    }

    /// How to load the inventory; `refresh` is a command's `--refresh`.
    pub fn load_options(&self, refresh: bool) -> LoadOptions {
        LoadOptions {
            scope: self.scope.clone(),
            refresh,
        }
    }

    /// The inventory of every active provider, with the session cache (Azure VMs from
    /// the cache while it is fresh); the one this run already loaded, if any.
    pub fn inventory(&self) -> Result<Arc<Inventory>, crate::Error> {
        self.inventory_refreshed(false)
    }

    /// Like [`Run::inventory`]; `refresh` (a command's `--refresh`) lists Azure again even
    /// when the cache is fresh.
    pub fn inventory_refreshed(&self, refresh: bool) -> Result<Arc<Inventory>, crate::Error> {
        if let Some(inventory) = self.reuse(refresh) {
            return Ok(inventory);
        }
        let loaded = self
            .source
            .load(&self.paths, &self.config, &self.load_options(refresh))?;
        Ok(self.keep(loaded))
    }

    /// The inventory for `list`: like [`Run::inventory_refreshed`], and with
    /// `all_subscriptions` every readable subscription through Resource Graph.
    pub fn inventory_for_list(
        &self,
        refresh: bool,
        all_subscriptions: bool,
    ) -> Result<Arc<Inventory>, crate::Error> {
        if !all_subscriptions {
            return self.inventory_refreshed(refresh);
        }
        let mut options = self.load_options(refresh);
        options.scope.all_subscriptions = true;
        let loaded = self.source.load(&self.paths, &self.config, &options)?;
        Ok(self.keep(loaded))
    }

    /// What the Azure provider did in this run's load; `None` when it is off.
    pub fn azure_load(&self) -> Option<AzureLoad> {
        self.current_mut().as_ref().and_then(|c| c.azure.clone())
    }

    /// The inventory for resolving `id`: Azure is listed again once when `id` is not in
    /// the cache (see [`crate::provider::load_for`]), and always with `refresh`.
    pub fn inventory_for(&self, id: &str, refresh: bool) -> Result<Arc<Inventory>, crate::Error> {
        let default = self.config.default_session();
        let stale_miss = self.current_mut().as_ref().is_some_and(|c| {
            c.could_refresh
                && matches!(
                    crate::resolve::resolve(id, &c.inventory, default),
                    Err(crate::resolve::ResolveError::NotFound { .. })
                )
        });
        if !stale_miss && let Some(inventory) = self.reuse(refresh) {
            return Ok(inventory);
        }
        let loaded = crate::provider::load_for(id, default, &self.load_options(refresh), |o| {
            self.source.load(&self.paths, &self.config, o)
        })?;
        Ok(self.keep(loaded))
    }

    /// The running VMs of the run's inventory that carry every tag of `tags` (`K=V`, as
    /// `--tag` takes them; none: every running VM): the targets of `--all` and `--tag`. A
    /// stopped VM is left out, as it would only cost the timeout.
    pub fn running_with_tags(&self, tags: &[String]) -> Result<Vec<Vm>, crate::Error> {
        let tags: Vec<(String, String)> = crate::provider::local::parse_tags(tags)?;
        Ok(self
            .inventory()?
            .vms
            .iter()
            .filter(|vm| vm.power == PowerState::Running && vm.has_tags(&tags))
            .cloned()
            .collect())
    }

    /// Whether the run's inventory is the whole fleet (see [`Current::complete`]); true
    /// before any is loaded.
    pub fn inventory_is_complete(&self) -> bool {
        self.current_mut().as_ref().is_none_or(|c| c.complete)
    }

    /// Forgets the run's inventory, after a command changed what it is made of (a label in
    /// hosts.toml or an Azure tag): the next use loads it again.
    pub fn forget_inventory(&self) {
        *self.current_mut() = None;
    }

    /// Connection defaults from config.
    pub fn connect_defaults(&self) -> ConnectDefaults {
        ConnectDefaults {
            user: self.config.default_user.clone(),
            identity_file: self.config.identity_file.clone(),
            known_hosts: self.paths.known_hosts(),
        }
    }

    /// How remote operations connect, with a connect timeout of `timeout` seconds (a
    /// command's `--timeout`).
    pub fn remote_settings(&self, timeout: u32) -> Settings {
        let mut settings = Settings::new(timeout, crate::ssh::control_dir(&self.paths.ssh_dir()));
        // Keepalives on the command line would override the user's own.
        settings.keepalive = !crate::ssh_config::user_sets_keepalive(&self.paths);
        settings
    }

    /// The ssh target of `vm`.
    pub fn ssh_target(&self, vm: &Vm) -> Result<SshTarget, crate::Error> {
        Ok(remote::target_of(vm, &self.connect_defaults())?)
    }

    /// The run's inventory slot (a poisoned lock only means a thread panicked while it
    /// held a plain value: the value is still whole).
    fn current_mut(&self) -> MutexGuard<'_, Option<Current>> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes `sessions` the session cache of the run's inventory (a copy of its VMs with
    /// them: callers may still hold the old one).
    fn use_sessions(&self, sessions: SessionCache) {
        if let Some(current) = self.current_mut().as_mut() {
            current.inventory = Arc::new(Inventory {
                vms: current.inventory.vms.clone(),
                sessions,
            });
        }
    }

    /// The inventory this run loaded, unless a command asks to list again.
    fn reuse(&self, refresh: bool) -> Option<Arc<Inventory>> {
        if refresh {
            return None;
        }
        self.current_mut().as_ref().map(|c| c.inventory.clone())
    }

    /// Keeps the inventory of a load for the rest of the run; passes its warnings on,
    /// and logs what Azure cost (`-v`).
    fn keep(&self, loaded: Loaded) -> Arc<Inventory> {
        self.events.loaded();
        let inventory = Arc::new(loaded.inventory);
        let could_refresh = loaded
            .azure
            .as_ref()
            .is_some_and(|a| !a.fetched && !a.failed);
        *self.current_mut() = Some(Current {
            inventory: Arc::clone(&inventory),
            complete: loaded.complete,
            could_refresh,
            azure: loaded.azure.clone(),
        });
        for w in &loaded.warnings {
            self.events.warn(w);
        }
        if let Some(azure) = loaded.azure.as_ref() {
            let sub = &azure.subscription;
            if azure.failed {
                tracing::info!(target: "azlin::azure", "azure: subscription {sub} could not be listed");
            } else if azure.fetched {
                let count = inventory
                    .vms
                    .iter()
                    .filter(|v| v.provider == ProviderKind::Azure)
                    .count();
                tracing::info!(
                    target: "azlin::azure",
                    "azure: listed subscription {sub}: {count} VMs, {} requests, credential: {}",
                    azure.requests,
                    azure.credential.unwrap_or("none")
                );
            } else {
                tracing::info!(
                    target: "azlin::azure",
                    "azure: subscription {sub} from the cache ({})",
                    self.paths.azure_cache().display()
                );
            }
        }
        inventory
    }
}
