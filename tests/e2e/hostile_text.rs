//! Text from VMs and providers is untrusted (README, "Text from VMs and providers"): a
//! fake VM whose `tmux` (first on the remote `PATH`) prints escape sequences, bidi
//! overrides, pipes, line breaks and 10,000-character names; Azure tags from the ARM
//! emulator; a plugin with hostile metadata and file names. Each command runs in a real
//! tmux pane on this machine whose raw output is recorded (`pipe-pane`): the pane's
//! title, tmux's paste buffer (OSC 52 with `set-clipboard on`) and screen mode stay as
//! they were, and none of the sequences reaches the terminal. A control run that prints
//! the same bytes directly shows that each check would catch them. JSON keeps the exact
//! bytes, and no row is spoofed.

use std::time::Duration;

use crate::support::Home;
use crate::support::arm::{Arm, EmuVm, FakeAz, SUB};
use crate::support::fleet::Fleet;
use crate::support::plugin::{script, write_mode};
use crate::support::terminal::Terminal;

/// Sets the pane's title.
const OSC_TITLE: &str = "\u{1b}]0;PWNED-TITLE\u{7}";
/// Writes `pwned` to the clipboard (tmux's paste buffer with `set-clipboard on`).
const OSC_CLIPBOARD: &str = "\u{1b}]52;c;cHduZWQ=\u{7}";
/// Clears the screen.
const CLEAR: &str = "\u{1b}[2J\u{1b}[H";
/// Switches to the alternate screen.
const ALTERNATE: &str = "\u{1b}[?1049h";
/// Reverses what follows.
const BIDI: &str = "\u{202e}";

/// Every attack at once.
fn attack() -> String {
    format!("{OSC_TITLE}{OSC_CLIPBOARD}{CLEAR}{ALTERNATE}{BIDI}")
}

/// Byte sequences that must never reach the terminal from azlin.
fn forbidden() -> [(&'static str, &'static [u8]); 4] {
    [
        ("an OSC sequence", b"\x1b]"),
        ("a clear screen", b"\x1b[2J"),
        ("the alternate screen", b"\x1b[?1049h"),
        ("a bidi override", "\u{202e}".as_bytes()),
    ]
}

const TITLE: &str = "azlin-e2e-title";

/// The label of session `dev`: the attacks, a pipe, and a line break followed by whole
/// records of its own.
fn dev_label() -> String {
    format!("{}|1|99|fake:1:99:0:\nspoofed-row:1:99:0:\n", attack())
}

fn long_name() -> String {
    "L".repeat(10_000)
}

/// The session names the fake tmux reports, in its order.
fn names() -> Vec<String> {
    vec![
        "dev".to_string(),
        // What a name that tries to carry fields of its own looks like from tmux.
        "p1|1|99|fakelabel".to_string(),
        // A tmux that prints control characters in a name (a real one escapes them).
        format!("evil{}", attack()),
        long_name(),
        format!("x{BIDI}gpj.exe"),
        "ok".to_string(),
    ]
}

/// What the fake `tmux` prints for `list-sessions -F <azlin's format>`: honest records
/// (each label's length right) with hostile contents, activity times that are no time
/// among them, and broken records.
fn records() -> Vec<u8> {
    let mut out = Vec::new();
    for (i, name) in names().into_iter().enumerate() {
        let label = if name == "dev" {
            dev_label()
        } else {
            String::new()
        };
        // Activity times that are no time (unknown in the JSON), except for `ok`.
        let activity = if name == "ok" {
            "1700000000"
        } else {
            ["x", "-1", "99999999999999999999999", "253402300800", ""][i % 5]
        };
        out.extend(format!("{name}:0:1:{activity}:{}:{label}\n", label.len()).into_bytes());
    }
    // Seven broken records: five warnings, then a count.
    for n in 0..7 {
        out.extend(format!("broken{n}{}\n", attack()).into_bytes());
    }
    out
}

/// A directory with a `tmux` that answers from files: the records above for azlin's
/// listing, the bare names for `-F '#{session_name}'`, "no such session" otherwise.
fn hostile_tmux() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("azh")
        .tempdir_in("/tmp")
        .unwrap();
    std::fs::write(dir.path().join("records"), records()).unwrap();
    let mut bare = names().join("\n");
    bare.push('\n');
    std::fs::write(dir.path().join("names"), bare).unwrap();
    let d = dir.path().display();
    script(
        dir.path(),
        "tmux",
        &format!(
            "case \"$1\" in\n\
             list-sessions) if [ \"$3\" = '#{{session_name}}' ]; then cat '{d}/names'; \
             else cat '{d}/records'; fi ;;\n\
             *) exit 1 ;;\n\
             esac"
        ),
    );
    dir
}

