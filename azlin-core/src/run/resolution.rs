//! The one resolution policy of a run (DESIGN.md, Identifiers and resolution): the run's
//! inventory first (Azure listed again when it came from the cache and misses a name),
//! then one live probe of the fleet when a name that a probe could find is still
//! unknown, and at most one such probe per run however many names miss.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::Run;
use crate::inventory::{Inventory, PowerState, SessionInfo, Vm};
use crate::name::{self, Identifier};
use crate::remote::Settings;
use crate::resolve::{self, MatchedBy, ResolveError, Target};

/// Where an identifier leads, owned so that the inventory can be reloaded after a probe.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The VM the identifier leads to.
    pub vm: Vm,
    /// The tmux session.
    pub session: String,
    /// Whether the session was named (`vm:dev`) rather than defaulted (`vm`).
    pub session_explicit: bool,
}

impl Resolved {
    /// `vm:session`.
    pub fn compound(&self) -> String {
        name::compound(&self.vm.name, &self.session)
    }

    /// `vm--session`, the generated ssh alias.
    pub fn ssh_alias(&self) -> String {
        name::ssh_alias(&self.vm.name, &self.session)
    }

    /// What `azlin connect` does with this session, given the sessions its VM runs: attach
    /// it, create it, or refuse it as a typo of a close name ([`Resolved::close_session`]
    /// over the addressable ones).
    pub fn on_connect(&self, sessions: &[crate::inventory::SessionInfo]) -> OnConnect {
        let names: Vec<&str> = sessions
            .iter()
            .filter(|s| crate::remote::addressable(s))
            .map(|s| s.name.as_str())
            .collect();
        match sessions.iter().find(|s| s.name == self.session) {
            Some(s) if names.contains(&s.name.as_str()) => OnConnect::Attach(s.clone()),
            _ => match self.close_session(&names) {
                Some(refusal) => OnConnect::Refuse(refusal),
                None => OnConnect::Create,
            },
        }
    }

    /// The refusal of `azlin connect` (without `--create`) to create this session, given
    /// the addressable sessions `running` on its VM: a named session that does not run,
    /// while one of a close name does, is taken for a typo. `None`: it may be created.
    pub fn close_session(&self, running: &[&str]) -> Option<ResolveError> {
        if !self.session_explicit || running.contains(&self.session.as_str()) {
            return None;
        }
        let near = crate::suggest::closest(&self.session, running.iter().copied())
            .into_iter()
            .next()?;
        Some(ResolveError::CloseSession {
            vm: self.vm.name.clone(),
            session: self.session.clone(),
            near,
        })
    }
}

/// Where a name leads and how, for `azlin resolve` (see [`Run::explain`]).
#[derive(Debug)]
pub struct Explained {
    /// The target.
    pub target: Resolved,
    /// How the name matched.
    pub matched_by: MatchedBy,
    /// What `azlin connect` would do with the session, by the session cache.
    pub on_connect: OnConnect,
}

/// What `azlin connect` would do with a target's session, by the session cache (the
/// connect itself asks the VM).
#[derive(Debug)]
pub enum OnConnect {
    /// Attach: the session was seen, as recorded.
    Attach(SessionInfo),
    /// Create it: not seen yet.
    Create,
    /// Refuse to create it, taken for a typo of a close name that runs (the error says
    /// which, and that `--create` makes it anyway).
    Refuse(ResolveError),
}

impl Run {
    /// Resolves `id`. A name the session cache does not know triggers one live probe of
    /// the fleet before it is reported as not found.
    pub fn resolve(&self, id: &str, settings: &Settings) -> Result<Resolved, crate::Error> {
        let mut one = self.resolve_ids(std::slice::from_ref(&id), settings, false)?;
        Ok(one.remove(0).0)
    }

