//! Listing every plugin on the search path, with what is wrong about each.
//!
//! Nothing here runs a plugin: listing reads directories and file modes only.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::{SearchPath, is_valid_name, name_of_file};
use crate::text::Escaped;

/// One plugin as `azlin NAME` would find it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Plugin {
    /// The name it is called by.
    pub name: String,
    /// The file that runs: the first executable one on the search path (else the first).
    pub path: PathBuf,
    /// The other copies of the same name, never run (later ones, and non-executable
    /// earlier ones skipped for this one).
    pub shadowed: Vec<PathBuf>,
    /// Whether the file may be executed.
    pub executable: bool,
    /// Whether a built-in command has this name (the built-in wins; `azlin plugin exec`
    /// still reaches the plugin).
    pub builtin: bool,
}

/// Something a user should fix about the installed plugins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// The file found first cannot be executed.
    NotExecutable {
        /// The plugin's name.
        name: String,
        /// The plugin file that cannot be executed.
        path: PathBuf,
    },
    /// A symlink whose destination is missing.
    BrokenSymlink {
        /// The plugin's name.
        name: String,
        /// The symbolic link whose target is missing.
        path: PathBuf,
    },
    /// A second copy of a name, hidden by the first.
    Shadowed {
        /// The plugin's name.
        name: String,
        /// The copy that runs.
        used: PathBuf,
        /// The copy that never runs.
        shadowed: PathBuf,
    },
    /// A plugin named like a built-in command.
    Builtin {
        /// The plugin's name.
        name: String,
        /// The plugin file whose name a built-in command takes.
        path: PathBuf,
    },
    /// An `azlin-…` file whose name breaks the plugin-name rule.
    InvalidName {
        /// The file whose name is no valid plugin name.
        path: PathBuf,
    },
    /// `--azlin-plugin-metadata` did not give an answer (only with `plugin list -v`).
    Metadata {
        /// The plugin's name.
        name: String,
        /// The plugin file whose metadata could not be read.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

impl Warning {
    /// A short machine-readable kind, for `plugin list --json`.
    pub fn kind(&self) -> &'static str {
        match self {
            Warning::NotExecutable { .. } => "not-executable",
            Warning::BrokenSymlink { .. } => "broken-symlink",
            Warning::Shadowed { .. } => "shadowed",
            Warning::Builtin { .. } => "builtin",
            Warning::InvalidName { .. } => "invalid-name",
            Warning::Metadata { .. } => "metadata",
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::NotExecutable { name, path } => write!(
                f,
                "plugin `{name}`: {} is not executable; run `chmod +x {}` to use it",
                shown(path),
                shown(path)
            ),
            Warning::BrokenSymlink { name, path } => write!(
                f,
                "plugin `{name}`: {} is a broken symlink{}; fix or remove it",
                shown(path),
                std::fs::read_link(path)
                    .map(|d| format!(" (to {})", shown(&d)))
                    .unwrap_or_default()
            ),
            Warning::Shadowed {
                name,
                used,
                shadowed,
            } => write!(
                f,
                "plugin `{name}`: {} is shadowed by {}, which comes first on the plugin path \
                 and is the one `azlin {name}` runs",
                shown(shadowed),
                shown(used)
            ),
            Warning::Builtin { name, path } => write!(
                f,
                "plugin `{name}` ({}) has the name of a built-in command, which wins; run the \
                 plugin with `azlin plugin exec {name}` or rename it",
                shown(path)
            ),
            Warning::InvalidName { path } => write!(
                f,
                "{} is not a valid plugin name (lower-case letters, digits and `-` after \
                 `azlin-`, starting with a letter); azlin will not run it",
                shown(path)
            ),
            Warning::Metadata { name, path, reason } => write!(
                f,
                "plugin `{name}` ({}): no metadata: {}",
                shown(path),
                Escaped(reason)
            ),
        }
    }
}

/// A path in a warning, by the rule of [`crate::text`] (a file name may hold anything).
fn shown(path: &std::path::Path) -> String {
    Escaped(&path.to_string_lossy()).to_string()
}

/// Every plugin found, sorted by name, and the warnings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovery {
    /// The plugins, sorted by name.
    pub plugins: Vec<Plugin>,
    /// What is wrong, in search order.
    pub warnings: Vec<Warning>,
}

impl Discovery {
    /// The names of the plugins, for suggestions.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.plugins.iter().map(|p| p.name.as_str())
    }
}

