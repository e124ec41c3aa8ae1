//! Talking to azlin through its public command line, the only way this plugin reaches
//! VMs: `list --all --vms --format json`, `peek --format json`, and the commands behind the
//! keys (`connect`, `ssh --tmux-session`, `session`, `send`, `disconnect`, `kill`,
//! `code`). Output is read with a bound, and azlin's stderr is captured (it would
//! otherwise write over the screen).

use std::ffi::OsString;
use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};

use crate::fleet::{self, Peeked, Row};

/// At most this much of one azlin's stdout is read (a listing of 20,000 rows fits).
const MAX_STDOUT: u64 = 32 << 20;
/// At most this much of one azlin's stderr is kept (its last line is the message).
const MAX_STDERR: u64 = 64 << 10;

/// The azlin to call: `$AZLIN_BIN` (set by azlin for its plugins), else `azlin` on PATH.
#[derive(Debug, Clone)]
pub struct Azlin {
    bin: OsString,
}

/// Something the keys ask azlin to do to a session or VM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `azlin ssh VM --tmux-session NAME`: with no terminal, it creates the session
    /// detached.
    NewSession {
        /// The VM.
        vm: String,
        /// The new session's name (validated before).
        name: String,
    },
    /// `azlin session vm:s NAME`, or `--clear` when `name` is `None`.
    Label {
        /// `vm:session`.
        target: String,
        /// The label.
        name: Option<String>,
    },
    /// `azlin send vm:s --enter -- TEXT`.
    Send {
        /// `vm:session`.
        target: String,
        /// The line to type.
        text: String,
    },
    /// `azlin disconnect vm:s`.
    Disconnect(String),
    /// `azlin kill vm:s`.
    Kill(String),
    /// `azlin code vm:s`.
    Code(String),
}

impl Action {
    /// What was done, for the status line: `killed vm:dev`.
    pub fn done(&self) -> String {
        match self {
            Action::NewSession { vm, name } => format!("created {vm}:{name}"),
            Action::Label {
                target,
                name: Some(n),
            } => format!("labelled {target} `{n}`"),
            Action::Label { target, name: None } => format!("cleared the label of {target}"),
            Action::Send { target, .. } => format!("sent a line to {target}"),
            Action::Disconnect(t) => format!("disconnected the clients of {t}"),
            Action::Kill(t) => format!("killed {t}"),
            Action::Code(t) => format!("opened {t} in the editor"),
        }
    }

    /// What is being done, for the status line while it runs: `azlin kill vm:dev…`.
    pub fn pending(&self) -> String {
        format!("azlin {}…", self.args().join(" "))
    }

    fn args(&self) -> Vec<String> {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        match self {
            Action::NewSession { vm, name } => own(&["ssh", vm, "--tmux-session", name]),
            Action::Label {
                target,
                name: Some(n),
            } => own(&["session", target, n]),
            Action::Label { target, name: None } => own(&["session", target, "--clear"]),
            Action::Send { target, text } => own(&["send", target, "--enter", "--", text]),
            Action::Disconnect(t) => own(&["disconnect", t]),
            Action::Kill(t) => own(&["kill", t]),
            Action::Code(t) => own(&["code", t]),
        }
    }
}

/// What one azlin run printed.
struct Captured {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: String,
}

impl Captured {
    /// azlin's message: the last non-blank line of its stderr, without `error: `.
    fn message(&self) -> String {
        let last = self
            .stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        let last = last.strip_prefix("error: ").unwrap_or(last);
        if last.is_empty() {
            format!("azlin exited with {}", self.status)
        } else {
            last.to_string()
        }
    }
}

