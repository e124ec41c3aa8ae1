//! `azlin ui`, the shipped dashboard plugin, in a real terminal (a local tmux pane) on the
//! fake fleet: the table lists every session, `/` narrows it, the preview shows what a
//! pane holds, Enter attaches and a detach comes back to a refreshed table, `K` `y` kills
//! exactly the selected session, `n` creates one; and outside a terminal it says what to
//! use instead, `--once --format json` prints what the screen would hold, SIGTERM gives
//! the terminal back. Every wait is for text on the screen or a fact on the VM, with a
//! generous deadline (the machine is shared and loaded), never a fixed sleep.

use std::time::Duration;

use crate::support::fleet::{FakeVm, Fleet};
use crate::support::terminal::Terminal;
use crate::support::{Home, assert_success};

/// Deadline for anything that goes through ssh (a listing, a peek, an action).
const SLOW: Duration = Duration::from_secs(60);

/// A fleet: `myvm` with sessions `dev` and `other` (their shells up), `vm2` without
/// sessions, and `down`, where nothing listens.
fn fleet(home: &Home) -> Fleet {
    home.install_shipped_plugins();
    let mut fleet = Fleet::start(home, &["myvm", "vm2"]);
    fleet.add_closed_port(home, "down");
    for s in ["dev", "other"] {
        home.ok(&["ssh", "myvm", "--tmux-session", s]);
        type_line(fleet.vm("myvm"), s, "echo shell-up");
    }
    fleet
}

/// Types a command line into a pane directly on the VM (not through azlin).
fn type_line(vm: &FakeVm, session: &str, line: &str) {
    let target = format!("={session}:");
    let out = vm.tmux(&["send-keys", "-t", &target, "-l", "--", line]);
    assert_success(&out);
    vm.tmux(&["send-keys", "-t", &target, "Enter"]);
}

/// `azlin ui ARGS` in a terminal of its own, once its first table is on the screen.
fn ui(home: &Home, args: &str) -> Terminal {
    let term = Terminal::azlin(home, &format!("ui {args}"));
    term.expect_text(SLOW, "3 VMs (1 unreachable)");
    term
}

/// Types `/TEXT` Enter: the filter keeps (and selects) the matching row.
fn select(term: &Terminal, filter: &str) {
    term.send_keys(&["Escape", "/"]);
    term.send_keys(&["-l", filter]);
    term.send_keys(&["Enter"]);
    term.expect_text(SLOW, &format!("sessions /{filter} (1 of"));
}

