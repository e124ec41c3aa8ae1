//! The hidden `azlin __complete -- WORD…` that the completion scripts call on every TAB
//! (see [`super::completions`] for the scripts).
//!
//! It gets the words typed after `azlin` up to the cursor (the last one is being
//! completed, possibly empty), works out from the command definitions what that word is,
//! and answers on stdout:
//!
//! - `replace` then one candidate per line: offer exactly these (names, plugin arguments);
//! - `add` then one candidate per line: offer these as well as the script's own static
//!   candidates (plugin names next to the built-in commands);
//! - nothing, exit status 1: the script completes statically (commands, flags, files).
//!
//! Everything comes from local files ([`azlin_core::complete`]): no network, no config.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::io::Write;

use anyhow::Result;
use azlin_core::complete::{self as core, NameKind};
use azlin_core::paths::Paths;
use azlin_core::plugin::dispatch::Globals;
use azlin_core::plugin::{self, Invocation, SearchPath};
use clap::{Arg, Args, CommandFactory};

use crate::cli::Cli;
use crate::commands::name_args::name_kind;
use crate::commands::plugin::{builtins, discover};

/// `azlin __complete -- WORD…`: the words after `azlin`, the last being completed.
#[derive(Debug, Args)]
pub struct CompleteArgs {
    /// The words typed after `azlin` up to the cursor (the last one may be empty)
    #[arg(last = true, value_name = "WORD")]
    pub words: Vec<String>,
}

/// What the word under the cursor is.
#[derive(Debug, PartialEq, Eq)]
enum Slot {
    /// Complete statically (flags, option values, files, commands below the top level).
    Static,
    /// The command name right after `azlin` (and its global options).
    Command,
    /// A name: a positional typed as one ([`crate::commands::name_args`]).
    Name(NameKind),
    /// A session of the VM named on the line (`ssh VM --tmux-session S`); `None` when no
    /// VM is named yet.
    Session(Option<String>),
    /// A command or plugin name (`azlin help NAME`).
    CommandName,
    /// A plugin name (`azlin plugin exec NAME`).
    PluginName,
    /// The argument of plugin `name`; `words` are those after its name.
    PluginArg { name: String, words: Vec<String> },
}

/// Runs `azlin __complete`.
pub fn run(args: &CompleteArgs) -> Result<u8> {
    let words = if args.words.is_empty() {
        vec![String::new()]
    } else {
        args.words.clone()
    };
    let current = words.last().map(String::as_str).unwrap_or("");
    let (mode, candidates): (&str, Vec<String>) = match slot(&words) {
        Slot::Static => return Ok(1),
        Slot::Command => ("add", plugin_names(current, false)?),
        Slot::CommandName => {
            let mut all: BTreeSet<String> = builtins()
                .into_iter()
                .filter(|b| b.starts_with(current) && !b.starts_with("__"))
                .collect();
            all.extend(plugin_names(current, false)?);
            ("replace", all.into_iter().collect())
        }
        Slot::PluginName => ("replace", plugin_names(current, true)?),
        Slot::Name(kind) => {
            let paths = Paths::from_env().map_err(azlin_core::Error::from)?;
            let names = core::names(&paths, current, kind);
            ("replace", names.into_iter().collect())
        }
        Slot::Session(vm) => {
            let paths = Paths::from_env().map_err(azlin_core::Error::from)?;
            let sessions = vm.map(|vm| core::sessions_of(&paths, &vm, current));
            ("replace", sessions.into_iter().flatten().collect())
        }
        Slot::PluginArg { name, words } => match plugin_args(&name, &words)? {
            Some(candidates) => ("replace", candidates),
            None => return Ok(1),
        },
    };
    // Thousands of names: one write, not one per line (stdout is line-buffered).
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(out, "{mode}")?;
    for c in candidates {
        writeln!(out, "{c}")?;
    }
    out.flush()?;
    Ok(0)
}

/// The runnable plugins whose names start with `prefix`; with `shadowed_too`, also those
/// a built-in hides (`plugin exec` reaches them).
fn plugin_names(prefix: &str, shadowed_too: bool) -> Result<Vec<String>> {
    Ok(discover()?
        .plugins
        .into_iter()
        .filter(|p| p.executable && (shadowed_too || !p.builtin) && p.name.starts_with(prefix))
        .map(|p| p.name)
        .collect())
}

