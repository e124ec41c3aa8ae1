//! `azlin help [COMMAND]` and the plugin section of `azlin --help`.

use std::ffi::OsString;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, GlobalArgs, HelpArgs};
use crate::commands::plugin;

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

/// Whether this command line asks for azlin's own help (`azlin`, `azlin -h`,
/// `azlin -v --help`), the only case where the plugin section is worth computing.
pub fn wants_top_help(args: &[OsString]) -> bool {
    let mut rest = args.iter().skip(1).map(OsString::as_os_str);
    while let Some(arg) = rest.next() {
        let Some(a) = arg.to_str() else { return false };
        match a {
            "-h" | "--help" => return true,
            "--subscription" | "--resource-group" | "--rg" => {
                rest.next();
            }
            "--verbose" | "--quiet" | "--no-color" => {}
            _ if a.starts_with("--subscription=")
                || a.starts_with("--resource-group=")
                || a.starts_with("--rg=") => {}
            _ if is_short_global_cluster(a) => {}
            _ => return false,
        }
    }
    true
}

/// `-v`, `-vv`, `-q`: short global flags, possibly clustered.
fn is_short_global_cluster(arg: &str) -> bool {
    arg.len() > 1
        && arg.starts_with('-')
        && !arg.starts_with("--")
        && arg[1..].chars().all(|c| matches!(c, 'v' | 'q'))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn wants(args: &[&str]) -> bool {
        let argv: Vec<OsString> = std::iter::once("azlin")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        wants_top_help(&argv)
    }

    #[test]
    fn only_azlins_own_help_lists_plugins() {
        for yes in [
            &[][..],
            &["--help"],
            &["-h"],
            &["-vq", "--help"],
            &["--rg", "x", "-h"],
            &["--subscription=s", "--no-color", "--help"],
        ] {
            assert!(wants(yes), "{yes:?}");
        }
        for no in [
            &["--version"][..],
            &["-V"],
            &["list"],
            &["foo", "--help"],
            &["host", "--help"],
        ] {
            assert!(!wants(no), "{no:?}");
        }
    }
}
