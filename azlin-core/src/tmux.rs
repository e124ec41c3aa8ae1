//! Remote tmux: the command lines azlin sends to a VM's shell, and parsing of what comes
//! back. Every line here is one shell command string for the remote side; names are
//! quoted with [`shell_quote`] exactly once, and session targets use tmux's `=name`
//! form so that `dev` never matches `dev2` by prefix.

use crate::inventory::{LATEST_ACTIVITY, SessionInfo};
use crate::quote::shell_quote;
use crate::text::shortened;

/// The record `list-sessions` prints for each session, one field after another, each
/// ended by `:`: the name, the attached-client count, the window count, the time of the
/// last activity (Unix seconds), the byte length of the label (`n:`), then the label
/// itself. No field can pass for another: tmux puts no `:` in a session name (it writes
/// `_` for one; older versions refuse the name) and no control character either (it
/// writes them as `\033`), the counts and the time are digits, and the label, which may
/// hold anything (`:`, line breaks, escape sequences), is taken by its length rather than
/// read up to a separator. From a tmux too old for `n:` the length field comes out empty,
/// and the label runs to the end of the line.
pub const LIST_FORMAT: &str = "#{session_name}:#{session_attached}:#{session_windows}:\
     #{session_activity}:#{n:@azlin-name}:#{@azlin-name}";

/// Printed instead of sessions when the VM has no tmux at all.
pub const NO_TMUX: &str = "azlin:no-tmux";

/// The tmux user option that holds a session's label.
pub const LABEL_OPTION: &str = "@azlin-name";

/// Ends every field of a [`LIST_FORMAT`] record but the label.
const FIELD_END: u8 = b':';

/// `=name`: exactly that session (for commands whose target is a session).
fn session_target(session: &str) -> String {
    shell_quote(&format!("={session}"))
}

/// `=name:`: the current window of exactly that session (for commands whose target is
/// a pane or window, where a bare `=name` is not understood).
pub fn window_target(session: &str) -> String {
    shell_quote(&format!("={session}:"))
}

/// Lists the sessions; prints [`NO_TMUX`] when tmux is missing and nothing when no
/// server runs. Always exits 0 when the shell ran, so a non-zero status means ssh failed.
pub fn list_sessions() -> String {
    format!(
        "command -v tmux >/dev/null 2>&1 || {{ echo {NO_TMUX}; exit 0; }}; \
         tmux list-sessions -F {} 2>/dev/null; exit 0",
        shell_quote(LIST_FORMAT)
    )
}

/// What a VM reported to [`list_sessions`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// tmux is installed; these sessions run (possibly none).
    Sessions {
        /// The sessions, sorted by name. Names outside azlin's grammar are kept (they
        /// are shown) but cannot be addressed: see [`crate::name::validate_session_name`].
        sessions: Vec<SessionInfo>,
        /// Records that could not be read, each skipped.
        rejected: Vec<Rejected>,
    },
    /// tmux is not installed.
    NoTmux,
}

/// A record of a listing that does not follow [`LIST_FORMAT`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The start of the record as it came (unescaped: render it with [`crate::text`]).
    pub record: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// Longest part of a rejected record kept for a warning.
const REJECTED_SHOWN: usize = 80;

/// Parses the output of [`list_sessions`] (bytes: a label's length counts bytes). A record
/// that does not follow [`LIST_FORMAT`], or that repeats a session name already listed, is
/// skipped and reported in [`Listing::Sessions::rejected`]; reading resumes at the next
/// line.
pub fn parse_list(stdout: &[u8]) -> Listing {
    let mut sessions: Vec<SessionInfo> = Vec::new();
    let mut rejected = Vec::new();
    let mut rest = stdout;
    while !rest.is_empty() {
        let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let line = &rest[..line_end];
        if line.trim_ascii() == NO_TMUX.as_bytes() {
            return Listing::NoTmux;
        }
        let parsed = record(rest).and_then(|(session, used)| {
            if sessions.iter().any(|s| s.name == session.name) {
                Err("a second session of the same name")
            } else {
                Ok((session, used))
            }
        });
        match parsed {
            Ok((session, used)) => {
                sessions.push(session);
                rest = &rest[used..];
            }
            Err(reason) => {
                if !line.trim_ascii().is_empty() {
                    rejected.push(Rejected {
                        record: shortened(&String::from_utf8_lossy(line), REJECTED_SHOWN)
                            .into_owned(),
                        reason,
                    });
                }
                rest = rest.get(line_end + 1..).unwrap_or_default();
            }
        }
    }
    sessions.sort_by(|a, b| a.name.cmp(&b.name));
    Listing::Sessions { sessions, rejected }
}

