//! `azlin ssh-config` never captures a host the user's ssh reaches otherwise, whatever the
//! VMs are called (local hosts and Azure VMs alike), and every value reaches ssh exactly.
//! Checked with the real `ssh -G`, against the user's config alone as the baseline.

use std::collections::BTreeMap;
use std::fs;

use crate::support::arm::{Arm, EmuVm, FakeAz, ok};
use crate::support::ssh_g::ssh_g;
use crate::support::{Home, assert_success};

/// The user's own config: a host of theirs named like a VM, and a global RemoteCommand and
/// RequestTTY that would break scp, sftp, rsync and git over a plain alias.
const USER_CONFIG: &str = "\
Host bastion
    HostName bastion.example.org
    User me

Host *
    RemoteCommand echo global
    RequestTTY force
";

/// Session cache entries: every VM of `vms` has session `dev`.
fn sessions_of(home: &Home, vms: &[&str]) {
    let entries: serde_json::Map<String, serde_json::Value> = vms
        .iter()
        .map(|vm| {
            (
                vm.to_string(),
                serde_json::json!({"probed_at": 1, "sessions": [{"name": "dev"}]}),
            )
        })
        .collect();
    let cache = serde_json::json!({"version": 1, "vms": entries});
    home.write("cache/sessions.json", &cache.to_string());
}

/// `ssh -G` of every alias against the user's config alone (before azlin).
fn baseline(home: &Home, aliases: &[&str]) -> BTreeMap<String, BTreeMap<String, String>> {
    let copy = home.path().join("user-only.conf");
    fs::write(&copy, USER_CONFIG).unwrap();
    aliases
        .iter()
        .map(|a| (a.to_string(), ssh_g(&copy, a)))
        .collect()
}

fn write_user_config(home: &Home) -> std::path::PathBuf {
    let ssh = home.path().join(".ssh");
    fs::create_dir_all(&ssh).unwrap();
    let config = ssh.join("config");
    fs::write(&config, USER_CONFIG).unwrap();
    config
}

/// The aliases that must resolve exactly as without azlin.
const NOT_OURS: [&str; 4] = ["github.com", "localhost", "127.0.0.1", "bastion"];

#[test]
fn hostile_local_names_never_capture_and_odd_paths_round_trip() {
    let home = Home::new();
    let config = write_user_config(&home);
    for name in NOT_OURS {
        home.ok(&["host", "add", name, "--address", "10.9.9.9", "--user", "u"]);
    }
    // Quotes, backslash, `%`, `#`, `=` and spaces in key paths: each must reach ssh exactly.
    let keys = [
        ("q1", "/keys/'"),
        ("q2", "/keys/\"x\""),
        ("q3", "/keys/a\\b"),
        ("q4", "/keys/50% off/id"),
        ("q5", "/home/o'brien/.ssh/id #1"),
        // (identity files are stored absolute, so a leading `=` cannot reach ssh here;
        // config_word's unit test covers it)
        ("q6", "/keys/=k"),
    ];
    for (vm, key) in keys {
        home.ok(&[
            "host",
            "add",
            vm,
            "--address",
            "10.9.9.10",
            "--identity-file",
            key,
        ]);
    }
    home.ok(&["host", "add", "ok", "--address", "10.9.9.11"]);
    let mut all: Vec<&str> = NOT_OURS.to_vec();
    all.extend(keys.iter().map(|(vm, _)| *vm));
    all.push("ok");
    sessions_of(&home, &all);
    let before = baseline(&home, &NOT_OURS);

    let out = home.azlin().arg("ssh-config").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_success(&out);
    // One warning per skipped alias, naming the user's file and line for `bastion`.
    for name in NOT_OURS {
        assert!(
            stderr.contains(&format!("no plain ssh alias `{name}`")),
            "{name}: {stderr}"
        );
    }
    assert!(
        stderr.contains(&format!("{} line 1", config.display())),
        "{stderr}"
    );
    // `ssh -G github.com` (and the others) is exactly what it was without azlin.
    for (alias, want) in &before {
        assert_eq!(&ssh_g(&config, alias), want, "{alias} changed");
    }
    // Their session aliases are azlin's.
    for name in NOT_OURS {
        let got = ssh_g(&config, &format!("{name}--dev"));
        assert_eq!(got["hostname"], "10.9.9.9", "{name}--dev");
        assert_eq!(
            got["remotecommand"], "tmux new-session -A -s dev",
            "{name}--dev"
        );
    }
    // The global RemoteCommand and RequestTTY do not reach a plain alias.
    let plain = ssh_g(&config, "ok");
    assert_eq!(plain.get("remotecommand"), None, "{plain:?}");
    assert_eq!(plain["requesttty"], "auto");
    assert_eq!(plain["hostname"], "10.9.9.11");
    assert_eq!(plain["serveraliveinterval"], "15");
    assert_eq!(plain["serveralivecountmax"], "3");
    for (vm, key) in keys {
        let got = ssh_g(&config, vm);
        // `ssh -G` shows IdentityFile before its `%` expansion.
        assert_eq!(got["identityfile"], key.replace('%', "%%"), "{vm}");
    }

    // `--check` and `-v` say what was skipped and why, every time; a second plain sync
    // writes nothing and says nothing more.
    let check = home
        .azlin()
        .args(["ssh-config", "--check"])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0));
    let said = String::from_utf8_lossy(&check.stderr);
    assert!(said.contains("no plain ssh alias `github.com`"), "{said}");
    assert!(said.contains("DNS name"), "{said}");
    let again = home.azlin().arg("ssh-config").output().unwrap();
    assert_success(&again);
    assert!(
        !String::from_utf8_lossy(&again.stderr).contains("no plain ssh alias"),
        "warned twice"
    );
    let verbose = home.azlin().args(["-v", "ssh-config"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&verbose.stderr).contains("no plain ssh alias `localhost`"),
        "-v"
    );
}

