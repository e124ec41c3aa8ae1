//! A VM whose login shell is zsh: every remote script azlin sends (the probe, exec's check
//! and prelude, the missing-session message, peek's look at every session, send, kill)
//! works there as it does under sh. sshd's `ForceCommand` stands in for the login shell:
//! the command azlin asked for is run by `zsh -c`, as sshd runs it with `$SHELL -c`.

use std::time::{Duration, Instant};

use crate::support::fleet::Fleet;
use crate::support::{Home, assert_success, text};

/// Runs the requested command with zsh, as a VM whose login shell is zsh would.
const ZSH_LOGIN: &str = "exec zsh -c \"$SSH_ORIGINAL_COMMAND\"";

#[test]
fn a_vm_whose_login_shell_is_zsh_lists_execs_peeks_sends_and_kills() {
    let home = Home::new();
    let mut fleet = Fleet::start(&home, &[]);
    fleet.add_forced(&home, "zvm", ZSH_LOGIN);
    // Made through azlin, so through zsh too (and the panes' shells start in the VM's
    // home, not with this machine's own start-up files).
    for s in ["dev", "api"] {
        home.ok(&["ssh", "zvm", "--tmux-session", s]);
    }

    let rows: serde_json::Value =
        serde_json::from_str(&home.ok(&["list", "--format", "json"])).unwrap();
    let mut listed: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["compound"].as_str())
        .collect();
    listed.sort();
    assert_eq!(listed, ["zvm:api", "zvm:dev"], "{rows}");

    // exec's session check (`-t '=dev:'`, which zsh would expand unquoted) and prelude.
    assert_eq!(
        home.ok(&["exec", "zvm:dev", "echo $AZLIN_SESSION"]),
        "dev\n"
    );
    let both = home.ok(&["exec", "zvm:dev", "zvm:api", "--", "echo", "ok"]);
    let mut lines: Vec<&str> = both.lines().collect();
    lines.sort();
    assert_eq!(lines, ["[zvm:api] ok", "[zvm:dev] ok"]);
    // The missing-session message is said on the VM, one session a line.
    let out = home
        .azlin()
        .args(["exec", "zvm:nosuch", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("no tmux session `nosuch` on `zvm`"), "{err}");
    assert!(err.contains("\n  zvm:api\n  zvm:dev\n"), "{err}");

    // send types into the pane; peek and peek --all read it back.
    home.ok(&["send", "zvm:dev", "--enter", "--", "echo typed-under-zsh"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let seen = home.ok(&["peek", "zvm:dev"]);
        if seen.lines().any(|l| l == "typed-under-zsh") {
            break;
        }
        assert!(Instant::now() < deadline, "never showed: {seen}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let glance = home.ok(&["peek", "--all", "-n", "1"]);
    assert!(glance.contains("zvm:dev"), "{glance}");
    assert!(glance.contains("zvm:api"), "{glance}");

    let out = home.azlin().args(["kill", "zvm:api"]).output().unwrap();
    assert_success(&out);
    assert_eq!(fleet.vm("zvm").sessions(), ["dev"]);
}
