//! Short remote tmux operations over ssh: live probes of the sessions on VMs (one ssh per
//! VM, all VMs concurrently, each bounded by a timeout) and the session operations built
//! on them (detach, kill, label). Long-running and interactive work (`connect`, `exec`)
//! is run by the binary with the same [`SshTarget`] and [`Invocation`]; how any remote
//! command ended (guard markers, azlin's stops, exit statuses) is read here once, by
//! [`StderrReading`] into an [`Ending`], for the short operations and `exec` alike.

use std::path::PathBuf;
use std::time::Duration;

use crate::inventory::{Inventory, SessionCache, SessionInfo, Vm};
use crate::name::{self, MAX_SESSION_LEN};
use crate::process::{self, Finished, Stopped};
use crate::ssh::{Invocation, SshTarget};
use crate::text::{Escaped, shortened};
use crate::tmux::{self, Guard, GuardFailure, Listing, Need};

/// How remote operations connect.
#[derive(Debug, Clone)]
pub struct Settings {
    /// ssh `ConnectTimeout`, seconds: also how long a target may take to print its first
    /// byte (connect, key exchange and authentication included) before it is unreachable.
    pub connect_timeout: u32,
    /// Hard bound on one probe (a short command), after which its ssh is killed.
    pub probe_timeout: Duration,
    /// Concurrent probes.
    pub jobs: usize,
    /// ControlPath directory, when connections are shared.
    pub control_dir: Option<PathBuf>,
    /// Whether azlin's ssh sends keepalives (not when the user's ssh config sets them).
    pub keepalive: bool,
}

/// Default ssh connect timeout, seconds.
pub const DEFAULT_CONNECT_TIMEOUT: u32 = 10;

/// What a probe may take beyond the connect timeout: a tmux listing is instant once
/// the connection is up, so `list` ends within `--timeout` and this.
pub const PROBE_MARGIN: Duration = Duration::from_secs(3);

/// The most a probe's answer may hold (both streams): a tmux listing of hundreds of
/// sessions is a few kilobytes; more is a VM that misbehaves, not a listing.
pub const MAX_ANSWER: usize = 1024 * 1024;

impl Settings {
    /// Settings with `connect_timeout` seconds; a probe may take that plus [`PROBE_MARGIN`].
    pub fn new(connect_timeout: u32, control_dir: Option<PathBuf>) -> Settings {
        Settings {
            connect_timeout,
            probe_timeout: Duration::from_secs(u64::from(connect_timeout)) + PROBE_MARGIN,
            // Probes are short: every VM at once (commands that run more set their own).
            jobs: crate::parallel::ALL_AT_ONCE,
            control_dir,
            keepalive: true,
        }
    }

    /// The invocation for non-interactive commands, before the master claim: private, so
    /// that every ssh azlin runs to a VM goes through [`Settings::invocation_to`].
    fn invocation(&self) -> Invocation {
        let how = Invocation::batch(self.connect_timeout).keepalive(self.keepalive);
        match &self.control_dir {
            Some(d) => how.shared(d.clone()),
            None => how,
        }
    }

    /// The invocation for one non-interactive ssh to `target` (a probe, a session
    /// operation, `peek`, `send`, `wait`, `exec`), which may run beside others to the same
    /// VM (azlin's or another azlin's): it becomes the shared connection's master only
    /// when no other ssh has claimed that within the connect timeout (see
    /// [`crate::ssh::claim_master`]), so ssh prints nothing about the shared socket.
    pub fn invocation_to(&self, target: &SshTarget) -> Invocation {
        let mut how = self.invocation();
        if let Some(dir) = &self.control_dir {
            let window = Duration::from_secs(u64::from(self.connect_timeout));
            how.master = crate::ssh::claim_master(dir, &target.host_key_alias, window);
        }
        how
    }

    /// The deadline on a target's first byte of output (see [`crate::ssh::announced`]).
    pub fn first_output(&self) -> Duration {
        Duration::from_secs(u64::from(self.connect_timeout))
    }
}

