//! The ARM client under trouble: throttling, server errors, timeouts, dropped
//! connections, expired tokens, and no credential at all. No token ever reaches the output
//! (every run through `support::arm::run` checks).

use std::time::Duration;

use crate::support::arm::{Arm, EmuVm, FakeAz, Fault, azlin_azure, azure, ok, run};
use crate::support::{Home, assert_success};

fn setup() -> (Home, Arm, FakeAz) {
    azure(vec![EmuVm::new("one", "rg"), EmuVm::new("two", "rg")], 1)
}

#[test]
fn throttling_and_server_errors_are_retried() {
    let (home, arm, az) = setup();
    arm.inject([
        Fault::Status(429, Some(1)),
        Fault::Status(500, None),
        Fault::Status(503, None),
    ]);
    let v = ok(&home, &arm, &az, &["resolve", "two", "--format", "json"]);
    assert!(v.contains("\"vm\": \"two\""), "{v}");
    let seen = arm.seen();
    assert_eq!(seen.iter().filter(|s| s.status == 429).count(), 1);
    assert_eq!(seen.iter().filter(|s| s.status >= 500).count(), 2);
    // 2 pages each of VM models, power states and public IPs, 3 of NICs (the first
    // empty), plus the 3 failed attempts.
    assert_eq!(seen.len(), 9 + 3);
}

