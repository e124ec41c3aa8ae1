//! The guides' scripts verbatim (`../shared/reference/`), run by bash (and python3) with
//! `azlin` on `PATH`, on a fleet shaped as the session-management guide assumes: `myvm`
//! with main/dev/staging, `prodvm` with main/api, and `sparevm` with no session at all
//! (which no script may act on). Only external tools are stubbed, never azlin.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::Home;
use crate::support::fleet::Fleet;

/// The guide's fleet.
fn guide_fleet(home: &Home) -> Fleet {
    let fleet = Fleet::start(home, &["myvm", "prodvm", "sparevm"]);
    for s in ["main", "dev", "staging"] {
        fleet.vm("myvm").new_session(s, None);
    }
    for s in ["main", "api"] {
        fleet.vm("prodvm").new_session(s, None);
    }
    // Sessions are known from a live probe, as after any `azlin list`.
    home.ok(&["list"]);
    fleet
}

const SESSIONS: [&str; 5] = [
    "myvm:dev",
    "myvm:main",
    "myvm:staging",
    "prodvm:api",
    "prodvm:main",
];

/// Runs `program -c script` (bash, python3) in `dir` with azlin and `stubs` first on PATH.
fn run(home: &Home, program: &str, script: &str, dir: &Path, stubs: Option<&Path>) -> Run {
    let azlin_dir = Path::new(env!("CARGO_BIN_EXE_azlin")).parent().unwrap();
    let mut path: Vec<PathBuf> = stubs.into_iter().map(Path::to_path_buf).collect();
    path.push(azlin_dir.to_path_buf());
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let out = Command::new(program)
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::join_paths(path).unwrap())
        .env("HOME", home.path())
        .env("AZLIN_HOME", home.azlin_home())
        .output()
        .expect("run the script");
    Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

struct Run {
    code: i32,
    out: String,
    err: String,
}

/// How many times each `vm:session` follows `prefix` at the start of a line of `out`.
fn visits(out: &str, prefix: &str) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    for line in out.lines() {
        if let Some(rest) = line.strip_prefix(prefix) {
            let id: String = rest
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '(')
                .collect();
            *seen.entry(id).or_insert(0) += 1;
        }
    }
    seen
}

fn each_once() -> BTreeMap<String, usize> {
    SESSIONS.iter().map(|s| (s.to_string(), 1)).collect()
}

#[test]
fn monitor_sessions_sh_visits_every_session_once() {
    let home = Home::new();
    let _fleet = guide_fleet(&home);
    let work = tempfile::tempdir().unwrap();
    let script = r#"#!/bin/bash
# monitor-sessions.sh

# List all sessions and their status
azlin list | grep -E "^(HOSTNAME|[a-z])" > sessions.txt

# Check each session's processes
while IFS= read -r line; do
    if [[ $line =~ ^([a-z][a-z-]+[0-9]*)[[:space:]]+([a-z][a-z-]+) ]]; then
        hostname="${BASH_REMATCH[1]}"
        session="${BASH_REMATCH[2]}"

        echo "=== $hostname:$session ==="
        azlin exec "$hostname:$session" "ps aux | grep -v grep | grep -E 'node|python|docker'"
    fi
done < sessions.txt
"#;
    let r = run(&home, "bash", script, work.path(), None);
    assert_eq!(r.code, 1, "the last grep finds nothing: {}", r.err);
    let got = visits(&r.out, "=== ");
    assert_eq!(got, each_once(), "{}\n{}", r.out, r.err);
    assert!(!r.err.contains("sparevm"), "{}", r.err);
}

