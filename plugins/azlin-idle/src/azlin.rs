//! Talking to azlin through its command line: `list --format json`, `exec`, `kill`.

use std::ffi::OsString;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The azlin to call: `$AZLIN_BIN` (set by azlin for its plugins), else `azlin` on PATH.
pub struct Azlin {
    bin: OsString,
    quiet: bool,
}

/// One row of `azlin list --format json` (the fields this plugin reads).
#[derive(Debug, Clone, Deserialize)]
pub struct Row {
    /// The VM.
    pub hostname: String,
    /// The tmux session, `None` for a VM without sessions.
    pub session: Option<String>,
    /// `Running`, `Unreachable`, `Stopped`, …
    pub status: String,
}

/// What tmux says about one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// The session's name.
    pub session: String,
    /// Unix time of the last activity in the session: client input, or output in any of
    /// its windows.
    pub last_activity: u64,
    /// How many clients are attached.
    pub attached: u32,
}

/// The remote command: the VM's clock (so skew between machines does not count as idle
/// time), one `S` line per tmux session (its last client input), one `W` line per window
/// (its last output). A session whose programs still print is not idle, even when nobody
/// typed in it for days.
const PROBE: &str = "date +%s && \
    tmux list-sessions -F 'S #{session_name} #{session_activity} #{session_attached}' && \
    tmux list-windows -a -F 'W #{session_name} #{window_activity}'";

impl Azlin {
    /// From the plugin environment. `AZLIN_QUIET` (azlin's `-q` given before `idle`) is
    /// passed on to every azlin this plugin runs.
    pub fn from_env() -> Azlin {
        Azlin {
            bin: std::env::var_os("AZLIN_BIN").unwrap_or_else(|| "azlin".into()),
            quiet: std::env::var_os("AZLIN_QUIET").is_some_and(|v| !v.is_empty() && v != "0"),
        }
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        if self.quiet {
            cmd.arg("-q");
        }
        cmd
    }

    /// `azlin list --format json [--tag K=V]…`. azlin's own warnings (an unreachable VM)
    /// reach the user's stderr; the second value says whether it reported any failure.
    pub fn list(&self, tags: &[String]) -> Result<(Vec<Row>, bool)> {
        let mut cmd = self.command();
        cmd.args(["list", "--format", "json"]);
        for t in tags {
            cmd.arg("--tag").arg(t);
        }
        let out = cmd
            .stderr(Stdio::inherit())
            .output()
            .with_context(|| format!("cannot run {}", self.bin.to_string_lossy()))?;
        match serde_json::from_slice::<Vec<Row>>(&out.stdout) {
            Ok(rows) => Ok((rows, !out.status.success())),
            Err(e) if out.status.success() => {
                bail!("`azlin list --format json` printed something unexpected: {e}")
            }
            Err(_) => bail!("`azlin list --format json` failed ({})", out.status),
        }
    }

    /// The sessions of the VM that `via` (a `vm:session` on it) reaches, with the VM's
    /// current time.
    pub fn activity(&self, via: &str) -> Result<(u64, Vec<Activity>)> {
        let out = self
            .command()
            .args(["exec", via, "--", "sh", "-c", PROBE])
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("cannot run {}", self.bin.to_string_lossy()))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            let last = err
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            bail!("asking {via} failed ({}): {}", out.status, last.trim());
        }
        parse_probe(&String::from_utf8_lossy(&out.stdout))
            .with_context(|| format!("unexpected answer from {via}"))
    }

    /// `azlin kill vm:session`; the error carries azlin's message.
    pub fn kill(&self, compound: &str) -> Result<()> {
        let out = self
            .command()
            .args(["kill", compound])
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("cannot run {}", self.bin.to_string_lossy()))?;
        if out.status.success() {
            return Ok(());
        }
        let err = String::from_utf8_lossy(&out.stderr);
        bail!("{}", err.trim().trim_start_matches("error: "))
    }
}

/// Parses the output of [`PROBE`].
fn parse_probe(text: &str) -> Result<(u64, Vec<Activity>)> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let now: u64 = lines
        .next()
        .and_then(|l| l.trim().parse().ok())
        .context("no clock reading")?;
    let mut sessions: Vec<Activity> = Vec::new();
    for line in lines {
        // What a VM prints may hold anything: quoted visibly, never raw.
        let bad = || format!("cannot read tmux line `{}`", line.escape_debug());
        let words: Vec<&str> = line.split_whitespace().collect();
        let (kind, name, time) = match words[..] {
            [kind, name, time, ..] => (kind, name, time.parse::<u64>().with_context(bad)?),
            _ => bail!(bad()),
        };
        // A session outside azlin's names (`[A-Za-z0-9_-]`, 1 to 64) cannot be ended
        // through `azlin kill`: it is not this plugin's to show or offer.
        if !addressable(name) {
            continue;
        }
        match kind {
            "S" => sessions.push(Activity {
                session: name.to_string(),
                last_activity: time,
                attached: words.get(3).and_then(|a| a.parse().ok()).unwrap_or(0),
            }),
            "W" => {
                if let Some(s) = sessions.iter_mut().find(|s| s.session == name) {
                    s.last_activity = s.last_activity.max(time);
                }
            }
            _ => bail!(bad()),
        }
    }
    Ok((now, sessions))
}

/// Whether azlin can name `session` (its session-name rule).
pub fn addressable(session: &str) -> bool {
    (1..=64).contains(&session.len())
        && session
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_output_is_read_and_window_output_counts_as_activity() {
        let (now, s) = parse_probe(
            "1700000000\nS main 1699990000 1\nS dev 1699000000 0\n\
             W main 1699980000\nW dev 1699999000\nW dev 1699500000\n",
        )
        .unwrap();
        assert_eq!(now, 1_700_000_000);
        assert_eq!(
            s,
            [
                Activity {
                    session: "main".into(),
                    last_activity: 1_699_990_000,
                    attached: 1
                },
                Activity {
                    session: "dev".into(),
                    last_activity: 1_699_999_000,
                    attached: 0
                }
            ]
        );
        assert!(parse_probe("").is_err());
        assert!(parse_probe("123\nS main notanumber 0\n").is_err());
        assert!(parse_probe("123\nX main 1 0\n").is_err());
        // A name azlin cannot address (a hostile tmux's) is left out, not shown.
        let (_, s) =
            parse_probe("1\nS a\u{1b}]0;t\u{7} 1 0\nS ok 1 0\nW a\u{1b}]0;t\u{7} 5\n").unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].session, "ok");
        let err = parse_probe("1\nS x \u{1b}[2J\n").unwrap_err().to_string();
        assert!(!err.contains('\u{1b}'), "{err:?}");
    }
}
