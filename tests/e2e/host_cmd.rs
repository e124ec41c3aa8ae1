//! `azlin host add|list|remove`.

use predicates::prelude::*;
use predicates::str::contains;

use crate::support::Home;

#[test]
fn add_list_remove_round_trip() {
    let home = Home::new();
    home.ok(&[
        "host",
        "add",
        "devbox",
        "--address",
        "10.0.0.4",
        "--port",
        "2222",
        "--user",
        "alice",
        "--identity-file",
        "/keys/id",
        "--proxy-jump",
        "ops@bastion",
        "--label",
        "api",
        "--tag",
        "team=backend",
        "--tag",
        "env=dev",
    ]);
    home.ok(&["host", "add", "other", "--address", "other.example.com"]);
    let table = home.ok(&["host", "list"]);
    assert!(table.starts_with("NAME"), "{table}");
    assert!(table.contains("devbox  10.0.0.4"), "{table}");
    let json: serde_json::Value =
        serde_json::from_str(&home.ok(&["host", "list", "--format", "json"])).unwrap();
    let devbox = &json[0];
    assert_eq!(devbox["name"], "devbox");
    assert_eq!(devbox["port"], 2222);
    assert_eq!(devbox["user"], "alice");
    assert_eq!(devbox["proxy_jump"], "ops@bastion");
    assert_eq!(devbox["label"], "api");
    assert_eq!(devbox["tags"]["team"], "backend");
    assert_eq!(json[1]["port"], 22);

    home.ok(&["host", "remove", "devbox"]);
    let json: serde_json::Value =
        serde_json::from_str(&home.ok(&["host", "list", "--format", "json"])).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    home.azlin()
        .args(["host", "remove", "devbox"])
        .assert()
        .code(1)
        .stderr(contains("no host named `devbox`"));
}

#[test]
fn bad_input_exits_2_naming_input_and_rule_and_keeps_what_is_stored() {
    let home = Home::new();
    home.ok(&["host", "add", "keep", "--address", "10.0.0.1"]);
    let before = std::fs::read(home.azlin_home().join("hosts.toml")).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["host", "add", "keep", "--address", "10.0.0.2"],
            "already registered",
        ),
        (
            &["host", "add", "bad name", "--address", "10.0.0.2"],
            "`bad name` contains a space",
        ),
        (
            &["host", "add", "-x", "--address", "10.0.0.2"],
            "unexpected argument",
        ),
        (&["host", "add", "x:y", "--address", "10.0.0.2"], "`:`"),
        (
            &["host", "add", "ok", "--address", "not an address"],
            "neither an IP address",
        ),
        (
            &["host", "add", "ok", "--address=-oProxyCommand=x"],
            "starts with `-`",
        ),
        (
            &["host", "add", "ok", "--address", "1.2.3.4", "--port", "0"],
            "port 0",
        ),
        (
            &[
                "host",
                "add",
                "ok",
                "--address",
                "1.2.3.4",
                "--port",
                "70000",
            ],
            "70000",
        ),
        (
            &["host", "add", "ok", "--address", "1.2.3.4", "--user", "a b"],
            "login name",
        ),
        (
            &[
                "host",
                "add",
                "ok",
                "--address",
                "1.2.3.4",
                "--label",
                "a:b",
            ],
            "label `a:b`",
        ),
        (
            &[
                "host",
                "add",
                "ok",
                "--address",
                "1.2.3.4",
                "--tag",
                "novalue",
            ],
            "KEY=VALUE",
        ),
        (
            &[
                "host",
                "add",
                "ok",
                "--address",
                "1.2.3.4",
                "--proxy-jump",
                "a b",
            ],
            "jump",
        ),
    ];
    for (args, needle) in cases {
        home.azlin()
            .args(*args)
            .assert()
            .code(2)
            .stderr(contains(*needle).and(contains("error:")));
    }
    assert_eq!(
        std::fs::read(home.azlin_home().join("hosts.toml")).unwrap(),
        before
    );
}

#[test]
fn corrupt_hosts_file_is_a_clear_error_and_left_untouched() {
    let home = Home::new();
    let corrupt = "[hosts.a]\naddress = \"10.0.0.1\"\n[hosts.b\naddress = 3\n";
    home.write("hosts.toml", corrupt);
    for args in [
        &["host", "list"][..],
        &["host", "add", "c", "--address", "10.0.0.3"],
        &["host", "remove", "a"],
        &["resolve", "a"],
    ] {
        home.azlin()
            .args(args)
            .assert()
            .code(1)
            .stderr(contains("hosts.toml is corrupt").and(contains("line 3")));
    }
    let after = std::fs::read_to_string(home.azlin_home().join("hosts.toml")).unwrap();
    assert_eq!(after, corrupt);
}

#[test]
fn hosts_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new();
    home.ok(&["host", "add", "a", "--address", "10.0.0.1"]);
    let mode = std::fs::metadata(home.azlin_home().join("hosts.toml"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn empty_inventory_lists_a_hint() {
    let home = Home::new();
    home.azlin()
        .args(["host", "list"])
        .assert()
        .success()
        .stderr(contains("azlin host add"));
}