/// A remote operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The VM has no address to connect to.
    #[error(
        "VM `{}` has no address: start it, or give it one (`azlin host add … --address`)",
        Escaped(.vm)
    )]
    NoAddress {
        /// The VM without an address.
        vm: String,
    },
    /// A value of the VM's record cannot be given to ssh as it is.
    #[error("VM `{vm}`: {source}")]
    Invalid {
        /// The VM whose record holds the value.
        vm: String,
        /// Which value, and why.
        source: crate::ssh::InvalidValue,
    },
    /// ssh could not be run at all.
    #[error(
        "cannot run the ssh client `{client}`: {source}: install OpenSSH, or set AZLIN_SSH \
         to the client to use"
    )]
    Spawn {
        /// The ssh client azlin tried to run (`AZLIN_SSH`, default `ssh`).
        client: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// ssh could not reach the VM (or was killed at the timeout).
    #[error(
        "cannot reach `{}` ({}): {}",
        Escaped(.vm),
        Escaped(.target),
        Escaped(.detail)
    )]
    Unreachable {
        /// The VM azlin could not reach.
        vm: String,
        /// `user@host:port`.
        target: String,
        /// ssh's message, or the timeout.
        detail: String,
    },
    /// The VM answered with more than a probe's answer may hold.
    #[error(
        "`{vm}` ({target}) misbehaves: its answer to `{command}` passed {limit} bytes, so it \
         was cut off; check what prints on login there (e.g. ~/.bashrc)"
    )]
    Misbehaving {
        /// The VM that sent too much.
        vm: String,
        /// `user@host:port`.
        target: String,
        /// What was run (the tmux listing, a session operation).
        command: &'static str,
        /// The bound, bytes.
        limit: usize,
    },
    /// azlin was asked to stop (SIGINT, SIGTERM, SIGHUP) while this ran.
    #[error("`{vm}`: stopped, azlin received {signal}")]
    Interrupted {
        /// The VM whose operation was stopped.
        vm: String,
        /// The signal's name.
        signal: String,
    },
    /// The VM has no tmux.
    #[error(
        "tmux is not installed on `{}`: install it there (e.g. `apt-get install tmux`)",
        Escaped(.vm)
    )]
    NoTmux {
        /// The VM without tmux.
        vm: String,
    },
    /// The named session does not exist.
    #[error("{}", no_such_session(.vm, .session, .existing))]
    NoSuchSession {
        /// The VM that was asked.
        vm: String,
        /// The session asked for.
        session: String,
        /// The sessions that do exist there.
        existing: Vec<String>,
    },
    /// A tmux command failed on the VM.
    #[error(
        "`{}` failed on `{}` (exit {status}): {}",
        Escaped(.command),
        Escaped(.vm),
        Escaped(.stderr)
    )]
    Tmux {
        /// The VM the command ran on.
        vm: String,
        /// The tmux command line that failed.
        command: String,
        /// Its exit status.
        status: i32,
        /// What it said.
        stderr: String,
    },
}

/// The message of [`RemoteError::NoSuchSession`]: only the sessions azlin can address are
/// offered (the others cannot be typed back).
fn no_such_session(vm: &str, session: &str, existing: &[String]) -> String {
    let names: Vec<&str> = existing
        .iter()
        .map(String::as_str)
        .filter(|s| name::validate_session_name(s).is_ok())
        .collect();
    MissingSession::new(vm, session).with(&names)
}

/// The parts of the message about a missing session, so that the one message is put
/// together in Rust from the names a probe found ([`MissingSession::with`]) and, by
/// [`failure_saying`], on the VM from the names tmux lists there.
struct MissingSession {
    /// The VM, escaped.
    vm: String,
    /// The session asked for, escaped.
    session: String,
}

impl MissingSession {
    fn new(vm: &str, session: &str) -> MissingSession {
        MissingSession {
            vm: Escaped(vm).to_string(),
            session: Escaped(session).to_string(),
        }
    }

    /// The start of the message when the VM has sessions azlin can address; the names
    /// follow, each after [`MissingSession::before_name`].
    fn head(&self) -> String {
        let (vm, session) = (&self.vm, &self.session);
        format!("no tmux session `{session}` on `{vm}`; the sessions on `{vm}` are:")
    }

    /// What precedes each name in the list: one `vm:session` a line, as
    /// [`crate::suggest::one_per_line`] shows choices.
    fn before_name(&self) -> String {
        format!("\n  {}:", self.vm)
    }

    /// The start of the message when the VM has no session azlin can address.
    fn head_without_sessions(&self) -> String {
        let (vm, session) = (&self.vm, &self.session);
        format!(
            "no tmux session `{session}` on `{vm}`; `{vm}` has no tmux sessions azlin can address"
        )
    }

    /// The end of the message: how to create the session.
    fn tail(&self) -> String {
        let (vm, session) = (&self.vm, &self.session);
        format!(
            "\ncreate it with `azlin ssh {vm} --tmux-session {session}` (or `azlin exec --create`)"
        )
    }

    /// The whole message, with `names` (sessions azlin can address) as the list.
    fn with(&self, names: &[&str]) -> String {
        if names.is_empty() {
            return format!("{}{}", self.head_without_sessions(), self.tail());
        }
        let mut text = self.head();
        for n in names {
            text.push_str(&self.before_name());
            text.push_str(&Escaped(n).to_string());
        }
        text.push_str(&self.tail());
        text
    }
}

