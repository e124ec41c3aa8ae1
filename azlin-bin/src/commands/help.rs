//! `azlin help [COMMAND]` and the plugin section of `azlin --help`.

use std::ffi::OsString;

use anyhow::Result;
use clap::{Args, CommandFactory};

use crate::cli::{Cli, GlobalArgs};
use crate::commands::plugin;

/// `azlin help`.
#[derive(Debug, Args)]
pub struct HelpArgs {
    /// A command (`host add`) or a plugin's name
    #[arg(value_name = "COMMAND")]
    pub command: Vec<OsString>,
}

/// Runs `azlin help [COMMAND…]`: azlin's help, a built-in command's help, or
/// `azlin-NAME --help` for a plugin.
pub fn run(global: &GlobalArgs, args: &HelpArgs) -> Result<u8> {
    let Some(first) = args.command.first() else {
        with_plugins(Cli::command()).print_help()?;
        return Ok(0);
    };
    let is_builtin = first
        .to_str()
        .is_some_and(|f| plugin::builtins().iter().any(|b| b == f));
    if is_builtin {
        let mut argv: Vec<OsString> = vec!["azlin".into()];
        argv.extend(args.command.iter().cloned());
        argv.push("--help".into());
        // clap prints the help and exits 0 (or reports an unknown sub-subcommand).
        match Cli::command().try_get_matches_from(argv) {
            Err(e) => e.exit(),
            Ok(_) => return Ok(0),
        }
    }
    plugin::dispatch(global, first, vec!["--help".into()])
}

/// azlin's command definition with the plugins found listed after the built-ins.
pub fn with_plugins(cmd: clap::Command) -> clap::Command {
    let section = match plugin::discover() {
        Ok(found) if !found.plugins.is_empty() => {
            let width = found.names().map(str::len).max().unwrap_or(0);
            let mut text = String::from("Plugins (`azlin plugin list` for details):");
            for p in &found.plugins {
                let note = if p.builtin {
                    " (a built-in takes this name: `azlin plugin exec`)"
                } else {
                    ""
                };
                text.push_str(&format!(
                    "\n  {:<width$}  {}{note}",
                    p.name,
                    azlin_core::text::Escaped(&p.path.to_string_lossy())
                ));
            }
            text
        }
        _ => "Plugins: none found. An executable `azlin-NAME` in $AZLIN_HOME/plugins or on \
              PATH becomes `azlin NAME`."
            .to_string(),
    };
    cmd.after_help(section)
}
