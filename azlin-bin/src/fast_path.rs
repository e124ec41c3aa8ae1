//! Start-up fast paths: `azlin [GLOBAL OPTIONS] NAME ARGS…` for a plugin NAME, and
//! `azlin --version`, recognised from argv before clap builds the command tree.
//!
//! Building clap's `Command` for azlin builds every subcommand and every argument with
//! its help text; for a plugin, whose arguments azlin never reads, that was most of the
//! dispatch overhead (bench/NOTES.md). The scan below is deliberately narrow: it accepts
//! only what it fully understands — the global options written the ways clap accepts
//! them, once each, then a valid plugin name that is no built-in and that exists on the
//! search path — and hands *everything else* to clap unchanged. So clap stays the only
//! source of errors, help and "did you mean", and built-ins always win: a built-in name
//! never reaches the plugin search here.

use std::ffi::OsString;

use azlin_core::plugin;

use crate::cli::GlobalArgs;

/// The built-in command names and aliases, as clap knows them (a unit test keeps the
/// two lists equal). Used to refuse the fast path for built-ins without building clap.
const BUILTINS: &[&str] = &[
    "resolve",
    "host",
    "list",
    "ssh",
    "connect",
    "exec",
    "peek",
    "send",
    "wait",
    "code",
    "disconnect",
    "kill",
    "session",
    "tag",
    "ssh-config",
    "plugin",
    "help",
    "completions",
    "man",
    "__complete",
];

/// What `azlin --version` prints (without the newline): the same line as clap's, which a
/// unit test checks.
pub fn version_line() -> String {
    format!("azlin {}", env!("CARGO_PKG_VERSION"))
}

/// What the fast path found in argv.
#[derive(Debug)]
pub enum Early {
    /// `azlin --version` (or `-V`) and nothing else.
    Version,
    /// `azlin [GLOBALS] NAME ARGS…` where NAME is a valid plugin name and no built-in;
    /// whether the plugin exists is not checked yet.
    Plugin {
        /// The global options given before the name.
        global: GlobalArgs,
        /// The plugin's name.
        name: OsString,
        /// Everything after the name, untouched.
        args: Vec<OsString>,
    },
}

/// Recognises the fast-path shapes of `args` (argv without the program name); `None`
/// means "let clap parse it".
pub fn scan(args: &[OsString]) -> Option<Early> {
    if let [only] = args
        && (only == "--version" || only == "-V")
    {
        return Some(Early::Version);
    }
    let mut global = GlobalArgs {
        resource_group: None,
        subscription: None,
        verbose: 0,
        quiet: false,
        no_color: false,
    };
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        let text = arg.to_str()?;
        if !text.starts_with('-') {
            let name = plugin::valid_name(arg)?;
            if BUILTINS.contains(&name) || (global.verbose > 0 && global.quiet) {
                return None;
            }
            return Some(Early::Plugin {
                global,
                name: arg.clone(),
                args: args[i + 1..].to_vec(),
            });
        }
        let (option, taken) = global_at(args, i)?;
        i += taken;
        match option {
            Global::Verbose(count) => global.verbose = global.verbose.checked_add(count)?,
            Global::Quiet => set_once(&mut global.quiet)?,
            Global::NoColor => set_once(&mut global.no_color)?,
            Global::ResourceGroup(value) => set_value(&mut global.resource_group, value)?,
            Global::Subscription(value) => set_value(&mut global.subscription, value)?,
            // `-qv` and the like are clap's to parse.
            Global::Flags => return None,
        }
    }
    None
}

/// Whether this command line asks for azlin's own help (`azlin`, `azlin -h`,
/// `azlin -v --help`), the only case where the plugin section of the help is worth
/// computing: global options (read as [`scan`] reads them), then `-h`/`--help` or
/// nothing. Being wrong only adds or leaves out that section; clap still parses.
pub fn wants_top_help(args: &[OsString]) -> bool {
    let args = args.get(1..).unwrap_or_default();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if arg == "-h" || arg == "--help" {
            return true;
        }
        match global_at(args, i) {
            Some((_, taken)) => i += taken,
            None => return false,
        }
    }
    true
}

/// A global option as the fast path reads it.
enum Global<'a> {
    /// `-v`, `-vv`… or `--verbose`: how many.
    Verbose(u8),
    /// `-q`, `--quiet`.
    Quiet,
    /// `--no-color`.
    NoColor,
    /// `--rg VALUE`, `--resource-group=VALUE`…
    ResourceGroup(&'a str),
    /// `--subscription VALUE`, `--subscription=VALUE`.
    Subscription(&'a str),
    /// A cluster of short global flags other than only `v`s (`-qv`, `-vq`).
    Flags,
}

/// The global option at `args[i]` and how many arguments it takes (1, or 2 for an
/// option with its value apart); `None` when it is none, written in a way the fast path
/// does not take (a missing, empty or dash-led value), or not UTF-8.
fn global_at(args: &[OsString], i: usize) -> Option<(Global<'_>, usize)> {
    let text = args.get(i)?.to_str()?;
    // `--rg VALUE`: the value is the next argument.
    let separate = || value(args.get(i + 1));
    match text {
        "--verbose" => return Some((Global::Verbose(1), 1)),
        "--quiet" | "-q" => return Some((Global::Quiet, 1)),
        "--no-color" => return Some((Global::NoColor, 1)),
        "--resource-group" | "--rg" => return Some((Global::ResourceGroup(separate()?), 2)),
        "--subscription" => return Some((Global::Subscription(separate()?), 2)),
        _ => {}
    }
    if let Some(value) = text
        .strip_prefix("--resource-group=")
        .or_else(|| text.strip_prefix("--rg="))
    {
        return Some((Global::ResourceGroup(checked(value)?), 1));
    }
    if let Some(value) = text.strip_prefix("--subscription=") {
        return Some((Global::Subscription(checked(value)?), 1));
    }
    let shorts = text
        .strip_prefix('-')
        .filter(|s| !s.is_empty() && !s.starts_with('-'))?;
    if shorts.bytes().all(|b| b == b'v') {
        return Some((Global::Verbose(u8::try_from(shorts.len()).ok()?), 1));
    }
    shorts
        .bytes()
        .all(|b| matches!(b, b'v' | b'q'))
        .then_some((Global::Flags, 1))
}

/// Sets a flag; a repeated flag is clap's to judge.
fn set_once(flag: &mut bool) -> Option<()> {
    if *flag {
        return None;
    }
    *flag = true;
    Some(())
}

/// Sets an option's value; a repeated option is clap's to judge.
fn set_value(slot: &mut Option<String>, value: &str) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value.to_string());
    Some(())
}

