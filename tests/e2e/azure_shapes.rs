//! The Azure provider against an emulator that answers as Azure does (support/arm.rs):
//! every edge case of the published payloads reaches `list` intact, and the emulator
//! itself refuses what the service refuses.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::arm::{Arm, EmuVm, SUB, azure, ok};

/// One VM per edge case of the published shapes.
fn odd_fleet() -> Vec<EmuVm> {
    // References spelled `resourcegroups/RG-PROD`, a secondary NIC listed first, an IPv6
    // configuration first on the primary NIC, a tag name with a space, a label.
    let mut prod = EmuVm::new("prod1", "RG-Prod");
    prod.odd_case_refs = true;
    prod.secondary_nic_first = true;
    prod.ipv6_first = true;
    prod.public_ip = Some("20.1.0.1".into());
    prod.private_ip = Some("10.1.0.1".into());
    prod.tags.insert("Cost Center".into(), "Ops 42".into());
    prod.tags.insert("azlin_session".into(), "api".into());
    // From a specialised disk: no osProfile, so no admin user.
    let mut attached = EmuVm::new("attached", "rg");
    attached.os_profile = false;
    attached.power = "starting".into();
    attached.public_ip = Some("20.1.0.2".into());
    // A VMSS Flex member, stopping.
    let mut flex = EmuVm::new("flex0", "rg");
    flex.vmss_flex = true;
    flex.power = "stopping".into();
    flex.public_ip = Some("20.1.0.3".into());
    flex.private_ip = Some("10.1.0.3".into());
    // Deallocated: its dynamic public IP resource has no address.
    let mut parked = EmuVm::new("parked", "rg");
    parked.power = "deallocated".into();
    parked.public_ip = None;
    parked.public_ip_unassigned = true;
    parked.private_ip = Some("10.1.0.4".into());
    let mut going = EmuVm::new("going", "rg");
    going.power = "deallocating".into();
    going.public_ip = Some("20.1.0.5".into());
    going.admin = "ops".into();
    vec![prod, attached, flex, parked, going]
}

fn by_name(json: &str) -> BTreeMap<String, Value> {
    let rows: Vec<Value> = serde_json::from_str(json).unwrap();
    rows.into_iter()
        .map(|r| (r["hostname"].as_str().unwrap().to_string(), r))
        .collect()
}

