//! `azlin ssh-config`: the files it writes and the user's config it must not damage.
//! Needs only the ssh client (`ssh -G`), no sshd.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use predicates::str::contains;

use crate::support::ssh_g::ssh_g;
use crate::support::{Home, assert_success};

/// A user config with everything a real one has: a comment, global options, `Host *`,
/// `Match`, an `Include` of their own, CRLF line endings and no final newline.
const USER_CONFIG: &[u8] = b"# my own config\r\nServerAliveInterval 30\r\n\r\nHost *\r\n    \
    ForwardAgent no\r\n\r\nMatch host *.corp\r\n    User corpuser\r\n\r\nInclude work/*.conf\r\n\
    Host work\r\n    HostName work.example.com\r\n    # the end, no newline";

fn ssh_dir(home: &Home) -> PathBuf {
    home.path().join(".ssh")
}

fn config(home: &Home) -> PathBuf {
    ssh_dir(home).join("config")
}

/// Registers `myvm` (sessions dev and build) and `other` (no session).
fn fleet(home: &Home) {
    home.ok(&[
        "host",
        "add",
        "myvm",
        "--address",
        "127.0.0.1",
        "--port",
        "2222",
        "--user",
        "alice",
    ]);
    home.ok(&[
        "host",
        "add",
        "other",
        "--address",
        "10.1.2.3",
        "--user",
        "bob",
    ]);
    sessions(home, "myvm", &["dev", "build"]);
}

fn sessions(home: &Home, vm: &str, names: &[&str]) {
    sessions_of(home, &[(vm, names)]);
}

/// Writes the session cache: each VM with its session names.
fn sessions_of(home: &Home, vms: &[(&str, &[&str])]) {
    let vms: serde_json::Map<String, serde_json::Value> = vms
        .iter()
        .map(|(vm, names)| {
            let list: Vec<_> = names
                .iter()
                .map(|n| serde_json::json!({"name": n}))
                .collect();
            (
                vm.to_string(),
                serde_json::json!({"probed_at": 1, "sessions": list}),
            )
        })
        .collect();
    let cache = serde_json::json!({"version": 1, "vms": vms});
    home.write("cache/sessions.json", &cache.to_string());
}

/// A home with the fleet registered and [`USER_CONFIG`] as `~/.ssh/config`.
fn home_with_user_config() -> Home {
    let home = Home::new();
    fleet(&home);
    fs::create_dir_all(ssh_dir(&home)).unwrap();
    fs::write(config(&home), USER_CONFIG).unwrap();
    home
}

