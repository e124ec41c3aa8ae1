//! The small faults: stale temporaries, I/O errors that name their path, arguments that
//! are not UTF-8, identity files stored absolute, a non-executable plugin file skipped.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::time::{Duration, SystemTime};

use crate::support::plugin::{script, write_mode};
use crate::support::{Home, assert_success, text};

#[test]
fn the_next_write_removes_temporaries_a_killed_run_left_an_hour_ago() {
    let home = Home::new();
    home.ok(&["host", "add", "a", "--address", "10.0.0.1"]);
    let dir = home.azlin_home();
    let stale = dir.join(".hosts.toml.Ab3dE9.tmp");
    let young = dir.join(".hosts.toml.Zz9yY8.tmp");
    std::fs::write(&stale, "half").unwrap();
    std::fs::write(&young, "half").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(7200))
        .unwrap();
    home.ok(&["host", "add", "b", "--address", "10.0.0.2"]);
    assert!(!stale.exists(), "an hour-old temporary is removed");
    assert!(young.exists(), "a fresh one may be another run's");
}

#[test]
fn an_io_error_names_the_file_and_what_was_done_to_it() {
    let home = Home::new();
    // A lock file that cannot be opened for writing (a directory), even for root.
    let lock = home.azlin_home().join(".lock");
    std::fs::create_dir_all(&lock).unwrap();
    let out = home
        .azlin()
        .args(["host", "add", "a", "--address", "10.0.0.1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("cannot lock {}: ", lock.display())),
        "{err}"
    );
}

#[test]
fn an_argument_that_is_not_utf8_is_named() {
    let home = Home::new();
    let out = home
        .azlin()
        .arg("resolve")
        .arg(OsStr::from_bytes(b"caf\xe9"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("argument 2 (\"caf\\xE9\") is not valid UTF-8"),
        "{err}"
    );
}

#[test]
fn identity_files_are_stored_absolute_checked_and_bounded() {
    let home = Home::new();
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("id_test"), "key").unwrap();
    let out = home
        .azlin()
        .current_dir(work.path())
        .args(["host", "add", "a", "--address", "10.0.0.1", "-i", "id_test"])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        !text(&out.stderr).contains("warning"),
        "{}",
        text(&out.stderr)
    );
    let listed = home.ok(&["host", "list", "--format", "json"]);
    let hosts: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let want = work.path().join("id_test");
    assert_eq!(hosts[0]["identity_file"], want.to_string_lossy().as_ref());

    // A key that is not there (yet) is stored with a warning.
    let out = home
        .azlin()
        .args([
            "host",
            "add",
            "b",
            "--address",
            "10.0.0.2",
            "-i",
            "~/.ssh/nokey",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let err = text(&out.stderr);
    let missing = home.path().join(".ssh/nokey");
    assert!(err.contains("warning:"), "{err}");
    assert!(err.contains(&missing.display().to_string()), "{err}");

    // 10 KB is no path: refused, nothing stored.
    let long = "k".repeat(10 * 1024);
    let out = home
        .azlin()
        .args(["host", "add", "c", "--address", "10.0.0.3", "-i", &long])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("bytes long"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stderr).len() < 1000);
    let listed = home.ok(&["host", "list", "--format", "json"]);
    let hosts: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let names: Vec<&str> = hosts
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["name"].as_str())
        .collect();
    assert_eq!(names, ["a", "b"]);
}

#[test]
fn a_non_executable_plugin_is_skipped_for_a_later_executable_one() {
    let home = Home::new();
    let first = home.path().join("first");
    let later = home.path().join("later");
    write_mode(&first, "azlin-hi", "#!/bin/sh\necho wrong\n", 0o644);
    script(&later, "azlin-hi", "echo right \"$@\"");
    let path = std::env::join_paths([first.as_path(), later.as_path()]).unwrap();
    let out = home
        .azlin()
        .env("AZLIN_PLUGIN_PATH", &path)
        .args(["hi", "there"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "right there\n");
    let err = text(&out.stderr);
    assert!(err.contains("is not executable"), "{err}");
    assert!(
        err.contains(&first.join("azlin-hi").display().to_string()),
        "{err}"
    );
    // `plugin list` shows the copy that runs.
    let out = home
        .azlin()
        .env("AZLIN_PLUGIN_PATH", &path)
        .args(["plugin", "list", "--json"])
        .output()
        .unwrap();
    let listed = text(&out.stdout);
    assert!(
        listed.contains(&later.join("azlin-hi").display().to_string()),
        "{listed}"
    );
}
