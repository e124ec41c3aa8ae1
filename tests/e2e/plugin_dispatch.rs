//! `azlin NAME` runs `azlin-NAME`: status, signals, stdin, terminal, arguments and
//! environment are the plugin's own, because azlin execs it.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

use crate::support::plugin::wait_for;
use crate::support::{Home, assert_success};

#[test]
fn exit_statuses_pass_through() {
    let home = Home::new();
    home.plugin("status", "exit \"$1\"");
    for code in [0, 3, 255] {
        home.azlin()
            .args(["status", &code.to_string()])
            .assert()
            .code(code);
    }
}

#[test]
fn arguments_not_the_name_and_non_utf8_bytes_reach_the_plugin() {
    let home = Home::new();
    home.plugin("args", "printf '[%s]\\n' \"$@\"");
    let out = home
        .azlin()
        .arg("args")
        .arg("--flag")
        .arg("two words")
        .arg(OsStr::from_bytes(b"caf\xe9\xff"))
        .arg("")
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(out.stdout, b"[--flag]\n[two words]\n[caf\xe9\xff]\n[]\n");
}

#[test]
fn environment_contract_and_global_options_before_the_name() {
    let home = Home::new();
    home.plugin("env", "env | grep '^AZLIN_' | sort");
    let out = home
        .azlin()
        .args([
            "-vv",
            "--no-color",
            "--subscription",
            "sub-1",
            "--rg",
            "rg-1",
        ])
        .args(["env", "-q"])
        .output()
        .unwrap();
    assert_success(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let expect = [
        format!("AZLIN_BIN={}", env!("CARGO_BIN_EXE_azlin")),
        format!("AZLIN_HOME={}", home.azlin_home().display()),
        "AZLIN_NO_COLOR=1".to_string(),
        "AZLIN_PLUGIN_DEPTH=1".to_string(),
        "AZLIN_PLUGIN_NAME=env".to_string(),
        "AZLIN_RESOURCE_GROUP=rg-1".to_string(),
        "AZLIN_SUBSCRIPTION=sub-1".to_string(),
        "AZLIN_VERBOSE=2".to_string(),
        format!("AZLIN_VERSION={}", env!("CARGO_PKG_VERSION")),
    ];
    assert_eq!(lines, expect);
    // `-q` came after the name: it is the plugin's argument, not azlin's option.
    assert!(!text.contains("AZLIN_QUIET"));
}

#[test]
fn every_spelling_of_the_global_options_reaches_the_plugin_alike() {
    // Some spellings take the start-up fast path, others (clusters, `=` with odd
    // values) go through clap: the plugin must not see the difference.
    let home = Home::new();
    home.plugin("env", "env | grep '^AZLIN_[QRSV]' | grep -v VERSION | sort");
    let run = |args: &[&str]| {
        let out = home.azlin().args(args).arg("env").output().unwrap();
        assert_success(&out);
        String::from_utf8(out.stdout).unwrap()
    };
    let verbose = "AZLIN_RESOURCE_GROUP=g\nAZLIN_SUBSCRIPTION=s\nAZLIN_VERBOSE=3\n";
    for args in [
        &["-vvv", "--rg", "g", "--subscription", "s"][..],
        &["-v", "--verbose", "-v", "--rg=g", "--subscription=s"],
        &["-v", "--resource-group", "g", "-vv", "--subscription", "s"],
        &["-v", "-v", "-v", "--resource-group=g", "--subscription=s"],
    ] {
        assert_eq!(run(args), verbose, "{args:?}");
    }
    assert_eq!(run(&["-q"]), "AZLIN_QUIET=1\n");
    assert_eq!(
        run(&["--quiet", "--rg=-g"]),
        "AZLIN_QUIET=1\nAZLIN_RESOURCE_GROUP=-g\n"
    );
    // Conflicts and unknown options are clap's errors whichever way they are spelled.
    for args in [&["-q", "-v"][..], &["-qv"], &["--bogus"]] {
        home.azlin()
            .args(args)
            .arg("env")
            .assert()
            .code(2)
            .stdout("");
    }
}

#[test]
fn stdin_passes_through() {
    let home = Home::new();
    home.plugin("cat", "exec cat");
    let input = "line one\nline two\n\u{1F600}\n";
    home.azlin()
        .arg("cat")
        .write_stdin(input)
        .assert()
        .success()
        .stdout(input);
}

#[test]
fn a_terminal_passes_through() {
    let home = Home::new();
    home.plugin(
        "tty",
        "if [ -t 0 ] && [ -t 1 ] && [ -t 2 ]; then echo TTY-YES; else echo TTY-NO; fi",
    );
    // `script` gives azlin a pseudo-terminal, as a user's shell would.
    let out = home
        .command("script")
        .args([
            "-qec",
            &format!("'{}' tty", env!("CARGO_BIN_EXE_azlin")),
            "/dev/null",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run `script` (util-linux); install it with `apt-get install util-linux`");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_success(&out);
    assert!(text.contains("TTY-YES"), "{text}");
}

/// A plugin that records its pid, traps `signal`, and loops until it arrives.
fn trap_plugin(home: &Home) {
    home.plugin(
        "trapper",
        "trap 'echo TERM > \"$1/got\"; exit 143' TERM\n\
         trap 'echo INT > \"$1/got\"; exit 130' INT\n\
         echo $$ > \"$1/pid.tmp\" && mv \"$1/pid.tmp\" \"$1/pid\"\n\
         while :; do sleep 0.1; done",
    );
}

fn signal_reaches_plugin(signal: &str, code: i32) {
    let home = Home::new();
    trap_plugin(&home);
    // `env --default-signal` undoes an ignored SIGINT inherited from a harness that runs
    // tests in the background (a shell cannot trap a signal ignored on entry); env execs
    // azlin, so the pid stays the same.
    let mut child = home
        .command("env")
        .arg("--default-signal")
        .arg(env!("CARGO_BIN_EXE_azlin"))
        .arg("trapper")
        .arg(home.path())
        .stdin(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid_file = home.path().join("pid");
    wait_for(&pid_file);
    // azlin exec'd the plugin: the process we started *is* the plugin.
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    assert_eq!(pid.trim(), child.id().to_string());
    // The shell's own `kill`: a minimal system may have no kill(1) executable.
    let sent = std::process::Command::new("sh")
        .args(["-c", "kill -s \"$1\" \"$2\"", "sh", signal, pid.trim()])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = wait_timeout(&mut child, Duration::from_secs(60));
    assert_eq!(status.code(), Some(code), "{status:?}");
    let got = std::fs::read_to_string(home.path().join("got")).unwrap();
    assert_eq!(got.trim(), signal);
}

fn wait_timeout(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the plugin did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sigterm_reaches_the_plugin() {
    signal_reaches_plugin("TERM", 143);
}

#[test]
fn sigint_reaches_the_plugin() {
    signal_reaches_plugin("INT", 130);
}

#[test]
fn a_plugin_killed_by_a_signal_is_reported_as_killed() {
    let home = Home::new();
    home.plugin("sleeper", "echo $$ > \"$1/pid\"; exec sleep 600");
    let mut child = home
        .command(env!("CARGO_BIN_EXE_azlin"))
        .arg("sleeper")
        .arg(home.path())
        .spawn()
        .unwrap();
    wait_for(&home.path().join("pid"));
    child.kill().unwrap();
    let status = wait_timeout(&mut child, Duration::from_secs(60));
    assert_eq!(status.signal(), Some(9), "{status:?}");
}

#[test]
fn nesting_is_refused_past_eight() {
    let home = Home::new();
    let log = home.path().join("depth.log");
    home.plugin(
        "loop",
        &format!(
            "echo \"$AZLIN_PLUGIN_DEPTH\" >> '{}'\nexec \"$AZLIN_BIN\" loop",
            log.display()
        ),
    );
    home.azlin()
        .arg("loop")
        .timeout(Duration::from_secs(120))
        .assert()
        .code(1)
        .stderr(predicates::str::contains("nested 8 deep"))
        .stderr(predicates::str::contains("the limit is 8"));
    let depths = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        depths.lines().collect::<Vec<_>>(),
        ["1", "2", "3", "4", "5", "6", "7", "8"]
    );
}

/// azlin starts itself (see azlin-bin/src/start.rs): a closed standard descriptor is
/// opened on /dev/null before anything else, as Rust's and git's start-up do, so no file
/// azlin opens can become its output, and a plugin (by either way of running it) finds
/// its descriptors open. (`/proc` tells what a descriptor is: Linux only.)
#[cfg(target_os = "linux")]
#[test]
fn a_closed_standard_descriptor_is_opened_on_dev_null() {
    let home = Home::new();
    let report = home.marker("fd1");
    home.plugin(
        "fd",
        &format!(
            "fd1=$(readlink /proc/$$/fd/1 || echo closed); echo \"$fd1\" >'{0}'",
            report.display()
        ),
    );
    for args in ["fd", "plugin exec fd"] {
        let _ = std::fs::remove_file(&report);
        let status = home
            .command("sh")
            .args(["-c", &format!("exec \"$0\" {args} >&-")])
            .arg(env!("CARGO_BIN_EXE_azlin"))
            .status()
            .unwrap();
        assert!(status.success(), "azlin {args}: {status:?}");
        assert_eq!(
            std::fs::read_to_string(&report).unwrap().trim(),
            "/dev/null",
            "azlin {args}"
        );
    }
}

/// A panic on the start-up fast path (`println!` of `--version` to a full disk) exits with
/// 101 and a message, as Rust programs do, not with an abort and a core dump.
#[test]
fn a_failed_write_of_the_version_exits_101_not_an_abort() {
    let home = Home::new();
    let out = home
        .command("sh")
        .args(["-c", "exec \"$0\" --version >/dev/full"])
        .arg(env!("CARGO_BIN_EXE_azlin"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(101), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("failed printing to stdout"),
        "{out:?}"
    );
}