    /// What `azlin resolve` shows: where `id` leads (by [`Run::resolve`]'s policy, Azure
    /// listed again first with `refresh`), how it matched, and what `azlin connect` would
    /// do with its session as far as the session cache knows.
    pub fn explain(
        &self,
        id: &str,
        refresh: bool,
        settings: &Settings,
    ) -> Result<Explained, crate::Error> {
        if refresh {
            self.inventory_for(id, true)?;
        }
        let (target, matched_by) = self
            .resolve_ids(std::slice::from_ref(&id), settings, false)?
            .remove(0);
        let inventory = self.inventory()?;
        let on_connect = target.on_connect(inventory.sessions.sessions_of(&target.vm.name));
        Ok(Explained {
            target,
            matched_by,
            on_connect,
        })
    }

    /// Resolves `id` for a command that destroys something: unless `id` names its VM, the
    /// fleet is probed first, so that a session name is never matched against a cache
    /// that has not seen another VM's session of the same name.
    pub fn resolve_fresh(&self, id: &str, settings: &Settings) -> Result<Resolved, crate::Error> {
        let mut one = self.resolve_ids(std::slice::from_ref(&id), settings, !names_a_vm(id))?;
        Ok(one.remove(0).0)
    }

    /// Resolves several ids with at most one live probe of the fleet (and one Azure
    /// listing), however many of them the caches do not know; errors in the order given.
    pub fn resolve_all(
        &self,
        ids: &[String],
        settings: &Settings,
    ) -> Result<Vec<Resolved>, crate::Error> {
        Ok(self
            .resolve_ids(ids, settings, false)?
            .into_iter()
            .map(|(target, _)| target)
            .collect())
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
    ) -> Result<Vec<(Resolved, MatchedBy)>, crate::Error> {
        // Bad names are refused before anything is read or any VM is reached (exit 2).
        for id in ids {
            Identifier::parse(id.as_ref())?;
        }
        let default = self.config.default_session();
        let unknown = |inventory: &Inventory| {
            ids.iter().map(AsRef::as_ref).find(|id| {
                matches!(
                    resolve::resolve(id, inventory, default),
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
                target: crate::diag::COMMAND,
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
                target: crate::diag::COMMAND,
                "resolve: `{id}`: {why}: probing the fleet's running VMs for their sessions"
            );
            inventory = self.probe_fleet(inventory, settings)?;
        }
        ids.iter()
            .map(|id| {
                resolve::resolve(id.as_ref(), &inventory, default)
                    .map(|t| found(id.as_ref(), t))
                    .map_err(crate::Error::from)
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
    ) -> Result<Arc<Inventory>, crate::Error> {
        self.fleet_probed.store(true, Ordering::Relaxed);
        let vms: Vec<&Vm> = inventory
            .vms
            .iter()
            .filter(|v| v.power == PowerState::Running)
            .collect();
        self.probe_and_record(&inventory, &vms, settings, true)?;
        // Recording put the fresh cache in the run's inventory.
        Ok(self.reuse(false).unwrap_or(inventory))
    }
}

/// What `id` resolved to, owned (so the inventory can be reloaded after a probe), and
/// logged at `-vv`.
fn found(id: &str, t: Target<'_>) -> (Resolved, MatchedBy) {
    tracing::debug!(
        target: crate::diag::FOUND,
        "resolve: `{id}` -> {} ({})",
        t.compound(),
        t.matched_by
    );
    let target = Resolved {
        vm: t.vm.clone(),
        session: t.session.clone(),
        session_explicit: t.session_explicit,
    };
    (target, t.matched_by)
}

/// Whether `id` names its VM explicitly (`vm:session`, `vm:`), so that a live probe,
/// which can only find sessions, cannot change a "not found".
fn names_a_vm(id: &str) -> bool {
    matches!(Identifier::parse(id), Ok(Identifier::Compound { .. }))
}

/// Whether a fleet probe could make `id` known: it finds sessions (a session name, or
/// the alias `vm--session`), never VMs, labels or addresses.
pub(super) fn probe_could_find(id: &str) -> bool {
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
