//! The automatic resync of the generated ssh config after a command that made sessions
//! or labels known (`list`, `ssh --tmux-session`, `session`, `code`; config
//! `ssh_config.auto`, default on). Only a config the user turned on (by running
//! `azlin ssh-config` once) is refreshed, and never fatally: the command that triggered
//! it already did its job.
//!
//! The run knows when it learnt something the config is made of: a recorded probe (or
//! the listing a session operation ends with), a session noted before a handoff, a VM
//! label set. [`Run::resync_if_learnt`] resyncs only then.

use std::sync::atomic::Ordering;

use super::Run;
use crate::persist::Lock;
use crate::ssh_config::{self, Options, SshConfigError, SyncReport};

/// What the resync did.
#[derive(Debug)]
pub enum Resync {
    /// Nothing: `ssh_config.auto` is off.
    Off,
    /// Nothing: the user has not turned the generated config on yet.
    NotEnabled,
    /// It ran (the report says whether anything changed).
    Synced(SyncReport),
    /// It failed; the generated files are as they were.
    Failed(crate::Error),
}

impl Run {
    /// Options of a sync of this run's inventory: call after loading it (whether it is the
    /// whole fleet decides whether files of VMs missing from it are removed).
    pub fn sync_options(&self) -> Options {
        let mut options = Options::new(self.connect_defaults());
        options.remove_missing = self.inventory_is_complete();
        options
    }

    /// Resyncs the generated ssh config if the run learnt sessions or labels since the
    /// last resync (a recorded probe, [`Run::note_session`], [`Run::set_label`]); `None`:
    /// it learnt nothing, so there was nothing to do.
    pub fn resync_if_learnt(&self) -> Option<Resync> {
        self.learnt
            .swap(false, Ordering::Relaxed)
            .then(|| self.resync_config())
    }

    /// Resyncs the generated ssh config from the run's inventory, if it is on, whatever
    /// the run learnt (`azlin code` needs its VM's alias in place before VS Code reads it).
    pub fn resync_config(&self) -> Resync {
        self.learnt.store(false, Ordering::Relaxed);
        if !self.config.ssh_config_auto() {
            return Resync::Off;
        }
        if !ssh_config::is_enabled(&self.paths) {
            return Resync::NotEnabled;
        }
        let result = self.inventory().and_then(|inventory| {
            // Under azlin's lock, with hosts.toml read again: a `host remove` that ran
            // while this command worked must not see its host's file written back.
            let lock_file = self.paths.lock_file();
            let _lock = Lock::acquire(&lock_file).map_err(|source| SshConfigError::Io {
                action: "lock",
                path: lock_file.clone(),
                source,
            })?;
            let inventory = self.as_now(&inventory);
            Ok(ssh_config::sync(
                &self.paths,
                &inventory,
                &self.sync_options(),
            )?)
        });
        match result {
            Ok(report) => Resync::Synced(report),
            Err(e) => Resync::Failed(e),
        }
    }
}

impl Run {
    /// Notes that the run learnt sessions or labels the generated config is made of.
    pub(super) fn mark_learnt(&self) {
        self.learnt.store(true, Ordering::Relaxed);
    }
}
