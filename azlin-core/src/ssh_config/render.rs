//! Rendering: the inventory becomes one config file for the fleet: per VM a section from
//! the Handlebars template (its `Host <vm> <vm>--*` block with what is the VM's own), then
//! the session aliases, grouped by their RemoteCommand (`Host a--dev b--dev` when both VMs
//! have a session `dev`), then the options every azlin host shares, written once. ssh
//! reads every line of every included file on every run, GitHub included: the file is
//! kept as short as explicit session aliases allow, every alias still spelled out on a
//! `Host` line (`ssh vm--<TAB>` completion and ssh-config parsers read those).
//!
//! Every connection line comes from [`SshTarget::connection_options`], so the stanza and
//! the ssh command line azlin runs cannot disagree. Values are validated before rendering
//! (a VM with a hostile value is refused, with a message naming it) and the template
//! helpers refuse control characters again, so a value can never end a line and start a
//! directive of its own.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::path::Path;

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason,
};
use serde::Serialize;

use crate::inventory::{ConnectDefaults, Inventory, Vm};
use crate::name;
// ControlPath is in PERCENT_EXPANDED but comes from `Sharing` below, whose `%C` is meant
// as a token: its options are marked `percent: false`.
use crate::ssh::PERCENT_EXPANDED;

use super::user::UserConfig;
use super::{Problem, SshConfigError};

/// Name of the per-VM template, embedded and overridable in `$AZLIN_HOME/templates/`.
pub const VM_TEMPLATE: &str = "vm.conf.hbs";

const EMBEDDED_VM_TEMPLATE: &str = include_str!("../../../templates/vm.conf.hbs");

/// The options that only a client with connection sharing gets.
pub(crate) struct Sharing {
    /// ControlPath value, e.g. `~/.ssh/cm/%C`.
    pub control_path: String,
}

/// What `ssh -G` must print for one field (see `client::Client::check`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    /// This value (compared without regard to ASCII case for names ssh lower-cases).
    Is(String),
    /// Some value (a path ssh expands, such as ControlPath's `%C`).
    Present,
    /// No value at all (a plain alias has no RemoteCommand).
    Absent,
}

/// What ssh -G must report for one alias of a file: every field azlin sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    /// The alias to look up.
    pub alias: String,
    /// `ssh -G` keys (lower case) and what each must be.
    pub fields: Vec<(String, Want)>,
}

impl Expect {
    /// What is expected of `key`, if anything.
    pub fn get(&self, key: &str) -> Option<&Want> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, w)| w)
    }
}

/// A plain alias azlin did not write because it would capture a host the user's ssh
/// reaches otherwise; the VM's `vm--session` aliases are still written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The VM's name, control characters escaped.
    pub vm: String,
    /// The alias left out.
    pub alias: String,
    /// Why, in words.
    pub reason: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "VM `{}`: no plain ssh alias `{}`: {}; use `{}--SESSION` (`ssh {}--SESSION`), or \
             rename the VM",
            self.vm, self.alias, self.reason, self.alias, self.alias
        )
    }
}

/// Why `alias` must not be written as a plain alias, if it must not: `ssh alias` would
/// otherwise go somewhere else (DNS, loopback, the user's own `Host` block).
pub(crate) fn captures(alias: &str, user: &UserConfig) -> Option<String> {
    if alias.parse::<std::net::IpAddr>().is_ok() {
        return Some("it is an IP address, which ssh would connect to itself".into());
    }
    if alias.contains('.') {
        return Some(
            "a name with a dot is a DNS name (think `github.com`): `ssh` and `git` must keep \
             reaching it"
                .into(),
        );
    }
    // The loopback names of /etc/hosts on common systems.
    if matches!(
        alias,
        "localhost" | "localhost4" | "localhost6" | "ip6-localhost" | "ip6-loopback"
    ) {
        return Some(format!("`{alias}` is this machine"));
    }
    user.hosts.get(alias).map(|o| {
        format!(
            "your ssh config names it (`Host` at {} line {})",
            o.file.display(),
            o.line
        )
    })
}

/// One generated file, prepared but not yet rendered: rendering is only needed for files
/// whose inputs changed since the last sync (see `stamp`), for a diff and for `print`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmFile {
    /// The VM's name.
    pub vm: String,
    /// Its alias (the lower-case name): the section's key in the fleet file.
    pub alias: String,
    /// Whether the plain alias counters the user's RemoteCommand and RequestTTY.
    counter: bool,
    /// A digest of everything the template sees (see [`Renderer::id`] for the rest).
    pub(crate) digest: String,
    ctx: VmCtx,
}

impl VmFile {
    /// What ssh must resolve once the file is in place: the plain alias (unless it was
    /// skipped), then the first session alias if there is one. Made when a sync checks
    /// what it wrote, not for every VM of every sync.
    pub fn expect(&self) -> Vec<Expect> {
        let mut common: Vec<(String, Want)> = self
            .ctx
            .options
            .iter()
            .map(|o| (o.key.to_ascii_lowercase(), want_of(o.key, &o.value)))
            .collect();
        // `Port 22`, ssh's default, may not be written (see `prepare_vm`), but is checked.
        if !common.iter().any(|(k, _)| k == "port") {
            common.push(("port".into(), Want::Is("22".into())));
        }
        common.sort_by(|a, b| a.0.cmp(&b.0));
        common.dedup_by(|a, b| a.0 == b.0);
        let mut expect = Vec::new();
        if self.ctx.plain {
            let mut fields = common.clone();
            fields.push(("remotecommand".into(), Want::Absent));
            if self.counter {
                fields.push(("requesttty".into(), Want::Is("auto".into())));
            }
            expect.push(Expect {
                alias: self.alias.clone(),
                fields,
            });
        }
        if let Some(s) = self.ctx.sessions.first() {
            let mut fields = common;
            fields.push(("requesttty".into(), Want::Is("true".into())));
            fields.push(("remotecommand".into(), Want::Is(s.command.clone())));
            expect.push(Expect {
                alias: s.alias.clone(),
                fields,
            });
        }
        expect
    }
}

