//! A session's active pane, seen and steered without attaching: what it shows (`peek`),
//! text or keys typed into it (`send`), and the states `wait` waits for (the job done,
//! the output idle, a pattern on the screen).
//!
//! Each operation is one ssh over the shared connection: the session check of
//! [`remote::guarded`], then one tmux command. What tmux prints of the pane is untrusted
//! (anything a program in the pane wrote): it is read after a header line azlin asked for
//! and is never parsed for anything but lines. A look at every session of a VM
//! ([`capture_every`], for `peek --all`) is one ssh too: the VM's listing and each
//! session's pane, one tmux client for all of them; each session's part starts with a
//! line that no pane's rows can be (they are captured with `capture-pane -C`), so that
//! no pane can end its part early or pass for another session.

use std::time::Duration;

use crate::inventory::{ConnectDefaults, SessionInfo, Vm};
use crate::quote::shell_quote;
use crate::remote::{self, RemoteError, Settings};
use crate::ssh::SshTarget;
use crate::tmux::{self, Need};

/// The first word of the header line azlin asks tmux for before the pane's lines.
const HEADER: &str = "azlin-pane";

/// The first word of the line that says who runs in the pane's foreground.
const FOREGROUND: &str = "azlin-fg";

/// How many lines of history a `--follow` poll looks back to find where it left off.
pub const FOLLOW_WINDOW: u32 = 100;

/// The most lines one `peek` may ask for.
pub const MAX_LINES: u32 = 10_000;

/// How often `peek --follow` looks at the pane.
pub const FOLLOW_INTERVAL: Duration = Duration::from_secs(1);

/// What to capture of a pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    /// Lines of history above the visible screen to include.
    pub history: u32,
    /// Keep colours and attributes (`capture-pane -e`).
    pub escapes: bool,
    /// Join wrapped lines (`-J`); off for `--follow`, which counts screen rows.
    pub joined: bool,
    /// Also ask whether the pane's own process is in the foreground (`wait --done`).
    pub foreground: bool,
}

impl Request {
    /// The last `lines` lines, joined, as `peek` shows them.
    pub fn last_lines(lines: u32, escapes: bool) -> Request {
        Request {
            history: lines,
            escapes,
            joined: true,
            foreground: false,
        }
    }
}

/// What one capture of a pane saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    /// tmux's id of the pane (`%3`).
    pub pane: String,
    /// Lines in the pane's history (above the visible screen).
    pub history_size: u64,
    /// The cursor's row on the visible screen.
    pub cursor_y: u64,
    /// How many of `rows` are history (the rest are the visible screen).
    pub history_rows: usize,
    /// The pane's process has exited (`remain-on-exit`).
    pub dead: bool,
    /// The pane was started with a command of its own rather than the default shell.
    pub own_command: bool,
    /// Whether the pane's own process (its shell) is the terminal's foreground process,
    /// when asked ([`Request::foreground`]): `false` while a job runs.
    pub shell_in_foreground: Option<bool>,
    /// The captured rows, top to bottom, as tmux printed them (trailing blank rows kept).
    pub rows: Vec<String>,
}

impl Capture {
    /// The last `n` lines, trailing blank lines dropped (what `peek -n N` shows).
    pub fn last_lines(&self, n: usize) -> Vec<String> {
        let end = self
            .rows
            .iter()
            .rposition(|r| !r.trim().is_empty())
            .map_or(0, |i| i + 1);
        self.rows[end.saturating_sub(n)..end].to_vec()
    }

    /// The rows above the cursor's row: written and finished with (the cursor's own row
    /// may still be written to). Only meaningful for unjoined captures.
    pub fn complete_rows(&self) -> &[String] {
        let end = (self.history_rows as u64 + self.cursor_y).min(self.rows.len() as u64);
        &self.rows[..end as usize]
    }

    /// Whether the job in the pane is over: the shell is back in the foreground, or, in a
    /// pane started with its own command, that command has exited.
    pub fn job_done(&self) -> bool {
        self.dead || (!self.own_command && self.shell_in_foreground == Some(true))
    }
}

/// The remote command that prints the header and the pane's rows (see [`parse`]).
pub fn capture_command(session: &str, req: Request) -> String {
    let target = tmux::window_target(session);
    let mut script = String::new();
    if req.foreground {
        // The terminal's foreground process group (field 8 of /proc/PID/stat, counted
        // after the command name, which may hold spaces), else `ps`.
        script.push_str(&format!(
            "azlin_pid=$(tmux display-message -p -t {target} '#{{pane_pid}}' 2>/dev/null)\n\
             azlin_fg=$(awk '{{sub(/.*[)] /, \"\"); print $6}}' /proc/\"$azlin_pid\"/stat \
             2>/dev/null || ps -o tpgid= -p \"$azlin_pid\" 2>/dev/null)\n\
             echo {FOREGROUND} \"$azlin_pid\" $azlin_fg\n"
        ));
    }
    script.push_str(&format!("tmux {}", capture_args(&target, req)));
    script
}

