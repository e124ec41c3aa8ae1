//! Plugins: `azlin foo ARGS…` runs the executable `azlin-foo` when `foo` is no built-in.
//!
//! The rules (DESIGN.md, Plugins): the name must match `^[a-z][a-z0-9-]*$` before anything
//! is looked up, so `../x`, `a/b` or `-x` can never reach the file system; the search path
//! is `$AZLIN_PLUGIN_PATH`, `$AZLIN_HOME/plugins`, then the absolute entries of `PATH`
//! (relative and empty entries would make the current directory a plugin source, so they
//! are skipped); the first match wins.
//!
//! [`SearchPath`] finds one plugin without listing anything (the fast path of dispatch),
//! [`discover`] lists every plugin with what is wrong about it, [`metadata`] asks a
//! plugin to describe itself, and [`dispatch`] runs one under the environment contract.

pub mod discover;
pub mod dispatch;
pub mod metadata;

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

pub use discover::{Discovery, Plugin, Warning, discover};
pub use dispatch::{Invocation, MAX_DEPTH};
pub use metadata::{METADATA_FLAG, METADATA_TIMEOUT, Metadata};

use crate::text::Escaped;

/// The prefix of every plugin executable: `azlin-foo` is plugin `foo`.
pub const PREFIX: &str = "azlin-";

/// The prefix of opt-in completion helpers: `azlin_complete-foo` completes plugin `foo`.
pub const COMPLETE_PREFIX: &str = "azlin_complete-";

/// The environment variable holding extra plugin directories, searched first.
pub const PLUGIN_PATH_VAR: &str = "AZLIN_PLUGIN_PATH";

/// Why a plugin could not be found or run.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// No built-in and no plugin has this name (or the name breaks the rule).
    #[error("{}", unknown_message(.name, .invalid, .suggestions))]
    Unknown {
        /// The command as typed (lossily decoded).
        name: String,
        /// Whether the name breaks `^[a-z][a-z0-9-]*$`, so no plugin was looked up.
        invalid: bool,
        /// Close built-in and plugin names, best first.
        suggestions: Vec<String>,
    },
    /// The plugin file exists but may not be executed.
    #[error("{}", not_executable_message(.name, .path, .source))]
    NotExecutable {
        /// The plugin's name.
        name: String,
        /// The file found.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The plugin file (or its interpreter, or a symlink's destination) does not exist.
    #[error(
        "cannot run plugin `{name}`: {} was not found ({source}); it may be a broken \
         symlink or name a missing interpreter on its `#!` line",
        Escaped(&path.to_string_lossy())
    )]
    NotFound {
        /// The plugin's name.
        name: String,
        /// The file found.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Plugins calling azlin calling plugins, too deep.
    #[error(
        "plugin `{name}` not run: plugins are nested {depth} deep (AZLIN_PLUGIN_DEPTH), \
         the limit is {max}; a plugin is probably calling itself through azlin",
        max = MAX_DEPTH
    )]
    TooDeep {
        /// The plugin's name.
        name: String,
        /// The depth reached.
        depth: u32,
    },
}

impl PluginError {
    /// The exit status: 126 not executable, 127 not found (as a shell reports them), 2
    /// for a name that breaks the plugin-name rule (bad input), 1 for an unknown command
    /// or a refused recursion.
    pub fn exit_code(&self) -> i32 {
        match self {
            PluginError::NotExecutable { .. } => 126,
            PluginError::NotFound { .. } => 127,
            PluginError::Unknown { invalid: true, .. } => crate::EXIT_USAGE,
            PluginError::Unknown { .. } | PluginError::TooDeep { .. } => 1,
        }
    }
}

fn not_executable_message(name: &str, path: &Path, source: &std::io::Error) -> String {
    let path = Escaped(&path.to_string_lossy()).to_string();
    if source.kind() == std::io::ErrorKind::PermissionDenied {
        format!(
            "cannot run plugin `{name}`: {path} is not executable ({source}); make it \
             executable with `chmod +x {path}`"
        )
    } else {
        format!(
            "cannot run plugin `{name}`: {path} cannot be executed ({source}); check that it \
             is a program for this machine or a script starting with a `#!` line"
        )
    }
}

fn unknown_message(name: &str, invalid: &bool, suggestions: &[String]) -> String {
    let mut msg = format!("unknown command `{}`", Escaped(name));
    if *invalid {
        msg.push_str(
            " (plugin names are lower-case letters, digits and `-`, starting with a letter)",
        );
    }
    msg.push_str(&crate::suggest::did_you_mean(suggestions, ""));
    msg.push_str("\nsee `azlin --help` for the commands and `azlin plugin list` for plugins");
    msg
}

/// Whether `name` is a valid plugin name: `^[a-z][a-z0-9-]*$`.
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The plugin name an argument spells, if it is valid (non-UTF-8 never is).
pub fn valid_name(arg: &OsStr) -> Option<&str> {
    arg.to_str().filter(|n| is_valid_name(n))
}

/// The "did you mean" list: names among `known` within a few edits of `typed`.
///
/// Only close ones: one edit per four characters typed, at least one and at most two (a
/// swap of neighbours is one), so `lsit` suggests `list` alone and `version` no `session`.
pub fn suggestions<'n>(typed: &str, known: impl IntoIterator<Item = &'n str>) -> Vec<String> {
    let limit = (typed.chars().count() / 4).clamp(1, 2);
    crate::suggest::closest_within(typed, known, limit)
}

/// The directories searched for plugins, in order, absolute and without duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPath {
    dirs: Vec<PathBuf>,
}