/// Every generated file, plus what was refused.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// One per VM, sorted by alias.
    pub files: Vec<VmFile>,
    /// The shared part.
    pub(crate) shared: SharedCtx,
    /// VMs and sessions left out, with the reason.
    pub problems: Vec<Problem>,
    /// Plain aliases left out, with the reason.
    pub skipped: Vec<Skipped>,
}

/// What the generated config must respect of the user's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Respect<'a> {
    /// The user's own config, read.
    pub user: &'a UserConfig,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
struct OptionCtx {
    key: &'static str,
    value: String,
    percent: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
struct SessionCtx {
    name: String,
    alias: String,
    command: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
struct VmCtx {
    vm: String,
    alias: String,
    /// Whether the plain alias is written (see [`captures`]).
    plain: bool,
    options: Vec<OptionCtx>,
    sessions: Vec<SessionCtx>,
}

/// The connection options that are the same for every VM: written once, in the shared
/// part of the fleet file, for every azlin alias.
pub(crate) const SHARED_KEYS: [&str; 2] = ["UserKnownHostsFile", "StrictHostKeyChecking"];

/// The shared part of the fleet file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct SharedCtx {
    /// Options for every azlin alias ([`SHARED_KEYS`], keepalives, connection sharing).
    options: Vec<OptionCtx>,
    /// Whether the plain aliases counter a RemoteCommand or RequestTTY of the user's.
    counter: bool,
}

/// The comment line that starts a VM's section of the fleet file; the alias follows.
pub(crate) const SECTION_MARKER: &str = "# azlin: VM ";
/// The comment line that starts the session aliases.
const SESSIONS_MARKER: &str = "# azlin: session aliases, grouped by RemoteCommand";
/// The comment line that starts the shared part.
const SHARED_MARKER: &str = "# azlin: shared by every azlin alias";
/// Patterns per `Host` line of the shared part: ssh splits a line into words at a cost
/// that grows with the square of its length, so long lists are cut into blocks.
const PATTERNS_PER_LINE: usize = 64;

/// One VM's section of the fleet file, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Section {
    /// The VM's alias.
    pub alias: String,
    /// Whether the section writes the plain alias.
    pub plain: bool,
    /// The marker line and the template's output, ending in one newline.
    pub text: String,
    /// The VM's session aliases with their RemoteCommand lines as written (escaped):
    /// written in the session part, grouped with other VMs' sessions of the same command.
    pub sessions: Vec<SessionLine>,
}

/// One session alias of a section and the rest of its `RemoteCommand` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SessionLine {
    /// The `vm--session` alias.
    pub alias: String,
    /// The RemoteCommand's value as written (`%` doubled).
    pub command: String,
}

impl Section {
    fn new(alias: &str, body: &str) -> Section {
        let body = body.trim_end_matches(['\n', '\r']);
        let first_host = body
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("Host "))
            .unwrap_or_default();
        Section {
            alias: alias.to_string(),
            plain: first_host.split_whitespace().any(|p| p == alias),
            text: format!("{SECTION_MARKER}{alias}\n{body}\n"),
            sessions: Vec::new(),
        }
    }
}

/// The sections of a fleet file azlin wrote (its header and shared part left out), each
/// with its session aliases from the session part.
pub(crate) fn parse_sections(text: &str) -> Vec<Section> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut current: Option<(String, String)> = None;
    let mut in_sessions = false;
    // The session part's aliases, each with its command.
    let mut session_lines: Vec<SessionLine> = Vec::new();
    let mut aliases: Vec<&str> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(alias) = line.strip_prefix(SECTION_MARKER) {
            out.extend(current.take());
            in_sessions = false;
            current = Some((alias.trim_end().to_string(), String::new()));
        } else if line.starts_with(SESSIONS_MARKER) {
            out.extend(current.take());
            in_sessions = true;
        } else if line.starts_with(SHARED_MARKER) {
            out.extend(current.take());
            in_sessions = false;
        } else if in_sessions {
            if let Some(patterns) = line.strip_prefix("Host ") {
                aliases.extend(patterns.split_whitespace());
            } else if let Some(command) = line.trim_start().strip_prefix("RemoteCommand ") {
                let command = command.trim_end_matches(['\n', '\r']);
                session_lines.extend(aliases.drain(..).map(|alias| SessionLine {
                    alias: alias.to_string(),
                    command: command.to_string(),
                }));
            }
        } else if let Some((_, body)) = &mut current {
            body.push_str(line);
        }
    }
    out.extend(current);
    let mut sections: Vec<Section> = out.iter().map(|(a, b)| Section::new(a, b)).collect();
    // A session alias is its VM's alias, `--`, the session's: the longest section alias
    // that prefixes it so is its VM (no VM's alias is `--`-prefixed by another's: see
    // [`collisions`]). Looked up at each `--` of the alias, longest first, not matched
    // against every section: a thousand VMs' sessions are read back on every sync.
    let by_alias: std::collections::HashMap<String, usize> = sections
        .iter()
        .enumerate()
        .map(|(i, s)| (s.alias.clone(), i))
        .collect();
    for line in session_lines {
        let owner = line
            .alias
            .rmatch_indices(name::ALIAS_SEPARATOR)
            .find_map(|(at, _)| by_alias.get(&line.alias[..at]).copied());
        if let Some(i) = owner {
            sections[i].sessions.push(line);
        }
    }
    // In the order rendering gives them (by alias), whatever the order of the blocks.
    for s in &mut sections {
        s.sessions.sort_by(|a, b| a.alias.cmp(&b.alias));
    }
    sections
}

