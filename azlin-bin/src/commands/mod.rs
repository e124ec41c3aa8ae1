//! One module per command: its arguments (clap) beside its `run`, which reads them, calls
//! the core and renders the result. Command groups are folders with one file per
//! subcommand, as in cargo and jj.

pub mod code;
pub mod completions;
pub mod connect;
pub mod exec;
pub mod help;
pub mod host;
pub mod list;
pub mod man;
pub mod name_args;
pub mod peek;
pub mod plugin;
pub mod resolve;
pub mod send;
pub mod session;
pub mod ssh_config;
pub mod tag;
pub mod wait;