/// The record at the start of `input` and how many bytes it took (its final line break
/// included), or what is wrong with it. An activity time that is not a number, or not a
/// time a VM could have seen, is only unknown: the record stands on its other fields.
pub(crate) fn record(input: &[u8]) -> Result<(SessionInfo, usize), &'static str> {
    let line_end = input
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(input.len());
    let mut fields = input[..line_end].splitn(6, |&b| b == FIELD_END);
    let (Some(name), Some(clients), Some(windows), Some(activity), Some(len), Some(tail)) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return Err("fewer than six `:`-separated fields");
    };
    if name.is_empty() {
        return Err("an empty session name");
    }
    // The label starts after the fifth `:`, all of them on this first line.
    let label_start = name.len() + clients.len() + windows.len() + activity.len() + len.len() + 5;
    let (Some(clients), Some(windows)) = (count::<u32>(clients), count(windows)) else {
        return Err("a client or window count that is not a number");
    };
    let last_activity = count::<u64>(activity).filter(|&t| t > 0 && t <= LATEST_ACTIVITY);
    let (label, used) = if len.is_empty() {
        // A tmux too old for `n:`: no length; the label is the rest of the line.
        (tail, line_end + 1)
    } else {
        let len: usize = count(len).ok_or("a label length that is not a number")?;
        let end = label_start
            .checked_add(len)
            .filter(|&end| end <= input.len())
            .ok_or("a label longer than the rest of the answer")?;
        match input.get(end) {
            None | Some(b'\n') => (&input[label_start..end], end + 1),
            Some(_) => return Err("a label that does not end where its length says"),
        }
    };
    let label = String::from_utf8_lossy(label);
    Ok((
        SessionInfo {
            name: String::from_utf8_lossy(name).into_owned(),
            attached: clients > 0,
            windows,
            label: (!label.is_empty()).then(|| label.into_owned()),
            clients,
            last_activity,
        },
        used.min(input.len()),
    ))
}

/// A count tmux printed: ASCII digits only (no sign, no space).
fn count<T: std::str::FromStr>(field: &[u8]) -> Option<T> {
    if field.is_empty() || !field.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(field).ok()?.parse().ok()
}

/// Attaches to `session`, creating it first if needed (needs a terminal).
pub fn attach(session: &str) -> String {
    format!("tmux new-session -A -s {}", shell_quote(session))
}

/// Attaches to `session` only if it still exists (after a lost connection: a session
/// that ended meanwhile must not come back empty).
pub fn reattach(session: &str) -> String {
    format!("tmux attach-session -t {}", session_target(session))
}

/// Creates `session` detached (the [`Need::Created`] branch of [`check_session`]).
pub fn new_detached(session: &str) -> String {
    format!("tmux new-session -d -s {}", shell_quote(session))
}

/// Detaches every client of `session`; the session keeps running. Succeeds when the
/// session exists, whether or not a client was attached (tmux itself fails with "no
/// current client" then).
pub fn detach_clients(session: &str) -> String {
    let t = session_target(session);
    format!("tmux detach-client -s {t} 2>/dev/null; tmux has-session -t {t}")
}

/// Ends `session`.
pub fn kill_session(session: &str) -> String {
    format!("tmux kill-session -t {}", session_target(session))
}

/// Sets (or with `None`, clears) the label of `session`.
pub fn set_label(session: &str, label: Option<&str>) -> String {
    match label {
        Some(l) => format!(
            "tmux set-option -t {} {LABEL_OPTION} {}",
            window_target(session),
            shell_quote(l)
        ),
        None => format!(
            "tmux set-option -u -t {} {LABEL_OPTION}",
            window_target(session)
        ),
    }
}

