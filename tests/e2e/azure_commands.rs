//! `list`, `ssh-config`, `exec` and `connect` on Azure data from the ARM emulator; one
//! Azure VM's address leads to a real fake-fleet sshd.

use serde_json::Value;

use crate::support::Home;
use crate::support::arm::{Arm, EmuVm, FakeAz, azure, ok};

/// web (running, public IP), db (running, private IP only, jump host from its tag),
/// batch (stopped), old (deallocated).
fn fleet() -> (Home, Arm, FakeAz) {
    let web = EmuVm::new("web", "rg");
    let mut db = EmuVm::new("db", "rg");
    db.public_ip = None;
    db.private_ip = Some("10.1.0.5".into());
    db.tags
        .insert("azlin_proxy_jump".into(), "ops@bastion".into());
    let mut batch = EmuVm::new("batch", "rg");
    batch.power = "stopped".into();
    batch.public_ip = Some("20.0.0.9".into());
    let mut old = EmuVm::new("old", "rg");
    old.power = "deallocated".into();
    let (home, arm, az) = azure(vec![web, db, batch, old], 100);
    (home, arm, az)
}

fn rows(json: &str) -> Vec<Value> {
    serde_json::from_str(json).unwrap()
}

fn names(rows: &[Value]) -> Vec<&str> {
    let mut n: Vec<&str> = rows
        .iter()
        .map(|r| r["hostname"].as_str().unwrap())
        .collect();
    n.sort();
    n
}