/// The names in `~/.ssh/config.d` ending with `suffix`.
fn in_config_d(home: &Home, suffix: &str) -> Vec<String> {
    fs::read_dir(ssh_dir(home).join("config.d"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(suffix))
        .collect()
}

fn mtime(path: &Path) -> std::time::SystemTime {
    fs::metadata(path).unwrap().modified().unwrap()
}

#[test]
fn user_config_is_kept_byte_for_byte_and_remove_restores_it() {
    let home = home_with_user_config();

    let out = home.ok(&["ssh-config"]);
    assert!(out.contains("added the Include line"), "{out}");
    let edited = fs::read(config(&home)).unwrap();
    assert!(
        edited.ends_with(USER_CONFIG),
        "{}",
        String::from_utf8_lossy(&edited)
    );
    let added = String::from_utf8(edited[..edited.len() - USER_CONFIG.len()].to_vec()).unwrap();
    let added_lines: Vec<&str> = added.split_inclusive('\n').collect();
    assert_eq!(added_lines.len(), 2, "{added:?}");
    assert!(added_lines.iter().all(|l| l.ends_with("\r\n")), "{added:?}");
    assert!(added_lines[0].starts_with("# Added by azlin"), "{added:?}");
    assert!(
        added_lines[0].contains("azlin ssh-config remove"),
        "{added:?}"
    );
    assert!(added_lines[1].starts_with("Include "), "{added:?}");
    assert_eq!(
        fs::read(ssh_dir(&home).join("config.azlin.bak")).unwrap(),
        USER_CONFIG
    );

    // ssh sees azlin's hosts and the user's own settings.
    let dev = ssh_g(&config(&home), "myvm--dev");
    assert_eq!(dev["hostname"], "127.0.0.1");
    assert_eq!(dev["user"], "alice");
    assert_eq!(dev["port"], "2222");
    assert_eq!(dev["requesttty"], "true");
    assert_eq!(dev["remotecommand"], "tmux new-session -A -s dev");
    assert_eq!(dev["serveraliveinterval"], "30");
    let plain = ssh_g(&config(&home), "myvm");
    assert_eq!(plain["hostname"], "127.0.0.1");
    assert!(!plain.contains_key("remotecommand"), "{plain:?}");
    assert_eq!(ssh_g(&config(&home), "other")["user"], "bob");
    assert_eq!(
        ssh_g(&config(&home), "work")["hostname"],
        "work.example.com"
    );

    home.ok(&["ssh-config", "remove"]);
    assert_eq!(fs::read(config(&home)).unwrap(), USER_CONFIG);
    let left = in_config_d(&home, ".conf");
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(ssh_g(&config(&home), "myvm")["hostname"], "myvm");
}

#[test]
fn generated_file_is_private_and_has_one_host_block_then_session_blocks() {
    let home = Home::new();
    fleet(&home);
    sessions_of(&home, &[("myvm", &["dev", "build"]), ("other", &["dev"])]);
    home.ok(&["ssh-config"]);
    let file = ssh_dir(&home).join("config.d/azlin-fleet.conf");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&config(&home)), 0o600);
        assert_eq!(mode(&ssh_dir(&home)), 0o700);
    }
    // One file for the fleet: per VM its own block, then the session aliases grouped by
    // command (both VMs' `dev` in one block), then the options every azlin host shares,
    // written once.
    assert_eq!(in_config_d(&home, ".conf"), ["azlin-fleet.conf"]);
    let text = fs::read_to_string(&file).unwrap();
    let hosts: Vec<&str> = text.lines().filter(|l| l.starts_with("Host ")).collect();
    assert_eq!(
        hosts,
        [
            "Host myvm myvm--*",
            "Host other other--*",
            "Host myvm--build",
            "Host myvm--dev other--dev",
            "Host myvm myvm--* other other--*",
            "Host myvm--* other--*",
        ]
    );
    assert_eq!(text.matches("RequestTTY yes").count(), 1, "{text}");
    assert_eq!(text.matches("    RemoteCommand ").count(), 2, "{text}");
    assert_eq!(text.matches("HostName").count(), 2, "{text}");
    for (alias, host) in [("myvm--dev", "127.0.0.1"), ("other--dev", "10.1.2.3")] {
        let g = ssh_g(&config(&home), alias);
        assert_eq!(g["hostname"], host, "{alias}");
        assert_eq!(g["remotecommand"], "tmux new-session -A -s dev", "{alias}");
    }
    assert_eq!(text.matches("StrictHostKeyChecking").count(), 1, "{text}");
    assert_eq!(text.matches("ServerAliveInterval 15").count(), 1, "{text}");
    // `print VM` shows that VM's part and the shared options.
    let one = home.ok(&["ssh-config", "print", "other"]);
    assert!(one.contains("Host other other--*"), "{one}");
    assert!(one.contains("\nHost other--dev\n"), "{one}");
    assert!(!one.contains("myvm"), "{one}");
    assert!(one.contains("StrictHostKeyChecking accept-new"), "{one}");
    home.azlin()
        .args(["ssh-config", "print", "nope"])
        .assert()
        .code(1)
        .stderr(contains("VM `nope` has no part"));
}

#[test]
fn second_sync_changes_nothing_and_check_and_dry_run_write_nothing() {
    let home = Home::new();
    fleet(&home);
    home.azlin()
        .args(["ssh-config", "--check"])
        .assert()
        .code(1)
        .stderr(contains("missing:"));
    let diff = home.ok(&["ssh-config", "--dry-run"]);
    assert!(diff.contains("+++ "), "{diff}");
    assert!(diff.contains("+Host myvm--dev"), "{diff}");
    assert!(!ssh_dir(&home).exists(), "--dry-run wrote something");

    home.ok(&["ssh-config"]);
    let file = ssh_dir(&home).join("config.d/azlin-fleet.conf");
    let (f1, c1) = (mtime(&file), mtime(&config(&home)));
    std::thread::sleep(Duration::from_millis(50));
    let out = home.ok(&["ssh-config"]);
    assert!(out.contains("up to date"), "{out}");
    assert_eq!(mtime(&file), f1);
    assert_eq!(mtime(&config(&home)), c1);
    home.azlin()
        .args(["ssh-config", "--check"])
        .assert()
        .success();
    assert_eq!(home.ok(&["ssh-config", "--dry-run"]), "");

    // A new session makes it out of date again; a vanished VM loses its part.
    sessions(&home, "myvm", &["dev", "build", "new"]);
    home.azlin()
        .args(["ssh-config", "--check"])
        .assert()
        .code(1);
    home.ok(&["host", "remove", "other"]);
    home.ok(&["ssh-config"]);
    assert!(!fs::read_to_string(&file).unwrap().contains("Host other"));
    assert_eq!(
        ssh_g(&config(&home), "myvm--new")["remotecommand"],
        "tmux new-session -A -s new"
    );
}

