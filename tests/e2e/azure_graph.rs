//! Many subscriptions at once through Azure Resource Graph: `list --all-subscriptions`
//! and `[azure] subscriptions`, against the emulator's Resource Graph endpoint.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::arm::{EmuVm, Fault, SUB, azure, ok, run};

const SUB_B: &str = "00000000-0000-0000-0000-0000000000bb";
const SUB_C: &str = "00000000-0000-0000-0000-0000000000cc";

/// 1,000 VMs in each of three subscriptions, powers cycling, every 4th without a public IP.
fn three_subscriptions() -> Vec<EmuVm> {
    [SUB, SUB_B, SUB_C]
        .iter()
        .enumerate()
        .flat_map(|(s, sub)| {
            (0..1000).map(move |i| {
                let mut v = EmuVm::new(&format!("s{s}vm{i:04}"), "RG-Fleet");
                v.subscription = sub.to_string();
                v.power = ["running", "stopped", "deallocated", "starting"][i % 4].to_string();
                v.private_ip = Some(format!("10.{s}.{}.{}", i / 256, i % 256));
                v.public_ip = (i % 4 != 1).then(|| format!("20.{s}.{}.{}", i / 256, i % 256));
                v
            })
        })
        .collect()
}

fn rows(json: &str) -> Vec<Value> {
    serde_json::from_str(json).unwrap()
}

#[test]
fn all_subscriptions_cost_one_request_per_thousand_vms() {
    let (home, arm, az) = azure(three_subscriptions(), 1000);
    let all = rows(&ok(
        &home,
        &arm,
        &az,
        &[
            "list",
            "--all-subscriptions",
            "--all",
            "--no-tmux",
            "--format",
            "json",
        ],
    ));
    assert_eq!(all.len(), 3000);
    let seen = arm.seen();
    assert!(seen.len() <= 4, "{} requests", seen.len());
    assert_eq!(seen.len(), 3, "3,000 rows at 1,000 a page");
    assert!(seen.iter().all(|s| s.method == "POST"
        && s.target == "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01"
        && s.status == 200));
    // No subscription list: every subscription the credential can read.
    let body: Value = serde_json::from_str(&seen[0].body).unwrap();
    assert!(body.get("subscriptions").is_none(), "{body}");
    assert!(
        body["query"]
            .as_str()
            .unwrap()
            .contains("properties.extended.instanceView.powerState.code")
    );
    // Each row carries its subscription, group, addresses and power.
    let per_sub: BTreeMap<&str, usize> = all.iter().fold(BTreeMap::new(), |mut m, r| {
        *m.entry(r["subscription"].as_str().unwrap()).or_default() += 1;
        m
    });
    assert_eq!(per_sub.values().collect::<Vec<_>>(), [&1000, &1000, &1000]);
    let one = all.iter().find(|r| r["hostname"] == "s2vm0003").unwrap();
    assert_eq!(one["subscription"], SUB_C);
    assert_eq!(
        one["resource_group"], "RG-Fleet",
        "the id's spelling, not Graph's lower case"
    );
    assert_eq!(one["status"], "Starting");
    assert_eq!(one["public_ip"], "20.2.0.3");
    assert_eq!(one["private_ip"], "10.2.0.3");
    assert_eq!(one["user"], "azureuser");
    let no_public = all.iter().find(|r| r["hostname"] == "s1vm0001").unwrap();
    assert_eq!(no_public["public_ip"], Value::Null);
    assert_eq!(no_public["status"], "Stopped");
    // The listing is cached like any other.
    let before = arm.requests();
    ok(
        &home,
        &arm,
        &az,
        &[
            "list",
            "--all-subscriptions",
            "--no-tmux",
            "--format",
            "json",
        ],
    );
    assert_eq!(arm.requests(), before);
}

#[test]
fn configured_subscriptions_are_queried_together_and_resource_manager_is_the_fallback() {
    let (home, arm, az) = azure(three_subscriptions(), 1000);
    home.write(
        "config.toml",
        &format!("[azure]\nsubscriptions = [\"{SUB}\", \"{SUB_C}\"]\n"),
    );
    let v: Value = serde_json::from_str(&ok(
        &home,
        &arm,
        &az,
        &["resolve", "s2vm0999", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(v["vm"], "s2vm0999");
    let seen = arm.seen();
    assert_eq!(seen.len(), 2, "2,000 rows");
    let body: Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(body["subscriptions"], serde_json::json!([SUB, SUB_C]));
    let (code, _, err) = run(&home, &arm, &az, &["resolve", "s1vm0000"]);
    assert_eq!(code, 1, "{err}");
    // Tags of a VM in another subscription go to its own id, and into the cache.
    let out = ok(
        &home,
        &arm,
        &az,
        &["tag", "add", "s2vm0999", "Cost Center=9"],
    );
    assert_eq!(out, "Tags for s2vm0999:\n  Cost Center: 9\n");
    assert_eq!(
        arm.tags_of("s2vm0999")
            .get("Cost Center")
            .map(String::as_str),
        Some("9")
    );
    let patch = arm
        .seen()
        .into_iter()
        .find(|s| s.method == "PATCH")
        .unwrap();
    assert!(
        patch
            .target
            .starts_with(&format!("/subscriptions/{SUB_C}/")),
        "{}",
        patch.target
    );
    let before = arm.requests();
    assert_eq!(ok(&home, &arm, &az, &["tag", "list", "s2vm0999"]), out);
    assert_eq!(arm.requests(), before);

    // Resource Graph failing: the one subscription through Resource Manager, with a warning.
    arm.inject((0..5).map(|_| Fault::Status(500, Some(0))));
    let (code, out, err) = run(
        &home,
        &arm,
        &az,
        &[
            "list",
            "--all",
            "--no-tmux",
            "--format",
            "json",
            "--refresh",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Resource Graph failed"), "{err}");
    let listed = rows(&out);
    assert_eq!(listed.len(), 1000);
    assert!(listed.iter().all(|r| r["subscription"] == SUB));

    // A bad id in the list is a usage error naming where it came from.
    home.write("config.toml", "[azure]\nsubscriptions = [\"not-a/guid\"]\n");
    let (code, _, err) = run(&home, &arm, &az, &["list", "--no-tmux"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("config.toml"), "{err}");
}
