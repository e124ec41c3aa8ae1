//! SIGINT, SIGTERM and SIGHUP while azlin runs processes of its own (ssh to a fleet):
//! the signal is recorded instead of ending azlin at once, so that every bounded process
//! is ended first (see [`crate::fleet`]), the summary so far is printed, and azlin exits
//! with 128 + the signal's number. A supervisor that signals azlin alone (systemd,
//! `kill PID`), not its process group, must not leave its ssh children behind.
//!
//! The handlers are installed only while a bounded process runs ([`Watch`]): at any
//! other moment the signal's default action ends azlin, which then has no child to leave.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, Ordering};

/// The signal received while a [`Watch`] was held (0: none).
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// How many [`Watch`]es are held.
static WATCHERS: Mutex<usize> = Mutex::new(0);

/// The signals that end a run.
#[cfg(unix)]
const SIGNALS: [i32; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// The signal that asked azlin to stop, if one did.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        sig => Some(sig),
    }
}

/// The exit status after `signal`, as shells report it (SIGINT 130, SIGTERM 143, SIGHUP 129).
pub fn exit_status(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(1)
}

/// The usual name of `signal`, for messages.
pub fn name(signal: i32) -> String {
    #[cfg(unix)]
    match signal {
        libc::SIGINT => return "SIGINT".into(),
        libc::SIGTERM => return "SIGTERM".into(),
        libc::SIGHUP => return "SIGHUP".into(),
        _ => {}
    }
    format!("signal {signal}")
}

/// While held, the signals are recorded (see [`received`]) instead of ending azlin.
pub struct Watch(());

impl Watch {
    /// Starts watching (the first watcher installs the handlers).
    pub fn start() -> Watch {
        let mut n = WATCHERS.lock().unwrap_or_else(|e| e.into_inner());
        if *n == 0 {
            install(true);
        }
        *n += 1;
        Watch(())
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let mut n = WATCHERS.lock().unwrap_or_else(|e| e.into_inner());
        *n = n.saturating_sub(1);
        // Once a signal came, the handlers stay: azlin is on its way out, printing what
        // it has, and a second signal must not cut that short.
        if *n == 0 && received().is_none() {
            install(false);
        }
    }
}

#[cfg(unix)]
extern "C" fn record(signal: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    RECEIVED.store(signal, Ordering::SeqCst);
}

/// Installs the recording handler (`on`) or restores the default action.
#[cfg(unix)]
fn install(on: bool) {
    for sig in SIGNALS {
        // SAFETY: a zeroed sigaction is valid; the handler only stores an atomic.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = if on {
                record as extern "C" fn(libc::c_int) as libc::sighandler_t
            } else {
                libc::SIG_DFL
            };
            libc::sigemptyset(&mut action.sa_mask);
            action.sa_flags = libc::SA_RESTART;
            libc::sigaction(sig, &action, std::ptr::null_mut());
        }
    }
}

#[cfg(not(unix))]
fn install(_on: bool) {}

/// Sends `signal` to process `pid` (forwarding what azlin received).
#[cfg(unix)]
pub fn forward(pid: u32, signal: i32) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: kill(2) has no memory effects; a pid that is gone gives ESRCH.
        unsafe {
            libc::kill(pid, signal);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_the_shells() {
        assert_eq!(exit_status(2), 130);
        assert_eq!(exit_status(15), 143);
        assert_eq!(exit_status(1), 129);
    }
}