/// The candidates of plugin `name`'s completer for `words`, or `None` when it has none
/// (or it failed: the shell then completes files, as it would without azlin).
fn plugin_args(name: &str, words: &[String]) -> Result<Option<Vec<String>>> {
    let paths = Paths::from_env().map_err(azlin_core::Error::from)?;
    let search = SearchPath::from_env(&paths.plugins_dir());
    let Some(path) = core::completer(&search, name) else {
        return Ok(None);
    };
    // The completer gets the plugin's own environment contract (AZLIN_BIN, AZLIN_HOME,
    // AZLIN_PLUGIN_NAME…); the depth check also stops a completer that calls itself.
    let azlin_bin = std::env::current_exe()?;
    let Ok(invocation) = Invocation::new(
        name,
        path.clone(),
        Vec::new(),
        &azlin_bin,
        &paths.azlin_home,
        &Globals::default(),
        std::env::var_os(plugin::dispatch::DEPTH_VAR).as_deref(),
    ) else {
        return Ok(None);
    };
    Ok(core::run_completer(&path, words, invocation.env(), core::COMPLETER_TIMEOUT).ok())
}

/// Works out what `words` (after `azlin`; the last is under the cursor) ask for, from the
/// command definitions: which subcommand, which positional, whether an option wants a value.
fn slot(words: &[String]) -> Slot {
    let mut root = Cli::command();
    root.build();
    let Some((current, before)) = words.split_last() else {
        return Slot::Static;
    };
    let mut cmd = &root;
    let mut path: Vec<&str> = Vec::new();
    let mut positionals = 0usize;
    let mut first_positional: Option<&str> = None;
    let mut i = 0;
    while i < before.len() {
        let word = before[i].as_str();
        i += 1;
        if word == "--" {
            // Everything after `--` is a command for the VM (or a plugin's own words).
            return Slot::Static;
        }
        if word == "--tmux-session" && path == ["ssh"] && i == before.len() {
            // The session of the VM on the line, never a file. A VM given after the
            // option is not known yet: nothing to offer.
            return Slot::Session(first_positional.map(str::to_string));
        }
        if word.len() > 1 && word.starts_with('-') {
            if option_wants_value(cmd, &root, word) {
                i += 1;
            }
            continue;
        }
        if positionals == 0 && cmd.has_subcommands() {
            if let Some(sub) = cmd.find_subcommand(word) {
                path.push(sub.get_name());
                cmd = sub;
                continue;
            }
            return if path.is_empty() {
                plugin_arg(word, &words[i..])
            } else {
                Slot::Static
            };
        }
        if path == ["plugin", "exec"] {
            // `plugin exec NAME ARGS…`: the rest belongs to the plugin.
            return plugin_arg(word, &words[i..]);
        }
        first_positional.get_or_insert(word);
        positionals += 1;
    }
    // An option's value (the loop stepped past the last word), or an option itself.
    if i > before.len() || current.starts_with('-') {
        return Slot::Static;
    }
    if cmd.has_subcommands() {
        return if path.is_empty() {
            Slot::Command
        } else {
            Slot::Static
        };
    }
    let args: Vec<&Arg> = cmd.get_positionals().filter(|a| !a.is_last_set()).collect();
    let arg = args.get(positionals).copied().or_else(|| {
        args.last()
            .copied()
            .filter(|a| a.get_num_args().is_some_and(|n| n.max_values() > 1))
    });
    let Some(arg) = arg else {
        return Slot::Static;
    };
    match path.as_slice() {
        ["help"] => Slot::CommandName,
        ["plugin", "exec"] => Slot::PluginName,
        // What a positional names comes from its type (`name_args`), not its value name.
        _ => name_kind(arg).map_or(Slot::Static, Slot::Name),
    }
}

/// The words after `azlin NAME` (or `azlin plugin exec NAME`): plugin `NAME`'s, when
/// `NAME` can be a plugin's name.
fn plugin_arg(name: &str, words: &[String]) -> Slot {
    match plugin::valid_name(OsStr::new(name)) {
        Some(name) => Slot::PluginArg {
            name: name.to_string(),
            words: words.to_vec(),
        },
        None => Slot::Static,
    }
}

