//! What azlin reports about its own work, as `tracing` events: every external command it
//! runs (the argv, its exit status and duration) and every HTTP request (method, URL with
//! secrets redacted, status, duration). The library only emits events; the binary decides
//! whether anything listens (`-v`), so without `-v` they cost a relaxed atomic load.

use std::process::Command;
use std::time::Instant;

/// Target of the events for external commands (ssh, tmux over ssh, the `az` CLI).
pub const COMMAND: &str = "azlin::command";
/// Target of the `-vv` events saying what azlin found and decided (probe results, how
/// an identifier resolved).
pub const FOUND: &str = "azlin::found";
/// Target of the events for finished HTTP requests.
pub const HTTP: &str = "azlin::http";
/// Target of the event sent just before an HTTP request, for progress indicators.
pub const HTTP_START: &str = "azlin::http::start";

/// Target of warnings found inside the library about what a VM or provider sent (a
/// listing record that could not be read): the binary prints them as `warning:` lines,
/// with or without `-v`, unless `-q`.
pub const WARNING: &str = "azlin::warning";

/// Warns (see [`WARNING`]); the message's outside values must already be escaped
/// ([`crate::text::Escaped`]).
pub fn warn(message: std::fmt::Arguments<'_>) {
    tracing::warn!(target: WARNING, "{message}");
}

/// Query parameters shown as they are; every other value is replaced by `REDACTED`
/// (`$skiptoken`, SAS `sig`, `code`, `client_secret`, …).
const SHOWN_QUERY: &[&str] = &["api-version", "$filter", "$expand", "$top", "statusOnly"];

/// `cmd` as a shell would take it, on one line: the program and each argument, quoted
/// where needed (a word with a line break or another control character in bash's
/// `$'…'` form). The environment is never shown (it is where secrets live).
pub fn command_line(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|w| crate::quote::shell_quote_visible(&w.to_string_lossy()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One external command being timed for the log; inert when nothing listens.
#[derive(Debug)]
pub struct CommandLog {
    /// The command line, only when the event will be recorded.
    line: Option<String>,
    started: Instant,
}

impl CommandLog {
    /// Starts timing `cmd` (call just before spawning it).
    pub fn start(cmd: &Command) -> CommandLog {
        let line =
            tracing::enabled!(target: COMMAND, tracing::Level::INFO).then(|| command_line(cmd));
        CommandLog {
            line,
            started: Instant::now(),
        }
    }

    /// Logs how the command ended; `outcome` (e.g. `exit 0`) is only built when logged.
    pub fn finish(self, outcome: impl FnOnce() -> String) {
        if let Some(line) = self.line {
            tracing::info!(
                target: COMMAND,
                "run: {line} -> {} ({} ms)",
                outcome(),
                self.started.elapsed().as_millis()
            );
        }
    }
}

/// How a process ended, for the log: `exit 3`, `signal 9`, or `killed at the timeout`.
pub fn exit_outcome(status: Option<std::process::ExitStatus>) -> String {
    #[cfg(unix)]
    use std::os::unix::process::ExitStatusExt;
    match status {
        None => "killed at the timeout".to_string(),
        Some(s) => match s.code() {
            Some(code) => format!("exit {code}"),
            #[cfg(unix)]
            None => format!("signal {}", s.signal().unwrap_or(0)),
            #[cfg(not(unix))]
            None => "ended without a status".to_string(),
        },
    }
}

/// Logs that azlin is about to replace itself with `cmd` (no duration or status follows:
/// azlin is gone once it runs).
pub fn command_handed_over(cmd: &Command) {
    tracing::info!(target: COMMAND, "exec: {}", command_line(cmd));
}

/// Logs that an HTTP request to `url` is about to be sent.
pub fn http_start(method: &str, url: &str) {
    tracing::trace!(target: HTTP_START, "{method} {}", redact_url(url));
}

/// Logs a finished HTTP request: its status (or error) and duration.
pub fn http_done(method: &str, url: &str, outcome: &str, started: Instant) {
    tracing::info!(
        target: HTTP,
        "http: {method} {} -> {outcome} ({} ms)",
        redact_url(url),
        started.elapsed().as_millis()
    );
}

/// `url` without user info and with every query value outside [`SHOWN_QUERY`] replaced
/// by `REDACTED`, so that tokens, signatures and continuation tokens never reach a log.
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    // `https://user:secret@host/…` → `https://REDACTED@host/…`.
    let base = match base.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            match rest[..authority_end].rsplit_once('@') {
                Some((_, host)) => format!("{scheme}://REDACTED@{host}{}", &rest[authority_end..]),
                None => base.to_string(),
            }
        }
        None => base.to_string(),
    };
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        return base;
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if SHOWN_QUERY.contains(&k) => format!("{k}={v}"),
            Some((k, _)) => format!("{k}=REDACTED"),
            None => pair.to_string(),
        })
        .collect();
    format!("{base}?{}", pairs.join("&"))
}