/// The tmux commands that print the header and the rows of the active pane of `target`
/// (a window target, already quoted for the shell), as one tmux command line so that the
/// header and the rows describe the same moment.
fn capture_args(target: &str, req: Request) -> String {
    format!(
        "display-message -p -t {target} {} \\; capture-pane -p{}{} -t {target} -S -{}",
        shell_quote(&header_format()),
        if req.joined { " -J" } else { "" },
        if req.escapes { " -e" } else { "" },
        req.history
    )
}

/// The tmux format of the header line before a pane's rows (see [`parse`]).
fn header_format() -> String {
    format!(
        "{HEADER} #{{pane_id}} #{{history_size}} #{{cursor_y}} #{{pane_dead}} \
         #{{?pane_start_command,1,0}}"
    )
}

/// The line before each session's part of [`every_command`]'s answer. The part's rows
/// are captured with `capture-pane -C`, which doubles every backslash a pane shows, so
/// no row can be a line that starts with a single backslash and a letter: only the lines
/// azlin asks for can.
const PART: &str = "\\azlin-part";

/// The line [`every_command`] prints before it lists the sessions the second way (a tmux
/// older than 3.2): what came before it is dropped.
const AGAIN: &str = "\\azlin-again";

/// The remote command that lists every session of the VM with its active pane: per
/// session, a [`PART`] line, the session's record in [`tmux::LIST_FORMAT`], then the
/// header and the rows of [`capture_command`], escaped by `capture-pane -C`. Prints
/// [`tmux::NO_TMUX`] when tmux is missing and nothing when no server runs.
/// [`Request::foreground`] is not asked here.
///
/// On the VM this is one tmux client for all sessions: `run-shell -C` runs the tmux
/// commands that a `#{S:…}` loop writes for each session, for the same client, so their
/// output is its output (fewer processes on the VM than one client per session, or a
/// `$(…)` and a `wc` per part for a length, as before). The loop puts nothing into those
/// commands but the session's id (`$3`), which no name can look like. When that fails
/// (a tmux older than 3.2, without `run-shell -C`; a session that ended between the
/// loop and its commands), the same commands come from a shell loop, one tmux client
/// per session, after an [`AGAIN`] line that drops whatever the first way printed.
pub fn every_command(req: Request) -> String {
    let req = Request {
        foreground: false,
        ..req
    };
    // Each session's commands in tmux's own syntax (in single quotes, which azlin's
    // formats never hold), their formats escaped for the loop.
    let one = part_commands(
        "'#{session_id}'",
        "'#{session_id}:'",
        req,
        |s| {
            debug_assert!(!s.contains('\''), "{s}");
            format!("'{}'", loop_literal(s))
        },
        " ; ",
    );
    let each = part_commands("\"$azlin_s\"", "\"$azlin_s:\"", req, shell_quote, " \\; ");
    format!(
        "command -v tmux >/dev/null 2>&1 || {{ echo {no_tmux}; exit 0; }}\n\
         tmux run-shell -C {all} 2>/dev/null && exit 0\n\
         printf '%s\\n' {again}\n\
         for azlin_s in $(tmux list-sessions -F '#{{session_id}}' 2>/dev/null); do\n\
         tmux has-session -t \"$azlin_s\" \\; {each} 2>/dev/null\n\
         done\nexit 0",
        no_tmux = tmux::NO_TMUX,
        all = shell_quote(&format!("#{{S:{one} ; }}")),
        again = shell_quote(AGAIN),
    )
}

/// The tmux commands of one session's part of [`every_command`] (the session `target`,
/// its current window `window`), each word of azlin's quoted by `quote`, joined by `sep`.
fn part_commands(
    target: &str,
    window: &str,
    req: Request,
    quote: impl Fn(&str) -> String,
    sep: &str,
) -> String {
    [
        format!("display-message -p -t {target} {}", quote(PART)),
        format!(
            "display-message -p -t {target} {}",
            quote(tmux::LIST_FORMAT)
        ),
        format!("display-message -p -t {window} {}", quote(&header_format())),
        format!(
            "capture-pane -p -C{}{} -t {window} -S -{}",
            if req.joined { " -J" } else { "" },
            if req.escapes { " -e" } else { "" },
            req.history
        ),
    ]
    .join(sep)
}

/// `format` as text in the body of a tmux loop (`#{S:…}`): the loop expands its body
/// once, so what is to be expanded per session later has its `#`, `,` and `}` escaped.
fn loop_literal(format: &str) -> String {
    let mut out = String::with_capacity(format.len() * 2);
    for c in format.chars() {
        if matches!(c, '#' | ',' | '}') {
            out.push('#');
        }
        out.push(c);
    }
    out
}

