//! `azlin_complete-ui`: what TAB offers after `azlin ui` (plugins/README.md, Completion).
//! azlin runs it as `azlin_complete-ui -- WORD…`, the last word being completed; it
//! prints one candidate per line and keeps the ones that start with that word. No
//! network, no azlin: it must answer at once.

const OPTIONS: &[&str] = &[
    "--interval",
    "--filter",
    "--no-color",
    "--no-marks",
    "--once",
    "--format",
    "--size",
    "--help",
    "--version",
];

fn candidates(words: &[String]) -> Vec<&'static str> {
    let previous = words.len().checked_sub(2).map(|i| words[i].as_str());
    match previous {
        Some("--format") => vec!["text", "json"],
        Some("--interval") => vec!["2s", "5s", "10s", "30s", "1m"],
        Some("--size") => vec!["80x24", "120x40", "160x48"],
        Some("--filter") => vec![],
        _ => OPTIONS.to_vec(),
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--") {
        args.remove(0);
    }
    for c in candidates(&args) {
        println!("{c}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_then_their_values() {
        assert!(candidates(&words(&[""])).contains(&"--interval"));
        assert_eq!(
            candidates(&words(&["--once", "--format", ""])),
            ["text", "json"]
        );
        assert!(candidates(&words(&["--filter", ""])).is_empty());
    }
}
