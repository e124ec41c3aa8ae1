//! Shared test support: a throwaway home for each test, and a way to run azlin in it.

#![allow(dead_code)]

pub mod arm;
pub mod fleet;
pub mod terminal;

use std::path::{Path, PathBuf};

pub mod plugin;
pub mod relay;
pub mod shipped;
/// `ssh -G`, shared with azlin-core's property tests.
#[path = "../../../azlin-core/tests/support/ssh_g.rs"]
pub mod ssh_g;

use assert_cmd::Command;

/// `bytes` (what a process printed) as text, invalid UTF-8 shown as U+FFFD.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts that the finished process `out` exited with status 0, showing its status,
/// stdout and stderr when it did not: the one success check of the tests.
#[track_caller]
pub fn assert_success(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "exited with {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// A throwaway `HOME` with `AZLIN_HOME` inside it, removed when dropped.
pub struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    /// A new, empty home.
    pub fn new() -> Home {
        Home::with_prefix("azlin-e2e-")
    }

    /// A new, empty home whose directory name starts with `prefix` (e.g. one with a `%`
    /// or a space, characters ssh treats specially in paths).
    pub fn with_prefix(prefix: &str) -> Home {
        Home {
            dir: tempfile::Builder::new()
                .prefix(prefix)
                .tempdir()
                .expect("create temp home"),
        }
    }

    /// `HOME`.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `AZLIN_HOME`.
    pub fn azlin_home(&self) -> PathBuf {
        self.dir.path().join(".azlin")
    }

    /// `azlin` with this home, no inherited azlin or Azure settings.
    pub fn azlin(&self) -> Command {
        Command::from_std(self.command(env!("CARGO_BIN_EXE_azlin")))
    }

    /// Any program with this home's environment (for tests that need to spawn, signal,
    /// or wrap azlin in another program such as `script`).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
        let mut cmd = std::process::Command::new(program);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("AZLIN_HOME", self.azlin_home())
            .env("NO_COLOR", "1");
        cmd
    }

    /// Runs `azlin ARGS` and asserts success; returns its stdout.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.azlin().args(args).output().expect("run azlin");
        assert_success(&out);
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// Writes a file under `AZLIN_HOME`.
    pub fn write(&self, rel: &str, text: &str) {
        let path = self.azlin_home().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}