#[test]
fn list_shows_running_azure_vms_and_all_adds_stopped_ones() {
    let (home, arm, az) = fleet();
    let running = rows(&ok(
        &home,
        &arm,
        &az,
        &["list", "--no-tmux", "--format", "json"],
    ));
    assert_eq!(names(&running), ["db", "web"]);
    for r in &running {
        assert_eq!(r["provider"], "azure", "{r}");
        assert_eq!(r["status"], "Running", "{r}");
        assert!(r["session"].is_null(), "{r}");
    }
    let web = running.iter().find(|r| r["hostname"] == "web").unwrap();
    assert_eq!(web["ip"], "20.0.0.1");
    let all = rows(&ok(
        &home,
        &arm,
        &az,
        &["list", "--all", "--no-tmux", "--format", "json"],
    ));
    assert_eq!(names(&all), ["batch", "db", "old", "web"]);
    let status = |vm: &str| {
        all.iter().find(|r| r["hostname"] == vm).unwrap()["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(status("batch"), "Stopped");
    assert_eq!(status("old"), "Deallocated");
}

#[test]
fn ssh_config_writes_stanzas_for_azure_vms_with_proxy_jump_for_private_ones() {
    let (home, arm, az) = fleet();
    let text = ok(&home, &arm, &az, &["ssh-config", "print"]);
    let block = |vm: &str| -> String {
        let start = text
            .find(&format!("Host {vm} {vm}--*"))
            .unwrap_or_else(|| panic!("no block for {vm}:\n{text}"));
        text[start..]
            .lines()
            .skip(1)
            .take_while(|l| !l.starts_with("Host "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let web = block("web");
    assert!(web.contains("HostName 20.0.0.1"), "{web}");
    assert!(web.contains("User azureuser"), "{web}");
    assert!(!web.contains("ProxyJump"), "{web}");
    let db = block("db");
    assert!(db.contains("HostName 10.1.0.5"), "{db}");
    assert!(db.contains("ProxyJump ops@bastion"), "{db}");
    // The written files agree with what was printed, and ssh accepts them.
    ok(&home, &arm, &az, &["ssh-config"]);
    let file = std::fs::read_to_string(home.path().join(".ssh/config.d/azlin-fleet.conf")).unwrap();
    assert!(file.contains("ProxyJump ops@bastion"), "{file}");
}

/// An Azure VM whose public IP leads to a real fake-fleet sshd: `exec` and `connect` work
/// from Azure data alone (address, admin user, port 22), and `list` probes it.
#[test]
fn exec_and_connect_reach_an_azure_vm_through_its_azure_record() {
    let home = Home::new();
    let mut fleet = crate::support::fleet::Fleet::start(&home, &["backing"]);
    let ip = fleet.expose_on_port_22("backing");
    // Only the Azure record must lead there: forget the local registration.
    home.ok(&["host", "remove", "backing"]);
    let mut vm = EmuVm::new("azvm", "rg");
    vm.public_ip = Some(ip.clone());
    vm.admin = fleet.user().to_string();
    let arm = Arm::start(vec![vm], 100);
    let az = FakeAz::install(&home.path().join("fake-bin"));
    home.write(
        "config.toml",
        &format!("identity_file = \"{}\"\n", fleet.key().display()),
    );

    let out = ok(
        &home,
        &arm,
        &az,
        &[
            "exec",
            "azvm:work",
            "--create",
            "--",
            "echo",
            "hello from azure",
        ],
    );
    assert_eq!(out.trim(), "hello from azure");
    assert_eq!(fleet.vm("backing").sessions(), ["work"]);
    let out = ok(
        &home,
        &arm,
        &az,
        &["connect", "azvm:work", "--", "echo", "via-connect"],
    );
    assert_eq!(out.trim(), "via-connect");
    let listed = rows(&ok(&home, &arm, &az, &["list", "--format", "json"]));
    let row = listed
        .iter()
        .find(|r| r["compound"] == "azvm:work")
        .unwrap_or_else(|| panic!("{listed:?}"));
    assert_eq!(row["provider"], "azure");
    assert_eq!(row["ip"], ip.as_str());
    // The session is now known, so its bare name resolves to the Azure VM.
    let out = ok(&home, &arm, &az, &["exec", "work", "--", "echo", "ok"]);
    assert_eq!(out.trim(), "ok");
}

#[test]
fn session_labels_an_azure_vm_with_its_tag_and_clear_removes_it() {
    let (home, arm, az) = fleet();
    let out = ok(&home, &arm, &az, &["session", "web", "frontend"]);
    assert!(out.contains("Session name for web: frontend"), "{out}");
    assert_eq!(
        arm.tags_of("web").get("azlin_session").map(String::as_str),
        Some("frontend")
    );
    let shown = ok(&home, &arm, &az, &["session", "web"]);
    assert_eq!(shown.trim(), "Session name for web: frontend");
    let v: Value = serde_json::from_str(&ok(
        &home,
        &arm,
        &az,
        &["resolve", "frontend", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(v["vm"], "web");
    ok(&home, &arm, &az, &["session", "web", "--clear"]);
    assert!(!arm.tags_of("web").contains_key("azlin_session"));
}

#[test]
fn a_sync_narrowed_by_resource_group_keeps_the_parts_of_other_vms() {
    let (home, arm, az) = azure(
        vec![EmuVm::new("alpha", "rg-a"), EmuVm::new("beta", "rg-b")],
        100,
    );
    ok(&home, &arm, &az, &["ssh-config"]);
    let fleet = home.path().join(".ssh/config.d/azlin-fleet.conf");
    let has_beta = || {
        std::fs::read_to_string(&fleet)
            .unwrap()
            .contains("Host beta beta--*")
    };
    assert!(has_beta());
    // `beta` is outside the narrowed listing, not gone: its part stays.
    ok(&home, &arm, &az, &["--rg", "rg-a", "ssh-config"]);
    assert!(
        has_beta(),
        "--rg removed the part of a VM that still exists"
    );
    // A VM deleted from Azure loses its part at the next whole-fleet sync.
    let arm = Arm::start(vec![EmuVm::new("alpha", "rg-a")], 100);
    ok(&home, &arm, &az, &["resolve", "alpha", "--refresh"]);
    ok(&home, &arm, &az, &["ssh-config"]);
    assert!(!has_beta(), "the part of a deleted VM stays");
}