/// The shell lines that put a command in its place: the active pane directory of
/// `session` (home when the session does not exist), `AZLIN_VM`/`AZLIN_SESSION`, and
/// `TMUX_PANE` set to that pane, so that tmux commands without `-t` (the guides'
/// `tmux display-message -p '#{session_activity}'`, `tmux kill-session`) act on this
/// session rather than on whichever session was used last. With `check`, the session is
/// checked first for its [`Need`] (failing with the [`OnFailure`] lists), by the same
/// tmux call that asks for its pane: on a fleet of VMs every tmux client started is CPU
/// the VM spends per target.
pub fn exec_prelude(vm: &str, session: &str, check: Option<(Need, &OnFailure)>) -> String {
    // tmux 3.3 prints the format empty and exits 0 for a session that does not exist:
    // the pane's id says whether it does.
    let pane = format!(
        "azlin_pane=$(tmux display-message -p -t {} '#{{pane_id}}|#{{pane_current_path}}' \
         2>/dev/null) && [ -n \"${{azlin_pane%%|*}}\" ]",
        window_target(session)
    );
    let asked = match check {
        None => format!("{pane}\n"),
        Some((need, on)) => checked_by(session, need, on, &pane, &pane),
    };
    format!(
        "{asked}[ -n \"${{azlin_pane%%|*}}\" ] && export TMUX_PANE=\"${{azlin_pane%%|*}}\" && \
         cd \"${{azlin_pane#*|}}\" 2>/dev/null || cd\n\
         unset azlin_pane\nexport AZLIN_VM={} AZLIN_SESSION={}\n",
        shell_quote(vm),
        shell_quote(session)
    )
}

/// What the shell does when [`check_session`] fails: command lists that must exit.
#[derive(Debug, Clone)]
pub struct OnFailure {
    /// tmux is not installed.
    pub no_tmux: String,
    /// The session does not exist (and is not to be created).
    pub missing: String,
    /// The session could not be created.
    pub not_created: String,
}

/// Shell lines that check `session` for `need` before a command in the same script,
/// running one of `on`'s lists when the check fails.
pub fn check_session(session: &str, need: Need, on: &OnFailure) -> String {
    let exists = format!(
        "tmux has-session -t {} 2>/dev/null",
        session_target(session)
    );
    checked_by(session, need, on, &exists, "true")
}

/// The lines of [`check_session`] with `test` as the shell test of whether `session`
/// exists, and `after_create` run once a missing session was created for
/// [`Need::Created`].
fn checked_by(session: &str, need: Need, on: &OnFailure, test: &str, after_create: &str) -> String {
    let otherwise = match need {
        Need::Existing => format!("{{ {}; }}", on.missing),
        Need::Created => format!(
            "{{ {} || {{ {}; }}; {after_create}; }}",
            new_detached(session),
            on.not_created
        ),
    };
    format!(
        "command -v tmux >/dev/null 2>&1 || {{ {}; }}\n{test} || {otherwise}\n",
        on.no_tmux
    )
}

/// What a [`Guard`] checks before a command runs, so that the check and the command
/// cost one ssh instead of a probe and then the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The session must exist.
    Existing,
    /// The session is created (detached) when missing.
    Created,
}

impl Need {
    /// What `exec` needs of its session before the command runs: created with
    /// `--create`; existing when the session was named (`vm:s`) or with `--detach` (a
    /// window needs a session to open in); nothing when a defaulted session is missing
    /// (the command then runs in the home directory).
    pub fn for_exec(create: bool, named: bool, detach: bool) -> Option<Need> {
        if create {
            Some(Need::Created)
        } else if named || detach {
            Some(Need::Existing)
        } else {
            None
        }
    }
}

/// How a [`Guard`] stopped a command from running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuardFailure {
    /// The VM has no tmux.
    NoTmux,
    /// The session does not exist; these do.
    Missing(Vec<String>),
    /// The session was missing and could not be created (tmux said why, on stderr).
    NotCreated,
}

/// Shell lines that check a session on the VM before the command in the same script.
/// When the check fails they print marker lines on stderr and exit; each marker starts
/// with a tag random to this run, so no output of the user's command is mistaken for one.
#[derive(Debug, Clone)]
pub struct Guard {
    tag: String,
}

