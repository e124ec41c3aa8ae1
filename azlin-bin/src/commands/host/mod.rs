//! `azlin host add|list|remove`: the local inventory.

pub mod add;
pub mod list;
pub mod remove;

use anyhow::Result;
use clap::Subcommand;

use crate::context::Context;
use add::HostAddArgs;
use list::HostListArgs;
use remove::HostRemoveArgs;

/// `azlin host …`.
#[derive(Debug, Subcommand)]
pub enum HostCommand {
    /// Register a host
    #[command(
        after_help = "Example:\n  azlin host add devbox --address 10.0.0.4 --user alice --label api"
    )]
    Add(HostAddArgs),
    /// List registered hosts
    List(HostListArgs),
    /// Forget a host (the machine itself is not touched)
    Remove(HostRemoveArgs),
}

/// Runs `azlin host …`.
pub fn run(ctx: &Context, cmd: &HostCommand) -> Result<u8> {
    match cmd {
        HostCommand::Add(args) => add::run(ctx, args),
        HostCommand::List(args) => list::run(ctx, args),
        HostCommand::Remove(args) => remove::run(ctx, args),
    }
}
