//! What live probes teach a run: merged into the session cache on disk under azlin's
//! lock (so concurrent azlin processes do not undo each other), and into the run's
//! inventory, so that the rest of the run (a resync, a second name) sees it.

use super::Run;
use crate::inventory::{Inventory, ProviderKind, SessionCache, Vm};
use crate::persist::Lock;
use crate::remote::{self, Probe, Settings};

impl Run {
    /// Probes `vms` concurrently (`settings.jobs` at once), telling the run's events
    /// about each when `observed` (a progress indicator), and records the results (see
    /// [`Run::record_probes`]); results keep the order of `vms`.
    pub fn probe_and_record(
        &self,
        inventory: &Inventory,
        vms: &[&Vm],
        settings: &Settings,
        observed: bool,
    ) -> Result<Vec<Probe>, crate::Error> {
        if observed {
            self.events.probe_started(vms.len());
        }
        let defaults = self.connect_defaults();
        let results = crate::parallel::fan_out(vms, settings.jobs, |vm| {
            let result = self.prober.probe(vm, &defaults, settings);
            if observed {
                self.events.probe_done(result.is_ok());
            }
            result
        });
        if observed {
            self.events.probe_finished();
        }
        if !vms.is_empty() {
            self.record_probes(inventory, vms, &results)?;
        }
        Ok(results)
    }

    /// Merges fresh probe results into the session cache on disk (under the lock) and
    /// returns the new cache, which the run's inventory uses from then on. VMs missing
    /// from `inventory` are forgotten only when it is the whole fleet.
    pub fn record_probes(
        &self,
        inventory: &Inventory,
        vms: &[&Vm],
        results: &[Probe],
    ) -> Result<SessionCache, crate::Error> {
        self.mark_learnt();
        let path = self.paths.sessions_cache();
        // Only a cache: without the lock the probe results are still used, just not saved.
        let lock = Lock::acquire(&self.paths.lock_file());
        if let Err(e) = &lock {
            self.events.warn(&format!(
                "cannot lock {}: {e}",
                self.paths.lock_file().display()
            ));
        }
        let mut cache = SessionCache::load(&path);
        // Under the lock the inventory is read again: a host removed while this run
        // probed must not be written back.
        let now = self.as_now(inventory);
        let pairs: Vec<(&str, &Probe)> = vms
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
            self.events
                .warn(&format!("cannot update {}: {e}", path.display()));
        }
        Ok(cache)
    }

    /// Records what one VM's sessions are now (a probe, or the listing that followed a
    /// change), as far as the cache is concerned: failures to save are only warned about.
    pub fn record_probe(&self, vm: &Vm, result: &Probe) {
        if let Ok(inventory) = self.inventory() {
            let _ = self.record_probes(&inventory, &[vm], std::slice::from_ref(result));
        }
    }

    /// Records in the session cache that `session` exists (or is about to) on `vm`,
    /// for a session created by a process that replaces azlin.
    pub fn note_session(&self, vm: &Vm, session: &str) {
        self.mark_learnt();
        let path = self.paths.sessions_cache();
        // Without the lock the note is not saved, but the run still uses it.
        let lock = Lock::acquire(&self.paths.lock_file());
        let mut cache = SessionCache::load(&path);
        // A host removed meanwhile (under the lock, hosts.toml read again) is not noted.
        let hosts = self.source.local_hosts_now(&self.paths);
        if still_listed(hosts.as_deref(), vm) && cache.note_session(&vm.name, session) {
            if lock.is_ok()
                && let Err(e) = cache.save(&path)
            {
                self.events
                    .warn(&format!("cannot update {}: {e}", path.display()));
            }
            // The ssh-config resync that follows reads the run's inventory.
            self.use_sessions(cache);
        }
    }

    /// `inventory` without the local hosts that `hosts.toml` no longer holds: read again
    /// by a caller that holds the lock (so no `host remove` runs meanwhile) before it
    /// writes what it learnt from `inventory`.
    pub(super) fn as_now(&self, inventory: &Inventory) -> Inventory {
        let hosts = self.source.local_hosts_now(&self.paths);
        let vms = inventory
            .vms
            .iter()
            .filter(|v| still_listed(hosts.as_deref(), v))
            .cloned()
            .collect();
        Inventory {
            vms,
            sessions: inventory.sessions.clone(),
        }
    }
}

/// Whether `vm` is still in the inventory as `hosts` (the local hosts now) has it: an
/// Azure VM is not `hosts.toml`'s to remove, and an unreadable file removes nothing.
fn still_listed(hosts: Option<&[String]>, vm: &Vm) -> bool {
    vm.provider != ProviderKind::Local || hosts.is_none_or(|h| h.contains(&vm.name))
}
