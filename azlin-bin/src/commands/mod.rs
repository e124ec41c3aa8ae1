//! One module per command: read the arguments, call the core, render the result.

pub mod code;
pub mod complete;
pub mod completions;
pub mod connect;
pub mod exec;
pub mod help;
pub mod host;
pub mod list;
pub mod man;
pub mod peek;
pub mod plugin;
pub mod resolve;
pub mod send;
pub mod session;
pub mod session_ops;
pub mod ssh_config;
pub mod tag;
pub mod wait;
