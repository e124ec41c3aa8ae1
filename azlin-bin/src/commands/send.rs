//! `azlin send ID… [--enter] [--keys] -- TEXT…`: types text (or presses tmux keys) in
//! sessions' active panes without attaching.

use anyhow::Result;
use azlin_core::pane::{self, Keys};
use azlin_core::parallel;
use clap::Args;

use crate::cli::RemoteArgs;
use crate::commands::name_args::{TargetId, strings};
use crate::context::{Context, UsageError};

pub const SEND_HELP: &str = "\
TEXT is typed as it is (tmux send-keys -l): quotes, `$`, `;` and newlines reach the
program in the pane literally and nothing else runs on the VM. Several words are joined
with spaces. --enter presses Enter after the text; --keys takes tmux key names instead
(C-c, Up, Enter, Escape, F5…). A missing session is an error that lists the VM's sessions.

Examples:
  azlin send myvm:dev --enter -- make test
  azlin send myvm:dev --keys -- C-c
  azlin send vm1:ci vm2:ci --enter -- git pull";

/// `azlin send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// Sessions to type into: `vm:session`, `:session`, a session name…
    #[arg(value_name = "ID", required = true)]
    pub targets: Vec<TargetId>,
    /// Press Enter after the text
    #[arg(long)]
    pub enter: bool,
    /// TEXT is tmux key names (C-c, Up, Enter…), pressed in order
    #[arg(long, conflicts_with = "enter")]
    pub keys: bool,
    /// What to type, after `--`
    #[arg(last = true, value_name = "TEXT")]
    pub text: Vec<String>,
    /// Connection settings.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// Runs `azlin send`.
pub fn run(ctx: &Context, args: &SendArgs) -> Result<u8> {
    let keys = if args.keys {
        if args.text.is_empty() {
            return Err(UsageError(
                "--keys needs key names after `--` (`azlin send vm:s --keys -- C-c`)".into(),
            )
            .into());
        }
        Keys::Named(args.text.clone())
    } else {
        if args.text.is_empty() && !args.enter {
            return Err(UsageError(
                "nothing to send: give the text after `--` (`azlin send vm:s --enter -- make`)"
                    .into(),
            )
            .into());
        }
        Keys::Text {
            text: args.text.join(" "),
            enter: args.enter,
        }
    };
    let settings = ctx.remote_settings(&args.remote);
    let targets = ctx.run.resolve_all(&strings(&args.targets), &settings)?;
    let results = parallel::fan_out(&targets, settings.jobs, |t| {
        ctx.run
            .ssh_target(&t.vm)
            .map_err(|e| e.to_string())
            .and_then(|ssh| {
                pane::send(&ssh, &settings, &t.session, &keys).map_err(|e| e.to_string())
            })
    });
    if let [Err(why)] = results.as_slice() {
        anyhow::bail!("{why}");
    }
    let failed: Vec<(String, String)> = targets
        .iter()
        .zip(results)
        .filter_map(|(t, r)| r.err().map(|why| (t.compound(), why)))
        .collect();
    if failed.is_empty() {
        return Ok(0);
    }
    eprintln!(
        "send: sent to {} of {} sessions; failed:",
        targets.len() - failed.len(),
        targets.len()
    );
    eprint!("{}", crate::output::failure_lines(&failed));
    Ok(1)
}
