//! `azlin peek ID… [-n LINES] [--follow]`: the last lines of sessions' active panes,
//! without attaching; several sessions are read concurrently over the shared connections,
//! and with `--all`/`--tag` each VM's sessions are listed and captured in one ssh.

use std::collections::HashMap;
use std::io::Write;

use anyhow::Result;
use azlin_core::pane::{self, Capture, Follower, Request};
use azlin_core::parallel;
use azlin_core::remote::{RemoteError, Settings};
use azlin_core::run::{Fleet, FleetSessions, Resolved};
use clap::Args;
use serde::Serialize;

use crate::cli::{InfoFormat, RemoteArgs};
use crate::commands::name_args::{TargetId, strings};
use crate::context::{Context, UsageError};

pub const PEEK_HELP: &str = "\
One ssh per named session over the shared connection (the session's check and its capture);
with --all or --tag, one ssh per VM, which lists its sessions and captures each (the
listing also refreshes the session cache, as `list` does). Nothing attaches, so the
session's size and its clients are left alone. Text is shown plain, with control characters escaped;
--escapes keeps the colours (SGR sequences) for a terminal. With several sessions each
gets a header (`── myvm:dev ──`); with -n 1 each gets one line, `vm:session  LINE`.
--follow looks at the pane about once a second and prints rows as they are finished
(the cursor's row waits for the next), until Ctrl-C or the session ends.

JSON (--format json): an array, one object per session: compound, vm, session, pane,
lines, captured_at (RFC 3339, UTC), error (null, or why the session could not be read).

Examples:
  azlin peek gpu1:train                 # the last 20 lines
  azlin peek gpu1:train -n 100 --follow
  azlin peek --all -n 1                 # one line per session of the whole fleet
  azlin peek myvm:dev myvm:build --format json";

/// `azlin peek`.
#[derive(Debug, Args)]
pub struct PeekArgs {
    /// Sessions to look at: `vm:session`, `:session`, a session name…
    #[arg(value_name = "ID")]
    pub targets: Vec<TargetId>,
    /// How many lines (trailing blank lines are dropped)
    #[arg(short = 'n', long = "lines", value_name = "LINES", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(azlin_core::pane::MAX_LINES)))]
    pub lines: u32,
    /// Keep printing new lines until Ctrl-C or the session ends
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Keep colours and attributes (for a terminal)
    #[arg(long)]
    pub escapes: bool,
    /// Every session of every running VM
    #[arg(long)]
    pub all: bool,
    /// Every session of the running VMs with this tag, KEY=VALUE (repeatable)
    #[arg(long = "tag", value_name = "K=V")]
    pub tags: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = InfoFormat::Text)]
    pub format: InfoFormat,
    /// Connection settings.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// What could not be read, and why: `(vm:session or vm, message)`.
type Failures = Vec<(String, String)>;

/// One session's lines, as `--format json` prints them.
#[derive(Debug, Serialize)]
struct Peeked<'a> {
    compound: String,
    vm: &'a str,
    session: &'a str,
    pane: Option<&'a str>,
    lines: Vec<String>,
    captured_at: String,
    error: Option<String>,
}

