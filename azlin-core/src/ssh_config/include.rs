//! The one `Include` line in `~/.ssh/config` that pulls in the generated files.
//!
//! The functions here work on bytes and never touch a line that is not azlin's: the
//! user's config comes back byte-for-byte (CRLF endings, a missing final newline, odd
//! encodings) apart from the two lines azlin adds or removes.

use std::path::{Path, PathBuf};

/// First words of the comment azlin puts above its Include line.
pub const MARKER: &str = "# Added by azlin";

/// The comment above the Include line: it says how to undo it.
pub fn marker_line() -> String {
    format!(
        "{MARKER} for its generated `Host vm vm--session` aliases. \
         Undo: `azlin ssh-config remove` (or delete this line and the next)."
    )
}

/// The Include line for the generated files, whose argument is `arg`.
pub fn include_line(arg: &str) -> String {
    format!("Include {arg}")
}

/// One line of the file, terminator included.
struct Line<'a> {
    bytes: &'a [u8],
}

impl Line<'_> {
    /// The keyword (first word, up to white space or `=`) and the rest, or `None` for a
    /// blank line or a comment. Bytes that are not UTF-8 (a Latin-1 host pattern, say)
    /// are read as U+FFFD: ssh reads bytes, so `Host caf\xe9` still starts a block.
    fn keyword(&self) -> Option<(String, String)> {
        let text = String::from_utf8_lossy(self.bytes);
        let text = text.trim_matches(|c: char| c.is_whitespace());
        if text.is_empty() || text.starts_with('#') {
            return None;
        }
        let end = text
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(text.len());
        let (kw, rest) = text.split_at(end);
        let rest = rest.trim_start();
        let rest = rest.strip_prefix('=').unwrap_or(rest).trim_start();
        Some((kw.to_string(), rest.to_string()))
    }

    fn is_block_start(&self) -> bool {
        self.keyword().is_some_and(|(kw, _)| {
            kw.eq_ignore_ascii_case("host") || kw.eq_ignore_ascii_case("match")
        })
    }

    /// The arguments of an Include line.
    fn include_args(&self) -> Option<Vec<String>> {
        let (kw, rest) = self.keyword()?;
        kw.eq_ignore_ascii_case("include")
            .then(|| split_args(&rest))
    }

    fn is_marker(&self) -> bool {
        self.bytes.starts_with(MARKER.as_bytes())
    }
}

/// Splits an argument list as ssh's tokenizer does (quotes, backslash escapes, `#`); an
/// unbalanced quote (ssh rejects the line) gives no arguments.
fn split_args(rest: &str) -> Vec<String> {
    crate::ssh::split_config_words(rest).unwrap_or_default()
}

fn lines(bytes: &[u8]) -> Vec<Line<'_>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(|bytes| Line { bytes })
        .collect()
}

