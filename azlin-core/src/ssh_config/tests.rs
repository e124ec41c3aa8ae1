//! Sync, validation, restore and remove against a throwaway home and the real ssh client.

use std::fs;

use super::*;
use crate::inventory::{ProviderKind, SessionCache, SessionInfo, Vm};

struct Fixture {
    _dir: tempfile::TempDir,
    paths: Paths,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths {
        azlin_home: dir.path().join(".azlin"),
        home: dir.path().to_path_buf(),
    };
    Fixture { _dir: dir, paths }
}

fn vm(name: &str, address: &str, user: &str) -> Vm {
    let mut vm = Vm::new(name, ProviderKind::Local).at(address);
    vm.port = 2200;
    vm.user = Some(user.into());
    vm
}

fn inventory(vms: Vec<Vm>, sessions: &[(&str, &str)]) -> Inventory {
    let mut cache = SessionCache::default();
    for (vm, s) in sessions {
        let mut list = cache.sessions_of(vm).to_vec();
        list.push(SessionInfo::new(s));
        cache.record(vm, list);
    }
    Inventory::new(vms, cache).unwrap()
}

fn opts(f: &Fixture) -> Options {
    let mut o = Options::new(ConnectDefaults {
        user: None,
        identity_file: None,
        known_hosts: f.paths.known_hosts(),
    });
    o.ssh = "ssh".into();
    o
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn first_sync_creates_everything_private_and_second_changes_nothing() {
    let f = fixture();
    let inv = inventory(
        vec![vm("myvm", "127.0.0.1", "alice")],
        &[("myvm", "dev"), ("myvm", "build")],
    );
    let report = sync(&f.paths, &inv, &opts(&f)).unwrap();
    assert!(report.changed());
    assert!(report.config_edited);
    assert_eq!(
        report.backup, None,
        "no config existed, so nothing to back up"
    );
    assert_eq!(report.validated, 2, "{report:?}");
    let ssh = f.paths.ssh_dir();
    assert_eq!(mode(&ssh), 0o700);
    assert_eq!(mode(&ssh.join("config")), 0o600);
    let file = ssh.join("config.d").join(FLEET_FILE);
    assert_eq!(mode(&file), 0o600);
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.contains("Host myvm myvm--*\n"), "{text}");
    assert!(text.contains("Host myvm--dev\n    RemoteCommand tmux new-session -A -s dev\n"));
    assert!(
        text.contains("Host myvm--*\n    RequestTTY yes\n"),
        "{text}"
    );

    let before = fs::metadata(&file).unwrap().modified().unwrap();
    let cfg_before = fs::metadata(ssh.join("config"))
        .unwrap()
        .modified()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let again = sync(&f.paths, &inv, &opts(&f)).unwrap();
    assert!(!again.changed(), "{again:?}");
    assert_eq!(fs::metadata(&file).unwrap().modified().unwrap(), before);
    assert_eq!(
        fs::metadata(ssh.join("config"))
            .unwrap()
            .modified()
            .unwrap(),
        cfg_before
    );
    assert!(plan(&f.paths, &inv, &opts(&f)).unwrap().is_up_to_date());
}

#[test]
fn vanished_vms_lose_their_part_and_backup_is_taken_once() {
    let f = fixture();
    let ssh = f.paths.ssh_dir();
    fs::create_dir_all(&ssh).unwrap();
    fs::write(ssh.join("config"), "Host *\n  ServerAliveInterval 30\n").unwrap();
    let both = inventory(
        vec![vm("a", "10.0.0.1", "u"), vm("b", "10.0.0.2", "u")],
        &[],
    );
    let r = sync(&f.paths, &both, &opts(&f)).unwrap();
    assert_eq!(r.backup.as_deref(), Some(ssh.join(BACKUP).as_path()));
    assert_eq!(
        fs::read_to_string(ssh.join(BACKUP)).unwrap(),
        "Host *\n  ServerAliveInterval 30\n"
    );
    let fleet = ssh.join("config.d").join(FLEET_FILE);
    assert!(fs::read_to_string(&fleet).unwrap().contains("Host b b--*"));
    // A narrowed listing (say `--rg`) keeps the parts of the VMs it does not show.
    let only_a = inventory(vec![vm("a", "10.0.0.1", "u")], &[("a", "dev")]);
    let mut narrowed = opts(&f);
    narrowed.remove_missing = false;
    sync(&f.paths, &only_a, &narrowed).unwrap();
    let text = fs::read_to_string(&fleet).unwrap();
    assert!(
        text.contains("Host b b--*") && text.contains("Host a--dev"),
        "{text}"
    );
    assert!(text.contains("Host a a--* b b--*\n"), "{text}");
    // The whole fleet drops it.
    let r = sync(&f.paths, &only_a, &opts(&f)).unwrap();
    assert_eq!(r.written, vec![fleet.clone()]);
    assert!(!r.config_edited);
    let text = fs::read_to_string(&fleet).unwrap();
    assert!(!text.contains("Host b"), "{text}");
    assert!(text.contains("Host a a--*"), "{text}");
    assert_eq!(
        r.changed_sections,
        Vec::<String>::new(),
        "a's part did not change"
    );
}

