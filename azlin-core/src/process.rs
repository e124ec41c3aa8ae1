//! Bounded processes: one runner for every short or streaming child azlin starts (ssh,
//! a plugin's metadata, a completer), with a deadline on its silence, on its whole run,
//! and a bound on what it may print, so that no child can hold azlin or grow its memory.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Which output stream a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// Receives output lines as they arrive (without their newline).
pub type LineSink<'a> = &'a (dyn Fn(Stream, &str) + Sync);

/// Why azlin ended a bounded process before it ended by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Nothing on its stdout within [`Bounds::first_output`]: a peer that accepted the
    /// connection and then said nothing (or froze before the command started).
    Silent,
    /// Still running at [`Bounds::total`].
    TimedOut,
    /// It wrote more than [`Bounds::max_output`].
    TooMuchOutput,
    /// azlin received this signal (see [`crate::interrupt`]); it was passed on.
    Interrupted(i32),
}

/// How a bounded process ended.
#[derive(Debug, Default)]
pub struct Finished {
    /// Its exit status; `None` when azlin stopped it (see `stopped`).
    pub status: Option<ExitStatus>,
    /// Why azlin stopped it, if it did.
    pub stopped: Option<Stopped>,
    /// Standard output (empty when a sink took the lines).
    pub stdout: Vec<u8>,
    /// Standard error (empty when a sink took the lines).
    pub stderr: Vec<u8>,
}

/// The limits a bounded process runs under.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bounds {
    /// Ended as [`Stopped::Silent`] when its stdout is still empty after this long.
    pub first_output: Option<Duration>,
    /// Ended as [`Stopped::TimedOut`] after this long.
    pub total: Option<Duration>,
    /// Ended as [`Stopped::TooMuchOutput`] once more bytes than this were collected (both
    /// streams together; lines passed to a sink are not collected, so not counted).
    pub max_output: Option<usize>,
}

/// The longest line passed to a sink: a longer one arrives in pieces of this size, so
/// output that never ends a line cannot grow azlin's memory.
pub const MAX_LINE: usize = 64 * 1024;

/// How many chunks may wait between a pipe's reader and the sink: when the sink is slow
/// (a full terminal, a slow pipe), the reader waits, and so in turn does the process.
const QUEUED_CHUNKS: usize = 64;

/// How long a process that was signalled gets to end before it is killed.
const GRACE: Duration = Duration::from_millis(500);

/// Runs `cmd` with `stdin` as its input (none: `/dev/null`), its output collected or,
/// with a `sink`, passed on line by line, and ends it when `bounds` say so. While it runs, SIGINT, SIGTERM and SIGHUP are
/// passed on to the process (see [`crate::interrupt`]); once one was received, no new
/// process starts (the result is [`Stopped::Interrupted`] at once).
pub fn run_limited(
    cmd: Command,
    stdin: Option<&[u8]>,
    bounds: Bounds,
    sink: Option<LineSink<'_>>,
) -> io::Result<Finished> {
    let _watch = crate::interrupt::Watch::start();
    if let Some(sig) = crate::interrupt::received() {
        return Ok(Finished {
            status: None,
            stopped: Some(Stopped::Interrupted(sig)),
            stdout: Vec::new(),
            stderr: Vec::new(),
        });
    }
    // `-v` logs every command line with its status and duration (crate::diag).
    let log = crate::diag::CommandLog::start(&cmd);
    let result = run_limited_unlogged(cmd, stdin, bounds, sink);
    log.finish(|| match &result {
        Ok(Finished {
            stopped: Some(why), ..
        }) => describe(*why, bounds),
        Ok(done) => crate::diag::exit_outcome(done.status),
        Err(e) => format!("cannot start: {e}"),
    });
    result
}

/// Why a helper gave no answer (see [`answer`]).
#[derive(Debug)]
pub enum NoAnswer {
    /// It did not start.
    Spawn(io::Error),
    /// It did not finish within [`Bounds::total`] (it was stopped).
    TimedOut,
    /// It printed more than [`Bounds::max_output`] (it was stopped).
    TooMuchOutput,
    /// azlin received this signal while it ran (it was passed on).
    Interrupted(i32),
    /// It exited unsuccessfully.
    Failed(ExitStatus),
}

/// Runs a short helper (a plugin's `--azlin-plugin-metadata`, a completer) with no stdin,
/// under `bounds`, and returns its stdout once it exits successfully; what it printed
/// on stderr is dropped.
pub fn answer(cmd: Command, bounds: Bounds) -> Result<Vec<u8>, NoAnswer> {
    let done = run_limited(cmd, None, bounds, None).map_err(NoAnswer::Spawn)?;
    match done.stopped {
        Some(Stopped::TimedOut | Stopped::Silent) => return Err(NoAnswer::TimedOut),
        Some(Stopped::TooMuchOutput) => return Err(NoAnswer::TooMuchOutput),
        Some(Stopped::Interrupted(sig)) => return Err(NoAnswer::Interrupted(sig)),
        None => {}
    }
    match done.status {
        Some(status) if status.success() => Ok(done.stdout),
        Some(status) => Err(NoAnswer::Failed(status)),
        // Only a process azlin stopped has no status, and that was matched above.
        None => Err(NoAnswer::TimedOut),
    }
}

