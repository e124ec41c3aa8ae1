//! `azlin send ID… [--enter] [--keys] -- TEXT…`: types text (or presses tmux keys) in
//! sessions' active panes without attaching.

use anyhow::Result;
use azlin_core::fleet;
use azlin_core::pane::{self, Keys};

use crate::cli::SendArgs;
use crate::context::{Context, UsageError};

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
    let targets = ctx.resolve_all(&args.targets, &settings)?;
    let results = fleet::fan_out(&targets, settings.jobs, |t| {
        ctx.ssh_target(&t.vm)
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
