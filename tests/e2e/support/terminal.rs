//! A real pseudo-terminal for interactive tests: a detached local tmux server on a socket
//! of its own (`tmux -L`), whose pane runs the command under test. Killed in `Drop`.

#![allow(dead_code)]

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A local tmux server whose one pane is the terminal of the command under test.
pub struct Terminal {
    socket: String,
}

impl Terminal {
    /// Starts `shell_command` (run by `sh -c`) in a new detached local tmux session
    /// 200×50, with `env` set.
    pub fn run(shell_command: &str, env: &[(&str, &str)]) -> Terminal {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let socket = format!(
            "azlin-e2e-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let term = Terminal { socket };
        let mut args: Vec<String> = ["new-session", "-d", "-x", "200", "-y", "50"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for (k, v) in env {
            args.push("-e".into());
            args.push(format!("{k}={v}"));
        }
        // Keep the pane after the command ends, so its last screen can be read.
        args.push(format!("{shell_command}; echo azlin-exited-$?; sleep 600"));
        let out = term.tmux(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(
            out.status.success(),
            "start local tmux: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        term
    }

    /// Starts `azlin ARGS` (`args` as shell words) in the terminal, with `home`'s
    /// `HOME` and `AZLIN_HOME`.
    pub fn azlin(home: &super::Home, args: &str) -> Terminal {
        let path = std::env::var("PATH").unwrap_or_default();
        let home_dir = home.path().to_string_lossy().into_owned();
        let azlin_home = home.azlin_home().to_string_lossy().into_owned();
        Terminal::run(
            &format!("{} {args}", env!("CARGO_BIN_EXE_azlin")),
            &[
                ("HOME", &home_dir),
                ("AZLIN_HOME", &azlin_home),
                ("PATH", &path),
            ],
        )
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .stdin(Stdio::null())
            .output()
            .expect("run local tmux")
    }

    /// Runs `tmux ARGS` against this terminal's server; its stdout (empty on failure).
    pub fn tmux_out(&self, args: &[&str]) -> String {
        String::from_utf8_lossy(&self.tmux(args).stdout).into_owned()
    }

    /// The visible text of the pane.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p"]).stdout).into_owned()
    }

    /// The visible text of the pane with its colours and attributes as ANSI escapes.
    pub fn styled_screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-e"]).stdout).into_owned()
    }

    /// Types `keys` (tmux key names, e.g. `C-b`, `d`, `Enter`).
    pub fn send_keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Waits up to `timeout` for `text` to show on the screen; panics with the screen if
    /// it does not.
    pub fn expect_text(&self, timeout: Duration, text: &str) {
        assert!(
            self.wait_for(timeout, || self.screen().contains(text)),
            "`{text}` did not show within {timeout:?}; the terminal shows:\n{}",
            self.screen()
        );
    }

    /// Waits up to `timeout` for `check` to hold, polling.
    pub fn wait_for(&self, timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if check() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        check()
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}