/// A row as `capture-pane -C` printed it, its escapes undone: `\\` is a backslash and
/// `\ooo` the byte of that octal value (the escape sequences of `-e`); anything else
/// stays as it came.
fn unescaped(row: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(row.len());
    let mut i = 0;
    while i < row.len() {
        let octal = row
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|b| (b'0'..=b'7').contains(b)))
            .map(|d| d.iter().fold(0u32, |n, b| n * 8 + u32::from(b - b'0')))
            .and_then(|n| u8::try_from(n).ok());
        match (row[i], row.get(i + 1), octal) {
            (b'\\', Some(b'\\'), _) => {
                out.push(b'\\');
                i += 2;
            }
            (b'\\', _, Some(byte)) => {
                out.push(byte);
                i += 4;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// What [`every_command`] printed, read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Every {
    /// The sessions' records, one after another: a listing as `tmux list-sessions -F`
    /// prints it in [`tmux::LIST_FORMAT`] (or [`tmux::NO_TMUX`]), for
    /// [`tmux::parse_list`] and the same checks a probe gets.
    pub listing: Vec<u8>,
    /// Each session's pane, by session name, where its part held a capture.
    pub captures: Vec<(String, Capture)>,
}

/// The line at the start of `input` (without its line break) and what follows it.
fn split_line(input: &[u8]) -> (&[u8], &[u8]) {
    match input.iter().position(|&b| b == b'\n') {
        Some(i) => (&input[..i], &input[i + 1..]),
        None => (input, &[]),
    }
}

/// Where the next [`PART`] or [`AGAIN`] line of `input` starts (`input.len()` if none).
fn next_mark(input: &[u8]) -> usize {
    let mut at = 0;
    while at < input.len() {
        let (line, rest) = split_line(&input[at..]);
        if line == PART.as_bytes() || line == AGAIN.as_bytes() {
            return at;
        }
        at = input.len() - rest.len();
    }
    input.len()
}

/// Reads what [`every_command`] printed. Lines before the first part (a login script's
/// greeting) are skipped. A part is read in order: the record (whose label may hold any
/// text, so it is read by its length), then the header and the rows up to the next
/// [`PART`] or [`AGAIN`] line, which no row can be.
pub fn parse_every(stdout: &[u8], req: Request) -> Every {
    let req = Request {
        foreground: false,
        ..req
    };
    let mut every = Every::default();
    let mut rest = stdout;
    let mut framed = false;
    while !rest.is_empty() {
        let (line, after) = split_line(rest);
        rest = after;
        if line == AGAIN.as_bytes() {
            every = Every::default();
            continue;
        }
        if !framed && line == tmux::NO_TMUX.as_bytes() {
            every.listing = format!("{}\n", tmux::NO_TMUX).into_bytes();
            return every;
        }
        if line != PART.as_bytes() {
            continue;
        }
        framed = true;
        match tmux::record(rest) {
            Ok((session, used)) => {
                let used = used.min(rest.len());
                every.listing.extend_from_slice(&rest[..used]);
                if !every.listing.ends_with(b"\n") {
                    every.listing.push(b'\n');
                }
                rest = &rest[used..];
                let end = next_mark(rest);
                let text = unescaped(&rest[..end]);
                if let Some(c) = parse(&String::from_utf8_lossy(&text), req) {
                    every.captures.push((session.name, c));
                }
                rest = &rest[end..];
            }
            // Its first line goes to the listing, whose reader says what is wrong with it.
            Err(_) => {
                let (first, _) = split_line(rest);
                every.listing.extend_from_slice(first);
                every.listing.push(b'\n');
                rest = &rest[next_mark(rest)..];
            }
        }
    }
    every
}

/// Every session of a VM and what its active pane shows, from one look.
#[derive(Debug, Clone)]
pub struct Panes {
    /// The sessions, as a probe finds them (sorted by name).
    pub sessions: Vec<SessionInfo>,
    /// Each session's pane, by session name (a session whose pane could not be read in
    /// the same look has none).
    pub captures: Vec<(String, Capture)>,
}

/// Lists the sessions on `target` and captures the active pane of each, in one ssh: the
/// listing is checked as a probe's is ([`remote::probe`]), and the answer is bounded by
/// [`remote::MAX_ANSWER`] like any other.
pub fn capture_every(
    target: &SshTarget,
    settings: &Settings,
    req: Request,
) -> Result<Panes, RemoteError> {
    let done = remote::run(
        target,
        settings,
        "a look at every session's pane",
        &every_command(req),
    )?;
    let every = parse_every(&done.stdout, req);
    Ok(Panes {
        sessions: remote::listed(target, &every.listing)?,
        captures: every.captures,
    })
}

/// [`capture_every`] on every VM of `vms` concurrently; results keep their order.
pub fn capture_every_vm(
    vms: &[&Vm],
    defaults: &ConnectDefaults,
    settings: &Settings,
    req: Request,
) -> Vec<Result<Panes, RemoteError>> {
    crate::parallel::fan_out(vms, settings.jobs, |vm| {
        remote::target_of(vm, defaults).and_then(|t| capture_every(&t, settings, req))
    })
}

/// Parses what [`capture_command`] printed; `None` when the header is not there or not
/// as asked (the output is then not a capture of a pane).
pub fn parse(stdout: &str, req: Request) -> Option<Capture> {
    let mut lines = stdout.split('\n');
    let mut shell_in_foreground = None;
    let mut first = lines.next()?;
    if req.foreground {
        let mut f = first.split(' ');
        if f.next() != Some(FOREGROUND) {
            return None;
        }
        let (pid, fg) = (f.next(), f.next());
        shell_in_foreground =
            Some(matches!((pid, fg), (Some(p), Some(g)) if !p.is_empty() && p == g));
        first = lines.next()?;
    }
    let fields: Vec<&str> = first.split(' ').collect();
    let [HEADER, pane, history, cursor, dead, own] = fields.as_slice() else {
        return None;
    };
    if !pane.starts_with('%') {
        return None;
    }
    let history_size: u64 = history.parse().ok()?;
    let mut rows: Vec<String> = lines.map(str::to_string).collect();
    // The newline that ends the last row is not a row of its own.
    if rows.last().is_some_and(|r| r.is_empty()) {
        rows.pop();
    }
    Some(Capture {
        pane: pane.to_string(),
        history_size,
        cursor_y: cursor.parse().ok()?,
        history_rows: history_size.min(u64::from(req.history)) as usize,
        dead: *dead == "1",
        own_command: *own == "1",
        shell_in_foreground,
        rows,
    })
}

/// Captures the active pane of `session`, which must exist.
pub fn capture(
    target: &SshTarget,
    settings: &Settings,
    session: &str,
    req: Request,
) -> Result<Capture, RemoteError> {
    let done = remote::guarded(
        target,
        settings,
        "a capture of the pane",
        session,
        Need::Existing,
        &capture_command(session, req),
    )?;
    parse(&String::from_utf8_lossy(&done.stdout), req).ok_or_else(|| RemoteError::Tmux {
        vm: target.vm.clone(),
        command: "tmux capture-pane".to_string(),
        status: 0,
        stderr: "its answer was not a capture of the pane".to_string(),
    })
}

/// What `wait` waits for.
#[derive(Debug, Clone)]
pub enum Condition {
    /// The job in the pane has finished ([`Capture::job_done`]).
    Done,
    /// The pane has not changed for this long.
    Idle(Duration),
    /// The visible screen shows this pattern.
    Match(regex::Regex),
}

impl Condition {
    /// `--match RE`, or why `re` is not a regular expression.
    pub fn matching(re: &str) -> Result<Condition, String> {
        regex::Regex::new(re).map(Condition::Match).map_err(|e| {
            format!(
                "--match `{}` is not a regular expression: {e}",
                crate::text::escape(re)
            )
        })
    }

    /// Whether `now` shows the condition met; `quiet_since` is when the pane last changed.
    pub fn met(&self, now: &Capture, quiet_since: std::time::Instant) -> bool {
        match self {
            Condition::Done => now.job_done(),
            Condition::Idle(d) => quiet_since.elapsed() >= *d,
            // The visible screen, not the history above it.
            Condition::Match(re) => now.rows[now.history_rows.min(now.rows.len())..]
                .iter()
                .any(|r| re.is_match(r)),
        }
    }

    /// Whether the pane's foreground has to be looked at ([`Request::foreground`]).
    pub fn needs_foreground(&self) -> bool {
        matches!(self, Condition::Done)
    }
}

/// What `send` types into a pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keys {
    /// Literal text (`send-keys -l`), then Enter when asked.
    Text {
        /// The text, exactly as typed.
        text: String,
        /// Press Enter after it.
        enter: bool,
    },
    /// tmux key names (`C-c`, `Up`, `Enter`), pressed in order.
    Named(Vec<String>),
}

