//! `azlin NAME …` for a NAME that is no built-in, `azlin plugin list`, `azlin plugin exec`.
//!
//! None of this loads `config.toml`: a plugin must start fast and must not be blocked by
//! a config file it does not read.

pub mod exec;
pub mod list;

use std::ffi::{OsStr, OsString};

use anyhow::Result;
use azlin_core::paths::Paths;
use azlin_core::plugin::dispatch::{DEPTH_VAR, Globals};
use azlin_core::plugin::{self, Discovery, Invocation, PluginError, SearchPath};
use clap::{CommandFactory, Subcommand};

use crate::cli::{Cli, GlobalArgs};
use exec::PluginExecArgs;
use list::PluginListArgs;

pub const PLUGIN_HELP: &str = "\
`azlin NAME ARGS…` runs the first `azlin-NAME` found in $AZLIN_PLUGIN_PATH,
$AZLIN_HOME/plugins, then the absolute directories of PATH, when NAME is no built-in.
Global options given before NAME reach it as AZLIN_VERBOSE, AZLIN_QUIET, AZLIN_NO_COLOR,
AZLIN_SUBSCRIPTION and AZLIN_RESOURCE_GROUP; see plugins/README.md for the whole protocol.

Examples:
  azlin plugin list
  azlin -v plugin list --json
  azlin plugin exec health";

/// `azlin plugin …`.
#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// List the plugins found, warning about broken ones (exit 1 when it warned).
    /// With -v, ask each for its version and description (2 s limit, cached)
    List(PluginListArgs),
    /// Run a plugin, even one whose name a built-in command takes
    Exec(PluginExecArgs),
}

/// Runs `azlin plugin …`.
pub fn run(global: &GlobalArgs, cmd: PluginCommand) -> Result<u8> {
    match cmd {
        PluginCommand::List(args) => list::run(global, &args),
        PluginCommand::Exec(args) => exec::run(global, args),
    }
}

/// Runs `azlin NAME ARGS…`: `argv` is NAME followed by ARGS, as clap hands them over.
pub fn external(global: &GlobalArgs, mut argv: Vec<OsString>) -> Result<u8> {
    if argv.is_empty() {
        // clap never hands over an empty external command; treat it as no command.
        return Err(azlin_core::Error::from(unknown(OsStr::new(""), &search_path()?)).into());
    }
    let name = argv.remove(0);
    dispatch(global, &name, argv)
}

/// A plugin found on the search path, ready to run.
pub struct Found {
    paths: Paths,
    name: String,
    path: std::path::PathBuf,
    /// Non-executable copies before `path` on the search path, passed over.
    skipped: Vec<std::path::PathBuf>,
}

/// Finds plugin `name`: `Ok(None)` when there is none (or the name is invalid: it is
/// checked before anything touches the file system, so `../x` or `a/b` never turn into
/// a path). For the start-up fast path, which then runs what it found without looking
/// again.
pub fn locate(name: &OsStr) -> Result<Option<Found>> {
    let paths = Paths::from_env().map_err(azlin_core::Error::from)?;
    let Some(valid) = plugin::valid_name(name) else {
        return Ok(None);
    };
    let found = SearchPath::from_env(&paths.plugins_dir()).find_skipping(valid);
    Ok(found.map(|(path, skipped)| Found {
        name: valid.to_string(),
        path,
        skipped,
        paths,
    }))
}

/// Finds plugin `name` and runs it with `args`; on Unix this does not return unless the
/// plugin could not be started.
pub fn dispatch(global: &GlobalArgs, name: &OsStr, args: Vec<OsString>) -> Result<u8> {
    match locate(name)? {
        Some(found) => run_found(global, found, args),
        None => Err(azlin_core::Error::from(unknown(name, &search_path()?)).into()),
    }
}

/// Runs a plugin [`locate`] found, with `args` and the environment contract.
pub fn run_found(global: &GlobalArgs, found: Found, args: Vec<OsString>) -> Result<u8> {
    if !global.quiet {
        for skipped in &found.skipped {
            crate::context::warn_line(
                global.no_color,
                &format!(
                    "plugin `{}`: {} is not executable, so {} (later on the plugin path) \
                     runs; `chmod +x` or remove the first",
                    found.name,
                    skipped.display(),
                    found.path.display()
                ),
            );
        }
    }
    let azlin_bin = std::env::current_exe().unwrap_or_else(|_| "azlin".into());
    let invocation = Invocation::new(
        &found.name,
        found.path,
        args,
        &azlin_bin,
        &found.paths.azlin_home,
        &globals(global),
        std::env::var_os(DEPTH_VAR).as_deref(),
    )
    .map_err(azlin_core::Error::from)?;
    let status = invocation.run().map_err(azlin_core::Error::from)?;
    // Only reached where exec is not available: pass the plugin's status on.
    Ok(u8::try_from(status).unwrap_or(1))
}

/// The names of the built-in commands and their aliases.
pub fn builtins() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .flat_map(|c| {
            std::iter::once(c.get_name().to_string()).chain(c.get_all_aliases().map(str::to_string))
        })
        .collect()
}

/// The plugins on the search path, with warnings (reads directories, runs nothing).
pub fn discover() -> Result<Discovery> {
    Ok(discover_in(&search_path()?))
}

fn discover_in(search: &SearchPath) -> Discovery {
    let builtins = builtins();
    let names: Vec<&str> = builtins.iter().map(String::as_str).collect();
    plugin::discover(search, &names)
}

fn search_path() -> Result<SearchPath> {
    let paths = Paths::from_env().map_err(azlin_core::Error::from)?;
    Ok(SearchPath::from_env(&paths.plugins_dir()))
}

/// "unknown command", with the built-ins and plugins closest to what was typed.
fn unknown(name: &OsStr, search: &SearchPath) -> PluginError {
    let typed = name.to_string_lossy().into_owned();
    let builtins = builtins();
    let found = discover_in(search);
    let known = builtins.iter().map(String::as_str).chain(found.names());
    PluginError::Unknown {
        invalid: !plugin::is_valid_name(&typed),
        suggestions: plugin::suggestions(&typed, known),
        name: typed,
    }
}

fn globals(global: &GlobalArgs) -> Globals {
    Globals {
        verbose: global.verbose,
        quiet: global.quiet,
        no_color: global.no_color,
        subscription: global.subscription.clone(),
        resource_group: global.resource_group.clone(),
    }
}
