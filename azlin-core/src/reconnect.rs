//! When an interactive `connect` ends, whether to attach again: the policy of connections
//! that survive a dropped network (tmux keeps the work; azlin reattaches by itself).
//!
//! ssh says little when it ends: 0 after a detach or when the session ended (the tmux
//! client exits 0 either way), the remote side's status otherwise, and 255 for its own
//! failures, with a message on stderr. A failure is worth retrying only when the
//! connection was made and then lost (or while it cannot be made again after such a
//! loss); one that retrying cannot fix (authentication, host keys, a name that does not
//! exist, a configuration error) ends at once, whatever came before.

use std::time::Duration;

/// ssh's exit status for its own failures.
pub const SSH_FAILED: i32 = 255;

/// The first wait before attaching again.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(1);

/// The longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// How long azlin keeps trying after a loss unless told otherwise (`--reconnect-for`).
pub const DEFAULT_RECONNECT_FOR: Duration = Duration::from_secs(3600);

/// How one ssh run ended, as far as reattaching goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// Stop and pass this status through: a detach, the session's end, the remote side's
    /// own status.
    Finished(i32),
    /// The connection was lost (or could not be made again): try again.
    Lost,
    /// ssh failed for a reason retrying cannot fix, named here.
    Fatal(&'static str),
}

/// ssh's messages that no retry can fix, and what each means.
const FATAL: [(&str, &str); 12] = [
    ("Permission denied", "authentication failed"),
    ("Too many authentication failures", "authentication failed"),
    (
        "Host key verification failed",
        "the host key did not verify",
    ),
    (
        "REMOTE HOST IDENTIFICATION HAS CHANGED",
        "the host key has changed",
    ),
    ("Name or service not known", "the host name does not exist"),
    (
        "nodename nor servname provided",
        "the host name does not exist",
    ),
    (
        "No address associated with hostname",
        "the host name does not exist",
    ),
    (
        "Unable to negotiate",
        "ssh and the server share no algorithm",
    ),
    (
        "Bad configuration option",
        "the ssh configuration is invalid",
    ),
    (
        "Bad owner or permissions",
        "the ssh configuration is invalid",
    ),
    (
        "Could not resolve hostname",
        "the host name could not be resolved",
    ),
    ("no such identity", "the identity file is missing"),
];

/// Messages of a name lookup that may work again (a network that is changing).
const TRANSIENT_LOOKUP: [&str; 2] = ["Temporary failure in name resolution", "try again"];

/// Classifies one ssh run: its exit status (`None`: killed by a signal), the tail of what
/// it wrote on stderr, and whether it connected (authenticated) this time. `lost_before`
/// says a connection of this run of azlin was lost already: then a failure to connect
/// again is part of the same outage, not a reason to stop.
pub fn classify(status: Option<i32>, stderr: &str, connected: bool, lost_before: bool) -> Ended {
    let Some(code) = status else {
        // ssh killed by a signal: not a network's doing.
        return Ended::Finished(128 + 9);
    };
    if code != SSH_FAILED {
        return Ended::Finished(code);
    }
    let transient = TRANSIENT_LOOKUP.iter().any(|m| stderr.contains(m));
    if !transient && let Some((_, why)) = FATAL.iter().find(|(m, _)| stderr.contains(m)) {
        return Ended::Fatal(why);
    }
    if connected || lost_before {
        Ended::Lost
    } else {
        // Never connected in this run of azlin: the VM is down or misnamed, as today.
        Ended::Finished(code)
    }
}

/// Capped exponential backoff with jitter: about 1 s, 2 s, 4 s … up to 30 s, each drawn
/// from 80–120 % of its step so that many clients do not retry in step.
#[derive(Debug, Clone, Default)]
pub struct Backoff {
    attempt: u32,
}

impl Backoff {
    /// A backoff at its first step.
    pub fn new() -> Backoff {
        Backoff::default()
    }

    /// Back to the first step (after a connection was made again).
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// How many waits have been handed out since the last reset.
    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    /// The step of the next wait, without jitter.
    pub fn step(&self) -> Duration {
        let doubled = FIRST_BACKOFF.saturating_mul(1u32 << self.attempt.min(16));
        doubled.min(MAX_BACKOFF)
    }

    /// The next wait.
    pub fn next_delay(&mut self) -> Duration {
        let step = self.step();
        self.attempt = self.attempt.saturating_add(1);
        step.mul_f64(0.8 + 0.4 * fastrand::f64())
    }
}