/// The ssh target of `vm`, or why there is none.
pub fn target_of(
    vm: &Vm,
    defaults: &crate::inventory::ConnectDefaults,
) -> Result<SshTarget, RemoteError> {
    let target = vm
        .ssh_target(defaults)
        .ok_or_else(|| RemoteError::NoAddress {
            vm: vm.name.clone(),
        })?;
    // Every `-o` value must reach ssh as written (see `ssh::option_value`).
    target
        .rendered_options()
        .map_err(|source| RemoteError::Invalid {
            vm: vm.name.escape_debug().to_string(),
            source,
        })?;
    Ok(target)
}

/// Runs one short command on `target`, bounded by the probe timeout and
/// [`MAX_ANSWER`]; ssh's own failure (exit 255, silence past the connect timeout, the
/// probe timeout) is [`RemoteError::Unreachable`]. `what` names the command in errors.
pub fn run(
    target: &SshTarget,
    settings: &Settings,
    what: &'static str,
    command: &str,
) -> Result<Finished, RemoteError> {
    let (ending, done) = run_reading(target, settings, command, None);
    ending.status(target, settings, what)?;
    Ok(done)
}

/// Runs one short command (as [`run`]) and reads how it ended, with `guard`'s markers
/// when the command starts with its check; stdout is stripped of the ready line.
fn run_reading(
    target: &SshTarget,
    settings: &Settings,
    command: &str,
    guard: Option<(&Guard, &str)>,
) -> (Ending, Finished) {
    let cmd = target.command(
        &settings.invocation_to(target),
        Some(&crate::ssh::announced(command)),
    );
    let bounds = process::Bounds {
        first_output: Some(settings.first_output()),
        total: Some(settings.probe_timeout),
        max_output: Some(MAX_ANSWER),
    };
    let done = process::run_limited(cmd, None, bounds, None);
    let mut reading = StderrReading::new(guard);
    match done {
        Ok(mut done) => {
            for line in String::from_utf8_lossy(&done.stderr).lines() {
                reading.line(line);
            }
            done.stdout = crate::ssh::strip_ready(&done.stdout);
            (reading.ending(&target.vm, Ok(&done)), done)
        }
        Err(e) => (reading.ending(&target.vm, Err(e)), Finished::default()),
    }
}

/// How a remote command's ssh ended: the one reading of the guard's markers, azlin's
/// stops and exit statuses that `exec` (which streams its output) and the session
/// operations (which collect it) share. Built by [`StderrReading::ending`].
#[derive(Debug)]
pub enum Ending {
    /// The command ran and exited with this status.
    Exited(i32),
    /// The guard kept the command from running: no tmux, a missing session, one that
    /// could not be created.
    Refused(RemoteError),
    /// ssh failed: exit 255 with its reason (ssh's last line on stderr), or ended by a
    /// signal (`status` `None`; `reason` empty when ssh said nothing).
    SshFailed {
        /// ssh's exit status, `None` when a signal ended it.
        status: Option<i32>,
        /// ssh's last line on stderr that is not a notice.
        reason: String,
    },
    /// azlin ended the ssh (a deadline, too much output, a signal azlin received).
    Stopped(Stopped),
    /// ssh could not be started.
    Spawn(std::io::Error),
}

impl Ending {
    /// The command's exit status, or the error of a short operation that did not get one
    /// (for [`run`] and [`guarded`]: every ssh failure is [`RemoteError::Unreachable`]).
    pub fn status(
        self,
        target: &SshTarget,
        settings: &Settings,
        what: &'static str,
    ) -> Result<i32, RemoteError> {
        let unreachable = |detail: String| RemoteError::Unreachable {
            vm: target.vm.clone(),
            target: target.to_string(),
            detail,
        };
        match self {
            Ending::Exited(255) => Err(unreachable(NO_MESSAGE.to_string())),
            Ending::Exited(status) => Ok(status),
            Ending::Refused(e) => Err(e),
            Ending::SshFailed { reason, .. } if reason.is_empty() => {
                Err(unreachable(NO_MESSAGE.to_string()))
            }
            Ending::SshFailed { reason, .. } => Err(unreachable(reason)),
            Ending::Stopped(Stopped::Silent) => Err(unreachable(silent(settings))),
            Ending::Stopped(Stopped::TimedOut) => Err(unreachable(format!(
                "connected, then no end within {} s",
                settings.probe_timeout.as_secs()
            ))),
            Ending::Stopped(Stopped::TooMuchOutput) => Err(RemoteError::Misbehaving {
                vm: target.vm.clone(),
                target: target.to_string(),
                command: what,
                limit: MAX_ANSWER,
            }),
            Ending::Stopped(Stopped::Interrupted(sig)) => Err(RemoteError::Interrupted {
                vm: target.vm.clone(),
                signal: crate::interrupt::name(sig),
            }),
            Ending::Spawn(source) => Err(RemoteError::Spawn {
                client: crate::ssh::client().to_string_lossy().into_owned(),
                source,
            }),
        }
    }

