//! One module per command: read the arguments, call the core, render the result.

pub mod help;
pub mod host;
pub mod plugin;
pub mod resolve;
