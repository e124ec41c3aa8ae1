//! Round trips: how many ssh connections the session commands cost, counted with a
//! recording ssh client against the fake fleet. Each connection is a handshake and a
//! remote shell, so these counts are what latency multiplies.

use crate::support::fleet::{Fleet, SshLog};
use crate::support::{Home, assert_success, text};

/// `azlin ARGS` with the recording ssh client.
fn logged(home: &Home, log: &SshLog, args: &[&str]) -> std::process::Output {
    home.azlin()
        .env("AZLIN_SSH", log.client())
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn disconnect_and_kill_check_act_and_relist_in_one_ssh() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["vm1", "vm2"]);
    fleet.vm("vm1").new_session("a", None);
    fleet.vm("vm1").new_session("b", None);
    let log = SshLog::new();
    let azlin = |args: &[&str]| logged(&home, &log, args);

    let out = azlin(&["disconnect", "vm1:a"]);
    assert_success(&out);
    assert_eq!(log.take().len(), 1, "disconnect vm:s is one ssh");
    assert_eq!(fleet.vm("vm1").sessions(), ["a", "b"]);

    let out = azlin(&["kill", "vm1:a"]);
    assert_success(&out);
    assert_eq!(log.take().len(), 1, "kill vm:s is one ssh");
    assert_eq!(fleet.vm("vm1").sessions(), ["b"]);
    // The listings taken after the disconnect and the kill reached the session cache.
    let resolved = home.ok(&["resolve", "b", "--format", "json"]);
    assert!(resolved.contains("vm1"), "{resolved}");

    let out = azlin(&["kill", "vm1:nope"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("no tmux session `nope` on `vm1`"), "{err}");
    assert!(err.contains("vm1:b"), "the sessions that exist: {err}");
    assert_eq!(
        log.take().len(),
        1,
        "a missing session is found by the same ssh"
    );
    assert_eq!(fleet.vm("vm1").sessions(), ["b"]);

    // A bare session name is looked up on the whole fleet first (a destroying command
    // must not trust the cache), then one more ssh does the work.
    let out = azlin(&["kill", "b"]);
    assert_success(&out);
    assert_eq!(log.take().len(), 2 + 1, "one probe per VM, then the kill");
    assert!(fleet.vm("vm1").sessions().is_empty());
}

