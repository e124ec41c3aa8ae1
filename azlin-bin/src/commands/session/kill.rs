//! `azlin kill ID`: ends a session and everything running in it.

use anyhow::Result;
use azlin_core::tmux;

use super::SessionOpArgs;
use crate::context::Context;

/// Runs `azlin kill`.
pub fn run(ctx: &Context, args: &SessionOpArgs) -> Result<u8> {
    super::operate(ctx, args, tmux::kill_session, "Killed session `{}`.")
}