#[test]
fn a_kept_part_whose_aliases_a_listed_vm_would_catch_is_left_out() {
    let f = fixture();
    let fleet = f.paths.ssh_dir().join("config.d").join(FLEET_FILE);
    // An earlier listing had `b--x`; the narrowed one now shows `b`, whose `Host b b--*`
    // would give `b--x`'s aliases b's address.
    let earlier = inventory(vec![vm("b--x", "10.0.0.9", "u")], &[("b--x", "dev")]);
    sync(&f.paths, &earlier, &opts(&f)).unwrap();
    let now = inventory(vec![vm("b", "10.0.0.2", "u")], &[("b", "dev")]);
    let mut narrowed = opts(&f);
    narrowed.remove_missing = false;
    let r = sync(&f.paths, &now, &narrowed).unwrap();
    let text = fs::read_to_string(&fleet).unwrap();
    assert!(!text.contains("b--x"), "{text}");
    assert!(text.contains("Host b b--*"), "{text}");
    let said: Vec<String> = r.problems.iter().map(|p| p.to_string()).collect();
    assert!(
        said.iter()
            .any(|p| p.contains("b--x") && p.contains("`b`") && p.contains("`b--*`")),
        "{said:?}"
    );
}

#[test]
fn per_vm_files_of_an_older_azlin_become_the_fleet_file() {
    let f = fixture();
    let config_d = f.paths.ssh_dir().join(CONFIG_D);
    fs::create_dir_all(&config_d).unwrap();
    let old = "# Generated by azlin for VM b. Do not edit\nHost b b--*\n    HostName 10.0.0.2\n";
    fs::write(
        config_d.join("azlin-a.conf"),
        "Host a a--*\n    HostName 10.0.0.9\n",
    )
    .unwrap();
    fs::write(config_d.join("azlin-b.conf"), old).unwrap();
    let only_a = inventory(vec![vm("a", "10.0.0.1", "u")], &[]);
    let mut narrowed = opts(&f);
    narrowed.remove_missing = false;
    let r = sync(&f.paths, &only_a, &narrowed).unwrap();
    assert_eq!(r.removed.len(), 2, "{r:?}");
    assert_eq!(
        existing_files(&config_d).unwrap(),
        [config_d.join(FLEET_FILE)]
    );
    let text = fs::read_to_string(config_d.join(FLEET_FILE)).unwrap();
    // a from the inventory, b kept from its old file (not listed now).
    assert!(
        text.contains("# azlin: VM a\nHost a a--*\n    HostName 10.0.0.1\n"),
        "{text}"
    );
    assert!(
        text.contains("# azlin: VM b\nHost b b--*\n    HostName 10.0.0.2\n"),
        "{text}"
    );
}

#[test]
fn failed_ssh_check_restores_previous_files_and_shows_why() {
    let f = fixture();
    let ssh = f.paths.ssh_dir();
    fs::create_dir_all(&ssh).unwrap();
    // A global User before the user's own (covering) Include wins over azlin's User.
    let user_config = format!("User bob\nInclude {}/config.d/*\n", ssh.display());
    fs::write(ssh.join("config"), &user_config).unwrap();
    let inv = inventory(vec![vm("myvm", "10.0.0.1", "alice")], &[]);
    let err = sync(&f.paths, &inv, &opts(&f)).unwrap_err().to_string();
    assert!(err.contains("user is `bob`, expected `alice`"), "{err}");
    assert!(err.contains("restored"), "{err}");
    assert!(!ssh.join("config.d").join(FLEET_FILE).exists());
    assert_eq!(fs::read_to_string(ssh.join("config")).unwrap(), user_config);
}

