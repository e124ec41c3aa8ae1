//! `azlin ui`: the whole fleet's tmux sessions on one screen. Pick one, look at its pane,
//! attach, create, label, send a line, disconnect or kill, without leaving the dashboard.
//!
//! An azlin plugin (plugins/README.md) that reaches VMs only through azlin's public
//! commands and JSON (`$AZLIN_BIN list --format json`, `peek --format json`, `connect`,
//! `send`, `kill`, …), which proves the plugin contract is enough for a real tool.
//!
//! Layers: [`app`] is the state and the keys (no drawing, no processes), [`view`] draws
//! it, [`azlin`] calls azlin, [`worker`] runs those calls in the background, [`tty`]
//! takes and gives back the terminal.

mod app;
mod azlin;
mod escape;
mod filter;
mod fleet;
mod schedule;
mod tty;
mod view;
mod worker;

#[cfg(test)]
mod snapshots;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::{Parser, ValueEnum};
use ratatui::crossterm::event::{self, Event, KeyEventKind, MouseEventKind};

use crate::app::{App, Effect};
use crate::azlin::Azlin;
use crate::view::{Geometry, Theme};
use crate::worker::{Update, Workers};

/// The whole fleet's tmux sessions on one screen: look, attach, steer.
#[derive(Debug, Parser)]
#[command(
    name = "azlin ui",
    bin_name = "azlin ui",
    version,
    max_term_width = 100,
    after_help = "\
A full-screen dashboard: every VM × tmux session azlin knows (stopped and unreachable VMs
as such), the selected session's pane beside it, refreshed in the background over the
shared connections. It calls azlin for everything (`azlin list`, `peek`, `connect`, …).

Keys:
  ↑ ↓ j k        move (PgUp PgDn, g G); the mouse selects and scrolls
  /              filter by fuzzy match over vm:session and labels (Esc clears it)
  Enter          attach (azlin connect); detach with C-b d to come back
  n              new session on the selected VM (asks for its name)
  r              set the session's label       s   send a line of text to its pane
  d              disconnect its clients        K   kill it (asks first, naming it)
  c              open it in VS Code (azlin code)
  R refresh now   ? help   q or Esc quit

● marks a pane that changed since the last refresh. IDLE is the time since the session's
last activity (12s, 5m, 3h, 2d), CLIENTS how many clients are attached.

It needs a terminal; in scripts use `azlin list`, or `azlin ui --once --format json` for
what the screen would hold.

Examples:
  azlin ui
  azlin ui --interval 10s --filter gpu
  azlin ui --once --format json | jq '.rows[].compound'"
)]
struct Args {
    /// How often to list the fleet again: 2s, 10s, 1m
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_interval)]
    interval: Duration,
    /// Start with this filter typed in
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// No colours (also NO_COLOR, and azlin's --no-color)
    #[arg(long)]
    no_color: bool,
    /// Do not look at every pane after each listing (no ● marks; half the ssh traffic)
    #[arg(long)]
    no_marks: bool,
    /// List once, print what the screen would hold, and exit (no terminal needed)
    #[arg(long)]
    once: bool,
    /// With --once: the screen as text, or its content as JSON
    #[arg(long, value_enum, default_value_t = Format::Text, requires = "once")]
    format: Format,
    /// With --once --format text: the screen's size
    #[arg(long, value_name = "COLSxROWS", default_value = "120x40", value_parser = parse_size, requires = "once")]
    size: (u16, u16),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// The screen, as plain text
    Text,
    /// One JSON object: counts, the filter, the selection, one object per row
    Json,
}

fn parse_interval(s: &str) -> Result<Duration, String> {
    let d = if s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty() {
        s.parse()
            .map(Duration::from_secs)
            .map_err(|e| e.to_string())?
    } else {
        humantime::parse_duration(s)
            .map_err(|e| format!("`{s}` is not a duration ({e}); use e.g. 5s, 30s, 2m"))?
    };
    if d < Duration::from_secs(1) || d > Duration::from_secs(3600) {
        return Err(format!("`{s}` is outside 1s to 1h"));
    }
    Ok(d)
}

fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let bad = || format!("`{s}` is not COLSxROWS between 20x6 and 1000x500 (e.g. 80x24)");
    let (w, h) = s.split_once('x').ok_or_else(bad)?;
    let (w, h): (u16, u16) = (w.parse().map_err(|_| bad())?, h.parse().map_err(|_| bad())?);
    if !(20..=1000).contains(&w) || !(6..=500).contains(&h) {
        return Err(bad());
    }
    Ok((w, h))
}

const METADATA: &str = concat!(
    r#"{"schema_version": 1, "description": "The whole fleet's tmux sessions on one screen: look, attach, steer (a terminal dashboard)", "version": ""#,
    env!("CARGO_PKG_VERSION"),
    r#""}"#
);

fn main() -> ExitCode {
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == "--azlin-plugin-metadata")
    {
        println!("{METADATA}");
        return ExitCode::SUCCESS;
    }
    let args = Args::parse();
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    let theme = Theme {
        color: !(args.no_color || set("NO_COLOR") || set("AZLIN_NO_COLOR")),
    };
    let azlin = Azlin::from_env();
    let result = if args.once {
        once(&azlin, &args, theme)
    } else if !std::io::stdout().is_terminal() {
        eprintln!(
            "azlin ui: stdout is not a terminal, and the dashboard needs one; \
             in scripts use `azlin list` (or `azlin ui --once --format json`)"
        );
        Ok(2)
    } else {
        interactive(&azlin, &args, theme)
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("azlin ui: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// `--once`: one listing (and one look at each pane is not taken: no marks), printed.
fn once(azlin: &Azlin, args: &Args, theme: Theme) -> Result<u8> {
    let mut app = App::new(args.interval, args.filter.as_deref().unwrap_or(""));
    let (rows, failed) = azlin.list().map_err(anyhow::Error::msg)?;
    app.set_rows(rows, failed, worker::clock());
    if let Some(target) = app.selected_session() {
        let result = azlin.peek(&target, worker::PREVIEW_LINES);
        app.set_preview(&target, result);
    }
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&app.snapshot())?),
        Format::Text => print!(
            "{}",
            view::render_text(&app, theme, args.size.0, args.size.1)
        ),
    }
    Ok(u8::from(failed))
}

