//! `azlin plugin exec NAME ARGS…`: runs plugin NAME even where a built-in takes the name.

use std::ffi::OsString;

use anyhow::Result;
use clap::Args;

use crate::cli::GlobalArgs;

/// `azlin plugin exec`.
#[derive(Debug, Args)]
pub struct PluginExecArgs {
    /// The plugin's name (`health` runs `azlin-health`), then its arguments, passed as
    /// they are (`--help` included)
    #[arg(
        value_name = "NAME ARGS",
        required = true,
        num_args = 1..,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub argv: Vec<OsString>,
}

/// Runs `azlin plugin exec`.
pub fn run(global: &GlobalArgs, args: PluginExecArgs) -> Result<u8> {
    super::external(global, args.argv)
}
