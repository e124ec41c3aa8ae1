//! The reconnect benchmark run by `bench/run` (ignored in the normal test run: it
//! measures, and tests never assert on wall-clock speed).
//!
//! `azlin connect` in a real terminal through a relay that is cut for 5 s and restored,
//! `BENCH_RUNS` times (default 5): the time from the restore to the session's client being
//! attached again, beside the backoff step the status line showed at the restore. Prints
//! one `BENCH {json}` line, as `bench_list` does.

use std::time::{Duration, Instant};

use crate::support::Home;
use crate::support::terminal::Terminal;

#[test]
#[ignore = "benchmark: run bench/run"]
fn bench_reconnect() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let home = Home::new();
    let (fleet, relay) = crate::sessions_reconnect::flaky(&home);
    let vm = fleet.vm("myvm");
    let term = Terminal::azlin(&home, "connect flaky:dev");
    crate::sessions_reconnect::attached_within(&term, vm, Duration::from_secs(60));
    let mut reattach_ms = Vec::new();
    let mut step_s = Vec::new();
    for _ in 0..runs {
        relay.cut();
        term.expect_text(Duration::from_secs(30), "reconnecting (attempt");
        std::thread::sleep(Duration::from_secs(5));
        // The wait in force when the VM comes back: "next in N s" of the status line.
        let screen = term.screen();
        let step = screen
            .rsplit("next in ")
            .next()
            .and_then(|t| t.split(' ').next())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
        relay.restore();
        let restored = Instant::now();
        let back = term.wait_for(Duration::from_secs(60), || vm.attached("dev") >= 1);
        assert!(back, "not reattached:\n{}", term.screen());
        reattach_ms.push(restored.elapsed().as_secs_f64() * 1000.0);
        step_s.push(step);
        // Let the reattached client settle before the next cut.
        std::thread::sleep(Duration::from_secs(1));
    }
    let mut sorted = reattach_ms.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "BENCH {}",
        serde_json::json!({
            "name": "reconnect",
            "median_ms": sorted[sorted.len() / 2],
            "runs_ms": reattach_ms,
            "backoff_step_s": step_s,
        })
    );
}
