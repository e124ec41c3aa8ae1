//! What every command needs besides the core's [`Run`]: how the terminal is used —
//! output format and colour, warnings, the progress indicator, logging (`-v`, `-q`).

use std::sync::Mutex;

use anyhow::Result;
use azlin_core::config::Config;
use azlin_core::paths::Paths;
use azlin_core::provider::ScopeFlags;
use azlin_core::remote::Settings;
use azlin_core::run::{Events, Run};

use crate::cli::{GlobalArgs, RemoteArgs};

/// Loaded once per run and handed to the command.
pub struct Context {
    /// The core's run: files, configuration, the inventory and its policies.
    pub run: Run,
    /// Whether warnings are silenced (`-q`).
    pub quiet: bool,
    /// `-v` count.
    pub verbose: u8,
    /// `--no-color`.
    pub no_color: bool,
}

impl Context {
    /// Reads the environment and `config.toml`, printing its warnings.
    pub fn load(global: &GlobalArgs) -> Result<Context> {
        crate::diag::init(global.verbose, global.quiet, global.no_color);
        let paths = Paths::from_env().map_err(azlin_core::Error::from)?;
        let (config, warnings) =
            Config::load(&paths.config_file()).map_err(azlin_core::Error::from)?;
        let scope = ScopeFlags {
            subscription: global.subscription.clone(),
            resource_group: global.resource_group.clone(),
            all_subscriptions: false,
        };
        let terminal = Terminal {
            quiet: global.quiet,
            no_color: global.no_color,
            progress: Mutex::new(None),
        };
        let ctx = Context {
            run: Run::new(paths, config, scope, Box::new(terminal)),
            quiet: global.quiet,
            verbose: global.verbose,
            no_color: global.no_color,
        };
        for w in warnings {
            ctx.warn(&w);
        }
        Ok(ctx)
    }

    /// Prints a warning on stderr unless `-q`.
    pub fn warn(&self, message: &str) {
        if !self.quiet {
            warn_line(self.no_color, message);
        }
    }

    /// How stdout looks: a terminal or a pipe, colour or not.
    pub fn stdout_look(&self) -> crate::output::Look {
        crate::output::Look::stdout(self.no_color)
    }

    /// How remote operations connect, from the command's `--timeout`.
    pub fn remote_settings(&self, args: &RemoteArgs) -> Settings {
        self.run.remote_settings(args.timeout)
    }
}

/// The run's events on this terminal: warnings on stderr (unless `-q`), a progress
/// indicator while the fleet is probed (on a terminal only), the end of the count of
/// Azure requests that `-v` logs.
struct Terminal {
    quiet: bool,
    no_color: bool,
    progress: Mutex<Option<crate::diag::Progress>>,
}

impl Terminal {
    fn progress(&self) -> std::sync::MutexGuard<'_, Option<crate::diag::Progress>> {
        self.progress.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Events for Terminal {
    fn warn(&self, message: &str) {
        if !self.quiet {
            warn_line(self.no_color, message);
        }
    }

    fn probe_started(&self, vms: usize) {
        // A probe can take up to the timeout: show it.
        *self.progress() = Some(crate::diag::Progress::start(
            format!("probing {vms} VMs for tmux sessions…"),
            vms,
        ));
    }

    fn probe_done(&self, ok: bool) {
        if let Some(p) = self.progress().as_ref() {
            p.done(ok);
        }
    }

    fn probe_finished(&self) {
        if let Some(p) = self.progress().take() {
            p.finish();
        }
    }

    fn loaded(&self) {
        // Each request was logged as it was sent (azlin_core::diag); end the counter.
        crate::diag::end_requests();
    }
}

/// Bad input found by the binary itself (exit 2), e.g. arguments that contradict.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Prints `warning: MESSAGE` on stderr, the prefix yellow on a terminal, the message
/// through [`crate::output::message`].
pub fn warn_line(no_color: bool, message: &str) {
    use crate::output::{Look, Paint, paint};
    crate::diag::above_progress(|| {
        eprintln!(
            "{} {}",
            paint(Look::stderr(no_color), "warning:", Paint::Yellow),
            crate::output::message(message)
        )
    });
}
