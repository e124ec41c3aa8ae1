//! `azlin completions`: the committed scripts are what the binary generates, and bash
//! completes names from the caches.

use std::path::Path;

use crate::support::Home;

const SCRIPTS: [(&str, &str); 5] = [
    ("bash", "azlin.bash"),
    ("zsh", "_azlin"),
    ("fish", "azlin.fish"),
    ("powershell", "_azlin.ps1"),
    ("elvish", "azlin.elv"),
];

fn completions_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../completions"))
}

#[test]
fn committed_scripts_are_fresh() {
    let home = Home::new();
    for (shell, file) in SCRIPTS {
        let generated = home.ok(&["completions", shell]);
        let committed = std::fs::read_to_string(completions_dir().join(file)).unwrap_or_default();
        assert!(
            generated == committed,
            "completions/{file} is stale: regenerate it with `azlin completions {shell} > \
             completions/{file}` (see completions/README.md)"
        );
        assert!(generated.contains("connect"), "{shell}: {generated}");
    }
}

/// A home with two local hosts (one labelled) and a session cache naming sessions.
fn populated() -> Home {
    let home = Home::new();
    home.ok(&[
        "host",
        "add",
        "myvm",
        "--address",
        "10.0.0.5",
        "--label",
        "mylabel",
    ]);
    home.ok(&["host", "add", "other", "--address", "10.0.0.6"]);
    home.write(
        "cache/sessions.json",
        r#"{"version":1,"vms":{"myvm":{"probed_at":1,"sessions":[{"name":"dev"}]},
            "other":{"probed_at":1,"sessions":[{"name":"ci"}]}}}"#,
    );
    home
}

/// What bash offers for `line` (the last word being completed), with the committed script.
fn bash_complete(home: &Home, words: &[&str]) -> Vec<String> {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_azlin")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let script = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{}'; COMP_POINT=${{#COMP_LINE}}; \
         _azlin_names azlin '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        completions_dir().join("azlin.bash").display(),
        quoted.join(" "),
        words.len() - 1,
        words.join(" "),
        words[words.len() - 1],
        words[words.len() - 2],
    );
    let out = home
        .command("bash")
        .args(["--norc", "-c", &script])
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_vm_names_labels_and_sessions_from_the_cache() {
    let home = populated();
    let offered = bash_complete(&home, &["azlin", "connect", "my"]);
    for want in ["myvm", "mylabel", "myvm:dev", "myvm--dev"] {
        assert!(
            offered.iter().any(|o| o == want),
            "{want} not in {offered:?}"
        );
    }
    assert!(
        !offered.iter().any(|o| o.starts_with("other")),
        "{offered:?}"
    );
    let offered = bash_complete(&home, &["azlin", "exec", "oth"]);
    assert!(offered.contains(&"other:ci".to_string()), "{offered:?}");
}

#[test]
fn bash_completes_commands_and_flags_statically() {
    let home = populated();
    let offered = bash_complete(&home, &["azlin", "con"]);
    assert!(offered.contains(&"connect".to_string()), "{offered:?}");
    let offered = bash_complete(&home, &["azlin", "list", "--wi"]);
    assert!(offered.contains(&"--wide".to_string()), "{offered:?}");
}
