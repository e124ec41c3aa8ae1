//! The fake fleet itself: each fake VM is reachable with azlin's ssh options, has its own
//! tmux server, and everything ends with the fleet.

use crate::support::Home;
use crate::support::fleet::Fleet;

#[test]
fn each_fake_vm_has_its_own_tmux_server_and_all_end_on_drop() {
    let home = Home::new();
    let (pids, sockets) = {
        let fleet = Fleet::start(&home, &["vm1", "vm2"]);
        // Through azlin's own ssh layer: the session lands on vm1's server only.
        home.ok(&["ssh", "vm1", "--tmux-session", "only-here"]);
        assert_eq!(fleet.vm("vm1").sessions(), vec!["only-here".to_string()]);
        assert!(fleet.vm("vm2").sessions().is_empty());
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
