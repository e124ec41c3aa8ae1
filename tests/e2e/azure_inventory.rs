//! The Azure provider against the ARM emulator: listing across pages, joins, power
//! states, addresses, the inventory cache, resolution of names and labels.
//!
//! Listing is observed here through `resolve`, the documented cache file
//! `cache/azure.json`, and the emulator's request log (`list` itself: azure_commands).

use serde_json::Value;

use crate::support::arm::{Arm, EmuVm, FakeAz, SUB, azure, ok, run};
use crate::support::{Home, assert_success};

/// 1,000 VMs: every 4th without a public IP, powers cycling through running, stopped,
/// deallocated, starting; every 10th without any IP.
fn big_fleet() -> Vec<EmuVm> {
    (0..1000)
        .map(|i| {
            let mut v = EmuVm::new(
                &format!("vm{i:04}"),
                if i % 2 == 0 { "rg-a" } else { "rg-b" },
            );
            v.power = ["running", "stopped", "deallocated", "starting"][i % 4].to_string();
            v.private_ip = Some(format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256));
            v.public_ip = (i % 4 != 1).then(|| format!("20.0.{}.{}", i / 256, i % 256));
            if i % 10 == 9 {
                v.public_ip = None;
                v.private_ip = None;
            }
            v
        })
        .collect()
}

fn resolve_json(home: &Home, arm: &Arm, az: &FakeAz, id: &str) -> Value {
    serde_json::from_str(&ok(home, arm, az, &["resolve", id, "--format", "json"])).unwrap()
}

#[test]
fn thousand_vms_cost_one_request_per_page_and_join_correctly() {
    let (home, arm, az) = azure(big_fleet(), 250);
    home.write("config.toml", "[azure]\nproxy_jump = \"ops@bastion\"\n");
    let v = resolve_json(&home, &arm, &az, "vm0002");
    // 1,000 VM models and power states at 250 a page: 4 pages each; NICs: an empty first
    // page, then 4; 700 public IPs: 3 pages. One request a page.
    assert_eq!(arm.requests(), 4 + 4 + 5 + 3, "{:#?}", arm.seen());
    assert!(
        arm.seen()
            .iter()
            .all(|s| s.method == "GET" && s.status == 200)
    );
    assert_eq!(az.calls(), 1, "one token for the whole listing");
    assert_eq!(v["provider"], "azure");
    assert_eq!(v["address"], "20.0.0.2");
    assert_eq!(v["user"], "azureuser");
    assert_eq!(v["power"], "deallocated");
    assert_eq!(v["compound"], "vm0002:azlin");

    // The cache holds every VM, whatever its power state, with both addresses.
    let cache: Value = serde_json::from_str(
        &std::fs::read_to_string(home.azlin_home().join("cache/azure.json")).unwrap(),
    )
    .unwrap();
    let vms = cache["vms"].as_array().unwrap();
    assert_eq!(vms.len(), 1000);
    for power in ["running", "stopped", "deallocated", "starting"] {
        assert_eq!(
            vms.iter().filter(|v| v["power"] == power).count(),
            250,
            "{power}"
        );
    }
    assert_eq!(
        vms.iter().filter(|v| v["public_ip"].is_string()).count(),
        700
    );
    assert_eq!(vms[5]["private_ip"], "10.0.0.5");

    // From the cache: no request at all.
    let before = arm.requests();
    let private = resolve_json(&home, &arm, &az, "vm0005");
    assert_eq!(arm.requests(), before);
    assert_eq!(
        private["address"], "10.0.0.5",
        "private IP when there is no public one"
    );
    assert_eq!(private["proxy_jump"], "ops@bastion");
    let none = resolve_json(&home, &arm, &az, "vm0009");
    assert_eq!(none["address"], Value::Null);
    let text = ok(&home, &arm, &az, &["resolve", "vm0009"]);
    assert!(text.contains("no route"), "{text}");
    // By IP, too.
    assert_eq!(resolve_json(&home, &arm, &az, "20.0.0.4")["vm"], "vm0004");
    assert_eq!(az.calls(), 1, "the cache needs no token");
}

