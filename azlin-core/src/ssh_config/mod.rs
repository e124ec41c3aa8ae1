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
//! - this module plans (what would change), syncs (writes it safely) and removes.
//!
//! Entry points: [`sync`] (what `azlin ssh-config` and the automatic resync after `list`,
//! `ssh --tmux-session` and `session` call when `Config::ssh_config_auto()` is on),
//! [`plan`] (for `--dry-run`, `--check` and `print`), [`remove`].

pub mod client;
pub mod include;
pub mod render;
pub mod stamp;
pub mod user;

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::config::Paths;
use crate::inventory::{ConnectDefaults, Inventory};
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
        /// The file.
        path: PathBuf,
        /// Why.
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

/// One file's change: `old` is `None` for a new file, `new` is `None` for a removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// The file.
    pub path: PathBuf,
    /// Its bytes now.
    pub old: Option<Vec<u8>>,
    /// Its bytes after the sync.
    pub new: Option<Vec<u8>>,
}

/// What a sync would do, computed without writing anything.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Generated files to write or remove.
    pub files: Vec<FileChange>,
    /// The edit of `~/.ssh/config`, if it needs one.
    pub config: Option<FileChange>,
    /// The Include line azlin uses (with its comment).
    pub include_lines: String,
    /// VMs and sessions left out.
    pub problems: Vec<Problem>,
    /// Plain aliases left out so as not to capture the user's hosts.
    pub skipped: Vec<Skipped>,
    /// The generated files (also those that did not change), prepared for rendering.
    pub rendered: Rendered,
    /// The ssh client as probed.
    pub client: Client,
    renderer: Renderer,
    /// What is known about the files on disk after this plan's comparisons.
    stamp: Stamp,
    /// Whether `stamp` says more than the one loaded, or confirms entries that were too
    /// fresh to trust (then it is worth saving).
    stamp_grew: bool,
    /// Whether the files share connections (ControlMaster), so `~/.ssh/cm` must exist.
    shares: bool,
    /// The identity of every file the plan looked at (those it changes and those it found
    /// up to date), as it was then: another run's rewrite of any of them voids the plan.
    seen: Vec<(PathBuf, Option<stamp::FileId>)>,
    /// The generated files present when planned.
    present: Vec<PathBuf>,
    /// The aliases whose sections the fleet file changes.
    changed_sections: Vec<String>,
    /// The digest the stamp may record for the fleet file once written: `None` when it
    /// holds sections kept from an earlier listing (then it is always compared).
    fleet_digest: Option<String>,
    layout: Layout,
}

impl Plan {
    /// Whether the files on disk are already what a sync would write.
    pub fn is_up_to_date(&self) -> bool {
        self.files.is_empty() && self.config.is_none()
    }

    /// Whether the files this plan looked at, and the set of generated files, are still as
    /// they were when it was made: then no other run wrote in between, and the plan
    /// stands without rendering and reading everything again. Every write azlin makes is
    /// a rename, which gives the file a new inode.
    fn still_current(&self) -> bool {
        self.seen.iter().all(|(path, id)| file_id(path) == *id)
            && existing_files(&self.layout.config_d).is_ok_and(|now| now == self.present)
    }

    /// Every change as a unified diff (`/dev/null` for new and removed files).
    pub fn diff(&self) -> String {
        let mut out = String::new();
        for ch in self.config.iter().chain(&self.files) {
            let old = String::from_utf8_lossy(ch.old.as_deref().unwrap_or_default());
            let new = String::from_utf8_lossy(ch.new.as_deref().unwrap_or_default());
            let name = ch.path.display().to_string();
            let (a, b) = match (&ch.old, &ch.new) {
                (None, _) => ("/dev/null".to_string(), name),
                (_, None) => (name, "/dev/null".to_string()),
                _ => (name.clone(), name),
            };
            let diff = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
            out.push_str(
                &diff
                    .unified_diff()
                    .context_radius(3)
                    .missing_newline_hint(true)
                    .header(&a, &b)
                    .to_string(),
            );
        }
        out
    }

