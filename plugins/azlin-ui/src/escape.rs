//! The one rule for text that came from a VM or a provider (session names, labels, pane
//! lines, errors): control and bidi characters are shown as visible escapes, never sent
//! to the terminal. The JSON of `--once --format json` keeps the exact values.

use std::borrow::Cow;

/// Unicode's explicit bidi formatting characters: they reorder what follows them on the
/// line, so a name holding one could make another row's text read differently.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `value` as it may be shown: control and bidi characters as `\u{1b}`-style escapes,
/// backslashes doubled (so an escape in the text cannot pass for one of ours).
pub fn visible(value: &str) -> Cow<'_, str> {
    if !value
        .chars()
        .any(|c| c == '\\' || c.is_control() || is_bidi_control(c))
    {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_bidi_control(c) => {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `value` cut to at most `max` characters, with `…` when cut: a bound on what one cell or
/// line of untrusted text may hold.
pub fn bounded(value: &str, max: usize) -> String {
    if value.chars().count() <= max {
        return value.to_string();
    }
    let mut out: String = value.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_shown_never_emitted() {
        assert_eq!(visible("dev"), "dev");
        assert_eq!(visible("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(visible("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(visible("a\\u{1b}"), "a\\\\u{1b}");
        assert_eq!(visible("t\tn\nr\r"), "t\\tn\\u{a}r\\u{d}");
        assert_eq!(visible("\u{9b}31m"), "\\u{9b}31m");
        let shown = visible("\x07\x1b]0;pwned\x07\u{7f}");
        assert!(!shown.chars().any(char::is_control), "{shown}");
    }

    #[test]
    fn bounded_cuts_with_an_ellipsis() {
        assert_eq!(bounded("abc", 3), "abc");
        assert_eq!(bounded("abcdef", 4), "abc…");
    }
}