/// Tells whether an ssh run connected: ssh runs its `LocalCommand` only after it has
/// connected and authenticated, and this one leaves a file behind.
#[derive(Debug)]
pub struct ConnectedMarker {
    dir: tempfile::TempDir,
}

impl ConnectedMarker {
    /// A marker in a new private temporary directory.
    pub fn new() -> std::io::Result<ConnectedMarker> {
        Ok(ConnectedMarker {
            dir: tempfile::Builder::new()
                .prefix("azlin-connect-")
                .tempdir()?,
        })
    }

    fn file(&self) -> std::path::PathBuf {
        self.dir.path().join("connected")
    }

    /// The ssh options that leave the file once connected (`LocalCommand` takes the rest
    /// of its line as a command for the user's shell, after `%` expansion).
    pub fn ssh_options(&self) -> Vec<(String, String)> {
        let path = crate::ssh::escape_percent(&self.file().to_string_lossy());
        vec![
            ("PermitLocalCommand".into(), "yes".into()),
            (
                "LocalCommand".into(),
                format!("true > {}", crate::quote::shell_quote(&path)),
            ),
        ]
    }

    /// Whether the last run connected; clears the marker for the next one.
    pub fn take(&self) -> bool {
        std::fs::remove_file(self.file()).is_ok()
    }
}

/// The one status line shown while reconnecting.
pub fn status_line(vm: &str, attempt: u32, next: Duration) -> String {
    format!(
        "azlin: connection to {} lost; reconnecting (attempt {attempt}, next in {} s) — Ctrl-C to stop",
        crate::text::escape(vm),
        next.as_secs_f64().ceil() as u64
    )
}

/// One ssh run the [`Driver`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// After a loss: attach again only if the session still exists
    /// (`tmux::reattach`), never create it.
    pub reattach: bool,
    /// The connect timeout to give ssh, seconds: on a reattach a network that is still
    /// down must fail fast, not hang on a SYN; `None` on the first attach (ssh's own).
    pub connect_timeout: Option<u32>,
}

/// What one ssh run did, as the [`Driver`] needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempted {
    /// ssh's exit status (`None`: killed by a signal).
    pub status: Option<i32>,
    /// The tail of what it wrote on stderr.
    pub stderr: String,
    /// Whether it connected (see [`ConnectedMarker`]).
    pub connected: bool,
}

/// Why the [`Driver`] stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// ssh ended with this status and reattaching would not help (a detach, the
    /// session's end, the remote side's status, a VM that never connected). `held`: what a
    /// reattach's ssh wrote, held back from the terminal until it mattered (a failure).
    Finished {
        /// The status to exit with.
        code: i32,
        /// stderr to show now, if any.
        held: Option<String>,
    },
    /// ssh failed for a reason no retry fixes.
    Fatal {
        /// The reason, named.
        why: &'static str,
        /// stderr to show now, if any (see [`Stop::Finished`]).
        held: Option<String>,
    },
    /// The connection stayed lost for the whole `reconnect_for`.
    GaveUp {
        /// How long after the loss.
        after: Duration,
    },
}

impl Stop {
    /// The exit status of azlin: ssh's, or [`SSH_FAILED`] when it did not end by itself.
    pub fn exit_code(&self) -> u8 {
        match self {
            Stop::Finished { code, .. } => (*code).clamp(0, 255) as u8,
            Stop::Fatal { .. } | Stop::GaveUp { .. } => SSH_FAILED as u8,
        }
    }
}

/// The reconnect policy of an interactive attach: attach; when the connection is lost,
/// wait with [`Backoff`] and attach again (to the session only if it still exists, with
/// a connect timeout), the backoff and the clock starting again on every new outage (an
/// attempt that connected), for up to `keep_trying` after the loss.
#[derive(Debug, Clone)]
pub struct Driver {
    keep_trying: Duration,
    connect_timeout: u32,
}

impl Driver {
    /// A driver that keeps trying for `keep_trying` after a loss, giving each reattach a
    /// connect timeout of `connect_timeout` seconds.
    pub fn new(keep_trying: Duration, connect_timeout: u32) -> Driver {
        Driver {
            keep_trying,
            connect_timeout,
        }
    }