    /// The generated config as a sync would write it (for `ssh -F` or another tool), or
    /// only the section of the VM named `vm` (matched without regard to case, as its
    /// alias is), `None` when there is no such VM.
    pub fn stanzas(&self, vm: Option<&str>) -> Result<Option<String>, SshConfigError> {
        let files: Vec<&render::VmFile> = match vm {
            Some(vm) => self
                .rendered
                .files
                .iter()
                .filter(|f| f.alias == vm.to_ascii_lowercase())
                .collect(),
            None => self.rendered.files.iter().collect(),
        };
        if vm.is_some() && files.is_empty() {
            return Ok(None);
        }
        let sections = files
            .iter()
            .map(|f| self.renderer.section(f))
            .collect::<Result<Vec<_>, _>>()?;
        render::fleet_text(&sections, &self.rendered.shared).map(Some)
    }

    /// The aliases whose part of the fleet file this plan changes.
    pub fn changed_sections(&self) -> &[String] {
        &self.changed_sections
    }
}

/// What [`sync`] did.
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    /// Generated files written.
    pub written: Vec<PathBuf>,
    /// Generated files removed (their VMs are gone).
    pub removed: Vec<PathBuf>,
    /// Whether the Include line was added to (or moved up in) `~/.ssh/config`.
    pub config_edited: bool,
    /// The backup taken before the first edit of `~/.ssh/config`, when taken now.
    pub backup: Option<PathBuf>,
    /// VMs and sessions left out.
    pub problems: Vec<Problem>,
    /// Plain aliases left out so as not to capture the user's hosts (all of them, also
    /// those of VMs whose part was not written now).
    pub skipped: Vec<Skipped>,
    /// The aliases whose part of the fleet file was written now.
    pub changed_sections: Vec<String>,
    /// How many aliases `ssh -G` checked.
    pub validated: usize,
    /// Things the user should know (no ssh client to check with).
    pub warnings: Vec<String>,
}

impl SyncReport {
    /// Whether anything on disk changed.
    pub fn changed(&self) -> bool {
        !self.written.is_empty() || !self.removed.is_empty() || self.config_edited
    }
}

