//! What every command needs: paths, configuration, global options, and how to warn.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Result;
use azlin_core::config::{Config, Paths};
use azlin_core::inventory::{
    ConnectDefaults, Inventory, PowerState, ProviderKind, SessionCache, SessionInfo, Vm,
};
use azlin_core::persist::Lock;
use azlin_core::provider::local::HostsFile;
use azlin_core::provider::{LoadOptions, Loaded, ScopeFlags};
use azlin_core::remote::{self, RemoteError, Settings};
use azlin_core::resolve::ResolveError;
use azlin_core::ssh::SshTarget;

use crate::cli::{GlobalArgs, RemoteArgs};

/// Where an identifier leads, owned so that the inventory can be reloaded after a probe.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The VM.
    pub vm: Vm,
    /// The session.
    pub session: String,
    /// Whether the session was named rather than defaulted.
    pub session_explicit: bool,
}

impl Resolved {
    /// `vm:session`.
    pub fn compound(&self) -> String {
        azlin_core::name::compound(&self.vm.name, &self.session)
    }
}

/// Loaded once per run and handed to the command.
///
/// The inventory is loaded once per run too (hosts.toml, the Azure cache or ARM, the
/// session cache): later steps of a command (resolving a second name, recording a probe,
/// the ssh-config resync) reuse it, and probes update its session cache in place.
pub struct Context {
    /// azlin's files.
    pub paths: Paths,
    /// `config.toml`.
    pub config: Config,
    /// Whether warnings are silenced (`-q`).
    pub quiet: bool,
    /// `-v` count.
    pub verbose: u8,
    /// `--no-color`.
    pub no_color: bool,
    /// `--subscription` and `--rg`, for the Azure provider.
    pub scope: ScopeFlags,
    /// The inventory of this run, once loaded.
    current: Mutex<Option<Current>>,
    /// Whether the whole fleet was probed in this run (a second probe finds nothing new).
    fleet_probed: AtomicBool,
}

/// The inventory loaded in this run.
struct Current {
    inventory: Arc<Inventory>,
    /// Whether it holds every VM (no `--rg`/`--subscription` narrowing, Azure not failed):
    /// only then may the session cache forget VMs missing from it.
    complete: bool,
    /// Whether listing Azure again could add VMs (Azure is active and came from its cache).
    could_refresh: bool,
    /// What the Azure provider did; `None` when it is off (no subscription known).
    azure: Option<azlin_core::provider::AzureLoad>,
}

impl Context {
    /// Reads the environment and `config.toml`, printing its warnings.
    pub fn load(global: &GlobalArgs) -> Result<Context> {
        crate::diag::init(global.verbose, global.quiet, global.no_color);
        let paths = Paths::from_env().map_err(azlin_core::Error::from)?;
        let (config, warnings) =
            Config::load(&paths.config_file()).map_err(azlin_core::Error::from)?;
        let ctx = Context {
            paths,
            config,
            quiet: global.quiet,
            verbose: global.verbose,
            no_color: global.no_color,
            scope: ScopeFlags {
                subscription: global.subscription.clone(),
                resource_group: global.resource_group.clone(),
                all_subscriptions: false,
            },
            current: Mutex::new(None),
            fleet_probed: AtomicBool::new(false),
        };
        for w in warnings {
            ctx.warn(&w);
        }
        Ok(ctx)
    }

    /// Prints a warning on stderr unless `-q`.
    pub fn warn(&self, message: &str) {
        if !self.quiet {
            warn_line(self.no_color, message);
        }
    }