/// Whether `word` (an option, as typed) takes the next word as its value.
fn option_wants_value(cmd: &clap::Command, root: &clap::Command, word: &str) -> bool {
    if word.contains('=') {
        return false;
    }
    let matches = |a: &&Arg| {
        if let Some(long) = word.strip_prefix("--") {
            a.get_long() == Some(long)
                || a.get_all_aliases()
                    .is_some_and(|aliases| aliases.contains(&long))
        } else {
            // `-j4` carries its value; `-j` wants the next word; `-vq` is two flags.
            let mut shorts = word[1..].chars();
            let first = shorts.next();
            shorts.next().is_none() && a.get_short() == first
        }
    };
    cmd.get_arguments()
        .chain(root.get_arguments())
        .find(matches)
        .is_some_and(|a| a.get_action().takes_values())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: &str) -> Slot {
        let mut words: Vec<String> = line.split(' ').map(str::to_string).collect();
        if line.is_empty() {
            words = vec![String::new()];
        }
        slot(&words)
    }

    #[test]
    fn slots_follow_the_command_definitions() {
        assert_eq!(at("my"), Slot::Command);
        assert_eq!(at("-v --rg x "), Slot::Command);
        assert_eq!(at("--rg "), Slot::Static);
        assert_eq!(at("connect my"), Slot::Name(NameKind::Any));
        assert_eq!(at("-v connect --timeout 5 my"), Slot::Name(NameKind::Any));
        assert_eq!(at("connect --timeout "), Slot::Static);
        assert_eq!(at("connect myvm "), Slot::Static);
        assert_eq!(at("connect myvm -- "), Slot::Static);
        assert_eq!(at("exec a b c"), Slot::Name(NameKind::Any));
        assert_eq!(at("exec --tag "), Slot::Static);
        assert_eq!(at("ssh m"), Slot::Name(NameKind::Vm));
        assert_eq!(at("tag add m"), Slot::Name(NameKind::VmName));
        assert_eq!(at("tag list m"), Slot::Name(NameKind::VmName));
        assert_eq!(at("tag add myvm k=v "), Slot::Static);
        assert_eq!(
            at("ssh myvm --tmux-session d"),
            Slot::Session(Some("myvm".into()))
        );
        assert_eq!(at("ssh --tmux-session "), Slot::Session(None));
        assert_eq!(at("ssh myvm --tmux-session dev "), Slot::Static);
        assert_eq!(at("session myvm "), Slot::Static);
        assert_eq!(at("list --"), Slot::Static);
        assert_eq!(at("host "), Slot::Static);
        assert_eq!(at("help con"), Slot::CommandName);
        assert_eq!(at("plugin exec f"), Slot::PluginName);
        let plugin = |words: &[&str]| Slot::PluginArg {
            name: "foo".into(),
            words: words.iter().map(|w| w.to_string()).collect(),
        };
        assert_eq!(at("foo "), plugin(&[""]));
        assert_eq!(at("-q foo --x b"), plugin(&["--x", "b"]));
        assert_eq!(at("plugin exec foo a"), plugin(&["a"]));
        assert_eq!(at("Foo "), Slot::Static);
        assert_eq!(at("ssh-config print m"), Slot::Name(NameKind::VmName));
        assert_eq!(at("host remove m"), Slot::Static);
    }

    /// The positionals that name no VM or target (`command path`, argument id). Every
    /// other positional must be typed as a name, so a new command cannot forget it.
    const NOT_NAMES: &[(&str, &str)] = &[
        ("host add", "name"), // a new host's name: nothing to complete
        ("host remove", "name"),
        ("ssh", "command"),
        ("connect", "command"),
        ("exec", "command"),
        ("send", "text"),
        ("session", "name"),
        ("tag add", "tags"),
        ("tag remove", "keys"),
        ("plugin exec", "argv"),
        ("help", "command"),
        ("completions", "shell"),
        ("__complete", "words"),
    ];

    /// Every positional of every command, as (`command path`, argument).
    fn positionals(cmd: &clap::Command, path: &str, out: &mut Vec<(String, Arg)>) {
        for arg in cmd.get_positionals() {
            out.push((path.to_string(), arg.clone()));
        }
        for sub in cmd.get_subcommands() {
            let path = format!("{path} {}", sub.get_name());
            positionals(sub, path.trim_start(), out);
        }
    }

    #[test]
    fn every_positional_that_names_a_target_has_a_kind() {
        let mut root = Cli::command();
        root.build();
        let mut all = Vec::new();
        positionals(&root, "", &mut all);
        for (path, arg) in &all {
            let id = arg.get_id().as_str();
            let listed = NOT_NAMES.contains(&(path.as_str(), id));
            let kind = name_kind(arg);
            assert!(
                kind.is_some() != listed,
                "`azlin {path}` positional `{id}`: type it as a name (commands::name_args) \
                 or list it in NOT_NAMES (kind {kind:?}, listed {listed})"
            );
            let value_names: Vec<String> = arg
                .get_value_names()
                .into_iter()
                .flatten()
                .map(|v| v.to_string())
                .collect();
            if value_names.iter().any(|v| v == "ID" || v == "VM") {
                assert!(kind.is_some(), "`azlin {path}` {value_names:?} has no kind");
            }
        }
        for (path, id) in NOT_NAMES {
            assert!(
                all.iter()
                    .any(|(p, a)| p == path && a.get_id().as_str() == *id),
                "NOT_NAMES lists `azlin {path}` `{id}`, which no longer exists"
            );
        }
    }
}
