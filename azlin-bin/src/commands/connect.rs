//! `azlin ssh VM [--tmux-session S] [-- CMD…]` and `azlin connect ID [-- CMD…]`: attach
//! to (or create) a tmux session, or run a command, by handing the terminal to ssh.

use std::io::{Read, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use azlin_core::name::validate_session_name;
use azlin_core::reconnect::{self, Attempt, Attempted, ConnectedMarker, Driver, Stop};
use azlin_core::remote::{self, Settings};
use azlin_core::run::Resolved;
use azlin_core::ssh::{Invocation, SshTarget, Tty, command_line};
use azlin_core::tmux::{self, Need};
use clap::Args;

use crate::cli::{RemoteArgs, duration};
use crate::commands::name_args::{TargetId, VmArg};
use crate::commands::ssh_config;
use crate::context::Context;
use crate::handoff;

pub const SSH_HELP: &str = "\
A session that does not exist yet is created (`created new session …` on stderr).
Without a terminal (scripts, CI), or with --detach, the session is created detached and
azlin returns, saying how to attach. At a
terminal azlin stays the parent of ssh and attaches again by itself after a lost
connection (keepalives notice a dead link within about 45 s; retries 1 s … 30 s apart);
it stops on a detach, the session's end, or a failure no retry fixes (--no-reconnect:
azlin becomes ssh).

Examples:
  azlin ssh myvm                          # session `azlin`
  azlin ssh myvm --tmux-session feature-auth
  azlin ssh myvm --tmux-session build --detach   # create it, do not attach
  azlin ssh myvm -- df -h                 # a command instead of tmux";

pub const CONNECT_HELP: &str = "\
A named session that does not exist is created (`created new session …` on stderr),
unless one of a close name exists: then azlin refuses with `did you mean myvm:dev?`, in
case of a typo (--create makes it anyway). Without a terminal azlin makes sure the session
runs and says how to attach. At a terminal azlin stays the parent of ssh and attaches again by itself after a lost
connection, showing one status line while it waits (1 s, 2 s, 4 s … up to 30 s); it stops
on a detach (C-b d), when the session ends, on a failure no retry fixes (authentication,
host key, unknown host), after --reconnect-for (default 1h), or on Ctrl-C (exit 130).

Examples:
  azlin connect myvm:dev      # exact
  azlin connect dev           # the one VM that has session `dev`
  azlin connect my-project    # a VM label
  azlin connect myvm -- uptime";