/// What [`remove`] did.
#[derive(Debug, Clone, Default)]
pub struct RemoveReport {
    /// Generated files removed.
    pub removed: Vec<PathBuf>,
    /// Whether the Include line was taken out of `~/.ssh/config`.
    pub config_edited: bool,
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

/// Computes what a sync would change, writing nothing. Probes the ssh client.
pub fn plan(paths: &Paths, inventory: &Inventory, opts: &Options) -> Result<Plan, SshConfigError> {
    plan_with(
        paths,
        inventory,
        opts,
        Client::probe_cached(&opts.ssh, &paths.cache_dir()),
    )
}

fn plan_with(
    paths: &Paths,
    inventory: &Inventory,
    opts: &Options,
    client: Client,
) -> Result<Plan, SshConfigError> {
    let layout = Layout::new(paths);
    let sharing = sharing(&client, paths, &layout);
    let renderer = Renderer::load(&paths.templates_dir())?;
    let user = read_user_config(&layout, client.tilde_home.as_deref().unwrap_or(&paths.home));
    let mut rendered = render::prepare(
        inventory,
        &opts.defaults,
        sharing.as_ref(),
        render::Respect { user: &user },
    );
    let known = Stamp::load(&layout.stamp, &layout.config_d, &renderer.id);
    let mut stamp = Stamp::new(&layout.config_d, &renderer.id);
    let mut problems = rendered.problems.clone();
    let mut files = Vec::new();
    let mut seen = Vec::new();
    let mut stamp_grew = false;
    let mut changed_sections = Vec::new();

    let fleet = layout.config_d.join(FLEET_FILE);
    let present = existing_files(&layout.config_d)?;
    // Per-VM files of an older azlin: replaced by the fleet file.
    let legacy: Vec<&PathBuf> = present
        .iter()
        .filter(|p| p.file_name().is_some_and(|n| n != FLEET_FILE))
        .collect();
    let digest = render::digest(&(
        rendered.files.iter().map(|f| &f.digest).collect::<Vec<_>>(),
        &rendered.shared,
    ));
    let meta = std::fs::symlink_metadata(&fleet).ok();
    if meta.as_ref().is_some_and(|m| !m.is_file()) {
        // Not azlin's: left alone, and nothing else is written.
        problems.push(not_ours(&fleet));
        rendered.files.clear();
        seen.push((fleet.clone(), file_id(&fleet)));
    } else if let Some(meta) = meta.as_ref().filter(|m| {
        opts.remove_missing && legacy.is_empty() && known.vouches(FLEET_FILE, &digest, m)
    }) {
        // Rendered from the same inputs, and not touched since: neither rendered nor read.
        seen.push((fleet.clone(), Some(stamp::FileId::of(meta))));
        stamp.keep(&known, FLEET_FILE);
    } else {
        let old = match meta {
            Some(_) => read_opt(&fleet)?,
            None => None,
        };
        let old_text = String::from_utf8_lossy(old.as_deref().unwrap_or_default()).into_owned();
        let old_sections = render::parse_sections(&old_text);
        // Rendering a thousand sections is CPU work: spread it over the cores.
        let mut sections = crate::fleet::fan_out(&rendered.files, persist::parallelism(), |f| {
            renderer.section(f)
        })
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
        if !opts.remove_missing {
            // A narrowed listing: the VMs it does not show keep their sections.
            let listed: std::collections::HashSet<String> =
                sections.iter().map(|s| s.alias.clone()).collect();
            let mut kept: Vec<render::Section> = old_sections
                .iter()
                .filter(|s| !listed.contains(&s.alias))
                .cloned()
                .collect();
            for path in &legacy {
                let alias = legacy_alias(path);
                if listed.contains(&alias) || kept.iter().any(|s| s.alias == alias) {
                    continue;
                }
                if let Some(bytes) = read_opt(path)? {
                    kept.push(render::legacy_section(
                        &alias,
                        &String::from_utf8_lossy(&bytes),
                    ));
                }
            }
            sections.extend(kept);
            sections.sort_by(|a, b| a.alias.cmp(&b.alias));
        }
        changed_sections = sections
            .iter()
            .filter(|s| !old_sections.contains(s))
            .map(|s| s.alias.clone())
            .collect();
        let text = render::fleet_text(&sections, &rendered.shared)?;
        seen.push((fleet.clone(), meta.as_ref().map(stamp::FileId::of)));
        match meta {
            _ if sections.is_empty() && old.is_none() => {}
            Some(meta) if old.as_deref() == Some(text.as_bytes()) => {
                // Even when the stamp already had this entry (too fresh to trust then),
                // saving it again with a later time lets the next run trust it.
                stamp_grew = true;
                if opts.remove_missing {
                    stamp.record(FLEET_FILE, &digest, &meta);
                }
            }
            _ if sections.is_empty() => files.push(FileChange {
                path: fleet.clone(),
                old,
                new: None,
            }),
            _ => files.push(FileChange {
                path: fleet.clone(),
                old,
                new: Some(text.into_bytes()),
            }),
        }
    }
    stamp_grew |= stamp.differs(&known);
    for path in legacy {
        if !is_regular(path) {
            problems.push(not_ours(path));
            continue;
        }
        seen.push((path.clone(), file_id(path)));
        files.push(FileChange {
            old: read_opt(path)?,
            path: path.clone(),
            new: None,
        });
    }

    let include_arg = config_path(&client, paths, ".ssh/config.d/azlin-*.conf");
    let resolver = Resolver {
        tilde_home: client
            .tilde_home
            .clone()
            .unwrap_or_else(|| paths.home.clone()),
        sample: layout.config_d.join("azlin-x.conf"),
    };
    seen.push((layout.config.clone(), file_id(&layout.config)));
    let old_config = read_opt(&layout.config)?;
    // With nothing to include, the user's config is not touched at all.
    let fleet_written = files.iter().any(|f| f.path == fleet && f.new.is_some());
    let config = (!rendered.files.is_empty() || fleet_written)
        .then(|| {
            include::ensure(
                old_config.as_deref().unwrap_or_default(),
                &include_arg,
                &resolver,
            )
        })
        .flatten()
        .map(|new| FileChange {
            path: layout.config.clone(),
            old: old_config,
            new: Some(new),
        });
    Ok(Plan {
        files,
        config,
        include_lines: format!(
            "{}\n{}",
            include::marker_line(),
            include::include_line(&include_arg)
        ),
        problems,
        skipped: rendered.skipped.clone(),
        rendered,
        client,
        renderer,
        stamp,
        stamp_grew,
        shares: sharing.is_some(),
        seen,
        present,
        changed_sections,
        fleet_digest: opts.remove_missing.then_some(digest),
        layout,
    })
}

/// The owner and group of `ssh_dir` when azlin runs as root and they are another user's.
fn files_owner(ssh_dir: &Path) -> Option<(u32, u32)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if !rustix::process::geteuid().is_root() {
            return None;
        }
        let meta = std::fs::metadata(ssh_dir).ok()?;
        (meta.uid() != 0).then(|| (meta.uid(), meta.gid()))
    }
    #[cfg(not(unix))]
    {
        let _ = ssh_dir;
        None
    }
}