/// The remote command that types `keys` into the active pane of `session`.
pub fn send_command(session: &str, keys: &Keys) -> String {
    let target = tmux::window_target(session);
    match keys {
        Keys::Text { text, enter } => {
            // `--`: text that starts with `-` is text, not an option of send-keys.
            let mut cmd = format!("tmux send-keys -t {target} -l -- {}", shell_quote(text));
            if *enter {
                cmd.push_str(&format!(" \\; send-keys -t {target} Enter"));
            }
            cmd
        }
        Keys::Named(names) => format!(
            "tmux send-keys -t {target} -- {}",
            crate::quote::shell_join(names)
        ),
    }
}

/// Types `keys` into the active pane of `session`, which must exist.
pub fn send(
    target: &SshTarget,
    settings: &Settings,
    session: &str,
    keys: &Keys,
) -> Result<(), RemoteError> {
    remote::guarded(
        target,
        settings,
        "typing into the pane",
        session,
        Need::Existing,
        &send_command(session, keys),
    )
    .map(|_| ())
}

/// The remote command that prints the active pane's directory of `session`, or, when
/// `session` does not exist, the home directory.
pub fn directory_command(session: &str) -> String {
    // tmux 3.3 prints an empty line and exits 0 for a target that does not exist.
    format!(
        "azlin_dir=$(tmux display-message -p -t {} '#{{pane_current_path}}' 2>/dev/null)\n\
         [ -n \"$azlin_dir\" ] || azlin_dir=$HOME\nprintf '%s\\n' \"$azlin_dir\"",
        tmux::window_target(session)
    )
}