    /// Runs attempts until one ends the attach: `attempt` spawns ssh as asked and waits
    /// for it; `pause` shows that it waits (the attempt number and the delay) and waits;
    /// `now` is the clock. An error of `attempt` (ssh could not be spawned) ends it.
    pub fn run<E>(
        &self,
        mut attempt: impl FnMut(Attempt) -> Result<Attempted, E>,
        mut pause: impl FnMut(u32, Duration),
        now: impl Fn() -> std::time::Instant,
    ) -> Result<Stop, E> {
        let mut backoff = Backoff::new();
        let mut lost_at: Option<std::time::Instant> = None;
        loop {
            let reattach = lost_at.is_some();
            let ran = attempt(Attempt {
                reattach,
                connect_timeout: reattach.then_some(self.connect_timeout),
            })?;
            // A reattach's messages were held back: shown only when they matter.
            let held = || reattach.then(|| ran.stderr.clone());
            let ended = classify(ran.status, &ran.stderr, ran.connected, reattach);
            tracing::info!(target: crate::diag::COMMAND, "reconnect: {ended:?}");
            match ended {
                Ended::Finished(code) => {
                    let held = if code != 0 { held() } else { None };
                    return Ok(Stop::Finished { code, held });
                }
                Ended::Fatal(why) => return Ok(Stop::Fatal { why, held: held() }),
                Ended::Lost => {}
            }
            if ran.connected || !reattach {
                // A new outage: its clock and the backoff start again.
                lost_at = Some(now());
                backoff.reset();
            }
            let since = lost_at.map_or(Duration::ZERO, |t| now().duration_since(t));
            if since >= self.keep_trying {
                return Ok(Stop::GaveUp { after: since });
            }
            let delay = backoff.next_delay().min(self.keep_trying - since);
            pause(backoff.attempts(), delay);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_other_than_255_pass_through() {
        assert_eq!(classify(Some(0), "", true, false), Ended::Finished(0));
        assert_eq!(
            classify(Some(1), "can't find session", true, true),
            Ended::Finished(1)
        );
        assert_eq!(classify(None, "", true, false), Ended::Finished(137));
    }

    #[test]
    fn a_lost_connection_is_retried_and_a_fatal_one_is_not() {
        let lost = "Timeout, server 127.0.0.1 not responding.\r\n";
        assert_eq!(classify(Some(255), lost, true, false), Ended::Lost);
        let closed = "Connection to 127.0.0.1 closed by remote host.";
        assert_eq!(classify(Some(255), closed, true, false), Ended::Lost);
        // Refused while the network is still down, after a loss: the same outage.
        let refused = "ssh: connect to host 127.0.0.1 port 4022: Connection refused";
        assert_eq!(classify(Some(255), refused, false, true), Ended::Lost);
        // Refused before anything was ever connected: the VM is down, as without retries.
        assert_eq!(
            classify(Some(255), refused, false, false),
            Ended::Finished(255)
        );
        let denied = "user@127.0.0.1: Permission denied (publickey).";
        assert_eq!(
            classify(Some(255), denied, false, true),
            Ended::Fatal("authentication failed")
        );
        let changed = "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key verification failed.";
        assert!(matches!(
            classify(Some(255), changed, false, true),
            Ended::Fatal(_)
        ));
        let unknown = "ssh: Could not resolve hostname nosuch: Name or service not known";
        assert!(matches!(
            classify(Some(255), unknown, false, true),
            Ended::Fatal(_)
        ));
        let dns_down = "ssh: Could not resolve hostname vm: Temporary failure in name resolution";
        assert_eq!(classify(Some(255), dns_down, false, true), Ended::Lost);
    }

    #[test]
    fn backoff_doubles_to_its_cap_with_jitter_and_resets() {
        let mut b = Backoff::new();
        let steps: Vec<u64> = (0..8)
            .map(|_| {
                let s = b.step().as_secs();
                let d = b.next_delay();
                assert!(d >= b_step_secs(s).mul_f64(0.8) && d <= b_step_secs(s).mul_f64(1.2));
                s
            })
            .collect();
        assert_eq!(steps, [1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(b.attempts(), 8);
        b.reset();
        assert_eq!(b.step(), FIRST_BACKOFF);
    }

    fn b_step_secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn the_status_line_names_the_vm_and_the_next_attempt() {
        assert_eq!(
            status_line("myvm", 3, Duration::from_millis(3500)),
            "azlin: connection to myvm lost; reconnecting (attempt 3, next in 4 s) — Ctrl-C to stop"
        );
    }

    /// A fake ssh: the runs it will have, what the driver asked of each, and a clock
    /// that the pauses (and each run, by `run_takes`) move on.
    struct Script {
        runs: std::collections::VecDeque<Attempted>,
        asked: Vec<Attempt>,
        pauses: Vec<(u32, Duration)>,
    }

    fn ran(status: i32, stderr: &str, connected: bool) -> Attempted {
        Attempted {
            status: Some(status),
            stderr: stderr.into(),
            connected,
        }
    }

    const LOST: &str = "Timeout, server 127.0.0.1 not responding.";
    const REFUSED: &str = "ssh: connect to host 127.0.0.1 port 4022: Connection refused";

    fn drive(keep_trying: Duration, run_takes: Duration, runs: Vec<Attempted>) -> (Stop, Script) {
        let script = std::cell::RefCell::new(Script {
            runs: runs.into(),
            asked: Vec::new(),
            pauses: Vec::new(),
        });
        let start = std::time::Instant::now();
        let clock = std::cell::Cell::new(start);
        let stop = Driver::new(keep_trying, 7)
            .run(
                |a| {
                    clock.set(clock.get() + run_takes);
                    let mut s = script.borrow_mut();
                    s.asked.push(a);
                    s.runs.pop_front().ok_or("no more runs")
                },
                |n, d| {
                    clock.set(clock.get() + d);
                    script.borrow_mut().pauses.push((n, d));
                },
                || clock.get(),
            )
            .unwrap();
        (stop, script.into_inner())
    }

    #[test]
    fn a_detach_ends_at_once_with_its_status() {
        let (stop, s) = drive(
            Duration::from_secs(60),
            Duration::ZERO,
            vec![ran(0, "", true)],
        );
        assert_eq!(
            stop,
            Stop::Finished {
                code: 0,
                held: None
            }
        );
        assert_eq!(stop.exit_code(), 0);
        assert_eq!(
            s.asked,
            [Attempt {
                reattach: false,
                connect_timeout: None
            }]
        );
    }

    #[test]
    fn a_loss_reattaches_with_a_connect_timeout_and_holds_its_messages() {
        let runs = vec![
            ran(255, LOST, true),
            ran(255, REFUSED, false),
            ran(1, "can't find session: dev", true),
        ];
        let (stop, s) = drive(Duration::from_secs(60), Duration::ZERO, runs);
        // The session ended meanwhile: reattach's failure is shown, with its status.
        assert_eq!(
            stop,
            Stop::Finished {
                code: 1,
                held: Some("can't find session: dev".into())
            }
        );
        let reattach = Attempt {
            reattach: true,
            connect_timeout: Some(7),
        };
        assert_eq!(s.asked[1..], [reattach, reattach]);
        // Waits numbered 1, 2 after the loss (about 1 s, then 2 s).
        let numbers: Vec<u32> = s.pauses.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, [1, 2]);
        assert!(s.pauses[1].1 > s.pauses[0].1, "{:?}", s.pauses);
    }

    #[test]
    fn a_new_outage_starts_the_backoff_again_and_a_fatal_failure_stops() {
        let runs = vec![
            ran(255, LOST, true),
            ran(255, REFUSED, false),
            ran(255, REFUSED, false),
            // Connected again, then lost again: a new outage.
            ran(255, LOST, true),
            ran(255, "user@127.0.0.1: Permission denied (publickey).", false),
        ];
        let (stop, s) = drive(Duration::from_secs(600), Duration::ZERO, runs);
        let numbers: Vec<u32> = s.pauses.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, [1, 2, 3, 1]);
        assert!(matches!(
            stop,
            Stop::Fatal {
                why: "authentication failed",
                held: Some(_)
            }
        ));
        assert_eq!(stop.exit_code(), 255);
    }

    #[test]
    fn it_gives_up_after_reconnect_for_counting_the_time_attempts_take() {
        // Each failed reattach takes 10 s; 45 s after the loss it gives up, its last wait
        // cut to what is left.
        let runs = std::iter::once(ran(255, LOST, true))
            .chain(std::iter::repeat_n(ran(255, REFUSED, false), 20))
            .collect();
        let (stop, s) = drive(Duration::from_secs(45), Duration::from_secs(10), runs);
        let Stop::GaveUp { after } = stop else {
            panic!("{stop:?}");
        };
        assert!(after >= Duration::from_secs(45), "{after:?}");
        let waited: Duration = s.pauses.iter().map(|(_, d)| *d).sum();
        let tried = Duration::from_secs(10) * (s.asked.len() as u32 - 1);
        assert_eq!(after, waited + tried);
        assert!(s.asked.len() < 8, "{}", s.asked.len());
    }

    #[test]
    fn a_vm_that_never_connected_ends_as_ssh_did() {
        let (stop, s) = drive(
            Duration::from_secs(60),
            Duration::ZERO,
            vec![ran(255, REFUSED, false)],
        );
        assert_eq!(
            stop,
            Stop::Finished {
                code: 255,
                held: None
            }
        );
        assert!(s.pauses.is_empty());
    }
}
