//! `azlin plugin list [--json] [-v]`: the plugins found, what is wrong with them, and
//! with `-v` what each says of itself.

use std::collections::BTreeMap;

use anyhow::Result;
use azlin_core::paths::Paths;
use azlin_core::plugin::{
    self, Discovery, METADATA_TIMEOUT, Metadata, Plugin, SearchPath, Warning,
};
use azlin_core::text::Escaped;
use clap::Args;
use serde_json::json;

use super::discover_in;
use crate::cli::GlobalArgs;
use crate::output;

/// `azlin plugin list`.
#[derive(Debug, Args)]
pub struct PluginListArgs {
    /// Print one JSON object: `plugins`, `warnings` and `search_path`
    #[arg(long)]
    pub json: bool,
}

/// `azlin plugin list [--json]`, with `-v` asking each plugin for its metadata.
pub fn run(global: &GlobalArgs, args: &PluginListArgs) -> Result<u8> {
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