/// What `-v` says about a process azlin stopped.
fn describe(why: Stopped, bounds: Bounds) -> String {
    let secs = |d: Option<Duration>| d.map_or(0, |d| d.as_secs());
    match why {
        Stopped::Silent => format!("killed: no output within {} s", secs(bounds.first_output)),
        Stopped::TimedOut => format!("killed: still running after {} s", secs(bounds.total)),
        Stopped::TooMuchOutput => format!(
            "killed: more than {} bytes of output",
            bounds.max_output.unwrap_or(0)
        ),
        Stopped::Interrupted(sig) => {
            format!("ended: azlin received {}", crate::interrupt::name(sig))
        }
    }
}

fn run_limited_unlogged(
    mut cmd: Command,
    stdin: Option<&[u8]>,
    bounds: Bounds,
    sink: Option<LineSink<'_>>,
) -> io::Result<Finished> {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn()?;
    let started = Instant::now();
    std::thread::scope(|scope| {
        if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
            // A remote side that stops reading must not block the rest.
            scope.spawn(move || {
                let _ = pipe.write_all(input);
            });
        }
        let (tx, rx) = mpsc::sync_channel::<(Stream, Vec<u8>)>(QUEUED_CHUNKS);
        let readers: Vec<(Stream, Box<dyn Read + Send>)> = [
            child
                .stdout
                .take()
                .map(|p| (Stream::Stdout, Box::new(p) as Box<dyn Read + Send>)),
            child
                .stderr
                .take()
                .map(|p| (Stream::Stderr, Box::new(p) as Box<dyn Read + Send>)),
        ]
        .into_iter()
        .flatten()
        .collect();
        let open = readers.len();
        let by_line = sink.is_some();
        for (which, pipe) in readers {
            let tx = tx.clone();
            // Not scoped: a process that left a grandchild holding the pipe must not
            // keep azlin waiting once the process itself has ended.
            std::thread::spawn(move || read_chunks(which, pipe, &tx, by_line));
        }
        drop(tx);
        let mut out = Finished {
            status: None,
            stopped: None,
            stdout: Vec::new(),
            stderr: Vec::new(),
        };
        let mut spoke = false;
        // Deliver lines as they arrive while watching the process and its deadlines;
        // once it has ended, give the pipes a moment to drain, then stop.
        let mut ended: Option<Instant> = None;
        let mut closed = 0;
        loop {
            match rx.recv_timeout(Duration::from_millis(10)) {
                Ok((_, chunk)) if chunk.is_empty() => closed += 1,
                Ok((which, chunk)) => {
                    spoke |= which == Stream::Stdout;
                    match sink {
                        Some(f) => f(
                            which,
                            String::from_utf8_lossy(&chunk).trim_end_matches('\n'),
                        ),
                        // Past the bound nothing more is kept: the process is being ended.
                        None if out.stopped.is_some() => {}
                        None => {
                            match which {
                                Stream::Stdout => out.stdout.extend(chunk),
                                Stream::Stderr => out.stderr.extend(chunk),
                            }
                            if bounds
                                .max_output
                                .is_some_and(|max| out.stdout.len() + out.stderr.len() > max)
                            {
                                out.stopped = Some(Stopped::TooMuchOutput);
                            }
                        }
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => closed = open,
            }
            if ended.is_none() {
                let elapsed = started.elapsed();
                if out.stopped.is_none() {
                    out.stopped = if let Some(sig) = crate::interrupt::received() {
                        Some(Stopped::Interrupted(sig))
                    } else if !spoke && bounds.first_output.is_some_and(|d| elapsed >= d) {
                        Some(Stopped::Silent)
                    } else if bounds.total.is_some_and(|d| elapsed >= d) {
                        Some(Stopped::TimedOut)
                    } else {
                        None
                    };
                }
                if let Some(status) = child.try_wait()? {
                    out.status = Some(status);
                    ended = Some(Instant::now());
                } else if let Some(why) = out.stopped {
                    stop(&mut child, why);
                    ended = Some(Instant::now());
                }
            } else if ended
                .is_some_and(|at| closed >= open || at.elapsed() > Duration::from_secs(2))
            {
                break;
            }
        }
        // A process that ended by itself in the same moment keeps its own status.
        if out.status.is_some_and(|s| s.code().is_some())
            && out.stopped != Some(Stopped::TooMuchOutput)
        {
            out.stopped = None;
        }
        Ok(out)
    })
}

/// Ends `child`: an interrupted run passes its signal on and waits [`GRACE`] for the
/// process to end by itself (ssh then tells the server); otherwise, and after that, kill.
fn stop(child: &mut std::process::Child, why: Stopped) {
    #[cfg(unix)]
    if let Stopped::Interrupted(sig) = why {
        crate::interrupt::forward(child.id(), sig);
        let until = Instant::now() + GRACE;
        while Instant::now() < until {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    #[cfg(not(unix))]
    let _ = why;
    let _ = child.kill();
    let _ = child.wait();
}

/// Sends chunks (whole lines of at most [`MAX_LINE`] bytes when `by_line`, else whatever
/// one read gave) and finally an empty chunk for end of file.
fn read_chunks(
    which: Stream,
    pipe: Box<dyn Read + Send>,
    tx: &mpsc::SyncSender<(Stream, Vec<u8>)>,
    by_line: bool,
) {
    let mut reader = BufReader::with_capacity(MAX_LINE, pipe);
    // One block for every read, zeroed once; each chunk is a copy of what one read gave
    // (a zeroed block per read was most of azlin's own CPU in a debug build's 32-VM
    // `peek --all`, and each chunk in the queue held all 64 KiB).
    let mut block = if by_line {
        Vec::new()
    } else {
        vec![0; MAX_LINE]
    };
    loop {
        let mut buf = Vec::new();
        let n = if by_line {
            reader
                .by_ref()
                .take(MAX_LINE as u64)
                .read_until(b'\n', &mut buf)
        } else {
            let n = reader.read(&mut block);
            buf.extend_from_slice(&block[..*n.as_ref().unwrap_or(&0)]);
            n
        };
        match n {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                if tx.send((which, buf)).is_err() {
                    return;
                }
            }
        }
    }
    let _ = tx.send((which, Vec::new()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn within(ms: u64) -> Bounds {
        Bounds {
            total: Some(Duration::from_millis(ms)),
            ..Bounds::default()
        }
    }

    #[test]
    fn a_process_is_fed_collected_and_timed_out() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "cat; echo err >&2; exit 3"]);
        let f = run_limited(cmd, Some(b"in\n"), within(30_000), None).unwrap();
        assert_eq!(f.status.unwrap().code(), Some(3));
        assert_eq!(f.stdout, b"in\n");
        assert_eq!(f.stderr, b"err\n");

        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        let f = run_limited(cmd, None, within(200), None).unwrap();
        assert!(f.status.is_none(), "killed at the timeout");

        let lines = Mutex::new(Vec::new());
        let sink = |s: Stream, l: &str| lines.lock().unwrap().push((s, l.to_string()));
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo a; echo b"]);
        run_limited(cmd, None, Bounds::default(), Some(&sink)).unwrap();
        assert_eq!(
            lines.into_inner().unwrap(),
            vec![(Stream::Stdout, "a".into()), (Stream::Stdout, "b".into())]
        );
    }

    fn sh(script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]);
        cmd
    }

    #[test]
    fn silence_before_the_first_output_ends_a_process_but_silence_after_it_does_not() {
        let quick = Bounds {
            first_output: Some(Duration::from_millis(300)),
            ..Bounds::default()
        };
        let f = run_limited(sh("sleep 30"), None, quick, None).unwrap();
        assert_eq!(f.stopped, Some(Stopped::Silent));
        assert!(f.status.is_none());
        let f = run_limited(sh("echo up; sleep 1; echo done"), None, quick, None).unwrap();
        assert_eq!(f.stopped, None);
        assert_eq!(f.status.and_then(|s| s.code()), Some(0));
        assert_eq!(f.stdout, b"up\ndone\n");
    }

    #[test]
    fn endless_output_is_cut_at_the_bound_and_long_lines_come_in_pieces() {
        let capped = Bounds {
            max_output: Some(1024 * 1024),
            total: Some(Duration::from_secs(60)),
            ..Bounds::default()
        };
        let f = run_limited(sh("yes"), None, capped, None).unwrap();
        assert_eq!(f.stopped, Some(Stopped::TooMuchOutput));
        assert!(
            f.stdout.len() <= 1024 * 1024 + MAX_LINE,
            "{}",
            f.stdout.len()
        );

        let pieces = Mutex::new(Vec::new());
        let sink = |_: Stream, piece: &str| pieces.lock().unwrap().push(piece.len());
        let script = "head -c 300000 /dev/zero | tr '\\0' x; echo";
        let f = run_limited(sh(script), None, Bounds::default(), Some(&sink)).unwrap();
        assert_eq!(f.status.and_then(|s| s.code()), Some(0));
        let pieces = pieces.into_inner().unwrap();
        assert!(pieces.iter().all(|&n| n <= MAX_LINE), "{pieces:?}");
        assert_eq!(pieces.iter().sum::<usize>(), 300_000);
    }

    #[test]
    fn lines_reach_the_sink_while_the_process_still_runs() {
        // The process waits for a file that only the sink creates, on its first line:
        // if lines were held back until the end, it would be killed at the timeout.
        let dir = tempfile::tempdir().unwrap();
        let flag = dir.path().join("seen");
        let sink = |_: Stream, line: &str| {
            if line == "first" {
                std::fs::write(&flag, "").unwrap();
            }
        };
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg("echo first; while [ ! -e \"$1\" ]; do sleep 0.05; done; echo done")
            .arg("sh")
            .arg(&flag);
        let f = run_limited(cmd, None, within(60_000), Some(&sink)).unwrap();
        assert_eq!(f.status.and_then(|s| s.code()), Some(0));
    }
}