    /// How stdout looks: a terminal or a pipe, colour or not.
    pub fn stdout_look(&self) -> crate::output::Look {
        crate::output::Look::stdout(self.no_color)
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
    pub fn inventory(&self) -> Result<Arc<Inventory>> {
        self.inventory_refreshed(false)
    }

    /// Like [`Context::inventory`]; `refresh` (a command's `--refresh`) lists Azure again
    /// even when the cache is fresh.
    pub fn inventory_refreshed(&self, refresh: bool) -> Result<Arc<Inventory>> {
        if let Some(inventory) = self.reuse(refresh) {
            return Ok(inventory);
        }
        let loaded = azlin_core::provider::load_inventory_with(
            &self.paths,
            &self.config,
            &self.load_options(refresh),
        )?;
        Ok(self.report(loaded))
    }

    /// The inventory for `list`: like [`Context::inventory_refreshed`], and with
    /// `all_subscriptions` every readable subscription through Resource Graph.
    pub fn inventory_for_list(
        &self,
        refresh: bool,
        all_subscriptions: bool,
    ) -> Result<Arc<Inventory>> {
        if !all_subscriptions {
            return self.inventory_refreshed(refresh);
        }
        let mut options = self.load_options(refresh);
        options.scope.all_subscriptions = true;
        let loaded =
            azlin_core::provider::load_inventory_with(&self.paths, &self.config, &options)?;
        Ok(self.report(loaded))
    }

    /// What the Azure provider did in this run's load; `None` when it is off.
    pub fn azure_load(&self) -> Option<azlin_core::provider::AzureLoad> {
        self.current_mut().as_ref().and_then(|c| c.azure.clone())
    }

    /// The inventory for resolving `id`: Azure is listed again once when `id` is not in
    /// the cache, and always with `refresh`.
    pub fn inventory_for(&self, id: &str, refresh: bool) -> Result<Arc<Inventory>> {
        let stale_miss = self.current_mut().as_ref().is_some_and(|c| {
            c.could_refresh
                && matches!(
                    azlin_core::resolve::resolve(id, &c.inventory, self.config.default_session()),
                    Err(ResolveError::NotFound { .. })
                )
        });
        if !stale_miss && let Some(inventory) = self.reuse(refresh) {
            return Ok(inventory);
        }
        let loaded = azlin_core::provider::load_inventory_for(
            &self.paths,
            &self.config,
            &self.load_options(refresh),
            id,
        )?;
        Ok(self.report(loaded))
    }

    /// The run's inventory slot (a poisoned lock only means a thread panicked while it
    /// held a plain value: the value is still whole).
    fn current_mut(&self) -> std::sync::MutexGuard<'_, Option<Current>> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the run's inventory is the whole fleet (see [`Current::complete`]); true
    /// before any is loaded.
    pub fn inventory_is_complete(&self) -> bool {
        self.current_mut().as_ref().is_none_or(|c| c.complete)
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

    /// Forgets the run's inventory, after a command changed what it is made of (a label in
    /// hosts.toml or an Azure tag): the next use loads it again.
    pub fn forget_inventory(&self) {
        *self.current_mut() = None;
    }

    /// The inventory this run loaded, unless a command asks to list again.
    fn reuse(&self, refresh: bool) -> Option<Arc<Inventory>> {
        if refresh {
            return None;
        }
        self.current_mut().as_ref().map(|c| c.inventory.clone())
    }

    /// Prints the warnings of a load, and with `-v` what Azure cost; keeps the inventory
    /// for the rest of the run.
    fn report(&self, loaded: Loaded) -> Arc<Inventory> {
        // Each request was logged as it was sent (azlin_core::diag); end the counter.
        crate::diag::end_requests();
        let inventory = Arc::new(loaded.inventory);
        *self.current_mut() = Some(Current {
            inventory: Arc::clone(&inventory),
            complete: loaded.complete,
            could_refresh: loaded
                .azure
                .as_ref()
                .is_some_and(|a| !a.fetched && !a.failed),
            azure: loaded.azure.clone(),
        });
        for w in &loaded.warnings {
            self.warn(w);
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

    /// Connection defaults from config.
    pub fn connect_defaults(&self) -> ConnectDefaults {
        ConnectDefaults {
            user: self.config.default_user.clone(),
            identity_file: self.config.identity_file.clone(),
            known_hosts: self.paths.known_hosts(),
        }
    }

    /// How remote operations connect, from the command's `--timeout`.
    pub fn remote_settings(&self, args: &RemoteArgs) -> Settings {
        let mut settings = Settings::new(
            args.timeout,
            azlin_core::ssh::control_dir(&self.paths.ssh_dir()),
        );
        // Keepalives on the command line would override the user's own.
        settings.keepalive = !azlin_core::ssh_config::user_sets_keepalive(&self.paths);
        settings
    }

    /// The ssh target of `vm`.
    pub fn ssh_target(&self, vm: &Vm) -> Result<SshTarget> {
        Ok(remote::target_of(vm, &self.connect_defaults()).map_err(azlin_core::Error::from)?)
    }

    /// Resolves `id`. A name the session cache does not know triggers one live probe of
    /// the fleet before it is reported as not found (DESIGN.md, resolution).
    pub fn resolve(&self, id: &str, settings: &Settings) -> Result<Resolved> {
        let mut one = self.resolve_ids(std::slice::from_ref(&id), settings, false)?;
        Ok(one.remove(0))
    }

    /// Resolves `id` for a command that destroys something: unless `id` names its VM, the
    /// fleet is probed first, so that a session name is never matched against a cache
    /// that has not seen another VM's session of the same name.
    pub fn resolve_fresh(&self, id: &str, settings: &Settings) -> Result<Resolved> {
        let mut one = self.resolve_ids(std::slice::from_ref(&id), settings, !names_a_vm(id))?;
        Ok(one.remove(0))
    }

    /// Resolves several ids with at most one live probe of the fleet (and one Azure
    /// listing), however many of them the caches do not know; errors in the order given.
    pub fn resolve_all(&self, ids: &[String], settings: &Settings) -> Result<Vec<Resolved>> {
        self.resolve_ids(ids, settings, false)
    }

    /// The one resolution path: the run's inventory (Azure listed again when it came from
    /// the cache and misses a name), then one fleet probe when `probe_first` or when a
    /// name that does not name its VM is still unknown (a probe finds sessions, not VMs:
    /// `nosuchvm:dev` stays not found at once).
    fn resolve_ids<S: AsRef<str>>(
        &self,
        ids: &[S],
        settings: &Settings,
        probe_first: bool,
    ) -> Result<Vec<Resolved>> {
        // Bad names are refused before anything is read or any VM is reached (exit 2).
        for id in ids {
            azlin_core::name::Identifier::parse(id.as_ref()).map_err(azlin_core::Error::from)?;
        }
        let default = self.config.default_session();
        let unknown = |inventory: &Inventory| {
            ids.iter().map(AsRef::as_ref).find(|id| {
                matches!(
                    azlin_core::resolve::resolve(id, inventory, default),
                    Err(ResolveError::NotFound { .. })
                )
            })
        };
        let mut inventory = match ids.first() {
            Some(id) => self.inventory_for(id.as_ref(), false)?,
            None => self.inventory()?,
        };
        if let Some(id) = unknown(&inventory) {
            inventory = self.inventory_for(id, false)?;
        }
        let missing = unknown(&inventory);
        if let Some(id) = missing.filter(|id| !probe_could_find(id)) {
            tracing::info!(
                target: azlin_core::diag::COMMAND,
                "resolve: `{id}` is not known and cannot be a session name or alias, so no \
                 probe could find it: not probing"
            );
        }
        let probe_for = if probe_first {
            ids.first()
                .map(AsRef::as_ref)
                .filter(|id| probe_could_find(id))
                .map(|id| (id, "a command that ends a session checks every VM first"))
        } else {
            missing
                .filter(|id| probe_could_find(id))
                .map(|id| (id, "not in the session cache"))
        };
        if let Some((id, why)) = probe_for
            && !self.fleet_probed.load(Ordering::Relaxed)
            && !inventory.vms.is_empty()
        {
            tracing::info!(
                target: azlin_core::diag::COMMAND,
                "resolve: `{id}`: {why}: probing the fleet's running VMs for their sessions"
            );
            inventory = self.probe_fleet(inventory, settings)?;
        }
        ids.iter()
            .map(|id| {
                azlin_core::resolve::resolve(id.as_ref(), &inventory, default)
                    .map(|t| found(id.as_ref(), t))
                    .map_err(|e| azlin_core::Error::from(e).into())
            })
            .collect()
    }

    /// Probes every running VM of `inventory` (as `list` does: a stopped VM would only cost
    /// the timeout), records the results, and returns the inventory with the fresh cache.
    /// Once per run: resolving several unknown names (`exec a b c`) probes once.
    fn probe_fleet(
        &self,
        inventory: Arc<Inventory>,
        settings: &Settings,
    ) -> Result<Arc<Inventory>> {
        self.fleet_probed.store(true, Ordering::Relaxed);
        let vms: Vec<&Vm> = inventory
            .vms
            .iter()
            .filter(|v| v.power == PowerState::Running)
            .collect();
        // A probe on a miss can take up to the timeout: show it (on a terminal only).
        let progress = crate::diag::Progress::start(
            format!("probing {} VMs for tmux sessions…", vms.len()),
            vms.len(),
        );
        let results = remote::probe_all_observed(&vms, &self.connect_defaults(), settings, &|r| {
            progress.done(r.is_ok())
        });
        progress.finish();
        self.record_probes(&inventory, &vms, &results)?;
        // record_probes put the fresh cache in the run's inventory.
        Ok(self.reuse(false).unwrap_or(inventory))
    }

    /// Merges fresh probe results into the session cache on disk (under the lock, so
    /// concurrent azlin processes do not undo each other) and returns the new cache, which
    /// the run's inventory uses from then on. VMs missing from `inventory` are forgotten
    /// only when it is the whole fleet (see [`Current::complete`]).
    pub fn record_probes(
        &self,
        inventory: &Inventory,
        vms: &[&Vm],
        results: &[Result<Vec<SessionInfo>, RemoteError>],
    ) -> Result<SessionCache> {
        let path = self.paths.sessions_cache();
        // Only a cache: without the lock the probe results are still used, just not saved.
        let lock = Lock::acquire(&self.paths.lock_file());
        if let Err(e) = &lock {
            self.warn(&format!(
                "cannot lock {}: {e}",
                self.paths.lock_file().display()
            ));
        }
        let mut cache = SessionCache::load(&path);
        // Under the lock the inventory is read again: a host removed while this run
        // probed must not be written back.
        let now = self.as_now(inventory);
        let pairs: Vec<(&str, &Result<Vec<SessionInfo>, RemoteError>)> = vms
            .iter()
            .map(|v| v.name.as_str())
            .zip(results.iter())
            .filter(|(name, _)| now.vms.iter().any(|v| v.name == *name))
            .collect();
        let complete = self.current_mut().as_ref().is_some_and(|c| c.complete);
        remote::record(&mut cache, complete.then_some(&now), &pairs);
        self.use_sessions(cache.clone());
        if lock.is_err() {
            return Ok(cache);
        }
        if let Err(e) = cache.save(&path) {
            // Only a cache: the command itself still worked.
            self.warn(&format!("cannot update {}: {e}", path.display()));
        }
        Ok(cache)
    }

    /// `inventory` without the local hosts that `hosts.toml` no longer holds: read again
    /// by a caller that holds the lock (so no `host remove` runs meanwhile) before it
    /// writes what it learnt from `inventory` (see [`still_listed`]).
    pub fn as_now(&self, inventory: &Inventory) -> Inventory {
        let hosts = HostsFile::load(&self.paths.hosts_file()).ok();
        let vms = inventory
            .vms
            .iter()
            .filter(|v| still_listed(hosts.as_ref(), v))
            .cloned()
            .collect();
        Inventory {
            vms,
            sessions: inventory.sessions.clone(),
        }
    }

    /// Records in the session cache that `session` exists (or is about to) on `vm`,
    /// for a session created by a process that replaces azlin.
    pub fn note_session(&self, vm: &Vm, session: &str) {
        let path = self.paths.sessions_cache();
        // Without the lock the note is not saved, but the run still uses it.
        let lock = Lock::acquire(&self.paths.lock_file());
        let mut cache = SessionCache::load(&path);
        // A host removed meanwhile (under the lock, hosts.toml read again) is not noted.
        let listed = still_listed(HostsFile::load(&self.paths.hosts_file()).ok().as_ref(), vm);
        if listed && cache.note_session(&vm.name, session) {
            if lock.is_ok()
                && let Err(e) = cache.save(&path)
            {
                self.warn(&format!("cannot update {}: {e}", path.display()));
            }
            // The ssh-config resync that follows reads the run's inventory.
            self.use_sessions(cache);
        }
    }

    /// Records what one VM's sessions are now (a probe, or the listing that followed a
    /// change), as far as the cache is concerned: failures to save are only warned about.
    pub fn record_probe(&self, vm: &Vm, result: &Result<Vec<SessionInfo>, RemoteError>) {
        if let Ok(inventory) = self.inventory() {
            let _ = self.record_probes(&inventory, &[vm], std::slice::from_ref(result));
        }
    }
}

/// What `id` resolved to, owned (so the inventory can be reloaded after a probe), and
/// logged at `-vv`.
fn found(id: &str, t: azlin_core::resolve::Target<'_>) -> Resolved {
    tracing::debug!(
        target: azlin_core::diag::FOUND,
        "resolve: `{id}` -> {} ({})",
        t.compound(),
        t.matched_by
    );
    Resolved {
        vm: t.vm.clone(),
        session: t.session.clone(),
        session_explicit: t.session_explicit,
    }
}

/// Whether `id` names its VM explicitly (`vm:session`, `vm:`), so that a live probe,
/// which can only find sessions, cannot change a "not found".
fn names_a_vm(id: &str) -> bool {
    matches!(
        azlin_core::name::Identifier::parse(id),
        Ok(azlin_core::name::Identifier::Compound { .. })
    )
}

/// Whether `vm` is still in the inventory as `hosts` (hosts.toml read now) has it: an
/// Azure VM is not `hosts.toml`'s to remove, and an unreadable file removes nothing.
fn still_listed(hosts: Option<&HostsFile>, vm: &Vm) -> bool {
    vm.provider != ProviderKind::Local || hosts.is_none_or(|h| h.hosts.contains_key(&vm.name))
}

/// Whether a fleet probe could make `id` known: it finds sessions (a session name, or
/// the alias `vm--session`), never VMs, labels or addresses.
fn probe_could_find(id: &str) -> bool {
    use azlin_core::name::{self, Identifier};
    match Identifier::parse(id) {
        Ok(Identifier::Session(_)) => true,
        Ok(Identifier::Bare(word)) => {
            name::validate_session_name(&word).is_ok()
                || word.match_indices("--").any(|(i, sep)| {
                    name::validate_vm_name(&word[..i]).is_ok()
                        && name::validate_session_name(&word[i + sep.len()..]).is_ok()
                })
        }
        Ok(Identifier::Compound { .. }) | Err(_) => false,
    }
}

/// Bad input found by the binary itself (exit 2), e.g. arguments that contradict.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Prints `warning: MESSAGE` on stderr, the prefix yellow on a terminal, the message
/// through [`crate::output::message`].
pub fn warn_line(no_color: bool, message: &str) {
    use crate::output::{Look, Paint, paint};
    crate::diag::above_progress(|| {
        eprintln!(
            "{} {}",
            paint(Look::stderr(no_color), "warning:", Paint::Yellow),
            crate::output::message(message)
        )
    });
}

#[cfg(test)]
mod tests {
    use super::probe_could_find;

    #[test]
    fn only_names_a_probe_can_find_cost_a_probe() {
        for yes in ["dev", ":dev", "myvm--dev", "my.vm--dev", "a--b--c"] {
            assert!(probe_could_find(yes), "{yes}");
        }
        // VMs, labels and addresses come from the inventory, not from a probe; a
        // compound names its VM; an invalid name is refused before any of this.
        for no in [
            "my.vm", "10.0.0.5", "::1", "myvm:dev", "myvm:", "a b", "x.y--",
        ] {
            assert!(!probe_could_find(no), "{no}");
        }
    }
}
