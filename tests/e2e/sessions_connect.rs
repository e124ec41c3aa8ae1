//! `azlin ssh` and `azlin connect` against the fake fleet: the guides' session lifecycle,
//! resolution (exact, unique session, ambiguous, default session, live probe), commands
//! instead of tmux, and attaching in a real terminal.

use std::time::Duration;

use predicates::str::contains;

use crate::support::fleet::{Fleet, SshLog};
use crate::support::terminal::Terminal;
use crate::support::{Home, assert_success};

fn stderr_of(home: &Home, args: &[&str]) -> (i32, String) {
    let out = home.azlin().args(args).output().expect("run azlin");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn guide_lifecycle_create_reconnect_resolve() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["myvm", "prodvm", "devvm"]);
    // "Multiple sessions on same VM" and the resolution example's fleet.
    for s in ["main", "dev", "staging"] {
        home.ok(&["ssh", "myvm", "--tmux-session", s]);
    }
    for s in ["main", "api"] {
        home.ok(&["ssh", "prodvm", "--tmux-session", s]);
    }
    assert_eq!(fleet.vm("myvm").sessions(), ["dev", "main", "staging"]);
    assert_eq!(fleet.vm("prodvm").sessions(), ["api", "main"]);

    // azlin connect myvm:main → exact match (the session exists: nothing new is made).
    let (code, err) = stderr_of(&home, &["connect", "myvm:main"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("`myvm:main`"), "{err}");
    // azlin connect dev → the unique session.
    let (code, err) = stderr_of(&home, &["connect", "dev"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("`myvm:dev`"), "{err}");
    // azlin connect main → ambiguous, listing both.
    home.azlin()
        .args(["connect", "main"])
        .assert()
        .code(1)
        .stderr(contains("ambiguous"))
        .stderr(contains("myvm:main"))
        .stderr(contains("prodvm:main"));
    // azlin connect myvm → the default session, created.
    home.ok(&["connect", "myvm"]);
    assert!(fleet.vm("myvm").sessions().contains(&"azlin".to_string()));
    // Nothing else was created by reconnecting.
    assert_eq!(
        fleet.vm("myvm").sessions(),
        ["azlin", "dev", "main", "staging"]
    );
    assert!(fleet.vm("devvm").sessions().is_empty());

    // "Session Lifecycle": create, then connect by compound name.
    home.ok(&["ssh", "devvm", "--tmux-session", "feature-auth"]);
    home.ok(&["connect", "devvm:feature-auth"]);
    assert_eq!(fleet.vm("devvm").sessions(), ["feature-auth"]);
}

#[test]
fn a_session_the_cache_does_not_know_is_found_by_one_live_probe() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["vm1", "vm2", "vm3"]);
    // Made behind azlin's back: the cache cannot know it.
    fleet.vm("vm2").new_session("hidden", None);
    let (code, err) = stderr_of(&home, &["connect", "hidden"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("`vm2:hidden`"), "{err}");
    // Still not found after the probe: not found, exit 1.
    home.azlin()
        .args(["connect", "nowhere"])
        .assert()
        .code(1)
        .stderr(contains("no VM or session matches `nowhere`"));
    assert_eq!(fleet.vm("vm1").sessions().len(), 0);
}

#[test]
fn a_command_instead_of_tmux_passes_output_and_status_through() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["vm1", "vm2", "vm3"]);
    let out = home
        .azlin()
        .args(["ssh", "vm1", "--", "printf", "%s|", "two words", "it's"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "two words|it's|");
    // One word after `--` is a command line, as with exec and plain ssh.
    let out = home
        .azlin()
        .args(["connect", "vm2", "--", "cd / && pwd"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "/\n");
    for code in [0, 3, 255] {
        home.azlin()
            .args(["connect", "vm3", "--", "sh", "-c", &format!("exit {code}")])
            .assert()
            .code(code);
    }
    // No tmux session was made for a command.
    assert!(fleet.vm("vm1").sessions().is_empty());
    // A session name that breaks the rules is bad input.
    home.azlin()
        .args(["ssh", "vm1", "--tmux-session", "feature:auth"])
        .assert()
        .code(2);
}

#[test]
fn a_command_without_a_terminal_claims_and_shares_the_vm_s_connection() {
    let home = Home::new();
    let _fleet = Fleet::start(&home, &["vm1"]);
    let log = SshLog::new();
    let run = |args: &[&str]| {
        home.azlin()
            .env("AZLIN_SSH", log.client())
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["connect", "vm1", "--", "echo", "one"]);
    assert_success(&out);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "one\n");
    let option = |runs: &[Vec<String>], key: &str| -> Vec<String> {
        runs.iter()
            .flatten()
            .filter_map(|a| a.strip_prefix(key).map(str::to_string))
            .collect()
    };
    let first = log.take();
    assert_eq!(first.len(), 1, "{first:?}");
    // The first ssh to the VM sets the shared connection up, in ~/.ssh/cm …
    assert_eq!(option(&first, "ControlMaster="), ["auto"], "{first:?}");
    let path = option(&first, "ControlPath=");
    assert!(
        path.len() == 1 && path[0].contains("/.ssh/cm/"),
        "{first:?}"
    );
    let sockets = std::fs::read_dir(home.path().join(".ssh/cm"))
        .expect("~/.ssh/cm")
        .flatten()
        .filter(|e| {
            use std::os::unix::fs::FileTypeExt;
            e.file_type().is_ok_and(|t| t.is_socket())
        })
        .count();
    assert_eq!(sockets, 1, "the master stays up for the next ssh");
    // … and the next one, within the claim's window (its --timeout: 60 s, so that a slow
    // machine cannot outlast it), leaves that to it and uses it.
    let out = run(&["ssh", "vm1", "--timeout", "60", "--", "echo", "two"]);
    assert_success(&out);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "two\n");
    let second = log.take();
    assert_eq!(option(&second, "ControlMaster="), ["no"], "{second:?}");
    assert_eq!(option(&second, "ControlPath="), path, "{second:?}");
}

