//! The commands that act on one tmux session: `azlin session` names it (or its VM),
//! `azlin disconnect` detaches its clients, `azlin kill` ends it. Disconnect and kill share
//! [`operate`]: the run's guarded session operation after a fresh resolution.

pub mod disconnect;
pub mod kill;
pub mod label;

use anyhow::Result;
use azlin_core::tmux::Need;
use clap::Args;

use crate::cli::RemoteArgs;
use crate::commands::name_args::TargetId;
use crate::context::Context;

/// `azlin disconnect` and `azlin kill`.
#[derive(Debug, Args)]
pub struct SessionOpArgs {
    /// The session: `vm:session`, `:session`, a session name…
    #[arg(value_name = "ID")]
    pub id: TargetId,
    /// Connection settings.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// Resolves `args.id` (probing the fleet first unless it names its VM), runs `command`
/// on its session in one guarded ssh, and says `done` (`{}`: the session).
pub(super) fn operate(
    ctx: &Context,
    args: &SessionOpArgs,
    command: fn(&str) -> String,
    done: &str,
) -> Result<u8> {
    let settings = ctx.remote_settings(&args.remote);
    let target = ctx.run.resolve_fresh(&args.id, &settings)?;
    // One ssh checks the session, acts and lists what is left, for the session cache.
    ctx.run.session_op(
        &target,
        &settings,
        Need::Existing,
        &command(&target.session),
    )?;
    if !ctx.quiet {
        println!("{}", done.replace("{}", &target.compound()));
    }
    Ok(0)
}
