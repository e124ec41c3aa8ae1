//! The fan-out benchmark run by `bench/run` (ignored in the normal test run: it measures,
//! and tests never assert on wall-clock speed).
//!
//! `azlin list` and a multi-target `azlin exec` over `BENCH_VMS` fake VMs (default 32)
//! against the same over one VM, and `list` over `BENCH_SMALL_VMS` (default 8, the fleet
//! size of issue 3's "about as long as one VM"), every VM behind a relay adding `BENCH_RTT_MS` (default
//! 100) of round-trip time. Beside them the baseline: the same VMs reached by plain ssh,
//! `BENCH_VMS` at once (`xargs -P`), running `tmux list-sessions` and `echo ok`. Prints one `BENCH {json}` line per measurement, which
//! `bench/run` collects: the median and every run in milliseconds.

use std::time::{Duration, Instant};

use crate::support::fleet::Fleet;
use crate::support::{Home, assert_success};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Every run of `args` in `home`, in milliseconds, after `warmups` untimed runs (with
/// shared connections, the first run opens them: the figure is about reusing them);
/// `check` sees each output.
fn time_runs(
    home: &Home,
    runs: usize,
    warmups: usize,
    args: &[&str],
    check: impl Fn(&str),
) -> Vec<f64> {
    for _ in 0..warmups {
        check(&home.ok(args));
    }
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            let out = home.ok(args);
            let took = started.elapsed().as_secs_f64() * 1000.0;
            check(&out);
            took
        })
        .collect()
}

fn report(name: &str, mut runs: Vec<f64>) {
    runs.sort_by(f64::total_cmp);
    let median = runs[runs.len() / 2];
    println!(
        "BENCH {}",
        serde_json::json!({ "name": name, "median_ms": median, "runs_ms": runs })
    );
}

