//! The `azlin ui` benchmark run by `bench/run` (ignored in the normal test run: it
//! measures, and tests never assert on wall-clock speed).
//!
//! Over `BENCH_VMS` fake VMs (default 32), each with session `work`, behind relays adding
//! `BENCH_RTT_MS` (default 100) of round-trip time, with shared connections (opened by a
//! warm-up `azlin list`), in one real terminal (a local tmux pane running a shell):
//!
//! - `ui start`: from typing `azlin ui` to its first full table (the status line counts
//!   every session), against `list`: from typing `azlin list` to its last line.
//!   Both are seen the same way, by reading the pane every few milliseconds.
//! - `ui key`: from sending `j` or `k` to the selection mark moving on the screen, each
//!   sent while the status line says a refresh is in flight (`--interval 1s`, so one
//!   nearly always is). It includes tmux's send-keys and capture-pane, so it is an upper
//!   bound of the dashboard's own latency.
//!
//! Prints one `BENCH {json}` line per measurement, as `bench_pane` does. `BENCH_AZLIN_UI`
//! names another `azlin-ui` to measure (a release one from a debug test build).

use std::time::{Duration, Instant};

use crate::bench_pane::{env_or, fleet_of, report};
use crate::support::terminal::Terminal;

/// Waits (bounded) for `check` on the screen, reading it as often as tmux answers;
/// returns the time it held, or panics with the screen.
fn until(term: &Terminal, what: &str, mut check: impl FnMut(&str) -> bool) -> Instant {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let screen = term.screen();
        if check(&screen) {
            return Instant::now();
        }
        assert!(
            Instant::now() < deadline,
            "no {what} on the screen:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Quits the dashboard and waits for the shell's `ui-done-N`: the typed command line only
/// holds `$((…))`, so this is the shell's output, after the dashboard gave the terminal
/// back (keys typed before that would reach the raw-mode terminal, Enter as a bare CR).
fn quit(term: &Terminal, n: usize) {
    term.send_keys(&["q"]);
    until(term, "the dashboard's end", |s| {
        s.contains(&format!("ui-done-{n}"))
    });
}

/// The screen row that holds the selection mark.
fn marked_row(screen: &str) -> Option<usize> {
    screen.lines().position(|l| l.contains('▶'))
}

#[test]
#[ignore = "benchmark: run bench/run"]
fn bench_ui() {
    let runs = env_or("BENCH_RUNS", 5).max(1) as usize;
    let keys = env_or("BENCH_KEYS", 40).max(1) as usize;
    let n = env_or("BENCH_VMS", 32).max(2) as usize;
    let rtt = Duration::from_millis(env_or("BENCH_RTT_MS", 100));
    let (home, _fleet) = fleet_of(n, rtt);
    home.install_shipped_plugins();
    // `BENCH_AZLIN_UI=path/to/release/azlin-ui`: measure a release dashboard from a debug
    // test build (bench/run builds everything in release and needs no such thing).
    if let Some(ui) = std::env::var_os("BENCH_AZLIN_UI") {
        let link = home.plugin_dir().join("azlin-ui");
        std::fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(ui, &link).unwrap();
    }
    home.ok(&["list"]); // opens the shared connections
    let path = std::env::var("PATH").unwrap_or_default();
    let term = Terminal::run(
        "PS1='$ ' exec sh",
        &[
            ("HOME", &home.path().to_string_lossy()),
            ("AZLIN_HOME", &home.azlin_home().to_string_lossy()),
            ("PATH", &path),
            ("NO_COLOR", "1"),
        ],
    );
    let azlin = env!("CARGO_BIN_EXE_azlin");
    let full_table = format!("· {n} sessions");
    let type_line = |line: &str| {
        term.send_keys(&["-l", line]);
        term.send_keys(&["Enter"]);
    };

    let mut list = Vec::new();
    let mut json = Vec::new();
    let mut ui = Vec::new();
    for i in 0..runs {
        type_line("clear");
        until(&term, "prompt", |s| s.trim() == "$");
        let started = Instant::now();
        type_line(&format!(
            "{azlin} list --all --format json >/dev/null; echo json-done-{i}"
        ));
        let done = until(&term, "list's end", |s| {
            s.contains(&format!("\njson-done-{i}"))
        });
        json.push((done - started).as_secs_f64() * 1000.0);

        type_line("clear");
        until(&term, "prompt", |s| s.trim() == "$");
        let started = Instant::now();
        type_line(&format!("{azlin} list; echo list-done-{i}"));
        let done = until(&term, "list's end", |s| {
            s.contains(&format!("\nlist-done-{i}"))
        });
        list.push((done - started).as_secs_f64() * 1000.0);

        type_line("clear");
        until(&term, "prompt", |s| s.trim() == "$");
        let started = Instant::now();
        type_line(&format!(
            "{azlin} ui --interval 10m; echo ui-done-$(({i}+1000))"
        ));
        let done = until(&term, "full table", |s| s.contains(&full_table));
        ui.push((done - started).as_secs_f64() * 1000.0);
        quit(&term, i + 1000);
    }
    report("list start", list);
    report("list json start", json);
    report("ui start", ui);

    // Key to redraw: with nothing in flight (the baseline: tmux's own share), then each
    // key sent while a listing is in flight.
    for (name, interval, busy) in [
        ("ui key idle", "10m --no-marks", false),
        ("ui key during refresh", "1s", true),
    ] {
        type_line("clear");
        until(&term, "prompt", |s| s.trim() == "$");
        let b = u8::from(busy);
        type_line(&format!(
            "{azlin} ui --interval {interval}; echo ui-done-$((2000+{b}))"
        ));
        until(&term, "full table", |s| s.contains(&full_table));
        let mut latencies = Vec::new();
        for i in 0..keys {
            if busy {
                until(&term, "a refresh in flight", |s| s.contains("refreshing…"));
            }
            let row = marked_row(&term.screen());
            let key = if i % 2 == 0 { "j" } else { "k" };
            let sent = Instant::now();
            term.send_keys(&[key]);
            let moved = until(&term, "the selection move", |s| marked_row(s) != row);
            latencies.push((moved - sent).as_secs_f64() * 1000.0);
        }
        quit(&term, 2000 + usize::from(busy));
        report(name, latencies);
    }
}