/// Whether `path` is a regular file itself (not a symlink to one).
fn is_regular(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

/// The problem of a symlink or other non-regular file where a generated file goes.
fn not_ours(path: &Path) -> Problem {
    Problem::new(
        "",
        None,
        format!(
            "{} is a symlink or not a regular file, so it is not one azlin generated: it was \
             left alone (and nothing written in its place); remove it and run `azlin \
             ssh-config` again",
            path.display()
        ),
    )
}

/// The alias of an older azlin's per-VM file, `azlin-<alias>.conf`.
fn legacy_alias(path: &Path) -> String {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    name.trim_start_matches(FILE_PREFIX)
        .trim_end_matches(FILE_SUFFIX)
        .to_string()
}

/// The identity of the file at `path` (symlinks followed), `None` when there is none.
fn file_id(path: &Path) -> Option<stamp::FileId> {
    std::fs::metadata(path).ok().map(|m| stamp::FileId::of(&m))
}

/// The connection-sharing options of the generated config, when the client supports them
/// and the socket paths fit (the rule azlin's own ssh follows, see
/// [`crate::ssh::control_dir_path`]: with a long `$HOME` plain `ssh vm` would otherwise
/// fail with "ControlPath too long").
fn sharing(client: &Client, paths: &Paths, layout: &Layout) -> Option<Sharing> {
    if !client.supports_sharing() {
        return None;
    }
    // ssh expands `~/.ssh/cm` to the same directory (see `home_path`).
    crate::ssh::control_dir_path(&layout.ssh_dir)?;
    let dir = home_path(client, paths, ".ssh/cm");
    // The directory must be writable literally (no `${`); the template quotes the value.
    crate::ssh::control_path_value(&dir)?;
    Some(Sharing {
        // ssh expands tokens in ControlPath: the directory's own `%` is doubled.
        control_path: format!("{}/%C", crate::ssh::escape_percent(&dir)),
    })
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

/// Brings the generated files and the Include line up to date with the inventory.
///
/// Nothing is written when nothing changed (mtimes stay). Otherwise, under a lock in
/// `~/.ssh/config.d`: `~/.ssh` (0700) and the files are created as needed, a backup of
/// `~/.ssh/config` is taken before its first edit, each file is replaced atomically
/// (symlinks followed), files of vanished VMs are removed, and the result is checked with
/// `ssh -G`; if that check fails every file is put back as it was and the error carries
/// ssh's message. A read-only `~/.ssh/config` that needs the Include gives
/// [`SshConfigError::ReadOnly`] (with the exact lines to add) before anything is touched.
///
/// VMs and sessions that cannot get an alias (hostile values, alias collisions) are left
/// out and listed in [`SyncReport::problems`]; the rest is still synced.
pub fn sync(
    paths: &Paths,
    inventory: &Inventory,
    opts: &Options,
) -> Result<SyncReport, SshConfigError> {
    if let Some(refused) = refused_by_ssh(paths) {
        return Err(refused);
    }
    let first = plan(paths, inventory, opts)?;
    if first.is_up_to_date() {
        if first.stamp_grew {
            first.stamp.save(&first.layout.stamp);
        }
        return Ok(SyncReport {
            problems: first.problems,
            skipped: first.skipped,
            ..SyncReport::default()
        });
    }
    let layout = first.layout.clone();
    if first.config.is_some() && is_read_only(&layout.config) {
        return Err(SshConfigError::ReadOnly {
            path: layout.config,
            instruction: "Add these lines at the top of it (before any `Host` or `Match` \
                          line), then run `azlin ssh-config` again",
            lines: first.include_lines,
        });
    }
    persist::create_dir_all(&layout.ssh_dir, 0o700).map_err(io_err("create", &layout.ssh_dir))?;
    let _lock = Lock::acquire(&layout.lock).map_err(io_err("lock", &layout.lock))?;
    // Another run may have synced while this one waited for the lock: then plan again.
    let plan = if first.still_current() {
        first
    } else {
        plan_with(paths, inventory, opts, first.client)?
    };
    apply(plan, opts)
}

fn apply(mut plan: Plan, opts: &Options) -> Result<SyncReport, SshConfigError> {
    let layout = plan.layout.clone();
    let layout = &layout;
    let mut report = SyncReport {
        problems: plan.problems.clone(),
        skipped: plan.skipped.clone(),
        changed_sections: plan.changed_sections.clone(),
        ..SyncReport::default()
    };
    if plan.is_up_to_date() {
        if plan.stamp_grew {
            plan.stamp.save(&layout.stamp);
        }
        return Ok(report);
    }
    remove_leftover_temporaries(&layout.config_d);
    if plan.shares {
        persist::create_dir_all(&layout.cm_dir, 0o700).map_err(io_err("create", &layout.cm_dir))?;
    }
    if let Some(FileChange { old: Some(old), .. }) = &plan.config {
        // Never through a symlink: O_EXCL and O_NOFOLLOW; a backup already there is the
        // first one, kept.
        if persist::create_new(&layout.backup, old, 0o600)
            .map_err(io_err("back up to", &layout.backup))?
        {
            report.backup = Some(layout.backup.clone());
        } else if !std::fs::symlink_metadata(&layout.backup).is_ok_and(|m| m.is_file()) {
            report.warnings.push(format!(
                "{} is not a regular file (a symlink?): it was left alone, and no new \
                 backup of {} was taken",
                layout.backup.display(),
                layout.config.display()
            ));
        }
    }
    // Everything touched is remembered first, so that a failure at any point can put back
    // the files as they were.
    let undo = Undo {
        done: plan
            .files
            .iter()
            .chain(&plan.config)
            .map(|ch| (ch.path.clone(), ch.old.clone()))
            .collect(),
    };
    if let Err(e) = write_changes(&plan) {
        undo.restore();
        return Err(e);
    }
    // The identities of the files as azlin wrote them, taken before the check: an edit
    // made while `ssh -G` runs changes them, so the stamp will not vouch for it.
    record_written(&mut plan);
    for ch in plan.files.iter().chain(&plan.config) {
        match &ch.new {
            Some(_) if Some(ch) == plan.config.as_ref() => report.config_edited = true,
            Some(_) => report.written.push(ch.path.clone()),
            None => report.removed.push(ch.path.clone()),
        }
    }
    if !plan.client.available() {
        report.warnings.push(format!(
            "ssh client `{}` not found: the generated config was not checked with `ssh -G` \
             (set AZLIN_SSH to the client you use)",
            plan.client.program.to_string_lossy()
        ));
        plan.stamp.save(&layout.stamp);
        return Ok(report);
    }
    let expects = to_validate(&plan, opts.validate_limit);
    // ssh ignores included files owned by anyone but root and the user running it: as
    // root with a user's HOME, check as that user, as whom ssh will read them.
    let user = files_owner(&layout.ssh_dir);
    // The lookups are independent and each reads every generated file: run them at once.
    let results: Vec<Result<(), String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = expects
            .iter()
            .map(|e| scope.spawn(|| plan.client.check(&layout.config, e, user)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("ssh check panicked".into()))
            })
            .collect()
    });
    if let Some(Err(message)) = results.into_iter().find(Result::is_err) {
        undo.restore();
        return Err(SshConfigError::Validation { message });
    }
    report.validated = expects.len();
    plan.stamp.save(&layout.stamp);
    Ok(report)
}

