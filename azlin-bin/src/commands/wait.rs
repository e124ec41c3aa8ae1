//! `azlin wait ID [--done | --idle DUR | --match RE] [--timeout DUR]`: blocks until a
//! session's job has finished, its output has gone quiet, or its screen shows a pattern,
//! looking at the pane every `--interval` over the shared connection.

use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::Result;
use azlin_core::pane::{self, Capture, Condition, Request};
use azlin_core::remote::RemoteError;
use clap::Args;

use crate::cli::{RemoteArgs, duration};
use crate::commands::name_args::TargetId;
use crate::context::{Context, UsageError};

pub const WAIT_HELP: &str = "\
Conditions (one of them; --done is the default):
  --done        the job in the pane has finished: the pane's shell is back in the
                foreground (in a pane started with its own command: that command exited);
                returns at once when no job runs
  --idle DUR    the pane has shown no new output for DUR, counted from when wait starts
  --match RE    the visible screen shows the regular expression RE (Rust regex syntax)

wait looks at the pane every --interval (default 2s) over the shared connection; nothing
runs on the VM between looks. When the condition holds it prints the pane's last lines
(-n) and exits 0; at --timeout it prints what it saw last and exits 1 (bad input: 2).
A VM that stops answering is retried until the timeout. Durations: 90, 30s, 5m, 8h, 1h30m.

Examples:
  azlin wait gpu1:train --timeout 8h && notify-send done
  azlin wait myvm:build --match 'Finished|error' --timeout 30m
  azlin wait myvm:dev --idle 5m";

/// `azlin wait`.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The session: `vm:session`, `:session`, a session name…
    #[arg(value_name = "ID")]
    pub id: TargetId,
    /// Until the job in the pane has finished (the default)
    #[arg(long, group = "condition")]
    pub done: bool,
    /// Until the pane has shown no new output for DUR (90, 30s, 5m…)
    #[arg(long, value_name = "DUR", group = "condition", value_parser = duration)]
    pub idle: Option<std::time::Duration>,
    /// Until the visible screen matches the regular expression RE
    #[arg(long = "match", value_name = "RE", group = "condition")]
    pub pattern: Option<String>,
    /// Give up after DUR with exit status 1 [default: no limit]
    #[arg(long, value_name = "DUR", value_parser = duration)]
    pub timeout: Option<std::time::Duration>,
    /// How often to look at the pane
    #[arg(long, value_name = "DUR", default_value = "2s", value_parser = duration)]
    pub interval: std::time::Duration,
    /// Lines of the pane to print at the end
    #[arg(short = 'n', long = "lines", value_name = "LINES", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(0..=i64::from(azlin_core::pane::MAX_LINES)))]
    pub lines: u32,
    /// Seconds to wait for the VM to answer each look (ssh ConnectTimeout)
    #[arg(long, value_name = "SECS", default_value_t = 10, env = "AZLIN_TIMEOUT",
          value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub connect_timeout: u32,
}

/// Runs `azlin wait`.
pub fn run(ctx: &Context, args: &WaitArgs) -> Result<u8> {
    let condition = match (&args.pattern, args.idle) {
        (Some(re), _) => Condition::matching(re).map_err(UsageError)?,
        (None, Some(d)) => Condition::Idle(d),
        (None, None) => Condition::Done,
    };
    let settings = ctx.remote_settings(&RemoteArgs {
        timeout: args.connect_timeout,
    });
    let target = ctx.run.resolve(&args.id, &settings)?;
    let ssh = ctx.run.ssh_target(&target.vm)?;
    let compound = azlin_core::text::escape(&target.compound()).into_owned();
    let req = Request {
        history: args.lines,
        escapes: false,
        joined: true,
        foreground: condition.needs_foreground(),
    };
    let deadline = args.timeout.map(|t| Instant::now() + t);
    let mut last: Option<Capture> = None;
    let mut quiet_since = Instant::now();
    let mut told_unreachable = false;
    loop {
        match pane::capture(&ssh, &settings, &target.session, req) {
            Ok(now) => {
                let changed = last.as_ref().is_some_and(|l| {
                    (&l.rows, l.history_size, l.cursor_y)
                        != (&now.rows, now.history_size, now.cursor_y)
                });
                if changed {
                    quiet_since = Instant::now();
                }
                let met = condition.met(&now, quiet_since);
                last = Some(now);
                if met {
                    print_last(last.as_ref(), args.lines);
                    return Ok(0);
                }
            }
            // The session ended: its job is certainly done; nothing else can still show.
            Err(RemoteError::NoSuchSession { .. }) if last.is_some() => {
                if matches!(condition, Condition::Done) {
                    ctx.warn(&format!("session `{compound}` ended"));
                    print_last(last.as_ref(), args.lines);
                    return Ok(0);
                }
                anyhow::bail!("session `{compound}` ended before the condition was met");
            }
            // A VM that stops answering for a while (a network blip, a reboot) is asked
            // again until the timeout.
            Err(e @ RemoteError::Unreachable { .. }) => {
                if !told_unreachable {
                    ctx.warn(&format!("{e}; still trying"));
                    told_unreachable = true;
                }
            }
            Err(e) => return Err(azlin_core::Error::from(e).into()),
        }
        let pause = match deadline {
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    eprintln!(
                        "wait: `{compound}`: timed out after {}; the pane showed last:",
                        humantime_secs(args.timeout.unwrap_or_default())
                    );
                    print_last(last.as_ref(), args.lines);
                    return Ok(1);
                }
                left.min(args.interval)
            }
            None => args.interval,
        };
        std::thread::sleep(pause);
    }
}

/// Prints the last `lines` lines of the last capture, as `peek` would.
fn print_last(capture: Option<&Capture>, lines: u32) {
    let Some(c) = capture else { return };
    let mut stdout = std::io::stdout().lock();
    for row in c.last_lines(lines as usize) {
        let _ = writeln!(stdout, "{}", pane::shown_row(&row, false));
    }
}

/// A duration in whole seconds, as the user wrote such durations (`90s`).
fn humantime_secs(d: Duration) -> String {
    format!("{}s", d.as_secs())
}
