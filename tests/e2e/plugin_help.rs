//! Help for plugins, "did you mean", and `plugin list` with metadata.

use std::time::Duration;

use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

use crate::support::{Home, assert_success};

const HELPFUL: &str = "case \"$1\" in\n\
  --help) echo \"usage: azlin greet NAME (help from the plugin)\" ;;\n\
  --azlin-plugin-metadata) echo '{\"schema_version\": 1, \"description\": \"Says hello\", \"version\": \"2.5\"}' ;;\n\
  *) echo \"hello $1\" ;;\n\
esac";

#[test]
fn help_foo_and_foo_help_run_the_plugins_help() {
    let home = Home::new();
    home.plugin("greet", HELPFUL);
    for args in [
        &["help", "greet"][..],
        &["greet", "--help"][..],
        &["plugin", "exec", "greet", "--help"][..],
    ] {
        home.azlin()
            .args(args)
            .assert()
            .success()
            .stdout("usage: azlin greet NAME (help from the plugin)\n");
    }
    // Built-ins keep their own help.
    home.azlin()
        .args(["help", "host", "add"])
        .assert()
        .success()
        .stdout(contains("Usage: azlin host add"));
    home.azlin()
        .args(["help", "nosuch"])
        .assert()
        .code(1)
        .stderr(contains("unknown command `nosuch`"));
}

#[test]
fn azlin_help_lists_plugins_under_their_own_heading() {
    let home = Home::new();
    let path = home.plugin("greet", HELPFUL);
    for args in [
        &["--help"][..],
        &["-h"][..],
        &["help"][..],
        &["-q", "--help"][..],
    ] {
        let out = home.azlin().args(args).output().unwrap();
        assert_success(&out);
        let text = String::from_utf8(out.stdout).unwrap();
        let section = text
            .split_once("Plugins")
            .unwrap_or_else(|| panic!("{args:?}: no Plugins heading in\n{text}"))
            .1;
        assert!(section.contains("greet"), "{text}");
        assert!(section.contains(&path.display().to_string()), "{text}");
    }
    // A built-in's help does not list plugins.
    home.azlin()
        .args(["host", "--help"])
        .assert()
        .success()
        .stdout(contains("greet").not());
}

#[test]
fn unknown_commands_suggest_built_ins_and_plugins() {
    let home = Home::new();
    home.plugin("greet", HELPFUL);
    home.azlin()
        .arg("hots")
        .assert()
        .code(1)
        .stdout("")
        .stderr(contains("unknown command `hots`"))
        .stderr(contains("did you mean:\n  host\n"))
        .stderr(contains("azlin plugin list"));
    home.azlin()
        .args(["gret", "x"])
        .assert()
        .code(1)
        .stderr(contains("did you mean:\n  greet\n"));
    home.azlin()
        .arg("zzzzzzzzzz")
        .assert()
        .code(1)
        .stderr(contains("did you mean").not())
        .stderr(contains("azlin plugin list"));
}

#[test]
fn list_verbose_shows_metadata_and_caches_it() {
    let home = Home::new();
    let count = home.path().join("asked");
    home.plugin(
        "greet",
        &format!(
            "[ \"$1\" = --azlin-plugin-metadata ] && echo x >> '{}'\n{HELPFUL}",
            count.display()
        ),
    );
    let list = || {
        home.azlin()
            .env("PATH", "/nonexistent")
            .args(["-v", "plugin", "list"])
            .timeout(Duration::from_secs(60))
            .assert()
            .success()
            .stdout(contains("Says hello"))
            .stdout(contains("2.5"))
    };
    list();
    list();
    let asked = std::fs::read_to_string(&count).unwrap();
    assert_eq!(asked.lines().count(), 1, "metadata was not cached");
    assert!(
        home.azlin_home()
            .join("cache/plugin-metadata.json")
            .exists()
    );
    // Without -v nothing runs.
    std::fs::remove_file(&count).unwrap();
    home.azlin()
        .env("PATH", "/nonexistent")
        .args(["plugin", "list", "--json"])
        .assert()
        .success();
    assert!(!count.exists());
}

#[test]
fn a_hanging_or_garbled_metadata_handler_gets_a_warning_not_a_hang() {
    let home = Home::new();
    home.plugin(
        "hang",
        "[ \"$1\" = --azlin-plugin-metadata ] && exec sleep 600\necho ok",
    );
    let garbled = home.plugin("garble", "echo 'this is not json'");
    home.plugin("greet", HELPFUL);
    let out = home
        .azlin()
        .env("PATH", "/usr/bin:/bin")
        .args(["plugin", "list", "--json", "-v"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("plugin `hang`"), "{stderr}");
    assert!(stderr.contains("no answer"), "{stderr}");
    assert!(stderr.contains(&garbled.display().to_string()), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<&str> = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["metadata", "metadata"], "{json}");
    let greet = json["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "greet")
        .unwrap();
    assert_eq!(greet["description"], "Says hello");
    assert_eq!(greet["version"], "2.5");
}
