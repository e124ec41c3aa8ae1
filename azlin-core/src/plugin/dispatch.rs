//! Running a plugin under the environment contract (DESIGN.md, Plugins).
//!
//! | variable | value |
//! |---|---|
//! | `AZLIN_BIN` | the running `azlin` executable, for calling back |
//! | `AZLIN_VERSION` | azlin's version |
//! | `AZLIN_HOME` | azlin's directory (default `~/.azlin`) |
//! | `AZLIN_PLUGIN_NAME` | the name the plugin was called by |
//! | `AZLIN_PLUGIN_DEPTH` | 1 for a plugin run by the user, +1 per nested plugin |
//! | `AZLIN_VERBOSE`, `AZLIN_QUIET`, `AZLIN_NO_COLOR`, `AZLIN_SUBSCRIPTION`, `AZLIN_RESOURCE_GROUP` | global options given before the plugin's name |

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use super::PluginError;

/// How deep plugins may nest (a plugin calling azlin calling a plugin…) before azlin
/// refuses, so that a plugin calling itself ends instead of filling the process table.
pub const MAX_DEPTH: u32 = 8;

/// The variable that counts nesting.
pub const DEPTH_VAR: &str = "AZLIN_PLUGIN_DEPTH";

/// azlin's global options, as given before the plugin's name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Globals {
    /// `-v` count.
    pub verbose: u8,
    /// `-q`.
    pub quiet: bool,
    /// `--no-color`.
    pub no_color: bool,
    /// `--subscription`.
    pub subscription: Option<String>,
    /// `--resource-group`.
    pub resource_group: Option<String>,
}

impl Globals {
    /// The `AZLIN_*` variables for the options that were given (only those: a plugin
    /// run without `-q` inherits whatever its caller set).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = Vec::new();
        if self.verbose > 0 {
            env.push(("AZLIN_VERBOSE", self.verbose.to_string()));
        }
        if self.quiet {
            env.push(("AZLIN_QUIET", "1".to_string()));
        }
        if self.no_color {
            env.push(("AZLIN_NO_COLOR", "1".to_string()));
        }
        if let Some(s) = &self.subscription {
            env.push(("AZLIN_SUBSCRIPTION", s.clone()));
        }
        if let Some(rg) = &self.resource_group {
            env.push(("AZLIN_RESOURCE_GROUP", rg.clone()));
        }
        env
    }
}

/// A plugin ready to run: its file, arguments and environment.
#[derive(Debug, Clone)]
pub struct Invocation {
    name: String,
    path: PathBuf,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
}

impl Invocation {
    /// Prepares plugin `name` at `path` with `args`. `parent_depth` is the caller's
    /// `AZLIN_PLUGIN_DEPTH` (absent or unreadable counts as 0); at [`MAX_DEPTH`] the
    /// plugin is refused.
    pub fn new(
        name: &str,
        path: PathBuf,
        args: Vec<OsString>,
        azlin_bin: &Path,
        azlin_home: &Path,
        globals: &Globals,
        parent_depth: Option<&OsStr>,
    ) -> Result<Invocation, PluginError> {
        let depth = parent_depth
            .and_then(OsStr::to_str)
            .and_then(|d| d.trim().parse::<u32>().ok())
            .unwrap_or(0);
        if depth >= MAX_DEPTH {
            return Err(PluginError::TooDeep {
                name: name.to_string(),
                depth,
            });
        }
        let mut env: Vec<(OsString, OsString)> = vec![
            ("AZLIN_BIN".into(), azlin_bin.into()),
            ("AZLIN_VERSION".into(), env!("CARGO_PKG_VERSION").into()),
            ("AZLIN_HOME".into(), azlin_home.into()),
            ("AZLIN_PLUGIN_NAME".into(), name.into()),
            (DEPTH_VAR.into(), (depth + 1).to_string().into()),
        ];
        env.extend(
            globals
                .env()
                .into_iter()
                .map(|(k, v)| (OsString::from(k), OsString::from(v))),
        );
        Ok(Invocation {
            name: name.to_string(),
            path,
            args,
            env,
        })
    }

    /// The variables the plugin gets on top of azlin's own environment.
    pub fn env(&self) -> &[(OsString, OsString)] {
        &self.env
    }

    /// Runs the plugin and returns its exit status.
    ///
    /// On Unix the azlin process becomes the plugin (exec): signals, the terminal, stdin
    /// and the exit status are the plugin's own, and this returns only if exec failed.
    /// Elsewhere azlin waits for it and returns its status.
    pub fn run(self) -> Result<i32, PluginError> {
        use std::io::Write;
        // Anything azlin buffered would be lost when the process image is replaced.
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().flush();
        let mut cmd = std::process::Command::new(&self.path);
        cmd.args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            let err = cmd.exec();
            Err(self.failure(err))
        }
        #[cfg(not(unix))]
        {
            match cmd.status() {
                Ok(status) => Ok(status.code().unwrap_or(1)),
                Err(err) => Err(self.failure(err)),
            }
        }
    }

    fn failure(self, source: std::io::Error) -> PluginError {
        let (name, path) = (self.name, self.path);
        match source.kind() {
            std::io::ErrorKind::NotFound => PluginError::NotFound { name, path, source },
            _ => PluginError::NotExecutable { name, path, source },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invocation(depth: Option<&str>, globals: &Globals) -> Result<Invocation, PluginError> {
        Invocation::new(
            "foo",
            PathBuf::from("/p/azlin-foo"),
            vec![],
            Path::new("/bin/azlin"),
            Path::new("/h/.azlin"),
            globals,
            depth.map(OsStr::new),
        )
    }

    fn var<'a>(inv: &'a Invocation, key: &str) -> Option<&'a OsStr> {
        inv.env()
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_os_str())
    }

    #[test]
    fn environment_contract() {
        let g = Globals {
            verbose: 2,
            quiet: false,
            no_color: true,
            subscription: Some("sub".into()),
            resource_group: None,
        };
        let inv = invocation(None, &g).unwrap();
        assert_eq!(var(&inv, "AZLIN_BIN"), Some(OsStr::new("/bin/azlin")));
        assert_eq!(var(&inv, "AZLIN_HOME"), Some(OsStr::new("/h/.azlin")));
        assert_eq!(var(&inv, "AZLIN_PLUGIN_NAME"), Some(OsStr::new("foo")));
        assert_eq!(var(&inv, "AZLIN_PLUGIN_DEPTH"), Some(OsStr::new("1")));
        assert_eq!(var(&inv, "AZLIN_VERBOSE"), Some(OsStr::new("2")));
        assert_eq!(var(&inv, "AZLIN_NO_COLOR"), Some(OsStr::new("1")));
        assert_eq!(var(&inv, "AZLIN_SUBSCRIPTION"), Some(OsStr::new("sub")));
        assert_eq!(var(&inv, "AZLIN_QUIET"), None);
        assert_eq!(var(&inv, "AZLIN_RESOURCE_GROUP"), None);
    }

    #[test]
    fn depth_counts_up_and_stops_at_the_limit() {
        let g = Globals::default();
        let inv = invocation(Some("7"), &g).unwrap();
        assert_eq!(var(&inv, "AZLIN_PLUGIN_DEPTH"), Some(OsStr::new("8")));
        assert!(matches!(
            invocation(Some("8"), &g),
            Err(PluginError::TooDeep { depth: 8, .. })
        ));
        // Garbage restarts the count rather than blocking every plugin.
        let inv = invocation(Some("lots"), &g).unwrap();
        assert_eq!(var(&inv, "AZLIN_PLUGIN_DEPTH"), Some(OsStr::new("1")));
    }
}