#[test]
fn an_edit_of_a_generated_file_is_noticed_after_the_stamp_vouched_for_it() {
    // An unchanged sync trusts $AZLIN_HOME/cache/ssh-config-stamp.json instead of reading
    // the files: an edit that keeps the size must still be found and undone.
    let home = Home::new();
    fleet(&home);
    home.ok(&["ssh-config"]);
    // Past the stamp's racy window, so that the next runs trust it.
    std::thread::sleep(Duration::from_millis(200));
    home.ok(&["ssh-config"]);
    assert!(
        home.azlin_home()
            .join("cache/ssh-config-stamp.json")
            .exists()
    );
    let file = ssh_dir(&home).join("config.d/azlin-fleet.conf");
    let good = fs::read_to_string(&file).unwrap();
    let before = mtime(&file);
    std::thread::sleep(Duration::from_millis(50));
    home.azlin()
        .args(["ssh-config", "--check"])
        .assert()
        .success();
    assert_eq!(mtime(&file), before, "an unchanged sync rewrote the file");

    let edited = good.replace("User alice", "User mallo");
    assert_eq!(edited.len(), good.len());
    fs::write(&file, &edited).unwrap();
    home.azlin()
        .args(["ssh-config", "--check"])
        .assert()
        .code(1)
        .stderr(contains("out of date"));
    home.ok(&["ssh-config"]);
    assert_eq!(fs::read_to_string(&file).unwrap(), good);
    assert_eq!(ssh_g(&config(&home), "myvm")["user"], "alice");
}