/// What a command did to a terminal.
struct Effects {
    title: String,
    buffer: String,
    alternate: String,
    /// Everything the command wrote to the terminal.
    raw: Vec<u8>,
    screen: String,
}

/// Runs `shell_command` in a fresh tmux pane (with `env`), recording what it writes.
fn watched(shell_command: &str, env: &[(&str, &str)]) -> Effects {
    let dir = tempfile::tempdir().unwrap();
    let go = dir.path().join("go");
    let raw = dir.path().join("raw");
    // tmux gives a new pane the PATH of its client, whatever `-e` says: set it here.
    let path = env
        .iter()
        .find(|(k, _)| *k == "PATH")
        .map(|(_, v)| format!("PATH='{v}'; export PATH; "))
        .unwrap_or_default();
    let term = Terminal::run(
        &format!(
            "{path}while [ ! -e '{}' ]; do sleep 0.05; done; {shell_command}",
            go.display()
        ),
        env,
    );
    term.tmux_out(&["set-option", "-s", "set-clipboard", "on"]);
    term.tmux_out(&["select-pane", "-T", TITLE]);
    term.tmux_out(&["pipe-pane", "-o", &format!("cat >> '{}'", raw.display())]);
    std::fs::write(&go, "").unwrap();
    term.expect_text(Duration::from_secs(120), "azlin-exited-");
    // The pipe may lag behind the screen.
    term.wait_for(Duration::from_secs(10), || {
        std::fs::read(&raw).is_ok_and(|r| r.windows(13).any(|w| w == b"azlin-exited-"))
    });
    let display = |f: &str| {
        term.tmux_out(&["display-message", "-p", f])
            .trim()
            .to_string()
    };
    Effects {
        title: display("#{pane_title}"),
        buffer: term.tmux_out(&["show-buffer"]),
        alternate: display("#{alternate_on}"),
        raw: std::fs::read(&raw).unwrap_or_default(),
        screen: term.screen(),
    }
}

/// Asserts that `effects` show no trace of the attacks having worked.
fn assert_harmless(what: &str, effects: &Effects) {
    assert_eq!(effects.title, TITLE, "{what} set the title");
    assert_eq!(effects.buffer, "", "{what} wrote the clipboard");
    assert_eq!(effects.alternate, "0", "{what} switched screens");
    for (name, bytes) in forbidden() {
        assert!(
            !effects.raw.windows(bytes.len()).any(|w| w == bytes),
            "{what} sent {name} to the terminal:\n{}",
            String::from_utf8_lossy(&effects.raw).escape_debug()
        );
    }
}

/// The environment of `home` for a pane, plus `extra`.
fn pane_env(home: &Home, path: &str) -> Vec<(String, String)> {
    vec![
        ("HOME".into(), home.path().display().to_string()),
        ("AZLIN_HOME".into(), home.azlin_home().display().to_string()),
        ("PATH".into(), path.to_string()),
        ("NO_COLOR".into(), "1".into()),
    ]
}

fn as_refs(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn azlin_bin() -> &'static str {
    env!("CARGO_BIN_EXE_azlin")
}

#[test]
fn the_checks_catch_the_attacks_when_the_bytes_reach_the_terminal() {
    let tmux = hostile_tmux();
    let effects = watched(
        &format!("cat '{}'", tmux.path().join("records").display()),
        &[("PATH", &std::env::var("PATH").unwrap_or_default())],
    );
    assert_eq!(effects.title, "PWNED-TITLE");
    assert_eq!(effects.buffer, "pwned");
    assert_eq!(effects.alternate, "1");
    for (name, bytes) in forbidden() {
        assert!(
            effects.raw.windows(bytes.len()).any(|w| w == bytes),
            "{name} not seen"
        );
    }
}