/// Lists the plugins on `search`. `builtins` are the names of built-in commands.
pub fn discover(search: &SearchPath, builtins: &[&str]) -> Discovery {
    let mut found: BTreeMap<String, Plugin> = BTreeMap::new();
    let mut warnings = Vec::new();
    for dir in search.dirs() {
        for (name, path) in plugin_files(dir) {
            if !is_valid_name(&name) {
                warnings.push(Warning::InvalidName { path });
                continue;
            }
            if let Some(first) = found.get_mut(&name) {
                // A non-executable file is skipped for a later executable copy, as git
                // and bash do; the NotExecutable warning already names it.
                if !first.executable && std::fs::metadata(&path).is_ok_and(|m| is_executable(&m)) {
                    let skipped = std::mem::replace(&mut first.path, path);
                    first.shadowed.push(skipped);
                    first.executable = true;
                    continue;
                }
                warnings.push(Warning::Shadowed {
                    name,
                    used: first.path.clone(),
                    shadowed: path.clone(),
                });
                first.shadowed.push(path);
                continue;
            }
            let target = std::fs::metadata(&path);
            let executable = target.as_ref().is_ok_and(is_executable);
            if target.is_err() {
                warnings.push(Warning::BrokenSymlink {
                    name: name.clone(),
                    path: path.clone(),
                });
            } else if !executable {
                warnings.push(Warning::NotExecutable {
                    name: name.clone(),
                    path: path.clone(),
                });
            }
            let builtin = builtins.contains(&name.as_str());
            if builtin {
                warnings.push(Warning::Builtin {
                    name: name.clone(),
                    path: path.clone(),
                });
            }
            found.insert(
                name.clone(),
                Plugin {
                    name,
                    path,
                    shadowed: Vec::new(),
                    executable,
                    builtin,
                },
            );
        }
    }
    Discovery {
        plugins: found.into_values().collect(),
        warnings,
    }
}

/// The `azlin-…` entries of one directory that are not directories, sorted by file name.
/// A directory that cannot be read holds no plugins (missing PATH entries are common).
fn plugin_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = name_of_file(&e.file_name())?;
            let path = e.path();
            let is_dir = std::fs::metadata(&path).is_ok_and(|m| m.is_dir());
            (!is_dir).then_some((name, path))
        })
        .collect();
    out.sort();
    out
}

/// Whether a file with `meta` may be run: any execute bit on Unix.
#[cfg(unix)]
pub fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

/// Whether a file with `meta` may be run: always off Unix.
#[cfg(not(unix))]
pub fn is_executable(_meta: &std::fs::Metadata) -> bool {
    true
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn file(dir: &Path, name: &str, mode: u32) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        p
    }

    #[test]
    fn finds_warns_and_orders() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        let foo_a = file(&a, "azlin-foo", 0o755);
        let foo_b = file(&b, "azlin-foo", 0o755);
        let noexec = file(&b, "azlin-noexec", 0o644);
        let bad = file(&b, "azlin-Bad", 0o755);
        let host = file(&b, "azlin-host", 0o755);
        file(&b, "unrelated", 0o755);
        std::fs::create_dir(b.join("azlin-dir")).unwrap();
        std::os::unix::fs::symlink(b.join("missing"), b.join("azlin-gone")).unwrap();

        let search = SearchPath::new(None, &a, Some(b.as_os_str()));
        let d = discover(&search, &["host", "resolve"]);
        let names: Vec<&str> = d.names().collect();
        assert_eq!(names, ["foo", "gone", "host", "noexec"]);
        assert_eq!(d.plugins[0].path, foo_a);
        assert_eq!(d.plugins[0].shadowed, std::slice::from_ref(&foo_b));
        assert!(d.plugins[2].builtin);
        assert!(!d.plugins[3].executable);
        let kinds: Vec<&str> = d.warnings.iter().map(Warning::kind).collect();
        assert_eq!(
            kinds,
            [
                "invalid-name",
                "shadowed",
                "broken-symlink",
                "builtin",
                "not-executable"
            ],
            "{:?}",
            d.warnings
        );
        let text: Vec<String> = d.warnings.iter().map(ToString::to_string).collect();
        assert!(text[0].contains(&bad.display().to_string()));
        assert!(text[1].contains(&foo_a.display().to_string()));
        assert!(text[1].contains(&foo_b.display().to_string()));
        assert!(text[3].contains(&host.display().to_string()));
        assert!(text[4].contains(&noexec.display().to_string()));
        // The fast path agrees with the listing on who wins.
        assert_eq!(search.find("foo"), Some(foo_a));
        assert_eq!(search.find("dir"), None);
        assert!(search.find("gone").is_some());
    }
}
