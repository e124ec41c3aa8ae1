//! Progress on stderr, on a terminal only: `list` probes, multi-target `exec` (n/N done,
//! failures) and the Azure listing's requests; never in a pipe, with `-q` or for JSON.

use std::time::Duration;

use crate::support::Home;
use crate::support::terminal::Terminal;

/// A home with one host and an ssh (AZLIN_SSH) that takes 6 s to fail, so the probe
/// is still running while the screen is read.
pub(crate) fn slow_home() -> (Home, String) {
    let home = Home::new();
    home.ok(&["host", "add", "myvm", "--address", "10.0.0.5"]);
    let ssh = crate::support::plugin::script(
        &home.path().join("bin"),
        "slow-ssh",
        "sleep 6; echo 'ssh: connect to host 10.0.0.5: Connection refused' >&2; exit 255",
    );
    (home, ssh.to_string_lossy().into_owned())
}

pub(crate) fn in_terminal(home: &Home, ssh: &str, args: &str) -> Terminal {
    let path = std::env::var("PATH").unwrap_or_default();
    Terminal::run(
        &format!("{} {args}", env!("CARGO_BIN_EXE_azlin")),
        &[
            ("HOME", &home.path().to_string_lossy()),
            ("AZLIN_HOME", &home.azlin_home().to_string_lossy()),
            ("PATH", &path),
            ("AZLIN_SSH", ssh),
        ],
    )
}

#[test]
fn list_shows_a_spinner_on_a_terminal_and_clears_it() {
    let (home, ssh) = slow_home();
    let term = in_terminal(&home, &ssh, "list --timeout 30");
    term.expect_text(Duration::from_secs(20), "probing 1 VMs for tmux sessions");
    term.expect_text(Duration::from_secs(60), "azlin-exited-");
    let screen = term.screen();
    assert!(
        !screen.contains("probing"),
        "spinner not cleared:\n{screen}"
    );
    assert!(screen.contains("Unreachable"), "{screen}");
}

