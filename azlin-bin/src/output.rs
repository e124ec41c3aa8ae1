//! Rendering helpers shared by commands.

/// Renders rows as left-aligned columns separated by two spaces, with a header row.
pub fn columns(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
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
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

/// Prints JSON with a trailing newline.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Shortens `cell` to at most `max` characters, marking the cut with `…`.
pub fn truncate(cell: &str, max: usize) -> String {
    if cell.chars().count() <= max {
        cell.to_string()
    } else {
        let mut s: String = cell.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// Renders rows as CSV (RFC 4180): fields holding `,`, `"` or a line break are quoted.
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let field = |f: &str| {
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
    fn truncation_marks_the_cut() {
        assert_eq!(truncate("short", 8), "short");
        assert_eq!(truncate("production-deployment", 8), "product…");
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
