//! Tables and colour: boxed, coloured and fitted on a terminal (a local tmux pane);
//! plain, greppable columns in a pipe.

use std::time::Duration;

use crate::support::Home;
use crate::support::terminal::Terminal;

const LONG: &str = "a-host-with-a-name-much-too-long-for-a-narrow-terminal";

/// A home with two local hosts, one of them with a very long name.
fn home() -> Home {
    let home = Home::new();
    home.ok(&[
        "host",
        "add",
        "myvm",
        "--address",
        "10.0.0.5",
        "--label",
        "api",
    ]);
    home.ok(&["host", "add", LONG, "--address", "10.0.0.6"]);
    home
}

/// Runs `azlin ARGS` in a terminal `cols` wide (plus `env`) and returns the terminal once
/// azlin has exited.
fn run_in_terminal(home: &Home, cols: u16, args: &str, env: &str) -> Terminal {
    let path = std::env::var("PATH").unwrap_or_default();
    let term = Terminal::run(
        &format!(
            "stty cols {cols}; {env} {} {args}",
            env!("CARGO_BIN_EXE_azlin")
        ),
        &[
            ("HOME", &home.path().to_string_lossy()),
            ("AZLIN_HOME", &home.azlin_home().to_string_lossy()),
            ("PATH", &path),
            ("TERM", "xterm-256color"),
        ],
    );
    term.expect_text(Duration::from_secs(30), "azlin-exited-");
    term
}

fn table_lines(screen: &str) -> Vec<&str> {
    screen
        .lines()
        .filter(|l| l.starts_with(['╭', '│', '├', '╰']))
        .collect()
}

#[test]
fn list_on_a_terminal_is_a_rounded_box_fitted_to_its_width_with_coloured_status() {
    let home = home();
    let term = run_in_terminal(&home, 70, "list --no-tmux", "");
    let screen = term.screen();
    let lines = table_lines(&screen);
    assert!(
        lines[0].starts_with('╭') && lines[0].ends_with('╮'),
        "{screen}"
    );
    assert!(lines[1].contains("HOSTNAME"), "{screen}");
    assert!(
        lines[2].starts_with('├') && lines[2].contains('┼'),
        "{screen}"
    );
    assert!(lines.last().unwrap().starts_with('╰'), "{screen}");
    for line in &lines {
        assert!(
            line.chars().count() <= 70,
            "wider than the terminal: {line}"
        );
    }
    assert!(
        !screen.contains(LONG),
        "the long name should be cut:\n{screen}"
    );
    assert!(screen.contains('…'), "{screen}");
    // Each row is one line, and the status word is whole.
    assert_eq!(lines.len(), 6, "{screen}");
    assert_eq!(screen.matches("Running").count(), 2, "{screen}");

    let styled = term.styled_screen();
    let running = styled.lines().find(|l| l.contains("myvm")).unwrap();
    let before = &running[..running.find("Running").unwrap()];
    // A foreground colour (SGR 3x, 9x or 38;…) is switched on right before the word.
    let last_escape = &before[before.rfind('\u{1b}').expect("no colour before Running")..];
    assert!(
        last_escape.starts_with("\u{1b}[3") || last_escape.starts_with("\u{1b}[9"),
        "{running:?}"
    );
}

#[test]
fn wide_keeps_whole_cells_even_past_the_terminal_width() {
    let home = home();
    let term = run_in_terminal(&home, 70, "list --no-tmux --wide", "");
    let screen = term.screen();
    // tmux wraps what is wider than the pane: join the lines before looking for the name.
    assert!(screen.replace('\n', "").contains(LONG), "{screen}");
}

#[test]
fn no_color_and_no_color_env_keep_the_box_but_drop_the_colour() {
    let home = home();
    for (args, env) in [
        ("--no-color list --no-tmux", ""),
        ("list --no-tmux", "NO_COLOR=1"),
    ] {
        let term = run_in_terminal(&home, 120, args, env);
        let styled = term.styled_screen();
        assert!(styled.contains('╭'), "{styled}");
        assert!(
            !styled.contains('\u{1b}'),
            "colour despite {args} {env}:\n{styled}"
        );
    }
}

#[test]
fn in_a_pipe_list_and_host_list_are_plain_columns() {
    let home = home();
    for args in [&["list", "--no-tmux"][..], &["host", "list"]] {
        let out = home.ok(args);
        assert!(!out.contains('╭') && !out.contains('│'), "{out}");
        assert!(!out.contains('\u{1b}'), "{out}");
    }
    // The guides' scripts: `azlin list | tail -n +2 | while read hostname session status ip`.
    let out = home.ok(&["list", "--no-tmux"]);
    // Never cut in a pipe: what a script reads back is the name itself.
    let row: Vec<&str> = out.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(row[..4], [LONG, "-", "Running", "10.0.0.6"][..]);
}

/// A home with one host of a long name at 10.0.0.7, added with `extra` options.
fn long_named_host(extra: &[&str]) -> (Home, &'static str) {
    let home = Home::new();
    let name = "feature-very-long-session-name-33";
    let mut args = vec!["host", "add", name, "--address", "10.0.0.7"];
    args.extend(extra);
    home.ok(&args);
    (home, name)
}

#[test]
fn at_80_columns_names_stay_whole_and_the_label_gives_way() {
    let label = "a-label-that-is-free-text-and-far-too-long-to-fit";
    let (home, name) = long_named_host(&["--label", label]);
    let screen = listed_at_80_columns(&home, name);
    assert!(!screen.contains(label), "the label gives way:\n{screen}");
    assert!(screen.contains("10.0.0.7"), "{screen}");
}

#[test]
fn host_list_on_a_terminal_is_boxed_and_the_error_prefix_is_red() {
    let home = home();
    let term = run_in_terminal(&home, 100, "host list", "");
    let screen = term.screen();
    assert!(table_lines(&screen)[1].contains("NAME"), "{screen}");

    let term = run_in_terminal(&home, 100, "connect nosuchvm", "");
    let styled = term.styled_screen();
    let line = styled.lines().find(|l| l.contains("error:")).unwrap();
    assert!(
        line.starts_with('\u{1b}'),
        "error: prefix not coloured: {line:?}"
    );
    let piped = home.azlin().args(["connect", "nosuchvm"]).output().unwrap();
    assert!(String::from_utf8_lossy(&piped.stderr).starts_with("error: "));
}

#[test]
fn at_80_columns_the_region_gives_way_before_the_names() {
    let region = "a-region-name-long-enough-that-it-must-be-cut";
    let (home, name) = long_named_host(&["--label", "some-label", "--region", region]);
    let screen = listed_at_80_columns(&home, name);
    assert!(!screen.contains(region), "the region gives way:\n{screen}");
    let wide = run_in_terminal(&home, 80, "list --no-tmux --wide", "");
    assert!(
        wide.screen().replace('\n', "").contains(region),
        "--wide keeps it whole:\n{}",
        wide.screen()
    );
}

/// `list --no-tmux` in an 80-column terminal: no line wider, `name` whole; the screen.
fn listed_at_80_columns(home: &Home, name: &str) -> String {
    let term = run_in_terminal(home, 80, "list --no-tmux", "");
    let screen = term.screen();
    for line in table_lines(&screen) {
        assert!(
            line.chars().count() <= 80,
            "wider than the terminal: {line}"
        );
    }
    assert!(screen.contains(name), "the name is whole:\n{screen}");
    screen
}
