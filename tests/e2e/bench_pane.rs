//! The `peek` benchmark run by `bench/run` (ignored in the normal test run: it measures,
//! and tests never assert on wall-clock speed).
//!
//! Over `BENCH_VMS` fake VMs (default 32) behind relays adding `BENCH_RTT_MS` (default 100)
//! of round-trip time, with shared connections: `azlin peek --all -n 1` over all of them
//! against the same over one VM, and one `azlin peek vm1:work` against a plain
//! `ssh … tmux capture-pane` through the same shared connection. Prints one
//! `BENCH {json}` line per measurement, as `bench_list` does.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::fleet::Fleet;
use crate::support::{Home, assert_success};

pub(crate) fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub(crate) fn report(name: &str, mut runs: Vec<f64>) {
    runs.sort_by(f64::total_cmp);
    let median = runs[runs.len() / 2];
    println!(
        "BENCH {}",
        serde_json::json!({ "name": name, "median_ms": median, "runs_ms": runs })
    );
}

/// Every run of `cmd()`, in milliseconds, after one warm-up run (which opens the shared
/// connections); each run must succeed.
fn time(runs: usize, mut cmd: impl FnMut() -> Command) -> Vec<f64> {
    let mut once = || {
        let started = Instant::now();
        let out = cmd().stdin(Stdio::null()).output().expect("run");
        assert_success(&out);
        started.elapsed().as_secs_f64() * 1000.0
    };
    once();
    (0..runs).map(|_| once()).collect()
}

/// A fleet of `n` VMs, each with session `work`, created through azlin.
pub(crate) fn fleet_of(n: usize, rtt: Duration) -> (Home, Fleet) {
    let home = Home::new();
    let names: Vec<String> = (1..=n).map(|i| format!("vm{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let fleet = Fleet::start_with_latency(&home, &refs, rtt);
    for name in &refs {
        home.ok(&["ssh", name, "--tmux-session", "work"]);
    }
    (home, fleet)
}

#[test]
#[ignore = "benchmark: run bench/run"]
fn bench_peek() {
    let runs = env_or("BENCH_RUNS", 5).max(1) as usize;
    let n = env_or("BENCH_VMS", 32).max(2) as usize;
    let rtt = Duration::from_millis(env_or("BENCH_RTT_MS", 100));
    let (one, one_fleet) = fleet_of(1, rtt);
    let (many, _many_fleet) = fleet_of(n, rtt);
    let azlin = |home: &Home, args: &[&str]| {
        let mut c = home.command(env!("CARGO_BIN_EXE_azlin"));
        c.args(args);
        c
    };
    report(
        "peek all 1",
        time(runs, || azlin(&one, &["peek", "--all", "-n", "1"])),
    );
    report(
        "peek all n",
        time(runs, || azlin(&many, &["peek", "--all", "-n", "1"])),
    );
    report(
        "peek one",
        time(runs, || azlin(&one, &["peek", "vm1:work"])),
    );
    // Plain ssh through the same ControlPath socket azlin shares (`%C` hashes the same
    // host, port and user); the key and host-key options only matter if it is not there.
    let resolved: serde_json::Value =
        serde_json::from_str(&one.ok(&["resolve", "vm1", "--format", "json"])).unwrap();
    let port = resolved["port"].to_string();
    let control = format!("ControlPath={}/.ssh/cm/%C", one.path().display());
    report(
        "ssh capture-pane one",
        time(runs, || {
            let mut c = one.command("ssh");
            c.args(["-F", "none", "-T", "-o", "BatchMode=yes", "-o", &control])
                .args(["-o", "ControlMaster=auto", "-o", "ControlPersist=60"])
                .args([
                    "-o",
                    "StrictHostKeyChecking=no",
                    "-o",
                    "UserKnownHostsFile=/dev/null",
                ])
                .arg("-i")
                .arg(one_fleet.key())
                .args(["-p", &port, "-l", one_fleet.user(), "127.0.0.1"])
                .arg("tmux capture-pane -p -J -t =work: -S -20");
            c
        }),
    );
}
