//! `azlin completions`: the committed scripts are what the binary generates, and real
//! bash, zsh, fish and elvish complete names from the caches (hosts.toml, the session cache and
//! the Azure listing cache), plugin names, and a plugin's arguments through its
//! `azlin_complete-NAME`.

use std::path::Path;
use std::time::Duration;

use crate::support::plugin::script;
use crate::support::terminal::Terminal;
use crate::support::{Home, assert_success};

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

/// A home with two local hosts (one labelled), a session cache naming sessions, an Azure
/// listing cache (one VM labelled by its tag), and plugin `foo` with its completer.
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
    // An old listing of another scope: completion uses it anyway, and never the network
    // (no ARM endpoint or credential exists in this home).
    home.write(
        "cache/azure.json",
        r#"{"version":1,"endpoint":"https://management.azure.com","subscription":"s",
            "resource_group":null,"fetched_at":1,"vms":[
            {"name":"myazure","arm_id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/myazure",
             "power":"running","public_ip":"20.1.2.3","tags":{"azlin_session":"myazlabel"}},
            {"name":"zeta","arm_id":"/z","power":"deallocated"}]}"#,
    );
    home.plugin("foo", "echo foo ran");
    // The completer sees `-- WORD…` (the words after `azlin foo`) and the plugin contract.
    script(
        &home.plugin_dir(),
        "azlin_complete-foo",
        r#"[ "$1" = "--" ] || exit 2
shift
[ "$AZLIN_PLUGIN_NAME" = foo ] || exit 3
prev=; cur=; for w in "$@"; do prev=$cur; cur=$w; done
case "$prev" in
  --region) printf '%s\n' westeurope westus eastus ;;
  *) printf '%s\n' start stop status --region ;;
esac"#,
    );
    home
}

/// `PATH` with the azlin under test first: the scripts call `azlin __complete`.
fn path_with_azlin() -> String {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_azlin")).parent().unwrap();
    format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Fails with how to install `shell` when it is missing (`.ci/run` installs it).
fn require(shell: &str) {
    let found = std::process::Command::new(shell)
        .arg("-c")
        .arg("exit 0")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{shell} is needed for this test: install it (`apt-get install -y {shell}`; .ci/run does)"
    );
}

/// What the committed bash script offers with the cursor at the end of `line`, run as
/// readline would run it (COMP_LINE, COMP_POINT, COMP_WORDS, COMP_CWORD).
fn bash_complete(home: &Home, line: &str) -> Vec<String> {
    let script = format!(
        "source '{}'; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; \
         read -ra COMP_WORDS <<< \"$COMP_LINE\"; \
         [[ \"$COMP_LINE\" == *' ' ]] && COMP_WORDS+=(''); \
         COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
         _azlin_dynamic azlin \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        completions_dir().join("azlin.bash").display(),
    );
    shell_candidates(home, "bash", &["--norc", "--noprofile", "-c", &script])
}

/// What fish offers for `line` (`complete -C`), with the committed script sourced.
fn fish_complete(home: &Home, line: &str) -> Vec<String> {
    require("fish");
    let script = format!(
        "source '{}'; complete -C '{line}'",
        completions_dir().join("azlin.fish").display()
    );
    shell_candidates(home, "fish", &["--no-config", "-c", &script])
}

