//! `azlin NAME …` for a NAME that is no built-in, `azlin plugin list`, `azlin plugin exec`.
//!
//! None of this loads `config.toml`: a plugin must start fast and must not be blocked by
//! a config file it does not read.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};

use anyhow::Result;
use azlin_core::config::Paths;
use azlin_core::plugin::dispatch::{DEPTH_VAR, Globals};
use azlin_core::plugin::{
    self, Discovery, Invocation, METADATA_TIMEOUT, Metadata, Plugin, PluginError, SearchPath,
    Warning,
};
use azlin_core::text::Escaped;
use clap::CommandFactory;
use serde_json::json;

use crate::cli::{Cli, GlobalArgs, PluginCommand, PluginListArgs};
use crate::output;

/// Runs `azlin plugin …`.
pub fn run(global: &GlobalArgs, cmd: PluginCommand) -> Result<u8> {
    match cmd {
        PluginCommand::List(args) => list(global, &args),
        PluginCommand::Exec(args) => external(global, args.argv),
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

/// `azlin plugin list [--json]`, with `-v` asking each plugin for its metadata.
fn list(global: &GlobalArgs, args: &PluginListArgs) -> Result<u8> {
    let paths = Paths::from_env().map_err(azlin_core::Error::from)?;
    let search = SearchPath::from_env(&paths.plugins_dir());
    let mut found = discover_in(&search);
    let metadata = if global.verbose > 0 {
        ask_all(&mut found, &paths)
    } else {
        BTreeMap::new()
    };
    if args.json {
        let plugins: Vec<_> = found
            .plugins
            .iter()
            .map(|p| {
                let m = metadata.get(&p.name);
                json!({
                    "name": p.name,
                    "path": p.path,
                    "shadowed": p.shadowed,
                    "executable": p.executable,
                    "builtin": p.builtin,
                    "version": m.and_then(|m| m.version.as_ref()),
                    "description": m.map(|m| &m.description),
                })
            })
            .collect();
        let warnings: Vec<_> = found
            .warnings
            .iter()
            .map(|w| json!({"kind": w.kind(), "message": w.to_string()}))
            .collect();
        output::print_json(&json!({
            "plugins": plugins,
            "warnings": warnings,
            "search_path": search.dirs(),
        }))?;
    } else if found.plugins.is_empty() {
        eprintln!("No plugins found. Searched, in order:");
        for dir in search.dirs() {
            eprintln!("  {}", Escaped(&dir.to_string_lossy()));
        }
    } else {
        print!("{}", table(&found, &metadata, global.verbose > 0));
    }
    if !global.quiet {
        for w in &found.warnings {
            crate::context::warn_line(global.no_color, &w.to_string());
        }
    }
    Ok(if found.warnings.is_empty() { 0 } else { 1 })
}

fn table(found: &Discovery, metadata: &BTreeMap<String, Metadata>, verbose: bool) -> String {
    let rows: Vec<Vec<String>> = found
        .plugins
        .iter()
        .map(|p| {
            let mut row = vec![p.name.clone()];
            if verbose {
                let m = metadata.get(&p.name);
                row.push(
                    m.and_then(|m| m.version.clone())
                        .unwrap_or_else(|| "-".into()),
                );
                row.push(
                    m.map(|m| m.description.clone())
                        .unwrap_or_else(|| "-".into()),
                );
            }
            // Escaped with every other cell by `output::columns`.
            row.push(p.path.to_string_lossy().into_owned());
            row.push(note(p));
            row
        })
        .collect();
    let header: &[&str] = if verbose {
        &["NAME", "VERSION", "DESCRIPTION", "PATH", "NOTE"]
    } else {
        &["NAME", "PATH", "NOTE"]
    };
    output::columns(header, &rows)
}

/// What stops a plugin from running as `azlin NAME`, in a few words (the warnings say
/// more, unless `-q`).
fn note(p: &Plugin) -> String {
    let mut notes = Vec::new();
    if !p.path.exists() {
        notes.push("broken symlink".to_string());
    } else if !p.executable {
        notes.push("not executable".to_string());
    }
    if p.builtin {
        notes.push("built-in wins: `azlin plugin exec`".to_string());
    }
    if !p.shadowed.is_empty() {
        notes.push(format!("hides {} other", p.shadowed.len()));
    }
    notes.join("; ")
}

/// Asks every executable plugin for its metadata, all at once (each has its own time
/// limit, so a listing waits at most about one limit); failures become warnings.
fn ask_all(found: &mut Discovery, paths: &Paths) -> BTreeMap<String, Metadata> {
    let asked: Vec<_> = found.plugins.iter().filter(|p| p.executable).collect();
    let answers = plugin::metadata::metadata_all(
        &asked.iter().map(|p| p.path.as_path()).collect::<Vec<_>>(),
        &paths.cache_dir(),
        METADATA_TIMEOUT,
    );
    let results: Vec<_> = asked
        .iter()
        .zip(answers)
        .map(|(p, r)| (p.name.clone(), p.path.clone(), r))
        .collect();
    let mut out = BTreeMap::new();
    for (name, path, result) in results {
        match result {
            Ok(m) => {
                out.insert(name, m);
            }
            Err(e) => found.warnings.push(Warning::Metadata {
                name,
                path,
                reason: e.to_string(),
            }),
        }
    }
    out
}