#[test]
fn hostile_azure_names_never_capture() {
    let home = Home::new();
    let config = write_user_config(&home);
    let vms = ["github.com", "localhost", "bastion", "web"]
        .into_iter()
        .map(|n| EmuVm::new(n, "rg"))
        .collect();
    let arm = Arm::start(vms, 100);
    let az = FakeAz::install(&home.path().join("fake-bin"));
    sessions_of(&home, &["github.com", "localhost", "bastion", "web"]);
    let before = baseline(&home, &["github.com", "localhost", "bastion"]);
    ok(&home, &arm, &az, &["ssh-config"]);
    for (alias, want) in &before {
        assert_eq!(&ssh_g(&config, alias), want, "{alias} changed");
    }
    assert_eq!(ssh_g(&config, "github.com--dev")["user"], "azureuser");
    assert_eq!(ssh_g(&config, "web")["user"], "azureuser");
    let printed = ok(&home, &arm, &az, &["ssh-config", "print"]);
    assert!(printed.contains("Host github.com--*\n"), "{printed}");
    assert!(printed.contains("Host web web--*\n"), "{printed}");
}

/// azlin's own ssh sends keepalives, unless the user's config sets them (an `-o` on the
/// command line would override theirs); the generated config follows the same rule.
#[test]
fn keepalives_on_azlins_own_ssh_unless_the_user_sets_them() {
    let home = Home::new();
    // Port 1 on loopback: refused at once, after azlin has logged the command line.
    home.ok(&["host", "add", "k", "--address", "127.0.0.1", "--port", "1"]);
    let logged = |home: &Home| {
        let out = home
            .azlin()
            .args(["-v", "exec", "k", "--", "true"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let with = logged(&home);
    assert!(
        // Batch work gives up after about its --timeout (10 s: every 2 s, 3 unanswered).
        with.contains("-o ServerAliveInterval=2 -o ServerAliveCountMax=3"),
        "{with}"
    );
    let ssh = home.path().join(".ssh");
    fs::create_dir_all(&ssh).unwrap();
    fs::write(ssh.join("config"), "Host *\n    ServerAliveInterval 30\n").unwrap();
    let without = logged(&home);
    assert!(without.contains("exec: ssh "), "{without}");
    assert!(!without.contains("ServerAlive"), "{without}");
    home.ok(&["ssh-config"]);
    let got = ssh_g(&ssh.join("config"), "k");
    assert_eq!(got["serveraliveinterval"], "30");
}

#[test]
fn a_port_set_in_the_users_config_never_reaches_a_vm_on_port_22() {
    let home = Home::new();
    home.ok(&["host", "add", "p22", "--address", "10.0.0.22"]);
    home.ok(&[
        "host",
        "add",
        "p2200",
        "--address",
        "10.0.0.23",
        "--port",
        "2200",
    ]);
    sessions_of(&home, &["p22", "p2200"]);
    // Without a Port of the user's, ssh's default does: no `Port 22` line is written.
    home.ok(&["ssh-config"]);
    let ssh = home.path().join(".ssh");
    let fleet = fs::read_to_string(ssh.join("config.d/azlin-fleet.conf")).unwrap();
    assert!(!fleet.contains("Port 22\n"), "{fleet}");
    assert_eq!(ssh_g(&ssh.join("config"), "p22")["port"], "22");
    // A `Host *` Port of the user's (after azlin's Include) must not move p22.
    let config = fs::read_to_string(ssh.join("config")).unwrap();
    fs::write(
        ssh.join("config"),
        format!("{config}\nHost *\n    Port 2222\n"),
    )
    .unwrap();
    home.ok(&["ssh-config"]);
    for (alias, port) in [
        ("p22", "22"),
        ("p22--dev", "22"),
        ("p2200", "2200"),
        ("github.com", "2222"),
    ] {
        assert_eq!(ssh_g(&ssh.join("config"), alias)["port"], port, "{alias}");
    }
}