/// The dashboard, until `q`, Esc or a signal.
fn interactive(azlin: &Azlin, args: &Args, theme: Theme) -> Result<u8> {
    let signals = tty::signals().context("cannot watch for signals")?;
    tty::restore_on_panic();
    tty::enter().context("cannot take the terminal")?;
    tty::exit_when_the_terminal_is_gone();
    let result = run_loop(azlin, args, theme, &signals);
    tty::leave();
    let signal = signals.load(Ordering::SeqCst);
    if signal != 0 {
        return Ok(u8::try_from(signal).unwrap_or(1));
    }
    result
}

fn run_loop(
    azlin: &Azlin,
    args: &Args,
    theme: Theme,
    signals: &std::sync::atomic::AtomicUsize,
) -> Result<u8> {
    let backend = ratatui::backend::CrosstermBackend::new(std::io::stdout());
    let mut terminal = ratatui::Terminal::new(backend)?;
    terminal.clear()?;
    let workers = Workers::start(azlin, !args.no_marks);
    let mut app = App::new(args.interval, args.filter.as_deref().unwrap_or(""));
    let mut geometry = Geometry::default();
    let mut dirty = true;
    // Actions sent to the background and not answered yet.
    let mut pending = 0usize;
    loop {
        if signals.load(Ordering::SeqCst) != 0 {
            return Ok(0);
        }
        let now = Instant::now();
        while let Ok(update) = workers.updates.try_recv() {
            pending = pending.saturating_sub(usize::from(matches!(update, Update::Done(..))));
            apply(&mut app, update, now);
            dirty = true;
        }
        if app.list.due(now) {
            workers.refresh();
            app.list.started();
            dirty = true;
        }
        if app.peek.due(now) {
            if let Some(target) = app.selected_session() {
                workers.peek(target);
                app.peek.started();
            } else {
                app.peek.started();
                app.peek.finished(now);
            }
        }
        if dirty {
            terminal.draw(|f| view::draw(f, &app, theme, &mut geometry))?;
            dirty = false;
        }
        // Keys are read as they come. The background's answers are looked for between
        // keys: every 15 ms while one is awaited (a new table is drawn that soon after
        // it came), every 100 ms otherwise (an idle dashboard costs nothing).
        let awaited = app.list.in_flight() || app.peek.in_flight() || pending > 0;
        let tick = Duration::from_millis(if awaited { 15 } else { 100 });
        if !event::poll(tick)? {
            continue;
        }
        dirty = true;
        let effect = match event::read()? {
            Event::Key(k) if k.kind != KeyEventKind::Release => app.on_key(k),
            Event::Mouse(m) => {
                match m.kind {
                    MouseEventKind::Down(_) => {
                        if let Some(i) = geometry.row_at(m.column, m.row) {
                            app.select(i);
                        }
                    }
                    MouseEventKind::ScrollDown => app.move_by(3),
                    MouseEventKind::ScrollUp => app.move_by(-3),
                    _ => {}
                }
                Effect::None
            }
            _ => Effect::None,
        };
        match effect {
            Effect::None => {}
            Effect::Quit => return Ok(0),
            Effect::Run(action) => {
                app.message = Some(action.pending());
                workers.run(action);
                pending += 1;
            }
            Effect::Attach(target) => {
                tty::leave();
                let status = azlin.attach(&target);
                tty::forget_interrupt(signals);
                tty::enter()?;
                terminal.clear()?;
                app.message = Some(match status {
                    Ok(s) if s.success() => format!("back from {target}"),
                    Ok(s) => format!("error: azlin connect {target} exited with {s}"),
                    Err(e) => format!("error: cannot run azlin connect: {e}"),
                });
                app.list.now();
                app.peek.now();
            }
        }
    }
}

/// An answer from the background, into the state.
fn apply(app: &mut App, update: Update, now: Instant) {
    match update {
        Update::Listed(result, at) => {
            app.list.finished(now);
            match result {
                Ok((rows, failed)) => app.set_rows(rows, failed, at),
                Err(e) => app.set_list_error(e),
            }
            // A new listing may have moved the selection onto another session.
            app.peek.now();
        }
        Update::Marks(panes) => app.set_marks(&panes),
        Update::Peeked(target, result) => {
            app.peek.finished(now);
            app.set_preview(&target, result);
        }
        Update::Done(action, result) => app.set_done(&action, result),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_and_sizes_are_checked() {
        assert_eq!(parse_interval("5").unwrap(), Duration::from_secs(5));
        assert_eq!(parse_interval("2m").unwrap(), Duration::from_secs(120));
        assert!(
            parse_interval("0s")
                .unwrap_err()
                .contains("outside 1s to 1h")
        );
        assert!(
            parse_interval("soon")
                .unwrap_err()
                .contains("not a duration")
        );
        assert_eq!(parse_size("80x24").unwrap(), (80, 24));
        assert!(parse_size("80").is_err());
        assert!(parse_size("5x5").is_err());
    }

    #[test]
    fn metadata_is_the_plugin_protocols_json() {
        let v: serde_json::Value = serde_json::from_str(METADATA).unwrap();
        assert_eq!(v["schema_version"], 1);
        assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    }
}