fn fleet_of(n: usize, rtt: Duration) -> (Home, Fleet, Vec<String>) {
    let home = Home::new();
    let names: Vec<String> = (1..=n).map(|i| format!("vm{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let fleet = Fleet::start_with_latency(&home, &refs, rtt);
    for name in &refs {
        fleet.vm(name).new_session("work", None);
    }
    let targets = names.iter().map(|n| format!("{n}:work")).collect();
    (home, fleet, targets)
}

/// Shares no connections (a file where `~/.ssh/cm` would be), or starts with none shared.
fn set_sharing(home: &Home, share: bool) {
    let cm = home.path().join(".ssh/cm");
    let _ = std::fs::remove_dir_all(&cm);
    let _ = std::fs::remove_file(&cm);
    if !share {
        std::fs::create_dir_all(home.path().join(".ssh")).unwrap();
        std::fs::write(&cm, "").unwrap();
    }
}

/// An ssh config for the baseline: one `Host` block per VM of `home` with the connection
/// options azlin gives its own ssh (address, port, user, key, known_hosts, batch mode),
/// sharing connections through `cm` when `share` (as azlin does through `~/.ssh/cm`).
/// Absolute paths only: ssh expands `~` from the password database, not from `HOME`.
fn baseline_config(home: &Home, share: bool) -> std::path::PathBuf {
    let listed = home.ok(&["host", "list", "--format", "json"]);
    let hosts: Vec<serde_json::Value> = serde_json::from_str(&listed).unwrap();
    let cm = home.path().join(".ssh/cm-baseline");
    let _ = std::fs::remove_dir_all(&cm);
    std::fs::create_dir_all(&cm).unwrap();
    let mut text = String::new();
    for h in &hosts {
        let field = |k: &str| h[k].as_str().map(str::to_string).unwrap_or_default();
        text.push_str(&format!(
            "Host {}\n  HostName {}\n  Port {}\n  User {}\n  IdentityFile {}\n  IdentitiesOnly yes\n  \
             UserKnownHostsFile {}\n  StrictHostKeyChecking accept-new\n  BatchMode yes\n",
            field("name"),
            field("address"),
            h["port"],
            field("user"),
            field("identity_file"),
            home.azlin_home().join("known_hosts_baseline").display(),
        ));
        if share {
            text.push_str(&format!(
                "  ControlMaster auto\n  ControlPath {}/%C\n  ControlPersist 60\n",
                cm.display()
            ));
        }
    }
    let path = home.path().join(format!("baseline-{share}.conf"));
    std::fs::write(&path, text).unwrap();
    path
}

/// Every run of the baseline, in milliseconds: `remote` on every VM of `home` by plain
/// ssh, all started at once by `xargs -P`; `check` sees the combined stdout.
fn time_baseline(
    home: &Home,
    runs: usize,
    vms: &[String],
    share: bool,
    remote: &str,
    check: impl Fn(&str),
) -> Vec<f64> {
    let config = baseline_config(home, share);
    let script = format!(
        "xargs -P {} -I VM ssh -F {} -T VM {remote}",
        vms.len(),
        config.display()
    );
    let input = vms.iter().map(|v| format!("{v}\n")).collect::<String>();
    // As for azlin (`time_runs`): with sharing, one untimed run opens the connections.
    (0..runs + usize::from(share))
        .map(|_| {
            use std::io::Write;
            let started = Instant::now();
            let mut child = home
                .command("sh")
                .arg("-c")
                .arg(&script)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            let took = started.elapsed().as_secs_f64() * 1000.0;
            assert_success(&out);
            check(&String::from_utf8_lossy(&out.stdout));
            took
        })
        .skip(usize::from(share))
        .collect()
}

#[test]
#[ignore = "benchmark: run bench/run"]
fn bench_fanout() {
    let runs = env_or("BENCH_RUNS", 5).max(1) as usize;
    let n = env_or("BENCH_VMS", 32).max(2) as usize;
    let rtt = Duration::from_millis(env_or("BENCH_RTT_MS", 100));
    let (one, _one_fleet, one_targets) = fleet_of(1, rtt);
    let (many, _many_fleet, many_targets) = fleet_of(n, rtt);
    let small_n = env_or("BENCH_SMALL_VMS", 8).max(2) as usize;
    let (small, _small_fleet, _) = fleet_of(small_n, rtt);
    let jobs = n.to_string();
    let many_vms: Vec<String> = (1..=n).map(|i| format!("vm{i}")).collect();
    for share in [false, true] {
        let conn = if share { "shared" } else { "fresh" };
        // The baseline of the fan-out: the same n VMs, no azlin.
        let rows = time_baseline(&many, runs, &many_vms, share, "tmux list-sessions", |out| {
            assert_eq!(out.matches("work:").count(), n, "one session per VM: {out}");
        });
        report(&format!("baseline list {conn} n"), rows);
        let rows = time_baseline(&many, runs, &many_vms, share, "echo ok", |out| {
            assert_eq!(out.matches("ok").count(), n, "one line per VM: {out}");
        });
        report(&format!("baseline exec {conn} n"), rows);
        set_sharing(&one, share);
        set_sharing(&many, share);
        set_sharing(&small, share);
        let warmups = usize::from(share);
        let rows = time_runs(
            &small,
            runs,
            warmups,
            &["list", "--format", "json"],
            |out| {
                let v: serde_json::Value = serde_json::from_str(out).unwrap();
                assert_eq!(v.as_array().unwrap().len(), small_n, "one session per VM");
            },
        );
        report(&format!("list {conn} small"), rows);
        for (label, home, vms) in [("1", &one, 1), ("n", &many, n), ("n-jobs", &many, n)] {
            let mut list = vec!["list", "--format", "json"];
            if label == "n-jobs" {
                list.extend(["--jobs", &jobs]);
            }
            let rows = time_runs(home, runs, warmups, &list, |out| {
                let v: serde_json::Value = serde_json::from_str(out).unwrap();
                assert_eq!(v.as_array().unwrap().len(), vms, "one session per VM");
            });
            report(&format!("list {conn} {label}"), rows);

            let targets = if vms == 1 {
                &one_targets
            } else {
                &many_targets
            };
            let mut exec: Vec<&str> = vec!["exec", "-n"];
            if label == "n-jobs" {
                exec.extend(["--jobs", &jobs]);
            }
            exec.extend(targets.iter().map(String::as_str));
            exec.extend(["--", "echo", "ok"]);
            let rows = time_runs(home, runs, warmups, &exec, |out| {
                assert_eq!(out.matches("ok").count(), vms, "one line per target: {out}");
            });
            report(&format!("exec {conn} {label}"), rows);
        }
    }
}