#[test]
fn every_example_vm_lists_with_addresses_user_group_tags_label_and_power() {
    let (home, arm, az) = azure(odd_fleet(), 2);
    let rows = by_name(&ok(
        &home,
        &arm,
        &az,
        &["list", "--all", "--no-tmux", "--format", "json"],
    ));
    assert_eq!(rows.len(), 5, "{rows:#?}");
    let prod = &rows["prod1"];
    assert_eq!(prod["status"], "Running");
    assert_eq!(prod["public_ip"], "20.1.0.1");
    assert_eq!(
        prod["private_ip"], "10.1.0.1",
        "the IPv4 primary config, not IPv6"
    );
    assert_eq!(prod["ip"], "20.1.0.1");
    assert_eq!(prod["user"], "azureuser");
    assert_eq!(prod["resource_group"], "RG-Prod");
    assert_eq!(prod["subscription"], SUB);
    assert_eq!(prod["tags"]["Cost Center"], "Ops 42");
    assert_eq!(prod["vm_label"], "api");
    assert_eq!(prod["session_name"], "api");
    assert_eq!(prod["provider"], "azure");

    let attached = &rows["attached"];
    assert_eq!(attached["status"], "Starting");
    assert_eq!(
        attached["user"],
        Value::Null,
        "no osProfile, no default_user set"
    );
    assert_eq!(attached["ip"], "20.1.0.2");
    assert_eq!(rows["flex0"]["status"], "Stopping");
    assert_eq!(rows["flex0"]["private_ip"], "10.1.0.3");
    let parked = &rows["parked"];
    assert_eq!(parked["status"], "Deallocated");
    assert_eq!(parked["public_ip"], Value::Null);
    assert_eq!(parked["private_ip"], "10.1.0.4");
    assert_eq!(rows["going"]["status"], "Deallocating");
    assert_eq!(rows["going"]["user"], "ops");

    // The label set in Azure resolves; the tag with a space filters.
    let v: Value = serde_json::from_str(&ok(
        &home,
        &arm,
        &az,
        &["resolve", "api", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(v["vm"], "prod1");
    let tagged = by_name(&ok(
        &home,
        &arm,
        &az,
        &[
            "list",
            "--all",
            "--no-tmux",
            "--format",
            "json",
            "--tag",
            "Cost Center=Ops 42",
        ],
    ));
    assert_eq!(tagged.keys().collect::<Vec<_>>(), ["prod1"]);
    // Only running VMs without --all; each transitional state is itself, not Unknown.
    let running = by_name(&ok(
        &home,
        &arm,
        &az,
        &["list", "--no-tmux", "--format", "json"],
    ));
    assert_eq!(running.keys().collect::<Vec<_>>(), ["prod1"]);
    let table = ok(&home, &arm, &az, &["list", "--all", "--no-tmux"]);
    for state in ["Starting", "Stopping", "Deallocating", "Deallocated"] {
        assert!(table.contains(state), "{state} missing:\n{table}");
    }
    assert!(!table.contains("Unknown"), "{table}");
}

#[test]
fn requests_follow_the_documented_forms_and_grow_with_pages_only() {
    let (home, arm, az) = azure(odd_fleet(), 2);
    ok(&home, &arm, &az, &["resolve", "prod1", "--refresh"]);
    let seen = arm.seen();
    assert!(seen.iter().all(|s| s.status == 200), "{seen:#?}");
    // Absolute nextLinks, Compute's with %24skiptoken, Network's with $skipToken.
    assert!(
        seen.iter()
            .any(|s| s.target.contains("virtualMachines?") && s.target.contains("%24skiptoken="))
    );
    assert!(
        seen.iter()
            .any(|s| s.target.contains("networkInterfaces?") && s.target.contains("$skipToken="))
    );
    assert!(
        seen.iter().all(|s| !s.target.contains("$expand")),
        "{seen:#?}"
    );
    // 5 VMs at 2 a page: 3 pages of models, 3 of power states; 1 + 3 of NICs (the first
    // empty; the primary NICs and one secondary: 6 NICs); 3 of public IPs (5 of them,
    // one without an address).
    assert_eq!(seen.len(), 3 + 3 + 4 + 3, "{seen:#?}");
}

#[test]
fn the_emulator_refuses_what_azure_refuses() {
    let arm = Arm::start(vec![EmuVm::new("a", "rg")], 10);
    let vms = format!("/subscriptions/{SUB}/providers/Microsoft.Compute/virtualMachines");
    let rg_vms = format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines"
    );
    let (code, body) = arm.raw(
        "GET",
        &format!("{vms}?api-version=2024-07-01&$expand=instanceView"),
        "",
    );
    assert_eq!(code, 400, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("$filter"),
        "{body}"
    );
    let (code, body) = arm.raw("GET", &format!("{vms}?api-version=2099-01-01"), "");
    assert_eq!(code, 400, "{body}");
    assert_eq!(body["error"]["code"], "NoRegisteredProviderFound");
    // statusOnly belongs to ListAll, not to a resource group's List.
    let (code, _) = arm.raw(
        "GET",
        &format!("{rg_vms}?api-version=2024-07-01&statusOnly=true"),
        "",
    );
    assert_eq!(code, 400);
    // statusOnly carries the instance view and no model.
    let (code, body) = arm.raw(
        "GET",
        &format!("{vms}?api-version=2024-07-01&statusOnly=true"),
        "",
    );
    assert_eq!(code, 200);
    let rec = &body["value"][0];
    assert!(
        rec["properties"]["instanceView"]["statuses"].is_array(),
        "{rec}"
    );
    for absent in ["networkProfile", "osProfile", "storageProfile"] {
        assert!(rec["properties"].get(absent).is_none(), "{rec}");
    }
    assert!(rec.get("tags").is_none(), "{rec}");
    // A plain list is the model, without an instance view.
    let (_, body) = arm.raw("GET", &format!("{vms}?api-version=2024-07-01"), "");
    assert!(body["value"][0]["properties"].get("instanceView").is_none());
    assert!(body["value"][0]["properties"]["networkProfile"].is_object());
    // The first NIC page is empty and still has a nextLink.
    let (_, body) = arm.raw(
        "GET",
        &format!("/subscriptions/{SUB}/providers/Microsoft.Network/networkInterfaces?api-version=2024-05-01"),
        "",
    );
    assert_eq!(body["value"], serde_json::json!([]));
    assert!(
        body["nextLink"]
            .as_str()
            .unwrap()
            .starts_with(&arm.endpoint),
        "{body}"
    );
    // An unknown page token and an unknown subscription.
    let (code, _) = arm.raw(
        "GET",
        &format!("{vms}?api-version=2024-07-01&%24skiptoken=zz"),
        "",
    );
    assert_eq!(code, 400);
    let (code, _) = arm.raw(
        "GET",
        "/subscriptions/11111111-1111-1111-1111-111111111111/providers/Microsoft.Compute/virtualMachines?api-version=2024-07-01",
        "",
    );
    assert_eq!(code, 404);
    // Resource Graph rejects malformed bodies and queries it cannot resolve.
    let graph = "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01";
    for bad in [
        "{not json",
        r#"{"subscriptions": ["x"]}"#,
        r#"{"query": "Resources | where type =~ 'microsoft.compute/virtualmachines' | project id", "subscriptions": "x"}"#,
        r#"{"query": "Resources | where type =~ 'microsoft.compute/virtualmachines' | project id", "options": {"$top": 5000}}"#,
        r#"{"query": "Resources | where type =~ 'microsoft.compute/virtualmachines' | project id, powerState"}"#,
        r#"{"query": "Resources | where type =~ 'microsoft.compute/virtualmachines' | project id, bogus"}"#,
    ] {
        let (code, body) = arm.raw("POST", graph, bad);
        assert_eq!(code, 400, "{bad}: {body}");
    }
    let (code, body) = arm.raw(
        "POST",
        graph,
        r#"{"query": "Resources | where type =~ 'microsoft.compute/virtualmachines' | project id, name, powerState = tostring(properties.extended.instanceView.powerState.code)"}"#,
    );
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["data"][0]["powerState"], "PowerState/running");
    assert_eq!(body["totalRecords"], 1);
}
