//! azlin against VMs that misbehave and under concurrent use: every remote operation keeps
//! its deadline, memory stays bounded, a signal ends every ssh azlin started, a removed
//! host is never written back, and bad names fail before any network.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::fleet::{self, Fleet, SshLog};
use crate::support::{Home, assert_success, text};

/// What a frozen VM runs once the connection is up: it says it is up (the first byte
/// azlin waits for), then stops the sshd process that serves the connection, so the
/// peer goes silent as a frozen machine does (TCP stays open; no answer, not even to
/// keepalives).
const FREEZE: &str = "echo azlin-ready; kill -STOP $PPID; sleep 600";

/// The status column of `vm`'s first row.
/// Whether the `list --vms` rows hold session `compound`.
fn has_session(rows: &[Value], compound: &str) -> bool {
    rows.iter()
        .filter_map(|r| r["sessions"].as_array())
        .flatten()
        .any(|s| s["compound"] == compound)
}

/// The status of VM `vm` in the `list --vms` rows.
fn status_of(rows: &[Value], vm: &str) -> Option<String> {
    rows.iter()
        .find(|r| r["hostname"] == vm)
        .and_then(|r| r["status"].as_str())
        .map(str::to_string)
}

#[test]
fn a_mute_and_a_frozen_vm_end_list_and_exec_within_the_timeout() {
    let home = Home::new();
    let mut fleet = Fleet::start(&home, &["vm1", "vm2"]);
    fleet.vm("vm1").new_session("work", None);
    fleet.add_banner_then_silence(&home, "mute");
    fleet.add_forced(&home, "frozen", FREEZE);
    const TIMEOUT: u64 = 5;
    // The probe's own margin (3 s) and room for a loaded machine.
    let bound = Duration::from_secs(TIMEOUT + 3 + 5);

    let started = Instant::now();
    let out = home
        .azlin()
        .args(["list", "--vms", "--timeout", "5", "--format", "json"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(took < bound, "list took {took:?}: {}", text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(has_session(&rows, "vm1:work"), "{rows:?}");
    assert_eq!(status_of(&rows, "vm2").as_deref(), Some("Running"));
    assert_eq!(status_of(&rows, "mute").as_deref(), Some("Unreachable"));
    assert_eq!(status_of(&rows, "frozen").as_deref(), Some("Unreachable"));
    let err = text(&out.stderr);
    // ssh's own ConnectTimeout may say it first (it covers the banner exchange).
    assert!(err.contains("cannot reach `mute`"), "{err}");
    assert!(err.contains("cannot reach `frozen`"), "{err}");
    assert!(err.contains("2 of 4 VMs could not be probed"), "{err}");

    // The healthy VMs' command is silent for longer than the timeout and is not cut:
    // only the connection's silence ends a run (keepalives end the frozen one).
    let started = Instant::now();
    let out = home
        .azlin()
        .args([
            "exec",
            "--all",
            "--timeout",
            "5",
            "--",
            "sleep 7; echo slow-ok",
        ])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(7 + 8),
        "exec took {took:?}: {}",
        text(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for vm in ["vm1", "vm2"] {
        assert!(
            stdout.contains(&format!("[{vm}:azlin] slow-ok")),
            "{stdout}"
        );
    }
    assert!(!stdout.contains("azlin-ready"), "{stdout}");
    let err = text(&out.stderr);
    assert!(err.contains("succeeded on 2 of 4 targets"), "{err}");
    assert!(err.contains("mute:azlin"), "{err}");
    assert!(err.contains("frozen:azlin"), "{err}");
}

/// Runs `args` under `/usr/bin/time -v`; returns azlin's output and its peak RSS in KiB.
fn peak_memory(home: &Home, args: &[&str]) -> (Output, u64) {
    let report = tempfile::NamedTempFile::new().unwrap();
    let out = home
        .command("/usr/bin/time")
        .arg("-v")
        .arg("-o")
        .arg(report.path())
        .arg(env!("CARGO_BIN_EXE_azlin"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run /usr/bin/time (apt-get install time)");
    let report = std::fs::read_to_string(report.path()).unwrap();
    let kib = report
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in {report}"));
    (out, kib)
}

#[test]
fn endless_output_keeps_memory_bounded_and_the_healthy_rows() {
    let home = Home::new();
    let mut fleet = Fleet::start(&home, &["vm1"]);
    fleet.vm("vm1").new_session("work", None);
    // A probe's answer that never ends.
    fleet.add_forced(&home, "loud", "yes azlin-flood");
    let (out, kib) = peak_memory(
        &home,
        &["list", "--vms", "--timeout", "20", "--format", "json"],
    );
    assert!(kib < 100 * 1024, "peak RSS {kib} KiB");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(has_session(&rows, "vm1:work"), "{rows:?}");
    assert_eq!(status_of(&rows, "loud").as_deref(), Some("Misbehaving"));
    assert!(
        text(&out.stderr).contains("`loud`"),
        "{}",
        text(&out.stderr)
    );

    // exec streams: 200 MB in one line that never ends passes through in pieces.
    let mut fleet2 = fleet;
    fleet2.add_forced(
        &home,
        "flood",
        "echo azlin-ready; head -c 200000000 /dev/zero | tr '\\0' x",
    );
    let (out, kib) = peak_memory(
        &home,
        &["exec", "vm1", "flood", "--timeout", "20", "--", "echo fine"],
    );
    assert!(kib < 100 * 1024, "peak RSS {kib} KiB");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("[vm1:azlin] fine"), "{}", text(&out.stderr));
    let flood: usize = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("[flood:azlin] "))
        .map(str::len)
        .sum();
    assert_eq!(flood, 200_000_000);
    assert!(text(&out.stderr).contains("succeeded on 2 of 2 targets"));
}

/// The live processes of session `sid`: pid and name.
fn session_members(sid: u32) -> Vec<(u32, String)> {
    fleet::processes()
        .into_iter()
        .filter(|p| p.session == sid && p.state != "Z")
        .map(|p| (p.pid, p.comm))
        .collect()
}

#[test]
fn a_signal_to_azlin_alone_ends_every_ssh_it_started_and_prints_the_summary() {
    let home = Home::new();
    let _fleet = Fleet::start(&home, &["vm1", "vm2", "vm3"]);
    for (signal, code) in [("TERM", 143), ("INT", 130), ("HUP", 129)] {
        // A session of its own: whatever azlin leaves behind is found by session id,
        // and no signal reaches its children through a process group.
        let child = home
            .command("setsid")
            .arg(env!("CARGO_BIN_EXE_azlin"))
            .args(["exec", "--all", "--", "sleep 60"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let sid = child.id();
        // setsid execs azlin in place: the session id is azlin's pid.
        let deadline = Instant::now() + Duration::from_secs(60);
        while session_members(sid)
            .iter()
            .filter(|(_, c)| c == "ssh")
            .count()
            < 3
        {
            assert!(Instant::now() < deadline, "ssh children did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        // Let the remote commands start (the connections are up).
        std::thread::sleep(Duration::from_secs(1));
        let killed = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(sid.to_string())
            .status()
            .unwrap();
        assert!(killed.success());
        let started = Instant::now();
        let out = child.wait_with_output().unwrap();
        assert!(started.elapsed() < Duration::from_secs(10), "{signal}");
        assert_eq!(
            out.status.code(),
            Some(code),
            "{signal}: {}",
            text(&out.stderr)
        );
        let err = text(&out.stderr);
        assert!(
            err.contains("succeeded on 0 of 3 targets"),
            "{signal}: {err}"
        );
        assert!(
            err.contains(&format!("azlin received SIG{signal}")),
            "{err}"
        );
        // Nothing of azlin's session is left (children get a moment to be reaped).
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let left = session_members(sid);
            if left.is_empty() {
                break;
            }
            assert!(Instant::now() < deadline, "{signal}: left behind: {left:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Whether the generated ssh config (one file for the fleet) has a section for `vm`.
fn configured(home: &Home, vm: &str) -> bool {
    std::fs::read_to_string(home.path().join(".ssh/config.d/azlin-fleet.conf"))
        .is_ok_and(|text| text.lines().any(|l| l == format!("# azlin: VM {vm}")))
}

fn cached_vms(home: &Home) -> Value {
    let path = home.azlin_home().join("cache/sessions.json");
    std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .unwrap_or(Value::Null)
}

#[test]
fn a_host_removed_during_list_is_never_written_back() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["keep", "x"]);
    fleet.vm("x").new_session("dev", None);
    home.ok(&["ssh-config"]);
    let port = fleet.vm("x").port.to_string();
    let key = fleet.key().to_string_lossy().into_owned();
    for round in 0..20 {
        if !configured(&home, "x") {
            home.ok(&[
                "host",
                "add",
                "x",
                "--address",
                "127.0.0.1",
                "--port",
                &port,
                "--user",
                fleet.user(),
                "--identity-file",
                &key,
            ]);
        }
        let list = home
            .command(env!("CARGO_BIN_EXE_azlin"))
            .args(["list", "--format", "json"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let remove = home
            .command("sh")
            .arg("-c")
            .arg("\"$0\" host remove x && \"$0\" ssh-config")
            .arg(env!("CARGO_BIN_EXE_azlin"))
            .output()
            .unwrap();
        assert_success(&remove);
        list.wait_with_output().unwrap();
        assert!(
            !configured(&home, "x"),
            "round {round}: x's ssh config came back"
        );
        let cache = cached_vms(&home);
        assert!(
            cache.pointer("/vms/x").is_none(),
            "round {round}: x is back in the session cache: {cache}"
        );
        let resolved = home.azlin().args(["resolve", "x:dev"]).output().unwrap();
        assert_eq!(resolved.status.code(), Some(1), "round {round}");
    }
}

#[test]
fn an_invalid_name_fails_before_any_network() {
    let home = Home::new();
    let ssh = SshLog::new();
    let _fleet = Fleet::start(&home, &["vm1", "vm2"]);
    for cmd in ["kill", "disconnect"] {
        let mut fastest = Duration::MAX;
        for _ in 0..3 {
            let started = Instant::now();
            let out = home
                .azlin()
                .env("AZLIN_SSH", ssh.client())
                .args([cmd, "a b"])
                .output()
                .unwrap();
            fastest = fastest.min(started.elapsed());
            assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
            assert!(text(&out.stderr).contains("`a b`"), "{}", text(&out.stderr));
        }
        assert!(fastest < Duration::from_millis(50), "{cmd}: {fastest:?}");
    }
    assert!(ssh.take().is_empty(), "an ssh ran");
}

#[test]
fn a_miss_probes_only_when_a_probe_could_find_the_name_and_says_so() {
    let home = Home::new();
    let ssh = SshLog::new();
    let fleet = Fleet::start(&home, &["vm1"]);
    fleet.vm("vm1").new_session("fresh", None);
    // A session the cache has not seen: one probe, said at -v.
    let out = home
        .azlin()
        .env("AZLIN_SSH", ssh.client())
        .args(["-v", "exec", "fresh", "true"])
        .output()
        .unwrap();
    assert_success(&out);
    let err = text(&out.stderr);
    assert!(
        err.contains("`fresh`: not in the session cache: probing"),
        "{err}"
    );
    // The probe, then the command.
    assert_eq!(ssh.take().len(), 2);
    // A name with a dot can be a VM or an address, never a session: no probe.
    let out = home
        .azlin()
        .env("AZLIN_SSH", ssh.client())
        .args(["-v", "exec", "no.such.vm", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("not probing"),
        "{}",
        text(&out.stderr)
    );
    assert!(ssh.take().is_empty());
}

#[test]
fn a_probe_on_a_miss_shows_progress_on_a_terminal() {
    use crate::terminal_progress::{in_terminal, slow_home};
    let (home, ssh) = slow_home();
    // A bare session name the cache does not know: the fleet is probed first.
    let term = in_terminal(&home, &ssh, "disconnect dev --timeout 30");
    term.expect_text(Duration::from_secs(20), "probing 1 VMs for tmux sessions");
    term.expect_text(Duration::from_secs(60), "azlin-exited-");
    let screen = term.screen();
    assert!(!screen.contains("probing"), "not cleared:\n{screen}");
}
