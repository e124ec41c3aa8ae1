//! The dashboard's state and what each key does to it: the fleet's rows, the selection,
//! the filter, the mode (prompt, confirmation, help), the preview, and the refresh
//! schedules. No drawing and no process here: keys come in, [`Effect`]s go out, and the
//! answers of azlin come back through the `set_*` methods, so every rule is unit-tested.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};

use crate::azlin::Action;
use crate::filter;
use crate::fleet::{Peeked, Row};
use crate::schedule::Schedule;

/// At most this many characters are taken in a prompt.
const MAX_INPUT: usize = 4_096;

/// What the keys are going to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// The table.
    Normal,
    /// Typing the `/` filter.
    Filter,
    /// Typing the answer to a prompt.
    Prompt(Prompt),
    /// `K`: asking before killing the session named.
    Confirm(String),
    /// `?`: the keys.
    Help,
}

/// A question on the bottom line, and what has been typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// What the answer is for.
    pub kind: PromptKind,
    /// The VM (for a new session) or `vm:session` it acts on.
    pub target: String,
    /// The text typed so far.
    pub input: String,
    /// Why the last Enter was refused.
    pub error: Option<String>,
}

/// The prompts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// `n`: a new session's name.
    NewSession,
    /// `r`: the session's label.
    Label,
    /// `s`: a line to type into the pane.
    Send,
}

/// What the main loop must do after a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Nothing beyond redrawing.
    None,
    /// Leave the dashboard.
    Quit,
    /// Give the terminal to `azlin connect TARGET`, then come back.
    Attach(String),
    /// Have azlin do this in the background.
    Run(Action),
}

/// How many of what the fleet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// VMs listed.
    pub vms: usize,
    /// Sessions listed.
    pub sessions: usize,
    /// VMs that could not be asked.
    pub unreachable: usize,
    /// VMs not running (stopped, deallocated, …).
    pub stopped: usize,
    /// Rows the filter keeps.
    pub shown: usize,
}

/// The dashboard's state.
#[derive(Debug)]
pub struct App {
    rows: Vec<Row>,
    /// Indices into `rows` that the filter keeps.
    visible: Vec<usize>,
    /// Index into `visible`.
    cursor: usize,
    /// The `/` query.
    pub filter: String,
    /// Where keys go.
    pub mode: Mode,
    /// The selected session's pane, when read.
    pub preview: Option<Peeked>,
    /// Why the selected session's pane could not be read.
    pub preview_error: Option<String>,
    /// When the last listing answered (`HH:MM:SS` UTC), `None` before the first.
    pub refreshed_at: Option<String>,
    /// Unix time of the last listing (to age `last_activity`).
    pub refreshed_unix: u64,
    /// Why the last listing failed, or that azlin reported failures.
    pub list_error: Option<String>,
    /// The outcome of the last action, for the status line.
    pub message: Option<String>,
    /// A fingerprint of each session's last lines, from the last look at every pane.
    marks: HashMap<String, u64>,
    /// Sessions whose pane changed between the last two looks.
    changed: HashSet<String>,
    /// The listing's schedule.
    pub list: Schedule,
    /// The preview's schedule.
    pub peek: Schedule,
}

impl App {
    /// An empty dashboard that refreshes every `interval`, with `filter` typed in.
    pub fn new(interval: Duration, filter: &str) -> App {
        App {
            rows: Vec::new(),
            visible: Vec::new(),
            cursor: 0,
            filter: filter.to_string(),
            mode: Mode::Normal,
            preview: None,
            preview_error: None,
            refreshed_at: None,
            refreshed_unix: 0,
            list_error: None,
            message: None,
            marks: HashMap::new(),
            changed: HashSet::new(),
            list: Schedule::new(interval),
            peek: Schedule::new(interval.min(Duration::from_secs(2))),
        }
    }

    /// Every row, in azlin's order.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The rows the filter keeps, in order.
    pub fn visible(&self) -> impl Iterator<Item = &Row> {
        self.visible.iter().map(|&i| &self.rows[i])
    }