impl Default for Guard {
    fn default() -> Self {
        Guard::new()
    }
}

impl Guard {
    /// A guard with a fresh random tag.
    pub fn new() -> Guard {
        use std::hash::{BuildHasher, Hasher};
        // RandomState is seeded randomly: no dependency needed for a tag that only has
        // to be unguessable by the command's own output.
        let n = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        Guard {
            tag: format!("azlin-guard-{n:016x}"),
        }
    }

    /// The check of `session`, to put before the command.
    pub fn script(&self, session: &str, need: Need) -> String {
        check_session(session, need, &self.on_failure())
    }

    /// What the shell does when the check fails: print this guard's markers (the
    /// sessions the VM has, for a missing one) and exit 254.
    pub fn on_failure(&self) -> OnFailure {
        let tag = &self.tag;
        OnFailure {
            no_tmux: format!("echo '{tag} no-tmux' >&2; exit 254"),
            missing: format!(
                "tmux list-sessions -F {} >&2 2>/dev/null; echo '{tag} missing' >&2; exit 254",
                shell_quote(&format!("{tag} session #{{session_name}}"))
            ),
            not_created: format!("echo '{tag} not-created' >&2; exit 254"),
        }
    }

    /// Whether `line` (of stderr) is one of this guard's markers.
    pub fn is_marker(&self, line: &str) -> bool {
        line.strip_prefix(self.tag.as_str())
            .is_some_and(|rest| rest.starts_with(' '))
    }

    /// What the markers among `lines` say; `None` when the guard let the command run.
    pub fn failure<S: AsRef<str>>(&self, lines: &[S]) -> Option<GuardFailure> {
        let mut sessions = Vec::new();
        for line in lines.iter().map(AsRef::as_ref) {
            let Some(rest) = line
                .strip_prefix(self.tag.as_str())
                .and_then(|r| r.strip_prefix(' '))
            else {
                continue;
            };
            match rest {
                "no-tmux" => return Some(GuardFailure::NoTmux),
                "not-created" => return Some(GuardFailure::NotCreated),
                "missing" => return Some(GuardFailure::Missing(sessions)),
                _ => {
                    if let Some(name) = rest.strip_prefix("session ") {
                        sessions.push(name.to_string());
                    }
                }
            }
        }
        None
    }
}

/// Runs the script on stdin with bash (else sh), for `azlin exec ID <<'EOF'`.
pub const STDIN_SCRIPT: &str =
    "if command -v bash >/dev/null 2>&1; then exec bash -s; else exec sh -s; fi";

/// Starts `command` in a new window of `session`, in the active pane's directory, with
/// `AZLIN_VM`/`AZLIN_SESSION` set, and returns at once.
pub fn new_window(vm: &str, session: &str, command: &str) -> String {
    format!(
        "tmux new-window -d -t {} -c '#{{pane_current_path}}' -e {} -e {} {}",
        window_target(session),
        shell_quote(&format!("AZLIN_VM={vm}")),
        shell_quote(&format!("AZLIN_SESSION={session}")),
        shell_quote(command)
    )
}