#[test]
fn json_on_a_terminal_and_pipes_show_no_spinner() {
    let (home, ssh) = slow_home();
    let term = in_terminal(&home, &ssh, "list --format json --timeout 30");
    let mut seen = String::new();
    term.wait_for(Duration::from_secs(60), || {
        seen.push_str(&term.screen());
        seen.contains("azlin-exited-")
    });
    assert!(seen.contains("azlin-exited-"), "{seen}");
    assert!(!seen.contains("probing"), "{seen}");

    let out = home
        .azlin()
        .env("AZLIN_SSH", &ssh)
        .args(["list", "--timeout", "30"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot reach"), "{stderr}");
    assert!(!stderr.contains("probing"), "{stderr}");
}

/// A fleet of one answering VM and one that accepts connections and never answers, so a
/// fan-out over both is still running (one of two done) while the screen is read.
fn fleet_with_a_black_hole(home: &Home) -> crate::support::fleet::Fleet {
    let mut fleet = crate::support::fleet::Fleet::start(home, &["alpha"]);
    fleet.add_black_hole(home, "hole");
    fleet
}

#[test]
fn exec_on_several_targets_shows_done_and_failed_counts_then_clears_them() {
    let home = Home::new();
    let _fleet = fleet_with_a_black_hole(&home);
    let term = Terminal::azlin(&home, "exec --all --timeout 3 -- 'echo out-of-alpha'");
    term.expect_text(Duration::from_secs(60), "exec on 2 targets: 1/2 done");
    term.expect_text(Duration::from_secs(90), "azlin-exited-");
    let screen = term.screen();
    assert!(!screen.contains("/2 done"), "not cleared:\n{screen}");
    // The output line printed while the indicator was drawn is intact.
    assert!(screen.contains("[alpha:azlin] out-of-alpha"), "{screen}");
    assert!(screen.contains("succeeded on 1 of 2 targets"), "{screen}");
    assert!(screen.contains("azlin-exited-1"), "{screen}");
}

#[test]
fn exec_with_stderr_redirected_draws_no_progress() {
    let home = Home::new();
    let _fleet = fleet_with_a_black_hole(&home);
    let log = home.path().join("stderr.txt");
    // stdout is the terminal, stderr a file: progress belongs to stderr, so none.
    let term = Terminal::azlin(
        &home,
        &format!(
            "exec --all --timeout 3 -- 'echo out-of-alpha' 2>{}",
            log.display()
        ),
    );
    let mut seen = String::new();
    term.wait_for(Duration::from_secs(90), || {
        seen.push_str(&term.screen());
        seen.contains("azlin-exited-")
    });
    assert!(seen.contains("azlin-exited-1"), "{seen}");
    assert!(!seen.contains("done"), "{seen}");
    let stderr = std::fs::read_to_string(&log).unwrap();
    assert!(stderr.contains("succeeded on 1 of 2 targets"), "{stderr}");
    assert!(!stderr.contains("/2 done"), "{stderr}");
    // -q: no indicator on a terminal either.
    let term = Terminal::azlin(&home, "-q exec --all --timeout 3 -- 'echo out-of-alpha'");
    let mut seen = String::new();
    term.wait_for(Duration::from_secs(90), || {
        seen.push_str(&term.screen());
        seen.contains("azlin-exited-")
    });
    assert!(seen.contains("azlin-exited-1"), "{seen}");
    assert!(!seen.contains("/2 done"), "{seen}");
}

#[test]
fn azure_listing_counts_its_requests_on_a_terminal_only() {
    use crate::support::arm::{Arm, EmuVm, FakeAz, Fault, SUB};
    let home = Home::new();
    let arm = Arm::start(vec![EmuVm::new("one", "rg"), EmuVm::new("two", "rg")], 1);
    let az = FakeAz::install(&home.path().join("fake-bin"));
    let path = format!(
        "{}:{}",
        az.dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let env = |home: &Home| {
        vec![
            ("HOME", home.path().to_string_lossy().into_owned()),
            (
                "AZLIN_HOME",
                home.azlin_home().to_string_lossy().into_owned(),
            ),
            ("PATH", path.clone()),
            ("AZLIN_ARM_ENDPOINT", arm.endpoint.clone()),
            ("AZURE_SUBSCRIPTION_ID", SUB.to_string()),
            ("AZLIN_MANAGED_IDENTITY", "off".to_string()),
        ]
    };
    let slow = || arm.inject((0..6).map(|_| Fault::Delay(Duration::from_secs(2))));
    let start = |args: &str| {
        let env = env(&home);
        let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        // The pane's shell may reset PATH (a login profile): set it on the command itself.
        Terminal::run(
            &format!("PATH='{path}' {} {args}", env!("CARGO_BIN_EXE_azlin")),
            &pairs,
        )
    };

    slow();
    let term = start("list --refresh --no-tmux");
    assert!(
        term.wait_for(Duration::from_secs(60), || term
            .screen()
            .contains("requests sent")
            || term.screen().contains("1 request sent")),
        "no Azure progress:\n{}",
        term.screen()
    );
    term.expect_text(Duration::from_secs(90), "azlin-exited-");
    let screen = term.screen();
    assert!(!screen.contains("sent…"), "not cleared:\n{screen}");
    assert!(screen.contains("one") && screen.contains("two"), "{screen}");
    assert!(screen.contains("azlin-exited-0"), "{screen}");

    // JSON on the terminal: no indicator mixed into it.
    slow();
    let term = start("list --refresh --no-tmux --format json");
    let mut seen = String::new();
    term.wait_for(Duration::from_secs(90), || {
        seen.push_str(&term.screen());
        seen.contains("azlin-exited-")
    });
    assert!(seen.contains("azlin-exited-0"), "{seen}");
    assert!(!seen.contains("sent…"), "{seen}");
}