/// Adds the fleet file just written to the plan's stamp, so that the next sync need not
/// render or read it.
fn record_written(plan: &mut Plan) {
    let fleet = plan.layout.config_d.join(FLEET_FILE);
    let written = plan
        .files
        .iter()
        .any(|c| c.path == fleet && c.new.is_some());
    if let Some(digest) = &plan.fleet_digest
        && written
        && let Ok(meta) = std::fs::symlink_metadata(&fleet)
    {
        plan.stamp.record(FLEET_FILE, digest, &meta);
    }
}

/// Writes every new file in one batch (one durability barrier), then removes the files
/// of vanished VMs.
fn write_changes(plan: &Plan) -> Result<(), SshConfigError> {
    let writes: Vec<persist::FileWrite<'_>> = plan
        .files
        .iter()
        .chain(&plan.config)
        .filter_map(|ch| {
            let bytes = ch.new.as_deref()?;
            // A generated file is always private; a new config too; an existing config
            // keeps its mode.
            let mode = if ch.old.is_none() || Some(ch) != plan.config.as_ref() {
                Some(0o600)
            } else {
                None
            };
            Some((ch.path.as_path(), bytes, mode))
        })
        .collect();
    persist::write_atomic_all(&writes).map_err(|source| SshConfigError::Io {
        action: "write",
        path: plan.layout.config_d.clone(),
        source,
    })?;
    for ch in plan.files.iter().filter(|ch| ch.new.is_none()) {
        std::fs::remove_file(&ch.path).map_err(io_err("remove", &ch.path))?;
    }
    Ok(())
}

