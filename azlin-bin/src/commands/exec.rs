//! `azlin exec`: run a command (or a script on stdin) in sessions, in the active pane's
//! directory with `AZLIN_VM`/`AZLIN_SESSION` set. One target: azlin becomes the ssh
//! process, so status and signals pass through. Several targets: at most `--jobs` at
//! once, each output line prefixed with its target, then a summary.

use std::io::{IsTerminal, Read, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

use anyhow::Result;
use azlin_core::parallel;
use azlin_core::process::{self, Stream};
use azlin_core::remote::{self, Settings, StderrReading};
use azlin_core::run::{Fleet, FleetSessions, Gates, Resolved};
use azlin_core::ssh::{self, Tty, command_line};
use azlin_core::tmux::{self, Guard, Need};
use clap::Args;

use crate::cli::RemoteArgs;
use crate::commands::name_args::{TargetId, strings};
use crate::context::{Context, UsageError};
use crate::handoff;

pub const EXEC_HELP: &str = "\
Forms:
  azlin exec ID \"CMD\"            CMD is a shell command line
  azlin exec ID... -- CMD...     several words: each is passed as it is;
                                 one word: a shell command line, as above
  azlin exec ID <<'EOF'          no CMD: stdin is the script
  azlin exec -i ID -- CMD... <f  -i: CMD reads stdin (otherwise it gets none, so
                                 `while read ...; do azlin exec ...; done` loops work)
  azlin exec --all -- CMD...     every VM; --tag K=V narrows

Several targets run at once (--jobs); each output line is prefixed with its target and a
summary of failures follows. With one target azlin exits with the command's status.

Examples:
  azlin exec myvm:dev \"git pull && make\"
  azlin exec myvm:staging <<'EOF'
      cd /app && ./deploy.sh
  EOF
  azlin exec vm1:ci vm2:ci -- pytest -x
  azlin exec myvm:dev --detach -- ./long-job.sh";

/// `azlin exec`.
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Targets (`vm:session`, …), then the command as one string when there is no `--`
    #[arg(value_name = "ID")]
    pub targets: Vec<TargetId>,
    /// The command: several words are passed each as it is; one word is a command line
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
    /// Give the command a terminal (ssh -t)
    #[arg(short = 't', long = "tty")]
    pub tty: bool,
    /// Pass stdin on to the command (as `kubectl exec -i`); without it a command gets
    /// none, so `while read …; do azlin exec …; done < file` reads every line
    #[arg(short = 'i', long = "stdin", conflicts_with = "no_stdin")]
    pub stdin: bool,
    /// Do not pass stdin on (ssh -n): the default when there is a command; kept for
    /// scripts that say it
    #[arg(short = 'n', long = "no-stdin")]
    pub no_stdin: bool,
    /// Create a named session that does not exist yet
    #[arg(long)]
    pub create: bool,
    /// Start the command in a new window of the session and return at once
    #[arg(long)]
    pub detach: bool,
    /// Every VM with this tag, KEY=VALUE (repeatable: all must match)
    #[arg(long = "tag", value_name = "K=V")]
    pub tags: Vec<String>,
    /// Every VM
    #[arg(long)]
    pub all: bool,
    /// How many targets run at once
    #[arg(long, short = 'j', value_name = "N",
          default_value_t = azlin_core::parallel::DEFAULT_JOBS as u16,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,
    /// Connection settings.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// Runs `azlin exec`.
pub fn run(ctx: &Context, args: &ExecArgs) -> Result<u8> {
    let mut settings = ctx.remote_settings(&args.remote);
    let (ids, command) = split_command(args)?;
    if command.is_none() {
        if args.no_stdin {
            return Err(UsageError(
                "--no-stdin needs a command: without one, stdin is the script".into(),
            )
            .into());
        }
        if std::io::stdin().is_terminal() {
            return Err(UsageError(
                "no command to run: give it after the target (`azlin exec vm:s \"make\"`), \
                 after `--`, or as a script on stdin (`azlin exec vm:s <<'EOF'`)"
                    .into(),
            )
            .into());
        }
        if args.detach {
            return Err(UsageError(
                "--detach needs a command: `azlin exec vm:s --detach -- CMD…`".into(),
            )
            .into());
        }
    }
    // Resolving may probe the fleet (every VM at once); the command's own fan-out is
    // bounded by --jobs.
    let targets = targets(ctx, args, &ids, &settings)?;
    settings.jobs = usize::from(args.jobs);
    if args.tty && (targets.len() > 1 || args.detach) {
        return Err(UsageError(
            "-t/--tty needs exactly one target and no --detach: a terminal cannot be shared".into(),
        )
        .into());
    }
    if targets.len() == 1 && !args.detach {
        return single(ctx, args, &settings, &targets[0], command.as_deref());
    }
    many(ctx, args, &settings, &targets, command.as_deref())
}

/// Whether the remote side gets azlin's stdin: when it is the script (no command) or
/// with `-i` or `-t` (a terminal is interactive); DESIGN.md: so a `while read` loop around
/// `azlin exec` keeps its input.
fn passes_stdin(args: &ExecArgs, command: Option<&str>) -> bool {
    command.is_none() || args.stdin || args.tty
}

/// Which positionals are targets and what the command is (DESIGN.md: `exec ID "CMD"`,
/// `exec ID… -- CMD…`, or no command: stdin is the script).
fn split_command(args: &ExecArgs) -> Result<(Vec<String>, Option<String>)> {
    let fleet_wide = args.all || !args.tags.is_empty();
    let no_target = || -> anyhow::Error {
        UsageError(
            "name a target (`azlin exec myvm:dev \"CMD\"`), or use --all or --tag K=V".into(),
        )
        .into()
    };
    if !args.command.is_empty() {
        if args.targets.is_empty() && !fleet_wide {
            return Err(no_target());
        }
        return Ok((strings(&args.targets), Some(command_line(&args.command))));
    }
    let several = || -> anyhow::Error {
        UsageError(
            "too many arguments before the command: to run on several targets, put the \
             command after `--` (`azlin exec vm1:s vm2:s -- CMD…`)"
                .into(),
        )
        .into()
    };
    match (fleet_wide, args.targets.as_slice()) {
        (true, []) => Ok((vec![], None)),
        (true, [cmd]) => Ok((vec![], Some(cmd.to_string()))),
        (false, []) => Err(no_target()),
        (false, [id]) => Ok((vec![id.to_string()], None)),
        (false, [id, cmd]) => Ok((vec![id.to_string()], Some(cmd.to_string()))),
        _ => Err(several()),
    }
}

/// The targets: the named ones, then (with `--all`/`--tag`) the default session of every
/// running VM that matches; each once (see [`azlin_core::run::Run::targets`]).
fn targets(
    ctx: &Context,
    args: &ExecArgs,
    ids: &[String],
    settings: &Settings,
) -> Result<Vec<Resolved>> {
    let fleet = (args.all || !args.tags.is_empty()).then_some(Fleet {
        tags: &args.tags,
        sessions: FleetSessions::Default,
    });
    Ok(ctx.run.targets(ids, fleet, settings)?.targets)
}

fn single(
    ctx: &Context,
    args: &ExecArgs,
    settings: &Settings,
    target: &Resolved,
    command: Option<&str>,
) -> Result<u8> {
    let ssh = ctx.run.ssh_target(&target.vm)?;
    // Other `azlin exec` to this VM may run at the same time (`for …; do azlin exec … &`).
    let mut how = settings.invocation_to(&ssh);
    if args.tty {
        how.tty = Tty::Yes;
        how.batch = false;
    }
    // The session check runs in the same ssh as the command, saying azlin's error
    // itself when it fails: azlin is ssh by then.
    let need = Need::for_exec(args.create, target.session_explicit, args.detach);
    let on = remote::failure_saying(&target.vm.name, &target.session);
    let remote = tmux::exec_command(
        &target.vm.name,
        &target.session,
        need.map(|n| (n, &on)),
        command,
        false,
    );
    let mut cmd = ssh.command(&how, Some(&remote));
    if !passes_stdin(args, command) {
        cmd.stdin(std::process::Stdio::null());
    }
    handoff::replace_with(cmd)
}

fn many(
    ctx: &Context,
    args: &ExecArgs,
    settings: &Settings,
    targets: &[Resolved],
    command: Option<&str>,
) -> Result<u8> {
    // Several targets cannot share one stdin: read the script once and give each a copy.
    let script = match passes_stdin(args, command) {
        false => None,
        true => {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf)?;
            Some(buf)
        }
    };
    let progress =
        crate::diag::Progress::start(format!("exec on {} targets:", targets.len()), targets.len());
    let gates = Gates::of(targets);
    let endings = parallel::fan_out(targets, settings.jobs, |target| {
        let ending = (|| {
            let label = target.compound();
            let ssh = match ctx.run.ssh_target(&target.vm) {
                Ok(s) => s,
                Err(e) => return Err(e.to_string()),
            };
            // The first target on a VM sets its shared connection up; the others on that
            // VM start once it is (its first line), and share it.
            let first = gates.first(target);
            if first.is_none() {
                gates.wait(target, settings);
            }
            // The session check goes in front of the command: one ssh per target, not a
            // probe and then the command (each a connection's worth of round trips).
            let guard = Guard::new();
            let need = Need::for_exec(args.create, target.session_explicit, args.detach);
            // What stderr says for azlin (the guard's markers, ssh's reason) is read in
            // the core; the lines shown are the rest.
            let reading = Mutex::new(StderrReading::new(
                need.map(|_| (&guard, target.session.as_str())),
            ));
            // The first line that says the remote side is up is azlin's, not the command's.
            let ready = AtomicBool::new(false);
            let sink = |stream: Stream, line: &str| match stream {
                Stream::Stdout if line == ssh::READY_LINE && !ready.swap(true, Relaxed) => {
                    if let Some(gate) = first {
                        gate.open();
                    }
                }
                // Lines go above the progress indicator, not through it.
                Stream::Stdout => crate::diag::above_progress(|| {
                    let _ = writeln!(std::io::stdout().lock(), "[{label}] {line}");
                }),
                Stream::Stderr => {
                    let azlins = reading.lock().map(|mut r| r.line(line)).unwrap_or(false);
                    if !azlins {
                        crate::diag::above_progress(|| {
                            let _ = writeln!(std::io::stderr().lock(), "[{label}] {line}");
                        });
                    }
                }
            };
            let on = guard.on_failure();
            let remote = tmux::exec_command(
                &target.vm.name,
                &target.session,
                need.map(|n| (n, &on)),
                command,
                args.detach,
            );
            let cmd = ssh.command(
                &settings.invocation_to(&ssh),
                Some(&ssh::announced(&remote)),
            );
            // Only the connection has a deadline: a silent command runs as long as it
            // needs, while ssh's keepalives end a connection whose peer froze.
            let bounds = process::Bounds {
                first_output: Some(settings.first_output()),
                ..process::Bounds::default()
            };
            let done = process::run_limited(cmd, script.as_deref(), bounds, Some(&sink));
            if let Some(gate) = first {
                gate.open();
            }
            let reading = reading.into_inner().unwrap_or_else(|p| p.into_inner());
            let ending = match done {
                Ok(done) => reading.ending(&target.vm.name, Ok(&done)),
                Err(e) => reading.ending(&target.vm.name, Err(e)),
            };
            ending.failure(settings).map_or(Ok(()), Err)
        })();
        progress.done(ending.is_ok());
        ending
    });
    progress.finish();
    let failed: Vec<(String, String)> = targets
        .iter()
        .zip(endings)
        .filter_map(|(t, e)| e.err().map(|why| (t.compound(), why)))
        .collect();
    let verb = if args.detach {
        "started on"
    } else {
        "succeeded on"
    };
    if failed.is_empty() {
        if !ctx.quiet {
            eprintln!(
                "exec: {verb} {} of {} targets",
                targets.len(),
                targets.len()
            );
        }
        return Ok(0);
    }
    eprintln!(
        "exec: {verb} {} of {} targets; failed:",
        targets.len() - failed.len(),
        targets.len()
    );
    eprint!("{}", crate::output::failure_lines(&failed));
    Ok(1)
}
