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
    let (many, many_fleet) = fleet_of(n, rtt);
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
    let script_of = |home: &Home, fleet: &Fleet, vms: &[String]| {
        let lines: Vec<String> = vms
            .iter()
            .map(|vm| {
                let p = plain_capture(home, fleet, vm);
                let argv: Vec<String> = std::iter::once(p.get_program())
                    .chain(p.get_args())
                    .map(|a| a.to_string_lossy().into_owned())
                    .collect();
                format!("{} >/dev/null &", azlin_core::quote::shell_join(&argv))
            })
            .collect();
        format!("{}\nwait", lines.join("\n"))
    };
    let sh = |home: &Home, script: &str| {
        let mut c = home.command("sh");
        c.arg("-c").arg(script);
        c
    };
    let one_ssh = plain_capture(&one, &one_fleet, "vm1");
    let one_args: Vec<std::ffi::OsString> = one_ssh.get_args().map(|a| a.to_owned()).collect();
    report(
        "ssh capture-pane one",
        time(runs, || {
            let mut c = one.command("ssh");
            c.args(&one_args);
            c
        }),
    );
    // The harness's own floor for `peek --all`: the same plain ssh to every VM at once
    // (as `xargs -P` would), over the same shared connections. The fake VMs share this
    // machine's cores with the client, so 32 VMs cost more than one even without azlin.
    let vms: Vec<String> = (1..=n).map(|i| format!("vm{i}")).collect();
    let all_script = script_of(&many, &many_fleet, &vms);
    report(
        "ssh capture-pane all n",
        time(runs, || sh(&many, &all_script)),
    );
}

/// Plain ssh through the same ControlPath socket azlin shares for `vm` (`%C` hashes the
/// same host, port and user); the key and host-key options only matter if it is not there.
fn plain_capture(home: &Home, fleet: &Fleet, vm: &str) -> Command {
    let resolved: serde_json::Value =
        serde_json::from_str(&home.ok(&["resolve", vm, "--format", "json"])).unwrap();
    let port = resolved["port"].to_string();
    let control = format!("ControlPath={}/.ssh/cm/%C", home.path().display());
    let mut c = home.command("ssh");
    c.args(["-F", "none", "-T", "-o", "BatchMode=yes", "-o", &control])
        .args(["-o", "ControlMaster=auto", "-o", "ControlPersist=60"])
        .args([
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
        ])
        .arg("-i")
        .arg(fleet.key())
        .args(["-p", &port, "-l", fleet.user(), "127.0.0.1"])
        .arg("tmux capture-pane -p -J -t =work: -S -20");
    c
}