/// The remote command line of `exec` for `session` on `vm`, after the session check of
/// `check` if any: with `detach`, `command` in a new window of the session
/// ([`new_window`]); otherwise in the active pane's directory with
/// `AZLIN_VM`/`AZLIN_SESSION` set ([`exec_prelude`]), the script on stdin when there is no
/// command ([`STDIN_SCRIPT`]).
pub fn exec_command(
    vm: &str,
    session: &str,
    check: Option<(Need, &OnFailure)>,
    command: Option<&str>,
    detach: bool,
) -> String {
    match (detach, command) {
        (true, Some(cmd)) => format!(
            "{}{}",
            check
                .map(|(need, on)| check_session(session, need, on))
                .unwrap_or_default(),
            new_window(vm, session, cmd)
        ),
        (_, cmd) => format!(
            "{}{}",
            exec_prelude(vm, session, check),
            cmd.unwrap_or(STDIN_SCRIPT)
        ),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Runs the real tmux of this machine with `args`, against a server of its own whose
    /// socket lives in `dir`.
    pub(crate) fn local_tmux(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
        std::process::Command::new("tmux")
            .args(args)
            .env("TMUX_TMPDIR", dir)
            .env_remove("TMUX")
            .output()
            .expect("run tmux (install it: apt-get install tmux)")
    }

    fn sessions(out: &[u8]) -> (Vec<SessionInfo>, Vec<Rejected>) {
        match parse_list(out) {
            Listing::Sessions { sessions, rejected } => (sessions, rejected),
            Listing::NoTmux => panic!("no tmux in {out:?}"),
        }
    }

    #[test]
    fn parses_sessions_labels_and_no_tmux() {
        let out = b"dev:2:2:1700000000:0:\nmain:0:1:1700000300:21:production-deployment\n";
        let (s, rejected) = sessions(out);
        assert_eq!(rejected, []);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].name, "dev");
        assert!(s[0].attached);
        assert_eq!(s[0].clients, 2);
        assert_eq!(s[0].windows, 2);
        assert_eq!(s[0].last_activity, Some(1_700_000_000));
        assert_eq!(s[0].label, None);
        assert!(!s[1].attached);
        assert_eq!(s[1].clients, 0);
        assert_eq!(s[1].label.as_deref(), Some("production-deployment"));
        assert_eq!(sessions(b""), (vec![], vec![]));
        assert_eq!(parse_list(b"azlin:no-tmux\n"), Listing::NoTmux);
        // A tmux too old for `n:` prints no length: the label is the rest of its line.
        let (s, _) = sessions(b"dev:0:1:1700000000::a:b\n");
        assert_eq!(s[0].label.as_deref(), Some("a:b"));
    }

    #[test]
    fn a_label_is_taken_by_its_length_so_it_cannot_forge_a_record() {
        // What tmux 3.3 prints for a session whose label holds a line break, a whole
        // fake record and escape sequences: one session.
        let label = "x\nevil:1:99:0:\n\u{1b}]0;pwned\u{7}:|";
        let out = format!("dev:0:1:1:{}:{label}\nz:0:1:1:0:\n", label.len());
        let (s, rejected) = sessions(out.as_bytes());
        assert_eq!(rejected, []);
        assert_eq!(
            s.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["dev", "z"]
        );
        assert_eq!(s[0].label.as_deref(), Some(label));
    }

    #[test]
    fn a_name_cannot_pass_for_other_fields() {
        // tmux writes `_` for `:` in a name and escapes its control characters, so a name
        // that tries to carry fields of its own stays one name (outside azlin's grammar).
        let (s, rejected) = sessions(b"p1|1|99|fakelabel:0:1:1:0:\na\\033]0;T\\a_1_99:0:1:1:0:\n");
        assert_eq!(rejected, []);
        assert_eq!(s[1].name, "p1|1|99|fakelabel");
        assert!(!s[1].attached);
        assert_eq!(s[1].windows, 1);
        assert_eq!(s[0].name, "a\\033]0;T\\a_1_99");
    }

    #[test]
    fn records_that_do_not_fit_are_rejected_and_reading_goes_on() {
        let out = b"broken line\nx:one:1:1:0:\nd:0:1:1:99:short\nd:0:1:1:1:ab\n\
                    ok:0:1:1:0:\nok:1:5:1:0:\n:0:1:1:0:\n-1:-1:1:1:0:\n";
        let (s, rejected) = sessions(out);
        assert_eq!(
            s.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["ok"]
        );
        assert!(!s[0].attached, "the first record of a name wins");
        let reasons: Vec<&str> = rejected.iter().map(|r| r.reason).collect();
        assert_eq!(
            reasons,
            [
                "fewer than six `:`-separated fields",
                "a client or window count that is not a number",
                "a label longer than the rest of the answer",
                "a label that does not end where its length says",
                "a second session of the same name",
                "an empty session name",
                "a client or window count that is not a number",
            ]
        );
        assert_eq!(rejected[0].record, "broken line");
        // A length past the end of the answer is refused, not trusted.
        let (s, rejected) = sessions(b"d:0:1:1:18446744073709551615:x");
        assert!(s.is_empty());
        assert_eq!(
            rejected[0].reason,
            "a label longer than the rest of the answer"
        );
        let long = format!("{}\n", "y".repeat(10_000));
        let (_, rejected) = sessions(long.as_bytes());
        assert_eq!(rejected[0].record.chars().count(), REJECTED_SHOWN + 1);
    }

    #[test]
    fn an_activity_time_that_cannot_be_is_unknown_and_the_record_stands() {
        // Not a number, signed, spaced, past RFC 3339's year 9999, past u64, zero, empty:
        // each record is still its session, with its other fields.
        let bad = [
            "soon",
            "-5",
            " 17",
            "253402300800",
            "99999999999999999999999",
            "0",
            "",
        ];
        let mut out = String::new();
        for (i, t) in bad.iter().enumerate() {
            out.push_str(&format!("s{i}:1:2:{t}:0:\n"));
        }
        out.push_str("last:0:1:253402300799:0:\n");
        let (s, rejected) = sessions(out.as_bytes());
        assert_eq!(rejected, []);
        assert_eq!(s.len(), bad.len() + 1);
        for x in &s[1..] {
            assert_eq!(
                (x.last_activity, x.clients, x.windows),
                (None, 1, 2),
                "{x:?}"
            );
        }
        assert_eq!(s[0].name, "last");
        assert_eq!(s[0].last_activity, Some(LATEST_ACTIVITY));
        // A client count past u32 is no count: the record is refused, not wrapped.
        let (s, rejected) = sessions(b"x:4294967296:1:1:0:\n");
        assert!(s.is_empty());
        assert_eq!(
            rejected[0].reason,
            "a client or window count that is not a number"
        );
    }

    #[test]
    fn the_format_is_what_tmux_prints_for_the_parser() {
        let dir = tempfile::tempdir().unwrap();
        let tmux = |args: &[&str]| local_tmux(dir.path(), args);
        // `n:` counts bytes, as the parser does: a label with multi-byte characters too.
        let label = "two\nlines:1:9:0:\u{1b}[2J é\u{202e}日";
        assert!(
            tmux(&["new-session", "-d", "-s", "a:b.c|1|9"])
                .status
                .success()
        );
        assert!(
            tmux(&["set-option", "-t", "=a_b_c|1|9:", LABEL_OPTION, label])
                .status
                .success()
        );
        assert!(tmux(&["new-session", "-d", "-s", "plain"]).status.success());
        let out = tmux(&["list-sessions", "-F", LIST_FORMAT]);
        let _ = tmux(&["kill-server"]);
        let (s, rejected) = sessions(&out.stdout);
        assert_eq!(rejected, [], "{:?}", String::from_utf8_lossy(&out.stdout));
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!(s[0].name, "a_b_c|1|9");
        assert_eq!(s[0].label.as_deref(), Some(label));
        // tmux's own activity time: now, give or take the test's run.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let at = s[1].last_activity.expect("an activity time");
        assert!(at <= now && at + 600 > now, "{at} against {now}");
        assert_eq!((s[1].clients, s[1].attached), (0, false));
        assert_eq!((s[1].name.as_str(), s[1].label.as_deref()), ("plain", None));
    }

    #[test]
    fn commands_target_sessions_exactly() {
        // Quoted: zsh would expand a leading `=`.
        assert_eq!(kill_session("dev"), "tmux kill-session -t '=dev'");
        assert_eq!(attach("dev"), "tmux new-session -A -s dev");
        assert!(new_window("vm", "s", "echo 'hi'").ends_with(r"'echo '\''hi'\'''"));
    }

    #[test]
    fn guard_markers_carry_its_own_tag_only() {
        let g = Guard::new();
        let other = Guard::new();
        assert_ne!(g.tag, other.tag);
        let lines = [
            format!("{} session dev", g.tag),
            "azlin-guard-0000000000000000 missing".to_string(),
            format!("{} session main", g.tag),
            format!("{} missing", g.tag),
        ];
        assert!(g.is_marker(&lines[0]) && !g.is_marker(&lines[1]));
        assert_eq!(
            g.failure(&lines),
            Some(GuardFailure::Missing(vec!["dev".into(), "main".into()]))
        );
        assert_eq!(other.failure(&lines), None);
        let no_tmux = [format!("{} no-tmux", g.tag)];
        assert_eq!(g.failure(&no_tmux), Some(GuardFailure::NoTmux));
        assert!(
            g.script("d s", Need::Created)
                .contains("tmux new-session -d -s 'd s'")
        );
    }

    #[test]
    fn exec_needs_a_session_only_when_it_was_named_or_gets_a_window() {
        assert_eq!(Need::for_exec(true, false, false), Some(Need::Created));
        assert_eq!(Need::for_exec(true, true, true), Some(Need::Created));
        assert_eq!(Need::for_exec(false, true, false), Some(Need::Existing));
        assert_eq!(Need::for_exec(false, false, true), Some(Need::Existing));
        assert_eq!(Need::for_exec(false, false, false), None);
        let detached = exec_command("vm", "s", None, Some("make"), true);
        assert_eq!(detached, new_window("vm", "s", "make"));
        let script = exec_command("vm", "s", None, None, true);
        assert!(script.ends_with(STDIN_SCRIPT), "{script}");
        assert!(exec_command("vm", "s", None, Some("make"), false).ends_with("make"));
    }

    /// The check and the pane come from one tmux call: run by sh against a real tmux
    /// server, for a session that exists, one that does not, and one to create.
    #[test]
    fn exec_checks_the_session_with_the_same_tmux_call_that_finds_its_pane() {
        let dir = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        let _server = ServerGuard(dir.path());
        let started = local_tmux(
            dir.path(),
            &[
                "new-session",
                "-d",
                "-s",
                "dev",
                "-c",
                &work.path().display().to_string(),
            ],
        );
        assert!(started.status.success(), "{started:?}");
        let on = OnFailure {
            no_tmux: "echo no-tmux; exit 254".into(),
            missing: "echo missing; exit 254".into(),
            not_created: "echo not-created; exit 254".into(),
        };
        // zsh, for one, would expand tmux's `=session:` targets unless quoted.
        for shell in crate::quote::login_shells() {
            let run = |session: &str, check: Option<(Need, &OnFailure)>| {
                let script = exec_command(
                    "vm",
                    session,
                    check,
                    Some("echo \"$PWD|$TMUX_PANE|$AZLIN_SESSION\""),
                    false,
                );
                let out = std::process::Command::new(shell)
                    .args(["-c", &script])
                    .env("TMUX_TMPDIR", dir.path())
                    .env("HOME", dir.path())
                    .env_remove("TMUX")
                    .env_remove("TMUX_PANE")
                    .output()
                    .unwrap();
                (
                    out.status.code(),
                    String::from_utf8_lossy(&out.stdout).into_owned(),
                )
            };
            let here = work.path().canonicalize().unwrap().display().to_string();
            let (code, out) = run("dev", Some((Need::Existing, &on)));
            assert_eq!(code, Some(0), "{out}");
            let fields: Vec<&str> = out.trim_end().split('|').collect();
            assert_eq!(fields[0], here);
            assert!(fields[1].starts_with('%'), "{out}");
            assert_eq!(fields[2], "dev");
            assert_eq!(
                run("nosuch", Some((Need::Existing, &on))),
                (Some(254), "missing\n".into())
            );
            // No check: a missing session's command runs in the home directory, no pane set.
            let home = dir.path().canonicalize().unwrap().display().to_string();
            assert_eq!(run("nosuch", None), (Some(0), format!("{home}||nosuch\n")));
            let (code, out) = run("new", Some((Need::Created, &on)));
            assert_eq!(code, Some(0), "{out}");
            assert!(out.contains("|%"), "the new session's pane: {out}");
            let listed = local_tmux(dir.path(), &["list-sessions", "-F", "#{session_name}"]);
            assert_eq!(String::from_utf8_lossy(&listed.stdout), "dev\nnew\n");
            local_tmux(dir.path(), &["kill-session", "-t", "=new"]);
        }
    }

    /// Ends the tmux server of a test's socket directory however the test ends.
    struct ServerGuard<'a>(&'a std::path::Path);

    impl Drop for ServerGuard<'_> {
        fn drop(&mut self) {
            local_tmux(self.0, &["kill-server"]);
        }
    }
}
