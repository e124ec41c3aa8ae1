//! azlin's library: every rule and every side effect except the command line itself.
//!
//! Organised by concept: [`name`] (identifiers), [`resolve`] (identifier → target),
//! [`inventory`] (VMs and the session cache), [`provider`] (where VMs come from),
//! [`ssh`] (how a VM is reached), [`ssh_config`] (the generated OpenSSH config), [`tmux`]
//! (remote tmux command lines), [`fleet`] (bounded fan-out), [`remote`] (probes and session
//! operations), [`config`] (files and settings), [`persist`] (crash-safe writes),
//! [`plugin`] (finding and running `azlin-foo`), [`complete`] (shell completion from local
//! files), [`diag`] (what `-v` logs).

pub mod complete;
pub mod config;
pub mod diag;
pub mod fleet;
pub mod inventory;
pub mod name;
pub mod persist;
pub mod plugin;
pub mod provider;
pub mod remote;
pub mod resolve;
pub mod ssh;
pub mod ssh_config;
pub mod tmux;

mod error;

/// The seed of the property tests (shared with the integration tests in `tests/`).
#[cfg(test)]
#[path = "../tests/support/seed.rs"]
mod proptest_seed;

pub use error::{EXIT_FAILURE, EXIT_USAGE, Error};
