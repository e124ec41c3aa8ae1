//! `azlin disconnect ID` (detach every client, keep the session) and `azlin kill ID`
//! (end the session).

use anyhow::Result;
use azlin_core::remote;
use azlin_core::tmux::{self, Need};

use crate::cli::SessionOpArgs;
use crate::context::Context;

/// Runs `azlin disconnect`.
pub fn disconnect(ctx: &Context, args: &SessionOpArgs) -> Result<u8> {
    operate(
        ctx,
        args,
        tmux::detach_clients,
        "Detached every client from `{}`; the session keeps running.",
    )
}

/// Runs `azlin kill`.
pub fn kill(ctx: &Context, args: &SessionOpArgs) -> Result<u8> {
    operate(ctx, args, tmux::kill_session, "Killed session `{}`.")
}

fn operate(
    ctx: &Context,
    args: &SessionOpArgs,
    command: fn(&str) -> String,
    done: &str,
) -> Result<u8> {
    let settings = ctx.remote_settings(&args.remote);
    let target = ctx.resolve_fresh(&args.id, &settings)?;
    let ssh = ctx.ssh_target(&target.vm)?;
    // One ssh checks the session, acts and lists what is left, for the session cache.
    let after = remote::session_op(
        &ssh,
        &settings,
        &target.session,
        Need::Existing,
        &command(&target.session),
    );
    ctx.record_probe(&target.vm, &after);
    after.map_err(azlin_core::Error::from)?;
    if !ctx.quiet {
        println!("{}", done.replace("{}", &target.compound()));
    }
    Ok(0)
}
