//! `azlin tag` and labels on Azure VMs (through the emulator's Tags API) and local hosts.

use std::collections::BTreeMap;

use crate::support::Home;
use crate::support::arm::{Arm, EmuVm, FakeAz, TagsAnswer, azure, ok, run};

#[test]
fn tag_round_trip_on_an_azure_vm_is_visible_in_azure() {
    let home = Home::new();
    let mut vm = EmuVm::new("web", "rg");
    vm.tags.insert("owner".into(), "ops".into());
    let arm = Arm::start(vec![vm, EmuVm::new("db", "rg")], 10);
    let az = FakeAz::install(&home.path().join("fake-bin"));

    assert_eq!(
        ok(&home, &arm, &az, &["tag", "list", "web"]),
        "Tags for web:\n  owner: ops\n"
    );
    let out = ok(
        &home,
        &arm,
        &az,
        &["tag", "add", "web", "team=backend", "env=dev"],
    );
    assert_eq!(
        out,
        "Tags for web:\n  env: dev\n  owner: ops\n  team: backend\n"
    );
    let want: BTreeMap<String, String> = [("env", "dev"), ("owner", "ops"), ("team", "backend")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(arm.tags_of("web"), want);
    let patch = arm
        .seen()
        .into_iter()
        .find(|s| s.method == "PATCH")
        .unwrap();
    assert!(
        patch.target.ends_with(
            "/virtualMachines/web/providers/Microsoft.Resources/tags/default?api-version=2021-04-01"
        ),
        "{}",
        patch.target
    );
    assert!(
        patch.body.contains("\"operation\":\"Merge\""),
        "{}",
        patch.body
    );

    // The change is in the cache: listing the tags costs no request.
    let before = arm.requests();
    let json = ok(
        &home,
        &arm,
        &az,
        &["tag", "list", "web", "--format", "json"],
    );
    assert_eq!(arm.requests(), before);
    let listed: BTreeMap<String, String> = serde_json::from_str(&json).unwrap();
    assert_eq!(listed, want);

    ok(&home, &arm, &az, &["tag", "remove", "web", "env", "owner"]);
    assert_eq!(
        arm.tags_of("web"),
        BTreeMap::from([("team".to_string(), "backend".to_string())])
    );
    assert!(arm.tags_of("db").is_empty(), "other VMs untouched");
    let delete = arm
        .seen()
        .into_iter()
        .rev()
        .find(|s| s.method == "PATCH")
        .unwrap();
    assert!(
        delete.body.contains("\"operation\":\"Delete\""),
        "{}",
        delete.body
    );

    // Bad input is refused before any request.
    let before = arm.requests();
    let (code, _, err) = run(&home, &arm, &az, &["tag", "add", "web", "novalue"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("KEY=VALUE"), "{err}");
    assert_eq!(arm.requests(), before);
    let (code, _, err) = run(&home, &arm, &az, &["tag", "list", "nosuch"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no VM named `nosuch`"), "{err}");
}

#[test]
fn label_tag_written_by_azlin_resolves_immediately() {
    let (home, arm, az) = azure(vec![EmuVm::new("gpu", "rg")], 10);
    // Written as a plain tag: a label set by any tool, not only `azlin session`, counts.
    ok(
        &home,
        &arm,
        &az,
        &["tag", "add", "gpu", "azlin_session=training"],
    );
    assert_eq!(
        arm.tags_of("gpu").get("azlin_session").map(String::as_str),
        Some("training")
    );
    // The listing (no cache yet) and the tag change share one token: one `az` call.
    assert_eq!(az.calls(), 1, "one token for the listing and the change");
    let v: serde_json::Value = serde_json::from_str(&ok(
        &home,
        &arm,
        &az,
        &["resolve", "training", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(v["vm"], "gpu");
    assert_eq!(v["matched_by"], "label");
}

#[test]
fn tags_of_local_hosts() {
    let home = Home::new();
    home.ok(&[
        "host",
        "add",
        "box",
        "--address",
        "10.0.0.7",
        "--tag",
        "a=1",
    ]);
    assert_eq!(home.ok(&["tag", "list", "box"]), "Tags for box:\n  a: 1\n");
    assert_eq!(
        home.ok(&["tag", "add", "box", "b=2"]),
        "Tags for box:\n  a: 1\n  b: 2\n"
    );
    assert_eq!(
        home.ok(&["tag", "remove", "box", "a"]),
        "Tags for box:\n  b: 2\n"
    );
    let hosts = std::fs::read_to_string(home.azlin_home().join("hosts.toml")).unwrap();
    assert!(hosts.contains("b = \"2\""), "{hosts}");
    assert!(!hosts.contains("a = \"1\""), "{hosts}");
}

#[test]
fn tag_names_as_azure_allows_them_round_trip_and_forbidden_ones_are_refused() {
    let (home, arm, az) = azure(vec![EmuVm::new("web", "rg")], 10);
    let out = ok(
        &home,
        &arm,
        &az,
        &["tag", "add", "web", "Cost Center=Ops 42", "Équipe=données"],
    );
    assert_eq!(
        out,
        "Tags for web:\n  Cost Center: Ops 42\n  Équipe: données\n"
    );
    assert_eq!(
        arm.tags_of("web").get("Cost Center").map(String::as_str),
        Some("Ops 42")
    );
    ok(&home, &arm, &az, &["tag", "remove", "web", "Cost Center"]);
    assert_eq!(
        arm.tags_of("web"),
        BTreeMap::from([("Équipe".to_string(), "données".to_string())])
    );
    let before = arm.requests();
    for bad in ["a/b=1", "50%=x", "x?=1", "<b>=1", "a&b=1", "back\\slash=1"] {
        let (code, _, err) = run(&home, &arm, &az, &["tag", "add", "web", bad]);
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains("< > % & \\ ? /"), "{bad}: {err}");
    }
    let (code, _, err) = run(&home, &arm, &az, &["tag", "remove", "web", "a/b"]);
    assert_eq!(code, 2, "{err}");
    let long = format!("{}=1", "k".repeat(513));
    let (code, _, _) = run(&home, &arm, &az, &["tag", "add", "web", &long]);
    assert_eq!(code, 2);
    assert_eq!(arm.requests(), before, "refused before any request");
}

/// Later Tags API versions answer 202 with no body, and the published UpdateAtScope
/// example answers `{"properties":{}}`: neither may write `{}` over the cache.
#[test]
fn accepted_or_empty_answers_of_the_tags_api_never_empty_the_cache() {
    for answer in [TagsAnswer::Accepted, TagsAnswer::EmptyProperties] {
        let home = Home::new();
        let mut vm = EmuVm::new("web", "rg");
        vm.tags.insert("owner".into(), "ops".into());
        let arm = Arm::start(vec![vm], 10);
        arm.state.lock().unwrap().tags_answer = answer;
        let az = FakeAz::install(&home.path().join("fake-bin"));
        ok(&home, &arm, &az, &["tag", "list", "web"]);
        // Set in the portal since the listing: azlin must not lose it either.
        arm.set_tag_outside("web", "Cost Center", "42");
        let out = ok(&home, &arm, &az, &["tag", "add", "web", "team=backend"]);
        assert_eq!(
            out, "Tags for web:\n  Cost Center: 42\n  owner: ops\n  team: backend\n",
            "{answer:?}"
        );
        let read_back = arm
            .seen()
            .into_iter()
            .rev()
            .find(|s| s.method == "GET" && s.target.contains("/tags/default"));
        assert!(read_back.is_some(), "{answer:?}: the tags were read back");
        // A 202 is followed to its end (the emulator applies it on the second poll)
        // before the tags are read back.
        let polls = arm
            .seen()
            .iter()
            .filter(|s| {
                s.target
                    .contains("/providers/Microsoft.Resources/operations/")
            })
            .count();
        assert_eq!(polls, if answer == TagsAnswer::Accepted { 2 } else { 0 });
        let before = arm.requests();
        let cached = ok(&home, &arm, &az, &["tag", "list", "web"]);
        assert_eq!(arm.requests(), before, "from the cache");
        assert_eq!(cached, out, "{answer:?}: the cache holds what Azure holds");

        ok(&home, &arm, &az, &["session", "web", "frontend"]);
        assert_eq!(
            arm.tags_of("web").get("azlin_session").map(String::as_str),
            Some("frontend")
        );
        let v: serde_json::Value = serde_json::from_str(&ok(
            &home,
            &arm,
            &az,
            &["resolve", "frontend", "--format", "json"],
        ))
        .unwrap();
        assert_eq!(v["vm"], "web", "{answer:?}");
        ok(&home, &arm, &az, &["session", "web", "--clear"]);
        assert!(!arm.tags_of("web").contains_key("azlin_session"));
        assert_eq!(ok(&home, &arm, &az, &["tag", "list", "web"]), out);
    }
}
