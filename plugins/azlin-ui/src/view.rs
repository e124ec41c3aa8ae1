//! Drawing the dashboard: the table of sessions grouped by VM, the preview of the
//! selected pane, the status line and the key line, a prompt or confirmation in their
//! place, the help over everything. Pure: it reads the [`App`] and writes a frame, so
//! the layout is tested with ratatui's `TestBackend`. Every text that came from a VM or
//! a provider goes through [`visible`] first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, Clear, Paragraph, Row as TableRow, Table, TableState,
};

use crate::app::{App, Mode, PromptKind};
use crate::escape::visible;
use crate::fleet::Row;

/// From this width on, the preview sits beside the table instead of below it.
const SIDE_BY_SIDE: u16 = 120;

/// Colours on or off (`NO_COLOR`, `--no-color`); selection and headers stay visible
/// without them (reverse video, bold).
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    /// Whether colours may be used.
    pub color: bool,
}

impl Theme {
    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }
}

/// Where the table was drawn, for mouse clicks.
#[derive(Debug, Default)]
pub struct Geometry {
    /// The table's rows (below its header), on screen.
    pub rows: Rect,
    /// The first visible row's index, after scrolling.
    pub offset: usize,
    /// The table's scroll state, kept between frames.
    state: TableState,
}

impl Geometry {
    /// The visible row at screen position (`x`, `y`), if any.
    pub fn row_at(&self, x: u16, y: u16) -> Option<usize> {
        let r = self.rows;
        (x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height)
            .then(|| self.offset + usize::from(y - r.y))
    }
}

/// Draws `app` into `frame`.
pub fn draw(frame: &mut Frame, app: &App, theme: Theme, geometry: &mut Geometry) {
    let [main, status, keys] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    let (table_area, preview_area) = if main.width >= SIDE_BY_SIDE {
        let [t, p] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(main);
        (t, p)
    } else {
        let [t, p] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(main);
        (t, p)
    };
    draw_table(frame, app, theme, table_area, geometry);
    draw_preview(frame, app, theme, preview_area);
    draw_bottom(frame, app, theme, status, keys);
    if app.mode == Mode::Help {
        draw_help(frame, main);
    }
}

fn status_style(theme: Theme, status: &str) -> Style {
    match status {
        "Running" => theme.fg(Color::Green),
        "Unreachable" => theme.fg(Color::Red),
        _ => theme.fg(Color::Yellow),
    }
}

fn dash(v: Option<String>) -> String {
    v.unwrap_or_else(|| "-".into())
}

