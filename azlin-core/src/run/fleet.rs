//! The targets of a command that takes names and `--all`/`--tag` (`exec`, `peek`): the
//! named ones first, then the selected VMs' sessions, each once.

use super::{Resolved, Run};
use crate::inventory::Vm;
use crate::remote::{self, Probe, RemoteError, Settings};
use crate::resolve::ResolveError;

/// Which sessions of each VM `--all`/`--tag` target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FleetSessions {
    /// Each VM's default session, without asking the VM (`exec`: whether it must exist
    /// is the command's [`crate::tmux::Need`]).
    Default,
    /// Every session each VM lists now, the listing recorded as a probe (`peek`). A VM
    /// without tmux has none; a session whose name azlin cannot address (`list` shows it
    /// without a name to type back) is left out, as tmux would read such a name as
    /// another target.
    Every,
}

/// `--all`/`--tag`: the running VMs carrying every tag of `tags` (none: every running
/// VM), and which of their sessions.
#[derive(Debug, Clone, Copy)]
pub struct Fleet<'a> {
    /// `K=V` pairs, as `--tag` takes them.
    pub tags: &'a [String],
    /// Which sessions of each VM.
    pub sessions: FleetSessions,
}

/// What a command targets.
#[derive(Debug, Default)]
pub struct Targets {
    /// The named targets, then the fleet's, each once.
    pub targets: Vec<Resolved>,
    /// VMs of the fleet whose sessions could not be listed ([`FleetSessions::Every`]),
    /// with why, in the fleet's order.
    pub unlisted: Vec<(String, RemoteError)>,
}

impl Run {
    /// The targets of `ids` (resolved with at most one probe, see [`Run::resolve_all`])
    /// and of `fleet`. [`ResolveError::NoRunningVm`] when `fleet` selects no running VM
    /// and no name was given.
    pub fn targets(
        &self,
        ids: &[String],
        fleet: Option<Fleet<'_>>,
        settings: &Settings,
    ) -> Result<Targets, crate::Error> {
        self.gather(ids, fleet, settings, |run, vms| {
            let inventory = run.inventory()?;
            run.probe_and_record(&inventory, vms, settings, false)
        })
    }

    /// Like [`Run::targets`] with every session of the VMs carrying `tags`, as `list`
    /// lists them: the caller's own listing of them, which is recorded as their probes
    /// would be (`peek`, which captures the panes in the same ssh).
    pub fn targets_listed(
        &self,
        ids: &[String],
        tags: &[String],
        settings: &Settings,
        list: impl FnOnce(&[&Vm]) -> Vec<Probe>,
    ) -> Result<Targets, crate::Error> {
        let fleet = Fleet {
            tags,
            sessions: FleetSessions::Every,
        };
        self.gather(ids, Some(fleet), settings, |run, vms| {
            let inventory = run.inventory()?;
            let probes = list(vms);
            run.record_probes(&inventory, vms, &probes)?;
            Ok(probes)
        })
    }

    /// The one selection behind [`Run::targets`] and [`Run::targets_listed`]; `list`
    /// lists and records the sessions of the VMs given.
    fn gather(
        &self,
        ids: &[String],
        fleet: Option<Fleet<'_>>,
        settings: &Settings,
        list: impl FnOnce(&Run, &[&Vm]) -> Result<Vec<Probe>, crate::Error>,
    ) -> Result<Targets, crate::Error> {
        // One probe of the fleet for every name the cache does not know, not one per name.
        let mut out = Targets {
            targets: self.resolve_all(ids, settings)?,
            unlisted: Vec::new(),
        };
        if let Some(fleet) = fleet {
            let running = self.running_with_tags(fleet.tags)?;
            if running.is_empty() && ids.is_empty() {
                return Err(ResolveError::NoRunningVm.into());
            }
            match fleet.sessions {
                FleetSessions::Default => {
                    let default = self.config.default_session();
                    out.targets.extend(running.into_iter().map(|vm| Resolved {
                        vm,
                        session: default.to_string(),
                        session_explicit: false,
                    }));
                }
                FleetSessions::Every => {
                    let vms: Vec<&Vm> = running.iter().collect();
                    let probes = if vms.is_empty() {
                        Vec::new()
                    } else {
                        list(self, &vms)?
                    };
                    for (vm, probe) in vms.into_iter().zip(probes) {
                        match probe {
                            Ok(sessions) => out.targets.extend(
                                sessions.into_iter().filter(remote::addressable).map(|s| {
                                    Resolved {
                                        vm: vm.clone(),
                                        session: s.name,
                                        session_explicit: true,
                                    }
                                }),
                            ),
                            Err(RemoteError::NoTmux { .. }) => {}
                            Err(e) => out.unlisted.push((vm.name.clone(), e)),
                        }
                    }
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        out.targets.retain(|t| seen.insert(t.compound()));
        Ok(out)
    }
}
