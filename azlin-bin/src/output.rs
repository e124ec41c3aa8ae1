//! Rendering helpers shared by commands: tables (boxed on a terminal, plain columns in a
//! pipe), colour, JSON and CSV, and messages.
//!
//! Every cell and every message passes through `azlin_core::text` (README, "Text from
//! VMs and providers"): tables, columns and CSV escape each cell, [`message`] is the last
//! step of every error, warning and log line; JSON keeps exact values (serde escapes
//! control characters itself).

use std::borrow::Cow;
use std::io::IsTerminal;

use azlin_core::text::{escape, escape_message};

use comfy_table::{
    Cell, Color, ColumnConstraint, ContentArrangement, Row, Table, TableComponent, presets,
};

/// How stdout (or stderr) looks to us: a terminal or not, and whether colour is allowed.
#[derive(Debug, Clone, Copy)]
pub struct Look {
    /// The stream is a terminal: boxed tables fitted to its width.
    pub tty: bool,
    /// Colour is allowed: a terminal, no `--no-color`, no `NO_COLOR`.
    pub color: bool,
}

impl Look {
    /// The look of stdout.
    pub fn stdout(no_color: bool) -> Look {
        Look::of(std::io::stdout().is_terminal(), no_color)
    }

    /// The look of stderr.
    pub fn stderr(no_color: bool) -> Look {
        Look::of(std::io::stderr().is_terminal(), no_color)
    }

    fn of(tty: bool, no_color: bool) -> Look {
        Look {
            tty,
            color: tty && !no_color && !no_color_env(),
        }
    }
}

/// `NO_COLOR` set to anything but the empty string turns colour off (no-color.org).
fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// A message azlin composed (an error with its causes, a warning, a log line), ready for
/// a terminal: secrets in URLs redacted and any character of the escaping rule that is
/// still in it escaped (its own line breaks kept).
pub fn message(text: &str) -> String {
    escape_message(&azlin_core::diag::redact_urls(text)).into_owned()
}

/// The lines under a "failed:" summary of a multi-target command: each target (its
/// compound name, or a VM's) and why, aligned, two spaces in; a reason of several lines
/// is indented under its target. Both are shown as [`message`] shows text.
pub fn failure_lines(failed: &[(String, String)]) -> String {
    let width = failed
        .iter()
        .map(|(what, _)| escape(what).chars().count())
        .max()
        .unwrap_or(0);
    failed
        .iter()
        .map(|(what, why)| {
            let why = message(why).replace('\n', "\n    ");
            format!("  {:<width$}  {why}\n", escape(what))
        })
        .collect()
}

/// A table cell, by the escaping rule.
fn cell(text: &str) -> Cow<'_, str> {
    escape(text)
}