/// The aliases to check: of up to `limit` changed sections (evenly spread, first and
/// last included), the plain alias of the first, a session alias of the second, and so
/// on; both aliases when only one section changed, or one VM's when only the Include line
/// changed.
fn to_validate(plan: &Plan, limit: usize) -> Vec<&render::Expect> {
    let written: Vec<&render::VmFile> = plan
        .rendered
        .files
        .iter()
        .filter(|f| plan.changed_sections.contains(&f.alias))
        .collect();
    let chosen: Vec<&render::VmFile> = if written.is_empty() {
        plan.rendered.files.iter().take(1).collect()
    } else if written.len() <= limit.max(1) {
        written
    } else {
        // First, last, and evenly between.
        let last = written.len() - 1;
        let picks = limit.max(1);
        (0..picks)
            .map(|i| {
                written[if picks == 1 {
                    0
                } else {
                    i * last / (picks - 1)
                }]
            })
            .collect()
    };
    if let [only] = chosen.as_slice() {
        return only.expect.iter().collect();
    }
    // One alias per file, plain and session alias in turn: each lookup parses every
    // generated file anyway, and both kinds of alias still get checked.
    chosen
        .into_iter()
        .enumerate()
        .filter_map(|(i, f)| {
            if i % 2 == 1 {
                f.expect.last()
            } else {
                f.expect.first()
            }
        })
        .collect()
}

