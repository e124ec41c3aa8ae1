//! Which file `azlin NAME` runs: the name rule, the search path, symlinks, copies in two
//! directories, files that cannot run, and built-ins that always win.

use std::path::Path;

use predicates::str::contains;

use crate::support::Home;
use crate::support::plugin::{script, write_mode};

/// A plugin body that creates `marker` and says where it lives.
fn proof(marker: &Path) -> String {
    format!("echo \"ran $0\"; touch '{}'", marker.display())
}

#[test]
fn invalid_names_are_unknown_commands_and_never_run() {
    let home = Home::new();
    let marker = home.marker("ran");
    let dir = home.plugin_dir();
    // A file for every way the name could be turned into a path.
    script(&dir.join("azlin-.."), "x", &proof(&marker));
    script(&dir.join("azlin-a"), "b", &proof(&marker));
    script(&dir, "azlin--x", &proof(&marker));
    script(&dir, "azlin-Upper", &proof(&marker));
    script(&dir, "azlin-UPPER", &proof(&marker));
    script(&dir, "azlin-1x", &proof(&marker));
    // A name that breaks the rule is bad input: exit 2.
    for name in ["../x", "a/b", "Upper", "UPPER", "1x"] {
        home.azlin()
            .arg(name)
            .assert()
            .code(2)
            .stderr(contains(format!("unknown command `{name}`")))
            .stderr(contains("lower-case letters, digits and `-`"));
        home.azlin()
            .args(["plugin", "exec", name])
            .assert()
            .code(2)
            .stderr(contains(format!("unknown command `{name}`")));
    }
    // An option-like name is an unknown option to azlin itself: a usage error.
    home.azlin().arg("-x").assert().code(2);
    home.azlin()
        .args(["plugin", "exec", "--", "-x"])
        .assert()
        .code(2)
        .stderr(contains("unknown command `-x`"));
    assert!(!marker.exists(), "an invalid name ran a plugin");
}

#[test]
fn relative_and_empty_path_entries_are_not_searched() {
    let home = Home::new();
    let marker = home.marker("ran");
    let cwd = home.path().join("work");
    script(&cwd, "azlin-dot", &proof(&marker));
    script(&cwd.join("bin"), "azlin-rel", &proof(&marker));
    let path = format!(".:bin::{}", std::env::var("PATH").unwrap());
    for name in ["dot", "rel"] {
        home.azlin()
            .current_dir(&cwd)
            .env("PATH", &path)
            .env("AZLIN_PLUGIN_PATH", ".:bin:")
            .arg(name)
            .assert()
            .code(1)
            .stderr(contains(format!("unknown command `{name}`")));
    }
    assert!(!marker.exists(), "a plugin in a relative PATH entry ran");
    // The same file on an absolute entry does run.
    home.azlin()
        .env(
            "PATH",
            format!("{}:{}", cwd.display(), std::env::var("PATH").unwrap()),
        )
        .arg("dot")
        .assert()
        .success();
    assert!(marker.exists());
}