#[test]
fn exec_on_several_targets_runs_one_ssh_each_and_probes_the_fleet_once() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["vm1", "vm2", "vm3"]);
    for (vm, s) in [("vm1", "s1"), ("vm2", "s2"), ("vm3", "s3")] {
        fleet.vm(vm).new_session(s, None);
    }
    let log = SshLog::new();
    let azlin = |args: &[&str]| logged(&home, &log, args);

    // Three names the cache has never seen: one probe of the fleet finds them all.
    let out = azlin(&[
        "exec",
        "s1",
        "s2",
        "s3",
        "--",
        "echo hi from $AZLIN_SESSION",
    ]);
    assert_success(&out);
    let stdout = text(&out.stdout);
    for (vm, s) in [("vm1", "s1"), ("vm2", "s2"), ("vm3", "s3")] {
        assert!(
            stdout.contains(&format!("[{vm}:{s}] hi from {s}")),
            "{stdout}"
        );
    }
    assert_eq!(
        log.take().len(),
        3 + 3,
        "one fleet probe, then one ssh per target"
    );

    // A missing session stops its own target only, with the sessions that do exist.
    let out = azlin(&["exec", "vm1:s1", "vm2:missing", "--", "echo", "ran"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "[vm1:s1] ran\n");
    let err = text(&out.stderr);
    assert!(err.contains("no tmux session `missing` on `vm2`"), "{err}");
    assert!(err.contains("vm2:s2"), "{err}");
    assert!(!err.contains("azlin-guard"), "markers are not shown: {err}");
    assert!(err.contains("succeeded on 1 of 2 targets"), "{err}");
    assert_eq!(log.take().len(), 2);

    // --create makes the missing session in the same ssh that runs the command.
    let out = azlin(&[
        "exec",
        "vm1:new",
        "vm2:new",
        "--create",
        "--",
        "echo $AZLIN_SESSION",
    ]);
    assert_success(&out);
    assert_eq!(log.take().len(), 2);
    assert_eq!(fleet.vm("vm1").sessions(), ["new", "s1"]);
    assert_eq!(fleet.vm("vm2").sessions(), ["new", "s2"]);

    // A VM ssh cannot reach: the summary gives ssh's reason.
    let mut fleet = fleet;
    fleet.add_closed_port(&home, "closed");
    let out = azlin(&["exec", "vm1:s1", "closed:x", "--", "echo ran"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("closed:x  exit 255: ssh: connect to host"),
        "{err}"
    );
    assert!(err.contains("Connection refused"), "{err}");
    log.take();

    // A command's exit status is still its own, also the guard's 254.
    let out = azlin(&["exec", "vm1:s1", "vm3:s3", "--", "exit 254"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("vm1:s1  exit 254"), "{err}");
}

#[test]
fn exec_on_one_target_checks_the_session_in_the_same_ssh_as_the_command() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["vm1", "vm2"]);
    fleet.vm("vm1").new_session("a", None);
    fleet.vm("vm1").new_session("b c", None);
    let log = SshLog::new();

    let out = logged(&home, &log, &["exec", "vm1:a", "echo $AZLIN_SESSION"]);
    assert_success(&out);
    assert_eq!(text(&out.stdout), "a\n");
    assert_eq!(log.take().len(), 1, "check and command in one ssh");

    // azlin is ssh by then: the VM side says azlin's own message, with the sessions
    // azlin can address (`b c` is not one: it could not be typed back).
    let out = logged(&home, &log, &["exec", "vm1:nope", "echo ran"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    assert_eq!(
        text(&out.stderr),
        "error: no tmux session `nope` on `vm1`; the sessions on `vm1` are:\n  vm1:a\n\
         create it with `azlin ssh vm1 --tmux-session nope` (or `azlin exec --create`)\n"
    );
    assert_eq!(log.take().len(), 1);

    let out = logged(&home, &log, &["exec", "vm2:nope", "echo ran"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(
            "error: no tmux session `nope` on `vm2`; `vm2` has no tmux sessions azlin can address\n"
        ),
        "{}",
        text(&out.stderr)
    );

    let out = logged(
        &home,
        &log,
        &["exec", "vm2:new", "--create", "echo $AZLIN_SESSION"],
    );
    assert_success(&out);
    assert_eq!(text(&out.stdout), "new\n");
    assert_eq!(fleet.vm("vm2").sessions(), ["new"]);
}

#[test]
fn naming_a_session_checks_sets_and_relists_in_one_ssh() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["vm1"]);
    fleet.vm("vm1").new_session("a", None);
    let log = SshLog::new();
    let azlin = |args: &[&str]| logged(&home, &log, args);

    let out = azlin(&["session", "vm1:a", "frontend"]);
    assert_success(&out);
    assert_eq!(log.take().len(), 1, "session vm:s NAME is one ssh");
    // The listing taken after the change reached the session cache, label included.
    let cache = std::fs::read_to_string(home.azlin_home().join("cache/sessions.json")).unwrap();
    assert!(cache.contains("frontend"), "{cache}");

    let out = azlin(&["session", "vm1:nope", "x"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("vm1:a"), "{}", text(&out.stderr));
    assert_eq!(
        log.take().len(),
        1,
        "a missing session is found by the same ssh"
    );

    let out = azlin(&["session", "vm1:a", "--clear"]);
    assert_success(&out);
    assert_eq!(log.take().len(), 1, "--clear is one ssh");
}

#[test]
fn connect_without_a_terminal_creates_and_relists_in_one_ssh() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["vm1"]);
    let log = SshLog::new();
    let out = logged(&home, &log, &["connect", "vm1:fresh"]);
    assert_success(&out);
    assert!(
        text(&out.stderr).contains("created new session `vm1:fresh`"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stderr).contains("Attach from a terminal with `azlin connect vm1:fresh`"));
    // One probe (is it there, or a close name: a typo?), then create and relist in one.
    assert_eq!(
        log.take().len(),
        2,
        "a probe, then create and relist in one ssh"
    );
    assert_eq!(fleet.vm("vm1").sessions(), ["fresh"]);
    // The listing reached the session cache: the bare session name resolves at once.
    let resolved = home.ok(&["resolve", "fresh", "--format", "json"]);
    assert!(resolved.contains("\"vm1:fresh\""), "{resolved}");
}
