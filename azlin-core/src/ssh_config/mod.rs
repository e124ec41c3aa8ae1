//! The generated OpenSSH config: `Host <vm> <vm>--*` and `Host <vm>--<session>` stanzas in
//! one file for the fleet, `~/.ssh/config.d/azlin-fleet.conf`, pulled in by one `Include`
//! in `~/.ssh/config`, so that plain `ssh myvm--dev`, scp/rsync/git over `myvm` and VS
//! Code work without azlin.
//!
//! - [`render`] turns the inventory into the file's text through Handlebars templates;
//! - [`user`] reads the user's own config (hosts azlin must not capture, options to
//!   counter or leave alone);
//! - [`include`] adds and removes the Include line, leaving every other byte alone;
//! - [`client`] asks the installed ssh what it supports and checks the result with `ssh -G`;
//! - by phase: [`plan`] (what would change, writing nothing), `apply` (writes it
//!   safely, checks it with `ssh -G`, undoes a failed write) and `remove`.
//!
//! Entry points: [`sync`] (what `azlin ssh-config` and the automatic resync after `list`,
//! `ssh --tmux-session` and `session` call when `Config::ssh_config_auto()` is on),
//! [`plan`] (for `--dry-run`, `--check` and `print`), [`remove`].

pub mod client;
pub mod include;
pub mod render;
pub mod stamp;
pub mod user;

mod apply;
mod plan;
mod remove;

pub use apply::{SyncReport, sync};
use plan::*;
pub use plan::{FileChange, Plan, plan};
pub use remove::{RemoveReport, remove};

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::inventory::{ConnectDefaults, Inventory};
use crate::paths::Paths;
use crate::persist::{self, Lock};

use client::Client;
use include::Resolver;
pub use render::Skipped;
use render::{Rendered, Renderer, Sharing};
use stamp::Stamp;

/// Directory of the generated files, under `~/.ssh`.
pub const CONFIG_D: &str = "config.d";
/// File name prefix of a generated file.
pub const FILE_PREFIX: &str = "azlin-";
/// File name suffix of a generated file.
pub const FILE_SUFFIX: &str = ".conf";
/// The generated file: one for the fleet (a file per VM would cost ssh a file open per VM
/// on every lookup, and a first sync a thousand file creations).
pub const FLEET_FILE: &str = "azlin-fleet.conf";
/// The copy of `~/.ssh/config` taken before azlin first edits it.
pub const BACKUP: &str = "config.azlin.bak";
/// The lock that serialises writers, in `~/.ssh/config.d` (shared by every `AZLIN_HOME`
/// that writes to this `~/.ssh`).
pub const LOCK: &str = ".azlin.lock";

/// Whether the user has turned the generated config on, by running `azlin ssh-config`
/// once: some generated file exists in `~/.ssh/config.d`. The automatic resync after
/// `list`, `ssh --tmux-session` and `session` only refreshes a config the user asked for;
/// it never edits `~/.ssh/config` of someone who never ran `azlin ssh-config`.
pub fn is_enabled(paths: &Paths) -> bool {
    let dir = paths.ssh_dir().join(CONFIG_D);
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with(FILE_PREFIX) && name.ends_with(FILE_SUFFIX)
        })
    })
}

/// A problem with the generated ssh config.
#[derive(Debug, thiserror::Error)]
pub enum SshConfigError {
    /// A file could not be read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What azlin was doing.
        action: &'static str,
        /// The file azlin was reading or writing.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// A template does not parse or render.
    #[error("template {origin} is broken: {message}; fix it or delete it to use the built-in one")]
    Template {
        /// Which template (a path for a user override).
        origin: String,
        /// Handlebars' message.
        message: String,
    },
    /// `~/.ssh/config` needs an edit but is read-only: nothing was touched.
    #[error(
        "{} is read-only, so azlin changed nothing. {instruction}:\n\n{lines}\n",
        path.display()
    )]
    ReadOnly {
        /// The config file.
        path: PathBuf,
        /// What the user should do with `lines`.
        instruction: &'static str,
        /// The exact lines.
        lines: String,
    },
    /// ssh would ignore `~/.ssh/config` (its owner or mode), so nothing azlin writes
    /// would take effect: nothing was touched.
    #[error(
        "ssh refuses {}: {rule} (ssh says \"Bad owner or permissions\" and ignores the \
         whole file), so azlin changed nothing. Fix: {fix}",
        path.display()
    )]
    RefusedBySsh {
        /// The config file.
        path: PathBuf,
        /// ssh's rule it breaks.
        rule: String,
        /// The command that fixes it.
        fix: String,
    },
    /// `ssh -G` rejected or misread the written config; the previous files are back.
    #[error("{message}\nThe previous ssh config files were restored.")]
    Validation {
        /// ssh's message, or the value that came out different.
        message: String,
    },
}