    /// The index of the selection among the visible rows.
    pub fn cursor(&self) -> Option<usize> {
        (!self.visible.is_empty()).then_some(self.cursor)
    }

    /// The selected row.
    pub fn selected(&self) -> Option<&Row> {
        self.visible.get(self.cursor).map(|&i| &self.rows[i])
    }

    /// `vm:session` of the selection, when it is a session on a running VM.
    pub fn selected_session(&self) -> Option<String> {
        self.selected()
            .filter(|r| r.session.is_some() && r.is_running())
            .map(Row::compound)
    }

    /// Whether the pane of `compound` changed between the last two looks.
    pub fn changed(&self, compound: &str) -> bool {
        self.changed.contains(compound)
    }

    /// A new listing, answered at `at` (UTC `HH:MM:SS`, unix seconds). The selection
    /// stays on the same session when it is still there.
    pub fn set_rows(&mut self, rows: Vec<Row>, failed: bool, at: (String, u64)) {
        let keep = self.selected().map(Row::compound);
        self.rows = rows;
        self.refreshed_at = Some(at.0);
        self.refreshed_unix = at.1;
        self.refilter(keep);
        // An unreachable VM is its own row, counted in the status line; other failures
        // (a VM without tmux) are only known from azlin's exit status.
        let shown = self.rows.iter().any(|r| r.error.is_some());
        self.list_error = (failed && !shown).then(|| "azlin list reported a failure".into());
    }

    /// The listing failed: the last rows stay, the error shows.
    pub fn set_list_error(&mut self, error: String) {
        self.list_error = Some(error);
    }

    /// A look at every pane: a session is marked ● when its last lines differ from the
    /// previous look's.
    pub fn set_marks(&mut self, panes: &[Peeked]) {
        let mut marks = HashMap::new();
        self.changed.clear();
        for p in panes.iter().filter(|p| p.error.is_none()) {
            let print = fingerprint(&p.lines);
            if self.marks.get(&p.compound).is_some_and(|&old| old != print) {
                self.changed.insert(p.compound.clone());
            }
            marks.insert(p.compound.clone(), print);
        }
        self.marks = marks;
    }

    /// The selected session's pane (an answer for another session, selected earlier,
    /// is dropped).
    pub fn set_preview(&mut self, target: &str, result: Result<Peeked, String>) {
        if self.selected_session().as_deref() != Some(target) {
            return;
        }
        match result {
            Ok(p) => {
                self.preview = Some(p);
                self.preview_error = None;
            }
            Err(e) => self.preview_error = Some(e),
        }
    }

    /// An action ended: its outcome shows, and everything is read again.
    pub fn set_done(&mut self, action: &Action, result: Result<(), String>) {
        self.message = Some(match result {
            Ok(()) => action.done(),
            Err(e) => format!("error: {e}"),
        });
        self.list.now();
        self.peek.now();
    }

    /// How many of what.
    pub fn counts(&self) -> Counts {
        let mut vms: Vec<(&str, &str)> = self
            .rows
            .iter()
            .map(|r| (r.vm.as_str(), r.status.as_str()))
            .collect();
        vms.dedup_by(|a, b| a.0 == b.0);
        Counts {
            vms: vms.len(),
            sessions: self.rows.iter().filter(|r| r.session.is_some()).count(),
            unreachable: vms.iter().filter(|v| v.1 == "Unreachable").count(),
            stopped: vms
                .iter()
                .filter(|v| v.1 != "Running" && v.1 != "Unreachable")
                .count(),
            shown: self.visible.len(),
        }
    }

    fn refilter(&mut self, keep: Option<String>) {
        self.visible = filter::matching(&self.rows, &self.filter);
        if let Some(pos) = keep.and_then(|k| {
            self.visible
                .iter()
                .position(|&i| self.rows[i].compound() == k)
        }) {
            self.cursor = pos;
        }
        self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
    }

    /// Moves the selection by `delta` rows (clamped).
    pub fn move_by(&mut self, delta: isize) {
        if self.visible.is_empty() {
            return;
        }
        let last = self.visible.len() - 1;
        let to = self.cursor.saturating_add_signed(delta).min(last);
        self.select(to);
    }