#[test]
fn connect_attaches_in_a_real_terminal() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["vm1", "vm2", "vm3"]);
    let vm = fleet.vm("vm2");
    let term = Terminal::azlin(&home, "connect vm2:work");
    let attached = term.wait_for(Duration::from_secs(60), || vm.attached("work") >= 1);
    assert!(attached, "not attached; terminal shows:\n{}", term.screen());
    assert_eq!(vm.sessions(), ["work"]);
    // Typing in the terminal reaches the remote session.
    term.send_keys(&["echo typed-$((6*7))", "Enter"]);
    let seen = term.wait_for(Duration::from_secs(30), || {
        let out = vm.tmux(&["capture-pane", "-p", "-t", "=work:"]);
        String::from_utf8_lossy(&out.stdout).contains("typed-42")
    });
    assert!(seen, "keys did not reach the session");
    // disconnect detaches the client: ssh and azlin end with 0, the session lives on.
    home.ok(&["disconnect", "vm2:work"]);
    let ended = term.wait_for(Duration::from_secs(30), || {
        term.screen().contains("azlin-exited-0")
    });
    assert!(ended, "azlin did not end after detach:\n{}", term.screen());
    assert_eq!(vm.attached("work"), 0);
    assert_eq!(vm.sessions(), ["work"]);
}

#[test]
fn exec_t_gives_the_command_a_terminal_and_passes_its_status() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["vm1", "vm2", "vm3"]);
    fleet.vm("vm1").new_session("dev", None);
    let term = Terminal::azlin(
        &home,
        "exec -t vm1:dev 'test -t 0 && echo has-a-tty; exit 5'",
    );
    let ended = term.wait_for(Duration::from_secs(60), || {
        term.screen().contains("azlin-exited-")
    });
    let screen = term.screen();
    assert!(ended, "azlin did not end:\n{screen}");
    assert!(screen.contains("has-a-tty"), "{screen}");
    assert!(screen.contains("azlin-exited-5"), "{screen}");
}

#[test]
fn a_typo_of_a_session_name_is_refused_with_did_you_mean_and_create_makes_it() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["myvm"]);
    fleet.vm("myvm").new_session("dev", None);
    home.ok(&["list"]);
    // `deb` for `dev`, and a swap of two letters (`dve`): one edit each.
    for typo in ["myvm:deb", "myvm:dve"] {
        let (code, err) = stderr_of(&home, &["connect", typo]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("did you mean `myvm:dev`?"), "{err}");
        assert!(err.contains("--create"), "{err}");
    }
    assert_eq!(fleet.vm("myvm").sessions(), ["dev"], "nothing was created");
    let (code, err) = stderr_of(&home, &["connect", "myvm:deb", "--create"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("created new session `myvm:deb`"), "{err}");
    assert!(err.contains("ssh -t myvm--deb"), "{err}");
    // A name far from any: created, and said so.
    let (code, err) = stderr_of(&home, &["connect", "myvm:release"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("created new session `myvm:release`"), "{err}");
    // An existing one: said accurately, not "created".
    let (code, err) = stderr_of(&home, &["connect", "myvm:dev"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("`myvm:dev` was already running"), "{err}");
    assert!(!err.contains("created"), "{err}");
    assert_eq!(fleet.vm("myvm").sessions(), ["deb", "dev", "release"]);
    // A leading `-` reads as an option: refused before any ssh.
    let (code, err) = stderr_of(&home, &["ssh", "myvm", "--tmux-session=-x"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("must not start with `-`"), "{err}");
}

#[test]
fn ssh_tmux_session_detach_creates_without_attaching_even_at_a_terminal() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["myvm"]);
    let path = std::env::var("PATH").unwrap_or_default();
    let term = Terminal::run(
        &format!(
            "{} ssh myvm --tmux-session build --detach",
            env!("CARGO_BIN_EXE_azlin")
        ),
        &[
            ("HOME", &home.path().to_string_lossy()),
            ("AZLIN_HOME", &home.azlin_home().to_string_lossy()),
            ("PATH", &path),
        ],
    );
    term.expect_text(Duration::from_secs(30), "azlin-exited-0");
    let screen = term.screen();
    assert!(
        screen.contains("created new session `myvm:build`"),
        "{screen}"
    );
    assert!(screen.contains("(--detach)"), "{screen}");
    assert_eq!(fleet.vm("myvm").sessions(), ["build"]);
    assert_eq!(fleet.vm("myvm").attached("build"), 0);
}
