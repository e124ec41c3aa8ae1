//! Running a helper a plugin provides (`azlin-foo --azlin-plugin-metadata`, a completer
//! `azlin_complete-foo`): with no stdin, a time limit and a bound on what it may print, so
//! that a plugin that hangs, never closes its stdout or floods it cannot hold azlin (or
//! the shell waiting for a completion).

use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Why a helper gave no answer.
#[derive(Debug)]
pub enum HelperFailure {
    /// It did not start.
    Spawn(std::io::Error),
    /// Its output could not be read.
    Read(std::io::Error),
    /// It did not finish within the time limit (it was stopped).
    TimedOut,
    /// It exited unsuccessfully.
    Failed(ExitStatus),
}

/// Runs `cmd` (stdin and stderr closed) and returns the first `max_output` bytes of its
/// stdout once it exits successfully within `timeout`.
pub fn run_helper(
    mut cmd: Command,
    timeout: Duration,
    max_output: u64,
) -> Result<Vec<u8>, HelperFailure> {
    let deadline = Instant::now() + timeout;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(HelperFailure::Spawn)?;
    let mut stdout = child.stdout.take().expect("stdout is piped");
    // Read on a thread so that a helper which never closes its stdout (or leaves a child
    // holding it) cannot hold azlin past the deadline.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let res = (&mut stdout).take(max_output).read_to_end(&mut buf);
        let _ = tx.send(res.map(|_| buf));
    });
    let stop = |child: &mut std::process::Child| {
        let _ = child.kill();
        let _ = child.wait();
        HelperFailure::TimedOut
    };
    let output = match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(Ok(buf)) => buf,
        Ok(Err(e)) => return Err(HelperFailure::Read(e)),
        Err(_) => return Err(stop(&mut child)),
    };
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(2)),
            Ok(None) => return Err(stop(&mut child)),
            Err(e) => return Err(HelperFailure::Spawn(e)),
        }
    };
    if status.success() {
        Ok(output)
    } else {
        Err(HelperFailure::Failed(status))
    }
}