/// How the file ends its lines: CRLF when its first line does.
fn line_ending(bytes: &[u8]) -> &'static str {
    match bytes.iter().position(|&b| b == b'\n') {
        Some(i) if i > 0 && bytes[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// Where ssh finds the files an Include argument names: `~` is the user's home as ssh
/// sees it, and a relative path is relative to `~/.ssh`.
pub struct Resolver {
    /// The directory ssh expands `~` to.
    pub tilde_home: PathBuf,
    /// A generated file, e.g. `~/.ssh/config.d/azlin-x.conf`, to test patterns against.
    pub sample: PathBuf,
}

impl Resolver {
    /// Whether an Include argument would load the generated files.
    pub fn covers(&self, arg: &str) -> bool {
        let path = include_path(arg, &self.tilde_home);
        glob_match(&path.to_string_lossy(), &self.sample.to_string_lossy())
    }
}

/// The path (maybe a glob) an Include argument names: `~/` is `tilde_home`, a relative
/// path is relative to `tilde_home/.ssh`, as ssh reads a user's config.
pub(crate) fn include_path(arg: &str, tilde_home: &Path) -> PathBuf {
    if let Some(rest) = arg.strip_prefix("~/") {
        tilde_home.join(rest)
    } else if Path::new(arg).is_absolute() {
        PathBuf::from(arg)
    } else {
        tilde_home.join(".ssh").join(arg)
    }
}

/// A glob with `*` and `?` (no `/` crossing), as glob(3) matches file names. A pattern
/// with `[` is not understood and counts as no match, so azlin adds its own line.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    if pattern.contains('[') {
        return false;
    }
    fn go(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len())
                .take_while(|&i| i == 0 || t[i - 1] != '/')
                .any(|i| go(rest, &t[i..])),
            Some(('?', rest)) => t.first().is_some_and(|&c| c != '/') && go(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && go(rest, &t[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    go(&p, &t)
}

/// Whether azlin wrote `line`: an Include whose only argument is `arg`.
fn is_ours(line: &Line<'_>, arg: &str) -> bool {
    line.include_args().is_some_and(|a| a == split_args(arg))
}

/// The config with the Include in place, or `None` when it already is.
///
/// An Include before the first `Host`/`Match` line that covers the files is enough. azlin's
/// own line found further down (it drifted into a block, where it only applies to that
/// block) is taken out, and the line goes to the very top of the file: there nothing the
/// user wrote can take precedence over it (ssh keeps the first value it reads), and it is
/// before every `Host` and `Match`.
pub fn ensure(bytes: &[u8], arg: &str, resolver: &Resolver) -> Option<Vec<u8>> {
    let lines = lines(bytes);
    let first_block = lines
        .iter()
        .position(Line::is_block_start)
        .unwrap_or(lines.len());
    let covered = lines[..first_block].iter().any(|l| {
        l.include_args()
            .is_some_and(|args| args.iter().any(|a| resolver.covers(a)))
    });
    if covered {
        return None;
    }
    let eol = line_ending(bytes);
    let mut out = format!("{}{eol}{}{eol}", marker_line(), include_line(arg)).into_bytes();
    out.extend_from_slice(&strip_ours(&lines, arg));
    Some(out)
}

/// The config without azlin's Include line and its comment, or `None` when it has none.
pub fn remove(bytes: &[u8], arg: &str) -> Option<Vec<u8>> {
    let lines = lines(bytes);
    if !lines.iter().any(|l| is_ours(l, arg)) {
        return None;
    }
    Some(strip_ours(&lines, arg))
}

/// The bytes of every line but azlin's Include lines and the marker comments right above
/// them.
fn strip_ours(lines: &[Line<'_>], arg: &str) -> Vec<u8> {
    let mut drop = vec![false; lines.len()];
    for (i, line) in lines.iter().enumerate() {
        if is_ours(line, arg) {
            drop[i] = true;
            if i > 0 && lines[i - 1].is_marker() {
                drop[i - 1] = true;
            }
        }
    }
    lines
        .iter()
        .zip(drop)
        .filter(|(_, d)| !d)
        .flat_map(|(l, _)| l.bytes.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARG: &str = "~/.ssh/config.d/azlin-*.conf";

    fn resolver() -> Resolver {
        Resolver {
            tilde_home: "/home/me".into(),
            sample: "/home/me/.ssh/config.d/azlin-x.conf".into(),
        }
    }

    const USER: &[u8] = b"# my config\r\nServerAliveInterval 30\r\nHOST *\r\n  User me\r\nmatch host x\r\n  Port 1\r\nInclude other.conf\r\n  # trailing";

    #[test]
    fn inserts_at_top_with_the_files_line_endings_and_removes_exactly() {
        let edited = ensure(USER, ARG, &resolver()).unwrap();
        let text = String::from_utf8(edited.clone()).unwrap();
        assert!(text.starts_with(MARKER));
        assert!(text.contains("\r\nInclude ~/.ssh/config.d/azlin-*.conf\r\n# my config"));
        assert!(edited.ends_with(USER));
        assert_eq!(ensure(&edited, ARG, &resolver()), None);
        assert_eq!(remove(&edited, ARG).unwrap(), USER);
        assert_eq!(remove(USER, ARG), None);
    }

    #[test]
    fn empty_or_missing_config_gets_just_the_block() {
        let edited = ensure(b"", ARG, &resolver()).unwrap();
        assert_eq!(
            String::from_utf8(edited.clone()).unwrap(),
            format!("{}\n{}\n", marker_line(), include_line(ARG))
        );
        assert_eq!(remove(&edited, ARG).unwrap(), b"");
    }

    #[test]
    fn existing_covering_include_is_enough() {
        for line in [
            "Include config.d/*",
            "include ~/.ssh/config.d/*.conf",
            "Include=/home/me/.ssh/config.d/azlin-*.conf",
            "  Include a.conf \"config.d/azlin-?.conf\"",
        ] {
            let cfg = format!("{line}\nHost x\n  Port 2\n");
            assert_eq!(ensure(cfg.as_bytes(), ARG, &resolver()), None, "{line}");
        }
        // Inside a block it only applies to that block: not enough.
        let cfg = b"Host x\n  Include config.d/*\n";
        assert!(ensure(cfg, ARG, &resolver()).is_some());
        // A pattern for other files does not cover.
        let cfg = b"Include config.d/work-*.conf\n";
        assert!(ensure(cfg, ARG, &resolver()).is_some());
    }

    #[test]
    fn drifted_line_moves_up_and_hostname_words_are_not_blocks() {
        let cfg = format!(
            "HostName-ish comment? no\nHostKeyAlias x\nHost a\n  Port 2\n{}\n{}\nHost b\n",
            marker_line(),
            include_line(ARG)
        );
        let edited = String::from_utf8(ensure(cfg.as_bytes(), ARG, &resolver()).unwrap()).unwrap();
        assert_eq!(
            edited,
            format!(
                "{}\n{}\nHostName-ish comment? no\nHostKeyAlias x\nHost a\n  Port 2\nHost b\n",
                marker_line(),
                include_line(ARG)
            )
        );
    }

    #[test]
    fn a_quoted_argument_is_recognised_as_ours() {
        let arg = "\"/home/my user/.ssh/config.d/azlin-*.conf\"";
        let r = Resolver {
            tilde_home: "/root".into(),
            sample: "/home/my user/.ssh/config.d/azlin-x.conf".into(),
        };
        let edited = ensure(b"Host x\n", arg, &r).unwrap();
        assert_eq!(ensure(&edited, arg, &r), None);
        assert_eq!(remove(&edited, arg).unwrap(), b"Host x\n");
    }

    #[test]
    fn a_block_line_that_is_not_utf8_still_starts_a_block() {
        // The Include below `Host caf\xe9` belongs to that block, so it covers nothing.
        let cfg = b"Host caf\xe9\n  Include config.d/*\n";
        let edited = ensure(cfg, ARG, &resolver()).unwrap();
        assert!(edited.ends_with(cfg));
        assert_eq!(remove(&edited, ARG).unwrap(), cfg);
    }

    /// Lines a user's config may hold (none of them azlin's own), in bytes.
    fn user_line() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        prop_oneof![
            Just(b"Host a b".to_vec()),
            Just(b"  host *".to_vec()),
            Just(b"Match all".to_vec()),
            Just(b"MATCH host x exec \"true\"".to_vec()),
            Just(b"Host=c".to_vec()),
            Just(b"Hostname h.example".to_vec()),
            Just(b"HostKeyAlias k".to_vec()),
            Just(b"Include other/*.conf".to_vec()),
            Just(b"  Include config.d/work-*.conf".to_vec()),
            Just(b"# Added by someone else".to_vec()),
            Just(b"#".to_vec()),
            Just(b"".to_vec()),
            Just(b"\tUser me".to_vec()),
            Just(b"Host caf\xe9".to_vec()),
            proptest::collection::vec(any::<u8>().prop_filter("one line", |b| *b != b'\n'), 0..24),
        ]
    }

    proptest::proptest! {
        #![proptest_config(crate::proptest_seed::config("the_users_bytes_come_back_exactly", 256))]

        /// Whatever the user's config holds, with LF or CRLF or mixed endings and with or
        /// without a final newline: adding the Include and taking it out again gives back
        /// the same bytes; adding it twice adds it once; it lands before every block.
        #[test]
        fn the_users_bytes_come_back_exactly(
            user_lines in proptest::collection::vec((user_line(), 0..3u8), 0..12),
            final_newline in proptest::bool::ANY,
        ) {
            let mut cfg = Vec::new();
            for (i, (line, ending)) in user_lines.iter().enumerate() {
                cfg.extend_from_slice(line);
                if i + 1 < user_lines.len() || final_newline {
                    cfg.extend_from_slice(match ending { 0 => b"\n".as_slice(), 1 => b"\r\n", _ => b"\r\r\n" });
                }
            }
            proptest::prop_assert_eq!(remove(&cfg, ARG), None);
            let Some(edited) = ensure(&cfg, ARG, &resolver()) else {
                // Only an Include of the generated files above every block is enough; the
                // strategy holds none, so arbitrary bytes must not look like one.
                return Err(proptest::test_runner::TestCaseError::fail("ensure added nothing"));
            };
            proptest::prop_assert!(edited.ends_with(&cfg));
            proptest::prop_assert_eq!(ensure(&edited, ARG, &resolver()), None);
            proptest::prop_assert_eq!(remove(&edited, ARG), Some(cfg.clone()));
            let first_block = lines(&edited).iter().position(Line::is_block_start);
            let include = lines(&edited).iter().position(|l| is_ours(l, ARG));
            proptest::prop_assert!(include.is_some());
            proptest::prop_assert!(first_block.is_none_or(|b| include.unwrap() < b));
        }
    }

    #[test]
    fn globs() {
        assert!(glob_match("/a/*.conf", "/a/x.conf"));
        assert!(!glob_match("/a/*.conf", "/a/b/x.conf"));
        assert!(glob_match("/a/?.conf", "/a/x.conf"));
        assert!(!glob_match("/a/[ab].conf", "/a/a.conf"));
        assert!(glob_match("/a/*", "/a/azlin-x.conf"));
    }
}
