//! Remote tmux: the command lines azlin sends to a VM's shell, and parsing of what comes
//! back. Every line here is one shell command string for the remote side; names are
//! quoted with [`shell_quote`] exactly once, and session targets use tmux's `=name`
//! form so that `dev` never matches `dev2` by prefix.

use crate::inventory::SessionInfo;
use crate::ssh::shell_quote;

/// The fields `list-sessions` prints, separated by `|` (no session name holds one); the
/// label comes last so that whatever it holds stays in the last field.
pub const LIST_FORMAT: &str =
    "#{session_name}|#{session_attached}|#{session_windows}|#{@azlin-name}";

/// Printed instead of sessions when the VM has no tmux at all.
pub const NO_TMUX: &str = "azlin:no-tmux";

/// The tmux user option that holds a session's label.
pub const LABEL_OPTION: &str = "@azlin-name";

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
    Sessions(Vec<SessionInfo>),
    /// tmux is not installed.
    NoTmux,
}

/// Parses the output of [`list_sessions`]. Lines that do not fit are skipped: they cannot
/// be sessions azlin could name.
pub fn parse_list(stdout: &str) -> Listing {
    let mut sessions = Vec::new();
    for line in stdout.lines() {
        if line.trim() == NO_TMUX {
            return Listing::NoTmux;
        }
        let mut fields = line.splitn(4, '|');
        let (Some(name), Some(attached), Some(windows)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let label = fields.next().map(str::trim).filter(|l| !l.is_empty());
        sessions.push(SessionInfo {
            name: name.to_string(),
            attached: attached
                .trim()
                .parse::<u32>()
                .map(|n| n > 0)
                .unwrap_or(false),
            windows: windows.trim().parse().unwrap_or(0),
            label: label.map(str::to_string),
        });
    }
    sessions.sort_by(|a, b| a.name.cmp(&b.name));
    Listing::Sessions(sessions)
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
/// session rather than on whichever session was used last.
pub fn exec_prelude(vm: &str, session: &str) -> String {
    format!(
        "azlin_pane=$(tmux display-message -p -t {} '#{{pane_id}}|#{{pane_current_path}}' \
         2>/dev/null) && export TMUX_PANE=\"${{azlin_pane%%|*}}\" && \
         cd \"${{azlin_pane#*|}}\" 2>/dev/null || cd\n\
         unset azlin_pane\nexport AZLIN_VM={} AZLIN_SESSION={}\n",
        window_target(session),
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
    let otherwise = match need {
        Need::Existing => format!("{{ {}; }}", on.missing),
        Need::Created => format!("{} || {{ {}; }}", new_detached(session), on.not_created),
    };
    format!(
        "command -v tmux >/dev/null 2>&1 || {{ {}; }}\ntmux has-session -t {} 2>/dev/null || {otherwise}\n",
        on.no_tmux,
        session_target(session)
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
        let tag = &self.tag;
        check_session(
            session,
            need,
            &OnFailure {
                no_tmux: format!("echo '{tag} no-tmux' >&2; exit 254"),
                missing: format!(
                    "tmux list-sessions -F {} >&2 2>/dev/null; echo '{tag} missing' >&2; exit 254",
                    shell_quote(&format!("{tag} session #{{session_name}}"))
                ),
                not_created: format!("echo '{tag} not-created' >&2; exit 254"),
            },
        )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sessions_labels_and_no_tmux() {
        let out = "dev|1|2|\nmain|0|1|production-deployment\nbroken line\nx|0|1|a|b\n";
        let Listing::Sessions(s) = parse_list(out) else {
            panic!()
        };
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].name, "dev");
        assert!(s[0].attached);
        assert_eq!(s[0].windows, 2);
        assert_eq!(s[0].label, None);
        assert_eq!(s[1].label.as_deref(), Some("production-deployment"));
        assert_eq!(s[2].label.as_deref(), Some("a|b"));
        assert_eq!(parse_list(""), Listing::Sessions(vec![]));
        assert_eq!(parse_list("azlin:no-tmux\n"), Listing::NoTmux);
    }

    #[test]
    fn commands_target_sessions_exactly() {
        assert_eq!(kill_session("dev"), "tmux kill-session -t =dev");
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
}
