//! The shipped plugins answer the plugin protocol: metadata, help, bad arguments.

use std::time::Duration;

use predicates::str::contains;

use crate::support::Home;

#[test]
fn shipped_plugins_describe_themselves() {
    let home = Home::new();
    home.install_shipped_plugins();
    let out = home
        .azlin()
        .args(["-v", "plugin", "list", "--json"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for name in ["health", "idle"] {
        let plugin = json["plugins"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} not listed: {json}"));
        assert!(
            plugin["description"].as_str().unwrap().len() > 10,
            "{plugin}"
        );
        assert_eq!(plugin["version"], env!("CARGO_PKG_VERSION"));
    }
    let warnings = json["warnings"].as_array().unwrap();
    assert!(
        !warnings
            .iter()
            .any(|w| w["message"].as_str().unwrap().contains("plugins/azlin-")),
        "{warnings:?}"
    );
}

#[test]
fn shipped_plugins_answer_help_and_refuse_bad_arguments() {
    let home = Home::new();
    home.install_shipped_plugins();
    home.azlin()
        .args(["help", "health"])
        .assert()
        .success()
        .stdout(contains("usage: azlin health"))
        .stdout(contains("--timeout"));
    home.azlin()
        .args(["idle", "--help"])
        .assert()
        .success()
        .stdout(contains("--older-than"))
        .stdout(contains("--kill"));
    home.azlin()
        .args(["health", "--timeout", "soon"])
        .assert()
        .code(2)
        .stderr(contains("--timeout"));
    home.azlin()
        .args(["idle", "--older-than", "3 fortnights"])
        .assert()
        .code(2)
        .stderr(contains("is not a duration"));
    // --kill never ends anything without a terminal to ask on, unless --yes.
    home.azlin()
        .args(["idle", "--kill"])
        .assert()
        .code(2)
        .stderr(contains("--yes"));
}
