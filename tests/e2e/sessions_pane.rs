//! `peek`, `send`, `wait` and `code` against the fake fleet: what a pane shows, read
//! without attaching; text and keys typed into it; waiting for a job, for quiet, for a
//! pattern; and VS Code opened on the pane's directory. Sessions are created through
//! azlin (so their shells run under the fake VM's sshd, with its empty home).

use std::io::{BufRead, BufReader};
use std::process::{Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::fleet::{FakeVm, Fleet, SshLog};
use crate::support::{Home, assert_success, text};

fn azlin(home: &Home, args: &[&str]) -> Output {
    home.azlin().args(args).output().expect("run azlin")
}

/// What the pane of `session` shows now, read directly on the VM.
fn screen(vm: &FakeVm, session: &str) -> String {
    text(
        &vm.tmux(&["capture-pane", "-p", "-J", "-t", &format!("={session}:")])
            .stdout,
    )
}

/// Waits (bounded) until the pane of `session` shows `needle`.
fn until_screen_shows(vm: &FakeVm, session: &str, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !screen(vm, session).contains(needle) {
        assert!(
            Instant::now() < deadline,
            "pane {session} never showed {needle:?}:\n{}",
            screen(vm, session)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Types a command line into the pane directly on the VM (not through azlin).
fn type_line(vm: &FakeVm, session: &str, line: &str) {
    let target = format!("={session}:");
    let out = vm.tmux(&["send-keys", "-t", &target, "-l", "--", line]);
    assert_success(&out);
    let out = vm.tmux(&["send-keys", "-t", &target, "Enter"]);
    assert_success(&out);
}

/// A fleet with `myvm` holding sessions `dev` and `other`, each with a shell that is up.
fn fleet(home: &Home) -> Fleet {
    let fleet = Fleet::start(home, &["myvm", "vm2"]);
    for s in ["dev", "other"] {
        home.ok(&["ssh", "myvm", "--tmux-session", s]);
        let vm = fleet.vm("myvm");
        type_line(vm, s, "echo shell-up");
        until_screen_shows(vm, s, "shell-up\n");
    }
    fleet
}

#[test]
fn peek_shows_the_sessions_own_pane_its_last_lines_and_json() {
    let home = Home::new();
    let fleet = fleet(&home);
    let vm = fleet.vm("myvm");
    type_line(vm, "dev", "printf 'dev-%s\\n' 1 2 3");
    type_line(vm, "other", "echo other-pane");
    until_screen_shows(vm, "dev", "dev-3\n");
    until_screen_shows(vm, "other", "other-pane\n");

    let out = home.ok(&["peek", "myvm:dev"]);
    assert!(out.contains("dev-1\ndev-2\ndev-3\n"), "{out}");
    assert!(!out.contains("other-pane"), "{out}");
    // -n: the last lines, the prompt (the last non-blank line) included.
    let out = home.ok(&["peek", "myvm:dev", "-n", "2"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(lines[0], "dev-3", "{out}");

    // Several sessions: a header each, each with its own lines.
    let out = home.ok(&["peek", "myvm:dev", "myvm:other", "-n", "3"]);
    let dev = out.find("── myvm:dev ──").expect(&out);
    let other = out.find("── myvm:other ──").expect(&out);
    assert!(dev < other, "{out}");
    assert!(out[dev..other].contains("dev-3"), "{out}");
    assert!(
        out[other..].contains("other-pane") && !out[other..].contains("dev-3"),
        "{out}"
    );

    // --all -n 1: one line per session of the fleet.
    let out = home.ok(&["peek", "--all", "-n", "1"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("myvm:dev  ") && lines[1].starts_with("myvm:other"),
        "{out}"
    );

    let out = home.ok(&["peek", "myvm:dev", "myvm:other", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect(&out);
    let items = v.as_array().expect("an array");
    assert_eq!(items.len(), 2);
    let first = &items[0];
    assert_eq!(first["compound"], "myvm:dev");
    assert_eq!(first["vm"], "myvm");
    assert_eq!(first["session"], "dev");
    assert!(first["pane"].as_str().unwrap().starts_with('%'), "{first}");
    assert!(first["error"].is_null(), "{first}");
    let lines: Vec<&str> = first["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(lines.contains(&"dev-3"), "{first}");
    let at = first["captured_at"].as_str().unwrap();
    assert!(at.ends_with('Z') && at.len() == 20, "{at}");
}

/// Lines a hostile pane prints: the lines that start a session's part of `peek --all`'s
/// answer and start it again, a listing record, a pane header, a header of peek's text,
/// a guard marker and "no tmux".
const FAKES: [&str; 7] = [
    "\\azlin-part",
    "\\azlin-again",
    "ghost:1:1:1700000000:0:",
    "azlin-pane %99 0 0 0 0",
    "── vm1:ghost ──",
    "azlin-guard-0000000000000000 missing",
    "azlin:no-tmux",
];

#[test]
fn peek_all_reads_each_vm_in_one_ssh_and_a_hostile_pane_spoofs_no_row() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["vm1", "vm2", "vm3"]);
    let sessions = [
        ("vm1", "s1"),
        ("vm1", "s2"),
        ("vm2", "s1"),
        ("vm2", "s2"),
        ("vm3", "s1"),
        ("vm3", "s2"),
        ("vm3", "s3"),
    ];
    for (vm, s) in sessions {
        if (vm, s) == ("vm3", "s3") {
            // Made on the VM itself: only a live look can know it.
            fleet.vm(vm).new_session(s, None);
        } else {
            home.ok(&["ssh", vm, "--tmux-session", s]);
        }
    }
    for (vm, s) in sessions {
        if (vm, s) == ("vm2", "s2") {
            let quoted: Vec<String> = FAKES.iter().map(|f| format!("'{f}'")).collect();
            type_line(
                fleet.vm(vm),
                s,
                &format!("printf '%s\\n' {} 'text-vm2-s2'", quoted.join(" ")),
            );
        } else {
            type_line(fleet.vm(vm), s, &format!("echo text-{vm}-{s}"));
        }
        until_screen_shows(fleet.vm(vm), s, &format!("\ntext-{vm}-{s}\n"));
    }
    let cache = home.azlin_home().join("cache/sessions.json");
    let cached = std::fs::read_to_string(&cache).unwrap_or_default();
    assert!(!cached.contains("\"s3\""), "{cached}");

    let log = SshLog::new();
    let out = home
        .azlin()
        .env("AZLIN_SSH", log.client())
        .args(["peek", "--all", "-n", "9", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // One ssh per VM: its listing and every capture in one answer (`ssh -G`/`-V` only
    // ask the client about itself; the log holds the arguments' lines).
    let runs: Vec<Vec<String>> = log
        .take()
        .into_iter()
        .filter(|run| !run.iter().any(|a| a == "-G" || a == "-V"))
        .collect();
    assert_eq!(runs.len(), 3, "{runs:?}");
    assert!(
        runs.iter()
            .all(|run| run.iter().any(|line| line.contains("\\azlin-part"))),
        "{runs:?}"
    );
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let compounds: Vec<&str> = items
        .iter()
        .map(|i| i["compound"].as_str().unwrap())
        .collect();
    let want: Vec<String> = sessions.iter().map(|(v, s)| format!("{v}:{s}")).collect();
    assert_eq!(compounds, want, "no session missing, none added");
    for (item, (vm, s)) in items.iter().zip(sessions) {
        assert!(item["error"].is_null(), "{item}");
        assert!(item["pane"].as_str().unwrap().starts_with('%'), "{item}");
        let lines: Vec<&str> = item["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        let own = format!("text-{vm}-{s}");
        assert!(lines.contains(&own.as_str()), "{own} in {item}");
        for (ov, os) in sessions {
            let other = format!("text-{ov}-{os}");
            assert!(
                other == own || !lines.iter().any(|l| l.contains(&other)),
                "{other} in {item}"
            );
        }
        // The fake lines are rows of the pane that printed them, kept as they are.
        let fakes = FAKES.iter().filter(|f| lines.contains(f)).count();
        assert_eq!(
            fakes,
            if vm == "vm2" && s == "s2" {
                FAKES.len()
            } else {
                0
            },
            "{item}"
        );
    }
    // The listing went to the session cache, as a probe's does.
    let cached = std::fs::read_to_string(&cache).unwrap();
    assert!(cached.contains("\"s3\""), "{cached}");

    // As text: a header per session, each over its own lines.
    let out = home.ok(&["peek", "--all", "-n", "9"]);
    let mut at = Vec::new();
    for (vm, s) in sessions {
        let header = format!("── {vm}:{s} ──\n");
        assert_eq!(out.matches(&header).count(), 1, "{header} in\n{out}");
        at.push(out.find(&header).unwrap());
    }
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{out}");
    for (i, (vm, s)) in sessions.iter().enumerate() {
        let end = at.get(i + 1).copied().unwrap_or(out.len());
        assert!(
            out[at[i]..end].contains(&format!("\ntext-{vm}-{s}\n")),
            "{out}"
        );
    }
    // -n 1: one line per session, each its own.
    let out = home.ok(&["peek", "--all", "-n", "1"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), sessions.len(), "{out}");
    for (line, (vm, s)) in lines.iter().zip(sessions) {
        assert!(line.starts_with(&format!("{vm}:{s} ")), "{out}");
    }
}

#[test]
fn peek_all_reports_a_vm_whose_answer_never_ends_and_reads_the_others() {
    let home = Home::new();
    let mut fleet = Fleet::start(&home, &["vm1"]);
    home.ok(&["ssh", "vm1", "--tmux-session", "work"]);
    type_line(fleet.vm("vm1"), "work", "echo work-pane");
    until_screen_shows(fleet.vm("vm1"), "work", "\nwork-pane\n");
    // Whatever it is asked, an answer that never ends: cut at the bound, not read on.
    fleet.add_forced(&home, "loud", "yes azlin-frame");
    let out = azlin(&home, &["peek", "--all", "-n", "5", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let work = items.iter().find(|i| i["compound"] == "vm1:work").unwrap();
    assert!(
        work["lines"]
            .as_array()
            .unwrap()
            .contains(&"work-pane".into()),
        "{work}"
    );
    let loud = items.iter().find(|i| i["vm"] == "loud").unwrap();
    assert_eq!(loud["session"], "", "{loud}");
    assert!(
        loud["error"].as_str().unwrap().contains("misbehaves"),
        "{loud}"
    );
    assert_eq!(items.len(), 2, "{items:?}");
}

#[test]
fn peek_of_a_missing_session_names_the_ones_there() {
    let home = Home::new();
    let _fleet = fleet(&home);
    let out = azlin(&home, &["peek", "myvm:nosuch"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("no tmux session `nosuch` on `myvm`"), "{err}");
    assert!(
        err.contains("myvm:dev") && err.contains("myvm:other"),
        "{err}"
    );
    let out = azlin(&home, &["peek"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn peek_follow_prints_a_line_written_after_it_started() {
    let home = Home::new();
    let fleet = fleet(&home);
    let vm = fleet.vm("myvm");
    let mut child = home
        .command(env!("CARGO_BIN_EXE_azlin"))
        .args(["peek", "myvm:dev", "--follow", "-n", "1"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run azlin peek --follow");
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // It shows the pane's last finished line first.
    let first = rx
        .recv_timeout(Duration::from_secs(15))
        .expect("a first line");
    assert!(first.contains("shell-up"), "{first}");
    // Then the pane is cleared (`clear` drops the history too), and a line comes.
    type_line(vm, "dev", "clear");
    std::thread::sleep(Duration::from_millis(1500));
    type_line(vm, "dev", "echo later-$((6*7))");
    until_screen_shows(vm, "dev", "later-42\n");
    let written = Instant::now();
    let got = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the new line, in time");
        if line.contains("later-42") {
            break written.elapsed();
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        got < Duration::from_secs(2),
        "the line took {got:?} to show"
    );
}

#[test]
fn send_types_text_literally_and_presses_keys() {
    let home = Home::new();
    let fleet = fleet(&home);
    let vm = fleet.vm("myvm");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("typed");
    let pwned = dir.path().join("pwned");
    // `cat` in the pane writes what arrives in the pane, byte for byte.
    type_line(vm, "dev", &format!("cat > {}", file.display()));
    std::thread::sleep(Duration::from_millis(300));
    let hostile = format!(
        "it's \"$HOME\"; `touch {p}` $(touch {p}) \\ ;x\nsecond line",
        p = pwned.display()
    );
    home.ok(&["send", "myvm:dev", "--enter", "--", &hostile]);
    home.ok(&["send", "myvm:dev", "--", "two", "words"]);
    home.ok(&["send", "myvm:dev", "--keys", "--", "Enter", "C-d"]);
    let deadline = Instant::now() + Duration::from_secs(15);
    let want = format!("{hostile}\ntwo words\n");
    loop {
        let got = std::fs::read_to_string(&file).unwrap_or_default();
        if got == want {
            break;
        }
        assert!(Instant::now() < deadline, "typed {got:?}, wanted {want:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Nothing ran outside the pane (cat only wrote it down).
    assert!(!pwned.exists());

    // A missing session: exit 1, listing the VM's sessions.
    let out = azlin(&home, &["send", "myvm:nosuch", "--", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("myvm:dev"),
        "{}",
        text(&out.stderr)
    );
    // Nothing to send is bad input.
    let out = azlin(&home, &["send", "myvm:dev"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn wait_done_returns_when_the_job_finishes_and_not_before() {
    let home = Home::new();
    let fleet = fleet(&home);
    let vm = fleet.vm("myvm");
    home.ok(&[
        "send",
        "myvm:dev",
        "--enter",
        "--",
        "sleep 3; echo job-finished",
    ]);
    until_screen_shows(vm, "dev", "sleep 3; echo job-finished");
    let started = Instant::now();
    let out = azlin(
        &home,
        &[
            "wait",
            "myvm:dev",
            "--done",
            "--interval",
            "1",
            "--timeout",
            "30",
        ],
    );
    let took = started.elapsed();
    assert_success(&out);
    let said = text(&out.stdout);
    assert!(said.lines().any(|l| l == "job-finished"), "{said}");
    assert!(
        took >= Duration::from_secs(2),
        "returned after {took:?}, before the job ended"
    );

    // A job that outlasts the timeout: exit 1 with what was seen last.
    home.ok(&[
        "send",
        "myvm:dev",
        "--enter",
        "--",
        "echo long-job; sleep 20",
    ]);
    until_screen_shows(vm, "dev", "long-job\n");
    let out = azlin(
        &home,
        &["wait", "myvm:dev", "--interval", "1", "--timeout", "2"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("timed out"),
        "{}",
        text(&out.stderr)
    );
    let said = text(&out.stdout);
    assert!(said.lines().any(|l| l == "long-job"), "{said}");
    home.ok(&["send", "myvm:dev", "--keys", "--", "C-c"]);
}

#[test]
fn wait_idle_and_match() {
    let home = Home::new();
    let fleet = fleet(&home);
    let vm = fleet.vm("myvm");
    // --match: the pattern shows up a second later.
    home.ok(&[
        "send",
        "myvm:dev",
        "--enter",
        "--",
        "sleep 1; echo Epoch $((5+5))/10",
    ]);
    let out = azlin(
        &home,
        &[
            "wait",
            "myvm:dev",
            "--match",
            r"Epoch 10/10|Error",
            "--interval",
            "1",
            "--timeout",
            "20",
        ],
    );
    assert_success(&out);
    assert!(text(&out.stdout).contains("Epoch 10/10"));
    // No match within the timeout: 1.
    let out = azlin(
        &home,
        &[
            "wait",
            "myvm:dev",
            "--match",
            "never-shown",
            "--interval",
            "1",
            "--timeout",
            "2",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    // A bad pattern or duration: 2.
    let out = azlin(&home, &["wait", "myvm:dev", "--match", "("]);
    assert_eq!(out.status.code(), Some(2));
    let out = azlin(&home, &["wait", "myvm:dev", "--idle", "soon"]);
    assert_eq!(out.status.code(), Some(2));
    // --idle: a quiet pane is idle after the duration, not before; a busy one never.
    until_screen_shows(vm, "dev", "Epoch 10/10\n");
    let started = Instant::now();
    let out = azlin(
        &home,
        &[
            "wait",
            "myvm:dev",
            "--idle",
            "2s",
            "--interval",
            "1",
            "--timeout",
            "20",
        ],
    );
    assert_success(&out);
    assert!(started.elapsed() >= Duration::from_secs(2));
    home.ok(&[
        "send",
        "myvm:dev",
        "--enter",
        "--",
        "while :; do date +%N; sleep 0.2; done",
    ]);
    let out = azlin(
        &home,
        &[
            "wait",
            "myvm:dev",
            "--idle",
            "3s",
            "--interval",
            "1",
            "--timeout",
            "4",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    home.ok(&["send", "myvm:dev", "--keys", "--", "C-c"]);
}

#[test]
fn code_opens_the_editor_on_the_plain_alias_in_the_pane_directory() {
    let home = Home::new();
    let fleet = fleet(&home);
    let vm = fleet.vm("myvm");
    let work = tempfile::tempdir().unwrap();
    home.ok(&[
        "send",
        "myvm:dev",
        "--enter",
        "--",
        &format!("cd {}", work.path().display()),
    ]);
    until_screen_shows(vm, "dev", &format!("cd {}", work.path().display()));
    std::thread::sleep(Duration::from_millis(300));
    // A stub `code` that writes down its arguments.
    let bin = tempfile::tempdir().unwrap();
    let args_file = bin.path().join("args");
    let stub = bin.path().join("code");
    crate::support::plugin::write_executable(
        &stub,
        &format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > {}\n",
            args_file.display()
        ),
    );
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // Without the generated ssh config, VS Code could not find the alias: said so.
    let out = home
        .azlin()
        .env("PATH", &path)
        .args(["code", "myvm:dev"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("azlin ssh-config"),
        "{}",
        text(&out.stderr)
    );
    assert!(!args_file.exists());

    home.ok(&["ssh-config"]);
    let out = home
        .azlin()
        .env("PATH", &path)
        .args(["code", "myvm:dev"])
        .output()
        .unwrap();
    assert_success(&out);
    let got = std::fs::read_to_string(&args_file).unwrap();
    let want = format!("--remote\nssh-remote+myvm\n{}\n", work.path().display());
    assert_eq!(got, want);
    // --print shows the same command instead.
    let out = home.ok(&["code", "myvm:dev", "--print"]);
    assert_eq!(
        out,
        format!("code --remote ssh-remote+myvm {}\n", work.path().display())
    );
    // A VM named without a session whose default session does not exist: its home.
    let out = home.ok(&["code", "vm2", "--print"]);
    assert!(out.starts_with("code --remote ssh-remote+vm2 /"), "{out}");
    // A VM whose name would reach another host as a plain alias (a DNS name) is refused:
    // `ssh-remote+github.com` would open the real github.com.
    home.ok(&[
        "host",
        "add",
        "github.com",
        "--address",
        "127.0.0.1",
        "--port",
        &vm.port.to_string(),
        "--user",
        fleet.user(),
        "--identity-file",
        &fleet.key().to_string_lossy(),
    ]);
    let out = azlin(&home, &["code", "github.com", "--print"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("no plain ssh alias"),
        "{}",
        text(&out.stderr)
    );
    // No editor on PATH: said how to get one.
    let out = azlin(&home, &["code", "myvm:dev", "--editor", "no-such-editor"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("--editor"),
        "{}",
        text(&out.stderr)
    );
}

/// Ends every shared connection of `home` and forgets every claim to set one up (the
/// files `ssh::claim_master` keeps beside the sockets): the next ssh finds the socket
/// cold, as after `ControlPersist` ran out.
fn cold_sockets(home: &Home) {
    let dir = home.path().join(".ssh/cm");
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(".azlin-master-") {
            std::fs::remove_file(&path).unwrap();
        } else {
            let _ = std::process::Command::new("ssh")
                .arg("-S")
                .arg(&path)
                .args(["-O", "exit", "unused"])
                .output();
        }
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::read_dir(&dir).into_iter().flatten().count() > 0 {
        assert!(
            Instant::now() < deadline,
            "the shared connections did not end"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Several sessions of one VM at once on a cold socket: one ssh sets the shared
/// connection up and the others do not race it, so ssh says nothing about the socket
/// (`ControlSocket … already exists, disabling multiplexing`, which the ssh that lost the
/// race prints before it connects on its own). azlin shows a short operation's stderr
/// only when it fails, so ssh's own stderr is kept by a wrapper and read too.
#[test]
fn peek_and_send_to_sessions_of_one_vm_on_a_cold_socket_say_nothing_of_the_socket() {
    let home = Home::new();
    let _fleet = Fleet::start(&home, &["myvm"]);
    let ids = ["myvm:a", "myvm:b", "myvm:c"];
    for s in ["a", "b", "c"] {
        home.ok(&["ssh", "myvm", "--tmux-session", s]);
    }
    let log = tempfile::tempdir().unwrap();
    let wrapper = log.path().join("ssh");
    crate::support::plugin::write_executable(
        &wrapper,
        &format!(
            "#!/bin/sh
printf '%s\\n' \"$@\" > {d}/args.$$\n\
             ssh \"$@\" 2> {d}/err.$$; rc=$?; cat {d}/err.$$ >&2; exit $rc\n",
            d = log.path().display()
        ),
    );
    for round in 0..3 {
        for command in ["peek", "send"] {
            cold_sockets(&home);
            for entry in std::fs::read_dir(log.path()).unwrap().flatten() {
                if entry.file_name() != "ssh" {
                    std::fs::remove_file(entry.path()).unwrap();
                }
            }
            let mut args = vec![command];
            args.extend(ids);
            if command == "send" {
                args.extend(["--", "true"]);
            }
            let out = home
                .azlin()
                .env("AZLIN_SSH", &wrapper)
                .args(&args)
                .output()
                .unwrap();
            assert_success(&out);
            let mut said = text(&out.stderr);
            let mut masters = Vec::new();
            for entry in std::fs::read_dir(log.path()).unwrap().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let body = std::fs::read_to_string(entry.path()).unwrap_or_default();
                if name.starts_with("err.") {
                    said.push_str(&body);
                } else if name.starts_with("args.") {
                    masters.extend(
                        body.lines()
                            .filter_map(|l| l.strip_prefix("ControlMaster="))
                            .map(str::to_string),
                    );
                }
            }
            assert!(
                !said.contains("ControlSocket") && !said.contains("multiplexing"),
                "round {round}, {args:?}: ssh spoke of the socket:\n{said}"
            );
            // The rule: one ssh per VM claims the master, the others use it or connect
            // on their own.
            masters.sort();
            assert_eq!(masters, ["auto", "no", "no"], "round {round}, {args:?}");
        }
    }
}

#[test]
fn peek_all_leaves_out_a_session_azlin_cannot_address_as_list_does() {
    let home = Home::new();
    let fleet = fleet(&home);
    // tmux allows a space in a name; azlin cannot address it (`vm:my build`).
    assert_success(
        &fleet
            .vm("myvm")
            .tmux(&["new-session", "-d", "-s", "my build"]),
    );
    let out = home.ok(&["peek", "--all", "-n", "1", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect(&out);
    let compounds: Vec<&str> = v
        .as_array()
        .expect("an array")
        .iter()
        .map(|i| i["compound"].as_str().unwrap())
        .collect();
    assert_eq!(compounds, ["myvm:dev", "myvm:other"], "{out}");
    // `list` shows it, without a name to type back.
    let out = home.ok(&["list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect(&out);
    let row = v
        .as_array()
        .expect("an array")
        .iter()
        .find(|r| r["session"] == "my build")
        .expect(&out);
    assert!(row["compound"].is_null(), "{row}");
}