    /// What a summary of several targets says of this one, `None` on success (`exec`'s
    /// summary: `exit 3`, `exit 255: ssh: connect to host …`, `unreachable: …`).
    pub fn failure(&self, settings: &Settings) -> Option<String> {
        Some(match self {
            Ending::Exited(0) => return None,
            Ending::Exited(code) => format!("exit {code}"),
            Ending::Refused(e) => e.to_string(),
            Ending::SshFailed {
                status: Some(code),
                reason,
            } if reason.is_empty() => format!("exit {code}"),
            Ending::SshFailed {
                status: Some(code),
                reason,
            } => format!("exit {code}: {reason}"),
            Ending::SshFailed { status: None, .. } => "killed by a signal".to_string(),
            Ending::Stopped(Stopped::Silent) => format!("unreachable: {}", silent(settings)),
            Ending::Stopped(Stopped::Interrupted(sig)) => {
                format!("stopped: azlin received {}", crate::interrupt::name(*sig))
            }
            Ending::Stopped(Stopped::TimedOut | Stopped::TooMuchOutput) => {
                "stopped by azlin".to_string()
            }
            Ending::Spawn(e) => format!("cannot run ssh: {e}"),
        })
    }
}

/// The reason of a connection that never printed its first byte.
fn silent(settings: &Settings) -> String {
    format!(
        "no answer within {} s (--timeout)",
        settings.connect_timeout
    )
}

/// The reason of an ssh that failed without a word.
const NO_MESSAGE: &str = "the connection ended without a message from ssh (exit 255)";

/// What azlin reads in a remote command's stderr besides what it shows: the markers of
/// the [`Guard`] that checked the session first, and ssh's reason for failing (its last
/// line that is not a notice). Fed line by line, from a stream or a finished run.
pub struct StderrReading<'g> {
    /// The guard and the session it checks, when the command starts with its check.
    guard: Option<(&'g Guard, &'g str)>,
    markers: Vec<String>,
    reason: String,
}

impl<'g> StderrReading<'g> {
    /// A reading of a command that `guard` (with the session it checks) starts, if any.
    pub fn new(guard: Option<(&'g Guard, &'g str)>) -> StderrReading<'g> {
        StderrReading {
            guard,
            markers: Vec::new(),
            reason: String::new(),
        }
    }

    /// Reads one line of stderr; `true` when it is the guard's (azlin's own: not shown).
    pub fn line(&mut self, line: &str) -> bool {
        if let Some((guard, _)) = self.guard
            && guard.is_marker(line)
        {
            self.markers.push(line.to_string());
            return true;
        }
        if !line.trim().is_empty() && !is_ssh_notice(line) {
            self.reason = line.trim().to_string();
        }
        false
    }

    /// How the command on `vm` ended, from what its stderr said and how its ssh finished
    /// (`done`: its exit status and whether azlin stopped it, or why it could not start).
    /// The guard's verdict comes first: a refused command exits 1 by design.
    pub fn ending(self, vm: &str, done: std::io::Result<&Finished>) -> Ending {
        if let Some((guard, session)) = self.guard
            && let Some(failure) = guard.failure(&self.markers)
        {
            return Ending::Refused(guard_error(vm, session, failure, &self.reason));
        }
        let done = match done {
            Ok(done) => done,
            Err(e) => return Ending::Spawn(e),
        };
        if let Some(why) = done.stopped {
            return Ending::Stopped(why);
        }
        match done.status.map(|s| s.code()) {
            Some(Some(255)) if !self.reason.is_empty() => Ending::SshFailed {
                status: Some(255),
                reason: self.reason,
            },
            Some(Some(code)) => Ending::Exited(code),
            Some(None) | None => Ending::SshFailed {
                status: None,
                reason: self.reason,
            },
        }
    }
}

/// Whether `line` of ssh's stderr is a notice, not a reason: the host key it just learnt,
/// which ssh prints before it knows whether the connection will work.
pub fn is_ssh_notice(line: &str) -> bool {
    line.starts_with("Warning: Permanently added")
}

