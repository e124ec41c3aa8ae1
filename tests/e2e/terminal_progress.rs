//! Progress: a spinner on stderr while `list` probes, on a terminal only.

use std::time::Duration;

use crate::support::Home;
use crate::support::terminal::Terminal;

/// A home with one host and an ssh (AZLIN_SSH) that takes 6 s to fail, so the probe
/// is still running while the screen is read.
fn slow_home() -> (Home, String) {
    let home = Home::new();
    home.ok(&["host", "add", "myvm", "--address", "10.0.0.5"]);
    let ssh = crate::support::plugin::script(
        &home.path().join("bin"),
        "slow-ssh",
        "sleep 6; echo 'ssh: connect to host 10.0.0.5: Connection refused' >&2; exit 255",
    );
    (home, ssh.to_string_lossy().into_owned())
}

fn in_terminal(home: &Home, ssh: &str, args: &str) -> Terminal {
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
    assert!(
        term.wait_for(Duration::from_secs(20), || term
            .screen()
            .contains("probing 1 VMs for tmux sessions")),
        "no spinner:\n{}",
        term.screen()
    );
    assert!(
        term.wait_for(Duration::from_secs(60), || term
            .screen()
            .contains("azlin-exited-")),
        "{}",
        term.screen()
    );
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