/// The section for `alias` made from an older azlin's per-VM file (`azlin-<vm>.conf`):
/// its text without the leading comments, the shared options it held included.
pub(crate) fn legacy_section(alias: &str, text: &str) -> Section {
    let body: String = text
        .split_inclusive('\n')
        .skip_while(|l| l.starts_with('#'))
        .collect();
    Section::new(alias, &body)
}

/// The fleet file: the header, every section, then the shared part for the aliases of
/// every section.
pub(crate) fn fleet_text(
    sections: &[Section],
    shared: &SharedCtx,
) -> Result<String, SshConfigError> {
    let mut out = String::from(
        "# Generated by azlin for its VMs. Do not edit: `azlin ssh-config` rewrites this \
         file\n# and `azlin ssh-config remove` deletes it. Change the layout of a VM's part \
         in\n# $AZLIN_HOME/templates/vm.conf.hbs.\n",
    );
    for s in sections {
        out.push('\n');
        out.push_str(&s.text);
    }
    if sections.is_empty() {
        return Ok(out);
    }
    // Sessions of the same name on many VMs have the same command: one block for all of
    // them costs ssh one RemoteCommand line to read instead of one per VM.
    let mut by_command: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for line in sections.iter().flat_map(|s| &s.sessions) {
        by_command
            .entry(line.command.as_str())
            .or_default()
            .push(line.alias.clone());
    }
    if !by_command.is_empty() {
        out.push('\n');
        out.push_str(SESSIONS_MARKER);
        out.push('\n');
        for (command, aliases) in &by_command {
            host_blocks(&mut out, aliases, &format!("    RemoteCommand {command}\n"));
        }
    }
    let broken = |e: RenderError| SshConfigError::Template {
        origin: "the shared options".into(),
        message: e.to_string(),
    };
    let mut lines = String::new();
    for o in &shared.options {
        let value = escape_value(&o.value, o.percent).map_err(broken)?;
        lines.push_str(&format!("    {} {value}\n", o.key));
    }
    out.push('\n');
    out.push_str(SHARED_MARKER);
    out.push('\n');
    let session_patterns: Vec<String> =
        sections.iter().map(|s| format!("{}--*", s.alias)).collect();
    let all: Vec<String> = sections
        .iter()
        .zip(&session_patterns)
        .flat_map(|(s, pattern)| {
            let plain = s.plain.then(|| s.alias.clone());
            plain.into_iter().chain([pattern.clone()])
        })
        .collect();
    host_blocks(&mut out, &all, &lines);
    // Every `vm--…` alias needs a terminal for its tmux; written here once per block of
    // VMs rather than once per VM (the plain alias is not matched: `ssh vm cmd` keeps no
    // terminal, as plain ssh does).
    host_blocks(&mut out, &session_patterns, "    RequestTTY yes\n");
    if shared.counter {
        let plains: Vec<String> = sections
            .iter()
            .filter(|s| s.plain)
            .map(|s| s.alias.clone())
            .collect();
        host_blocks(
            &mut out,
            &plains,
            "    RemoteCommand none\n    RequestTTY auto\n",
        );
    }
    Ok(out)
}

/// Appends `Host <patterns…>` blocks, [`PATTERNS_PER_LINE`] patterns a line, each followed
/// by `body` (indented option lines).
fn host_blocks(out: &mut String, patterns: &[String], body: &str) {
    for chunk in patterns.chunks(PATTERNS_PER_LINE) {
        out.push_str(&format!("Host {}\n{body}", chunk.join(" ")));
    }
}

/// A 128-bit digest of `value` (two SipHash runs with different prefixes). It only decides
/// whether a file may need rendering again, so a changed hash function (another Rust
/// release) merely costs one full comparison.
pub(crate) fn digest(value: &impl Hash) -> String {
    let half = |salt: u8| {
        let mut h = std::hash::DefaultHasher::new();
        salt.hash(&mut h);
        value.hash(&mut h);
        h.finish()
    };
    format!("{:016x}{:016x}", half(1), half(2))
}

/// The per-VM template, registered once, with what identifies its output.
#[derive(Debug, Clone)]
pub(crate) struct Renderer {
    hb: Handlebars<'static>,
    /// A digest of the template's source and of this azlin binary (its version, size and
    /// modification time): with a file's [`VmFile::digest`] it determines the file's text.
    pub(crate) id: String,
    /// The user's template, when it writes the session blocks itself (a template of an
    /// older azlin): they then come twice, and ssh reads every line of both.
    pub(crate) writes_sessions: Option<std::path::PathBuf>,
}