/// The last non-empty line of ssh's stderr: its reason for failing (not the notice of
/// a host key it just learnt, which ssh prints before it knows whether it will fail).
fn last_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty() && !is_ssh_notice(l))
        .map(|l| l.trim().to_string())
        .unwrap_or_else(|| "the connection ended without a message from ssh (exit 255)".to_string())
}

/// Lists the sessions on one VM.
pub fn probe(target: &SshTarget, settings: &Settings) -> Result<Vec<SessionInfo>, RemoteError> {
    let done = run(
        target,
        settings,
        "tmux list-sessions",
        &tmux::list_sessions(),
    )?;
    listed(target, &done.stdout)
}

/// The sessions a `tmux list-sessions` (in [`tmux::LIST_FORMAT`]) printed on `target`,
/// logged at `-vv` next to the command line `-v` already shows. A record that could not
/// be read, and a session whose name azlin cannot address, are warnings naming the VM.
pub(crate) fn listed(target: &SshTarget, stdout: &[u8]) -> Result<Vec<SessionInfo>, RemoteError> {
    let vm = Escaped(&target.vm);
    match tmux::parse_list(stdout) {
        Listing::Sessions { sessions, rejected } => {
            for r in rejected.iter().take(WARNINGS_PER_KIND) {
                crate::diag::warn(format_args!(
                    "`{vm}` sent a tmux listing record azlin cannot read ({}); skipped: {}",
                    r.reason,
                    Escaped(&r.record)
                ));
            }
            more_warnings(
                &vm,
                rejected.len(),
                "records azlin cannot read were skipped",
            );
            let unaddressable: Vec<_> = sessions
                .iter()
                .filter_map(|s| name::validate_session_name(&s.name).err())
                .collect();
            for rule in unaddressable.iter().take(WARNINGS_PER_KIND) {
                crate::diag::warn(format_args!(
                    "a tmux session on `{vm}` cannot be addressed by azlin ({rule}): it is \
                     listed, without an alias; rename it with `tmux rename-session`"
                ));
            }
            more_warnings(
                &vm,
                unaddressable.len(),
                "sessions azlin cannot address are listed without an alias",
            );
            tracing::debug!(
                target: crate::diag::FOUND,
                "probe: {vm}: {} tmux sessions{}{}",
                sessions.len(),
                if sessions.is_empty() { "" } else { ": " },
                sessions
                    .iter()
                    .map(|x| Escaped(&shortened(&x.name, MAX_SESSION_LEN)).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            Ok(sessions)
        }
        Listing::NoTmux => Err(RemoteError::NoTmux {
            vm: target.vm.clone(),
        }),
    }
}

/// Warnings of one kind about one VM's listing, at most: a VM that sends thousands of bad
/// records gets a count, not thousands of lines.
const WARNINGS_PER_KIND: usize = 5;

/// The count of the warnings of a kind past [`WARNINGS_PER_KIND`], if any.
fn more_warnings(vm: &Escaped<'_>, count: usize, what: &str) {
    if count > WARNINGS_PER_KIND {
        crate::diag::warn(format_args!(
            "`{vm}`: {} more {what}",
            count - WARNINGS_PER_KIND
        ));
    }
}

/// Whether azlin can name `session` (`vm:session`, `vm--session`): only such sessions are
/// remembered, completed, aliased and offered in messages; the others are only listed.
pub fn addressable(session: &SessionInfo) -> bool {
    name::validate_session_name(&session.name).is_ok()
}

/// What one probe found: the VM's sessions, or why there are none.
pub type Probe = Result<Vec<SessionInfo>, RemoteError>;

/// How a listing (`list`) shows a running VM after its probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeStatus {
    /// Its sessions were listed, or it has none (no tmux is not a failure of the VM).
    Running,
    /// It answered more than a probe's answer may hold.
    Misbehaving,
    /// It could not be asked: unreachable, refused, no address, stopped by a signal…
    Unreachable,
}

impl ProbeStatus {
    /// The status `probe` gives its running VM.
    pub fn of(probe: &Probe) -> ProbeStatus {
        match probe {
            Ok(_) | Err(RemoteError::NoTmux { .. }) => ProbeStatus::Running,
            Err(RemoteError::Misbehaving { .. }) => ProbeStatus::Misbehaving,
            Err(_) => ProbeStatus::Unreachable,
        }
    }

    /// Whether the VM could not be probed: a listing with such a VM exits 1.
    pub fn failed(self) -> bool {
        self != ProbeStatus::Running
    }

    /// The status as `list` shows it: `Running`, `Misbehaving`, `Unreachable`.
    pub fn title(self) -> &'static str {
        match self {
            ProbeStatus::Running => "Running",
            ProbeStatus::Misbehaving => "Misbehaving",
            ProbeStatus::Unreachable => "Unreachable",
        }
    }
}

