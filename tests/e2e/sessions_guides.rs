//! The guides' shell scripts, run by bash with `azlin` on `PATH`, against the fake fleet.
//! Commands that need software the fake VMs lack (pytest, npm, git) are replaced by
//! `echo`s that leave evidence; the azlin lines are as the guides write them.

use std::path::Path;
use std::process::Command;

use crate::support::Home;
use crate::support::fleet::Fleet;

fn bash(home: &Home, script: &str, dir: &Path) -> (i32, String, String) {
    let azlin_dir = Path::new(env!("CARGO_BIN_EXE_azlin")).parent().unwrap();
    let path = format!(
        "{}:{}",
        azlin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env_clear()
        .env("PATH", path)
        .env("HOME", home.path())
        .env("AZLIN_HOME", home.azlin_home())
        .output()
        .expect("run bash");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn parallel_testing_creates_five_sessions_and_runs_in_each_concurrently() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["testvm", "vm2", "vm3"]);
    let work = tempfile::tempdir().unwrap();
    let script = r#"
set -e
# Create test sessions
for i in {1..5}; do
    azlin ssh testvm --tmux-session "test-$i"
done

# Execute tests in parallel
for i in {1..5}; do
    azlin exec testvm:test-$i "echo ran tests/suite-$i in \$AZLIN_SESSION > $PWD/result-$i" &
done
wait
"#;
    let (code, _out, err) = bash(&home, script, work.path());
    assert_eq!(code, 0, "{err}");
    let want: Vec<String> = (1..=5).map(|i| format!("test-{i}")).collect();
    assert_eq!(fleet.vm("testvm").sessions(), want);
    for i in 1..=5 {
        let got = std::fs::read_to_string(work.path().join(format!("result-{i}"))).unwrap();
        assert_eq!(got, format!("ran tests/suite-{i} in test-{i}\n"));
    }
}

#[test]
fn dynamic_session_creation_then_session_monitoring() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["testvm", "vm2", "vm3"]);
    let work = tempfile::tempdir().unwrap();
    // "Dynamic Session Creation", with the build steps echoed.
    let script = r#"
set -- feature-x
BRANCH=$1
SESSION_NAME="test-${BRANCH}"

# Create dedicated session for branch testing
azlin ssh testvm --tmux-session "$SESSION_NAME"

# Setup environment
azlin exec "testvm:${SESSION_NAME}" <<EOF
    echo "checkout $BRANCH in \$AZLIN_VM:\$AZLIN_SESSION"
EOF

echo "Test environment ready: testvm:${SESSION_NAME}"
"#;
    let (code, out, err) = bash(&home, script, work.path());
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "checkout feature-x in testvm:test-feature-x\n\
         Test environment ready: testvm:test-feature-x\n"
    );
    assert_eq!(fleet.vm("testvm").sessions(), ["test-feature-x"]);

    // "Session Monitoring": parse `azlin list`, then exec in each session found. With a
    // command `azlin exec` passes no stdin (DESIGN.md), so inside `while read … < file`
    // it leaves the loop's input alone; two sessions, so that it matters.
    home.ok(&["ssh", "testvm", "--tmux-session", "other-work"]);
    let script = r#"
azlin list | grep -E "^(HOSTNAME|[a-z])" > sessions.txt
while IFS= read -r line; do
    if [[ $line =~ ^([a-z][a-z-]+[0-9]*)[[:space:]]+([a-z][a-z-]+) ]]; then
        hostname="${BASH_REMATCH[1]}"
        session="${BASH_REMATCH[2]}"
        echo "=== $hostname:$session ==="
        azlin exec "$hostname:$session" "echo checked \$AZLIN_SESSION"
    fi
done < sessions.txt
"#;
    let (code, out, err) = bash(&home, script, work.path());
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "=== testvm:other-work ===\nchecked other-work\n\
         === testvm:test-feature-x ===\nchecked test-feature-x\n",
        "{err}"
    );
}
