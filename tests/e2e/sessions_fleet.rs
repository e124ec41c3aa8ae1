//! The fake fleet itself: each fake VM is reachable with azlin's ssh options, has its own
//! tmux server, and everything ends with the fleet.

use crate::support::fleet::{Fleet, SshLog};
use crate::support::{Home, assert_success};

#[test]
fn each_fake_vm_has_its_own_tmux_server_and_all_end_on_drop() {
    let home = Home::new();
    let (pids, sockets) = {
        let fleet = Fleet::start(&home, &["vm1", "vm2"]);
        // Through azlin's own ssh layer: the session lands on vm1's server only.
        home.ok(&["ssh", "vm1", "--tmux-session", "only-here"]);
        assert_eq!(fleet.vm("vm1").sessions(), vec!["only-here".to_string()]);
        assert!(fleet.vm("vm2").sessions().is_empty());
        // The host key was accepted on first use, under the VM's alias, in azlin's file.
        // (Debian's ssh_config hashes names, so ask ssh-keygen rather than read the file.)
        let found = std::process::Command::new("ssh-keygen")
            .arg("-F")
            .arg("azlin.local.vm1")
            .arg("-f")
            .arg(home.azlin_home().join("known_hosts"))
            .output()
            .unwrap();
        assert_success(&found);
        assert!(String::from_utf8_lossy(&found.stdout).contains("ssh-ed25519"));
        // sshd's SetEnv reached the remote command.
        let out = home.ok(&["connect", "vm2", "--", "sh", "-c", "echo $TMUX_TMPDIR"]);
        assert_eq!(
            out.trim(),
            fleet.vm("vm2").tmux_tmpdir.to_string_lossy(),
            "TMUX_TMPDIR on vm2"
        );
        let pids = fleet.pids();
        let sockets: Vec<_> = ["vm1", "vm2"]
            .iter()
            .map(|v| fleet.vm(v).tmux_tmpdir.clone())
            .collect();
        (pids, sockets)
    };
    for pid in pids {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // Gone, or a zombie waiting for its parent.
        assert!(
            stat.is_empty() || stat.contains(") Z "),
            "pid {pid} still runs: {stat}"
        );
    }
    for dir in sockets {
        assert!(!dir.exists(), "{} left behind", dir.display());
    }
}

#[test]
fn azlin_ssh_names_the_client_and_list_runs_one_ssh_per_vm_with_the_targets_options() {
    let home = Home::new();
    let fleet = Fleet::start(&home, &["vm1", "vm2", "vm3"]);
    fleet.vm("vm2").new_session("dev", None);
    let log = SshLog::new();
    let out = home
        .azlin()
        .env("AZLIN_SSH", log.client())
        .args(["list", "--format", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    let runs = log.take();
    assert_eq!(runs.len(), 3, "one ssh per VM: {runs:?}");
    let vm2 = runs
        .iter()
        .find(|args| args.iter().any(|a| a == "vm2"))
        .expect("a run for vm2");
    let port = format!("Port={}", fleet.vm("vm2").port);
    for want in [
        "HostName=127.0.0.1",
        port.as_str(),
        "HostKeyAlias=azlin.local.vm2",
        "StrictHostKeyChecking=accept-new",
        "BatchMode=yes",
        "IdentitiesOnly=yes",
    ] {
        assert!(vm2.iter().any(|a| a == want), "{want}: {vm2:?}");
    }
    // One ssh per VM claims the shared connection's master (`auto`); any other ssh to
    // that VM in the claim's window would say `no`. Here each VM has one ssh: all `auto`.
    for run in &runs {
        let masters: Vec<&String> = run
            .iter()
            .filter(|a| a.starts_with("ControlMaster="))
            .collect();
        assert_eq!(masters, ["ControlMaster=auto"], "{run:?}");
    }
    assert!(!vm2.iter().any(|a| a.contains("StrictHostKeyChecking=no")));
    // The remote command is one argument, after the destination.
    let dest = vm2.iter().position(|a| a == "vm2").unwrap();
    assert_eq!(vm2.len(), dest + 2, "{vm2:?}");
    assert!(vm2[dest + 1].contains("tmux list-sessions -F"), "{vm2:?}");
}