/// Records successful probes in `cache` (failed ones keep what was known), and, given
/// the whole inventory, forgets VMs no longer in it. Pass `None` when the inventory may
/// be partial (`--rg`, an Azure listing that failed): VMs it does not show may still exist.
pub fn record(
    cache: &mut SessionCache,
    whole_inventory: Option<&Inventory>,
    results: &[(&str, &Result<Vec<SessionInfo>, RemoteError>)],
) {
    for (vm, result) in results {
        match result {
            Ok(sessions) => cache.record(
                vm,
                sessions
                    .iter()
                    .filter(|s| addressable(s))
                    .cloned()
                    .collect(),
            ),
            Err(RemoteError::NoTmux { .. }) => cache.record(vm, Vec::new()),
            Err(_) => {}
        }
    }
    if let Some(inventory) = whole_inventory {
        let names: Vec<&str> = inventory.vms.iter().map(|v| v.name.as_str()).collect();
        cache.retain_vms(&names);
    }
}

/// `sessions` (what `vm` listed) if `session` is among them, else
/// [`RemoteError::NoSuchSession`] naming the sessions that do exist.
pub fn require(
    vm: &str,
    session: &str,
    sessions: Vec<SessionInfo>,
) -> Result<Vec<SessionInfo>, RemoteError> {
    if sessions.iter().any(|s| s.name == session) {
        Ok(sessions)
    } else {
        Err(RemoteError::NoSuchSession {
            vm: vm.to_string(),
            session: session.to_string(),
            existing: sessions.into_iter().map(|s| s.name).collect(),
        })
    }
}

/// The error for a command that `guard` kept from running on `vm`; `stderr` is what the
/// remote side said besides the markers (tmux's reason when a session was not created).
pub fn guard_error(vm: &str, session: &str, failure: GuardFailure, stderr: &str) -> RemoteError {
    match failure {
        GuardFailure::NoTmux => RemoteError::NoTmux { vm: vm.to_string() },
        GuardFailure::Missing(existing) => RemoteError::NoSuchSession {
            vm: vm.to_string(),
            session: session.to_string(),
            existing,
        },
        GuardFailure::NotCreated => RemoteError::Tmux {
            vm: vm.to_string(),
            command: tmux::new_detached(session),
            status: 1,
            stderr: if stderr.trim().is_empty() {
                "see tmux's message above".to_string()
            } else {
                last_line(stderr.as_bytes())
            },
        },
    }
}

/// What the shell does when a session check before a command that replaces azlin (one
/// target, whose output azlin never sees) fails: azlin's own error message on stderr and
/// exit 1, as azlin would. The message's parts ([`MissingSession`]) travel as quoted
/// words; the shell only adds the names tmux lists that azlin can address (the rule of
/// `name::validate_session_name`, so nothing the VM sends reaches the terminal). For
/// [`tmux::check_session`] and [`tmux::exec_command`].
pub fn failure_saying(vm: &str, session: &str) -> tmux::OnFailure {
    let q = crate::quote::shell_quote;
    let say = |msg: &str| format!("printf '%s\\n' {} >&2; exit 1", q(msg));
    let message = MissingSession::new(vm, session);
    let error = |text: String| format!("error: {text}");
    let addressable = format!("^[A-Za-z0-9_][A-Za-z0-9_-]{{0,{}}}$", MAX_SESSION_LEN - 1);
    tmux::OnFailure {
        no_tmux: say(&error(
            RemoteError::NoTmux { vm: vm.to_string() }.to_string(),
        )),
        missing: format!(
            "azlin_l=$(tmux list-sessions -F '#{{session_name}}' 2>/dev/null | \
                 LC_ALL=C grep -E {}); \
                 if [ -n \"$azlin_l\" ]; then {{ printf '%s' {}; \
                 printf '%s\\n' \"$azlin_l\" | while IFS= read -r azlin_s; do \
                 printf '%s%s' {} \"$azlin_s\"; done; \
                 printf '%s\\n' {}; }} >&2; else printf '%s%s\\n' {} {} >&2; fi; exit 1",
            q(&addressable),
            q(&error(message.head())),
            q(&message.before_name()),
            q(&message.tail()),
            q(&error(message.head_without_sessions())),
            q(&message.tail()),
        ),
        not_created: "exit 1".to_string(),
    }
}