#[test]
fn search_order_plugin_path_then_home_then_path() {
    let home = Home::new();
    let (p1, p2) = (home.path().join("p1"), home.path().join("p2"));
    script(&p1, "azlin-which", "echo p1");
    script(&p2, "azlin-which", "echo p2");
    home.plugin("which", "echo home");
    let bin = home.path().join("bin");
    script(&bin, "azlin-which", "echo path");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let run = |plugin_path: Option<String>| {
        let mut cmd = home.azlin();
        cmd.env("PATH", &path).arg("which");
        if let Some(p) = plugin_path {
            cmd.env("AZLIN_PLUGIN_PATH", p);
        }
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    assert_eq!(
        run(Some(format!("{}:{}", p2.display(), p1.display()))),
        "p2\n"
    );
    assert_eq!(run(None), "home\n");
    std::fs::remove_file(home.plugin_dir().join("azlin-which")).unwrap();
    assert_eq!(run(None), "path\n");
}

#[test]
fn the_same_plugin_in_two_directories_first_wins_and_list_warns() {
    let home = Home::new();
    let first = home.plugin("twin", "echo first");
    let other = home.path().join("other");
    let second = script(&other, "azlin-twin", "echo second");
    let path = format!("{}:{}", other.display(), std::env::var("PATH").unwrap());
    home.azlin()
        .env("PATH", &path)
        .arg("twin")
        .assert()
        .success()
        .stdout("first\n");
    home.azlin()
        .env("PATH", &path)
        .args(["plugin", "list"])
        .assert()
        .code(1)
        .stdout(contains(first.display().to_string()))
        .stderr(contains("shadowed"))
        .stderr(contains(first.display().to_string()))
        .stderr(contains(second.display().to_string()));
}

#[test]
fn a_symlinked_plugin_runs_and_a_broken_one_exits_127() {
    let home = Home::new();
    let real = script(&home.path().join("tools"), "real-tool", "echo \"real: $*\"");
    std::fs::create_dir_all(home.plugin_dir()).unwrap();
    let link = home.plugin_dir().join("azlin-link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    home.azlin()
        .args(["link", "a"])
        .assert()
        .success()
        .stdout("real: a\n");
    let broken = home.plugin_dir().join("azlin-gone");
    std::os::unix::fs::symlink(home.path().join("nowhere"), &broken).unwrap();
    home.azlin()
        .arg("gone")
        .assert()
        .code(127)
        .stderr(contains(broken.display().to_string()))
        .stderr(contains("broken symlink"));
    home.azlin()
        .args(["plugin", "list"])
        .assert()
        .code(1)
        .stderr(contains("broken symlink"))
        .stderr(contains(broken.display().to_string()));
}

#[test]
fn a_missing_interpreter_exits_127_naming_the_file() {
    let home = Home::new();
    let path = write_mode(
        &home.plugin_dir(),
        "azlin-nointerp",
        "#!/nonexistent/interpreter\n",
        0o755,
    );
    home.azlin()
        .arg("nointerp")
        .assert()
        .code(127)
        .stderr(contains(path.display().to_string()));
}

#[test]
fn a_non_executable_file_exits_126_and_list_warns() {
    let home = Home::new();
    let marker = home.marker("ran");
    let path = write_mode(
        &home.plugin_dir(),
        "azlin-plain",
        &format!("#!/bin/sh\n{}\n", proof(&marker)),
        0o644,
    );
    home.azlin()
        .arg("plain")
        .assert()
        .code(126)
        .stderr(contains(path.display().to_string()))
        .stderr(contains("chmod +x"));
    assert!(!marker.exists());
    home.azlin()
        .args(["plugin", "list"])
        .assert()
        .code(1)
        .stdout(contains("not executable"))
        .stderr(contains("not executable"))
        .stderr(contains(path.display().to_string()));
}

#[test]
fn built_ins_win_and_plugin_exec_reaches_the_plugin() {
    let home = Home::new();
    let marker = home.marker("ran");
    let path = home.plugin("host", &proof(&marker));
    home.azlin().args(["host", "list"]).assert().success();
    assert!(!marker.exists(), "a plugin ran instead of the built-in");
    home.azlin()
        .args(["plugin", "exec", "host", "list"])
        .assert()
        .success();
    assert!(marker.exists());
    home.azlin()
        .args(["plugin", "list"])
        .assert()
        .code(1)
        .stderr(contains("built-in"))
        .stderr(contains(path.display().to_string()));
}

#[test]
fn a_clean_install_lists_without_warnings() {
    let home = Home::new();
    let path = home.plugin("fine", "true");
    // A PATH of its own, so that plugins installed on this machine cannot warn.
    home.azlin()
        .env("PATH", "/nonexistent")
        .args(["plugin", "list"])
        .assert()
        .code(0)
        .stdout(contains("fine"))
        .stdout(contains(path.display().to_string()))
        .stderr("");
}

#[test]
fn no_built_in_is_ever_taken_for_a_plugin() {
    // `azlin NAME` is recognised from argv before clap runs (the start-up fast path):
    // with a plugin installed under every built-in's name, the built-in must still run.
    let home = Home::new();
    let marker = home.marker("ran");
    let help = home.azlin().arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let mut names = vec!["__complete".to_string()];
    names.extend(
        help.lines()
            .skip_while(|l| !l.starts_with("Commands:"))
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            // Wrapped descriptions are indented further than the names.
            .filter(|l| !l.starts_with("   "))
            .filter_map(|l| l.split_whitespace().next().map(str::to_string)),
    );
    assert!(names.len() > 10, "built-ins not found in --help: {help}");
    for name in &names {
        home.plugin(name, &proof(&marker));
    }
    for name in &names {
        for globals in [&[][..], &["-v"], &["--rg", "x"]] {
            let out = home
                .azlin()
                .args(globals)
                .args([name, "--help"])
                .output()
                .unwrap();
            assert!(
                !marker.exists(),
                "plugin ran for built-in `{name}`: {out:?}"
            );
        }
    }
}
