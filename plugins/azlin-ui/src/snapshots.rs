//! Layout tests: the screen of a fixed fleet (running, unreachable and stopped VMs, a VM
//! without sessions, hostile names with escape sequences and bidi controls, a long name)
//! drawn on ratatui's `TestBackend` at 80×24 and 160×48, compared with the files in
//! `snapshots/` (`UPDATE_SNAPSHOTS=1 cargo test -p azlin-ui` rewrites them; review the diff).

use std::path::PathBuf;
use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::app::App;
use crate::app::tests::row;
use crate::fleet::Peeked;
use crate::view::{Theme, render_text};

fn fleet() -> App {
    let mut app = App::new(Duration::from_secs(5), "");
    let mut rows = vec![
        row("myvm", Some("dev"), "Running"),
        row("myvm", Some("build"), "Running"),
        row("myvm", Some("evil\u{1b}[2J\u{1b}]0;pwned\u{7}"), "Running"),
        row(
            "gpu-training-cluster-node-0042-westeurope",
            Some("train-resnet50-imagenet-run-7"),
            "Running",
        ),
        row("vm2", None, "Running"),
        row("rtl\u{202e}txt.exe", Some("s"), "Running"),
        row("down", None, "Unreachable"),
        row("off", None, "Stopped"),
    ];
    rows[0].label = Some("api".into());
    rows[0].clients = Some(2);
    rows[0].windows = Some(3);
    // Ages of each unit: 5m, 12s, 3h, 2d (the listing answered at 1_700_000_000).
    rows[0].last_activity = Some(1_699_999_700);
    rows[1].last_activity = Some(1_699_999_988);
    rows[3].last_activity = Some(1_700_000_000 - 3 * 3600 - 100);
    rows[5].last_activity = Some(1_700_000_000 - 2 * 86_400 - 5);
    rows[1].label = Some("\u{1b}[31mred\u{1b}[0m".into());
    rows[6].error = Some("ssh: connect to host 127.0.0.1 port 1: Connection refused".into());
    app.set_rows(rows, true, ("09:41:02".into(), 1_700_000_000));
    let pane = |c: &str, l: &[&str]| Peeked {
        compound: c.into(),
        lines: l.iter().map(|s| s.to_string()).collect(),
        captured_at: Some("2026-12-01T09:41:03Z".into()),
        error: None,
    };
    app.set_marks(&[pane("myvm:dev", &["a"]), pane("myvm:build", &["b"])]);
    app.set_marks(&[pane("myvm:dev", &["a2"]), pane("myvm:build", &["b"])]);
    app.set_preview(
        "myvm:dev",
        Ok(pane(
            "myvm:dev",
            &[
                "$ make test",
                "running 12 tests",
                "\u{1b}[32mok\u{1b}[0m \u{1b}]52;c;aGk=\u{7}",
                "$ ",
            ],
        )),
    );
    app
}

fn check(name: &str, screen: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("snapshots")
        .join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, screen).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_SNAPSHOTS=1 writes it)", path.display()));
    assert_eq!(
        screen,
        expected,
        "{name} differs from {}:\n{screen}",
        path.display()
    );
}

/// No escape or bidi control reaches the screen: every cell is printable.
fn assert_no_controls(screen: &str) {
    for (i, line) in screen.lines().enumerate() {
        assert!(
            !line
                .chars()
                .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "line {i} holds a control character: {line:?}"
        );
    }
}

#[test]
fn screen_80x24() {
    let screen = render_text(&fleet(), Theme { color: true }, 80, 24);
    assert_no_controls(&screen);
    assert!(screen.contains("evil\\u{1b}[2J"), "{screen}");
    assert!(
        screen.contains("Unreachable") && screen.contains("Stopped"),
        "{screen}"
    );
    assert!(screen.contains("refreshed 09:41:02 UTC"), "{screen}");
    check("screen-80x24", &screen);
}

#[test]
fn screen_160x48() {
    let screen = render_text(&fleet(), Theme { color: false }, 160, 48);
    assert_no_controls(&screen);
    assert!(screen.contains("rtl\\u{202e}txt.exe"), "{screen}");
    assert!(screen.contains("\\u{1b}]52;c;aGk="), "{screen}");
    check("screen-160x48", &screen);
}

#[test]
fn unreachable_vm_preview_and_filter_and_prompts() {
    let mut app = fleet();
    for _ in 0..6 {
        app.on_key(KeyEvent::from(KeyCode::Down));
    }
    let screen = render_text(&app, Theme { color: false }, 80, 24);
    assert!(screen.contains("down is Unreachable"), "{screen}");
    assert!(screen.contains("Connection refused"), "{screen}");
    check("unreachable-80x24", &screen);

    let mut app = fleet();
    for c in "/dev".chars() {
        app.on_key(KeyEvent::from(KeyCode::Char(c)));
    }
    let screen = render_text(&app, Theme { color: false }, 80, 24);
    assert!(screen.contains("sessions /dev (1 of 8 rows)"), "{screen}");
    assert!(!screen.contains("build"), "{screen}");

    let mut app = fleet();
    app.on_key(KeyEvent::from(KeyCode::Char('K')));
    let screen = render_text(&app, Theme { color: false }, 80, 24);
    assert!(screen.contains("Kill session myvm:dev?"), "{screen}");

    let mut app = fleet();
    app.on_key(KeyEvent::from(KeyCode::Char('?')));
    let screen = render_text(&app, Theme { color: false }, 80, 24);
    check("help-80x24", &screen);
}

#[test]
fn tiny_and_empty_screens_do_not_panic() {
    let app = App::new(Duration::from_secs(5), "");
    let screen = render_text(&app, Theme { color: false }, 80, 24);
    assert!(screen.contains("listing the fleet…"), "{screen}");
    for (w, h) in [(20, 6), (1, 1), (200, 3)] {
        render_text(&fleet(), Theme { color: false }, w, h);
    }
}

#[test]
fn a_click_selects_the_row_under_it_after_scrolling() {
    use crate::view::{Geometry, draw};
    let mut app = fleet();
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 12)).unwrap();
    let mut geometry = Geometry::default();
    let theme = Theme { color: false };
    terminal
        .draw(|f| draw(f, &app, theme, &mut geometry))
        .unwrap();
    // Row 0 of the table is on screen line 2 (border, header), inside the border.
    assert_eq!(geometry.row_at(5, 2), Some(0));
    assert_eq!(geometry.row_at(5, 3), Some(1));
    assert_eq!(geometry.row_at(0, 3), None, "the border");
    assert_eq!(geometry.row_at(5, 1), None, "the header");
    // Scrolled to the end, the first line on screen is a later row.
    app.move_by(100);
    terminal
        .draw(|f| draw(f, &app, theme, &mut geometry))
        .unwrap();
    let first = geometry.row_at(5, 2).unwrap();
    assert!(first > 0, "{first}");
    app.select(first);
    assert_eq!(app.cursor(), Some(first));
}