#[test]
fn eight_concurrent_syncs_leave_a_valid_complete_result() {
    let home = Home::new();
    for i in 0..20 {
        home.ok(&[
            "host",
            "add",
            &format!("vm{i}"),
            "--address",
            &format!("10.0.0.{}", i + 1),
        ]);
    }
    sessions(&home, "vm3", &["dev"]);
    fs::create_dir_all(ssh_dir(&home)).unwrap();
    fs::write(config(&home), USER_CONFIG).unwrap();
    let children: Vec<_> = (0..8)
        .map(|_| {
            // assert_cmd runs to completion; these must run at the same time.
            Command::new(env!("CARGO_BIN_EXE_azlin"))
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", home.path())
                .env("AZLIN_HOME", home.azlin_home())
                .args(["ssh-config", "-q"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn azlin")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_success(&out);
    }
    let edited = fs::read(config(&home)).unwrap();
    assert!(edited.ends_with(USER_CONFIG));
    assert_eq!(
        String::from_utf8_lossy(&edited)
            .lines()
            .filter(|l| l.starts_with("Include ") && l.contains("azlin-*.conf"))
            .count(),
        1
    );
    for i in 0..20 {
        assert_eq!(
            ssh_g(&config(&home), &format!("vm{i}"))["hostname"],
            format!("10.0.0.{}", i + 1)
        );
    }
    assert_eq!(
        ssh_g(&config(&home), "vm3--dev")["remotecommand"],
        "tmux new-session -A -s dev"
    );
    let temporaries = in_config_d(&home, ".tmp");
    assert!(temporaries.is_empty(), "{temporaries:?}");
    home.azlin()
        .args(["ssh-config", "--check"])
        .assert()
        .success();
}

#[test]
fn sync_interrupted_between_write_and_rename_leaves_old_files_intact() {
    let home = Home::new();
    fleet(&home);
    home.ok(&["ssh-config"]);
    let file = ssh_dir(&home).join("config.d/azlin-fleet.conf");
    let before = fs::read(&file).unwrap();
    let config_before = fs::read(config(&home)).unwrap();

    home.ok(&["host", "remove", "myvm"]);
    home.ok(&["host", "add", "myvm", "--address", "10.9.9.9"]);
    // Debug builds abort (as a crash would) after the temporary is written and synced,
    // before it is renamed over the file.
    let out = home
        .azlin()
        .args(["ssh-config"])
        .env("AZLIN_FAULT", "abort-before-rename:azlin-fleet.conf")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the fault was not injected");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("AZLIN_FAULT"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(fs::read(&file).unwrap(), before);
    assert_eq!(fs::read(config(&home)).unwrap(), config_before);
    assert_eq!(ssh_g(&config(&home), "myvm")["hostname"], "127.0.0.1");

    // The next run finishes the job and clears the leftover temporary.
    home.ok(&["ssh-config"]);
    assert_eq!(ssh_g(&config(&home), "myvm")["hostname"], "10.9.9.9");
    let temporaries = in_config_d(&home, ".tmp");
    assert!(temporaries.is_empty(), "{temporaries:?}");
}

#[cfg(unix)]
#[test]
fn read_only_config_gets_the_exact_line_and_exit_1_touching_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let home = home_with_user_config();
    fs::set_permissions(config(&home), fs::Permissions::from_mode(0o444)).unwrap();
    let out = home.azlin().arg("ssh-config").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let include = format!(
        "Include {}/.ssh/config.d/azlin-*.conf",
        home.path().display()
    );
    assert!(stderr.contains("read-only"), "{stderr}");
    assert!(
        stderr.lines().any(|l| l == include),
        "expected the line `{include}` in:\n{stderr}"
    );
    assert_eq!(fs::read(config(&home)).unwrap(), USER_CONFIG);
    let entries: Vec<_> = fs::read_dir(ssh_dir(&home))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, ["config"]);
}

#[cfg(unix)]
#[test]
fn symlinked_config_stays_a_symlink() {
    let home = Home::new();
    fleet(&home);
    let dotfiles = home.path().join("dotfiles");
    fs::create_dir_all(&dotfiles).unwrap();
    fs::write(dotfiles.join("ssh_config"), USER_CONFIG).unwrap();
    fs::create_dir_all(ssh_dir(&home)).unwrap();
    std::os::unix::fs::symlink("../dotfiles/ssh_config", config(&home)).unwrap();

    home.ok(&["ssh-config"]);
    let is_link = |p: &Path| fs::symlink_metadata(p).unwrap().file_type().is_symlink();
    assert!(is_link(&config(&home)));
    assert!(
        fs::read(dotfiles.join("ssh_config"))
            .unwrap()
            .ends_with(USER_CONFIG)
    );
    assert_eq!(ssh_g(&config(&home), "myvm")["hostname"], "127.0.0.1");
    home.ok(&["ssh-config", "remove"]);
    assert!(is_link(&config(&home)));
    assert_eq!(fs::read(dotfiles.join("ssh_config")).unwrap(), USER_CONFIG);
}

#[test]
fn print_gives_stanzas_usable_with_ssh_f_and_writes_nothing() {
    let home = Home::new();
    fleet(&home);
    let text = home.ok(&["ssh-config", "print"]);
    assert!(!ssh_dir(&home).exists());
    let file = home.path().join("printed.conf");
    fs::write(&file, &text).unwrap();
    let dev = ssh_g(&file, "myvm--dev");
    assert_eq!(dev["hostname"], "127.0.0.1");
    assert_eq!(dev["remotecommand"], "tmux new-session -A -s dev");
    assert_eq!(ssh_g(&file, "other")["hostname"], "10.1.2.3");
}

#[test]
fn hostile_session_names_are_refused_naming_the_vm_and_the_rest_is_synced() {
    let home = Home::new();
    fleet(&home);
    sessions(
        &home,
        "myvm",
        &["dev", "x\nHost *\n  ProxyCommand sh", "50%off"],
    );
    home.azlin()
        .arg("ssh-config")
        .assert()
        .code(1)
        .stderr(contains("VM `myvm`, session `x\\nHost *"))
        .stderr(contains("session `50%off`"));
    let text = fs::read_to_string(ssh_dir(&home).join("config.d/azlin-fleet.conf")).unwrap();
    assert!(!text.contains("ProxyCommand"), "{text}");
    assert!(!text.contains("Host *"), "{text}");
    assert_eq!(
        ssh_g(&config(&home), "myvm--dev")["remotecommand"],
        "tmux new-session -A -s dev"
    );
}

#[cfg(unix)]
#[test]
fn ssh_rejecting_the_result_restores_the_previous_files_and_shows_why() {
    let home = home_with_user_config();
    // An ssh client (named by AZLIN_SSH) that answers the version and home probes but
    // rejects every lookup of the written config.
    let fake = home.path().join("fake-ssh");
    crate::support::plugin::write_executable(
        &fake,
        "#!/bin/sh\ncase \"$*\" in -V|*azlin-probe*) exec ssh \"$@\";; esac\n\
         echo \"fake-ssh: Bad configuration option: simulated\" >&2\nexit 255\n",
    );
    home.azlin()
        .arg("ssh-config")
        .env("AZLIN_SSH", &fake)
        .assert()
        .code(1)
        .stderr(contains("Bad configuration option: simulated"))
        .stderr(contains("restored"));
    assert_eq!(fs::read(config(&home)).unwrap(), USER_CONFIG);
    let generated = in_config_d(&home, ".conf");
    assert!(generated.is_empty(), "{generated:?}");
}