/// The separate value of `--rg VALUE`: clap decides about missing, empty, non-UTF-8 or
/// dash-led values.
fn value(arg: Option<&OsString>) -> Option<&str> {
    arg.and_then(|a| a.to_str()).and_then(checked)
}

/// A value the fast path takes as clap would: not empty and not starting with `-`.
fn checked(value: &str) -> Option<&str> {
    (!value.is_empty() && !value.starts_with('-')).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    fn plugin(args: &[&str]) -> Option<(GlobalArgs, String, Vec<String>)> {
        match scan(&os(args))? {
            Early::Plugin { global, name, args } => Some((
                global,
                name.into_string().unwrap(),
                args.into_iter().map(|a| a.into_string().unwrap()).collect(),
            )),
            Early::Version => panic!("{args:?} scanned as --version"),
        }
    }

    #[test]
    fn builtins_match_clap() {
        let mut ours: Vec<&str> = BUILTINS.to_vec();
        let mut clap = crate::commands::plugin::builtins();
        ours.sort_unstable();
        clap.sort_unstable();
        assert_eq!(ours, clap, "fast_path::BUILTINS must list every built-in");
    }

    #[test]
    fn version_line_is_claps() {
        use clap::CommandFactory;
        let clap = crate::cli::Cli::command().render_version();
        assert_eq!(clap, format!("{}\n", version_line()));
    }

    #[test]
    fn version_only_alone() {
        assert!(matches!(scan(&os(&["--version"])), Some(Early::Version)));
        assert!(matches!(scan(&os(&["-V"])), Some(Early::Version)));
        assert!(scan(&os(&["--version", "x"])).is_none());
        assert!(scan(&os(&["-v", "--version"])).is_none());
    }

    #[test]
    fn plugin_with_globals_and_arguments() {
        let (g, name, args) = plugin(&[
            "-vv",
            "--verbose",
            "--rg",
            "rg1",
            "--subscription=sub",
            "--no-color",
            "foo",
            "--help",
            "-q",
            "list",
        ])
        .unwrap();
        assert_eq!(name, "foo");
        assert_eq!(args, ["--help", "-q", "list"]);
        assert_eq!(g.verbose, 3);
        assert!(!g.quiet && g.no_color);
        assert_eq!(g.resource_group.as_deref(), Some("rg1"));
        assert_eq!(g.subscription.as_deref(), Some("sub"));

        let (g, _, _) = plugin(&["-q", "--resource-group=x", "foo"]).unwrap();
        assert!(g.quiet);
        assert_eq!(g.resource_group.as_deref(), Some("x"));
    }

    #[test]
    fn everything_else_goes_to_clap() {
        for args in [
            &[][..],
            &["list"],
            &["help", "foo"],
            &["plugin", "list"],
            &["-v", "resolve", "x"],
            &["../x"],
            &["a/b"],
            &["Foo"],
            &["-x", "foo"],
            &["-qv", "foo"],
            &["-q", "-v", "foo"],
            &["-q", "-q", "foo"],
            &["--rg", "a", "--rg", "b", "foo"],
            &["--rg"],
            &["--rg", "-v", "foo"],
            &["--rg=", "foo"],
            &["--", "foo"],
            &["--help"],
            &["-h", "foo"],
            &["--verbose=1", "foo"],
            &["-v"],
        ] {
            assert!(scan(&os(args)).is_none(), "{args:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_before_the_name_goes_to_clap_after_it_passes() {
        use std::os::unix::ffi::OsStringExt;
        let bad = OsString::from_vec(vec![0x66, 0xff]);
        assert!(scan(&[bad.clone(), "foo".into()]).is_none());
        let Some(Early::Plugin { args, .. }) = scan(&["foo".into(), bad.clone()]) else {
            panic!("not scanned as a plugin");
        };
        assert_eq!(args, [bad]);
    }

    fn wants(args: &[&str]) -> bool {
        let argv: Vec<OsString> = std::iter::once("azlin")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        wants_top_help(&argv)
    }

    #[test]
    fn only_azlins_own_help_lists_plugins() {
        for yes in [
            &[][..],
            &["--help"],
            &["-h"],
            &["-vq", "--help"],
            &["--rg", "x", "-h"],
            &["--subscription=s", "--no-color", "--help"],
        ] {
            assert!(wants(yes), "{yes:?}");
        }
        for no in [
            &["--version"][..],
            &["-V"],
            &["list"],
            &["foo", "--help"],
            &["host", "--help"],
        ] {
            assert!(!wants(no), "{no:?}");
        }
    }
}