    /// Selects the `i`th visible row (a click).
    pub fn select(&mut self, i: usize) {
        if i >= self.visible.len() || i == self.cursor {
            return;
        }
        self.cursor = i;
        self.selection_changed();
    }

    fn selection_changed(&mut self) {
        let now = self.selected_session();
        if self.preview.as_ref().map(|p| &p.compound) != now.as_ref() {
            self.preview = None;
            self.preview_error = None;
        }
        self.peek.now();
    }

    /// What `key` does.
    pub fn on_key(&mut self, key: KeyEvent) -> Effect {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            return match self.mode {
                Mode::Normal | Mode::Help => Effect::Quit,
                _ => {
                    self.mode = Mode::Normal;
                    Effect::None
                }
            };
        }
        match self.mode.clone() {
            Mode::Normal => self.normal_key(key),
            Mode::Filter => {
                self.filter_key(key);
                Effect::None
            }
            Mode::Prompt(p) => self.prompt_key(p, key),
            Mode::Confirm(target) => {
                self.mode = Mode::Normal;
                if matches!(key.code, KeyCode::Char('y' | 'Y')) {
                    Effect::Run(Action::Kill(target))
                } else {
                    self.message = Some(format!("kept {target}"));
                    Effect::None
                }
            }
            Mode::Help => {
                self.mode = Mode::Normal;
                Effect::None
            }
        }
    }

    fn normal_key(&mut self, key: KeyEvent) -> Effect {
        let session = self.selected_session();
        let needs_session = |app: &mut App| {
            app.message = Some(match app.selected() {
                None => "no session selected".into(),
                Some(r) if !r.is_running() => format!("{} is {}", r.vm, r.status),
                Some(r) => format!("{} has no session: n creates one", r.vm),
            });
            Effect::None
        };
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => self.move_by(-1),
            KeyCode::Down | KeyCode::Char('j') => self.move_by(1),
            KeyCode::PageUp => self.move_by(-10),
            KeyCode::PageDown => self.move_by(10),
            KeyCode::Home | KeyCode::Char('g') => self.move_by(isize::MIN / 2),
            KeyCode::End | KeyCode::Char('G') => self.move_by(isize::MAX / 2),
            KeyCode::Char('/') => self.mode = Mode::Filter,
            KeyCode::Char('?') => self.mode = Mode::Help,
            KeyCode::Char('q') => return Effect::Quit,
            KeyCode::Esc if !self.filter.is_empty() => self.set_filter(String::new()),
            KeyCode::Esc => return Effect::Quit,
            KeyCode::Char('R') => {
                self.list.now();
                self.peek.now();
            }
            KeyCode::Enter => match session {
                Some(s) => return Effect::Attach(s),
                None => return needs_session(self),
            },
            KeyCode::Char('n') => match self.selected() {
                Some(r) if r.is_running() => {
                    let vm = r.vm.clone();
                    self.prompt(PromptKind::NewSession, vm);
                }
                _ => return needs_session(self),
            },
            KeyCode::Char(c @ ('r' | 's' | 'd' | 'K' | 'c')) => {
                let Some(s) = session else {
                    return needs_session(self);
                };
                match c {
                    'r' => self.prompt(PromptKind::Label, s),
                    's' => self.prompt(PromptKind::Send, s),
                    'd' => return Effect::Run(Action::Disconnect(s)),
                    'K' => self.mode = Mode::Confirm(s),
                    _ => return Effect::Run(Action::Code(s)),
                }
            }
            _ => {}
        }
        Effect::None
    }

    fn prompt(&mut self, kind: PromptKind, target: String) {
        self.mode = Mode::Prompt(Prompt {
            kind,
            target,
            input: String::new(),
            error: None,
        });
    }

    fn set_filter(&mut self, filter: String) {
        let keep = self.selected().map(Row::compound);
        self.filter = filter;
        self.refilter(keep);
        self.selection_changed();
    }

    fn filter_key(&mut self, key: KeyEvent) {
        let mut text = self.filter.clone();
        match key.code {
            KeyCode::Enter => self.mode = Mode::Normal,
            KeyCode::Esc => {
                self.mode = Mode::Normal;
                text.clear();
            }
            KeyCode::Up => self.move_by(-1),
            KeyCode::Down => self.move_by(1),
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => text.clear(),
            KeyCode::Char(c) if !c.is_control() && text.chars().count() < 256 => text.push(c),
            _ => {}
        }
        if text != self.filter {
            self.set_filter(text);
        }
    }

    fn prompt_key(&mut self, mut p: Prompt, key: KeyEvent) -> Effect {
        match key.code {
            KeyCode::Esc => {
                self.mode = Mode::Normal;
                return Effect::None;
            }
            KeyCode::Backspace => {
                p.input.pop();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => p.input.clear(),
            KeyCode::Char(c) if !c.is_control() && p.input.chars().count() < MAX_INPUT => {
                p.input.push(c)
            }
            KeyCode::Enter => match answer(&p) {
                Ok(action) => {
                    self.mode = Mode::Normal;
                    return Effect::Run(action);
                }
                Err(e) => p.error = Some(e),
            },
            _ => {}
        }
        self.mode = Mode::Prompt(p);
        Effect::None
    }

    /// What the screen holds, as `--once --format json` prints it.
    pub fn snapshot(&self) -> Value {
        let c = self.counts();
        let rows: Vec<Value> = self
            .visible()
            .map(|r| {
                let compound = r.session.as_ref().map(|_| r.compound());
                json!({
                    "vm": r.vm,
                    "session": r.session,
                    "compound": compound,
                    "label": r.label,
                    "status": r.status,
                    "attached": r.clients.map(|c| c > 0),
                    "clients": r.clients,
                    "windows": r.windows,
                    "last_activity": r.last_activity.and_then(rfc3339),
                    "idle_seconds": self.idle_seconds(r),
                    "changed": compound.as_deref().is_some_and(|c| self.changed(c)),
                    "error": r.error,
                })
            })
            .collect();
        json!({
            "refreshed_at": self.refreshed_at,
            "vms": c.vms,
            "sessions": c.sessions,
            "unreachable": c.unreachable,
            "stopped": c.stopped,
            "filter": self.filter,
            "selected": self.selected().map(Row::compound),
            "error": self.list_error,
            "rows": rows,
        })
    }

    /// Seconds since the session's last activity, when azlin's JSON says.
    pub fn idle_seconds(&self, row: &Row) -> Option<u64> {
        row.last_activity
            .map(|t| self.refreshed_unix.saturating_sub(t))
    }
}