#[test]
fn cleanup_idle_sessions_sh_visits_every_session_once_with_real_idle_times() {
    let home = Home::new();
    let _fleet = guide_fleet(&home);
    let work = tempfile::tempdir().unwrap();
    // `date` two hours from now (an external tool, stubbed here), so that every session
    // looks idle and the script names each one it looked at.
    let stubs = work.path().join("stubs");
    std::fs::create_dir(&stubs).unwrap();
    let date = stubs.join("date");
    std::fs::write(
        &date,
        "#!/bin/sh\nPATH=/usr/bin:/bin\necho $(( $(date +%s) + 7200 ))\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&date, std::fs::Permissions::from_mode(0o755)).unwrap();
    let script = r#"#!/bin/bash
# cleanup-idle-sessions.sh

# Find idle sessions (no processes for 1+ hours)
azlin list | tail -n +2 | while read hostname session status ip; do
    idle_time=$(azlin exec "$hostname:$session" "tmux display-message -p '#{session_activity}'")
    current_time=$(date +%s)
    idle_seconds=$((current_time - idle_time))

    if [ $idle_seconds -gt 3600 ]; then
        echo "Idle session: $hostname:$session (${idle_seconds}s)"
        # Optionally destroy: azlin exec "$hostname:$session" "tmux kill-session"
    fi
done
"#;
    let r = run(&home, "bash", script, work.path(), Some(&stubs));
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(visits(&r.out, "Idle session: "), each_once(), "{}", r.out);
    for line in r.out.lines() {
        let secs: u64 = line
            .rsplit_once('(')
            .and_then(|(_, s)| s.strip_suffix("s)"))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no idle time in {line:?}"));
        assert!((7000..7600).contains(&secs), "{line}");
    }
}

#[test]
fn monitor_sessions_py_prints_no_false_failure() {
    let home = Home::new();
    let _fleet = guide_fleet(&home);
    let work = tempfile::tempdir().unwrap();
    let script = r#"# monitor_sessions.py
import subprocess
import json

def get_sessions():
    """Get all active sessions"""
    result = subprocess.run(
        ['azlin', 'list', '--format', 'json'],
        capture_output=True,
        text=True
    )
    return json.loads(result.stdout)

def check_session_health(hostname, session):
    """Check if session is responsive"""
    result = subprocess.run(
        ['azlin', 'exec', f'{hostname}:{session}', 'echo ok'],
        capture_output=True,
        text=True,
        timeout=5
    )
    return result.returncode == 0

# Monitor all sessions
for session_info in get_sessions():
    hostname = session_info['hostname']
    session = session_info['session']
    healthy = check_session_health(hostname, session)
    print(f"{hostname}:{session} - {'✅' if healthy else '❌'}")
"#;
    let r = run(&home, "python3", script, work.path(), None);
    assert_eq!(r.code, 0, "{}", r.err);
    let mut lines: Vec<&str> = r.out.lines().collect();
    lines.sort();
    let want: Vec<String> = SESSIONS.iter().map(|s| format!("{s} - ✅")).collect();
    assert_eq!(lines, want, "{}", r.err);
}

#[test]
fn resolution_examples_resolve_as_the_guide_says() {
    let home = Home::new();
    let fleet = guide_fleet(&home);
    let work = tempfile::tempdir().unwrap();
    // Each line on its own, so that each outcome can be checked (the block verbatim).
    let block = r#"azlin connect myvm:main      # → Exact match
azlin connect dev            # → Unique session (only on myvm)
azlin connect main           # → Error: ambiguous (on myvm AND prodvm)
azlin connect myvm           # → myvm:azlin (default session)"#;
    let mut results = Vec::new();
    for line in block.lines() {
        results.push(run(&home, "bash", line, work.path(), None));
    }
    assert_eq!(results[0].code, 0, "{}", results[0].err);
    assert!(
        results[0].err.contains("`myvm:main` was already running"),
        "{}",
        results[0].err
    );
    assert_eq!(results[1].code, 0, "{}", results[1].err);
    assert!(results[1].err.contains("`myvm:dev` was already running"));
    assert_eq!(results[2].code, 1, "{}", results[2].err);
    assert!(results[2].err.contains("myvm:main"), "{}", results[2].err);
    assert!(results[2].err.contains("prodvm:main"), "{}", results[2].err);
    assert_eq!(results[3].code, 0, "{}", results[3].err);
    assert!(
        results[3]
            .err
            .contains("created new session `myvm:azlin` is running"),
        "{}",
        results[3].err
    );
    assert!(fleet.vm("myvm").sessions().contains(&"azlin".to_string()));
}

#[test]
fn session_names_guide_session_and_tag_list_print_the_guides_text() {
    let home = Home::new();
    let _fleet = Fleet::start(&home, &["my-vm", "vm-1", "vm-2"]);
    let work = tempfile::tempdir().unwrap();
    home.ok(&[
        "tag",
        "add",
        "my-vm",
        "environment=development",
        "team=backend",
    ]);
    let r = run(
        &home,
        "bash",
        r#"# Set session name
azlin session my-vm my-project

# View session name
azlin session my-vm
"#,
        work.path(),
        None,
    );
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(
        r.out.ends_with("Session name for my-vm: my-project\n"),
        "{}",
        r.out
    );
    let r = run(
        &home,
        "bash",
        "# View all VM tags (includes session)\nazlin tag list my-vm\n",
        work.path(),
        None,
    );
    assert_eq!(
        r.out,
        "Tags for my-vm:\n  azlin_session: my-project\n  environment: development\n  team: backend\n",
        "{}",
        r.err
    );
    // The label is the tag: setting the tag relabels, removing it clears the label.
    home.ok(&["tag", "add", "my-vm", "azlin_session=other"]);
    assert_eq!(
        home.ok(&["session", "my-vm"]),
        "Session name for my-vm: other\n"
    );
    home.ok(&["tag", "remove", "my-vm", "azlin_session"]);
    assert_eq!(
        home.ok(&["session", "my-vm"]),
        "No session name for my-vm\n"
    );
    let hosts = std::fs::read_to_string(home.azlin_home().join("hosts.toml")).unwrap();
    assert!(
        !hosts.contains("azlin_session"),
        "one value, the label: {hosts}"
    );

    // "If multiple VMs have same session …": a label equal to another VM's name or label
    // is refused, not left to make that name ambiguous.
    let out = home
        .azlin()
        .args(["session", "vm-2", "vm-1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already the name of VM `vm-1`"), "{err}");
    home.ok(&["session", "vm-1", "project-alpha"]);
    let out = home
        .azlin()
        .args(["tag", "add", "vm-2", "azlin_session=project-alpha"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already the label of VM `vm-1`"), "{err}");
    // Or rename:
    let r = run(
        &home,
        "bash",
        "azlin session vm-2 unique-name\n",
        work.path(),
        None,
    );
    assert_eq!(r.code, 0, "{}", r.err);
}
