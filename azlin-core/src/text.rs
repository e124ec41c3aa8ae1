//! The one rule for showing text that came from outside azlin (a VM, a provider, the
//! user's own arguments) to a person: every character a terminal would act on, or that
//! would hide or reorder what is shown, is written as a visible escape instead.
//!
//! | character | shown as |
//! |---|---|
//! | `\` | `\\` (so an escape shown is never the VM's own text) |
//! | ESC, newline, CR, tab, NUL | `\e`, `\n`, `\r`, `\t`, `\0` |
//! | any other C0 control, DEL | `\x07`, `\x7f` |
//! | C1 controls (U+0080–U+009F) | `\u{9b}` |
//! | bidi controls, zero-width and other invisible format characters, line and paragraph separators | `\u{202e}` |
//!
//! [`Escaped`] (and [`escape`]) apply it to a value; [`escape_message`] is the net under a
//! whole message that azlin composed (errors, warnings, log lines), whose values went
//! through [`Escaped`] already: it keeps the message's own line breaks and backslashes
//! and escapes every other character of the table, so that a value that reached a
//! message without [`Escaped`] still cannot act on the terminal. JSON output does not use
//! this: serde escapes control characters and keeps the exact value.

use std::borrow::Cow;
use std::fmt;

/// `value` shown by the rule of this module (see [`escape`]), without allocating.
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, self.0, Keep::Nothing)
    }
}

/// `value` with every character of the module's table written as its escape; borrowed
/// when nothing needed escaping (the usual case).
pub fn escape(value: &str) -> Cow<'_, str> {
    escape_keeping(value, Keep::Nothing)
}

/// A message azlin composed, for a terminal: its line breaks and backslashes stay, every
/// other character of the module's table is escaped (see the module's doc).
pub fn escape_message(message: &str) -> Cow<'_, str> {
    escape_keeping(message, Keep::LinesAndBackslashes)
}

/// `text` cut after `max` characters, the cut marked with `…`: how a message shows a value
/// that may be very long (a 10,000-character session name).
pub fn shortened(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((end, _)) => Cow::Owned(format!("{}…", &text[..end])),
    }
}

/// Whether `c` is shown escaped by the rule of this module.
pub fn is_escaped(c: char) -> bool {
    c == '\\' || c.is_control() || is_invisible_format(c)
}

/// What a message keeps as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    Nothing,
    LinesAndBackslashes,
}

fn escape_keeping(text: &str, keep: Keep) -> Cow<'_, str> {
    if !text.chars().any(|c| needs_escape(c, keep)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    // Writing to a String cannot fail.
    let _ = write_escaped(&mut out, text, keep);
    Cow::Owned(out)
}

fn needs_escape(c: char, keep: Keep) -> bool {
    match c {
        '\n' | '\\' if keep == Keep::LinesAndBackslashes => false,
        c => is_escaped(c),
    }
}

fn write_escaped(out: &mut impl fmt::Write, text: &str, keep: Keep) -> fmt::Result {
    // Runs of plain characters are written in one go.
    let mut plain = 0;
    for (i, c) in text.char_indices() {
        if !needs_escape(c, keep) {
            continue;
        }
        out.write_str(&text[plain..i])?;
        plain = i + c.len_utf8();
        match c {
            '\\' => out.write_str("\\\\")?,
            '\u{1b}' => out.write_str("\\e")?,
            '\n' => out.write_str("\\n")?,
            '\r' => out.write_str("\\r")?,
            '\t' => out.write_str("\\t")?,
            '\0' => out.write_str("\\0")?,
            c if u32::from(c) < 0x80 => write!(out, "\\x{:02x}", u32::from(c))?,
            c => write!(out, "\\u{{{:x}}}", u32::from(c))?,
        }
    }
    out.write_str(&text[plain..])
}

/// Characters that draw nothing yet change how the text around them is shown or read:
/// Unicode's format characters (general category Cf: bidi embeddings, overrides and
/// isolates, zero-width joiners and spaces, the BOM, tag characters) and the line and
/// paragraph separators, which some terminals and viewers take as line breaks.
fn is_invisible_format(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_as_it_is() {
        for s in ["dev", "production-deployment", "é ü 日本 ✅", ""] {
            assert!(matches!(escape(s), Cow::Borrowed(b) if b == s));
        }
    }

    #[test]
    fn controls_bidi_and_the_backslash_are_shown_visibly() {
        let cases = [
            ("a\u{1b}]0;pwned\u{7}b", "a\\e]0;pwned\\x07b"),
            ("\u{1b}[2J\u{1b}[?1049h", "\\e[2J\\e[?1049h"),
            ("x\ny\r\tz\0", "x\\ny\\r\\tz\\0"),
            ("del\u{7f}", "del\\x7f"),
            ("csi\u{9b}31m", "csi\\u{9b}31m"),
            ("evil\u{202e}txt.exe", "evil\\u{202e}txt.exe"),
            (
                "\u{2066}iso\u{2069}\u{200b}\u{feff}",
                "\\u{2066}iso\\u{2069}\\u{200b}\\u{feff}",
            ),
            ("a\u{2028}b", "a\\u{2028}b"),
            ("back\\slash", "back\\\\slash"),
            // An escape the VM wrote itself stays distinguishable from one azlin wrote.
            ("\\e", "\\\\e"),
        ];
        for (raw, shown) in cases {
            assert_eq!(escape(raw), shown, "{raw:?}");
            assert_eq!(Escaped(raw).to_string(), shown, "{raw:?}");
        }
    }

    #[test]
    fn nothing_a_terminal_acts_on_survives() {
        // Every char up to U+3000 and the planes' format characters, one at a time.
        for c in (0..0x3000u32)
            .chain(0xE0000..0xE0080)
            .filter_map(char::from_u32)
        {
            let shown = escape(&c.to_string()).into_owned();
            assert!(
                !shown
                    .chars()
                    .any(|s| s.is_control() || is_invisible_format(s)),
                "{c:?} -> {shown:?}"
            );
            assert_eq!(is_escaped(c), shown != c.to_string(), "{c:?}");
        }
    }

    #[test]
    fn long_values_are_cut_with_a_mark() {
        assert_eq!(shortened("short", 5), "short");
        assert_eq!(shortened("ab日本語", 3), "ab日…");
    }

    #[test]
    fn a_message_keeps_its_lines_and_backslashes() {
        let msg = "no session `a\\e` on `vm`:\n  vm:dev\u{1b}[2J\u{202e}";
        assert_eq!(
            escape_message(msg),
            "no session `a\\e` on `vm`:\n  vm:dev\\e[2J\\u{202e}"
        );
        assert!(matches!(escape_message("a\nb\\c"), Cow::Borrowed(_)));
    }
}
