//! The command line's top: azlin's global options, the list of commands, and the
//! argument types several commands share. Each command's own arguments are defined
//! beside its `run`, in `commands/`.

use std::ffi::OsString;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::code::{CODE_HELP, CodeArgs};
use crate::commands::completions::candidates::CompleteArgs;
use crate::commands::completions::script::{COMPLETIONS_HELP, CompletionsArgs};
use crate::commands::connect::{CONNECT_HELP, ConnectArgs, SSH_HELP, SshArgs};
use crate::commands::exec::{EXEC_HELP, ExecArgs};
use crate::commands::help::HelpArgs;
use crate::commands::host::HostCommand;
use crate::commands::list::{LIST_HELP, ListArgs};
use crate::commands::man::ManArgs;
use crate::commands::peek::{PEEK_HELP, PeekArgs};
use crate::commands::plugin::{PLUGIN_HELP, PluginCommand};
use crate::commands::resolve::{RESOLVE_HELP, ResolveArgs};
use crate::commands::send::{SEND_HELP, SendArgs};
use crate::commands::session::SessionOpArgs;
use crate::commands::session::label::{SESSION_HELP, SessionArgs};
use crate::commands::ssh_config::{SSH_CONFIG_HELP, SshConfigArgs};
use crate::commands::tag::TagCommand;
use crate::commands::wait::{WAIT_HELP, WaitArgs};

/// tmux sessions on remote Linux VMs, by name.
///
/// `myvm:dev` is tmux session `dev` on VM `myvm`. VMs come from the local inventory
/// (`azlin host add`) and need no cloud account.
#[derive(Debug, Parser)]
#[command(
    name = "azlin",
    version,
    propagate_version = true,
    max_term_width = 100,
    // `azlin foo` for any other `foo` runs plugin `azlin-foo` (DESIGN.md, Plugins).
    allow_external_subcommands = true,
    // Our own `help` also reaches plugins (`azlin help foo` runs `azlin-foo --help`).
    disable_help_subcommand = true
)]
pub struct Cli {
    /// Options every command accepts.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Azure resource group to narrow to
    #[arg(
        long = "resource-group",
        visible_alias = "rg",
        global = true,
        value_name = "RG"
    )]
    pub resource_group: Option<String>,
    /// Azure subscription id
    #[arg(long, global = true, value_name = "ID")]
    pub subscription: Option<String>,
    /// Log every ssh command and HTTP request to stderr, with status and time (-vv: more)
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Print no warnings and no progress, only results and errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Never colour the output
    #[arg(long, global = true)]
    pub no_color: bool,
}

/// azlin's built-in commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show where a name leads (VM, session, address, ssh alias) without connecting
    #[command(after_help = RESOLVE_HELP)]
    Resolve(ResolveArgs),
    /// Manage the local inventory: hosts reached over ssh, no cloud needed
    #[command(subcommand)]
    Host(HostCommand),
    /// List VMs and their tmux sessions, probed live over ssh
    #[command(after_help = LIST_HELP)]
    List(ListArgs),
    /// Open tmux session S on a VM (attach or create), or run a command there
    #[command(after_help = SSH_HELP)]
    Ssh(SshArgs),
    /// Attach to a session by name (`vm:session`, a session, a label…), creating it if needed
    #[command(after_help = CONNECT_HELP)]
    Connect(ConnectArgs),
    /// Run a command in sessions: in the active pane's directory, status passed through
    #[command(after_help = EXEC_HELP)]
    Exec(ExecArgs),
    /// Show the last lines of a session's pane without attaching (`--follow` keeps going)
    #[command(after_help = PEEK_HELP)]
    Peek(PeekArgs),
    /// Type text (or tmux keys) into a session's pane without attaching
    #[command(after_help = SEND_HELP)]
    Send(SendArgs),
    /// Wait until a session's job is done, its output is idle, or a pattern shows
    #[command(after_help = WAIT_HELP)]
    Wait(WaitArgs),
    /// Open VS Code (Remote-SSH) on a session's VM, in the pane's directory
    #[command(after_help = CODE_HELP)]
    Code(CodeArgs),
    /// Detach every client from a session; the session keeps running
    #[command(after_help = "Example:\n  azlin disconnect myvm:dev")]
    Disconnect(SessionOpArgs),
    /// End a session and everything running in it
    #[command(after_help = "Example:\n  azlin kill myvm:dev")]
    Kill(SessionOpArgs),
    /// Show, set or clear the name of a VM (`session VM NAME`) or a session (`session vm:s NAME`)
    #[command(after_help = SESSION_HELP)]
    Session(SessionArgs),
    /// List, add or remove tags of a VM (Azure tags, or a local host's tags)
    #[command(subcommand)]
    Tag(TagCommand),
    /// Write `Host vm vm--session` aliases to ~/.ssh/config.d for plain ssh, scp and VS Code
    #[command(
        name = "ssh-config",
        args_conflicts_with_subcommands = true,
        after_help = SSH_CONFIG_HELP
    )]
    SshConfig(SshConfigArgs),
    /// List plugins (`azlin-NAME` executables), or run one by name
    #[command(subcommand, after_help = PLUGIN_HELP)]
    Plugin(PluginCommand),
    /// Show help for a command or a plugin
    Help(HelpArgs),
    /// Print the shell completion script (bash, zsh, fish, powershell, elvish)
    #[command(after_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),
    /// Write man pages for azlin and each command into a directory
    #[command(
        after_help = "Example:\n  azlin man --dir ~/.local/share/man/man1 && man azlin-connect"
    )]
    Man(ManArgs),
    /// Names for shell completion, from local caches only (used by the completion scripts)
    #[command(name = "__complete", hide = true)]
    Complete(CompleteArgs),
    /// Any other name runs plugin `azlin-NAME` with the remaining arguments.
    #[command(external_subcommand)]
    External(Vec<OsString>),
}

/// How remote operations connect.
#[derive(Debug, Clone, Args)]
pub struct RemoteArgs {
    /// Seconds a VM may take to answer, login included; later, keepalives end a connection that went silent (a probe gives up 3 s after the timeout)
    #[arg(long, value_name = "SECS", default_value_t = 10, env = "AZLIN_TIMEOUT",
          value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub timeout: u32,
}

/// A duration argument (`90`, `30s`, `5m`, `1h30m`).
pub fn duration(text: &str) -> Result<std::time::Duration, String> {
    azlin_core::duration::parse(text)
}

/// Format of a single record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InfoFormat {
    /// Readable text
    Text,
    /// One JSON object
    Json,
}

/// Format of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A boxed table on a terminal, plain aligned columns in a pipe
    Table,
    /// One JSON array
    Json,
}
