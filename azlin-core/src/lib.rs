//! azlin's library: every rule and every side effect except the command line itself.
//!
//! Organised by concept: [`name`] (identifiers), [`resolve`] (identifier → target),
//! [`inventory`] (VMs and the session cache), [`provider`] (where VMs come from),
//! [`ssh`] (how a VM is reached), [`ssh_config`] (the generated OpenSSH config), [`tmux`]
//! (remote tmux command lines), [`fleet`] (bounded fan-out), [`interrupt`] (signals that
//! end a fan-out), [`remote`] (probes and session operations), [`pane`] (a session's pane
//! seen and steered without attaching), [`reconnect`] (when an interactive connection is
//! attached again), [`config`] (files and settings), [`persist`] (crash-safe writes),
//! [`plugin`] (finding and running `azlin-foo`), [`complete`] (shell completion from local
//! files), [`diag`] (what `-v` logs), [`text`] (how outside text is shown), [`duration`]
//! (durations as users write them).

#![warn(missing_docs)]

pub mod cache_file;
pub mod complete;
pub mod config;
pub mod diag;
pub mod duration;
pub mod fingerprint;
pub mod interrupt;
pub mod inventory;
pub mod name;
pub mod pane;
pub mod parallel;
pub mod paths;
pub mod persist;
pub mod plugin;
pub mod process;
pub mod provider;
pub mod quote;
pub mod reconnect;
pub mod remote;
pub mod resolve;
pub mod run;
pub mod ssh;
pub mod ssh_config;
pub mod suggest;
pub mod text;
pub mod tmux;

mod error;

/// The seed of the property tests (shared with the integration tests in `tests/`).
#[cfg(test)]
#[path = "../tests/support/seed.rs"]
mod proptest_seed;

pub use error::{EXIT_FAILURE, EXIT_USAGE, Error};