/// The table's lines (the left half of the screen, where the rows are).
fn table(term: &Terminal) -> String {
    term.screen()
        .lines()
        .map(|l| l.chars().take(110).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn ui_lists_every_session_narrows_with_slash_and_previews_the_pane() {
    let home = Home::new();
    let fleet = fleet(&home);
    let term = ui(&home, "--interval 2s");
    term.expect_text(SLOW, "2 sessions");
    let screen = table(&term);
    for text in [
        "myvm",
        "dev",
        "other",
        "vm2",
        "(no sessions)",
        "down",
        "Unreachable",
    ] {
        assert!(screen.contains(text), "`{text}` missing:\n{screen}");
    }

    // `/dev` narrows the table to the one session.
    term.send_keys(&["/"]);
    term.send_keys(&["-l", "dev"]);
    term.expect_text(SLOW, "sessions /dev (1 of 4 rows)");
    let screen = table(&term);
    assert!(
        screen.contains("dev") && !screen.contains("other"),
        "{screen}"
    );
    assert!(!screen.contains("vm2"), "{screen}");
    term.send_keys(&["Enter"]);

    // The preview is the selected pane, read again while it stays selected.
    type_line(fleet.vm("myvm"), "dev", "echo preview-$((6*7))");
    term.expect_text(SLOW, "preview-42");
    assert!(term.screen().contains("myvm:dev"), "{}", term.screen());

    // Esc clears the filter: every row again.
    term.send_keys(&["Escape"]);
    term.expect_text(SLOW, "sessions (2)");
    assert!(table(&term).contains("other"), "{}", term.screen());
    term.send_keys(&["q"]);
    term.expect_text(SLOW, "azlin-exited-0");
}

#[test]
fn ui_kills_exactly_the_selected_session_after_y() {
    let home = Home::new();
    let fleet = fleet(&home);
    let vm = fleet.vm("myvm");
    let term = ui(&home, "--interval 2s");
    select(&term, "myvm:other");
    term.send_keys(&["K"]);
    term.expect_text(SLOW, "Kill session myvm:other?");
    // Any key but y keeps it.
    term.send_keys(&["n"]);
    term.expect_text(SLOW, "kept myvm:other");
    assert_eq!(vm.sessions(), ["dev", "other"]);
    term.send_keys(&["K"]);
    term.expect_text(SLOW, "Kill session myvm:other?");
    term.send_keys(&["y"]);
    term.expect_text(SLOW, "killed myvm:other");
    assert_eq!(vm.sessions(), ["dev"], "only the selected session ends");
    // The table follows: one session left.
    term.send_keys(&["Escape"]);
    term.expect_text(SLOW, "sessions (1)");
}

#[test]
fn ui_creates_a_session_with_n_after_checking_its_name() {
    let home = Home::new();
    let fleet = fleet(&home);
    let term = ui(&home, "--interval 2s");
    select(&term, "vm2");
    term.send_keys(&["n"]);
    term.expect_text(SLOW, "New session on vm2:");
    term.send_keys(&["-l", "bad.name"]);
    term.send_keys(&["Enter"]);
    term.expect_text(SLOW, "cannot be in a session name");
    term.send_keys(&["C-u"]);
    term.send_keys(&["-l", "fresh-1"]);
    term.send_keys(&["Enter"]);
    term.expect_text(SLOW, "created vm2:fresh-1");
    assert_eq!(fleet.vm("vm2").sessions(), ["fresh-1"]);
    assert_eq!(fleet.vm("vm2").attached("fresh-1"), 0, "created detached");
    term.send_keys(&["Escape"]);
    term.expect_text(SLOW, "3 sessions");
    assert!(table(&term).contains("fresh-1"), "{}", term.screen());
}

#[test]
fn ui_attaches_with_enter_and_a_detach_returns_to_a_refreshed_table() {
    let home = Home::new();
    let fleet = fleet(&home);
    let vm = fleet.vm("myvm");
    // A long interval: only the refresh after the detach can show the new session.
    let term = ui(&home, "--interval 10m --no-marks");
    select(&term, "myvm:dev");
    term.send_keys(&["Enter"]);
    let attached = term.wait_for(SLOW, || vm.attached("dev") >= 1);
    assert!(attached, "not attached; terminal shows:\n{}", term.screen());
    // The session's own screen is on the terminal, not the dashboard.
    term.expect_text(SLOW, "shell-up");
    vm.new_session("made-while-away", None);
    term.send_keys(&["C-b", "d"]);
    term.expect_text(SLOW, "back from myvm:dev");
    term.send_keys(&["Escape"]);
    term.expect_text(SLOW, "made-while-away");
    assert_eq!(vm.attached("dev"), 0);
    assert!(term.screen().contains("3 sessions"), "{}", term.screen());
}

#[test]
fn ui_outside_a_terminal_once_json_and_sigterm() {
    let home = Home::new();
    let fleet = fleet(&home);
    // No terminal: nothing drawn, a pointer to `azlin list`.
    let out = home.azlin().args(["ui"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a terminal") && err.contains("azlin list"),
        "{err}"
    );

    // Help, and completion through the plugin's completer.
    let help = home.ok(&["help", "ui"]);
    for text in ["--interval", "--once", "Keys:", "azlin list"] {
        assert!(help.contains(text), "`{text}` missing:\n{help}");
    }
    let out = home
        .azlin()
        .args(["__complete", "--", "ui", "--f"])
        .output()
        .unwrap();
    let offered = String::from_utf8_lossy(&out.stdout);
    assert!(
        offered.contains("--filter\n") && offered.contains("--format\n"),
        "{out:?}"
    );
    assert!(!offered.contains("--interval"), "{offered}");
    let out = home
        .azlin()
        .args(["ui", "--interval", "soon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a duration"));

    // --once --format json: what the screen would hold (exit 1: `down` is unreachable).
    let out = home
        .azlin()
        .args(["ui", "--once", "--format", "json", "--filter", "myvm"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["vms"].as_u64(), v["sessions"].as_u64()),
        (Some(3), Some(2)),
        "{v}"
    );
    assert_eq!(v["unreachable"], 1);
    let rows: Vec<&str> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["compound"].as_str().unwrap())
        .collect();
    assert_eq!(rows, ["myvm:dev", "myvm:other"]);
    assert_eq!(v["selected"], "myvm:dev");
    // azlin's `clients` and `last_activity`, and the age IDLE shows.
    let dev = &v["rows"][0];
    assert_eq!(dev["clients"], 0, "{dev}");
    assert_eq!(dev["attached"], false, "{dev}");
    let at = dev["last_activity"].as_str().unwrap_or_default();
    assert!(at.len() == 20 && at.ends_with('Z'), "{dev}");
    assert!(
        dev["idle_seconds"].as_u64().is_some_and(|s| s < 3600),
        "{dev}"
    );
    // --once as text: the screen itself.
    let out = home
        .azlin()
        .args(["ui", "--once", "--size", "80x24"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 24, "{text}");
    assert!(
        text.contains("Unreachable") && text.contains("other"),
        "{text}"
    );

    // SIGTERM: the terminal comes back cooked (echo, canonical input), status 143.
    let pid_file = home.path().join("ui.pid");
    let term = Terminal::run(
        &format!(
            "sh -c 'echo $$ > {}; exec {} ui'; echo azlin-exited-$?; \
             stty -a | tr \" \" \"\\n\" | grep -x -e icanon -e -icanon -e echo -e -echo | tr \"\\n\" \" \"; echo",
            pid_file.display(),
            env!("CARGO_BIN_EXE_azlin")
        ),
        &[
            ("HOME", &home.path().to_string_lossy()),
            ("AZLIN_HOME", &home.azlin_home().to_string_lossy()),
            ("PATH", &std::env::var("PATH").unwrap_or_default()),
        ],
    );
    term.expect_text(SLOW, "3 VMs (1 unreachable)");
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let status = std::process::Command::new("kill")
        .args(["-TERM", pid.trim()])
        .status()
        .unwrap();
    assert!(status.success());
    term.expect_text(SLOW, "azlin-exited-143");
    term.expect_text(SLOW, "icanon echo");
    assert!(
        !term.screen().contains("Unreachable"),
        "left the alternate screen:\n{}",
        term.screen()
    );

    // The terminal itself goes away (its window closed): the dashboard ends too, instead
    // of spinning on reads of a hung-up terminal.
    let pid_file = home.path().join("ui2.pid");
    let term = Terminal::run(
        &format!(
            "sh -c 'echo $$ > {}; exec {} ui'",
            pid_file.display(),
            env!("CARGO_BIN_EXE_azlin")
        ),
        &[
            ("HOME", &home.path().to_string_lossy()),
            ("AZLIN_HOME", &home.azlin_home().to_string_lossy()),
            ("PATH", &std::env::var("PATH").unwrap_or_default()),
        ],
    );
    term.expect_text(SLOW, "3 VMs (1 unreachable)");
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let proc_dir = std::path::PathBuf::from(format!("/proc/{}", pid.trim()));
    assert!(proc_dir.exists());
    drop(term);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while proc_dir.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !proc_dir.exists(),
        "azlin ui outlived its terminal (pid {})",
        pid.trim()
    );
    drop(fleet);
}
