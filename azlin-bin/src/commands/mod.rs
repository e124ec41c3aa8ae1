//! One module per command: read the arguments, call the core, render the result.

pub mod host;
pub mod resolve;
pub mod ssh_config;
