//! `-v` diagnostics and `-q`: every ssh command line and ARM request logged on stderr with
//! its outcome and duration, secrets never shown, stdout untouched; errors that offer
//! choices list them one per line.

use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

use crate::support::arm::{Arm, EmuVm, FakeAz, run};
use crate::support::fleet::Fleet;
use crate::support::{Home, assert_success};

/// The `run:` lines of `stderr` that are ssh invocations reaching `vm`.
fn ssh_lines<'a>(stderr: &'a str, vm: &str) -> Vec<&'a str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("run: ssh ") && l.contains(&format!(" {vm} ")))
        .collect()
}

/// `line` ends with `-> OUTCOME (N ms)`.
fn ends_with_outcome(line: &str, outcome: &str) -> bool {
    let Some((_, tail)) = line.rsplit_once(" -> ") else {
        return false;
    };
    let Some(ms) = tail
        .strip_prefix(outcome)
        .and_then(|t| t.strip_prefix(" ("))
        .and_then(|t| t.strip_suffix(" ms)"))
    else {
        return false;
    };
    ms.parse::<u64>().is_ok()
}

#[test]
fn verbose_logs_each_ssh_command_with_status_and_duration_on_stderr_only() {
    let home = Home::new();
    let mut fleet = Fleet::start(&home, &["alpha"]);
    fleet.add_closed_port(&home, "gamma");
    fleet.vm("alpha").new_session("dev", None);

    let out = home
        .azlin()
        .args(["-v", "list", "--format", "json", "--timeout", "10"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "gamma is unreachable: {stderr}");
    // stdout is the JSON document and nothing else.
    let rows: serde_json::Value = serde_json::from_str(&stdout).expect("pure JSON on stdout");
    assert!(rows.as_array().is_some_and(|r| r.len() == 2), "{stdout}");
    assert!(!stdout.contains("run:"), "{stdout}");

    let alpha = ssh_lines(&stderr, "alpha");
    assert_eq!(alpha.len(), 1, "one probe of alpha:\n{stderr}");
    assert!(ends_with_outcome(alpha[0], "exit 0"), "{}", alpha[0]);
    // The argv as a shell would take it: the remote command is one quoted word.
    assert!(
        alpha[0].contains(" 'echo azlin-ready; command -v tmux"),
        "{}",
        alpha[0]
    );
    assert!(alpha[0].contains("-o BatchMode=yes"), "{}", alpha[0]);
    let gamma = ssh_lines(&stderr, "gamma");
    assert_eq!(gamma.len(), 1, "{stderr}");
    assert!(ends_with_outcome(gamma[0], "exit 255"), "{}", gamma[0]);

    // Without -v: the same run logs nothing.
    let out = home
        .azlin()
        .args(["list", "--format", "json", "--timeout", "10"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("run:"), "{stderr}");
    assert!(stderr.contains("warning: cannot reach `gamma`"), "{stderr}");
}

#[test]
fn verbose_exec_logs_the_command_that_replaces_azlin() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["alpha"]);
    fleet.vm("alpha").new_session("dev", None);
    let out = home
        .azlin()
        .args(["-v", "exec", "alpha:dev", "echo from-the-vm"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_success(&out);
    assert_eq!(
        stdout.trim(),
        "from-the-vm",
        "stdout stays the command's own"
    );
    let handed: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("exec: ssh "))
        .collect();
    assert_eq!(handed.len(), 1, "{stderr}");
    assert!(handed[0].contains("echo from-the-vm"), "{}", handed[0]);
    // The session check travels in the same ssh as the command: no ssh ran before it.
    assert!(
        handed[0].contains("tmux display-message -p -t ") && handed[0].contains("=dev:"),
        "{}",
        handed[0]
    );
    assert!(ssh_lines(&stderr, "alpha").is_empty(), "{stderr}");
}

#[test]
fn very_verbose_adds_what_probes_found_and_how_names_resolved() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["alpha"]);
    fleet.vm("alpha").new_session("dev", None);
    let stderr_of = |verbosity: &str| {
        let out = home
            .azlin()
            .args([verbosity, "exec", "alpha:dev", "true"])
            .output()
            .unwrap();
        assert_success(&out);
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let vv = stderr_of("-vv");
    assert!(vv.contains("resolve: `alpha:dev` -> alpha:dev"), "{vv}");
    assert!(vv.contains("exec: ssh "), "-vv includes -v:\n{vv}");
    let out = home.azlin().args(["-vv", "list"]).output().unwrap();
    let listed = String::from_utf8_lossy(&out.stderr);
    assert!(
        listed.contains("probe: alpha: 1 tmux sessions: dev"),
        "{listed}"
    );
    let v = stderr_of("-v");
    assert!(!v.contains("probe:") && !v.contains("resolve:"), "{v}");
}