#[test]
fn a_hostile_vm_cannot_drive_the_terminal_or_spoof_a_row() {
    let home = Home::new();
    let tmux = hostile_tmux();
    let _fleet = Fleet::start_with_path_first(&home, &["hostile"], tmux.path());
    let path = std::env::var("PATH").unwrap_or_default();
    let env = pane_env(&home, &path);
    let bin = azlin_bin();
    // Each command, and whether the escaped text is on its last screen (the 10,000
    // characters of a name in whole columns push it off the others').
    let commands = [
        (format!("{bin} list"), true),
        (format!("{bin} list --wide"), false),
        // Never cut in a pipe: the whole name pushes the escape off the last screen.
        (format!("{bin} list | cat"), false),
        (format!("{bin} list --format csv"), false),
        (format!("{bin} -vv list"), true),
        (format!("{bin} exec hostile:nosuch -- true"), false),
        (format!("{bin} session hostile:dev"), true),
    ];
    for (command, visible) in &commands {
        let effects = watched(command, &as_refs(&env));
        assert_harmless(command, &effects);
        assert!(
            !visible || effects.screen.contains("\\e"),
            "{command}:\n{}",
            effects.screen
        );
    }

    // The missing session's message, said by the VM for azlin, offers only what azlin
    // can address.
    let out = home
        .azlin()
        .args(["exec", "hostile:nosuch", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(
            "error: no tmux session `nosuch` on `hostile`; the sessions on `hostile` are:\n  \
             hostile:dev\n  hostile:ok\ncreate it with"
        ),
        "{err}"
    );

    // JSON: the exact bytes, one row per real session, names azlin cannot address
    // without compound or alias.
    let out = home
        .azlin()
        .args(["list", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let mut want = names();
    want.sort();
    let sessions: Vec<&str> = rows
        .iter()
        .map(|r| r["session"].as_str().unwrap())
        .collect();
    assert_eq!(sessions, want);
    for row in &rows {
        let name = row["session"].as_str().unwrap();
        let addressable = name == "dev" || name == "ok";
        assert_eq!(row["compound"].is_string(), addressable, "{row}");
        assert_eq!(row["ssh_alias"].is_string(), addressable, "{row}");
        assert_eq!(row["attached"], false, "{row}");
        assert_eq!(row["clients"], 0, "{row}");
        assert_eq!(row["windows"], 1, "{row}");
        let activity = if name == "ok" {
            serde_json::json!("2023-11-14T22:13:20Z")
        } else {
            serde_json::Value::Null
        };
        assert_eq!(row["last_activity"], activity, "{row}");
    }
    let dev = rows.iter().find(|r| r["session"] == "dev").unwrap();
    assert_eq!(dev["session_name"].as_str(), Some(dev_label().as_str()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`hostile` sent a tmux listing record azlin cannot read"),
        "{stderr}"
    );
    assert!(
        stderr.contains("skipped: broken0\\e]0;PWNED-TITLE\\x07"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("cannot read (").count(), 5, "{stderr}");
    assert!(
        stderr.contains("`hostile`: 2 more records azlin cannot read were skipped"),
        "{stderr}"
    );
    assert_eq!(
        stderr
            .matches("a tmux session on `hostile` cannot be addressed")
            .count(),
        4,
        "{stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");

    // A pipe: one line per row, each starting with its VM; the label's line break and the
    // records inside it are text of that one row.
    let out = home.azlin().args(["list"]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1 + names().len(), "{stdout}");
    assert!(
        lines[1..].iter().all(|l| l.starts_with("hostile ")),
        "{stdout}"
    );
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains(BIDI),
        "{stdout:?}"
    );
    // CSV: one record a line, too.
    let out = home
        .azlin()
        .args(["list", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(csv.lines().count(), 1 + names().len(), "{csv}");
    assert!(csv.contains("\\n"), "{csv}");

    // Nothing azlin cannot address reached the session cache (no alias, no completion).
    let cache = std::fs::read_to_string(home.azlin_home().join("cache/sessions.json")).unwrap();
    let cache: serde_json::Value = serde_json::from_str(&cache).unwrap();
    let cached: Vec<&str> = cache["vms"]["hostile"]["sessions"]
        .as_array()
        .unwrap_or_else(|| panic!("{cache}"))
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(cached, ["dev", "ok"]);
    let out = home
        .azlin()
        .args(["__complete", "--", "connect", "hostile"])
        .output()
        .unwrap();
    let completions = String::from_utf8_lossy(&out.stdout);
    assert!(completions.contains("hostile:dev"), "{completions}");
    assert!(
        !completions.contains("p1") && !completions.contains("LLL"),
        "{completions}"
    );
}

#[test]
fn bad_names_are_usage_errors_shown_escaped() {
    let home = Home::new();
    home.ok(&["host", "add", "box", "--address", "10.0.0.9"]);
    let bad = "a\u{1b}[31mb";
    for args in [
        vec!["host", "remove", bad],
        vec!["tag", "add", bad, "k=v"],
        vec!["tag", "remove", bad, "k"],
        vec!["tag", "list", bad],
        vec!["host", "add", "x", "--address", "10.0.0.1", "--label", bad],
        vec![bad],
        vec!["plugin", "exec", bad],
    ] {
        let out = home.azlin().args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("`a\\e[31mb`"), "{args:?}: {err}");
        assert!(!err.contains('\u{1b}'), "{args:?}: {err:?}");
    }
    // clap's own refusals quote the argument too.
    for args in [vec!["list", "--format", bad], vec!["list", bad]] {
        let out = home.azlin().args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("'a\\e[31mb'"), "{args:?}: {err}");
        assert!(!err.contains('\u{1b}'), "{args:?}: {err:?}");
    }
    // In a terminal too.
    let env = pane_env(&home, &std::env::var("PATH").unwrap_or_default());
    let effects = watched(
        &format!(
            "{} host remove \"$(printf 'a\\033]0;PWNED-TITLE\\007b')\"",
            azlin_bin()
        ),
        &as_refs(&env),
    );
    assert_harmless("host remove", &effects);
    assert!(
        effects.screen.contains("azlin-exited-2"),
        "{}",
        effects.screen
    );
}

#[test]
fn azure_tags_and_plugins_are_shown_escaped_and_json_keeps_them_exact() {
    let home = Home::new();
    let mut vm = EmuVm::new("azvm", "rg");
    vm.tags
        .insert("note".into(), format!("{}\nforged=row", attack()));
    vm.tags.insert(format!("k{BIDI}ey"), "v".into());
    let arm = Arm::start(vec![vm], 10);
    let az = FakeAz::install(&home.path().join("fake-bin"));
    // A plugin that describes itself with escape sequences, and a file whose name is one.
    let metadata = serde_json::json!({
        "schema_version": 1,
        "description": format!("desc{}", attack()),
        "version": format!("1{OSC_TITLE}"),
    });
    home.plugin(
        "meta",
        &format!(
            "[ \"$1\" = --azlin-plugin-metadata ] && printf '%s\\n' '{}'",
            metadata.to_string().replace('\'', "'\\''")
        ),
    );
    write_mode(
        &home.plugin_dir(),
        &format!("azlin-bad{OSC_TITLE}"),
        "#!/bin/sh\n",
        0o755,
    );

    let path = format!(
        "{}:{}",
        az.dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut env = pane_env(&home, &path);
    env.extend([
        ("AZLIN_ARM_ENDPOINT".to_string(), arm.endpoint.clone()),
        ("AZURE_SUBSCRIPTION_ID".to_string(), SUB.to_string()),
        ("AZLIN_MANAGED_IDENTITY".to_string(), "off".to_string()),
    ]);
    let bin = azlin_bin();
    for command in [
        format!("{bin} tag list azvm"),
        format!("{bin} plugin list -v"),
        format!("{bin} plugin list -v | cat"),
    ] {
        let effects = watched(&command, &as_refs(&env));
        assert_harmless(&command, &effects);
        assert!(
            effects.screen.contains("\\e]0;PWNED-TITLE\\x07"),
            "{command}:\n{}",
            effects.screen
        );
    }

    let run = |args: &[&str]| {
        crate::support::arm::azlin_azure(&home, &arm, &az)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["tag", "list", "azvm"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text,
        "Tags for azvm:\n  k\\u{202e}ey: v\n  note: \\e]0;PWNED-TITLE\\x07\\e]52;c;cHduZWQ=\\x07\\e[2J\\e[H\\e[?1049h\\u{202e}\\nforged=row\n"
    );
    let out = run(&["tag", "list", "azvm", "--format", "json"]);
    let tags: std::collections::BTreeMap<String, String> =
        serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(tags["note"], format!("{}\nforged=row", attack()));
    let out = run(&["plugin", "list", "--json", "-v"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["plugins"][0]["description"],
        format!("desc{}", attack())
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("azlin-bad\\e]0;PWNED-TITLE\\x07"),
        "{stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}
