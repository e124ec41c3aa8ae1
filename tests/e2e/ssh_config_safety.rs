//! `azlin ssh-config` handles files as ssh does: never through a symlink where it creates
//! a file, never over a file that is not its own, keeping the user's ownership when run as
//! root with the user's `HOME`, and never claiming success for a config ssh would ignore.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use crate::support::{Home, assert_success};

const USER_CONFIG: &str = "Host work\n    HostName work.example.com\n";

fn home_with(vms: &[&str]) -> Home {
    let home = Home::new();
    for (i, vm) in vms.iter().enumerate() {
        home.ok(&["host", "add", vm, "--address", &format!("10.3.0.{}", i + 1)]);
    }
    let ssh = home.path().join(".ssh");
    fs::create_dir_all(&ssh).unwrap();
    fs::set_permissions(&ssh, fs::Permissions::from_mode(0o700)).unwrap();
    fs::write(ssh.join("config"), USER_CONFIG).unwrap();
    fs::set_permissions(ssh.join("config"), fs::Permissions::from_mode(0o600)).unwrap();
    home
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

#[test]
fn a_dangling_symlink_at_the_backup_is_never_followed() {
    let home = home_with(&["a"]);
    let ssh = home.path().join(".ssh");
    let target = home.path().join("elsewhere/stolen");
    fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&target, ssh.join("config.azlin.bak")).unwrap();

    let out = home.azlin().arg("ssh-config").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_success(&out);
    assert!(
        !target.exists(),
        "the backup was written through the symlink"
    );
    assert!(is_symlink(&ssh.join("config.azlin.bak")));
    assert!(
        stderr.contains("config.azlin.bak is not a regular file"),
        "{stderr}"
    );
    // The sync itself went ahead.
    let config = fs::read_to_string(ssh.join("config")).unwrap();
    assert!(config.ends_with(USER_CONFIG), "{config}");
    assert!(config.contains("Include "), "{config}");
}

#[test]
fn a_symlink_in_place_of_a_generated_file_is_reported_and_left_alone() {
    let home = home_with(&["a", "b"]);
    let config_d = home.path().join(".ssh/config.d");
    fs::create_dir_all(&config_d).unwrap();
    let precious = home.path().join("precious.conf");
    fs::write(&precious, "Host precious\n").unwrap();
    // In place of the fleet file, and of an older azlin's per-VM file.
    std::os::unix::fs::symlink(&precious, config_d.join("azlin-fleet.conf")).unwrap();
    std::os::unix::fs::symlink(&precious, config_d.join("azlin-a.conf")).unwrap();

    let out = home.azlin().arg("ssh-config").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("azlin-fleet.conf is a symlink"), "{stderr}");
    assert!(stderr.contains("azlin-a.conf is a symlink"), "{stderr}");
    assert_eq!(fs::read_to_string(&precious).unwrap(), "Host precious\n");
    assert!(is_symlink(&config_d.join("azlin-fleet.conf")));
    assert!(is_symlink(&config_d.join("azlin-a.conf")));
    assert_eq!(
        fs::read_to_string(home.path().join(".ssh/config")).unwrap(),
        USER_CONFIG,
        "an Include was added for files azlin did not write"
    );
    // `remove` leaves them alone too.
    home.ok(&["ssh-config", "remove"]);
    assert!(is_symlink(&config_d.join("azlin-fleet.conf")));
    assert_eq!(fs::read_to_string(&precious).unwrap(), "Host precious\n");
}

#[test]
fn a_config_ssh_would_ignore_is_reported_and_not_claimed_synced() {
    let home = home_with(&["a"]);
    let config = home.path().join(".ssh/config");
    fs::set_permissions(&config, fs::Permissions::from_mode(0o664)).unwrap();

    let out = home.azlin().arg("ssh-config").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("writable by its group or by others"),
        "{stderr}"
    );
    assert!(stderr.contains("chmod go-w"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Wrote"));
    assert_eq!(fs::read_to_string(&config).unwrap(), USER_CONFIG);
    assert!(!home.path().join(".ssh/config.d/azlin-a.conf").exists());
    let check = home
        .azlin()
        .args(["ssh-config", "--check"])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&check.stderr).contains("chmod go-w"));

    // Fixed as told, it syncs.
    fs::set_permissions(&config, fs::Permissions::from_mode(0o644)).unwrap();
    home.ok(&["ssh-config"]);
}

/// Gives every file and directory under `dir` (and `dir`) to `uid:gid`.
fn chown_tree(dir: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::lchown(dir, Some(uid), Some(gid)).unwrap();
    if fs::symlink_metadata(dir).unwrap().is_dir() {
        for e in fs::read_dir(dir).unwrap() {
            chown_tree(&e.unwrap().path(), uid, gid);
        }
    }
}

/// Every path under `dir` whose owner is not `uid:gid`.
fn not_owned_by(dir: &Path, uid: u32, gid: u32) -> Vec<String> {
    let mut out = Vec::new();
    let meta = fs::symlink_metadata(dir).unwrap();
    if (meta.uid(), meta.gid()) != (uid, gid) {
        out.push(format!("{} ({}:{})", dir.display(), meta.uid(), meta.gid()));
    }
    if meta.is_dir() {
        for e in fs::read_dir(dir).unwrap() {
            out.extend(not_owned_by(&e.unwrap().path(), uid, gid));
        }
    }
    out
}

#[test]
fn root_with_a_users_home_leaves_every_file_the_users() {
    // Tests run as root here and in CI (`.ci/run`); as another user there is no root to
    // test with.
    if !fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0) {
        eprintln!("skipped: needs root");
        return;
    }
    let home = home_with(&["a", "b"]);
    home.write(
        "cache/sessions.json",
        r#"{"version": 1, "vms": {"a": {"probed_at": 1, "sessions": [{"name": "dev"}]}}}"#,
    );
    // `nobody` stands for the user whose HOME it is.
    let (uid, gid) = (65534, 65534);
    chown_tree(home.path(), uid, gid);

    home.ok(&["ssh-config"]);
    let ssh = home.path().join(".ssh");
    assert!(ssh.join("config.d/azlin-fleet.conf").exists());
    assert!(ssh.join("config.azlin.bak").exists());
    let wrong = not_owned_by(home.path(), uid, gid);
    assert!(wrong.is_empty(), "not the user's: {wrong:#?}");
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&ssh.join("config")), 0o600);
    assert_eq!(mode(&ssh.join("config.d/azlin-fleet.conf")), 0o600);

    // A second sync that changes a file, and `remove`, keep it so.
    home.write(
        "cache/sessions.json",
        r#"{"version": 1, "vms": {"a": {"probed_at": 2, "sessions": [{"name": "ops"}]}}}"#,
    );
    home.ok(&["ssh-config"]);
    home.ok(&["ssh-config", "remove"]);
    let wrong = not_owned_by(home.path(), uid, gid);
    assert!(wrong.is_empty(), "not the user's: {wrong:#?}");
    assert_eq!(fs::read_to_string(ssh.join("config")).unwrap(), USER_CONFIG);
}