impl Azlin {
    /// From the plugin environment.
    pub fn from_env() -> Azlin {
        Azlin {
            bin: std::env::var_os("AZLIN_BIN").unwrap_or_else(|| "azlin".into()),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.args(args);
        cmd
    }

    fn capture(&self, mut cmd: Command) -> Result<Captured, String> {
        let mut child: Child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.bin.to_string_lossy()))?;
        let mut err_pipe = child.stderr.take().expect("piped stderr");
        let err_reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = (&mut err_pipe).take(MAX_STDERR).read_to_end(&mut buf);
            // Drain the rest so azlin never blocks on a full pipe.
            let _ = std::io::copy(&mut err_pipe, &mut std::io::sink());
            String::from_utf8_lossy(&buf).into_owned()
        });
        let mut stdout = Vec::new();
        let mut out_pipe = child.stdout.take().expect("piped stdout");
        let read = (&mut out_pipe).take(MAX_STDOUT).read_to_end(&mut stdout);
        let overflow = matches!(read, Ok(n) if n as u64 == MAX_STDOUT);
        if overflow {
            let _ = child.kill();
        }
        drop(out_pipe);
        let status = child
            .wait()
            .map_err(|e| format!("waiting for azlin: {e}"))?;
        let stderr = err_reader.join().unwrap_or_default();
        if overflow {
            return Err(format!(
                "azlin printed more than {MAX_STDOUT} bytes; stopped it"
            ));
        }
        Ok(Captured {
            status,
            stdout,
            stderr,
        })
    }

    /// `azlin list --all --vms --format json`: every VM (stopped ones and those without
    /// sessions too), each with its sessions.
    /// The flag says whether azlin reported a failure (an unreachable VM is still a row).
    pub fn list(&self) -> Result<(Vec<Row>, bool), String> {
        let out = self.capture(self.command(&["list", "--all", "--vms", "--format", "json"]))?;
        match fleet::parse_list(&out.stdout) {
            Ok(rows) => Ok((rows, !out.status.success())),
            Err(_) if !out.status.success() => Err(out.message()),
            Err(e) => Err(format!("{e:#}")),
        }
    }

    /// `azlin peek TARGET -n LINES --format json`.
    pub fn peek(&self, target: &str, lines: usize) -> Result<Peeked, String> {
        let n = lines.to_string();
        let out = self.capture(self.command(&["peek", target, "-n", &n, "--format", "json"]))?;
        match fleet::parse_peek(&out.stdout) {
            Ok(mut items) if !items.is_empty() => Ok(items.swap_remove(0)),
            _ if !out.status.success() => Err(out.message()),
            Ok(_) => Err("azlin peek printed no session".into()),
            Err(e) => Err(format!("{e:#}")),
        }
    }

    /// `azlin peek --all -n LINES --format json`: every running session's last lines
    /// (sessions that could not be read carry an `error`).
    pub fn peek_all(&self, lines: usize) -> Result<Vec<Peeked>, String> {
        let n = lines.to_string();
        let out = self.capture(self.command(&["peek", "--all", "-n", &n, "--format", "json"]))?;
        fleet::parse_peek(&out.stdout).map_err(|e| {
            if out.status.success() {
                format!("{e:#}")
            } else {
                out.message()
            }
        })
    }

    /// Runs `action`; the error is azlin's message.
    pub fn act(&self, action: &Action) -> Result<(), String> {
        let args = action.args();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = self.capture(self.command(&args))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(out.message())
        }
    }

    /// `azlin connect TARGET` on the user's terminal (the dashboard has given it back).
    pub fn attach(&self, target: &str) -> std::io::Result<ExitStatus> {
        self.command(&["connect", target]).status()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_azlins_documented_commands() {
        let a = |x: Action| x.args().join(" ");
        assert_eq!(
            a(Action::NewSession {
                vm: "vm1".into(),
                name: "dev".into()
            }),
            "ssh vm1 --tmux-session dev"
        );
        assert_eq!(
            a(Action::Label {
                target: "vm1:dev".into(),
                name: None
            }),
            "session vm1:dev --clear"
        );
        // TEXT after `--`: a line that starts with `-` is text, not an option.
        assert_eq!(
            a(Action::Send {
                target: "vm1:dev".into(),
                text: "-rf".into()
            }),
            "send vm1:dev --enter -- -rf"
        );
        assert_eq!(a(Action::Kill("vm1:dev".into())), "kill vm1:dev");
    }

    #[test]
    fn a_missing_azlin_is_a_message_not_a_panic() {
        let azlin = Azlin {
            bin: "/nonexistent/azlin".into(),
        };
        let err = azlin.list().unwrap_err();
        assert!(err.contains("cannot run /nonexistent/azlin"), "{err}");
    }

    #[test]
    fn azlins_stderr_message_and_exit_are_read() {
        let azlin = Azlin { bin: "sh".into() };
        let mut cmd =
            azlin.command(&["-c", "echo '[]'; echo 'error: no tmux session' >&2; exit 1"]);
        cmd.env_remove("X");
        let out = azlin.capture(cmd).unwrap();
        assert!(!out.status.success());
        assert_eq!(out.message(), "no tmux session");
        assert_eq!(out.stdout, b"[]\n");
    }
}