/// Runs `azlin peek`.
pub fn run(ctx: &Context, args: &PeekArgs) -> Result<u8> {
    let fleet_wide = args.all || !args.tags.is_empty();
    if args.targets.is_empty() && !fleet_wide {
        return Err(UsageError(
            "name a session (`azlin peek myvm:dev`), or use --all or --tag K=V".into(),
        )
        .into());
    }
    if args.follow && args.format == InfoFormat::Json {
        return Err(UsageError(
            "--follow prints text as it comes; for JSON, peek without --follow".into(),
        )
        .into());
    }
    let settings = ctx.remote_settings(&args.remote);
    let req = Request::last_lines(args.lines, args.escapes);
    if args.follow {
        let (targets, failed, _) = targets(ctx, args, &settings, None)?;
        return follow(ctx, args, &settings, &targets, failed);
    }
    let (targets, mut failed, taken) = targets(ctx, args, &settings, Some(req))?;
    let captures = parallel::fan_out(&targets, settings.jobs, |t| {
        if let Some((capture, at)) = taken.get(&t.compound()) {
            return (Ok(capture.clone()), at.clone());
        }
        let capture = ctx
            .run
            .ssh_target(&t.vm)
            .map_err(|e| e.to_string())
            .and_then(|ssh| {
                pane::capture(&ssh, &settings, &t.session, req).map_err(|e| e.to_string())
            });
        (capture, pane::now_rfc3339())
    });
    if targets.len() == 1 && failed.is_empty() && args.format == InfoFormat::Text {
        // One session: its lines, like `tail`; a failure is the command's error.
        let (capture, _) = captures.into_iter().next().expect("one target");
        let capture = capture.map_err(anyhow::Error::msg)?;
        print_rows(&capture.last_lines(args.lines as usize), args.escapes);
        return Ok(0);
    }
    if args.format == InfoFormat::Json {
        let mut out: Vec<Peeked> = targets
            .iter()
            .zip(&captures)
            .map(|(t, (capture, at))| Peeked {
                compound: t.compound(),
                vm: &t.vm.name,
                session: &t.session,
                pane: capture.as_ref().ok().map(|c| c.pane.as_str()),
                lines: capture
                    .as_ref()
                    .map(|c| c.last_lines(args.lines as usize))
                    .unwrap_or_default(),
                captured_at: at.clone(),
                error: capture.as_ref().err().cloned(),
            })
            .collect();
        let now = pane::now_rfc3339();
        out.extend(failed.iter().map(|(vm, why)| Peeked {
            compound: format!("{vm}:"),
            vm,
            session: "",
            pane: None,
            lines: Vec::new(),
            captured_at: now.clone(),
            error: Some(why.clone()),
        }));
        crate::output::print_json(&out)?;
        let any_failed = !failed.is_empty() || captures.iter().any(|(c, _)| c.is_err());
        return Ok(u8::from(any_failed));
    }
    let glance = args.lines == 1;
    let width = targets
        .iter()
        .map(|t| t.compound().len())
        .max()
        .unwrap_or(0);
    let mut stdout = std::io::stdout().lock();
    for (t, (capture, _)) in targets.iter().zip(captures) {
        let compound = azlin_core::text::escape(&t.compound()).into_owned();
        match capture {
            Ok(c) => {
                let lines = c.last_lines(args.lines as usize);
                if glance {
                    let line = lines.first().map(|l| pane::shown_row(l, args.escapes));
                    writeln!(stdout, "{compound:<width$}  {}", line.unwrap_or_default())?;
                } else {
                    writeln!(stdout, "{HEADER_RULE} {compound} {HEADER_RULE}")?;
                    for l in &lines {
                        writeln!(stdout, "{}", row_under_header(l, args.escapes))?;
                    }
                }
            }
            Err(why) => failed.push((t.compound(), why)),
        }
    }
    drop(stdout);
    report_failures(&failed);
    Ok(u8::from(!failed.is_empty()))
}

/// Panes already read, by `vm:session`, with when they were read.
type Taken = HashMap<String, (Capture, String)>;

/// The sessions to read: the named ones, then with `--all`/`--tag` every session of
/// every running VM that matches; each once (see [`azlin_core::run::Run::targets`]).
/// With `look`, each of those VMs is listed and its sessions' panes captured in one ssh
/// (the panes come back in [`Taken`]); without, it is probed. VMs that could not be read
/// come back as failures (`vm`, why).
fn targets(
    ctx: &Context,
    args: &PeekArgs,
    settings: &Settings,
    look: Option<Request>,
) -> Result<(Vec<Resolved>, Failures, Taken)> {
    let ids = strings(&args.targets);
    let mut taken = Taken::new();
    let found = match look {
        _ if !args.all && args.tags.is_empty() => ctx.run.targets(&ids, None, settings)?,
        None => {
            let fleet = Fleet {
                tags: &args.tags,
                sessions: FleetSessions::Every,
            };
            ctx.run.targets(&ids, Some(fleet), settings)?
        }
        Some(req) => {
            let mut panes: Vec<(String, Vec<(String, Capture)>)> = Vec::new();
            let found = ctx.run.targets_listed(&ids, &args.tags, settings, |vms| {
                let defaults = ctx.run.connect_defaults();
                pane::capture_every_vm(vms, &defaults, settings, req)
                    .into_iter()
                    .zip(vms)
                    .map(|(r, vm)| match r {
                        Ok(p) => {
                            panes.push((vm.name.clone(), p.captures));
                            Ok(p.sessions)
                        }
                        Err(e) => Err(e),
                    })
                    .collect()
            })?;
            let at = pane::now_rfc3339();
            for (vm, captures) in panes {
                // The first capture of a name, as the listing keeps its first record.
                for (session, c) in captures {
                    let compound = azlin_core::name::compound(&vm, &session);
                    taken.entry(compound).or_insert((c, at.clone()));
                }
            }
            found
        }
    };
    let failed = found
        .unlisted
        .into_iter()
        .map(|(vm, e)| (vm, e.to_string()))
        .collect();
    Ok((found.targets, failed, taken))
}

