//! How a run asks a VM for its tmux sessions: over ssh ([`SshProber`]), or however a
//! library user or a test does.

use crate::inventory::{ConnectDefaults, Vm};
use crate::remote::{self, Probe, Settings};

/// Asks one VM for its tmux sessions, now.
pub trait Prober: Sync {
    /// The sessions on `vm` (reached with `defaults` where its record names no user or
    /// key), or why they could not be listed.
    fn probe(&self, vm: &Vm, defaults: &ConnectDefaults, settings: &Settings) -> Probe;
}

/// The real probe: one ssh to the VM running `tmux list-sessions` (see [`remote::probe`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct SshProber;

impl Prober for SshProber {
    fn probe(&self, vm: &Vm, defaults: &ConnectDefaults, settings: &Settings) -> Probe {
        remote::target_of(vm, defaults).and_then(|t| remote::probe(&t, settings))
    }
}
