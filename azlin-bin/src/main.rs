//! The `azlin` binary: parses the command line, runs one command, renders errors once.

mod cli;
mod commands;
mod context;
mod diag;
mod fast_path;
mod handoff;
mod output;

use std::ffi::OsString;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::{Cli, Command};
use crate::context::Context;

fn main() -> std::process::ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    std::process::ExitCode::from(early(&args).unwrap_or_else(|| command_line(args)))
}

/// Everything but the fast paths: clap parses, the command runs.
fn command_line(args: Vec<OsString>) -> u8 {
    let mut command = Cli::command();
    // Listing plugins reads directories: only for azlin's own help, never on the path of
    // a command (or of `--version`).
    if fast_path::wants_top_help(&args) {
        command = commands::help::with_plugins(command);
    }
    let matches = match command.try_get_matches_from_mut(args.clone()) {
        Ok(m) => m,
        Err(e) if e.kind() == clap::error::ErrorKind::InvalidUtf8 => return not_utf8(&args),
        Err(e) if e.use_stderr() => return usage_error(args),
        // Help and version: azlin's own text, printed by clap.
        Err(e) => e.exit(),
    };
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let no_color = cli.global.no_color;
    finish(run(cli), no_color)
}

/// Says which argument is not UTF-8 (clap only says that one is), and exits 2.
fn not_utf8(args: &[OsString]) -> u8 {
    let bad = args
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, a)| a.to_str().is_none());
    if let Some((i, arg)) = bad {
        let prefix = output::paint(output::Look::stderr(false), "error:", output::Paint::Red);
        eprintln!(
            "{prefix} argument {i} ({arg:?}) is not valid UTF-8: names, options and commands \
             given to azlin must be text; re-type it (check the terminal's locale)"
        );
    }
    2
}

/// Prints clap's message about a command line it refused, by the escaping rule (it quotes
/// the user's arguments, which may hold anything), and returns its exit status (2).
fn usage_error(args: Vec<OsString>) -> u8 {
    let no_color = args.iter().any(|a| a == "--no-color");
    // Parsed again by a fresh command without clap's styling (a built command has handed
    // its styles down to its subcommands already), so that the only escapes left in the
    // message are those of the arguments, and `output::message` shows them.
    let Err(e) = Cli::command()
        .styles(clap::builder::Styles::plain())
        .try_get_matches_from(args)
    else {
        return azlin_core::EXIT_USAGE as u8;
    };
    let text = e.render().ansi().to_string();
    let text = text.strip_prefix("error:").unwrap_or(&text);
    let prefix = output::paint(output::Look::stderr(no_color), "error:", output::Paint::Red);
    eprint!("{prefix}{}", output::message(text));
    u8::try_from(e.exit_code()).unwrap_or(azlin_core::EXIT_USAGE as u8)
}

/// The start-up fast paths (see `fast_path`): a plugin or `--version` without building
/// clap's command tree. `None` hands the command line to clap.
fn early(args: &[OsString]) -> Option<u8> {
    match fast_path::scan(args.get(1..)?)? {
        fast_path::Early::Version => {
            println!("{}", fast_path::version_line());
            Some(0)
        }
        // Only a plugin that exists: an unknown name gets clap's path and its message.
        // What was found runs as it is: the search path is not walked a second time.
        fast_path::Early::Plugin { global, name, args } => {
            let found = commands::plugin::locate(&name).ok().flatten()?;
            let no_color = global.no_color;
            Some(finish(
                commands::plugin::run_found(&global, found, args),
                no_color,
            ))
        }
    }
}

/// The exit status of a command, rendering its error once.
fn finish(result: anyhow::Result<u8>, no_color: bool) -> u8 {
    diag::clear();
    let code = match result {
        Ok(code) => code,
        Err(err) => {
            let prefix =
                output::paint(output::Look::stderr(no_color), "error:", output::Paint::Red);
            eprintln!("{prefix} {}", output::message(&render_error(&err)));
            exit_code(&err)
        }
    };
    // A signal that ended the run's ssh processes (azlin_core::interrupt) decides the
    // status, as it would have without the handler: 130, 143, 129.
    azlin_core::interrupt::received().map_or(code, azlin_core::interrupt::exit_status)
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    // Plugins and help read no configuration: dispatch stays cheap, and a broken
    // config.toml cannot block a plugin that does not use it.
    let command = match cli.command {
        Command::External(argv) => return commands::plugin::external(&cli.global, argv),
        Command::Plugin(cmd) => return commands::plugin::run(&cli.global, cmd),
        Command::Help(args) => return commands::help::run(&cli.global, &args),
        Command::Completions(args) => return commands::completions::script::run(&args),
        Command::Complete(args) => return commands::completions::candidates::run(&args),
        Command::Man(args) => return commands::man::run(&args),
        other => other,
    };
    let ctx = Context::load(&cli.global)?;
    match command {
        Command::Resolve(args) => commands::resolve::run(&ctx, &args),
        Command::Host(cmd) => commands::host::run(&ctx, &cmd),
        Command::List(args) => commands::list::run(&ctx, &args),
        Command::Ssh(args) => commands::connect::run_ssh(&ctx, &args),
        Command::Connect(args) => commands::connect::run_connect(&ctx, &args),
        Command::Exec(args) => commands::exec::run(&ctx, &args),
        Command::Peek(args) => commands::peek::run(&ctx, &args),
        Command::Send(args) => commands::send::run(&ctx, &args),
        Command::Wait(args) => commands::wait::run(&ctx, &args),
        Command::Code(args) => commands::code::run(&ctx, &args),
        Command::Disconnect(args) => commands::session::disconnect::run(&ctx, &args),
        Command::Kill(args) => commands::session::kill::run(&ctx, &args),
        Command::Session(args) => commands::session::label::run(&ctx, &args),
        Command::Tag(cmd) => commands::tag::run(&ctx, &cmd),
        Command::SshConfig(args) => commands::ssh_config::run(&ctx, &args),
        Command::External(_)
        | Command::Plugin(_)
        | Command::Help(_)
        | Command::Completions(_)
        | Command::Complete(_)
        | Command::Man(_) => {
            unreachable!("handled before the configuration is loaded")
        }
    }
}

/// The message, followed by its causes where they add something.
fn render_error(err: &anyhow::Error) -> String {
    let mut msg = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
    }
    msg
}

/// The exit status DESIGN.md gives the error: 2 for bad input, 1 otherwise.
fn exit_code(err: &anyhow::Error) -> u8 {
    if err.chain().any(|e| e.is::<context::UsageError>()) {
        return azlin_core::EXIT_USAGE as u8;
    }
    err.chain()
        .find_map(|e| e.downcast_ref::<azlin_core::Error>())
        .map(|e| e.exit_code() as u8)
        .unwrap_or(1)
}
