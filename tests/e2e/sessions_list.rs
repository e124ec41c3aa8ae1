//! `azlin list`, `azlin session`, `azlin disconnect`, `azlin kill`, and the fault VMs
//! (refused port, silent listener) that must not hold up `list` or `exec`.

use std::time::{Duration, Instant};

use predicates::str::contains;
use serde_json::Value;

use crate::support::fleet::Fleet;
use crate::support::{Home, assert_success};

fn json_rows(home: &Home, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["list", "--format", "json"];
    all.extend_from_slice(args);
    let v: Value = serde_json::from_str(&home.ok(&all)).expect("list --format json");
    v.as_array().expect("an array").clone()
}

/// The guides' fleet: myvm (main, dev), prodvm (main, api), and an idle VM.
fn guide_fleet(home: &Home) -> Fleet {
    let fleet = Fleet::start(home, &["myvm", "prodvm", "idle"]);
    for (vm, s) in [
        ("myvm", "main"),
        ("myvm", "dev"),
        ("prodvm", "main"),
        ("prodvm", "api"),
    ] {
        fleet.vm(vm).new_session(s, None);
    }
    fleet
}

#[test]
fn list_shows_every_session_as_table_json_and_csv_and_fills_the_cache() {
    let home = Home::new();
    let fleet = guide_fleet(&home);
    let table = home.ok(&["list"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("HOSTNAME  SESSION  STATUS   IP         SESSION NAME"),
        "{table}"
    );
    // The guide's `azlin list | tail -n +2 | while read hostname session status ip`: rows
    // are sessions, so `idle` (no sessions) is not one.
    let parsed: Vec<Vec<&str>> = lines[1..]
        .iter()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        parsed,
        [
            vec!["myvm", "dev", "Running", "127.0.0.1", "-"],
            vec!["myvm", "main", "Running", "127.0.0.1", "-"],
            vec!["prodvm", "api", "Running", "127.0.0.1", "-"],
            vec!["prodvm", "main", "Running", "127.0.0.1", "-"],
        ]
    );

    let rows = json_rows(&home, &[]);
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r["session"].is_string()), "{rows:?}");
    let dev = &rows[0];
    for (k, v) in [
        ("hostname", "myvm"),
        ("session", "dev"),
        ("status", "Running"),
        ("ip", "127.0.0.1"),
        ("compound", "myvm:dev"),
        ("ssh_alias", "myvm--dev"),
        ("provider", "local"),
    ] {
        assert_eq!(dev[k], v, "{k}: {dev}");
    }
    assert_eq!(dev["attached"], false);
    assert_eq!(dev["windows"], 1);
    assert!(dev["session_name"].is_null());
    assert_eq!(dev["port"], fleet.vm("myvm").port);

    let csv = home.ok(&["list", "--format", "csv"]);
    let mut csv_lines = csv.lines();
    assert!(csv_lines.next().unwrap().starts_with(
        "hostname,session,status,ip,session_name,compound,ssh_alias,attached,windows,provider"
    ));
    assert!(csv.contains("\nmyvm,dev,Running,127.0.0.1,,myvm:dev,myvm--dev,false,1,local,"));

    // The probe filled the cache: `dev` now resolves without another probe.
    let cache = std::fs::read_to_string(home.azlin_home().join("cache/sessions.json")).unwrap();
    assert!(cache.contains("\"api\""), "{cache}");
    let resolved = home.ok(&["resolve", "dev"]);
    assert!(resolved.starts_with("myvm:dev"), "{resolved}");

    // --wide adds columns; --no-tmux lists VMs without sessions; --tag filters.
    let wide = home.ok(&["list", "--wide"]);
    assert!(
        wide.lines()
            .next()
            .unwrap()
            .ends_with("USER  PORT   WINDOWS  ATTACHED  PROVIDER"),
        "{wide}"
    );
    let vms = json_rows(&home, &["--no-tmux"]);
    assert_eq!(vms.len(), 3);
    assert!(vms.iter().all(|r| r["session"].is_null()));
    assert!(json_rows(&home, &["--tag", "team=x"]).is_empty());
    let out = home
        .azlin()
        .args(["list", "--tag", "team=x"])
        .output()
        .unwrap();
    assert_success(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("No VM has the tag team=x (3 VMs checked"),
        "{err}"
    );
    assert!(!err.contains("Add one"), "{err}");

    // --vms: one object per VM, its sessions as an array, the VM without any included.
    let vms = json_rows(&home, &["--vms"]);
    let names: Vec<(&str, Vec<&str>)> = vms
        .iter()
        .map(|v| {
            let s = v["sessions"].as_array().unwrap();
            (
                v["hostname"].as_str().unwrap(),
                s.iter().map(|s| s["session"].as_str().unwrap()).collect(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("idle", vec![]),
            ("myvm", vec!["dev", "main"]),
            ("prodvm", vec!["api", "main"]),
        ]
    );
    assert_eq!(vms[1]["sessions"][0]["compound"], "myvm:dev");
    let csv = home.ok(&["list", "--vms", "--format", "csv"]);
    assert!(
        csv.contains("\nmyvm,Running,127.0.0.1,,dev main,local,"),
        "{csv}"
    );
}

/// `#{session_activity}` of `session` as tmux on the VM reports it, in RFC 3339.
fn activity_of(fleet: &Fleet, vm: &str, session: &str) -> String {
    let secs = fleet.vm(vm).activity(session);
    let date = std::process::Command::new("date")
        .args(["-u", "-d", &format!("@{secs}"), "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .expect("run date");
    String::from_utf8_lossy(&date.stdout).trim().to_string()
}

#[test]
fn json_counts_attached_clients_and_gives_the_last_activity() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["myvm"]);
    home.ok(&["ssh", "myvm", "--tmux-session", "dev"]);
    home.ok(&["ssh", "myvm", "--tmux-session", "quiet"]);
    // Two terminals attached to `dev`.
    let _one = crate::support::terminal::Terminal::azlin(&home, "connect myvm:dev");
    let _two = crate::support::terminal::Terminal::azlin(&home, "connect myvm:dev");
    let deadline = Instant::now() + Duration::from_secs(60);
    while fleet.vm("myvm").attached("dev") < 2 {
        assert!(Instant::now() < deadline, "two clients never attached");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Activity may move while the listing runs (a client's redraw): it is one of the
    // times tmux reports before and after.
    let before = [
        activity_of(&fleet, "myvm", "dev"),
        activity_of(&fleet, "myvm", "quiet"),
    ];
    let rows = json_rows(&home, &[]);
    let vms = json_rows(&home, &["--vms"]);
    let after = [
        activity_of(&fleet, "myvm", "dev"),
        activity_of(&fleet, "myvm", "quiet"),
    ];
    let sessions = vms[0]["sessions"].as_array().unwrap();
    for (i, (name, clients)) in [("dev", 2), ("quiet", 0)].into_iter().enumerate() {
        let row = rows.iter().find(|r| r["session"] == name).unwrap();
        let cell = sessions.iter().find(|r| r["session"] == name).unwrap();
        for r in [row, cell] {
            assert_eq!(r["clients"], clients, "{r}");
            assert_eq!(r["attached"], clients > 0, "{r}");
            let at = r["last_activity"].as_str().unwrap();
            assert!(
                at >= before[i].as_str() && at <= after[i].as_str(),
                "{r} {before:?} {after:?}"
            );
        }
    }
}

#[test]
fn session_names_label_vms_and_tmux_sessions_and_show_in_list() {
    let home = Home::new();
    let fleet = guide_fleet(&home);
    // A tmux session name (`@azlin-name`).
    home.ok(&["session", "myvm:dev", "production-deployment"]);
    let opt = fleet
        .vm("myvm")
        .tmux(&["show-options", "-v", "-t", "=dev:", "@azlin-name"]);
    assert_eq!(
        String::from_utf8_lossy(&opt.stdout).trim(),
        "production-deployment"
    );
    assert_eq!(
        home.ok(&["session", "myvm:dev"]).trim(),
        "Session name for myvm:dev: production-deployment"
    );
    let table = home.ok(&["list"]);
    assert!(
        table.lines().any(|l| l.starts_with("myvm")
            && l.contains(" dev ")
            && l.ends_with("production-deployment")),
        "{table}"
    );
    home.ok(&["session", "myvm:dev", "--clear"]);
    assert_eq!(
        home.ok(&["session", "myvm:dev"]).trim(),
        "No session name for myvm:dev"
    );

    // A VM label: `azlin session my-vm my-project`, then connect by it.
    home.ok(&["session", "idle", "my-project"]);
    assert_eq!(
        home.ok(&["session", "idle"]).trim(),
        "Session name for idle: my-project"
    );
    // `idle` has no sessions: it is a row of `--vms`, not of the session rows.
    let rows = json_rows(&home, &["--vms"]);
    assert_eq!(rows[0]["hostname"], "idle");
    assert_eq!(rows[0]["vm_label"], "my-project");
    home.azlin()
        .args(["connect", "my-project"])
        .assert()
        .success()
        .stderr(contains("`idle:azlin`"));
    home.ok(&["session", "idle", "--clear"]);
    assert_eq!(
        home.ok(&["session", "idle"]).trim(),
        "No session name for idle"
    );
    // A bad name is bad input; a missing session is an error naming those that exist.
    home.azlin()
        .args(["session", "idle", "has space"])
        .assert()
        .code(2);
    home.azlin()
        .args(["session", "myvm:nosuch", "x"])
        .assert()
        .code(1)
        .stderr(contains("myvm:main"));
}

#[test]
fn disconnect_keeps_the_session_and_kill_ends_it() {
    let home = Home::new();
    let fleet = guide_fleet(&home);
    home.ok(&["disconnect", "myvm:dev"]);
    assert_eq!(fleet.vm("myvm").sessions(), ["dev", "main"]);
    home.ok(&["kill", "myvm:dev"]);
    assert_eq!(fleet.vm("myvm").sessions(), ["main"]);
    // The cache has seen only myvm (the commands above probed it), yet `kill main` is
    // ambiguous: a destructive command probes the fleet before matching a session name.
    home.azlin()
        .args(["kill", "main"])
        .assert()
        .code(1)
        .stderr(contains("ambiguous"));
    home.azlin()
        .args(["kill", "myvm:dev"])
        .assert()
        .code(1)
        .stderr(contains("no tmux session `dev` on `myvm`"))
        .stderr(contains("myvm:main"));
    home.azlin()
        .args(["disconnect", "prodvm:gone"])
        .assert()
        .code(1)
        .stderr(contains("no tmux session `gone`"));
    assert_eq!(fleet.vm("prodvm").sessions(), ["api", "main"]);
}

#[test]
fn unreachable_vms_do_not_hold_up_list_or_exec_beyond_the_timeout() {
    let home = Home::new();
    let mut fleet = Fleet::start(&home, &["vm1", "vm2", "vm3"]);
    fleet.vm("vm1").new_session("work", None);
    fleet.add_closed_port(&home, "closed");
    fleet.add_black_hole(&home, "hole");

    let started = Instant::now();
    let out = home
        .azlin()
        .args(["list", "--vms", "--timeout", "10", "--format", "json"])
        .output()
        .unwrap();
    // Connect timeout 10 s (it bounds ssh's handshake too); a probe is killed after
    // 2×10+10 s. The bound is generous for a loaded machine.
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(1));
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let status = |vm: &str| {
        rows.iter()
            .find(|r| r["hostname"] == vm)
            .map(|r| r["status"].as_str().unwrap().to_string())
    };
    assert_eq!(status("closed").as_deref(), Some("Unreachable"));
    assert_eq!(status("hole").as_deref(), Some("Unreachable"));
    assert_eq!(status("vm2").as_deref(), Some("Running"));
    assert!(
        rows.iter()
            .filter_map(|r| r["sessions"].as_array())
            .flatten()
            .any(|s| s["compound"] == "vm1:work")
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot reach `closed`"), "{err}");
    assert!(err.contains("cannot reach `hole`"), "{err}");
    assert!(err.contains("2 of 5 VMs could not be probed"), "{err}");

    let started = Instant::now();
    let out = home
        .azlin()
        .args(["exec", "--all", "--timeout", "10", "--", "echo", "ok"])
        .output()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for vm in ["vm1", "vm2", "vm3"] {
        assert!(stdout.contains(&format!("[{vm}:azlin] ok")), "{stdout}");
    }
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("succeeded on 3 of 5 targets"), "{err}");
    assert!(
        err.contains("closed:azlin") && err.contains("hole:azlin"),
        "{err}"
    );
}