/// Runs `shell ARGS` with azlin on `PATH` and returns the candidates it printed, one per
/// line (fish prints `candidate<TAB>description`).
fn shell_candidates(home: &Home, shell: &str, args: &[&str]) -> Vec<String> {
    let out = home
        .command(shell)
        .args(args)
        .env("PATH", path_with_azlin())
        .output()
        .unwrap();
    assert_success(&out);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or("").to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// An interactive zsh in a real terminal with the committed `_azlin` on its `fpath`.
fn zsh(home: &Home) -> Terminal {
    require("zsh");
    let fpath = home.path().join("zfunc");
    std::fs::create_dir_all(&fpath).unwrap();
    std::fs::copy(completions_dir().join("_azlin"), fpath.join("_azlin")).unwrap();
    // PATH is set here: a login shell's profile may have reset the inherited one.
    std::fs::write(
        home.path().join(".zshrc"),
        format!(
            "path=({} $path)\nfpath=({} $fpath)\nautoload -U compinit && compinit -u -D\nPS1='zsh> '\n",
            Path::new(env!("CARGO_BIN_EXE_azlin"))
                .parent()
                .unwrap()
                .display(),
            fpath.display()
        ),
    )
    .unwrap();
    let dir = home.path().to_string_lossy().into_owned();
    let azlin_home = home.azlin_home().to_string_lossy().into_owned();
    let term = Terminal::run(
        "zsh -i",
        &[
            ("HOME", &dir),
            ("ZDOTDIR", &dir),
            ("AZLIN_HOME", &azlin_home),
            ("PATH", &path_with_azlin()),
        ],
    );
    assert!(
        term.wait_for(Duration::from_secs(30), || term.screen().contains("zsh>")),
        "zsh did not start:\n{}",
        term.screen()
    );
    term
}

/// Types `line` and TAB in `term`'s zsh, waits (up to a generous minute) until every
/// word of `wanted` is on the screen, and returns the screen.
fn zsh_tab(term: &Terminal, line: &str, wanted: &[&str]) -> String {
    term.send_keys(&["C-u", "clear", "Enter"]);
    tab(term, "zsh", line, wanted)
}

/// Types `line` and TAB in `term`, waits (up to a generous minute) until every word of
/// `wanted` is on the screen, and returns the screen.
fn tab(term: &Terminal, shell: &str, line: &str, wanted: &[&str]) -> String {
    term.send_keys(&["-l", line]);
    term.send_keys(&["Tab"]);
    let shown = |screen: &str| {
        let words: Vec<&str> = screen.split_whitespace().collect();
        wanted.iter().all(|w| words.contains(w))
    };
    term.wait_for(Duration::from_secs(60), || shown(&term.screen()));
    let screen = term.screen();
    assert!(
        shown(&screen),
        "{shell}: `{line}<TAB>` offered no {wanted:?}:\n{screen}"
    );
    screen
}

/// Starts an interactive elvish in a real terminal, loads the committed script, types
/// `line` and TAB, and returns the screen once every word of `wanted` is on it (up to a
/// generous minute). A fresh shell per line: elvish's completion mode keeps the line.
fn elvish_tab(home: &Home, line: &str, wanted: &[&str]) -> String {
    require("elvish");
    let dir = home.path().to_string_lossy().into_owned();
    let azlin_home = home.azlin_home().to_string_lossy().into_owned();
    let term = Terminal::run(
        "elvish -norc",
        &[("HOME", &dir), ("AZLIN_HOME", &azlin_home)],
    );
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_azlin")).parent().unwrap();
    // `paths` is elvish's PATH; a login profile may have reset the inherited one.
    let setup = format!(
        "set paths = [{} $@paths]; eval (slurp < {}); echo elvish-ready",
        bin_dir.display(),
        completions_dir().join("azlin.elv").display()
    );
    term.wait_for(Duration::from_secs(30), || !term.screen().trim().is_empty());
    term.send_keys(&["-l", &setup]);
    term.send_keys(&["Enter"]);
    assert!(
        term.wait_for(Duration::from_secs(30), || term
            .screen()
            .lines()
            .any(|l| l.trim() == "elvish-ready")),
        "elvish did not load the script:\n{}",
        term.screen()
    );
    tab(&term, "elvish", line, wanted)
}

const MY_NAMES: [&str; 6] = [
    "myvm",
    "mylabel",
    "myvm:dev",
    "myvm--dev",
    "myazure",
    "myazlabel",
];

fn assert_offers(shell: &str, offered: &[String], wanted: &[&str]) {
    for want in wanted {
        assert!(
            offered.iter().any(|o| o == want),
            "{shell}: {want} not in {offered:?}"
        );
    }
}

#[test]
fn bash_completes_names_from_local_and_azure_caches() {
    let home = populated();
    let offered = bash_complete(&home, "azlin connect my");
    assert_offers("bash", &offered, &MY_NAMES);
    assert!(
        !offered
            .iter()
            .any(|o| o.starts_with("other") || o == "zeta"),
        "{offered:?}"
    );
    let offered = bash_complete(&home, "azlin exec oth");
    assert!(offered.contains(&"other:ci".to_string()), "{offered:?}");
    // bash replaces only what follows the colon.
    let offered = bash_complete(&home, "azlin connect myvm:d");
    assert_eq!(offered, ["dev"]);
    // `ssh VM` takes VMs (and labels), no sessions.
    let offered = bash_complete(&home, "azlin ssh my");
    assert_offers("bash", &offered, &["myvm", "myazure", "mylabel"]);
    assert!(!offered.iter().any(|o| o.contains(':')), "{offered:?}");
}

#[test]
fn bash_completes_commands_flags_plugins_and_plugin_arguments() {
    let home = populated();
    let offered = bash_complete(&home, "azlin con");
    assert!(offered.contains(&"connect".to_string()), "{offered:?}");
    // The hidden `__complete` is never offered.
    let offered = bash_complete(&home, "azlin _");
    assert!(offered.is_empty(), "{offered:?}");
    let offered = bash_complete(&home, "azlin list --wi");
    assert!(offered.contains(&"--wide".to_string()), "{offered:?}");
    // Other plugins on the machine's PATH may show up too, but only those that match.
    let offered = bash_complete(&home, "azlin f");
    assert_offers("bash", &offered, &["foo"]);
    assert!(offered.iter().all(|o| o.starts_with('f')), "{offered:?}");
    let offered = bash_complete(&home, "azlin foo st");
    assert_eq!(offered, ["start", "stop", "status"]);
    let offered = bash_complete(&home, "azlin -v foo start --region we");
    assert_eq!(offered, ["westeurope", "westus"]);
    let offered = bash_complete(&home, "azlin help fo");
    assert_offers("bash", &offered, &["foo"]);
    assert!(offered.iter().all(|o| o.starts_with("fo")), "{offered:?}");
}

#[test]
fn fish_completes_names_plugins_and_plugin_arguments() {
    let home = populated();
    let offered = fish_complete(&home, "azlin connect my");
    assert_offers("fish", &offered, &MY_NAMES);
    assert!(
        !offered.iter().any(|o| o.starts_with("other")),
        "{offered:?}"
    );
    let offered = fish_complete(&home, "azlin connect myvm:");
    assert_eq!(offered, ["myvm:dev"]);
    let offered = fish_complete(&home, "azlin ");
    assert_offers("fish", &offered, &["connect", "list", "foo"]);
    assert!(!offered.iter().any(|o| o.starts_with("__")), "{offered:?}");
    // fish sorts what it offers.
    let offered = fish_complete(&home, "azlin foo --region ");
    assert_eq!(offered, ["eastus", "westeurope", "westus"]);
    let offered = fish_complete(&home, "azlin list --wi");
    assert_eq!(offered, ["--wide"]);
}

#[test]
fn zsh_completes_names_plugins_and_plugin_arguments_in_a_terminal() {
    let home = populated();
    let term = zsh(&home);
    let screen = zsh_tab(&term, "azlin connect my", &MY_NAMES);
    assert!(!screen.contains("other"), "{screen}");
    // One candidate: zsh puts it on the command line.
    zsh_tab(&term, "azlin connect myvm:", &["myvm:dev"]);
    let screen = zsh_tab(&term, "azlin ", &["connect", "list", "foo"]);
    assert!(!screen.contains("__complete"), "{screen}");
    zsh_tab(&term, "azlin foo ", &["start", "stop", "status"]);
    zsh_tab(
        &term,
        "azlin foo --region ",
        &["westeurope", "westus", "eastus"],
    );
    zsh_tab(&term, "azlin list --wi", &["--wide"]);
}

#[test]
fn elvish_completes_names_plugins_and_plugin_arguments_in_a_terminal() {
    let home = populated();
    let screen = elvish_tab(&home, "azlin connect my", &MY_NAMES);
    assert!(!screen.contains("other"), "{screen}");
    elvish_tab(&home, "azlin connect myvm:", &["myvm:dev"]);
    elvish_tab(&home, "azlin f", &["foo"]);
    elvish_tab(&home, "azlin foo ", &["start", "stop", "status"]);
    elvish_tab(&home, "azlin list --wi", &["--wide"]);
}

#[test]
fn complete_answers_from_files_only_and_defers_elsewhere() {
    let home = populated();
    // An ARM endpoint that nobody listens on: completion must not try it.
    let out = home
        .azlin()
        .args(["__complete", "--", "connect", "mya"])
        .env("AZLIN_ARM_ENDPOINT", "http://127.0.0.1:9")
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "replace\nmyazlabel\nmyazure\n"
    );
    // Flags, option values and words after `--` are the static script's.
    for words in [
        &["list", "--"][..],
        &["connect", "--timeout", ""],
        &["connect", "myvm", "--", "l"],
    ] {
        let out = home
            .azlin()
            .arg("__complete")
            .arg("--")
            .args(words)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{words:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{words:?}: {out:?}");
    }
}

#[test]
fn a_completer_that_fails_or_hangs_leaves_completion_to_the_shell() {
    let home = Home::new();
    home.plugin("bad", "exit 0");
    script(
        &home.plugin_dir(),
        "azlin_complete-bad",
        "echo never-offered; exit 3",
    );
    // Past the 2 s limit it is stopped: what it prints afterwards is never offered.
    home.plugin("slow", "exit 0");
    script(
        &home.plugin_dir(),
        "azlin_complete-slow",
        "sleep 10; echo too-late",
    );
    // A completer with no plugin next to it speaks for nothing.
    script(
        &home.plugin_dir(),
        "azlin_complete-orphan",
        "echo orphan-arg",
    );
    for plugin in ["bad", "slow", "orphan"] {
        let out = home
            .azlin()
            .args(["__complete", "--", plugin, ""])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{plugin}: {out:?}");
        assert!(out.stdout.is_empty(), "{plugin}: {out:?}");
    }
}

/// After `ssh VM --tmux-session` the VM's sessions (by name or label), never files (the
/// shells run in a directory full of them); `tag list|add|remove` take VM names only.
#[test]
fn tmux_session_offers_the_vms_sessions_and_tag_takes_vm_names_only() {
    let home = populated();
    for (shell, complete) in [
        ("bash", bash_complete as fn(&Home, &str) -> Vec<String>),
        ("fish", fish_complete),
    ] {
        let offered = complete(&home, "azlin ssh myvm --tmux-session ");
        assert_eq!(offered, ["dev"], "{shell}");
        let offered = complete(&home, "azlin ssh mylabel --tmux-session d");
        assert_eq!(offered, ["dev"], "{shell}");
        let offered = complete(&home, "azlin ssh other --tmux-session ");
        assert_eq!(offered, ["ci"], "{shell}");
        // No VM on the line yet: nothing, and no files either.
        let offered = complete(&home, "azlin ssh --tmux-session ");
        assert!(offered.is_empty(), "{shell}: {offered:?}");
        let offered = complete(&home, "azlin tag list my");
        assert_eq!(offered, ["myazure", "myvm"], "{shell}");
        let offered = complete(&home, "azlin tag add oth");
        assert_eq!(offered, ["other"], "{shell}");
    }
    let term = zsh(&home);
    zsh_tab(&term, "azlin ssh other --tmux-session ", &["ci"]);
    let screen = zsh_tab(&term, "azlin tag list my", &["myazure", "myvm"]);
    assert!(!screen.contains("myvm:dev"), "{screen}");
    assert!(!screen.contains("mylabel"), "{screen}");
}