/// `text` in bold `color` when `look` allows colour (ANSI SGR), else as it is.
pub fn paint(look: Look, text: &str, color: Paint) -> String {
    if !look.color {
        return text.to_string();
    }
    let code = match color {
        Paint::Red => "1;31",
        Paint::Yellow => "1;33",
        Paint::Green => "32",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// The colours azlin uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    /// Errors and unreachable VMs.
    Red,
    /// Warnings, stopped VMs.
    Yellow,
    /// Running VMs.
    Green,
}

/// The colour of a status word (`Running`, `Stopped`, …), if it has one.
pub fn status_paint(status: &str) -> Option<Paint> {
    match status {
        "Running" => Some(Paint::Green),
        "Stopped" | "Deallocated" => Some(Paint::Yellow),
        "Unreachable" | "Misbehaving" => Some(Paint::Red),
        _ => None,
    }
}

/// A listing for people or for scripts.
///
/// On a terminal: rounded box borders (as the session-management guide shows `azlin list`),
/// fitted to the terminal's width by cutting cells with `…` unless `wide`, and the column
/// `status_column` coloured when colour is allowed; the `status_column` and `keep` columns
/// are never cut. Otherwise: [`columns`], which scripts
/// read with `read` or `awk` (`azlin list | tail -n +2 | while read host session status ip`).
pub fn table(
    look: Look,
    header: &[&str],
    rows: &[Vec<String>],
    wide: bool,
    status_column: Option<usize>,
    keep: &[usize],
) -> String {
    if !look.tty {
        return columns(header, rows);
    }
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .apply_modifier(comfy_table::modifiers::UTF8_ROUND_CORNERS)
        // The guide's header rule is a thin line (├──┼──┤), not the preset's double one.
        .set_style(TableComponent::HeaderLines, '─')
        .set_style(TableComponent::LeftHeaderIntersection, '├')
        .set_style(TableComponent::MiddleHeaderIntersections, '┼')
        .set_style(TableComponent::RightHeaderIntersection, '┤')
        .set_truncation_indicator("…")
        .set_header(header.iter().copied());
    // The terminal's width, read before styling is decided by us rather than comfy-table.
    let width = table.width();
    table.force_no_tty();
    if let Some(w) = width {
        table.set_width(w);
    }
    if look.color {
        table.enforce_styling();
    }
    table.set_content_arrangement(if wide {
        ContentArrangement::Disabled
    } else {
        ContentArrangement::Dynamic
    });
    // A status word is never cut: it is what the reader looks for; nor are the names
    // people copy (`keep`) while they fit beside a few characters of every other column,
    // so free text gives way first.
    let content = |i: usize| -> usize {
        let cells = rows.iter().filter_map(|r| r.get(i)).map(|c| self::cell(c));
        let longest = cells.map(|c| c.chars().count()).max().unwrap_or(0);
        longest.max(header.get(i).map_or(0, |h| h.chars().count())) + 3
    };
    let kept: usize = status_column.iter().chain(keep).map(|&i| content(i)).sum();
    let others = header
        .len()
        .saturating_sub(keep.len() + status_column.iter().count());
    let names_fit = width.is_none_or(|w| kept + 5 * others < usize::from(w));
    let whole = status_column
        .iter()
        .chain(keep.iter().filter(|_| names_fit));
    for i in whole {
        if let Some(column) = table.column_mut(*i) {
            column.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
    for row in rows {
        let cells = row.iter().enumerate().map(|(i, text)| {
            let cell = Cell::new(self::cell(text));
            match status_paint(text).filter(|_| look.color && Some(i) == status_column) {
                Some(Paint::Green) => cell.fg(Color::Green),
                Some(Paint::Yellow) => cell.fg(Color::Yellow),
                Some(Paint::Red) => cell.fg(Color::Red),
                None => cell,
            }
        });
        let mut row = Row::from(cells);
        // One line per row: a cell too long for its column is cut, not wrapped.
        row.max_height(1);
        table.add_row(row);
    }
    format!("{table}\n")
}

/// Renders rows as left-aligned columns separated by two spaces, with a header row.
pub fn columns(header: &[&str], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<Cow<'_, str>>> = rows
        .iter()
        .map(|row| row.iter().map(|c| cell(c)).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let parts: Vec<String> = cells
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(parts.join("  ").trim_end());
        out.push('\n');
    };
    line(&mut header.iter().copied());
    for row in &rows {
        line(&mut row.iter().map(|c| c.as_ref()));
    }
    out
}

/// Prints JSON with a trailing newline.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Renders rows as CSV (RFC 4180): fields holding `,` or `"` are quoted. Fields are
/// escaped first (a line break is `\n`), so every record is one line.
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let field = |f: &str| {
        let f = cell(f);
        if f.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", f.replace('"', "\"\""))
        } else {
            f.to_string()
        }
    };
    let mut out = String::new();
    let mut line = |cells: Vec<String>| {
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    };
    line(header.iter().map(|h| field(h)).collect());
    for row in rows {
        line(row.iter().map(|c| field(c)).collect());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_is_escaped_in_columns_and_csv() {
        let rows = vec![vec!["a\u{1b}]0;t\u{7}".to_string(), "x\ny,\u{202e}".into()]];
        assert_eq!(
            columns(&["A", "B"], &rows),
            "A            B\na\\e]0;t\\x07  x\\ny,\\u{202e}\n"
        );
        assert_eq!(
            csv(&["A", "B"], &rows),
            "A,B\r\na\\e]0;t\\x07,\"x\\ny,\\u{202e}\"\r\n"
        );
        assert_eq!(
            message("error: https://u:p@h/x?sig=s\n  a\u{1b}b"),
            "error: https://REDACTED@h/x?sig=REDACTED\n  a\\eb"
        );
    }

    #[test]
    fn csv_quotes_only_what_needs_it() {
        let rows = vec![vec!["a".to_string(), "b,c".into(), "say \"hi\"".into()]];
        assert_eq!(
            csv(&["x", "y", "z"], &rows),
            "x,y,z\r\na,\"b,c\",\"say \"\"hi\"\"\"\r\n"
        );
    }
}
