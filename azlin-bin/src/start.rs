//! Process start-up, done by azlin itself on Linux with glibc instead of by std's
//! generated `main` (elsewhere std's start-up runs as usual).
//!
//! `azlin foo` is a plugin dispatch: it should cost little more than the `exec` it ends
//! in (issue 5: ≤ 1 ms over running `azlin-foo` directly). Std's start-up runs before any
//! line of azlin's and, on glibc, learns the main thread's stack bounds from
//! `pthread_getattr_np`, which reads and parses `/proc/self/maps`, then maps an alternate
//! signal stack: all of it only to print a "stack overflow" message, and a measurable part
//! of that budget (bench/NOTES.md). So there the binary is `#![no_main]`: `main.rs`
//! defines C's `main`, which calls [`runtime`] (the part of std's start-up azlin needs, a
//! handful of system calls) and then goes on as before: the start-up fast paths (see
//! `fast_path`), clap, the command. What azlin gives up is std's stack overflow message
//! (an overflow still stops the process, with SIGSEGV) and the name `main` of the main
//! thread in panic messages.

/// Does what std's start-up does that the rest of azlin relies on: standard descriptors
/// that are open, and SIGPIPE ignored (a write to a closed pipe returns an error, which
/// azlin reports, instead of killing it; std's `Command` restores the default in every
/// child it starts, as it did before).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[cfg_attr(test, allow(dead_code))]
pub fn runtime() {
    reopen_closed_standard_fds();
    // SAFETY: `signal` with SIG_IGN installs no handler; nothing else runs yet.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

/// Opens `/dev/null` on each of descriptors 0, 1 and 2 that is closed, as std's start-up
/// (and git's) does: otherwise the next file azlin opens (a generated ssh config, say)
/// would get number 1, and whatever azlin prints would land in it. A plugin gets them
/// open too.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[cfg_attr(test, allow(dead_code))]
fn reopen_closed_standard_fds() {
    for fd in 0..=2 {
        // SAFETY: F_GETFD only reads the descriptor's flags; a closed one gives EBADF.
        let closed = unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF);
        if !closed {
            continue;
        }
        // SAFETY: a NUL-terminated path; open returns the lowest free descriptor, which is
        // `fd`, since the ones below it are open by now.
        let opened = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
        if opened != fd {
            // As std does: running on with a standard descriptor that may alias a file
            // azlin writes is worse than stopping.
            std::process::abort();
        }
    }
}

/// `pow`, the one function of libm that azlin's dependencies use (indicatif's rate
/// estimate), defined in the executable from the `libm` crate (rust-lang's port of musl's
/// libm): the linker then has no use for `libm.so.6` and leaves it out, and every start
/// of azlin maps one shared library less (14 page faults, measured on the exec floor; see
/// bench/NOTES.md). If another dependency starts to use libm, libm.so comes back and
/// only the saving is lost; one that defines its own `pow` (C code, a static libm) makes
/// the link fail with a duplicate symbol, and then this function should go. The linker
/// exports it (libm.so on the link line defines the same name), so a shared library
/// loaded later that calls `pow` gets this one, which sets no `errno` and ignores the
/// rounding mode; nothing azlin loads does.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[unsafe(no_mangle)]
pub extern "C" fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    #[test]
    fn pow_is_the_usual_pow() {
        assert_eq!(super::pow(2.0, 10.0), 1024.0);
        assert_eq!(super::pow(9.0, 0.5), 3.0);
        // (`f64::powf` would call this very function: compare with known values.)
        assert!((super::pow(0.9, 2.5) - 0.768_433_471_420_916_2).abs() < 1e-15);
        assert!((super::pow(10.0, -3.5) - 0.000_316_227_766_016_837_94).abs() < 1e-18);
    }
}
