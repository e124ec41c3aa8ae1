//! `azlin resolve`: the resolution algorithm as users reach it.

use predicates::str::contains;

use crate::support::Home;

/// The guides' fleet: `myvm` (sessions main, dev, staging), `prodvm` (main, api).
fn guide_fleet() -> Home {
    let home = Home::new();
    home.ok(&[
        "host",
        "add",
        "myvm",
        "--address",
        "10.0.0.1",
        "--user",
        "alice",
    ]);
    home.ok(&[
        "host",
        "add",
        "prodvm",
        "--address",
        "10.0.0.2",
        "--port",
        "2222",
        "--label",
        "production",
    ]);
    home.write(
        "cache/sessions.json",
        r#"{"version":1,"vms":{
            "myvm":{"probed_at":1,"sessions":[{"name":"main"},{"name":"dev","windows":2},{"name":"staging"}]},
            "prodvm":{"probed_at":1,"sessions":[{"name":"main"},{"name":"api"}]}}}"#,
    );
    home
}

fn resolve_json(home: &Home, id: &str) -> serde_json::Value {
    serde_json::from_str(&home.ok(&["resolve", id, "--format", "json"])).unwrap()
}

#[test]
fn guide_examples_resolve_as_documented() {
    let home = guide_fleet();
    let cases = [
        ("myvm:main", "myvm:main"),
        ("dev", "myvm:dev"),
        ("myvm", "myvm:azlin"),
        ("production", "prodvm:azlin"),
        ("10.0.0.2", "prodvm:azlin"),
        ("prodvm--api", "prodvm:api"),
        (":staging", "myvm:staging"),
    ];
    for (id, want) in cases {
        assert_eq!(resolve_json(&home, id)["compound"], want, "{id}");
    }
    let v = resolve_json(&home, "prodvm:api");
    assert_eq!(v["address"], "10.0.0.2");
    assert_eq!(v["port"], 2222);
    assert_eq!(v["ssh_alias"], "prodvm--api");
    assert_eq!(v["session_known"], true);
    assert_eq!(resolve_json(&home, "myvm")["user"], "alice");

    home.azlin()
        .args(["resolve", "main"])
        .assert()
        .code(1)
        .stderr(contains("ambiguous"))
        .stderr(contains("\n  myvm:main"))
        .stderr(contains("\n  prodvm:main"));
}

#[test]
fn text_output_names_every_field() {
    let home = guide_fleet();
    let out = home.ok(&["resolve", "dev"]);
    for needle in [
        "myvm:dev",
        "session name",
        "10.0.0.1",
        "alice",
        "22",
        "myvm--dev",
        "2 windows",
    ] {
        assert!(out.contains(needle), "{needle} missing:\n{out}");
    }
}

#[test]
fn not_found_suggests_close_names() {
    let home = guide_fleet();
    home.azlin()
        .args(["resolve", "myvn"])
        .assert()
        .code(1)
        .stderr(contains("did you mean:\n  myvm"));
    home.azlin()
        .args(["resolve", "stagng"])
        .assert()
        .code(1)
        .stderr(contains("myvm:staging"));
}

#[test]
fn malformed_identifiers_exit_2_naming_the_rule() {
    let home = guide_fleet();
    for (id, needle) in [
        ("a:b:c", "more than one `:`"),
        ("", "empty"),
        (" myvm", "a space"),
        ("myvm:dev.1", "session name `dev.1`"),
    ] {
        home.azlin()
            .args(["resolve", id])
            .assert()
            .code(2)
            .stderr(contains(needle));
    }
}

#[test]
fn config_sets_the_default_session_and_warns_on_unknown_keys() {
    let home = guide_fleet();
    home.write(
        "config.toml",
        "default_session = \"main\"\nfavourite_colour = \"blue\"\n",
    );
    home.azlin()
        .args(["resolve", "myvm", "--format", "json"])
        .assert()
        .success()
        .stdout(contains("\"myvm:main\""))
        .stderr(contains("unknown key `favourite_colour`"));
    home.azlin()
        .args(["-q", "resolve", "myvm"])
        .assert()
        .success()
        .stderr("");
}

#[test]
fn malformed_config_names_the_file_and_line() {
    let home = guide_fleet();
    home.write("config.toml", "default_session = \"main\"\n[ssh_config\n");
    home.azlin()
        .args(["resolve", "myvm"])
        .assert()
        .code(1)
        .stderr(contains("config.toml"))
        .stderr(contains("line 2"));
}

#[test]
fn works_with_no_session_cache() {
    let home = Home::new();
    home.ok(&[
        "host",
        "add",
        "solo",
        "--address",
        "10.9.9.9",
        "--label",
        "proj",
    ]);
    assert_eq!(resolve_json(&home, "proj")["compound"], "solo:azlin");
    assert_eq!(resolve_json(&home, "10.9.9.9")["vm"], "solo");
}

#[test]
fn version_and_help() {
    let home = Home::new();
    home.azlin()
        .arg("--version")
        .assert()
        .success()
        .stdout(contains(env!("CARGO_PKG_VERSION")));
    home.azlin()
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("resolve"))
        .stdout(contains("host"));
}

/// Close names of several kinds are grouped, each saying which kind it is; far names are
/// never offered.
#[test]
fn suggestions_of_several_kinds_say_which_is_which() {
    let home = guide_fleet();
    home.ok(&["host", "add", "api1", "--address", "10.0.0.3"]);
    home.azlin()
        .args(["resolve", "api2"])
        .assert()
        .code(1)
        .stderr(contains(
            "did you mean a VM name or a session name?\n  api1        (VM name)\n  \
             prodvm:api  (session name)\n",
        ));
    home.azlin()
        .args(["resolve", "productiom"])
        .assert()
        .code(1)
        .stderr(contains("did you mean:\n  production\n"));
}

#[test]
fn a_session_the_cache_does_not_know_is_found_by_one_probe_as_connect_finds_it() {
    let home = Home::new();
    let fleet = crate::support::fleet::Fleet::start(&home, &["vm1", "vm2"]);
    fleet.vm("vm2").new_session("train", None);
    let v = resolve_json(&home, "train");
    assert_eq!(v["compound"], "vm2:train");
    assert_eq!(v["matched_by"], "session");
    assert_eq!(v["on_connect"], "attach");
    // What the probe found is recorded: the next run needs none.
    let cache = std::fs::read_to_string(home.azlin_home().join("cache/sessions.json")).unwrap();
    assert!(cache.contains("\"train\""), "{cache}");
}

#[test]
fn a_close_name_says_connect_refuses_it_as_connect_does() {
    let home = guide_fleet();
    let out = home.ok(&["resolve", "myvm:stagin"]);
    assert!(
        out.contains(
            "not seen yet; connect refuses: no session `stagin` on myvm; did you mean \
             `myvm:staging`?"
        ),
        "{out}"
    );
    assert_eq!(resolve_json(&home, "myvm:stagin")["on_connect"], "refuse");
    // A name far from any running session is created on connect.
    let out = home.ok(&["resolve", "myvm:feature-auth"]);
    assert!(out.contains("not seen yet; created on connect"), "{out}");
    assert_eq!(
        resolve_json(&home, "myvm:feature-auth")["on_connect"],
        "create"
    );
}
