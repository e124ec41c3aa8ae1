//! `azlin exec` against the fake fleet: both command forms, heredoc scripts, the pane's
//! directory and environment, exit statuses, missing sessions, `--create`, `--detach`,
//! and several targets at once.

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use predicates::str::contains;

use crate::support::fleet::Fleet;
use crate::support::{Home, assert_success, text};

fn exec(home: &Home, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_azlin"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("AZLIN_HOME", home.azlin_home())
        .arg("exec")
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run azlin");
    if let Some(text) = stdin {
        // azlin may have ended before the write when it reads no stdin (a command without
        // -i): then the pipe is closed, which is what such a test expects.
        match child.stdin.take().unwrap().write_all(text.as_bytes()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.unwrap(),
        }
    }
    child.wait_with_output().unwrap()
}

/// A fleet of three with `myvm:dev` started in `dir`.
fn fleet_with_dev(home: &Home, dir: &Path) -> Fleet {
    let fleet = Fleet::start(home, &["myvm", "vm2", "vm3"]);
    fleet.vm("myvm").new_session("dev", Some(dir));
    fleet
}

#[test]
fn runs_in_the_session_directory_with_its_environment_and_passes_status_through() {
    let home = Home::new();
    let work = tempfile::tempdir().unwrap();
    let _fleet = fleet_with_dev(&home, work.path());
    let out = exec(
        &home,
        &["myvm:dev", "pwd; echo \"$AZLIN_VM $AZLIN_SESSION\""],
        None,
    );
    assert_success(&out);
    let want = format!("{}\nmyvm dev\n", work.path().display());
    assert_eq!(text(&out.stdout), want);
    // The word form: each word is passed as it is, quoted once.
    let out = exec(
        &home,
        &["myvm:dev", "--", "printf", "<%s>", "a b", "$HOME"],
        None,
    );
    assert_eq!(text(&out.stdout), "<a b><$HOME>", "{}", text(&out.stderr));
    for code in [0, 3, 255] {
        let out = exec(&home, &["myvm:dev", &format!("exit {code}")], None);
        assert_eq!(out.status.code(), Some(code), "{}", text(&out.stderr));
        let out = exec(
            &home,
            &["myvm:dev", "--", "sh", "-c", &format!("exit {code}")],
            None,
        );
        assert_eq!(out.status.code(), Some(code));
    }
}

#[test]
fn heredoc_is_the_script_and_stdin_reaches_commands() {
    let home = Home::new();
    let work = tempfile::tempdir().unwrap();
    std::fs::create_dir(work.path().join("app")).unwrap();
    let _fleet = fleet_with_dev(&home, work.path());
    // The guide's `azlin exec myvm:dev <<'EOF' … EOF`.
    let script = "    cd app\n    echo \"deploying in $(pwd) as $AZLIN_SESSION\"\n    exit 4\n";
    let out = exec(&home, &["myvm:dev"], Some(script));
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("deploying in {}/app as dev\n", work.path().display())
    );
    // With a command, stdin reaches it only with -i (as `kubectl exec -i`) …
    let out = exec(
        &home,
        &["-i", "myvm:dev", "tr a-z A-Z"],
        Some("piped text\n"),
    );
    assert_eq!(text(&out.stdout), "PIPED TEXT\n");
    let out = exec(
        &home,
        &["--stdin", "myvm:dev", "--", "tr", "a-z", "A-Z"],
        Some("x\n"),
    );
    assert_eq!(text(&out.stdout), "X\n");
    // … so that without it a `while read` loop keeps its input: the command reads none.
    let out = exec(&home, &["myvm:dev", "wc -c"], Some("piped text\n"));
    assert_eq!(text(&out.stdout).trim(), "0", "{}", text(&out.stderr));
    // -n is still accepted, and several targets with -i each get a copy.
    let out = exec(&home, &["-n", "myvm:dev", "wc -c"], Some("piped text\n"));
    assert_eq!(text(&out.stdout).trim(), "0");
    let out = exec(
        &home,
        &["-i", "--create", "myvm:dev", "myvm:", "--", "tr a-z A-Z"],
        Some("both\n"),
    );
    let mut lines: Vec<String> = text(&out.stdout).lines().map(str::to_string).collect();
    lines.sort();
    assert_eq!(
        lines,
        ["[myvm:azlin] BOTH", "[myvm:dev] BOTH"],
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_missing_named_session_is_an_error_listing_those_that_exist_unless_create() {
    let home = Home::new();
    let work = tempfile::tempdir().unwrap();
    let fleet = fleet_with_dev(&home, work.path());
    let out = exec(&home, &["myvm:nosuch", "true"], None);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("no tmux session `nosuch` on `myvm`"), "{err}");
    assert!(err.contains("myvm:dev"), "{err}");
    assert_eq!(fleet.vm("myvm").sessions(), ["dev"]);

    let out = exec(
        &home,
        &["myvm:newone", "--create", "echo $AZLIN_SESSION"],
        None,
    );
    assert_success(&out);
    assert_eq!(text(&out.stdout), "newone\n");
    assert_eq!(fleet.vm("myvm").sessions(), ["dev", "newone"]);

    // A VM alone names no session: its default session is not required.
    let out = exec(&home, &["vm2", "echo $AZLIN_SESSION; pwd"], None);
    assert_success(&out);
    assert!(text(&out.stdout).starts_with("azlin\n"));
    assert!(fleet.vm("vm2").sessions().is_empty());

    // Forms that cannot be read are usage errors.
    home.azlin()
        .args(["exec", "--", "true"])
        .assert()
        .code(2)
        .stderr(contains("name a target"));
    home.azlin()
        .args(["exec", "a:b", "c:d", "echo"])
        .assert()
        .code(2)
        .stderr(contains("--"));
}

