//! Bounded concurrent fan-out: run one job per VM on at most `jobs` threads, each
//! process bounded by a timeout. Plain threads: a fan-out of a few hundred ssh processes
//! needs no async runtime, and azlin's start-up stays instant.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Default bound on concurrent jobs of a multi-target `exec` (`--jobs`).
pub const DEFAULT_JOBS: usize = 16;

/// The bound for work that should run on every VM at once (`list`, fleet probes): high
/// enough that a fleet's probes overlap, low enough that the two pipes per ssh stay well
/// inside the usual limit of 1,024 open files.
pub const ALL_AT_ONCE: usize = 128;

/// Runs `job` on every item with at most `jobs` running at once; results keep the order
/// of `items`.
pub fn fan_out<T, R, F>(items: &[T], jobs: usize, job: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let workers = jobs.max(1).min(items.len());
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = job(item);
                    if let Ok(mut slots) = results.lock() {
                        slots[i] = Some(r);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

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

/// How a bounded process ended.
#[derive(Debug)]
pub struct Finished {
    /// Its exit status; `None` when it was killed at the timeout.
    pub status: Option<ExitStatus>,
    /// Standard output (empty when a sink took the lines).
    pub stdout: Vec<u8>,
    /// Standard error (empty when a sink took the lines).
    pub stderr: Vec<u8>,
}

/// Runs `cmd` with `stdin` as its input (none: `/dev/null`), its output collected or,
/// with a `sink`, passed on line by line; kills it when `timeout` passes.
pub fn run_bounded(
    cmd: Command,
    stdin: Option<&[u8]>,
    timeout: Option<Duration>,
    sink: Option<LineSink<'_>>,
) -> io::Result<Finished> {
    // `-v` logs every command line with its status and duration (crate::diag).
    let log = crate::diag::CommandLog::start(&cmd);
    let result = run_bounded_unlogged(cmd, stdin, timeout, sink);
    log.finish(|| match &result {
        Ok(done) => crate::diag::exit_outcome(done.status),
        Err(e) => format!("cannot start: {e}"),
    });
    result
}

fn run_bounded_unlogged(
    mut cmd: Command,
    stdin: Option<&[u8]>,
    timeout: Option<Duration>,
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
    let deadline = timeout.map(|t| Instant::now() + t);
    std::thread::scope(|scope| {
        if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
            // A remote side that stops reading must not block the rest.
            scope.spawn(move || {
                let _ = pipe.write_all(input);
            });
        }
        let (tx, rx) = mpsc::channel::<(Stream, Vec<u8>)>();
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
            std::thread::spawn(move || read_lines(which, pipe, &tx, by_line));
        }
        drop(tx);
        let mut out = Finished {
            status: None,
            stdout: Vec::new(),
            stderr: Vec::new(),
        };
        // Deliver lines as they arrive while watching the process and its deadline;
        // once it has ended, give the pipes a moment to drain, then stop.
        let mut ended: Option<Instant> = None;
        let mut closed = 0;
        loop {
            match rx.recv_timeout(Duration::from_millis(10)) {
                Ok((_, chunk)) if chunk.is_empty() => closed += 1,
                Ok((which, chunk)) => match sink {
                    Some(f) => f(
                        which,
                        String::from_utf8_lossy(&chunk).trim_end_matches('\n'),
                    ),
                    None => match which {
                        Stream::Stdout => out.stdout.extend(chunk),
                        Stream::Stderr => out.stderr.extend(chunk),
                    },
                },
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => closed = open,
            }
            match ended {
                None => {
                    if let Some(status) = child.try_wait()? {
                        out.status = Some(status);
                        ended = Some(Instant::now());
                    } else if deadline.is_some_and(|d| Instant::now() >= d) {
                        let _ = child.kill();
                        let _ = child.wait();
                        ended = Some(Instant::now());
                    }
                }
                Some(at) => {
                    if closed >= open || at.elapsed() > Duration::from_secs(2) {
                        break;
                    }
                }
            }
        }
        Ok(out)
    })
}

/// Sends chunks (whole lines when `by_line`) and finally an empty chunk for end of file.
fn read_lines(
    which: Stream,
    pipe: Box<dyn Read + Send>,
    tx: &mpsc::Sender<(Stream, Vec<u8>)>,
    by_line: bool,
) {
    let mut reader = BufReader::new(pipe);
    loop {
        let mut buf = Vec::new();
        let n = if by_line {
            reader.read_until(b'\n', &mut buf)
        } else {
            reader.read_to_end(&mut buf)
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

    #[test]
    fn fan_out_keeps_order_and_bounds_concurrency() {
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let items: Vec<u32> = (0..20).collect();
        let out = fan_out(&items, 4, |i| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(5));
            running.fetch_sub(1, Ordering::SeqCst);
            i * 2
        });
        assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert!(peak.load(Ordering::SeqCst) <= 4);
    }

    #[test]
    fn run_bounded_collects_feeds_and_times_out() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "cat; echo err >&2; exit 3"]);
        let f = run_bounded(cmd, Some(b"in\n"), Some(Duration::from_secs(30)), None).unwrap();
        assert_eq!(f.status.unwrap().code(), Some(3));
        assert_eq!(f.stdout, b"in\n");
        assert_eq!(f.stderr, b"err\n");

        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        let f = run_bounded(cmd, None, Some(Duration::from_millis(200)), None).unwrap();
        assert!(f.status.is_none(), "killed at the timeout");

        let lines = Mutex::new(Vec::new());
        let sink = |s: Stream, l: &str| lines.lock().unwrap().push((s, l.to_string()));
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo a; echo b"]);
        run_bounded(cmd, None, None, Some(&sink)).unwrap();
        assert_eq!(
            lines.into_inner().unwrap(),
            vec![(Stream::Stdout, "a".into()), (Stream::Stdout, "b".into())]
        );
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
        let f = run_bounded(cmd, None, Some(Duration::from_secs(60)), Some(&sink)).unwrap();
        assert_eq!(f.status.and_then(|s| s.code()), Some(0));
    }
}