/// `--follow`: each session looked at about once a second on its own thread, its finished
/// rows printed as they come (prefixed with the session when there are several), until
/// Ctrl-C or every session has ended.
fn follow(
    ctx: &Context,
    args: &PeekArgs,
    settings: &Settings,
    targets: &[Resolved],
    mut failed: Failures,
) -> Result<u8> {
    let prefixed = targets.len() > 1;
    let req = Request {
        history: args.lines.max(pane::FOLLOW_WINDOW),
        escapes: args.escapes,
        joined: false,
        foreground: false,
    };
    let ended = parallel::fan_out(targets, targets.len(), |t| -> Result<(), String> {
        let ssh = ctx.run.ssh_target(&t.vm).map_err(|e| e.to_string())?;
        let label = azlin_core::text::escape(&t.compound()).into_owned();
        let mut follower = Follower::new();
        let mut first = true;
        loop {
            let capture: Capture = match pane::capture(&ssh, settings, &t.session, req) {
                Ok(c) => c,
                Err(RemoteError::NoSuchSession { .. }) if !first => {
                    ctx.warn(&format!("session `{label}` ended"));
                    return Ok(());
                }
                Err(e) => return Err(e.to_string()),
            };
            first = false;
            let update = follower.update(&capture, args.lines as usize);
            if update.gap {
                ctx.warn(&format!(
                    "`{label}`: more output than one look holds; some lines were not seen"
                ));
            }
            let mut stdout = std::io::stdout().lock();
            for row in &update.rows {
                let row = pane::shown_row(row, args.escapes);
                let written = if prefixed {
                    writeln!(stdout, "[{label}] {row}")
                } else {
                    writeln!(stdout, "{row}")
                };
                // A closed pipe (`| head`) ends the follow.
                if written.is_err() {
                    return Ok(());
                }
            }
            if stdout.flush().is_err() {
                return Ok(());
            }
            drop(stdout);
            std::thread::sleep(pane::FOLLOW_INTERVAL);
        }
    });
    for (t, end) in targets.iter().zip(ended) {
        if let Err(why) = end {
            failed.push((t.compound(), why));
        }
    }
    report_failures(&failed);
    Ok(u8::from(!failed.is_empty()))
}

/// What a session's header starts and ends with (`── myvm:dev ──`).
const HEADER_RULE: &str = "──";

/// A row shown under a session's header, as [`pane::shown_row`] shows it, except that a
/// row whose first visible character (after any colour codes) is a line-drawing
/// character or a dash has that character escaped (`\u{2500}`, `\u{2014}`…): no pane
/// can print a line that reads as another session's header, lookalikes (`━━`, `——`)
/// and colour codes between the rules included.
fn row_under_header(row: &str, colours: bool) -> String {
    let shown = pane::shown_row(row, colours);
    // Colour codes kept with --escapes come first; the text starts after them.
    let mut text = shown.as_str();
    while let Some(rest) = text.strip_prefix("\u{1b}[") {
        match rest.find('m') {
            Some(end) => text = &rest[end + 1..],
            None => break,
        }
    }
    let Some(first) = text.chars().next().filter(|&c| looks_like_a_rule(c)) else {
        return shown;
    };
    let at = shown.len() - text.len();
    format!(
        "{}\\u{{{:04x}}}{}",
        &shown[..at],
        first as u32,
        &text[first.len_utf8()..]
    )
}

/// Box drawing (U+2500–U+257F), the dashes of General Punctuation (U+2010–U+2015) and
/// their other forms (two- and three-em dashes, small and full-width hyphen-minus).
fn looks_like_a_rule(c: char) -> bool {
    matches!(c, '\u{2500}'..='\u{257f}' | '\u{2010}'..='\u{2015}' | '\u{2e3a}' | '\u{2e3b}'
        | '\u{fe58}' | '\u{fe63}' | '\u{ff0d}')
}

/// Prints the rows of one session, as the screen shows them (controls escaped).
fn print_rows(rows: &[String], colours: bool) {
    let mut stdout = std::io::stdout().lock();
    for r in rows {
        let _ = writeln!(stdout, "{}", pane::shown_row(r, colours));
    }
}

/// Names each session (or VM) that could not be read, and why, on stderr.
fn report_failures(failed: &[(String, String)]) {
    if failed.is_empty() {
        return;
    }
    eprintln!("peek: could not read {} of them:", failed.len());
    eprint!("{}", crate::output::failure_lines(failed));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_that_reads_as_a_header_is_escaped_and_others_are_not() {
        assert_eq!(
            row_under_header("── db:main ──", false),
            "\\u{2500}─ db:main ──"
        );
        assert_eq!(
            row_under_header("\u{1b}[1m── db:main ──", true),
            "\u{1b}[1m\\u{2500}─ db:main ──"
        );
        // A colour code between the rules, lookalike rules, a combining mark.
        assert_eq!(
            row_under_header("─\u{1b}[1m─ db:main ──", true),
            "\\u{2500}\u{1b}[1m─ db:main ──"
        );
        assert_eq!(
            row_under_header("━━ db:main ━━", false),
            "\\u{2501}━ db:main ━━"
        );
        assert_eq!(
            row_under_header("—— db:main ——", false),
            "\\u{2014}— db:main ——"
        );
        assert_eq!(
            row_under_header("─\u{301}─ x", false),
            "\\u{2500}\u{301}─ x"
        );
        // Rows that cannot pass for a header are shown as they are.
        assert_eq!(row_under_header("make: ── done", false), "make: ── done");
        assert_eq!(row_under_header("  ── indented", false), "  ── indented");
        assert_eq!(row_under_header("-- ascii --", false), "-- ascii --");
    }
}