/// A VM (or one of its sessions) that got no alias, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The VM's name, control characters escaped.
    pub vm: String,
    /// The session, when the problem is one session's.
    pub session: Option<String>,
    /// The reason, with the fix.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(vm: &str, session: Option<&str>, message: String) -> Problem {
        Problem {
            vm: vm.escape_debug().to_string(),
            session: session.map(|s| s.escape_debug().to_string()),
            message,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.vm.is_empty() {
            return f.write_str(&self.message);
        }
        match &self.session {
            Some(s) => write!(
                f,
                "VM `{}`, session `{s}`: no ssh alias: {}",
                self.vm, self.message
            ),
            None => write!(f, "VM `{}`: no ssh config: {}", self.vm, self.message),
        }
    }
}

/// How to sync.
#[derive(Debug, Clone)]
pub struct Options {
    /// User and key for VMs whose record names none, and azlin's known_hosts.
    pub defaults: ConnectDefaults,
    /// The ssh client (`AZLIN_SSH`, default `ssh`).
    pub ssh: OsString,
    /// At most this many changed VM parts (spread evenly over them, first and last
    /// included) get an alias checked with `ssh -G`, the lookups run at once: the plain
    /// alias of the first, a session alias of the second, and so on (both aliases when
    /// one part changed). Any one lookup already makes ssh parse the whole generated
    /// file (a syntax error anywhere fails it); the per-alias comparison of every field
    /// azlin sets catches a user's config taking precedence, which affects every VM
    /// alike. So a small spread sample finds what a full check would, where checking all
    /// of a thousand changed VMs (a first sync) would take a minute. Default 2.
    pub validate_limit: usize,
    /// Whether files of VMs missing from the inventory are removed: only when it is the
    /// whole fleet (not narrowed by `--rg`/`--subscription`, Azure listed or cached), or
    /// the files of VMs that still exist would go.
    pub remove_missing: bool,
}

impl Options {
    /// Options with the client from `AZLIN_SSH` (default `ssh`).
    pub fn new(defaults: ConnectDefaults) -> Options {
        Options {
            defaults,
            ssh: crate::ssh::client(),
            validate_limit: 2,
            remove_missing: true,
        }
    }
}

/// Where everything lives, from [`Paths`].
#[derive(Debug, Clone)]
struct Layout {
    ssh_dir: PathBuf,
    config: PathBuf,
    config_d: PathBuf,
    backup: PathBuf,
    lock: PathBuf,
    cm_dir: PathBuf,
    stamp: PathBuf,
}

impl Layout {
    fn new(paths: &Paths) -> Layout {
        let ssh_dir = paths.ssh_dir();
        Layout {
            config: ssh_dir.join("config"),
            config_d: ssh_dir.join(CONFIG_D),
            backup: ssh_dir.join(BACKUP),
            lock: ssh_dir.join(CONFIG_D).join(LOCK),
            cm_dir: ssh_dir.join("cm"),
            stamp: paths.cache_dir().join(stamp::STAMP_FILE),
            ssh_dir,
        }
    }
}

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> SshConfigError {
    let path = path.to_path_buf();
    move |source| SshConfigError::Io {
        action,
        path,
        source,
    }
}

/// Reads a file, `None` when it does not exist.
fn read_opt(path: &Path) -> Result<Option<Vec<u8>>, SshConfigError> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err("read", path)(e)),
    }
}

/// A path below `$HOME` as ssh should read it: `~/…` when ssh's `~` is `$HOME`, else
/// absolute (ssh expands `~` to the account's home, which a test or a `sudo -E` run may
/// not share). Not quoted.
fn home_path(client: &Client, paths: &Paths, rel: &str) -> String {
    if client.tilde_home.as_deref() == Some(paths.home.as_path()) {
        format!("~/{rel}")
    } else {
        paths.home.join(rel).to_string_lossy().into_owned()
    }
}

/// [`home_path`] for a config line, quoted as ssh's tokenizer reads it.
fn config_path(client: &Client, paths: &Paths, rel: &str) -> String {
    config_word(&home_path(client, paths, rel))
}