#[test]
fn detach_starts_the_command_in_a_new_window_and_returns() {
    let home = Home::new();
    let work = tempfile::tempdir().unwrap();
    let fleet = fleet_with_dev(&home, work.path());
    let marker = work.path().join("marker");
    let out = exec(
        &home,
        &[
            "myvm:dev",
            "--detach",
            "--",
            "sh",
            "-c",
            "echo \"$AZLIN_VM:$AZLIN_SESSION $(pwd)\" > marker.tmp && mv marker.tmp marker; sleep 60",
        ],
        None,
    );
    assert_success(&out);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !marker.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let body = std::fs::read_to_string(&marker).expect("the detached command ran");
    assert_eq!(body.trim(), format!("myvm:dev {}", work.path().display()));
    // Still running, in a second window of the session.
    let windows = fleet
        .vm("myvm")
        .tmux(&["list-windows", "-t", "=dev", "-F", "#{window_index}"]);
    assert_eq!(text(&windows.stdout).lines().count(), 2);
}

#[test]
fn parallel_exec_on_five_sessions_prefixes_lines_and_summarises_failures() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["vm1", "vm2", "vm3"]);
    let targets = [
        ("vm1", "s1"),
        ("vm1", "s2"),
        ("vm2", "s3"),
        ("vm2", "s4"),
        ("vm3", "s5"),
    ];
    for (vm, s) in targets {
        fleet.vm(vm).new_session(s, None);
    }
    let ids: Vec<String> = targets.iter().map(|(v, s)| format!("{v}:{s}")).collect();
    let mut args: Vec<&str> = ids.iter().map(String::as_str).collect();
    args.extend(["--", "sh", "-c", "echo hello from $AZLIN_SESSION; sleep 1"]);
    let out = exec(&home, &args, None);
    assert_success(&out);
    let stdout = text(&out.stdout);
    for (vm, s) in targets {
        assert!(
            stdout.contains(&format!("[{vm}:{s}] hello from {s}\n")),
            "{stdout}"
        );
    }
    assert_eq!(stdout.lines().count(), 5, "{stdout}");

    // One fails: exit 1 and a summary naming it with its status.
    let mut args: Vec<&str> = ids.iter().map(String::as_str).collect();
    args.extend([
        "--jobs",
        "2",
        "--",
        "sh",
        "-c",
        "test $AZLIN_SESSION != s3 || exit 7",
    ]);
    let out = exec(&home, &args, None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("succeeded on 4 of 5 targets"), "{err}");
    assert!(err.contains("vm2:s3") && err.contains("exit 7"), "{err}");
}