/// Runs `command` on `target` after the [`Guard`] check of `session` for `need`, in one
/// ssh: a missing session is [`RemoteError::NoSuchSession`] (listing the sessions the VM
/// has), and a command that fails is [`RemoteError::Tmux`] with its last line on stderr.
pub fn guarded(
    target: &SshTarget,
    settings: &Settings,
    what: &'static str,
    session: &str,
    need: Need,
    command: &str,
) -> Result<Finished, RemoteError> {
    let guard = Guard::new();
    let script = format!("{}{command}", guard.script(session, need));
    let (ending, done) = run_reading(target, settings, &script, Some((&guard, session)));
    let last = match &ending {
        Ending::Exited(_) => last_line(&done.stderr),
        _ => String::new(),
    };
    match ending.status(target, settings, what)? {
        0 => Ok(done),
        status => Err(RemoteError::Tmux {
            vm: target.vm.clone(),
            command: command.to_string(),
            status,
            stderr: last,
        }),
    }
}

/// Makes sure `session` is as `need` says (it exists, or it is created detached), runs
/// the tmux `command` on it and lists the sessions afterwards, all in one ssh (a missing
/// session is [`RemoteError::NoSuchSession`]): for `disconnect`, `kill`, `session vm:s
/// NAME` and a `connect` without a terminal, which used to probe, act and probe again,
/// three connections' worth of round trips.
pub fn session_op(
    target: &SshTarget,
    settings: &Settings,
    session: &str,
    need: Need,
    command: &str,
) -> Result<Vec<SessionInfo>, RemoteError> {
    let script = format!(
        "{{ {command}\n}} || exit $?\ntmux list-sessions -F {} 2>/dev/null; exit 0",
        crate::quote::shell_quote(tmux::LIST_FORMAT)
    );
    let done = guarded(
        target,
        settings,
        "a tmux session operation",
        session,
        need,
        &script,
    )
    .map_err(|e| match e {
        // The error names the operation, not the listing that follows it.
        RemoteError::Tmux {
            vm, status, stderr, ..
        } => RemoteError::Tmux {
            vm,
            command: command.to_string(),
            status,
            stderr,
        },
        other => other,
    })?;
    listed(target, &done.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::tests::vm;

    fn session(name: &str) -> SessionInfo {
        SessionInfo::new(name)
    }

    #[test]
    fn record_keeps_what_a_failed_probe_could_not_see_and_drops_removed_vms() {
        let mut cache = SessionCache::default();
        cache.record("up", vec![session("old")]);
        cache.record("down", vec![session("kept")]);
        cache.record("gone", vec![session("x")]);
        let inventory = Inventory::new(
            vec![vm("up"), vm("down"), vm("bare")],
            SessionCache::default(),
        )
        .unwrap();
        let fresh: Result<Vec<SessionInfo>, RemoteError> = Ok(vec![session("new")]);
        let failed: Result<Vec<SessionInfo>, RemoteError> = Err(RemoteError::Unreachable {
            vm: "down".into(),
            target: "127.0.0.1".into(),
            detail: "refused".into(),
        });
        let no_tmux: Result<Vec<SessionInfo>, RemoteError> =
            Err(RemoteError::NoTmux { vm: "bare".into() });
        let results = [("up", &fresh), ("down", &failed), ("bare", &no_tmux)];
        // A partial inventory (`--rg`) forgets nothing it does not show.
        let mut partial = cache.clone();
        record(&mut partial, None, &results);
        assert_eq!(partial.sessions_of("gone"), [session("x")]);
        assert_eq!(partial.sessions_of("up"), [session("new")]);
        record(&mut cache, Some(&inventory), &results);
        assert_eq!(cache.sessions_of("up"), [session("new")]);
        assert_eq!(cache.sessions_of("down"), [session("kept")]);
        assert!(cache.vms.contains_key("bare"));
        assert!(!cache.vms.contains_key("gone"));
    }

    /// How `status` (an exit code, `None` for a signal) with these stderr lines is read.
    #[cfg(unix)]
    fn read(lines: &[&str], status: Option<i32>, stopped: Option<Stopped>) -> Ending {
        use std::os::unix::process::ExitStatusExt;
        let mut reading = StderrReading::new(None);
        for line in lines {
            assert!(!reading.line(line), "no guard: every line is shown");
        }
        let done = Finished {
            status: Some(std::process::ExitStatus::from_raw(match status {
                Some(code) => code << 8,
                None => 9,
            })),
            stopped,
            ..Finished::default()
        };
        reading.ending("myvm", Ok(&done))
    }

    #[cfg(unix)]
    #[test]
    fn an_ending_is_read_once_for_exec_and_the_short_operations() {
        let settings = Settings::new(5, None);
        let target = crate::inventory::tests::vm("myvm")
            .ssh_target(&crate::inventory::ConnectDefaults::default())
            .unwrap();
        let refused = "ssh: connect to host 10.0.0.5 port 22: Connection refused";
        let notice = "Warning: Permanently added 'x' (ED25519) to the list of known hosts.";
        let cases: [(Ending, Option<&str>, Result<i32, &str>); 6] = [
            (read(&[], Some(0), None), None, Ok(0)),
            (
                read(&["make: *** Error 3"], Some(3), None),
                Some("exit 3"),
                Ok(3),
            ),
            (
                read(&[notice, refused, notice], Some(255), None),
                Some(&*format!("exit 255: {refused}")),
                Err(refused),
            ),
            // The command's own 255, or ssh's without a word: nothing to tell them apart.
            (
                read(&[notice], Some(255), None),
                Some("exit 255"),
                Err(NO_MESSAGE),
            ),
            (
                read(&[], None, None),
                Some("killed by a signal"),
                Err(NO_MESSAGE),
            ),
            (
                read(&[], None, Some(Stopped::Silent)),
                Some("unreachable: no answer within 5 s (--timeout)"),
                Err("no answer within 5 s (--timeout)"),
            ),
        ];
        for (ending, summary, status) in cases {
            assert_eq!(ending.failure(&settings).as_deref(), summary, "{ending:?}");
            match (ending.status(&target, &settings, "a test"), status) {
                (Ok(got), Ok(want)) => assert_eq!(got, want),
                (Err(RemoteError::Unreachable { detail, .. }), Err(want)) => {
                    assert_eq!(detail, want)
                }
                (got, want) => panic!("{got:?}, expected {want:?}"),
            }
        }
    }

    /// The guard's verdict comes from its markers, which are never shown; a missing tmux
    /// is said as azlin's error, whatever the exit status.
    #[cfg(unix)]
    #[test]
    fn a_guard_that_refused_is_read_from_its_markers() {
        let guard = Guard::new();
        let script = guard.script("dev", Need::Existing);
        let empty = tempfile::tempdir().unwrap();
        let out = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(&script)
            .env("PATH", empty.path())
            .output()
            .unwrap();
        let mut reading = StderrReading::new(Some((&guard, "dev")));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.lines().count() > 0);
        for line in stderr.lines() {
            assert!(reading.line(line), "a marker is azlin's own: {line}");
        }
        let done = Finished {
            status: Some(out.status),
            ..Finished::default()
        };
        match reading.ending("myvm", Ok(&done)) {
            Ending::Refused(e @ RemoteError::NoTmux { .. }) => {
                assert!(e.to_string().contains("tmux is not installed on `myvm`"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_session_lists_the_others_in_compound_form() {
        let msg = RemoteError::NoSuchSession {
            vm: "myvm".into(),
            session: "x".into(),
            existing: vec!["dev".into(), "main".into()],
        }
        .to_string();
        assert!(msg.contains("no tmux session `x` on `myvm`"), "{msg}");
        assert!(msg.contains(":\n  myvm:dev\n  myvm:main\n"), "{msg}");
    }

    /// The VM side of [`failure_saying`] says the very message azlin says itself: run by
    /// a real shell, with a `tmux` on PATH that lists sessions and knows none of them.
    #[cfg(unix)]
    #[test]
    fn the_message_said_on_the_vm_is_azlins_own() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let tmux = dir.path().join("tmux");
        for (listed, offered) in [
            ("dev\nb c\n-x\nmain\n", vec!["dev", "main"]),
            ("b c\n", vec![]),
        ] {
            std::fs::write(
                &tmux,
                format!("#!/bin/sh\n[ \"$1\" = list-sessions ] && printf '{listed}'\nexit 1\n"),
            )
            .unwrap();
            std::fs::set_permissions(&tmux, std::fs::Permissions::from_mode(0o755)).unwrap();
            let script = tmux::check_session(
                "nope",
                Need::Existing,
                &failure_saying("my\u{1b}vm", "nope"),
            );
            for shell in crate::quote::login_shells() {
                let out = std::process::Command::new(shell)
                    .arg("-c")
                    .arg(&script)
                    .env("PATH", format!("{}:/usr/bin:/bin", dir.path().display()))
                    .output()
                    .unwrap();
                assert_eq!(out.status.code(), Some(1), "{shell}");
                let said = String::from_utf8(out.stderr).unwrap();
                // Rust's message from the same listing (it filters the names itself).
                let existing: Vec<String> = listed.lines().map(String::from).collect();
                let ours = format!(
                    "error: {}\n",
                    no_such_session("my\u{1b}vm", "nope", &existing)
                );
                for name in &offered {
                    assert!(ours.contains(&format!("my\\evm:{name}\n")), "{ours}");
                }
                assert_eq!(said, ours, "{shell}");
                assert!(said.contains("\\e"), "{said}");
            }
        }
    }
}