/// `text` as one word of an ssh config line; a path that cannot be one (control
/// characters) is written as it is, and `ssh -G` reports it.
fn config_word(text: &str) -> String {
    crate::ssh::config_word("path", text, crate::ssh::Tokens::Literal)
        .unwrap_or_else(|_| text.to_string())
}

/// The generated files now in `config.d` (`azlin-*.conf`), sorted.
fn existing_files(config_d: &Path) -> Result<Vec<PathBuf>, SshConfigError> {
    let entries = match std::fs::read_dir(config_d) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err("list", config_d)(e)),
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n.starts_with(FILE_PREFIX) && n.ends_with(FILE_SUFFIX)
        })
        .map(|e| e.path())
        .collect();
    out.sort();
    Ok(out)
}

/// The user's own config as ssh reads it, azlin's generated files left out.
fn read_user_config(layout: &Layout, tilde_home: &Path) -> user::UserConfig {
    let config_d = layout.config_d.clone();
    let ours = move |p: &Path| {
        p.parent() == Some(config_d.as_path())
            && p.file_name().is_some_and(|n| {
                let n = n.to_string_lossy();
                n.starts_with(FILE_PREFIX) && n.ends_with(FILE_SUFFIX)
            })
    };
    user::UserConfig::read(&layout.config, tilde_home, &ours)
}

/// Whether the user's own ssh config (`~/.ssh/config` and what it includes) sets
/// `ServerAliveInterval` or `ServerAliveCountMax`: then azlin leaves keepalives to it,
/// in the generated config and on its own ssh command lines.
pub fn user_sets_keepalive(paths: &Paths) -> bool {
    read_user_config(&Layout::new(paths), &paths.home).sets_keepalive
}

/// Why the generated config has no plain alias for VM `vm` (whatever ssh would reach
/// by that name otherwise: a DNS name, this machine, a `Host` of the user's), if it has
/// none; tools that need the plain alias (VS Code's Remote-SSH) must not use the name.
pub fn plain_alias_refused(paths: &Paths, vm: &str) -> Option<String> {
    let user = read_user_config(&Layout::new(paths), &paths.home);
    render::captures(&vm.to_ascii_lowercase(), &user)
}

/// Whether `path` is a regular file itself (not a symlink to one).
fn is_regular(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

/// Whether a file may be edited: it exists with no write permission bit for its owner
/// (root ignores the bits, so they are checked rather than trusted to fail), or opening
/// it for writing fails.
fn is_read_only(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o200 == 0 {
            return true;
        }
    }
    #[cfg(not(unix))]
    if meta.permissions().readonly() {
        return true;
    }
    std::fs::OpenOptions::new().append(true).open(path).is_err()
}

/// Why ssh would refuse `~/.ssh/config` as it is, by ssh's own rule (readconf.c: the
/// owner must be root or the user, and neither group nor others may write it), as an
/// error to report; `None` when ssh reads it (or there is none). The user is whoever runs
/// azlin, or, run as root, the owner of `~/.ssh` (or of `$HOME`).
pub fn refused_by_ssh(paths: &Paths) -> Option<SshConfigError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let layout = Layout::new(paths);
        let meta = std::fs::metadata(&layout.config).ok()?;
        let user = if rustix::process::geteuid().is_root() {
            std::fs::metadata(&layout.ssh_dir)
                .or_else(|_| std::fs::metadata(&paths.home))
                .map_or(0, |m| m.uid())
        } else {
            rustix::process::getuid().as_raw()
        };
        let shown = layout.config.display().to_string();
        if meta.mode() & 0o022 != 0 {
            return Some(SshConfigError::RefusedBySsh {
                rule: format!(
                    "it is writable by its group or by others (mode {:04o})",
                    meta.mode() & 0o7777
                ),
                fix: format!("chmod go-w {shown}"),
                path: layout.config,
            });
        }
        if meta.uid() != 0 && meta.uid() != user {
            return Some(SshConfigError::RefusedBySsh {
                rule: format!(
                    "it belongs to uid {}, not to you (uid {user}) or root",
                    meta.uid()
                ),
                fix: format!("chown {user} {shown}"),
                path: layout.config,
            });
        }
        None
    }
    #[cfg(not(unix))]
    {
        let _ = paths;
        None
    }
}

/// Temporaries left by a run that died between write and rename: they are not matched by
/// the Include pattern, so they are only clutter.
fn remove_leftover_temporaries(config_d: &Path) {
    let Ok(entries) = std::fs::read_dir(config_d) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let n = e.file_name();
        let n = n.to_string_lossy();
        if n.starts_with(&format!(".{FILE_PREFIX}")) && n.ends_with(".tmp") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests;