/// `42s`, `5m`, `3h`, `2d`.
fn age(seconds: u64) -> String {
    match seconds {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

fn draw_table(frame: &mut Frame, app: &App, theme: Theme, area: Rect, geometry: &mut Geometry) {
    let header = TableRow::new(
        [
            "", "VM", "SESSION", "LABEL", "STATUS", "CLIENTS", "WIN", "IDLE",
        ]
        .map(Cell::from),
    )
    .style(Style::default().add_modifier(Modifier::BOLD));
    let mut previous_vm: Option<&str> = None;
    let rows: Vec<TableRow> = app
        .visible()
        .map(|r: &Row| {
            // Grouped by VM: its name on the first of its rows only.
            let first = previous_vm != Some(r.vm.as_str());
            previous_vm = Some(r.vm.as_str());
            let compound = r.compound();
            let mark = if r.session.is_some() && app.changed(&compound) {
                Span::styled("●", theme.fg(Color::Yellow))
            } else {
                Span::raw(" ")
            };
            let session = match (&r.session, r.is_running()) {
                (Some(s), _) => visible(s).into_owned(),
                (None, true) if r.error.is_none() => "(no sessions)".into(),
                (None, _) => "-".into(),
            };
            TableRow::new(vec![
                Cell::from(mark),
                Cell::from(if first {
                    visible(&r.vm).into_owned()
                } else {
                    String::new()
                }),
                Cell::from(session),
                Cell::from(dash(r.label.as_deref().map(|l| visible(l).into_owned()))),
                Cell::from(Span::styled(
                    visible(&r.status).into_owned(),
                    status_style(theme, &r.status),
                )),
                Cell::from(dash(r.clients.map(|a| a.to_string()))),
                Cell::from(dash(r.windows.map(|w| w.to_string()))),
                Cell::from(dash(app.idle_seconds(r).map(age))),
            ])
        })
        .collect();
    let c = app.counts();
    let title = if app.filter.is_empty() {
        format!(" sessions ({}) ", c.sessions)
    } else {
        format!(
            " sessions /{} ({} of {} rows) ",
            visible(&app.filter),
            c.shown,
            app.rows().len()
        )
    };
    let widths = [
        Constraint::Length(1),
        Constraint::Fill(3),
        Constraint::Fill(3),
        Constraint::Fill(2),
        Constraint::Length(11),
        Constraint::Length(7),
        Constraint::Length(3),
        Constraint::Length(4),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .block(Block::default().borders(Borders::ALL).title(title))
        .row_highlight_style(Style::default().add_modifier(Modifier::REVERSED))
        .highlight_symbol("▶");
    geometry.state.select(app.cursor());
    frame.render_stateful_widget(table, area, &mut geometry.state);
    geometry.offset = geometry.state.offset();
    // Inside the border, below the header (the highlight symbol column is clickable too).
    geometry.rows = Rect {
        x: area.x + 1,
        y: area.y + 2,
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(3),
    };
}

fn draw_preview(frame: &mut Frame, app: &App, theme: Theme, area: Rect) {
    let inner_height = usize::from(area.height.saturating_sub(2));
    let (title, lines): (String, Vec<Line>) = match app.selected() {
        None if app.refreshed_at.is_none() => (
            " preview ".into(),
            vec![Line::from("asking azlin for the fleet…")],
        ),
        None => (" preview ".into(), vec![Line::from("no session")]),
        Some(r) if r.session.is_none() || !r.is_running() => {
            let mut lines = vec![Line::from(vec![
                Span::raw(format!("{} is ", visible(&r.vm))),
                Span::styled(
                    visible(&r.status).into_owned(),
                    status_style(theme, &r.status),
                ),
            ])];
            if let Some(e) = &r.error {
                lines.push(Line::from(visible(e).into_owned()));
            }
            if r.is_running() && r.session.is_none() {
                lines.push(Line::from("no tmux session: n creates one"));
            }
            (format!(" {} ", visible(&r.vm)), lines)
        }
        Some(r) => {
            let compound = visible(&r.compound()).into_owned();
            match (&app.preview, &app.preview_error) {
                (_, Some(e)) => (
                    format!(" {compound} "),
                    vec![Line::styled(
                        format!("cannot read the pane: {}", visible(e)),
                        theme.fg(Color::Red),
                    )],
                ),
                (Some(p), None) if p.error.is_some() => (
                    format!(" {compound} "),
                    vec![Line::styled(
                        format!(
                            "cannot read the pane: {}",
                            visible(p.error.as_deref().unwrap_or(""))
                        ),
                        theme.fg(Color::Red),
                    )],
                ),
                (Some(p), None) => {
                    let at = p
                        .captured_at
                        .as_deref()
                        .and_then(|t| t.get(11..19))
                        .map(|t| format!(" · {}", visible(t)))
                        .unwrap_or_default();
                    let skip = p.lines.len().saturating_sub(inner_height);
                    let lines = p.lines[skip..]
                        .iter()
                        .map(|l| Line::from(visible(l).into_owned()))
                        .collect();
                    (format!(" {compound}{at} "), lines)
                }
                (None, None) => (
                    format!(" {compound} "),
                    vec![Line::from("reading the pane…")],
                ),
            }
        }
    };
    let preview = Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(title));
    frame.render_widget(preview, area);
}

fn draw_bottom(frame: &mut Frame, app: &App, theme: Theme, status: Rect, keys: Rect) {
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let (first, second): (Line, Line) = match &app.mode {
        Mode::Prompt(p) => {
            let question = match p.kind {
                PromptKind::NewSession => format!("New session on {}: ", visible(&p.target)),
                PromptKind::Label => {
                    format!("Label for {} (empty clears it): ", visible(&p.target))
                }
                PromptKind::Send => format!("Line to send to {}: ", visible(&p.target)),
            };
            let hint = match &p.error {
                Some(e) => Line::styled(visible(e).into_owned(), theme.fg(Color::Red)),
                None => Line::from("Enter: done   Esc: cancel"),
            };
            (
                Line::from(vec![
                    Span::styled(question, bold),
                    Span::raw(format!("{}▏", visible(&p.input))),
                ]),
                hint,
            )
        }
        Mode::Confirm(target) => (
            Line::styled(
                format!(
                    "Kill session {}? It ends every program in it. [y/N]",
                    visible(target)
                ),
                bold,
            ),
            Line::from("y: kill it   any other key: keep it"),
        ),
        Mode::Filter => (
            Line::from(vec![
                Span::styled("/", bold),
                Span::raw(format!("{}▏", visible(&app.filter))),
            ]),
            Line::from("type to filter vm:session and labels   ↑↓ move   Enter: keep   Esc: clear"),
        ),
        Mode::Normal | Mode::Help => (status_line(app, theme), Line::from(KEYS)),
    };
    frame.render_widget(Paragraph::new(first), status);
    frame.render_widget(Paragraph::new(second), keys);
}

/// The key line.
const KEYS: &str = "? help  q quit  ↑↓/jk move  / filter  ⏎ attach  n new  r label  s send  d detach  K kill  c code  R refresh";

fn status_line(app: &App, theme: Theme) -> Line<'static> {
    let c = app.counts();
    let mut spans = Vec::new();
    let when = match (&app.refreshed_at, app.list.in_flight()) {
        (None, _) => "listing the fleet…".to_string(),
        (Some(t), true) => format!("refreshed {t} UTC, refreshing…"),
        (Some(t), false) => format!("refreshed {t} UTC"),
    };
    spans.push(Span::raw(when));
    let mut vms = format!(" · {} VM{}", c.vms, if c.vms == 1 { "" } else { "s" });
    let mut notes = Vec::new();
    if c.unreachable > 0 {
        notes.push(format!("{} unreachable", c.unreachable));
    }
    if c.stopped > 0 {
        notes.push(format!("{} stopped", c.stopped));
    }
    if !notes.is_empty() {
        vms.push_str(&format!(" ({})", notes.join(", ")));
    }
    spans.push(Span::raw(vms));
    spans.push(Span::raw(format!(
        " · {} session{}",
        c.sessions,
        if c.sessions == 1 { "" } else { "s" }
    )));
    if let Some(e) = &app.list_error {
        spans.push(Span::styled(
            format!(" · {}", visible(e)),
            theme.fg(Color::Red),
        ));
    }
    if let Some(m) = &app.message {
        let style = if m.starts_with("error:") {
            theme.fg(Color::Red)
        } else {
            Style::default()
        };
        spans.push(Span::styled(format!(" · {}", visible(m)), style));
    }
    Line::from(spans)
}

const HELP: &[(&str, &str)] = &[
    (
        "↑ ↓  j k",
        "move (PgUp PgDn, g G: first, last); the mouse selects and scrolls",
    ),
    (
        "/",
        "filter: fuzzy over vm:session and labels (Esc clears it)",
    ),
    (
        "Enter",
        "attach (azlin connect); detach (C-b d) to come back",
    ),
    ("n", "new session on the selected VM"),
    ("r", "set the session's label (empty clears it)"),
    ("s", "send a line of text to the pane, then Enter"),
    ("d", "disconnect the session's clients"),
    ("K", "kill the session (asks first)"),
    ("c", "open the pane's directory in VS Code (azlin code)"),
    ("R", "refresh now"),
    ("?", "this help (any key closes it)"),
    ("q  Esc", "quit"),
];

fn draw_help(frame: &mut Frame, area: Rect) {
    let width = area.width.min(78);
    let height = area.height.min(HELP.len() as u16 + 4);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    let mut lines: Vec<Line> = HELP
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(
                    format!("{k:<10}"),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(
        "● the pane changed since the last refresh.  IDLE: since the last activity",
    ));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" azlin ui: keys "),
        ),
        popup,
    );
}

/// The screen `app` makes at `width`×`height`, as plain text lines (`--once --format
/// text`, and the layout tests).
pub fn render_text(app: &App, theme: Theme, width: u16, height: u16) -> String {
    let backend = ratatui::backend::TestBackend::new(width, height);
    let mut terminal = ratatui::Terminal::new(backend).expect("a test backend cannot fail");
    let mut geometry = Geometry::default();
    terminal
        .draw(|f| draw(f, app, theme, &mut geometry))
        .expect("a test backend cannot fail");
    buffer_text(terminal.backend().buffer())
}

/// A buffer's text, one line per row, trailing spaces dropped.
pub fn buffer_text(buffer: &ratatui::buffer::Buffer) -> String {
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut line = String::new();
        for x in 0..buffer.area.width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