/// The directory of the active pane of `session` (the home directory when the session
/// does not exist and `need` allows it).
pub fn directory(
    target: &SshTarget,
    settings: &Settings,
    session: &str,
    need: Option<Need>,
) -> Result<String, RemoteError> {
    const WHAT: &str = "the pane's directory";
    let command = directory_command(session);
    let done = match need {
        Some(n) => remote::guarded(target, settings, WHAT, session, n, &command)?,
        None => remote::run(target, settings, WHAT, &command)?,
    };
    let text = String::from_utf8_lossy(&done.stdout);
    let dir = text.strip_suffix('\n').unwrap_or(&text);
    if dir.is_empty() {
        return Err(RemoteError::Tmux {
            vm: target.vm.clone(),
            command: "tmux display-message '#{pane_current_path}'".to_string(),
            status: 0,
            stderr: "it printed no directory".to_string(),
        });
    }
    Ok(dir.to_string())
}

/// Follows a pane from capture to capture: which rows are new since the last one.
///
/// Rows move up as the pane scrolls, so the rows seen last time are looked for in the new
/// capture (at the scroll the history's growth suggests first, then at the smallest
/// scroll that fits). When they are not there at all (the screen was cleared, or more
/// rows went by than one capture holds), every finished row of the new capture is new.
#[derive(Debug, Default)]
pub struct Follower {
    /// The finished rows of the last capture, and its history size.
    last: Option<(Vec<String>, u64)>,
}

/// What a [`Follower`] found new in a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// Rows to print, in order.
    pub rows: Vec<String>,
    /// Rows may have gone by between the two captures without being seen.
    pub gap: bool,
}

impl Follower {
    /// A follower that has seen nothing yet.
    pub fn new() -> Follower {
        Follower::default()
    }

    /// The rows of `capture` not seen before; the first time, its last `first` finished
    /// rows (trailing blank rows dropped).
    pub fn update(&mut self, capture: &Capture, first: usize) -> Update {
        let now: Vec<String> = capture.complete_rows().to_vec();
        let update = match &self.last {
            None => {
                let end = now
                    .iter()
                    .rposition(|r| !r.trim().is_empty())
                    .map_or(0, |i| i + 1);
                Update {
                    rows: now[end.saturating_sub(first)..end].to_vec(),
                    gap: false,
                }
            }
            Some((before, history)) => {
                let hint = capture.history_size.checked_sub(*history);
                match scroll(before, &now, hint) {
                    Some(s) => Update {
                        rows: now[(before.len() - s).min(now.len())..].to_vec(),
                        gap: false,
                    },
                    // Cleared, or scrolled past the window: all of it is new.
                    None => Update {
                        gap: !now.is_empty() && !before.is_empty(),
                        rows: now.clone(),
                    },
                }
            }
        };
        self.last = Some((now, capture.history_size));
        update
    }
}

/// By how many rows `now` has scrolled relative to `before`: the `s` for which the rows
/// of `before` from `s` on start `now`. The history's growth `hint` is tried first (it
/// tells repeated identical rows apart), then the smallest `s` that fits.
fn scroll(before: &[String], now: &[String], hint: Option<u64>) -> Option<usize> {
    let fits = |s: usize| {
        let kept = &before[s..];
        kept.len() <= now.len() && now[..kept.len()] == *kept
    };
    if let Some(h) = hint.and_then(|h| usize::try_from(h).ok())
        && h <= before.len()
        && fits(h)
        && h < before.len()
    {
        return Some(h);
    }
    (0..before.len()).find(|&s| fits(s))
}