impl Renderer {
    /// The registry with the per-VM template: `$AZLIN_HOME/templates/vm.conf.hbs` when the
    /// user has one, else the embedded one.
    pub(crate) fn load(templates_dir: &Path) -> Result<Renderer, SshConfigError> {
        let mut hb = Handlebars::new();
        hb.register_escape_fn(handlebars::no_escape);
        hb.set_strict_mode(true);
        hb.register_helper("ssh", escaping_helper("ssh", escape_value));
        hb.register_helper(
            "ssh_command",
            escaping_helper("ssh_command", escape_command),
        );
        let override_path = templates_dir.join(VM_TEMPLATE);
        let (source, origin, users) = match std::fs::read_to_string(&override_path) {
            Ok(text) => (text, override_path.display().to_string(), true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (
                EMBEDDED_VM_TEMPLATE.to_string(),
                format!("embedded {VM_TEMPLATE}"),
                false,
            ),
            Err(source) => {
                return Err(SshConfigError::Io {
                    action: "read template",
                    path: override_path,
                    source,
                });
            }
        };
        // The binary's identity stands for the helpers' code: a rebuilt azlin may escape
        // differently, so its stamp entries must not count.
        let exe = std::env::current_exe()
            .and_then(std::fs::metadata)
            .ok()
            .map(|m| (m.len(), m.modified().ok()));
        let id = digest(&(&source, env!("CARGO_PKG_VERSION"), exe));
        let writes_sessions =
            (users && source.contains("#each sessions")).then(|| override_path.clone());
        hb.register_template_string(VM_TEMPLATE, source)
            .map_err(|e| SshConfigError::Template {
                origin,
                message: e.to_string(),
            })?;
        Ok(Renderer {
            hb,
            id,
            writes_sessions,
        })
    }

    /// One VM's section of the fleet file.
    pub(crate) fn section(&self, file: &VmFile) -> Result<Section, SshConfigError> {
        let mut section = Section::new(&file.alias, &self.text(file)?);
        for s in &file.ctx.sessions {
            let command = line_safe("RemoteCommand", &s.command)
                .and_then(|()| escape_command(&s.command, true))
                .map_err(|e| SshConfigError::Template {
                    origin: format!("the session aliases (VM `{}`)", file.vm),
                    message: e.to_string(),
                })?;
            section.sessions.push(SessionLine {
                alias: s.alias.clone(),
                command,
            });
        }
        Ok(section)
    }

    /// The template's output for one VM.
    pub(crate) fn text(&self, file: &VmFile) -> Result<String, SshConfigError> {
        self.hb
            .render(VM_TEMPLATE, &file.ctx)
            .map_err(|e| SshConfigError::Template {
                origin: format!("{VM_TEMPLATE} (VM `{}`)", file.vm),
                message: e.to_string(),
            })
    }
}

/// What `ssh -G` prints for option `key` set to `value` (see [`Want`]).
fn want_of(key: &str, value: &str) -> Want {
    match key {
        // Shown before token expansion: `%` still doubled.
        "IdentityFile" => Want::Is(crate::ssh::escape_percent(value)),
        // Shown after expansion of `~` and tokens.
        "ControlPath" => Want::Present,
        "UserKnownHostsFile" if value.starts_with('~') => Want::Present,
        _ => Want::Is(value.to_string()),
    }
}

/// Prepares a file for every VM of the inventory that has an address.
pub(crate) fn prepare(
    inventory: &Inventory,
    defaults: &ConnectDefaults,
    sharing: Option<&Sharing>,
    respect: Respect<'_>,
) -> Rendered {
    let mut out = Rendered::default();
    let refused = collisions(inventory, &mut out.problems);
    // Keepalives and connection sharing: the same for every VM, written once.
    let mut extra_shared = Vec::new();
    if !respect.user.sets_keepalive {
        for (key, value) in crate::ssh::KEEPALIVE {
            extra_shared.push(OptionCtx {
                key,
                value: value.to_string(),
                percent: false,
            });
        }
    }
    if let Some(s) = sharing {
        for (key, value) in [
            ("ControlMaster", "auto".to_string()),
            ("ControlPath", s.control_path.clone()),
            (
                "ControlPersist",
                crate::ssh::CONTROL_PERSIST_SECS.to_string(),
            ),
        ] {
            // ControlPath's `%C` is meant as a token (its literal part is escaped).
            extra_shared.push(OptionCtx {
                key,
                value,
                percent: false,
            });
        }
    }
    let vms: Vec<&Vm> = inventory
        .vms
        .iter()
        .filter(|vm| !refused.contains(vm.name.as_str()))
        .collect();
    // A thousand VMs are CPU work (validation, digests) on every sync, the unchanged one
    // included: spread over the cores. Merged in inventory order, as one loop would.
    let prepared = crate::parallel::fan_out(&vms, crate::persist::parallelism(), |vm| {
        prepare_vm(vm, inventory, defaults, &extra_shared, respect)
    });
    for p in prepared {
        out.problems.extend(p.problems);
        out.skipped.extend(p.skipped);
        out.shared.counter |= p.counter;
        if let Some((file, shared)) = p.file {
            if out.shared.options.is_empty() {
                out.shared.options = shared;
            }
            out.files.push(file);
        }
    }
    out.files.sort_by(|a, b| a.alias.cmp(&b.alias));
    out
}

/// What [`prepare`] gets from one VM.
#[derive(Default)]
struct PreparedVm {
    /// The VM's file and its shared options, unless it was refused.
    file: Option<(VmFile, Vec<OptionCtx>)>,
    problems: Vec<Problem>,
    skipped: Option<Skipped>,
    /// Whether its plain alias counters the user's RemoteCommand.
    counter: bool,
}

/// Prepares one VM's file (see [`prepare`]).
fn prepare_vm(
    vm: &Vm,
    inventory: &Inventory,
    defaults: &ConnectDefaults,
    extra_shared: &[OptionCtx],
    respect: Respect<'_>,
) -> PreparedVm {
    let mut out = PreparedVm::default();
    // A VM without an address (a deallocated Azure VM) has nothing to connect to.
    let Some(target) = vm.ssh_target(defaults) else {
        return out;
    };
    if let Err(e) = target.validate() {
        out.problems
            .push(Problem::new(&vm.name, None, e.to_string()));
        return out;
    }
    let alias = vm.name.to_ascii_lowercase();
    let (shared, options): (Vec<OptionCtx>, Vec<OptionCtx>) = target
        .connection_options()
        .into_iter()
        .map(|(key, value)| OptionCtx {
            key,
            value,
            percent: PERCENT_EXPANDED.contains(&key),
        })
        .partition(|o| SHARED_KEYS.contains(&o.key));
    let mut shared = shared;
    shared.extend(extra_shared.iter().cloned());
    let sessions = sessions_of(inventory, &vm.name, &mut out.problems);
    let skipped = captures(&alias, respect.user);
    let plain = skipped.is_none();
    out.skipped = skipped.map(|reason| Skipped {
        vm: vm.name.escape_debug().to_string(),
        alias: alias.clone(),
        reason,
    });
    let counter = plain && respect.user.sets_remote_command;
    out.counter = counter;
    // `Port 22` is ssh's default: one line less per VM for every ssh run to read, unless
    // the user's config sets a Port (the Include comes first, but a `Host *` of theirs
    // would still give an unset port). [`VmFile::expect`] still checks the port.
    let options = options
        .into_iter()
        .filter(|o| respect.user.sets_port || !(o.key == "Port" && o.value == "22"))
        .collect();
    let ctx = VmCtx {
        vm: vm.name.clone(),
        alias: alias.clone(),
        plain,
        options,
        sessions,
    };
    out.file = Some((
        VmFile {
            vm: vm.name.clone(),
            alias,
            counter,
            digest: digest(&ctx),
            ctx,
        },
        shared,
    ));
    out
}

/// The sessions of `vm` that can have an alias: valid names, one alias each.
fn sessions_of(inventory: &Inventory, vm: &str, problems: &mut Vec<Problem>) -> Vec<SessionCtx> {
    let mut by_alias: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for s in inventory.sessions.sessions_of(vm) {
        match name::validate_session_name(&s.name) {
            Ok(()) => by_alias
                .entry(name::ssh_alias(vm, &s.name))
                .or_default()
                .push(&s.name),
            Err(e) => problems.push(Problem::new(vm, Some(&s.name), e.to_string())),
        }
    }
    let mut out = Vec::new();
    for (alias, names) in by_alias {
        if let [only] = names.as_slice() {
            out.push(SessionCtx {
                name: only.to_string(),
                alias,
                // Quoted once, by the one builder of the attach command (a valid name
                // needs no quotes, so the line reads as tmux's own).
                command: crate::tmux::attach(only),
            });
        } else if names.iter().collect::<BTreeSet<_>>().len() > 1 {
            problems.push(Problem::new(
                vm,
                None,
                format!(
                    "sessions {} would share the alias `{alias}` (aliases are lower-case): \
                     rename one of them",
                    backticked(&names)
                ),
            ));
        } else {
            // The same session listed twice in the cache: one alias is right.
            out.push(SessionCtx {
                name: names[0].to_string(),
                alias,
                command: crate::tmux::attach(names[0]),
            });
        }
    }
    out
}

/// VMs whose aliases would collide: two names equal but for case, or a name that one VM's
/// `<vm>--*` pattern would catch (`a` and `a--b`). Both sides are left out and reported,
/// never merged.
fn collisions<'a>(inventory: &'a Inventory, problems: &mut Vec<Problem>) -> BTreeSet<&'a str> {
    let mut refused = BTreeSet::new();
    let lower: BTreeMap<String, Vec<&str>> =
        inventory.vms.iter().fold(BTreeMap::new(), |mut m, vm| {
            m.entry(vm.name.to_ascii_lowercase())
                .or_default()
                .push(vm.name.as_str());
            m
        });
    for (alias, names) in &lower {
        if names.len() > 1 {
            for n in names {
                problems.push(Problem::new(
                    n,
                    None,
                    format!(
                        "VMs {} would share the ssh alias `{alias}` (aliases are lower-case): \
                         rename one of them",
                        backticked(names)
                    ),
                ));
                refused.insert(*n);
            }
        }
        // `a--b` is caught by `Host a a--*`: check every `--` split point.
        for (i, _) in alias.match_indices(name::ALIAS_SEPARATOR) {
            if let Some(owners) = lower.get(&alias[..i]) {
                for (n, other) in names
                    .iter()
                    .flat_map(|n| owners.iter().map(move |o| (*n, *o)))
                {
                    let message = format!(
                        "the alias `{alias}` of VM `{n}` would be caught by the `{}--*` \
                         pattern of VM `{other}`: rename one of them",
                        &alias[..i]
                    );
                    problems.push(Problem::new(n, None, message.clone()));
                    problems.push(Problem::new(other, None, message));
                    refused.insert(n);
                    refused.insert(other);
                }
            }
        }
    }
    refused
}

