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
    for name in ["health", "idle"] {
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
    use std::time::{Duration, Instant};

    use crate::support::Home;
    use crate::support::fleet::Fleet;

    fn tmux_activity(fleet: &Fleet, vm: &str, session: &str) -> u64 {
        let out = fleet.vm(vm).tmux(&[
            "display-message",
            "-p",
            "-t",
            &format!("={session}:"),
            "#{session_activity}",
        ]);
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
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
    fn idle_lists_by_tmux_activity_and_kill_ends_only_the_idle_ones() {
        let home = Home::new();
        home.install_shipped_plugins();
        let fleet = Fleet::start(&home, &["vm1", "vm2"]);
        fleet.vm("vm1").new_session("old", None);
        fleet.vm("vm2").new_session("stale", None);
        std::thread::sleep(Duration::from_secs(8));
        fleet.vm("vm1").new_session("fresh", None);
        let fresh_made = Instant::now();

        // Everything, with tmux's own activity times.
        let out = home
            .azlin()
            .args(["idle", "--older-than", "0s", "--format", "json"])
            .timeout(Duration::from_secs(300))
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let all: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        let mut seen: Vec<String> = all
            .iter()
            .map(|r| r["compound"].as_str().unwrap().to_string())
            .collect();
        seen.sort();
        // `fresh` may be less than a second old, and so not idle at all yet.
        seen.retain(|c| c != "vm1:fresh");
        assert_eq!(seen, ["vm1:old", "vm2:stale"], "{all:?}");
        for r in &all {
            let (vm, s) = (
                r["hostname"].as_str().unwrap(),
                r["session"].as_str().unwrap(),
            );
            assert_eq!(r["last_activity"], tmux_activity(&fleet, vm, s), "{r}");
        }
        assert!(all[0]["idle_seconds"].as_u64().unwrap() >= 8, "{all:?}");

        // Nothing has been idle for a day.
        home.azlin()
            .args(["idle", "--older-than", "1d"])
            .timeout(Duration::from_secs(300))
            .assert()
            .success()
            .stdout("No session has been idle for more than 1d.\n");

        // Between fresh's age and old's: only the old ones go.
        let threshold = fresh_made.elapsed().as_secs() + 4;
        let out = home
            .azlin()
            .args(["idle", "--kill", "--yes", "--format", "json"])
            .args(["--older-than", &format!("{threshold}s")])
            .timeout(Duration::from_secs(300))
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let killed: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        let mut names: Vec<&str> = killed
            .iter()
            .map(|r| r["compound"].as_str().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["vm1:old", "vm2:stale"], "{killed:?}");
        assert!(killed.iter().all(|r| r["killed"] == true), "{killed:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("Ending 2 sessions"), "{stderr}");
        assert_eq!(fleet.vm("vm1").sessions(), ["fresh"]);
        assert!(fleet.vm("vm2").sessions().is_empty());
    }
}