impl SearchPath {
    /// From the environment: `$AZLIN_PLUGIN_PATH`, `home_plugins`
    /// (`$AZLIN_HOME/plugins`), then `PATH`.
    pub fn from_env(home_plugins: &Path) -> SearchPath {
        SearchPath::new(
            std::env::var_os(PLUGIN_PATH_VAR).as_deref(),
            home_plugins,
            std::env::var_os("PATH").as_deref(),
        )
    }

    /// From explicit values, for callers that do not read the process environment.
    /// Relative and empty entries of either list are skipped: they mean "the current
    /// directory", where anyone may have left an `azlin-ls`.
    pub fn new(plugin_path: Option<&OsStr>, home_plugins: &Path, path: Option<&OsStr>) -> Self {
        let split = |v: Option<&OsStr>| -> Vec<PathBuf> {
            v.map(|v| std::env::split_paths(v).collect())
                .unwrap_or_default()
        };
        let mut dirs: Vec<PathBuf> = Vec::new();
        let candidates = split(plugin_path)
            .into_iter()
            .chain(std::iter::once(home_plugins.to_path_buf()))
            .chain(split(path));
        for dir in candidates {
            if dir.is_absolute() && !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        SearchPath { dirs }
    }

    /// The directories, in search order.
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// The first `azlin-NAME` on the path, or `None`. The name must already be valid
    /// ([`is_valid_name`]); this function does not check it again.
    ///
    /// Any entry that is not a directory counts, including a non-executable file or a
    /// broken symlink: running it then fails with a message naming the file, which says
    /// more than "unknown command" would.
    pub fn find(&self, name: &str) -> Option<PathBuf> {
        self.find_skipping(name).map(|(path, _)| path)
    }

    /// [`SearchPath::find`], with the non-executable files passed over on the way: the
    /// first executable `azlin-NAME` wins over an earlier one that is not (as git and
    /// bash skip it); with none executable, the first entry is the answer.
    pub fn find_skipping(&self, name: &str) -> Option<(PathBuf, Vec<PathBuf>)> {
        let file = executable_file_name(name);
        let mut entries = self.dirs.iter().map(|d| d.join(&file)).filter(|p| {
            std::fs::symlink_metadata(p).is_ok() && !std::fs::metadata(p).is_ok_and(|m| m.is_dir())
        });
        let first = entries.next()?;
        let runs = |p: &PathBuf| std::fs::metadata(p).is_ok_and(|m| discover::is_executable(&m));
        if runs(&first) {
            return Some((first, Vec::new()));
        }
        let mut skipped = vec![first];
        for p in entries {
            if runs(&p) {
                return Some((p, skipped));
            }
            skipped.push(p);
        }
        Some((skipped.swap_remove(0), Vec::new()))
    }
}

/// `azlin-NAME`, with the platform's executable suffix (`.exe` on Windows).
pub fn executable_file_name(name: &str) -> OsString {
    format!("{PREFIX}{name}{}", std::env::consts::EXE_SUFFIX).into()
}

/// The plugin name a file name spells (`azlin-foo` → `foo`), valid or not; `None` when
/// the file is no plugin at all.
pub fn name_of_file(file_name: &OsStr) -> Option<String> {
    let s = file_name.to_string_lossy();
    let rest = s.strip_prefix(PREFIX)?;
    let suffix = std::env::consts::EXE_SUFFIX;
    let rest = if suffix.is_empty() {
        rest
    } else {
        rest.strip_suffix(suffix).unwrap_or(rest)
    };
    Some(rest.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rule() {
        for ok in ["foo", "a", "idle", "my-tool", "x2", "a-"] {
            assert!(is_valid_name(ok), "{ok}");
        }
        for bad in [
            "", "../x", "a/b", "-x", "Foo", "FOO", "1x", "a_b", "a.b", "é", "a b",
        ] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn search_path_order_skips_relative_and_duplicates() {
        let sp = SearchPath::new(
            Some(OsStr::new("/p1::rel:/p2")),
            Path::new("/home/.azlin/plugins"),
            Some(OsStr::new(".:/usr/bin::bin:/p1:/usr/bin")),
        );
        let dirs: Vec<&str> = sp.dirs().iter().map(|d| d.to_str().unwrap()).collect();
        assert_eq!(dirs, ["/p1", "/p2", "/home/.azlin/plugins", "/usr/bin"]);
    }

    #[test]
    fn suggestions_stay_close() {
        let known = ["host", "resolve", "plugin", "idle"];
        assert_eq!(suggestions("hots", known), ["host"]);
        assert_eq!(suggestions("plugn", known), ["plugin"]);
        assert_eq!(suggestions("resolv", known), ["resolve"]);
        assert!(suggestions("x", known).is_empty());
        assert!(suggestions("zzzzzzzz", known).is_empty());
        // Only close candidates: a swap is one edit, and far words are left out.
        let builtins = ["list", "host", "ssh", "session", "version"];
        assert_eq!(suggestions("lsit", builtins), ["list"]);
        assert_eq!(suggestions("verison", builtins), ["version"]);
        assert!(!suggestions("version", ["session"]).contains(&"session".to_string()));
    }

    #[test]
    fn file_names() {
        assert_eq!(
            name_of_file(OsStr::new("azlin-foo")).as_deref(),
            Some("foo")
        );
        assert_eq!(name_of_file(OsStr::new("azlin_complete-foo")), None);
        assert_eq!(name_of_file(OsStr::new("git")), None);
    }
}