/// Previous contents of every file touched, to put back when a later step fails.
#[derive(Default)]
struct Undo {
    done: Vec<(PathBuf, Option<Vec<u8>>)>,
}

impl Undo {
    /// Best effort: a failure to restore one file must not stop the others.
    fn restore(self) {
        let writes: Vec<persist::FileWrite<'_>> = self
            .done
            .iter()
            .filter_map(|(path, old)| Some((path.as_path(), old.as_deref()?, None)))
            .collect();
        if persist::write_atomic_all(&writes).is_err() {
            // Then one by one, so that one bad file does not keep the others back.
            for (path, bytes, mode) in writes {
                let _ = persist::write_atomic(path, bytes, mode);
            }
        }
        for (path, old) in &self.done {
            if old.is_none() {
                let _ = std::fs::remove_file(path);
            }
        }
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

/// Deletes the generated files and azlin's Include line (in either form azlin writes),
/// leaving every other byte of `~/.ssh/config` as it was. A config that held nothing but
/// azlin's lines is deleted (unless it is a symlink). The backup is kept.
pub fn remove(paths: &Paths) -> Result<RemoveReport, SshConfigError> {
    let layout = Layout::new(paths);
    let old = read_opt(&layout.config)?;
    let tilde_arg = format!("~/.ssh/{CONFIG_D}/{FILE_PREFIX}*{FILE_SUFFIX}");
    let abs = layout.config_d.join(format!("{FILE_PREFIX}*{FILE_SUFFIX}"));
    let abs_arg = config_word(&abs.to_string_lossy());
    let new = old.as_deref().and_then(|bytes| {
        let once = include::remove(bytes, &tilde_arg);
        let twice = include::remove(once.as_deref().unwrap_or(bytes), &abs_arg);
        twice.or(once)
    });
    if new.is_some() && is_read_only(&layout.config) {
        return Err(SshConfigError::ReadOnly {
            path: layout.config,
            instruction: "Delete these lines from it yourself, then run `azlin ssh-config \
                          remove` again",
            lines: format!(
                "{}\n{}",
                include::marker_line(),
                include::include_line(&tilde_arg)
            ),
        });
    }
    let files = existing_files(&layout.config_d)?;
    let mut report = RemoveReport::default();
    if files.is_empty() && new.is_none() {
        return Ok(report);
    }
    let lock = Lock::acquire(&layout.lock).map_err(io_err("lock", &layout.lock))?;
    for f in existing_files(&layout.config_d)? {
        // A symlink or other non-regular file is not azlin's: left alone.
        if !is_regular(&f) {
            continue;
        }
        std::fs::remove_file(&f).map_err(io_err("remove", &f))?;
        report.removed.push(f);
    }
    remove_leftover_temporaries(&layout.config_d);
    if let Some(new) = new {
        let is_link =
            std::fs::symlink_metadata(&layout.config).is_ok_and(|m| m.file_type().is_symlink());
        if new.is_empty() && !is_link {
            std::fs::remove_file(&layout.config).map_err(io_err("remove", &layout.config))?;
        } else {
            persist::write_atomic(&layout.config, &new, None)
                .map_err(io_err("write", &layout.config))?;
        }
        report.config_edited = true;
    }
    // The lock file stays: deleting it while another run waits on it would let a third
    // run lock a new file and write at the same time.
    drop(lock);
    Ok(report)
}

#[cfg(test)]
mod tests;
