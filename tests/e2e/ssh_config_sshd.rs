//! The generated ssh config against the fake fleet: plain `ssh`, `scp` and `sftp` called
//! as `ssh -F $HOME/.ssh/config`, with no azlin in the loop.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::support::fleet::Fleet;
use crate::support::terminal::Terminal;
use crate::support::{Home, assert_success};

/// A fleet with `myvm` and `other`, session `dev` known for `myvm`, and the config synced.
/// Dropping it first ends the ssh connection masters (ControlPersist) it left.
struct Synced {
    config: PathBuf,
    fleet: Fleet,
    home: Home,
}

impl Synced {
    fn new() -> Synced {
        Synced::in_home(Home::new())
    }

    fn in_home(home: Home) -> Synced {
        let fleet = Fleet::start(&home, &["myvm", "other"]);
        home.write(
            "cache/sessions.json",
            r#"{"version":1,"vms":{"myvm":{"probed_at":1,"sessions":[{"name":"dev"}]}}}"#,
        );
        home.ok(&["ssh-config"]);
        let config = home.path().join(".ssh/config");
        Synced {
            config,
            fleet,
            home,
        }
    }

    /// `PROGRAM -F ~/.ssh/config ARGS…` with no stdin, like a script would run it.
    fn run(&self, program: &str, args: &[&str]) -> Output {
        Command::new(program)
            .arg("-F")
            .arg(&self.config)
            .args(args)
            .env("HOME", self.home.path())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("run {program}: {e}"))
    }
}

impl Drop for Synced {
    fn drop(&mut self) {
        for alias in ["myvm", "other"] {
            let _ = self.run("ssh", &["-O", "exit", alias]);
        }
    }
}