#[test]
fn timeouts_and_dropped_connections_are_retried() {
    let (home, arm, az) = setup();
    arm.inject([Fault::Delay(Duration::from_secs(5)), Fault::Drop]);
    let out = azlin_azure(&home, &arm, &az)
        .env("AZLIN_ARM_TIMEOUT", "1")
        .args(["resolve", "one"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert_success(&out);
}

#[test]
fn failure_after_retries_names_the_request_and_status() {
    let (home, arm, az) = setup();
    arm.inject((0..40).map(|_| Fault::Status(500, Some(0))));
    let (code, _, err) = run(&home, &arm, &az, &["resolve", "one"]);
    assert_eq!(code, 1);
    assert!(err.contains("status 500"), "{err}");
    assert!(err.contains("gave up after 5 attempts"), "{err}");
    assert!(err.contains("/subscriptions/"), "{err}");
    assert!(err.contains("GET "), "{err}");
    arm.state.lock().unwrap().faults.clear();
    let (code, _, err) = run(
        &home,
        &arm,
        &az,
        &["--subscription", "0000", "resolve", "one"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("status 404"), "{err}");
}

#[test]
fn an_expired_token_is_replaced_once() {
    let (home, arm, az) = setup();
    arm.state
        .lock()
        .unwrap()
        .expired
        .insert("SECRET-TOKEN-1".into());
    ok(&home, &arm, &az, &["resolve", "one"]);
    assert_eq!(az.calls(), 2, "one token, found expired, then a fresh one");
    let seen = arm.seen();
    assert!(seen.iter().any(|s| s.status == 401));
    // The CLI was asked for a token of the endpoint's scope, in /bin (absolute PATH).
    let calls = std::fs::read_to_string(az.dir.join("calls")).unwrap();
    assert!(
        calls.contains(&format!("--scope {}/.default", arm.endpoint)),
        "{calls}"
    );
}

#[test]
fn all_credentials_failing_lists_each_attempt() {
    let (home, arm, az) = setup();
    az.fail();
    let (code, _, err) = run(&home, &arm, &az, &["-v", "resolve", "one"]);
    assert_eq!(code, 1, "{err}");
    for needle in [
        "no Azure credential gave a token",
        "service principal",
        "AZURE_CLIENT_SECRET",
        "workload identity",
        "managed identity",
        "Azure CLI (az): ERROR: Please run 'az login'",
        "Azure Developer CLI (azd)",
        "az login",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
    assert_eq!(arm.requests(), 0);
    assert_eq!(
        az.calls(),
        1,
        "a failed chain is not run again by concurrent requests"
    );
}

#[test]
fn verbose_output_shows_the_cost_but_no_token() {
    let (home, arm, az) = setup();
    let (code, _, err) = run(&home, &arm, &az, &["-v", "resolve", "one"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("9 requests"), "{err}");
    assert_eq!(
        err.lines()
            .filter(|l| l.starts_with("http: GET ") && l.contains("-> 200"))
            .count(),
        9,
        "{err}"
    );
    assert!(err.contains("Azure CLI"), "{err}");
}

#[test]
fn an_older_listing_stands_in_when_azure_fails() {
    let (home, arm, az) = setup();
    ok(&home, &arm, &az, &["resolve", "one"]);
    home.write("config.toml", "[azure]\ncache_ttl = 0\n");
    az.fail();
    let (code, out, err) = run(&home, &arm, &az, &["resolve", "one", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"vm\": \"one\""), "{out}");
    assert!(
        err.contains("warning: no Azure credential gave a token"),
        "{err}"
    );
    assert!(
        err.contains("using the Azure listing from 0 minutes ago"),
        "{err}"
    );
    // A miss does not try Azure again in the same run: one failed login, then not found.
    let calls = az.calls();
    let (code, _, err) = run(&home, &arm, &az, &["resolve", "nosuch"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(az.calls(), calls + 1);
    // An explicit --refresh does not fall back.
    let (code, _, err) = run(&home, &arm, &az, &["resolve", "one", "--refresh"]);
    assert_eq!(code, 1, "{err}");
}

#[test]
fn a_logged_out_cli_profile_does_not_break_the_local_inventory() {
    let (home, arm, az) = setup();
    az.fail();
    crate::support::arm::write_cli_profile(&home);
    home.ok(&["host", "add", "box", "--address", "10.0.0.1"]);
    let out = azlin_azure(&home, &arm, &az)
        .env_remove("AZURE_SUBSCRIPTION_ID")
        .args(["resolve", "box"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_success(&out);
    assert!(err.contains("Azure VMs are left out"), "{err}");
    // The same failure with an explicit subscription is an error.
    let (code, _, err) = run(&home, &arm, &az, &["resolve", "box"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("az login"), "{err}");
}

#[test]
fn a_failing_service_principal_is_listed_without_its_secret() {
    let (home, arm, az) = setup();
    az.fail();
    // Nothing listens on port 9: the token request fails fast and the chain moves on.
    let out = azlin_azure(&home, &arm, &az)
        .env("AZURE_TENANT_ID", "00000000-0000-0000-0000-000000000001")
        .env("AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000002")
        .env("AZURE_CLIENT_SECRET", "SECRET-TOKEN-client-secret")
        .env("AZURE_AUTHORITY_HOST", "https://127.0.0.1:9")
        .args(["-vv", "resolve", "one"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("SECRET-TOKEN"), "{err}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("SECRET-TOKEN"));
    // -v shows the token request itself (method, URL, outcome, time), never its body.
    assert!(
        err.lines()
            .any(|l| l.starts_with("http: POST https://127.0.0.1:9/") && l.ends_with(" ms)")),
        "{err}"
    );
    let sp = err
        .lines()
        .find(|l| l.contains("service principal"))
        .unwrap_or_default();
    assert!(
        !sp.contains("not configured"),
        "the service principal was tried: {err}"
    );
    assert!(err.contains("Azure CLI (az)"), "{err}");
}

/// `list` when Azure fails: exit 1 with the cause and the fix (or an older listing with a
/// warning saying how old), so that a script tells "no VMs" from "Azure failed".
#[test]
fn a_failed_listing_is_never_silent() {
    let (home, arm, az) = setup();
    home.ok(&["host", "add", "box", "--address", "10.0.0.1"]);
    let list = ["list", "--no-tmux", "--format", "json"];

    // A logged-out `az` with the subscription from its profile: local rows, exit 1.
    az.fail();
    crate::support::arm::write_cli_profile(&home);
    let out = azlin_azure(&home, &arm, &az)
        .env_remove("AZURE_SUBSCRIPTION_ID")
        .args(list)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("az login"), "{err}");
    assert!(err.contains("could not be listed"), "{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 1, "the local host is still listed");
    // The same with an explicit subscription.
    let (code, out, err) = run(&home, &arm, &az, &list);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("az login"), "{err}");

    // No `az` at all: the chain says what it tried and how to sign in.
    let out = home
        .azlin()
        .env("PATH", "/usr/bin:/bin")
        .env("AZLIN_ARM_ENDPOINT", &arm.endpoint)
        .env("AZURE_SUBSCRIPTION_ID", crate::support::arm::SUB)
        .env("AZLIN_MANAGED_IDENTITY", "off")
        .args(list)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("Azure CLI (az)"), "{err}");
    assert!(err.contains("az login"), "{err}");
    assert_eq!(arm.requests(), 0);
}

#[test]
fn a_400_and_a_5xx_name_the_request_and_the_fix_and_a_cache_stands_in_with_its_age() {
    let (home, arm, az) = setup();
    let list = ["list", "--no-tmux", "--format", "json"];
    // A 400 is not retried: azlin sent something Azure refuses.
    arm.inject([Fault::Status(400, None)]);
    let (code, out, err) = run(&home, &arm, &az, &list);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("status 400"), "{err}");
    assert!(err.contains("report it as an azlin bug"), "{err}");
    arm.state.lock().unwrap().faults.clear();
    // 5xx after every retry.
    arm.inject((0..40).map(|_| Fault::Status(503, Some(0))));
    let (code, _, err) = run(&home, &arm, &az, &list);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("status 503"), "{err}");
    assert!(err.contains("Azure is failing: run again later"), "{err}");
    arm.state.lock().unwrap().faults.clear();

    // With a listing cached, an expired cache stands in with a warning saying how old.
    let rows = ok(&home, &arm, &az, &list);
    home.write("config.toml", "[azure]\ncache_ttl = 0\n");
    arm.inject((0..40).map(|_| Fault::Status(500, Some(0))));
    let (code, out, err) = run(&home, &arm, &az, &list);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, rows);
    assert!(err.contains("status 500"), "{err}");
    assert!(
        err.contains("using the Azure listing from 0 minutes ago"),
        "{err}"
    );
    // --refresh never falls back.
    arm.inject((0..40).map(|_| Fault::Status(500, Some(0))));
    let (code, _, err) = run(&home, &arm, &az, &["list", "--no-tmux", "--refresh"]);
    assert_eq!(code, 1, "{err}");
    arm.state.lock().unwrap().faults.clear();
    // No VMs at all is an empty array and exit 0: not a failure.
    let empty = Arm::start(vec![], 10);
    let (code, out, err) = run(
        &home,
        &empty,
        &az,
        &["list", "--no-tmux", "--format", "json", "--refresh"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "[]");
}

#[test]
fn without_a_subscription_list_says_azure_is_off_and_how_to_turn_it_on() {
    let home = Home::new();
    let out = home.azlin().args(["list", "--no-tmux"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    for needle in [
        "Azure is off",
        "az login",
        "--subscription",
        "AZURE_SUBSCRIPTION_ID",
        "azlin host add NAME --address ADDR",
    ] {
        assert!(err.contains(needle), "missing {needle:?}:\n{err}");
    }
    // With a host of its own and no -v, the listing is not cluttered.
    home.ok(&["host", "add", "box", "--address", "10.0.0.1"]);
    let out = home.azlin().args(["list", "--no-tmux"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("Azure is off"));
}