#[test]
fn all_and_tag_run_on_every_matching_vm_with_a_shared_script() {
    let home = Home::new();
    let _fleet = Fleet::start(&home, &["vm1", "vm2", "vm3"]);
    // Tag two of them by hand in hosts.toml.
    let hosts = home.azlin_home().join("hosts.toml");
    let mut toml = std::fs::read_to_string(&hosts).unwrap();
    toml.push_str("\n[hosts.vm1.tags]\nteam = \"a\"\n\n[hosts.vm3.tags]\nteam = \"a\"\n");
    std::fs::write(&hosts, toml).unwrap();

    let out = exec(&home, &["--tag", "team=a", "echo $AZLIN_VM"], None);
    assert_success(&out);
    let mut lines: Vec<String> = text(&out.stdout).lines().map(str::to_string).collect();
    lines.sort();
    assert_eq!(lines, ["[vm1:azlin] vm1", "[vm3:azlin] vm3"]);

    let out = exec(&home, &["--all"], Some("echo script on $AZLIN_VM\n"));
    assert_success(&out);
    let stdout = text(&out.stdout);
    for vm in ["vm1", "vm2", "vm3"] {
        assert!(
            stdout.contains(&format!("[{vm}:azlin] script on {vm}")),
            "{stdout}"
        );
    }
}

#[test]
fn tmux_commands_in_exec_act_on_the_target_session() {
    let home = Home::new();
    let work = tempfile::tempdir().unwrap();
    let fleet = fleet_with_dev(&home, work.path());
    // Made after `dev`: tmux's own default without a target.
    fleet.vm("myvm").new_session("other", None);
    // The guide's idle check: `azlin exec "$hostname:$session" "tmux display-message …"`.
    let out = exec(
        &home,
        &[
            "myvm:dev",
            "tmux display-message -p '#{session_name} #{session_activity}'",
        ],
        None,
    );
    assert_success(&out);
    let stdout = text(&out.stdout);
    let mut fields = stdout.split_whitespace();
    assert_eq!(fields.next(), Some("dev"), "{stdout}");
    assert!(
        fields.next().and_then(|t| t.parse::<u64>().ok()).is_some(),
        "{stdout}"
    );
    // …and its "Optionally destroy": `azlin exec "$hostname:$session" "tmux kill-session"`.
    let out = exec(&home, &["myvm:dev", "tmux kill-session"], None);
    assert_success(&out);
    assert_eq!(fleet.vm("myvm").sessions(), ["other"]);
}

#[test]
fn one_word_after_the_separator_is_a_command_line_several_are_words() {
    let home = Home::new();
    let work = tempfile::tempdir().unwrap();
    let _fleet = fleet_with_dev(&home, work.path());
    // One word: the remote shell parses it, as `exec ID "CMD"` and plain ssh would.
    let out = exec(&home, &["myvm:dev", "--", "cd / && pwd"], None);
    assert_success(&out);
    assert_eq!(text(&out.stdout), "/\n");
    // Several words: each is one argument, never re-split.
    let out = exec(&home, &["myvm:dev", "--", "echo", "cd / && pwd"], None);
    assert_eq!(text(&out.stdout), "cd / && pwd\n", "{}", text(&out.stderr));
}

#[test]
fn a_home_whose_path_holds_a_percent_sign_still_connects() {
    // ssh expands `%` tokens in UserKnownHostsFile, IdentityFile and ControlPath: a literal
    // `%` in azlin's own paths must reach ssh doubled, or ssh refuses the option.
    let home = Home::with_prefix("azlin-e2e-50%d-");
    let work = tempfile::tempdir().unwrap();
    let _fleet = fleet_with_dev(&home, work.path());
    let out = exec(&home, &["myvm:dev", "echo ok"], None);
    assert_success(&out);
    assert_eq!(text(&out.stdout), "ok\n");
    let listed = home.ok(&["list", "--format", "json"]);
    assert!(listed.contains("\"dev\""), "{listed}");
    assert!(
        home.azlin_home().join("known_hosts").exists(),
        "known_hosts written at its literal path"
    );
}