#[test]
fn resource_group_narrows_the_listing() {
    let (home, arm, az) = azure(big_fleet(), 1000);
    let v: Value = serde_json::from_str(&ok(
        &home,
        &arm,
        &az,
        &["--rg", "rg-b", "resolve", "vm0001", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(v["vm"], "vm0001");
    // Model, NICs and public IPs of the group (VirtualMachines_List, documented query
    // only); power states from the subscription's statusOnly list (ListAll alone has it).
    for s in arm.seen() {
        if s.target.contains("statusOnly=true") {
            assert!(
                s.target.starts_with(&format!(
                    "/subscriptions/{SUB}/providers/Microsoft.Compute/virtualMachines?"
                )),
                "{}",
                s.target
            );
        } else {
            assert!(s.target.contains("/resourceGroups/rg-b/"), "{}", s.target);
            assert!(!s.target.contains("$expand"), "{}", s.target);
        }
        assert_eq!(s.status, 200, "{}", s.target);
    }
    assert_eq!(v["power"], "stopped");
    let (code, _, err) = run(&home, &arm, &az, &["--rg", "rg-b", "resolve", "vm0002"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("vm0002"), "{err}");
}

#[test]
fn labels_resolve_from_both_tag_spellings_and_sessions_from_the_cache() {
    let mut a = EmuVm::new("alpha", "rg");
    a.tags.insert("azlin_session".into(), "api".into());
    let mut b = EmuVm::new("beta", "rg");
    b.public_ip = Some("20.0.0.2".into());
    b.tags.insert("azlin-session".into(), "legacy".into());
    let mut c = EmuVm::new("gamma", "rg");
    c.public_ip = None;
    c.private_ip = Some("10.1.0.3".into());
    c.tags
        .insert("azlin_proxy_jump".into(), "jump@10.1.0.1".into());
    let (home, arm, az) = azure(vec![a, b, c], 2);
    assert_eq!(resolve_json(&home, &arm, &az, "api")["vm"], "alpha");
    assert_eq!(resolve_json(&home, &arm, &az, "api")["matched_by"], "label");
    assert_eq!(resolve_json(&home, &arm, &az, "legacy")["vm"], "beta");
    let g = resolve_json(&home, &arm, &az, "gamma:work");
    assert_eq!(g["address"], "10.1.0.3");
    assert_eq!(g["proxy_jump"], "jump@10.1.0.1");
    home.write(
        "cache/sessions.json",
        r#"{"version":1,"vms":{"beta":{"probed_at":1,"sessions":[{"name":"train"}]}}}"#,
    );
    assert_eq!(
        resolve_json(&home, &arm, &az, "train")["compound"],
        "beta:train"
    );
    assert_eq!(
        resolve_json(&home, &arm, &az, "beta--train")["compound"],
        "beta:train"
    );
}

#[test]
fn cache_ttl_refresh_and_one_refresh_on_a_missing_name() {
    let (home, arm, az) = azure(vec![EmuVm::new("one", "rg")], 10);
    ok(&home, &arm, &az, &["resolve", "one"]);
    let first = arm.requests();
    // Model, power, NICs (an empty page first), public IPs.
    assert_eq!(first, 5);
    ok(&home, &arm, &az, &["resolve", "one"]);
    assert_eq!(arm.requests(), first, "fresh cache: no request");
    ok(&home, &arm, &az, &["resolve", "one", "--refresh"]);
    assert_eq!(arm.requests(), 2 * first, "--refresh lists again");

    // A VM created since the listing is found by the one refresh a miss triggers.
    arm.state.lock().unwrap().vms.push(EmuVm::new("two", "rg"));
    assert_eq!(resolve_json(&home, &arm, &az, "two")["vm"], "two");
    assert_eq!(arm.requests(), 3 * first);
    // A name that does not exist costs one refresh, then "not found".
    let (code, _, err) = run(&home, &arm, &az, &["resolve", "nosuch"]);
    assert_eq!(code, 1);
    assert!(err.contains("no VM or session matches `nosuch`"), "{err}");
    assert_eq!(arm.requests(), 4 * first);

    // A TTL of 0 lists every time.
    home.write("config.toml", "[azure]\ncache_ttl = 0\n");
    ok(&home, &arm, &az, &["resolve", "one"]);
    assert_eq!(arm.requests(), 5 * first);
}

#[test]
fn interrupted_refresh_keeps_the_old_cache() {
    let (home, arm, az) = azure(vec![EmuVm::new("one", "rg")], 10);
    ok(&home, &arm, &az, &["resolve", "one"]);
    let path = home.azlin_home().join("cache/azure.json");
    let before = std::fs::read(&path).unwrap();
    // Every attempt fails: the refresh gives up, and the cache is untouched.
    arm.inject((0..20).map(|_| crate::support::arm::Fault::Status(503, Some(0))));
    let (code, _, err) = run(&home, &arm, &az, &["resolve", "one", "--refresh"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let leftovers = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")
        })
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
fn azure_and_local_names_must_not_clash() {
    let (home, arm, az) = azure(vec![EmuVm::new("shared", "rg")], 10);
    ok(
        &home,
        &arm,
        &az,
        &["host", "add", "shared", "--address", "10.9.9.9"],
    );
    let (code, _, err) = run(&home, &arm, &az, &["resolve", "shared"]);
    assert_eq!(code, 1);
    assert!(err.contains("more than one inventory source"), "{err}");
}

#[test]
fn without_a_subscription_azure_is_off_and_flags_no_longer_warn() {
    let home = Home::new();
    home.ok(&["host", "add", "box", "--address", "10.0.0.1"]);
    // No subscription anywhere: local only, no network, no runtime.
    let out = home
        .azlin()
        .env("AZLIN_ARM_ENDPOINT", "http://127.0.0.1:9")
        .args(["resolve", "box"])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
    // A subscription from the Azure CLI's profile turns the provider on.
    crate::support::arm::write_cli_profile(&home);
    let arm = Arm::start(vec![EmuVm::new("cloudy", "rg")], 10);
    let az = FakeAz::install(&home.path().join("fake-bin"));
    let out = crate::support::arm::azlin_azure(&home, &arm, &az)
        .env_remove("AZURE_SUBSCRIPTION_ID")
        .args(["resolve", "cloudy"])
        .output()
        .unwrap();
    assert_success(&out);
    // A bad subscription is a usage error naming its source.
    let (code, _, err) = run(
        &home,
        &arm,
        &az,
        &["--subscription", "not/a/guid", "resolve", "x"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("--subscription"), "{err}");
}

#[test]
fn commands_that_need_no_inventory_never_call_azure() {
    let (home, arm, az) = azure(vec![EmuVm::new("one", "rg")], 10);
    ok(&home, &arm, &az, &["--version"]);
    ok(
        &home,
        &arm,
        &az,
        &["host", "add", "box", "--address", "10.0.0.1"],
    );
    ok(&home, &arm, &az, &["host", "list"]);
    ok(&home, &arm, &az, &["resolve", "--help"]);
    assert_eq!(arm.requests(), 0);
    assert_eq!(az.calls(), 0);
}

#[test]
fn hostile_names_and_tags_from_azure_never_reach_a_target() {
    let mut evil = EmuVm::new("evil", "rg");
    evil.public_ip = None;
    evil.tags.insert(
        "azlin_proxy_jump".into(),
        "bastion\nProxyCommand touch /tmp/pwned".into(),
    );
    evil.tags.insert("azlin_session".into(), "x\nHost *".into());
    let mut odd = EmuVm::new("-oProxyCommand=x", "rg");
    odd.public_ip = Some("20.0.0.9".into());
    let (home, arm, az) = azure(vec![evil, odd, EmuVm::new("fine", "rg")], 10);
    let v = resolve_json(&home, &arm, &az, "evil");
    assert_eq!(v["address"], Value::Null, "no jump host from a hostile tag");
    assert_eq!(v["proxy_jump"], Value::Null);
    assert_eq!(v["label"], Value::Null);
    // A VM whose name cannot be an identifier is left out, the rest still resolve.
    let (code, _, err) = run(&home, &arm, &az, &["resolve", "20.0.0.9"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(resolve_json(&home, &arm, &az, "fine")["vm"], "fine");
}

#[test]
fn a_listing_narrowed_by_resource_group_forgets_no_other_vm_sessions() {
    // `alpha` (rg-a) is probed and fails fast (nothing answers ssh on 127.0.0.1's port
    // 22 as this user); `beta` (rg-b) is outside the listing and must keep its sessions.
    let mut a = EmuVm::new("alpha", "rg-a");
    a.public_ip = Some("127.0.0.1".into());
    let b = EmuVm::new("beta", "rg-b");
    let (home, arm, az) = azure(vec![a, b], 10);
    home.write(
        "cache/sessions.json",
        r#"{"version":1,"vms":{"beta":{"probed_at":1,"sessions":[{"name":"train"}]}}}"#,
    );
    let (code, _, err) = run(
        &home,
        &arm,
        &az,
        &["--rg", "rg-a", "list", "--timeout", "3", "--format", "json"],
    );
    assert_eq!(code, 1, "alpha cannot be probed: {err}");
    let cache = std::fs::read_to_string(home.azlin_home().join("cache/sessions.json")).unwrap();
    assert!(
        cache.contains("train"),
        "beta's session was forgotten: {cache}"
    );
    assert_eq!(
        resolve_json(&home, &arm, &az, "train")["compound"],
        "beta:train"
    );
}
