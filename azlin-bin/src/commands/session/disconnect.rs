//! `azlin disconnect ID`: detaches every client from a session; it keeps running.

use anyhow::Result;
use azlin_core::tmux;

use super::SessionOpArgs;
use crate::context::Context;

/// Runs `azlin disconnect`.
pub fn run(ctx: &Context, args: &SessionOpArgs) -> Result<u8> {
    super::operate(
        ctx,
        args,
        tmux::detach_clients,
        "Detached every client from `{}`; the session keeps running.",
    )
}