/// `a`, `b` and `c` in backticks, joined with commas.
fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{}`", n.escape_debug()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn param_str(h: &Helper<'_>, helper: &'static str) -> Result<String, RenderError> {
    let value = h
        .param(0)
        .ok_or_else(|| RenderErrorReason::ParamNotFoundForIndex(helper, 0))?
        .value();
    match value {
        serde_json::Value::String(s) => Ok(s.clone()),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        serde_json::Value::Bool(b) => Ok(if *b { "yes" } else { "no" }.to_string()),
        other => {
            Err(RenderErrorReason::Other(format!("`{helper}` needs a string, got {other}")).into())
        }
    }
}

/// Refuses what could end a config line: every control character, NUL, CR and newline
/// included.
fn line_safe(helper: &str, value: &str) -> Result<(), RenderError> {
    if value.is_empty() {
        return Err(RenderErrorReason::Other(format!("`{helper}`: empty value")).into());
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(RenderErrorReason::Other(format!(
            "`{helper}`: value `{}` contains the control character U+{:04X}",
            value.escape_debug(),
            c as u32
        ))
        .into());
    }
    Ok(())
}

/// A helper that checks its one value with [`line_safe`], then writes `escape(value,
/// percent)`; `percent` is the `percent=true` hash argument.
fn escaping_helper(
    name: &'static str,
    escape: fn(&str, bool) -> Result<String, RenderError>,
) -> Box<dyn HelperDef + Send + Sync> {
    Box::new(
        move |h: &Helper<'_>,
              _: &Handlebars<'_>,
              _: &Context,
              _: &mut RenderContext<'_, '_>,
              out: &mut dyn Output|
              -> HelperResult {
            let value = param_str(h, name)?;
            line_safe(name, &value)?;
            out.write(&escape(&value, percent_flag(h))?)?;
            Ok(())
        },
    )
}

fn percent_flag(h: &Helper<'_>) -> bool {
    h.hash_get("percent")
        .and_then(|v| v.value().as_bool())
        .unwrap_or(false)
}

/// `{{ssh value [percent=true]}}`: one argument of a keyword, written as OpenSSH's
/// tokenizer reads it ([`crate::ssh::config_word`], the renderer of `-o` values too):
/// quoted and escaped when it holds white space, quotes, `\\` or `#`, `%` doubled when
/// `percent` is set.
pub(crate) fn escape_value(value: &str, percent: bool) -> Result<String, RenderError> {
    let tokens = if percent {
        crate::ssh::Tokens::Expanded
    } else {
        crate::ssh::Tokens::Literal
    };
    crate::ssh::config_word("value", value, tokens)
        .map_err(|e| RenderErrorReason::Other(format!("`ssh`: {e}")).into())
}

/// `{{ssh_command value}}`: the rest of a RemoteCommand line, where ssh expands `%`
/// tokens, so `%` is always doubled.
fn escape_command(value: &str, _percent: bool) -> Result<String, RenderError> {
    Ok(crate::ssh::escape_percent(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{ProviderKind, SessionCache, SessionInfo, Vm};

    pub(crate) fn vm(name: &str, address: &str) -> Vm {
        let mut vm = Vm::new(name, ProviderKind::Local).at(address);
        vm.port = 2222;
        vm.user = Some("alice".into());
        vm
    }

    fn session(name: &str) -> SessionInfo {
        SessionInfo::new(name)
    }

    fn defaults() -> ConnectDefaults {
        ConnectDefaults {
            user: None,
            identity_file: None,
            known_hosts: "/h/.azlin/known_hosts".into(),
        }
    }

    fn respect() -> Respect<'static> {
        static NONE: std::sync::LazyLock<UserConfig> =
            std::sync::LazyLock::new(UserConfig::default);
        Respect { user: &NONE }
    }

    /// Every file's text, in file-name order, with the prepared files.
    fn render_inv(inv: &Inventory, sharing: Option<&Sharing>) -> (Rendered, Vec<String>) {
        let r = Renderer::load(Path::new("/nonexistent")).unwrap();
        let prepared = prepare(inv, &defaults(), sharing, respect());
        let texts = prepared.files.iter().map(|f| r.text(f).unwrap()).collect();
        (prepared, texts)
    }

    /// The inventory prepared against `user`'s config, its sections and its fleet file.
    fn fleet_of(inv: &Inventory, user: &UserConfig) -> (Rendered, Vec<Section>, String) {
        let r = Renderer::load(Path::new("/nonexistent")).unwrap();
        let prepared = prepare(inv, &defaults(), None, Respect { user });
        let sections: Vec<Section> = prepared
            .files
            .iter()
            .map(|f| r.section(f).unwrap())
            .collect();
        let fleet = fleet_text(&sections, &prepared.shared).unwrap();
        (prepared, sections, fleet)
    }

    #[test]
    fn renders_host_block_then_session_blocks() {
        let mut cache = SessionCache::default();
        cache.record("MyVM", vec![session("dev"), session("Build")]);
        let inv = Inventory::new(vec![vm("MyVM", "10.0.0.4")], cache).unwrap();
        let (r, texts) = render_inv(
            &inv,
            Some(&Sharing {
                control_path: "~/.ssh/cm/%C".into(),
            }),
        );
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let f = &r.files[0];
        let text = &texts[0];
        assert_eq!(f.alias, "myvm");
        let expected = "Host myvm myvm--*
    HostName 10.0.0.4
    User alice
    Port 2222
    HostKeyAlias azlin.local.MyVM
";
        assert_eq!(text, expected);
        // The fleet file: header, the section, the session aliases, then the shared
        // options written once.
        let renderer = Renderer::load(Path::new("/nonexistent")).unwrap();
        let section = renderer.section(f).unwrap();
        let fleet = fleet_text(std::slice::from_ref(&section), &r.shared).unwrap();
        let shared_tail = "# azlin: session aliases, grouped by RemoteCommand
Host myvm--build
    RemoteCommand tmux new-session -A -s Build
Host myvm--dev
    RemoteCommand tmux new-session -A -s dev

# azlin: shared by every azlin alias
Host myvm myvm--*
    UserKnownHostsFile /h/.azlin/known_hosts
    StrictHostKeyChecking accept-new
    ServerAliveInterval 15
    ServerAliveCountMax 3
    ControlMaster auto
    ControlPath ~/.ssh/cm/%C
    ControlPersist 60
Host myvm--*
    RequestTTY yes
";
        assert!(
            fleet.starts_with("# Generated by azlin for its VMs."),
            "{fleet}"
        );
        assert!(
            fleet.contains(&format!("\n# azlin: VM myvm\n{expected}\n")),
            "{fleet}"
        );
        assert!(fleet.ends_with(shared_tail), "{fleet}");
        // What azlin wrote reads back as the same sections.
        assert_eq!(parse_sections(&fleet), vec![section]);
        assert_eq!(f.expect().len(), 2);
        assert_eq!(
            f.expect()[1].get("remotecommand"),
            Some(&Want::Is("tmux new-session -A -s Build".into()))
        );
        assert_eq!(f.expect()[0].get("remotecommand"), Some(&Want::Absent));
        assert_eq!(f.expect()[0].get("user"), Some(&Want::Is("alice".into())));
    }

    #[test]
    fn sessions_of_the_same_command_share_a_block_and_read_back_to_their_vms() {
        let mut cache = SessionCache::default();
        cache.record("a", vec![session("dev"), session("x")]);
        // Command order (`Zed` < `abc`) is not alias order (`abc` < `zed`).
        cache.record("ab", vec![session("dev"), session("Zed"), session("abc")]);
        cache.record("b--c", vec![session("dev"), session("Build")]);
        let vms = ["a", "ab", "b--c", "none"].map(|n| vm(n, "10.0.0.1"));
        let inv = Inventory::new(vms.to_vec(), cache).unwrap();
        let user = UserConfig::default();
        let (prepared, sections, fleet) = fleet_of(&inv, &user);
        let part = fleet
            .split("# azlin: session aliases, grouped by RemoteCommand\n")
            .nth(1)
            .and_then(|rest| rest.split("\n# azlin: shared").next())
            .unwrap();
        assert_eq!(
            part,
            "Host b--c--build\n    RemoteCommand tmux new-session -A -s Build\n\
             Host ab--zed\n    RemoteCommand tmux new-session -A -s Zed\n\
             Host ab--abc\n    RemoteCommand tmux new-session -A -s abc\n\
             Host a--dev ab--dev b--c--dev\n    RemoteCommand tmux new-session -A -s dev\n\
             Host a--x\n    RemoteCommand tmux new-session -A -s x\n"
        );
        // Each alias goes back to its own VM (`ab--dev` is not `a`'s, `b--c--dev` is
        // `b--c`'s), so a narrowed sync keeps other VMs' sessions as they were.
        assert_eq!(parse_sections(&fleet), sections);
        // One VM's part alone (`ssh-config print VM`) has only its own sessions.
        let one = fleet_text(&sections[..1], &prepared.shared).unwrap();
        assert!(one.contains("Host a--dev\n"), "{one}");
        assert!(!one.contains("ab--dev"), "{one}");
    }

    #[test]
    fn hostile_values_are_refused_naming_the_vm() {
        let mut cache = SessionCache::default();
        cache.record("ok", vec![session("a\nHost *"), session("fine")]);
        let mut bad = vm("evil", "10.0.0.5");
        bad.user = Some("x\n    ProxyCommand sh".into());
        let mut bad_name = vm("ok2", "10.0.0.6");
        bad_name.name = "bad name\nHost *".into();
        let mut dollar = vm("dollar", "10.0.0.7");
        dollar.identity_file = Some("/k/${HOME}/id".into());
        let inv = Inventory::new(vec![vm("ok", "10.0.0.4"), bad, bad_name, dollar], cache).unwrap();
        let (r, texts) = render_inv(&inv, None);
        assert_eq!(r.files.len(), 1);
        let renderer = Renderer::load(Path::new("/nonexistent")).unwrap();
        let section = renderer.section(&r.files[0]).unwrap();
        let aliases: Vec<&str> = section.sessions.iter().map(|s| s.alias.as_str()).collect();
        assert_eq!(aliases, ["ok--fine"]);
        assert!(!texts[0].contains("Host *"));
        let msgs: Vec<String> = r.problems.iter().map(|p| p.to_string()).collect();
        assert!(msgs.iter().any(|m| m.contains("VM `evil`")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("session")), "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.contains("bad name\\nHost *")),
            "{msgs:?}"
        );
        // Unexpressible for ssh: refused naming the VM, the field and the value.
        assert!(
            msgs.iter().any(|m| m.contains("VM `dollar`")
                && m.contains("identity file `/k/${HOME}/id`")
                && m.contains("`${`")),
            "{msgs:?}"
        );
    }

    #[test]
    fn aliases_that_would_capture_a_host_are_left_out_but_session_aliases_stay() {
        let names = ["github.com", "localhost", "127.0.0.1", "bastion", "ok"];
        let mut cache = SessionCache::default();
        for n in names {
            cache.record(n, vec![session("dev")]);
        }
        let inv = Inventory::new(names.iter().map(|n| vm(n, "10.0.0.9")).collect(), cache).unwrap();
        let mut user = UserConfig::default();
        user.hosts.insert(
            "bastion".into(),
            super::super::user::Origin {
                file: "/home/me/.ssh/config".into(),
                line: 7,
            },
        );
        user.sets_remote_command = true;
        user.sets_keepalive = true;
        let (prepared, _, fleet) = fleet_of(&inv, &user);
        let r = Renderer::load(Path::new("/nonexistent")).unwrap();
        // Only the plain alias that is azlin's counters the user's RemoteCommand; the
        // shared options name no skipped plain alias.
        assert!(
            fleet.ends_with("Host ok\n    RemoteCommand none\n    RequestTTY auto\n"),
            "{fleet}"
        );
        assert!(!fleet.contains("ServerAlive"), "{fleet}");
        // Every VM's session alias stays, in one block: they share the command.
        assert!(
            fleet.contains(
                "\nHost 127.0.0.1--dev bastion--dev github.com--dev localhost--dev ok--dev\n    \
                 RemoteCommand tmux new-session -A -s dev\n"
            ),
            "{fleet}"
        );
        for name in ["github.com", "localhost", "127.0.0.1", "bastion"] {
            assert!(!fleet.contains(&format!(" {name} ")), "{name}: {fleet}");
        }
        let skipped: Vec<&str> = prepared.skipped.iter().map(|s| s.alias.as_str()).collect();
        assert_eq!(skipped, ["127.0.0.1", "bastion", "github.com", "localhost"]);
        let why = prepared.skipped[1].to_string();
        assert!(why.contains("/home/me/.ssh/config line 7"), "{why}");
        assert!(why.contains("bastion--SESSION"), "{why}");
        for f in &prepared.files {
            let text = r.text(f).unwrap();
            assert!(!text.contains("ServerAlive"), "{text}");
            if f.vm == "ok" {
                assert!(text.contains("Host ok ok--*\n"), "{text}");
                assert_eq!(f.expect().len(), 2);
            } else {
                let host = format!("Host {}--*\n", f.vm);
                assert!(text.contains(&host), "{text}");
                assert!(!text.contains("RemoteCommand none"), "{text}");
                assert_eq!(f.expect().len(), 1);
                assert_eq!(f.expect()[0].alias, format!("{}--dev", f.vm));
            }
        }
    }

    #[test]
    fn colliding_aliases_are_reported_not_merged() {
        let inv = Inventory::new(
            vec![
                vm("Box", "10.0.0.1"),
                vm("box", "10.0.0.2"),
                vm("a", "10.0.0.3"),
                vm("a--b", "10.0.0.4"),
                vm("c", "10.0.0.5"),
            ],
            SessionCache::default(),
        )
        .unwrap();
        let (r, _) = render_inv(&inv, None);
        let names: Vec<&str> = r.files.iter().map(|f| f.vm.as_str()).collect();
        assert_eq!(names, ["c"]);
        assert_eq!(r.problems.len(), 4, "{:?}", r.problems);
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_value("/a b", false).unwrap(), "\"/a b\"");
        assert_eq!(escape_value("/a%b", true).unwrap(), "/a%%b");
        assert_eq!(escape_value("/a#b", false).unwrap(), "\"/a#b\"");
        assert_eq!(escape_value("a\"b", false).unwrap(), "\"a\\\"b\"");
        assert!(escape_value("/${X}", true).is_err());
        assert!(line_safe("ssh", "a\nb").is_err());
        assert!(line_safe("ssh", "a\rb").is_err());
        assert!(line_safe("ssh", "a\0b").is_err());
    }

    #[test]
    fn user_template_overrides_and_broken_template_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(VM_TEMPLATE), "Host {{ssh alias}}\n").unwrap();
        let renderer = Renderer::load(dir.path()).unwrap();
        let inv = Inventory::new(vec![vm("x", "10.0.0.1")], SessionCache::default()).unwrap();
        let r = prepare(&inv, &defaults(), None, respect());
        assert_eq!(renderer.text(&r.files[0]).unwrap(), "Host x\n");
        // Another template is another renderer: its files' stamps do not carry over.
        assert_ne!(
            renderer.id,
            Renderer::load(Path::new("/nonexistent")).unwrap().id
        );
        assert_eq!(renderer.writes_sessions, None);
        let old = "Host {{ssh alias}}\n{{#each sessions}}Host {{ssh alias}}\n{{/each}}";
        std::fs::write(dir.path().join(VM_TEMPLATE), old).unwrap();
        assert_eq!(
            Renderer::load(dir.path()).unwrap().writes_sessions,
            Some(dir.path().join(VM_TEMPLATE))
        );
        std::fs::write(dir.path().join(VM_TEMPLATE), "Host {{#each}}\n").unwrap();
        let err = Renderer::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains(VM_TEMPLATE), "{err}");
    }
}