/// Now, in RFC 3339 (UTC, whole seconds): when a capture was taken.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// Shows a pane row on a terminal: control characters escaped (a program in the pane
/// wrote it), backslashes kept as the screen shows them; with `colours`, the SGR
/// sequences `capture-pane -e` writes (`ESC [ digits/semicolons m`) are kept too.
pub fn shown_row(row: &str, colours: bool) -> String {
    if !colours {
        return crate::text::escape_message(row).into_owned();
    }
    let mut out = String::with_capacity(row.len());
    let mut rest = row;
    while let Some(at) = rest.find('\u{1b}') {
        out.push_str(&crate::text::escape_message(&rest[..at]));
        let after = &rest[at + 1..];
        let sgr_len = after.strip_prefix('[').and_then(|p| {
            let body = p.find(|c: char| !(c.is_ascii_digit() || c == ';' || c == ':'))?;
            (p.as_bytes()[body] == b'm').then_some(body + 2)
        });
        match sgr_len {
            Some(n) => {
                out.push_str(&rest[at..at + 1 + n]);
                rest = &after[n..];
            }
            None => {
                out.push_str(&crate::text::escape_message("\u{1b}"));
                rest = after;
            }
        }
    }
    out.push_str(&crate::text::escape_message(rest));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_string).collect()
    }

    fn capture(history_size: u64, cursor_y: u64, history_rows: usize, r: &str) -> Capture {
        Capture {
            pane: "%0".into(),
            history_size,
            cursor_y,
            history_rows,
            dead: false,
            own_command: false,
            shell_in_foreground: None,
            rows: rows(r),
        }
    }

    #[test]
    fn parses_the_header_and_keeps_hostile_rows_as_rows() {
        let req = Request::last_lines(5, false);
        let out = "azlin-pane %3 12 1 0 0\nazlin-pane %9 0 0 1 1\n$ make\n\n";
        let c = parse(out, req).unwrap();
        assert_eq!(c.pane, "%3");
        assert_eq!((c.history_size, c.cursor_y, c.history_rows), (12, 1, 5));
        assert!(!c.dead && !c.own_command);
        // A row that looks like a header is only a row.
        assert_eq!(c.rows, ["azlin-pane %9 0 0 1 1", "$ make", ""]);
        assert_eq!(c.last_lines(1), ["$ make"]);
        assert_eq!(c.last_lines(10), ["azlin-pane %9 0 0 1 1", "$ make"]);
        assert!(parse("hello\n", req).is_none());
        assert!(parse("azlin-pane 3 1 1 0 0\n", req).is_none());
        assert!(parse("azlin-pane %3 x 1 0 0\n", req).is_none());
    }

    #[test]
    fn the_job_is_done_when_the_shell_has_the_foreground() {
        let req = Request {
            foreground: true,
            ..Request::last_lines(1, false)
        };
        let running = parse("azlin-fg 10 12\nazlin-pane %0 0 0 0 0\n", req).unwrap();
        assert!(!running.job_done());
        let done = parse("azlin-fg 10 10\nazlin-pane %0 0 0 0 0\n", req).unwrap();
        assert!(done.job_done());
        // A pane started with its own command is done only when that command exited.
        let own = parse("azlin-fg 10 10\nazlin-pane %0 0 0 0 1\n", req).unwrap();
        assert!(!own.job_done());
        let dead = parse("azlin-fg 10 10\nazlin-pane %0 0 0 1 1\n", req).unwrap();
        assert!(dead.job_done());
        assert!(parse("azlin-pane %0 0 0 0 0\n", req).is_none());
    }

    #[test]
    fn follows_scrolling_clearing_and_repeated_rows() {
        let mut f = Follower::new();
        // Three finished rows and the prompt on the cursor's row.
        let c = capture(0, 3, 0, "a b c $ - -");
        assert_eq!(f.update(&c, 2).rows, rows("b c"));
        // One more row, nothing scrolled.
        let c = capture(0, 4, 0, "a b c d $ -");
        assert_eq!(f.update(&c, 2).rows, rows("d"));
        // Scrolled by two: `a` and `b` went into the history, out of a window of 0.
        let c = capture(2, 4, 0, "c d e f $ -");
        assert_eq!(f.update(&c, 2).rows, rows("e f"));
        // Cleared: nothing finished yet, then new rows.
        let c = capture(0, 0, 0, "$ - - - - -");
        assert_eq!(f.update(&c, 2).rows, Vec::<String>::new());
        let c = capture(0, 1, 0, "g $ - - - -");
        assert_eq!(f.update(&c, 2).rows, rows("g"));
        // Identical rows: the history's growth says how many went by.
        let mut f = Follower::new();
        let c = capture(5, 3, 0, "x x x $");
        assert_eq!(f.update(&c, 5).rows, rows("x x x"));
        let c = capture(7, 3, 0, "x x x $");
        assert_eq!(f.update(&c, 5).rows, rows("x x"));
        // More went by than a capture holds: all of it, and a gap.
        let c = capture(50, 3, 0, "p q r $");
        let u = f.update(&c, 5);
        assert_eq!(u.rows, rows("p q r"));
        assert!(u.gap);
    }

    #[test]
    fn commands_quote_text_once_and_target_the_session_exactly() {
        let t = send_command(
            "dev",
            &Keys::Text {
                text: "-n 'x' $HOME; rm".into(),
                enter: true,
            },
        );
        assert_eq!(
            t,
            r"tmux send-keys -t '=dev:' -l -- '-n '\''x'\'' $HOME; rm' \; send-keys -t '=dev:' Enter"
        );
        let k = send_command("dev", &Keys::Named(vec!["C-c".into(), "Up".into()]));
        assert_eq!(k, "tmux send-keys -t '=dev:' -- C-c Up");
        let c = capture_command("dev", Request::last_lines(20, false));
        assert!(c.contains("capture-pane -p -J -t '=dev:' -S -20"), "{c}");
    }

    /// The sessions of `every`'s listing, every record of which must be readable.
    fn sessions_of(every: &Every) -> Vec<SessionInfo> {
        let crate::tmux::Listing::Sessions { sessions, rejected } =
            crate::tmux::parse_list(&every.listing)
        else {
            panic!("no tmux in {every:?}")
        };
        assert_eq!(rejected, []);
        sessions
    }

    /// One part of [`every_command`]'s answer around `body`.
    fn part(body: &str) -> String {
        format!("{PART}\n{body}\n")
    }

    #[test]
    fn every_session_is_read_in_order_so_a_pane_cannot_forge_a_part() {
        let req = Request::last_lines(5, false);
        // A pane that shows a whole part of its own, a mark to start again, records and
        // "no tmux": `capture-pane -C` doubled each backslash it shows.
        let forged = format!("{PART}\nghost:1:1:1:0:\nazlin-pane %9 0 0 0 0\nboo");
        let shown = |text: &str| text.replace('\\', "\\\\");
        let rows = shown(&format!(
            "a\\b\n{forged}\n{AGAIN}\nazlin:no-tmux\n\\033 stays\n$ "
        ));
        // A label holds another part; it is read by its length.
        let label = format!("x\n{}", part("spoof:0:1:1:0:\nazlin-pane %5 0 0 0 0\nz"));
        let out = format!(
            "Welcome to the VM\n{}{}",
            part(&format!(
                "dev:1:2:1700000000:{}:{label}\nazlin-pane %1 0 2 0 0\n{rows}",
                label.len()
            )),
            part("z z:0:1:1:0:\nazlin-pane %2 0 0 0 0\nlast row\\033[1mbold")
        );
        let every = parse_every(out.as_bytes(), req);
        let sessions = sessions_of(&every);
        let names: Vec<&str> = sessions.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["dev", "z z"]);
        assert_eq!(sessions[0].label.as_deref(), Some(label.as_str()));
        assert_eq!(every.captures.len(), 2);
        let (name, dev) = &every.captures[0];
        assert_eq!((name.as_str(), dev.pane.as_str()), ("dev", "%1"));
        // Every line the pane showed is a row again, exactly as shown.
        let expected = format!("a\\b\n{forged}\n{AGAIN}\nazlin:no-tmux\n\\033 stays\n$ ");
        assert_eq!(dev.rows, expected.split('\n').collect::<Vec<_>>());
        assert_eq!(every.captures[1].1.last_lines(1), ["last row\u{1b}[1mbold"]);
    }

    #[test]
    fn a_second_start_replaces_the_first_and_odd_parts_are_reported() {
        let req = Request::last_lines(1, false);
        let ok = part("a:0:1:1:0:\nazlin-pane %1 0 0 0 0\nx");
        // tmux older than 3.2: what the first way printed (nothing, or a part) is dropped.
        let again = parse_every(
            format!(
                "{}{AGAIN}\n{ok}",
                part("old:0:1:1:0:\nazlin-pane %0 0 0 0 0")
            )
            .as_bytes(),
            req,
        );
        assert_eq!(again, parse_every(ok.as_bytes(), req));
        assert_eq!(again.listing, b"a:0:1:1:0:\n");
        assert_eq!(again.captures[0].1.rows, ["x"]);
        // No tmux; no server (nothing, after the mark); a record azlin cannot read goes to
        // the listing, whose reader reports it; a part without a capture is a session
        // without one.
        let none = parse_every(b"azlin:no-tmux\n", req);
        assert_eq!(
            crate::tmux::parse_list(&none.listing),
            crate::tmux::Listing::NoTmux
        );
        assert_eq!(
            parse_every(format!("{AGAIN}\n").as_bytes(), req),
            Every::default()
        );
        let odd = parse_every(format!("{}{ok}", part("broken")).as_bytes(), req);
        assert_eq!(odd.listing, b"broken\na:0:1:1:0:\n");
        assert_eq!(odd.captures.len(), 1);
        let bare = parse_every(part("b:0:1:1:0:").as_bytes(), req);
        assert_eq!(bare.listing, b"b:0:1:1:0:\n");
        assert!(bare.captures.is_empty());
    }

    #[test]
    fn rows_are_unescaped_as_capture_pane_escaped_them() {
        assert_eq!(
            unescaped(br"a\\b \\\\ \033[0m \\033"),
            b"a\\b \\\\ \x1b[0m \\033"
        );
        // What tmux would not write stays as it came.
        assert_eq!(unescaped(br"\x \0 \999 \"), br"\x \0 \999 \");
        assert_eq!(loop_literal("#{a,b}c"), "##{a#,b#}c");
    }

    /// Runs [`every_command`] with the real tmux and `shell` of this machine on a server
    /// whose socket is in `dir`; with `old_tmux`, `tmux run-shell` fails as in tmux 3.0.
    fn run_every_in(shell: &str, dir: &std::path::Path, req: Request, old_tmux: bool) -> Every {
        use std::os::unix::fs::PermissionsExt;
        let bin = dir.join("bin");
        let mut path = std::env::var("PATH").unwrap_or_default();
        if old_tmux {
            let real = String::from_utf8(
                std::process::Command::new("sh")
                    .args(["-c", "command -v tmux"])
                    .output()
                    .unwrap()
                    .stdout,
            )
            .unwrap();
            std::fs::create_dir_all(&bin).unwrap();
            let wrapper = bin.join("tmux");
            std::fs::write(
                &wrapper,
                format!(
                    "#!/bin/sh\n[ \"$1\" = run-shell ] && {{ echo 'unknown flag -C' >&2; exit 1; }}\n\
                     exec {} \"$@\"\n",
                    real.trim()
                ),
            )
            .unwrap();
            std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
            path = format!("{}:{path}", bin.display());
        }
        let out = std::process::Command::new(shell)
            .args(["-c", &every_command(req)])
            .env("TMUX_TMPDIR", dir)
            .env("PATH", &path)
            .env_remove("TMUX")
            .output()
            .unwrap();
        parse_every(&out.stdout, req)
    }

    /// [`run_every_in`] with sh.
    fn run_every(dir: &std::path::Path, req: Request, old_tmux: bool) -> Every {
        run_every_in("sh", dir, req, old_tmux)
    }

    #[test]
    fn the_every_session_script_is_what_tmux_and_sh_print_for_the_parser() {
        // The real tmux and sh of this machine, on a server of its own.
        let dir = tempfile::tempdir().unwrap();
        let tmux = |args: &[&str]| crate::tmux::tests::local_tmux(dir.path(), args);
        let req = Request::last_lines(3, false);
        for old in [false, true] {
            assert_eq!(
                run_every(dir.path(), req, old),
                Every::default(),
                "no server"
            );
        }
        // A pane that shows what azlin's own lines look like, and a label that holds them.
        let fake = format!("{PART}|{AGAIN}|two:0:1:1:0:|azlin-pane %9 0 0 0 0|a\\b");
        for (name, text) in [("my work", "first"), ("two", fake.as_str())] {
            let cmd = format!("printf '%s\\n' '{text}' | tr '|' '\\n'; exec cat");
            assert!(
                tmux(&["new-session", "-d", "-s", name, &cmd])
                    .status
                    .success()
            );
        }
        let label = format!("l\n{PART}\n1");
        assert!(
            tmux(&[
                "set-option",
                "-t",
                "=two:",
                crate::tmux::LABEL_OPTION,
                &label
            ])
            .status
            .success()
        );
        let fake_rows: Vec<String> = fake.split('|').map(String::from).collect();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let shown = |every: &Every| {
            every
                .captures
                .iter()
                .map(|(n, c)| (n.clone(), c.last_lines(5)))
                .collect::<Vec<_>>()
        };
        let want = vec![
            ("my work".to_string(), vec!["first".to_string()]),
            ("two".to_string(), fake_rows.clone()),
        ];
        let mut seen = Vec::new();
        for old in [false, true] {
            let every = loop {
                let every = run_every(dir.path(), req, old);
                if shown(&every) == want || std::time::Instant::now() > deadline {
                    break every;
                }
                std::thread::sleep(Duration::from_millis(50));
            };
            let sessions = sessions_of(&every);
            let names: Vec<&str> = sessions.iter().map(|s| s.name.as_str()).collect();
            assert_eq!(names, ["my work", "two"], "old tmux: {old}");
            assert_eq!(sessions[1].label.as_deref(), Some(label.as_str()));
            assert!(sessions.iter().all(|s| s.last_activity.is_some()));
            assert_eq!(shown(&every), want, "old tmux: {old}");
            // The other login shells read the script as sh does (the panes are settled).
            for shell in crate::quote::login_shells().into_iter().skip(1) {
                assert_eq!(
                    run_every_in(shell, dir.path(), req, old),
                    every,
                    "{shell}, old tmux: {old}"
                );
            }
            seen.push(every);
        }
        let _ = tmux(&["kill-server"]);
        // Both ways read the same.
        assert_eq!(seen[0].listing, seen[1].listing);
    }

    #[test]
    fn every_pane_keeps_its_colours_and_backslashes_with_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let tmux = |args: &[&str]| crate::tmux::tests::local_tmux(dir.path(), args);
        let cmd = r"printf '\033[1;31mred\033[0m a\\b \\033\n'; exec cat";
        assert!(
            tmux(&["new-session", "-d", "-s", "c", cmd])
                .status
                .success()
        );
        let req = Request::last_lines(2, true);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        for old in [false, true] {
            let row = loop {
                let every = run_every(dir.path(), req, old);
                let row = every
                    .captures
                    .first()
                    .and_then(|(_, c)| c.last_lines(1).pop())
                    .unwrap_or_default();
                if row.contains("red") || std::time::Instant::now() > deadline {
                    break row;
                }
                std::thread::sleep(Duration::from_millis(50));
            };
            // tmux writes its own SGR sequences; the text's backslashes are its own.
            assert!(row.starts_with("\u{1b}[1m\u{1b}[31mred\u{1b}["), "{row:?}");
            assert!(row.ends_with(" a\\b \\033"), "{row:?}");
            // Every escape is tmux's SGR, which `--escapes` shows as it is.
            assert_eq!(shown_row(&row, true), row);
        }
        let _ = tmux(&["kill-server"]);
    }

    #[test]
    fn rows_as_shown() {
        let osc = shown_row("a\\b\u{1b}]0;pwned\u{7}", false);
        assert!(
            osc.starts_with("a\\b") && osc.contains("]0;pwned"),
            "{osc:?}"
        );
        assert!(!osc.contains(['\u{1b}', '\u{7}']), "{osc:?}");
        let coloured = "\u{1b}[1;31mred\u{1b}[0m \u{1b}[2J";
        let shown = shown_row(coloured, true);
        assert!(shown.starts_with("\u{1b}[1;31mred\u{1b}[0m "), "{shown:?}");
        assert!(!shown.contains("\u{1b}[2J"), "{shown:?}");
        assert!(!shown_row(coloured, false).contains('\u{1b}'));
    }
}