#[test]
fn quiet_silences_warnings_but_not_errors() {
    let home = Home::new();
    let mut fleet = Fleet::start(&home, &["alpha"]);
    fleet.add_closed_port(&home, "gamma");
    home.azlin()
        .args(["-q", "list", "--vms", "--timeout", "10"])
        .assert()
        .code(1)
        .stdout(contains("gamma"))
        .stderr(contains("warning:").not());
    // One target: azlin has become ssh, whose connection errors (exit 255) -q cannot hide.
    home.azlin()
        .args(["-q", "exec", "gamma:dev", "true"])
        .assert()
        .code(255)
        .stderr(contains("Connection refused"));
    // Several targets: azlin's own summary names the one that failed.
    home.azlin()
        .args(["-q", "exec", "gamma:dev", "alpha:", "--", "true"])
        .assert()
        .code(1)
        .stderr(contains("gamma"));
    // Without -q the warning is there.
    home.azlin()
        .args(["list", "--timeout", "10"])
        .assert()
        .code(1)
        .stderr(contains("warning: cannot reach `gamma`"));
}

#[test]
fn verbose_shows_each_arm_request_but_never_a_token_or_a_skiptoken() {
    let home = Home::new();
    // One VM per page: the listing follows `nextLink`s, which carry `$skiptoken`.
    let arm = Arm::start(vec![EmuVm::new("one", "rg"), EmuVm::new("two", "rg")], 1);
    let az = FakeAz::install(&home.path().join("fake-bin"));
    for verbosity in ["-v", "-vv", "-vvv"] {
        // `run` fails the test if a token the fake `az` handed out appears anywhere.
        let (code, stdout, stderr) = run(
            &home,
            &arm,
            &az,
            &[
                verbosity,
                "list",
                "--refresh",
                "--no-tmux",
                "--format",
                "json",
            ],
        );
        assert_eq!(code, 0, "{stderr}");
        serde_json::from_str::<serde_json::Value>(&stdout).expect("pure JSON on stdout");
        let gets: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("http: GET ") && ends_with_outcome(l, "200"))
            .collect();
        // VM models, power states and public IPs, two pages each; NICs three (the first
        // page empty, as Network may answer).
        assert_eq!(gets.len(), 9, "{verbosity}:\n{stderr}");
        assert!(
            gets.iter().all(|l| l.contains(&arm.endpoint)
                && l.contains("api-version=")
                && !l.contains("Bearer")),
            "{stderr}"
        );
        assert!(
            gets.iter().any(|l| l.contains("%24skiptoken=REDACTED"))
                && gets.iter().any(|l| l.contains("$skipToken=REDACTED")),
            "continuation tokens are redacted, not dropped silently:\n{stderr}"
        );
        assert!(stderr.contains("azure: listed subscription"), "{stderr}");
    }
    let (_, _, stderr) = run(&home, &arm, &az, &["list", "--refresh", "--no-tmux"]);
    assert!(!stderr.contains("http:"), "{stderr}");
}

#[test]
fn errors_that_offer_choices_list_one_per_line() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["alpha", "beta"]);
    for vm in ["alpha", "beta"] {
        fleet.vm(vm).new_session("dev", None);
    }
    fleet.vm("alpha").new_session("build", None);
    home.ok(&["list"]);

    // A session that does not exist: the ones that do, one per line.
    home.azlin()
        .args(["exec", "alpha:nosuch", "true"])
        .assert()
        .code(1)
        .stderr(contains(
            "the sessions on `alpha` are:\n  alpha:build\n  alpha:dev\n",
        ));
    // Ambiguous session name.
    home.azlin()
        .args(["resolve", "dev"])
        .assert()
        .code(1)
        .stderr(contains("is ambiguous; it matches:\n  alpha:dev"))
        .stderr(contains("\n  beta:dev"));
    // A host name with a typo.
    home.azlin()
        .args(["host", "remove", "alphx"])
        .assert()
        .failure()
        .stderr(contains("did you mean:\n  alpha"));
    // A tag on a VM with a typo.
    home.azlin()
        .args(["tag", "add", "bta", "team=x"])
        .assert()
        .failure()
        .stderr(contains("did you mean:\n  beta"));
    // An unknown command.
    home.azlin()
        .arg("lsit")
        .assert()
        .code(1)
        .stderr(contains("did you mean:\n  list\n"));
}

#[test]
fn verbose_ssh_config_logs_the_ssh_probe_and_the_check() {
    let home = Home::new();
    home.ok(&["host", "add", "alpha", "--address", "10.0.0.5"]);
    let out = home.azlin().args(["-v", "ssh-config"]).output().unwrap();
    assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("run: ssh -V -> exit 0"), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("run: ssh -G -F ") && l.contains(" alpha -> exit 0")),
        "{stderr}"
    );
}
