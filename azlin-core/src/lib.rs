//! azlin's library: every rule and every side effect except the command line itself.
//!
//! Organised by concept: [`name`] (identifiers), [`resolve`] (identifier → target),
//! [`inventory`] (VMs and the session cache), [`provider`] (where VMs come from),
//! [`ssh`] (how a VM is reached), [`config`] (files and settings), [`persist`]
//! (crash-safe writes), [`plugin`] (finding and running `azlin-foo`).

pub mod config;
pub mod inventory;
pub mod name;
pub mod persist;
pub mod plugin;
pub mod provider;
pub mod resolve;
pub mod ssh;

mod error;

pub use error::Error;