#[test]
fn read_only_config_gets_the_exact_lines_and_nothing_is_touched() {
    use std::os::unix::fs::PermissionsExt;
    let f = fixture();
    let ssh = f.paths.ssh_dir();
    fs::create_dir_all(&ssh).unwrap();
    let cfg = ssh.join("config");
    fs::write(&cfg, "Host x\n").unwrap();
    fs::set_permissions(&cfg, fs::Permissions::from_mode(0o400)).unwrap();
    let inv = inventory(vec![vm("myvm", "10.0.0.1", "alice")], &[]);
    let err = sync(&f.paths, &inv, &opts(&f)).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, SshConfigError::ReadOnly { .. }));
    assert!(msg.contains("\nInclude "), "{msg}");
    assert!(msg.contains("azlin-*.conf"), "{msg}");
    assert!(!ssh.join(CONFIG_D).exists());
    assert_eq!(fs::read_to_string(&cfg).unwrap(), "Host x\n");
}

#[test]
fn remove_restores_the_user_config_exactly() {
    let f = fixture();
    let ssh = f.paths.ssh_dir();
    fs::create_dir_all(&ssh).unwrap();
    let user = b"# mine\r\nHost *\r\n  User me\r\nMatch host y\r\n  Port 3".to_vec();
    fs::write(ssh.join("config"), &user).unwrap();
    let inv = inventory(vec![vm("myvm", "10.0.0.1", "alice")], &[("myvm", "dev")]);
    sync(&f.paths, &inv, &opts(&f)).unwrap();
    let edited = fs::read(ssh.join("config")).unwrap();
    assert!(edited.ends_with(&user));
    let r = remove(&f.paths).unwrap();
    assert!(r.config_edited);
    assert_eq!(r.removed.len(), 1);
    assert_eq!(fs::read(ssh.join("config")).unwrap(), user);
    // Nothing left to do.
    let r = remove(&f.paths).unwrap();
    assert!(!r.config_edited && r.removed.is_empty());
}

#[test]
fn diff_and_stanzas_describe_the_plan_without_writing() {
    let f = fixture();
    let inv = inventory(vec![vm("myvm", "10.0.0.1", "alice")], &[("myvm", "dev")]);
    let p = plan(&f.paths, &inv, &opts(&f)).unwrap();
    assert!(!p.is_up_to_date());
    let diff = p.diff();
    assert!(diff.contains("--- /dev/null"), "{diff}");
    assert!(diff.contains("+Host myvm--dev"), "{diff}");
    assert!(diff.contains("+Include "), "{diff}");
    assert!(
        p.stanzas(None)
            .unwrap()
            .unwrap()
            .contains("Host myvm myvm--*")
    );
    assert!(
        p.stanzas(Some("MyVM"))
            .unwrap()
            .unwrap()
            .contains("Host myvm--dev")
    );
    assert_eq!(p.stanzas(Some("nope")).unwrap(), None);
    assert!(!f.paths.ssh_dir().exists());
}

#[test]
fn a_large_change_is_checked_on_the_first_and_last_sections() {
    let f = fixture();
    let vms = (0..5)
        .map(|i| vm(&format!("vm{i}"), &format!("10.0.0.{}", i + 1), "u"))
        .collect();
    // Only the first and last VMs have a session: the plain alias of the first and the
    // session alias of the last are checked.
    let inv = inventory(vms, &[("vm0", "dev"), ("vm4", "dev")]);
    let r = sync(&f.paths, &inv, &opts(&f)).unwrap();
    assert_eq!(r.written.len(), 1);
    assert_eq!(r.changed_sections.len(), 5);
    assert_eq!(r.validated, 2, "{r:?}");
    // One changed section: both of its aliases.
    let inv = inventory(
        (0..5)
            .map(|i| vm(&format!("vm{i}"), &format!("10.0.0.{}", i + 1), "v"))
            .take(1)
            .chain((1..5).map(|i| vm(&format!("vm{i}"), &format!("10.0.0.{}", i + 1), "u")))
            .collect(),
        &[("vm0", "dev"), ("vm4", "dev")],
    );
    let r = sync(&f.paths, &inv, &opts(&f)).unwrap();
    assert_eq!(r.changed_sections, ["vm0"], "{r:?}");
    assert_eq!(r.validated, 2, "{r:?}");
}

#[test]
fn an_empty_inventory_leaves_the_user_config_alone() {
    let f = fixture();
    let r = sync(&f.paths, &inventory(vec![], &[]), &opts(&f)).unwrap();
    assert!(!r.changed(), "{r:?}");
    assert!(!f.paths.ssh_dir().exists());
}
