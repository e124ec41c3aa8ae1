//! The shipped plugins answer the plugin protocol: metadata, help, bad arguments.

use std::time::Duration;

use predicates::str::contains;

use crate::support::Home;

#[test]
fn shipped_plugins_describe_themselves() {
    let home = Home::new();
    home.install_shipped_plugins();
    let out = home
        .azlin()
        .args(["-v", "plugin", "list", "--json"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for name in ["health", "idle", "ui"] {
        let plugin = json["plugins"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} not listed: {json}"));
        assert!(
            plugin["description"].as_str().unwrap().len() > 10,
            "{plugin}"
        );
        assert_eq!(plugin["version"], env!("CARGO_PKG_VERSION"));
    }
    let warnings = json["warnings"].as_array().unwrap();
    assert!(
        !warnings
            .iter()
            .any(|w| w["message"].as_str().unwrap().contains("plugins/azlin-")),
        "{warnings:?}"
    );
}

#[test]
fn shipped_plugins_answer_help_and_refuse_bad_arguments() {
    let home = Home::new();
    home.install_shipped_plugins();
    home.azlin()
        .args(["help", "health"])
        .assert()
        .success()
        .stdout(contains("usage: azlin health"))
        .stdout(contains("--timeout"));
    home.azlin()
        .args(["idle", "--help"])
        .assert()
        .success()
        .stdout(contains("--older-than"))
        .stdout(contains("--kill"));
    home.azlin()
        .args(["health", "--timeout", "soon"])
        .assert()
        .code(2)
        .stderr(contains("--timeout"));
    home.azlin()
        .args(["idle", "--older-than", "3 fortnights"])
        .assert()
        .code(2)
        .stderr(contains("is not a duration"));
    // --kill never ends anything without a terminal to ask on, unless --yes.
    home.azlin()
        .args(["idle", "--kill"])
        .assert()
        .code(2)
        .stderr(contains("--yes"));
}

/// The fleet tests: the shipped plugins against real sshd and tmux, through azlin.
mod fleet {
    use std::time::Duration;

    use crate::support::fleet::Fleet;
    use crate::support::{Home, assert_success};

    fn tmux_activity(fleet: &Fleet, vm: &str, session: &str) -> u64 {
        fleet.vm(vm).activity(session)
    }

    /// `azlin health`: its status and its table.
    fn health(home: &Home) -> (Option<i32>, String) {
        let out = home
            .azlin()
            .args(["health", "--timeout", "60"])
            .timeout(Duration::from_secs(300))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    #[test]
    fn health_reports_every_session_and_fails_on_an_unreachable_vm() {
        let home = Home::new();
        home.install_shipped_plugins();
        let mut fleet = Fleet::start(&home, &["vm1", "vm2"]);
        fleet.vm("vm1").new_session("main", None);
        fleet.vm("vm1").new_session("dev", None);
        fleet.vm("vm2").new_session("api", None);
        let (code, text) = health(&home);
        assert_eq!(code, Some(0), "{text}");
        for s in ["vm1:main", "vm1:dev", "vm2:api"] {
            let line = text.lines().find(|l| l.starts_with(s)).unwrap_or_else(|| {
                panic!("{s} missing:\n{text}");
            });
            assert!(line.contains('✅'), "{line}");
        }
        assert!(text.contains("3 of 3 sessions answered"), "{text}");

        fleet.add_closed_port(&home, "vm3");
        let (code, text) = health(&home);
        assert_eq!(code, Some(1), "{text}");
        let vm3 = text.lines().find(|l| l.starts_with("vm3:")).unwrap();
        assert!(vm3.contains('❌'), "{text}");
        assert!(text.contains("3 of 4 sessions answered"), "{text}");
    }

    #[test]
    fn health_gives_up_on_a_session_that_does_not_answer_in_time() {
        let home = Home::new();
        home.install_shipped_plugins();
        let fleet = Fleet::start(&home, &["vm1"]);
        fleet.vm("vm1").new_session("main", None);
        fleet.vm("vm1").new_session("hang-me", None);
        // An ssh client that hangs for `exec hang-me -- true` only: listing and the other
        // session go through the real ssh.
        let ssh = crate::support::plugin::script(
            &home.path().join("bin"),
            "slow-ssh",
            "case \"$*\" in *hang-me*true*) exec sleep 60 ;; esac\nexec ssh \"$@\"",
        );
        let started = std::time::Instant::now();
        let out = home
            .azlin()
            .env("AZLIN_SSH", &ssh)
            .args(["health", "--timeout", "15"])
            .timeout(Duration::from_secs(300))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let line = |s: &str| text.lines().find(|l| l.starts_with(s)).unwrap_or_default();
        assert!(line("vm1:main ").contains('✅'), "{text}");
        assert!(line("vm1:hang-me").contains('❌'), "{text}");
        assert!(
            line("vm1:hang-me").contains("timed out after 15s"),
            "{text}"
        );
        // It gave up instead of waiting for the hung client.
        assert!(started.elapsed() < Duration::from_secs(55), "{text}");
    }

    /// A session on `vm` whose program prints nothing, so its activity stays at its creation.
    fn silent_session(fleet: &Fleet, vm: &str, name: &str) {
        let out = fleet
            .vm(vm)
            .tmux(&["new-session", "-d", "-s", name, "sleep 100000"]);
        assert_success(&out);
    }

    #[test]
    fn idle_lists_by_tmux_activity_and_kill_ends_only_the_idle_ones() {
        let home = Home::new();
        home.install_shipped_plugins();
        let fleet = Fleet::start(&home, &["vm1", "vm2"]);
        silent_session(&fleet, "vm1", "old");
        silent_session(&fleet, "vm2", "stale");
        // Output once a second keeps `busy` active however long the checks below take.
        let out = fleet.vm("vm1").tmux(&[
            "new-session",
            "-d",
            "-s",
            "busy",
            "while :; do date; sleep 1; done",
        ]);
        assert_success(&out);
        std::thread::sleep(Duration::from_secs(8));

        let idle = |extra: &[&str]| {
            let out = home
                .azlin()
                .args(["idle", "--older-than", "5s", "--format", "json"])
                .args(extra)
                .timeout(Duration::from_secs(300))
                .output()
                .unwrap();
            assert_success(&out);
            let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
            let mut names: Vec<String> = rows
                .iter()
                .map(|r| r["compound"].as_str().unwrap().to_string())
                .collect();
            names.sort();
            (
                rows,
                names,
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        };

        let (rows, names, _) = idle(&[]);
        assert_eq!(names, ["vm1:old", "vm2:stale"], "{rows:?}");
        for r in &rows {
            let (vm, s) = (
                r["hostname"].as_str().unwrap(),
                r["session"].as_str().unwrap(),
            );
            // Nothing happened in these sessions since tmux created them.
            assert_eq!(r["last_activity"], tmux_activity(&fleet, vm, s), "{r}");
            assert!(r["idle_seconds"].as_u64().unwrap() >= 8, "{r}");
        }

        home.azlin()
            .args(["idle", "--older-than", "1d"])
            .timeout(Duration::from_secs(300))
            .assert()
            .success()
            .stdout("No session has been idle for more than 1d.\n");

        let (rows, names, stderr) = idle(&["--kill", "--yes"]);
        assert_eq!(names, ["vm1:old", "vm2:stale"], "{rows:?}");
        assert!(rows.iter().all(|r| r["killed"] == true), "{rows:?}");
        assert!(stderr.contains("Ending 2 sessions"), "{stderr}");
        assert_eq!(fleet.vm("vm1").sessions(), ["busy"]);
        assert!(fleet.vm("vm2").sessions().is_empty());
    }
}