fn ok(out: &Output) -> String {
    assert_success(out);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn session_alias_attaches_the_session_in_a_real_terminal() {
    let s = Synced::new();
    let vm = s.fleet.vm("myvm");
    assert!(vm.sessions().is_empty());
    let home_dir = s.home.path().to_string_lossy().into_owned();
    let path = std::env::var("PATH").unwrap_or_default();
    let term = Terminal::run(
        &format!("ssh -F {} myvm--dev", s.config.display()),
        &[("HOME", &home_dir), ("PATH", &path)],
    );
    let attached = term.wait_for(Duration::from_secs(60), || vm.attached("dev") >= 1);
    assert!(attached, "not attached; terminal shows:\n{}", term.screen());
    assert_eq!(vm.sessions(), ["dev"]);
    assert!(
        s.fleet.vm("other").sessions().is_empty(),
        "the session went to the wrong VM"
    );
    term.send_keys(&["echo typed-$((6*7))", "Enter"]);
    let seen = term.wait_for(Duration::from_secs(30), || {
        let out = vm.tmux(&["capture-pane", "-p", "-t", "=dev:"]);
        String::from_utf8_lossy(&out.stdout).contains("typed-42")
    });
    assert!(seen, "keys did not reach session dev");
    // Detach (tmux's own key): ssh ends, the session stays.
    term.send_keys(&["C-b", "d"]);
    let ended = term.wait_for(Duration::from_secs(30), || {
        term.screen().contains("azlin-exited-0")
    });
    assert!(ended, "ssh did not end after detach:\n{}", term.screen());
    assert_eq!(vm.sessions(), ["dev"]);
    assert_eq!(vm.attached("dev"), 0);
}

#[test]
fn plain_alias_serves_commands_scp_and_sftp() {
    let s = Synced::new();
    assert_eq!(ok(&s.run("ssh", &["myvm", "true"])), "");
    assert_eq!(
        ok(&s.run("ssh", &["other", "echo", "from-other"])),
        "from-other\n"
    );
    // The plain alias never runs tmux.
    assert!(s.fleet.vm("myvm").sessions().is_empty());

    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("notes.txt");
    fs::write(&src, "hello over scp\n").unwrap();
    let dest = dir.path().join("copied.txt");
    ok(&s.run(
        "scp",
        &[
            "-q",
            &src.to_string_lossy(),
            &format!("myvm:{}", dest.display()),
        ],
    ));
    assert_eq!(fs::read_to_string(&dest).unwrap(), "hello over scp\n");

    let batch = dir.path().join("batch");
    let fetched = dir.path().join("fetched.txt");
    fs::write(
        &batch,
        format!("get {} {}\n", dest.display(), fetched.display()),
    )
    .unwrap();
    ok(&s.run("sftp", &["-q", "-b", &batch.to_string_lossy(), "myvm"]));
    assert_eq!(fs::read_to_string(&fetched).unwrap(), "hello over scp\n");
}

#[test]
fn vs_code_pattern_runs_a_plain_command_through_a_session_alias() {
    let s = Synced::new();
    // VS Code hands ssh its command as one string; RemoteCommand=none overrides the
    // alias's tmux, -T its RequestTTY.
    let out = s.run(
        "ssh",
        &[
            "-T",
            "-o",
            "RemoteCommand=none",
            "myvm--dev",
            "bash -c 'echo ok'",
        ],
    );
    assert_eq!(ok(&out), "ok\n");
    assert!(
        s.fleet.vm("myvm").sessions().is_empty(),
        "RemoteCommand=none still started tmux"
    );
}

#[test]
fn every_alias_reaches_its_own_vms_port() {
    let s = Synced::new();
    for (alias, vm) in [("myvm", "myvm"), ("myvm--dev", "myvm"), ("other", "other")] {
        let port = s.fleet.vm(vm).port;
        let resolved = ok(&s.run("ssh", &["-G", alias]));
        assert!(
            resolved.lines().any(|l| l == format!("port {port}")),
            "{alias}: {resolved}"
        );
    }
}

#[test]
fn ssh_tmux_session_at_a_terminal_writes_the_alias_before_attaching() {
    // At a terminal azlin becomes ssh: the new session's alias must be written first,
    // from the run's inventory with the session noted in it.
    let s = Synced::new();
    let conf = s.home.path().join(".ssh/config.d/azlin-fleet.conf");
    let term = Terminal::azlin(&s.home, "ssh myvm --tmux-session newwork");
    let vm = s.fleet.vm("myvm");
    let attached = term.wait_for(Duration::from_secs(60), || vm.attached("newwork") >= 1);
    assert!(attached, "not attached; terminal shows:\n{}", term.screen());
    let text = fs::read_to_string(&conf).unwrap();
    assert!(text.contains("Host myvm--newwork"), "{text}");
    s.home.ok(&["disconnect", "myvm:newwork"]);
}

#[test]
fn commands_that_learn_sessions_resync_a_config_the_user_turned_on() {
    let s = Synced::new();
    let conf = s.home.path().join(".ssh/config.d/azlin-fleet.conf");
    assert!(
        !fs::read_to_string(&conf)
            .unwrap()
            .contains("myvm--feature-auth")
    );
    // `ssh --tmux-session` (no terminal here: created detached) makes the alias.
    s.home
        .ok(&["ssh", "myvm", "--tmux-session", "feature-auth"]);
    assert!(
        fs::read_to_string(&conf)
            .unwrap()
            .contains("Host myvm--feature-auth"),
        "{}",
        fs::read_to_string(&conf).unwrap()
    );
    // A session made behind azlin's back appears after `list`.
    s.fleet.vm("other").new_session("web", None);
    s.home.ok(&["list"]);
    let other = s.home.path().join(".ssh/config.d/azlin-fleet.conf");
    assert!(
        fs::read_to_string(&other)
            .unwrap()
            .contains("Host other--web")
    );
    // The alias works with plain ssh at once.
    let out = s.run(
        "ssh",
        &["-T", "-o", "RemoteCommand=none", "other--web", "echo ok"],
    );
    assert_eq!(ok(&out).trim(), "ok");
}

#[test]
fn list_never_touches_ssh_config_of_a_user_who_did_not_turn_it_on() {
    let home = Home::new();
    let _fleet = Fleet::start(&home, &["solo"]);
    home.ok(&["ssh", "solo", "--tmux-session", "dev"]);
    home.ok(&["list"]);
    assert!(!home.path().join(".ssh/config").exists());
    assert!(!home.path().join(".ssh/config.d").exists());
    home.azlin()
        .args(["-v", "list"])
        .assert()
        .success()
        .stderr(predicates::str::contains("run `azlin ssh-config` once"));
}

#[test]
fn a_home_with_a_percent_sign_and_a_space_gives_paths_ssh_reads_literally() {
    // ssh expands `%` tokens in UserKnownHostsFile and ControlPath and splits values at
    // white space: both must be escaped, or plain `ssh myvm` fails or writes elsewhere.
    let synced = Synced::in_home(Home::with_prefix("azlin e2e 50%d-"));
    let home = synced.home.path().to_string_lossy().into_owned();
    let g = ok(&synced.run("ssh", &["-G", "myvm"]));
    let value = |key: &str| {
        g.lines()
            .find_map(|l| l.strip_prefix(&format!("{key} ")))
            .unwrap_or_else(|| panic!("no {key} in ssh -G:\n{g}"))
            .to_string()
    };
    assert_eq!(
        value("userknownhostsfile"),
        format!("{home}/.azlin/known_hosts")
    );
    assert!(
        value("controlpath").starts_with(&format!("{home}/.ssh/cm/")),
        "{g}"
    );
    let out = synced.run("ssh", &["myvm", "echo reached"]);
    assert_eq!(ok(&out), "reached\n");
}

#[test]
fn a_home_too_long_for_control_sockets_gets_no_sharing_and_plain_ssh_still_connects() {
    // A Unix socket path holds about 104 bytes; `~/.ssh/cm/%C` under this home would not
    // fit, and ssh refuses such a ControlPath ("ControlPath too long") on every connect.
    // The generated config follows the rule azlin's own ssh follows: no sharing here.
    let synced = Synced::in_home(Home::with_prefix(&format!(
        "azlin-e2e-{}-",
        "long".repeat(16)
    )));
    let home = synced.home.path().to_string_lossy().into_owned();
    assert!(
        home.len() + "/.ssh/cm/".len() + 40 > 104,
        "{home} is not long enough"
    );
    let text = fs::read_to_string(synced.home.path().join(".ssh/config.d/azlin-fleet.conf"))
        .expect("generated file");
    assert!(!text.contains("ControlPath"), "{text}");
    assert!(!text.contains("ControlMaster"), "{text}");
    let out = synced.run("ssh", &["myvm", "echo reached"]);
    assert_eq!(ok(&out), "reached\n");
    // azlin's own ssh to the same VM works from that home too.
    synced.home.ok(&["exec", "myvm", "--", "true"]);
}