/// `text` with every `http://` or `https://` URL in it passed through [`redact_url`]: for
/// messages that quote a URL someone else wrote (an Azure error body, a `nextLink`), so
/// that errors and warnings hide what the log hides.
pub fn redact_urls(text: &str) -> std::borrow::Cow<'_, str> {
    let starts = |s: &str| s.starts_with("https://") || s.starts_with("http://");
    let Some(first) = text
        .match_indices("http")
        .map(|(i, _)| i)
        .find(|&i| starts(&text[i..]))
    else {
        return std::borrow::Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut at = first;
    loop {
        out.push_str(&rest[..at]);
        let url = &rest[at..];
        // A URL ends where a message's own punctuation around it begins.
        let end = url
            .find(|c: char| c.is_whitespace() || matches!(c, '`' | '"' | '\'' | '<' | '>'))
            .unwrap_or(url.len());
        out.push_str(&redact_url(&url[..end]));
        rest = &url[end..];
        match rest
            .match_indices("http")
            .map(|(i, _)| i)
            .find(|&i| starts(&rest[i..]))
        {
            Some(next) => at = next,
            None => break,
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_inside_a_message_are_redacted_and_the_rest_kept() {
        assert_eq!(
            redact_urls(
                "request GET https://u:pw@h/x?api-version=1&$skiptoken=tok failed: see \
                 `http://h/y?sig=s` (or https://h/z)"
            ),
            "request GET https://REDACTED@h/x?api-version=1&$skiptoken=REDACTED failed: see \
             `http://h/y?sig=REDACTED` (or https://h/z)"
        );
        assert!(matches!(
            redact_urls("no URL here, only httpx"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn urls_lose_secrets_but_keep_what_helps() {
        assert_eq!(
            redact_url("https://h/subs/x/vms?api-version=2024-07-01&$skiptoken=abc"),
            "https://h/subs/x/vms?api-version=2024-07-01&$skiptoken=REDACTED"
        );
        assert_eq!(
            redact_url("https://blob/c?sv=2022&sig=SECRET&se=2030"),
            "https://blob/c?sv=REDACTED&sig=REDACTED&se=REDACTED"
        );
        assert_eq!(
            redact_url("http://u:pw@169.254.169.254/metadata/identity/oauth2/token"),
            "http://REDACTED@169.254.169.254/metadata/identity/oauth2/token"
        );
        assert_eq!(redact_url("https://h/a"), "https://h/a");
    }

    #[test]
    fn command_lines_are_quoted_for_a_shell() {
        let mut cmd = Command::new("ssh");
        cmd.args(["-o", "BatchMode=yes", "vm", "tmux ls; echo 'x'"])
            .env("SECRET", "never-shown");
        let line = command_line(&cmd);
        assert_eq!(line, "ssh -o BatchMode=yes vm 'tmux ls; echo '\\''x'\\'''");
        assert!(!line.contains("never-shown"));
        let mut cmd = Command::new("ssh");
        cmd.args(["vm", "cd 'a b'\nmake\tall\\"]);
        assert_eq!(
            command_line(&cmd),
            "ssh vm $'cd \\'a b\\'\\nmake\\tall\\\\'"
        );
        // bash reads the logged word back as the original.
        let word = "x'y\n\u{1b}z\\ q";
        let mut printf = Command::new("printf");
        printf.args(["%s", word]);
        let out = Command::new("bash")
            .arg("-c")
            .arg(command_line(&printf))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), word);
    }
}