/// The action a prompt's answer asks for, or why the answer is refused.
fn answer(p: &Prompt) -> Result<Action, String> {
    let input = p.input.trim();
    match p.kind {
        PromptKind::NewSession => {
            valid_session_name(input)?;
            Ok(Action::NewSession {
                vm: p.target.clone(),
                name: input.to_string(),
            })
        }
        PromptKind::Label => Ok(Action::Label {
            target: p.target.clone(),
            name: (!input.is_empty()).then(|| input.to_string()),
        }),
        PromptKind::Send if p.input.is_empty() => {
            Err("type the line to send, or Esc to cancel".into())
        }
        PromptKind::Send => Ok(Action::Send {
            target: p.target.clone(),
            text: p.input.clone(),
        }),
    }
}

/// azlin's rule for session names (DESIGN.md): 1–64 of `A-Z a-z 0-9 _ -`, no leading `-`.
pub fn valid_session_name(name: &str) -> Result<(), String> {
    const RULE: &str = "a session name is 1-64 letters, digits, `_` or `-`, not starting with `-`";
    if name.is_empty() {
        return Err(format!("type a name ({RULE})"));
    }
    if name.chars().count() > 64 {
        let start: String = name.chars().take(16).collect();
        return Err(format!(
            "`{}…` is too long: {RULE}",
            crate::escape::visible(&start)
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
    {
        return Err(format!(
            "`{}` cannot be in a session name: {RULE}",
            crate::escape::visible(&c.to_string())
        ));
    }
    if name.starts_with('-') {
        return Err(format!("`{name}` starts with `-`: {RULE}"));
    }
    Ok(())
}

/// Unix seconds in RFC 3339 (UTC, whole seconds), as azlin writes `last_activity`;
/// `None` past what RFC 3339 can write.
fn rfc3339(unix: u64) -> Option<String> {
    let at = std::time::UNIX_EPOCH.checked_add(Duration::from_secs(unix))?;
    // humantime cannot write years past 9999 (and would panic in `to_string`).
    (unix <= 253_402_300_799).then(|| humantime::format_rfc3339_seconds(at).to_string())
}

/// A cheap fingerprint of a pane's lines (FNV-1a: stable across runs, no allocation).
fn fingerprint(lines: &[String]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for line in lines {
        for b in line.bytes().chain([b'\n']) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::time::Instant;

    pub fn row(vm: &str, session: Option<&str>, status: &str) -> Row {
        Row {
            vm: vm.into(),
            session: session.map(str::to_string),
            status: status.into(),
            label: None,
            clients: session.map(|_| 0),
            windows: session.map(|_| 1),
            last_activity: None,
            error: None,
        }
    }

    fn key(c: char) -> KeyEvent {
        KeyEvent::from(KeyCode::Char(c))
    }

    fn code(c: KeyCode) -> KeyEvent {
        KeyEvent::from(c)
    }

    fn app() -> App {
        let mut app = App::new(Duration::from_secs(5), "");
        app.set_rows(
            vec![
                row("myvm", Some("dev"), "Running"),
                row("myvm", Some("other"), "Running"),
                row("vm2", None, "Running"),
                row("down", None, "Unreachable"),
                row("off", None, "Stopped"),
            ],
            true,
            ("10:00:00".into(), 1_700_000_000),
        );
        app
    }

    fn type_text(app: &mut App, text: &str) {
        for c in text.chars() {
            assert_eq!(app.on_key(key(c)), Effect::None);
        }
    }

    #[test]
    fn moves_and_counts() {
        let mut app = app();
        assert_eq!(app.selected_session().as_deref(), Some("myvm:dev"));
        app.on_key(key('j'));
        assert_eq!(app.selected_session().as_deref(), Some("myvm:other"));
        app.on_key(code(KeyCode::End));
        assert_eq!(app.selected().unwrap().vm, "off");
        app.on_key(key('j'));
        assert_eq!(app.selected().unwrap().vm, "off", "clamped");
        app.on_key(key('g'));
        app.on_key(key('k'));
        assert_eq!(app.cursor(), Some(0));
        let c = app.counts();
        assert_eq!(
            (c.vms, c.sessions, c.unreachable, c.stopped, c.shown),
            (4, 2, 1, 1, 5)
        );
    }

    #[test]
    fn the_selection_follows_its_session_across_refreshes() {
        let mut app = app();
        app.on_key(key('j'));
        app.set_rows(
            vec![
                row("myvm", Some("a-new-one"), "Running"),
                row("myvm", Some("dev"), "Running"),
                row("myvm", Some("other"), "Running"),
            ],
            false,
            ("10:00:05".into(), 1_700_000_005),
        );
        assert_eq!(app.selected_session().as_deref(), Some("myvm:other"));
        assert_eq!(app.list_error, None);
        app.set_rows(vec![], false, ("10:00:10".into(), 0));
        assert_eq!(app.selected(), None);
        assert_eq!(app.cursor(), None);
        assert_eq!(app.on_key(code(KeyCode::Enter)), Effect::None);
    }

    #[test]
    fn slash_filters_and_esc_clears() {
        let mut app = app();
        app.on_key(key('j'));
        app.on_key(key('/'));
        type_text(&mut app, "dev");
        assert_eq!(app.mode, Mode::Filter);
        let shown: Vec<String> = app.visible().map(Row::compound).collect();
        assert_eq!(shown, ["myvm:dev"]);
        assert_eq!(app.selected_session().as_deref(), Some("myvm:dev"));
        // Keys are text while filtering: `q` does not quit.
        assert_eq!(app.on_key(key('q')), Effect::None);
        app.on_key(code(KeyCode::Backspace));
        app.on_key(code(KeyCode::Enter));
        assert_eq!(app.mode, Mode::Normal);
        assert_eq!(app.filter, "dev");
        assert_eq!(
            app.on_key(code(KeyCode::Esc)),
            Effect::None,
            "Esc clears first"
        );
        assert_eq!(app.counts().shown, 5);
        assert_eq!(app.on_key(code(KeyCode::Esc)), Effect::Quit);
    }

    #[test]
    fn enter_attaches_only_a_session_on_a_running_vm() {
        let mut app = app();
        assert_eq!(
            app.on_key(code(KeyCode::Enter)),
            Effect::Attach("myvm:dev".into())
        );
        app.on_key(code(KeyCode::End));
        assert_eq!(app.on_key(code(KeyCode::Enter)), Effect::None);
        assert_eq!(app.message.as_deref(), Some("off is Stopped"));
        app.on_key(key('k'));
        assert_eq!(app.on_key(key('K')), Effect::None);
        assert_eq!(
            app.mode,
            Mode::Normal,
            "nothing to kill on an unreachable VM"
        );
    }

    #[test]
    fn kill_asks_naming_the_session_and_only_y_kills() {
        let mut app = app();
        app.on_key(key('j'));
        app.on_key(key('K'));
        assert_eq!(app.mode, Mode::Confirm("myvm:other".into()));
        assert_eq!(app.on_key(key('n')), Effect::None);
        assert_eq!(app.message.as_deref(), Some("kept myvm:other"));
        app.on_key(key('K'));
        assert_eq!(
            app.on_key(key('y')),
            Effect::Run(Action::Kill("myvm:other".into()))
        );
    }

    #[test]
    fn new_session_names_are_validated_in_the_prompt() {
        let mut app = app();
        app.on_key(key('j'));
        app.on_key(key('j')); // vm2, no sessions: n still works there
        app.on_key(key('n'));
        type_text(&mut app, "-bad");
        app.on_key(code(KeyCode::Enter));
        let Mode::Prompt(p) = &app.mode else {
            panic!("{:?}", app.mode)
        };
        assert!(
            p.error.as_deref().unwrap().contains("starts with `-`"),
            "{p:?}"
        );
        app.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        type_text(&mut app, "build_2");
        assert_eq!(
            app.on_key(code(KeyCode::Enter)),
            Effect::Run(Action::NewSession {
                vm: "vm2".into(),
                name: "build_2".into()
            })
        );
        for bad in [
            "",
            "a.b",
            "a:b",
            "x y",
            &"a".repeat(65),
            "\u{1b}",
            &format!("a{}", "é".repeat(70)),
        ] {
            assert!(valid_session_name(bad).is_err(), "{bad:?}");
        }
        assert!(valid_session_name(&"a".repeat(64)).is_ok());
        let e = valid_session_name("a\u{1b}").unwrap_err();
        assert!(!e.contains('\u{1b}'), "{e}");
    }

    #[test]
    fn label_send_disconnect_code() {
        let mut app = app();
        app.on_key(key('r'));
        type_text(&mut app, "api");
        assert_eq!(
            app.on_key(code(KeyCode::Enter)),
            Effect::Run(Action::Label {
                target: "myvm:dev".into(),
                name: Some("api".into())
            })
        );
        app.on_key(key('r'));
        assert!(matches!(
            app.on_key(code(KeyCode::Enter)),
            Effect::Run(Action::Label { name: None, .. })
        ));
        app.on_key(key('s'));
        assert_eq!(app.on_key(code(KeyCode::Enter)), Effect::None, "empty line");
        type_text(&mut app, "make test; echo $HOME");
        assert_eq!(
            app.on_key(code(KeyCode::Enter)),
            Effect::Run(Action::Send {
                target: "myvm:dev".into(),
                text: "make test; echo $HOME".into()
            })
        );
        assert_eq!(
            app.on_key(key('d')),
            Effect::Run(Action::Disconnect("myvm:dev".into()))
        );
        assert_eq!(
            app.on_key(key('c')),
            Effect::Run(Action::Code("myvm:dev".into()))
        );
        app.on_key(key('s'));
        assert_eq!(app.on_key(code(KeyCode::Esc)), Effect::None);
        assert_eq!(app.mode, Mode::Normal);
    }

    #[test]
    fn refresh_help_and_quit_keys() {
        let mut app = app();
        let now = Instant::now();
        app.list.started();
        app.list.finished(now);
        assert!(!app.list.due(now));
        app.on_key(key('R'));
        assert!(app.list.due(now));
        app.on_key(key('?'));
        assert_eq!(app.mode, Mode::Help);
        assert_eq!(app.on_key(key('q')), Effect::None, "a key closes the help");
        assert_eq!(app.on_key(key('q')), Effect::Quit);
        assert_eq!(
            app.on_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Effect::Quit
        );
    }

    #[test]
    fn an_action_reports_and_refreshes() {
        let mut app = app();
        let now = Instant::now();
        app.list.started();
        app.list.finished(now);
        app.set_done(&Action::Kill("myvm:dev".into()), Ok(()));
        assert_eq!(app.message.as_deref(), Some("killed myvm:dev"));
        assert!(app.list.due(now));
        app.set_done(
            &Action::Kill("myvm:x".into()),
            Err("no tmux session `x`".into()),
        );
        assert_eq!(app.message.as_deref(), Some("error: no tmux session `x`"));
    }

    #[test]
    fn marks_show_panes_that_changed_since_the_last_look() {
        let mut app = app();
        let pane = |c: &str, l: &str| Peeked {
            compound: c.into(),
            lines: vec![l.into()],
            captured_at: None,
            error: None,
        };
        app.set_marks(&[pane("myvm:dev", "a"), pane("myvm:other", "b")]);
        assert!(!app.changed("myvm:dev"), "nothing to compare with yet");
        app.set_marks(&[pane("myvm:dev", "a2"), pane("myvm:other", "b")]);
        assert!(app.changed("myvm:dev"));
        assert!(!app.changed("myvm:other"));
        app.set_marks(&[pane("myvm:dev", "a2"), pane("myvm:other", "b")]);
        assert!(!app.changed("myvm:dev"), "quiet again");
    }

    #[test]
    fn a_preview_for_a_session_no_longer_selected_is_dropped() {
        let mut app = app();
        let p = |c: &str| Peeked {
            compound: c.into(),
            lines: vec!["x".into()],
            captured_at: None,
            error: None,
        };
        app.set_preview("myvm:dev", Ok(p("myvm:dev")));
        assert!(app.preview.is_some());
        app.on_key(key('j'));
        assert!(app.preview.is_none(), "cleared on a new selection");
        app.set_preview("myvm:dev", Ok(p("myvm:dev")));
        assert!(app.preview.is_none(), "late answer for the old selection");
        app.set_preview("myvm:other", Err("gone".into()));
        assert_eq!(app.preview_error.as_deref(), Some("gone"));
    }

    #[test]
    fn snapshot_holds_the_rows_and_counts() {
        let mut app = app();
        app.rows[0].last_activity = Some(1_699_999_940);
        app.rows[0].clients = Some(2);
        let s = app.snapshot();
        assert_eq!(s["vms"], 4);
        assert_eq!(s["sessions"], 2);
        assert_eq!(s["selected"], "myvm:dev");
        assert_eq!(s["rows"][0]["compound"], "myvm:dev");
        assert_eq!(s["rows"][0]["idle_seconds"], 60);
        assert_eq!(s["rows"][0]["last_activity"], "2023-11-14T22:12:20Z");
        assert_eq!(s["rows"][0]["clients"], 2);
        assert_eq!(s["rows"][0]["attached"], true);
        assert_eq!(s["rows"][1]["attached"], false);
        assert_eq!(s["rows"][1]["last_activity"], Value::Null);
        assert_eq!(s["rows"][2]["clients"], Value::Null);
        assert_eq!(s["rows"][2]["compound"], Value::Null);
        assert_eq!(s["rows"][3]["status"], "Unreachable");
    }
}
