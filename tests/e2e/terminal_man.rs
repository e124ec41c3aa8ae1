//! `azlin man --dir DIR`: a page for azlin and one per command, readable by man.

use crate::support::Home;

#[test]
fn man_writes_a_page_per_command() {
    let home = Home::new();
    let dir = home.path().join("man1");
    home.ok(&["man", "--dir", dir.to_str().unwrap()]);
    let help = home.ok(&["--help"]);
    // Every command `azlin --help` lists has its page.
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        // A wrapped description is indented further: only `  name  description` lines.
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(
        commands.contains(&"connect") && commands.contains(&"list"),
        "{help}"
    );
    let top = std::fs::read_to_string(dir.join("azlin.1")).unwrap();
    assert!(top.contains(".TH azlin"), "{top}");
    for command in commands {
        let page = std::fs::read_to_string(dir.join(format!("azlin-{command}.1")))
            .unwrap_or_else(|_| panic!("no page for {command}"));
        assert!(page.contains(&format!(".TH azlin-{command}")), "{page}");
    }
    let connect = std::fs::read_to_string(dir.join("azlin-connect.1")).unwrap();
    assert!(
        connect.contains("\\-\\-timeout") || connect.contains("timeout"),
        "{connect}"
    );
    assert!(!dir.join("azlin-__complete.1").exists());
}