/// `azlin ssh`.
#[derive(Debug, Args)]
pub struct SshArgs {
    /// The VM (name, label or IP; `vm:session` works too)
    #[arg(value_name = "VM")]
    pub vm: VmArg,
    /// The tmux session to attach to or create (default: `azlin`)
    #[arg(long, value_name = "S", value_hint = clap::ValueHint::Other)]
    pub tmux_session: Option<String>,
    /// Create the session if needed and return without attaching (for scripts that set up
    /// several sessions)
    #[arg(long)]
    pub detach: bool,
    /// How a lost connection is handled.
    #[command(flatten)]
    pub reconnect: ReconnectArgs,
    /// A command to run instead of tmux (one word: a command line; several: words)
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
    /// Connection settings.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// Whether and how long an interactive attach reattaches after a lost connection.
#[derive(Debug, Clone, Args)]
pub struct ReconnectArgs {
    /// Hand the terminal to ssh and end with it (no reattaching after a lost connection)
    #[arg(long)]
    pub no_reconnect: bool,
    /// Keep trying to reattach for this long after a loss [default: 1h, or
    /// connect.reconnect_for in config.toml]
    #[arg(long, value_name = "DUR", value_parser = duration, conflicts_with = "no_reconnect")]
    pub reconnect_for: Option<std::time::Duration>,
}

/// `azlin connect`.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// Where to: `vm:session`, `vm:`, `:session`, `vm--session`, or a name
    #[arg(value_name = "ID")]
    pub id: TargetId,
    /// Create the named session even when one of a close name exists (without it azlin
    /// refuses, in case the name is a typo)
    #[arg(long)]
    pub create: bool,
    /// How a lost connection is handled.
    #[command(flatten)]
    pub reconnect: ReconnectArgs,
    /// A command to run instead of tmux (one word: a command line; several: words)
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
    /// Connection settings.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// Runs `azlin ssh`.
pub fn run_ssh(ctx: &Context, args: &SshArgs) -> Result<u8> {
    if let Some(s) = &args.tmux_session {
        validate_session_name(s).map_err(azlin_core::Error::from)?;
    }
    let settings = ctx.remote_settings(&args.remote);
    let mut target = ctx.run.resolve(&args.vm, &settings)?;
    if let Some(s) = &args.tmux_session {
        target.session = s.clone();
        target.session_explicit = true;
    }
    let how = How {
        resync: args.tmux_session.is_some(),
        // `ssh --tmux-session` is the guides' way to create sessions (`test-1` … `test-5`,
        // `feature-auth` and `feature_auth`): close names are deliberate there.
        refuse_close: false,
        detach: args.detach,
    };
    let code = open(ctx, &settings, &target, &args.command, how, &args.reconnect)?;
    Ok(code)
}

/// Runs `azlin connect`.
pub fn run_connect(ctx: &Context, args: &ConnectArgs) -> Result<u8> {
    let settings = ctx.remote_settings(&args.remote);
    let target = ctx.run.resolve(&args.id, &settings)?;
    let how = How {
        resync: false,
        refuse_close: !args.create,
        detach: false,
    };
    open(ctx, &settings, &target, &args.command, how, &args.reconnect)
}

/// What `open` does besides attaching.
#[derive(Clone, Copy)]
struct How {
    /// Refresh the generated ssh config (a new session becomes known).
    resync: bool,
    /// Refuse to create a named session when one of a close name exists (a typo).
    refuse_close: bool,
    /// Create if needed, never attach.
    detach: bool,
}

/// Attaches (or runs `command`). `resync` is set for `ssh --tmux-session`, which makes a
/// new session known and so refreshes the generated ssh config (DESIGN.md).
fn open(
    ctx: &Context,
    settings: &Settings,
    target: &Resolved,
    command: &[String],
    how: How,
    reconnect: &ReconnectArgs,
) -> Result<u8> {
    let resync = how.resync;
    let ssh = ctx.run.ssh_target(&target.vm)?;
    let interactive = handoff::at_terminal() && !how.detach;
    if !command.is_empty() {
        let how = if interactive {
            Invocation::interactive(Tty::Auto).keepalive(settings.keepalive)
        } else {
            // Like every non-interactive ssh to a VM: it claims the shared connection.
            settings.invocation_to(&ssh)
        };
        return handoff::replace_with(ssh.command(&how, Some(&command_line(command))));
    }
    let existed = ctx.run.session_state(target, settings, how.refuse_close)?;
    if interactive {
        if existed == Some(false) && !ctx.quiet {
            eprintln!("created new session `{}`", target.compound());
        }
        if resync {
            // ssh replaces azlin, so nothing runs after it: make the session known first.
            ctx.run.note_session(&target.vm, &target.session);
            ssh_config::auto_sync(ctx);
        }
        if let Some(keep_trying) = reconnect_for(ctx, reconnect) {
            return attach_surviving(settings, target, &ssh, keep_trying);
        }
        let how = Invocation::interactive(Tty::Yes).keepalive(settings.keepalive);
        return handoff::replace_with(ssh.command(&how, Some(&tmux::attach(&target.session))));
    }
    // No terminal to attach (a script, CI): make sure the session runs, and say how to
    // attach later.
    // One ssh creates the session if needed and lists the sessions for the cache.
    ctx.run
        .session_op(target, settings, Need::Created, "true")?;
    if resync {
        ssh_config::auto_sync(ctx);
    }
    if !ctx.quiet {
        let what = match existed {
            Some(false) => "created new session",
            Some(true) => "session",
            None => "session",
        };
        let state = match existed {
            Some(true) => "was already running",
            _ => "is running",
        };
        let why = if how.detach {
            "--detach"
        } else {
            "no terminal here to attach"
        };
        eprintln!(
            "{what} `{c}` {state}, detached ({why}). Attach from a terminal with \
             `azlin connect {c}` or `ssh -t {alias}`.",
            c = target.compound(),
            alias = azlin_core::name::ssh_alias(&target.vm.name, &target.session),
        );
    }
    Ok(0)
}

/// How long to keep reattaching after a lost connection; `None` with `--no-reconnect` or
/// `connect.reconnect = false` (then azlin becomes ssh, as before).
fn reconnect_for(ctx: &Context, args: &ReconnectArgs) -> Option<Duration> {
    if args.no_reconnect || !ctx.run.config.reconnect() {
        return None;
    }
    Some(
        args.reconnect_for
            .unwrap_or_else(|| ctx.run.config.reconnect_for()),
    )
}

/// The most of ssh's stderr kept to tell why it ended.
const STDERR_TAIL: usize = 8 * 1024;

/// Attaches to `target`'s session at the terminal and stays the parent of ssh, reattaching
/// after a lost connection by the core's policy ([`reconnect::Driver`]): this spawns each
/// ssh, shows the status line while the driver waits, and says why it stopped.
fn attach_surviving(
    settings: &Settings,
    target: &Resolved,
    ssh: &SshTarget,
    keep_trying: Duration,
) -> Result<u8> {
    let marker = ConnectedMarker::new().context("cannot create a temporary directory")?;
    let terminal = handoff::TerminalState::save();
    let vm = &target.vm.name;
    let attempt = |a: Attempt| -> Result<Attempted> {
        // Keepalives (unless the user's own config sets them) notice a dead link.
        let mut how = Invocation::interactive(Tty::Yes).keepalive(settings.keepalive);
        how.options = marker.ssh_options();
        let attach = if a.reattach {
            tmux::reattach(&target.session)
        } else {
            tmux::attach(&target.session)
        };
        if let Some(t) = a.connect_timeout {
            how.connect_timeout = Some(t);
        }
        let mut cmd = ssh.command(&how, Some(&attach));
        cmd.stderr(Stdio::piped());
        crate::diag::clear();
        let log = azlin_core::diag::CommandLog::start(&cmd);
        let mut child = cmd.spawn().with_context(|| {
            format!(
                "cannot run the ssh client `{}`: install OpenSSH, or set AZLIN_SSH",
                cmd.get_program().to_string_lossy()
            )
        })?;
        // The first attempt shows ssh's messages as they come, as ssh alone would; a
        // reattach keeps them until it is known whether they matter.
        let live = !a.reattach;
        let stderr = child.stderr.take();
        let tail = std::thread::spawn(move || relay_stderr(stderr, live));
        let status = child.wait().context("waiting for ssh")?;
        let said = tail.join().unwrap_or_default();
        log.finish(|| azlin_core::diag::exit_outcome(Some(status)));
        terminal.restore();
        let connected = marker.take();
        tracing::info!(
            target: azlin_core::diag::COMMAND,
            "reconnect: ssh to {vm} ended {} ({})",
            azlin_core::diag::exit_outcome(Some(status)),
            if connected { "had connected" } else { "did not connect" }
        );
        Ok(Attempted {
            status: status.code(),
            stderr: said,
            connected,
        })
    };
    let pause = |attempts: u32, delay: Duration| {
        let line = reconnect::status_line(vm, attempts, delay);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[K{line}");
        let _ = err.flush();
        drop(err);
        // Ctrl-C here ends azlin at once (SIGINT's default: exit status 130).
        std::thread::sleep(delay);
    };
    let driver = Driver::new(keep_trying, remote::DEFAULT_CONNECT_TIMEOUT);
    let stop = driver.run(attempt, pause, Instant::now)?;
    match &stop {
        Stop::Finished { held, .. } => {
            if let Some(said) = held {
                print_held(said);
            }
        }
        Stop::Fatal { why, held } => {
            if let Some(said) = held {
                print_held(said);
            }
            eprintln!("azlin: {why}; not reconnecting to {vm}");
        }
        Stop::GaveUp { after } => eprintln!(
            "\nazlin: gave up reconnecting to {vm} after {} s (--reconnect-for)",
            after.as_secs()
        ),
    }
    Ok(stop.exit_code())
}

/// Copies ssh's stderr to azlin's as it comes (`live`), or keeps it; returns its tail.
fn relay_stderr(stderr: Option<std::process::ChildStderr>, live: bool) -> String {
    let Some(mut pipe) = stderr else {
        return String::new();
    };
    let mut tail: Vec<u8> = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = pipe.read(&mut buf) {
        if n == 0 {
            break;
        }
        if live {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(&buf[..n]);
            let _ = err.flush();
        }
        tail.extend_from_slice(&buf[..n]);
        if tail.len() > STDERR_TAIL {
            tail.drain(..tail.len() - STDERR_TAIL);
        }
    }
    String::from_utf8_lossy(&tail).into_owned()
}

/// Prints what a reattach attempt's ssh said, held back until it mattered.
fn print_held(said: &str) {
    eprint!("\r\x1b[K{said}");
}
