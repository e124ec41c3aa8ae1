//! Shell quoting: how a word reaches a POSIX shell unchanged (a remote command line,
//! a script run on a VM) and how a command line is shown to a person (`-v`).

/// Quotes `word` for a POSIX shell, only when it needs it: `it's` → `'it'\''s'`.
pub fn shell_quote(word: &str) -> String {
    // zsh expands a word that starts with `=` to a command's path (`=dev` fails with
    // "dev not found"), and VMs' login shells may be zsh: such a word is quoted.
    let plain = !word.is_empty()
        && !word.starts_with('=')
        && word.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '_' | '-' | '.' | '/' | ':' | '=' | '@' | ',' | '+' | '%')
        });
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Joins command words into one shell command line, each word quoted once.
pub fn shell_join<S: AsRef<str>>(words: &[S]) -> String {
    words
        .iter()
        .map(|w| shell_quote(w.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `word` quoted for a person to read and paste into bash: as [`shell_quote`] does, but a
/// word with a line break or another control character in bash's `$'…'` form, so that
/// no such character is ever printed.
pub fn shell_quote_visible(word: &str) -> String {
    if !word.chars().any(char::is_control) {
        return shell_quote(word);
    }
    let mut out = String::from("$'");
    for c in word.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The login shells a VM may have that are installed here, `sh` first (always there):
/// the tests of the scripts azlin sends run them under each (zsh, for one, expands a
/// leading `=` and does not split `$var` into words).
#[cfg(test)]
pub(crate) fn login_shells() -> Vec<&'static str> {
    let installed = |sh: &str| {
        ["/bin", "/usr/bin"]
            .iter()
            .any(|d| std::path::Path::new(d).join(sh).exists())
    };
    let shells: Vec<&str> = ["sh", "bash", "zsh"]
        .into_iter()
        .filter(|sh| installed(sh))
        .collect();
    assert_eq!(shells.first(), Some(&"sh"), "sh must be installed");
    shells
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn shell_quoting_round_trips_through_sh() {
        let words = [
            "plain",
            "two words",
            "it's",
            "$HOME",
            "`x`",
            "",
            "a\nb",
            "-n",
            "*",
            "=dev",
            "=dev:",
            "a=b",
            "~",
        ];
        let line = format!("printf '%s\\n' {}", shell_join(&words));
        for shell in login_shells() {
            let out = Command::new(shell).arg("-c").arg(&line).output().unwrap();
            let got = String::from_utf8(out.stdout).unwrap();
            let want: String = words.iter().map(|w| format!("{w}\n")).collect();
            assert_eq!(got, want, "{shell}: {line}");
        }
        assert_eq!(shell_quote("dev"), "dev");
        assert_eq!(shell_quote("a b"), "'a b'");
    }
}
