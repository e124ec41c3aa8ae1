//! `azlin ssh VM [--tmux-session S] [-- CMD…]` and `azlin connect ID [-- CMD…]`: attach
//! to (or create) a tmux session, or run a command, by handing the terminal to ssh.

use anyhow::Result;
use azlin_core::name::validate_session_name;
use azlin_core::remote::{self, Settings};
use azlin_core::ssh::{Invocation, Tty, command_line};
use azlin_core::tmux::{self, Need};

use crate::cli::{ConnectArgs, SshArgs};
use crate::commands::ssh_config;
use crate::context::{Context, Resolved};
use crate::handoff;

/// Runs `azlin ssh`.
pub fn run_ssh(ctx: &Context, args: &SshArgs) -> Result<u8> {
    if let Some(s) = &args.tmux_session {
        validate_session_name(s).map_err(azlin_core::Error::from)?;
    }
    let settings = ctx.remote_settings(&args.remote);
    let mut target = ctx.resolve(&args.vm, &settings)?;
    if let Some(s) = &args.tmux_session {
        target.session = s.clone();
        target.session_explicit = true;
    }
    let code = open(
        ctx,
        &settings,
        &target,
        &args.command,
        args.tmux_session.is_some(),
    )?;
    Ok(code)
}

/// Runs `azlin connect`.
pub fn run_connect(ctx: &Context, args: &ConnectArgs) -> Result<u8> {
    let settings = ctx.remote_settings(&args.remote);
    let target = ctx.resolve(&args.id, &settings)?;
    open(ctx, &settings, &target, &args.command, false)
}

/// Attaches (or runs `command`). `resync` is set for `ssh --tmux-session`, which makes a
/// new session known and so refreshes the generated ssh config (DESIGN.md).
fn open(
    ctx: &Context,
    settings: &Settings,
    target: &Resolved,
    command: &[String],
    resync: bool,
) -> Result<u8> {
    let ssh = ctx.ssh_target(&target.vm)?;
    let interactive = handoff::at_terminal();
    if !command.is_empty() {
        let how = if interactive {
            Invocation::interactive(Tty::Auto)
        } else {
            Invocation::batch(settings.connect_timeout)
        }
        .keepalive(settings.keepalive);
        return handoff::replace_with(ssh.command(&how, Some(&command_line(command))));
    }
    if interactive {
        if resync {
            // ssh replaces azlin, so nothing runs after it: make the session known first.
            ctx.note_session(&target.vm, &target.session);
            ssh_config::auto_sync(ctx);
        }
        let how = Invocation::interactive(Tty::Yes).keepalive(settings.keepalive);
        return handoff::replace_with(ssh.command(&how, Some(&tmux::attach(&target.session))));
    }
    // No terminal to attach (a script, CI): make sure the session runs, and say how to
    // attach later.
    // One ssh creates the session if needed and lists the sessions for the cache.
    let after = remote::session_op(&ssh, settings, &target.session, Need::Created, "true");
    ctx.record_probe(&target.vm, &after);
    after.map_err(azlin_core::Error::from)?;
    if resync {
        ssh_config::auto_sync(ctx);
    }
    if !ctx.quiet {
        eprintln!(
            "Session `{c}` is running (created detached: no terminal here). \
             Attach with `azlin connect {c}`.",
            c = target.compound()
        );
    }
    Ok(0)
}
