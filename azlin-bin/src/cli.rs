//! The command line: clap definitions only. Each command's behaviour lives in
//! `commands/<name>.rs`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    /// Say more (repeat for more detail)
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Print no warnings
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
    /// List plugins (`azlin-NAME` executables), or run one by name
    #[command(subcommand, after_help = PLUGIN_HELP)]
    Plugin(PluginCommand),
    /// Show help for a command or a plugin
    Help(HelpArgs),
    /// Any other name runs plugin `azlin-NAME` with the remaining arguments.
    #[command(external_subcommand)]
    External(Vec<OsString>),
}

const PLUGIN_HELP: &str = "\
`azlin NAME ARGS…` runs the first `azlin-NAME` found in $AZLIN_PLUGIN_PATH,
$AZLIN_HOME/plugins, then the absolute directories of PATH, when NAME is no built-in.
Global options given before NAME reach it as AZLIN_VERBOSE, AZLIN_QUIET, AZLIN_NO_COLOR,
AZLIN_SUBSCRIPTION and AZLIN_RESOURCE_GROUP; see plugins/README.md for the whole protocol.

Examples:
  azlin plugin list
  azlin -v plugin list --json
  azlin plugin exec health";

/// `azlin plugin …`.
#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// List the plugins found, warning about broken ones (exit 1 when it warned).
    /// With -v, ask each for its version and description (2 s limit, cached)
    List(PluginListArgs),
    /// Run a plugin, even one whose name a built-in command takes
    Exec(PluginExecArgs),
}

/// `azlin plugin list`.
#[derive(Debug, Args)]
pub struct PluginListArgs {
    /// Print one JSON object: `plugins` and `warnings`
    #[arg(long)]
    pub json: bool,
}

/// `azlin plugin exec`.
#[derive(Debug, Args)]
pub struct PluginExecArgs {
    /// The plugin's name (`health` runs `azlin-health`)
    #[arg(value_name = "NAME")]
    pub name: OsString,
    /// Arguments for the plugin, passed as they are
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub args: Vec<OsString>,
}

/// `azlin help`.
#[derive(Debug, Args)]
pub struct HelpArgs {
    /// A command (`host add`) or a plugin's name
    #[arg(value_name = "COMMAND")]
    pub command: Vec<OsString>,
}

const RESOLVE_HELP: &str = "\
Identifiers:
  vm:session   that session on that VM (VM by name, label or IP)
  vm:          that VM, default session
  :session     the one VM that has that session
  vm--session  a generated ssh alias
  name         a VM name, VM label, session name or IP; must match exactly one

Examples:
  azlin resolve myvm:dev
  azlin resolve dev --format json";

/// `azlin resolve`.
#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// The name to resolve: `vm:session`, `vm:`, `:session`, `vm--session`, or a bare name
    #[arg(value_name = "ID", allow_hyphen_values = false)]
    pub id: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = InfoFormat::Text)]
    pub format: InfoFormat,
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
    /// Aligned columns
    Table,
    /// One JSON array
    Json,
}

/// `azlin host …`.
#[derive(Debug, Subcommand)]
pub enum HostCommand {
    /// Register a host
    #[command(
        after_help = "Example:\n  azlin host add devbox --address 10.0.0.4 --user alice --label api"
    )]
    Add(HostAddArgs),
    /// List registered hosts
    List(HostListArgs),
    /// Forget a host (the machine itself is not touched)
    Remove(HostRemoveArgs),
}

/// `azlin host add`.
#[derive(Debug, Args)]
pub struct HostAddArgs {
    /// Name to call the host by (letters, digits, `-`, `_`, `.`)
    pub name: String,
    /// IP address or DNS name of the host
    #[arg(long, short = 'a', value_name = "ADDR")]
    pub address: String,
    /// sshd port
    #[arg(long, short = 'p', value_name = "PORT")]
    pub port: Option<u16>,
    /// Login name (default: `default_user` in config.toml, else ssh's own default)
    #[arg(long, short = 'u', value_name = "USER")]
    pub user: Option<String>,
    /// Private key to use
    #[arg(long, short = 'i', value_name = "FILE")]
    pub identity_file: Option<PathBuf>,
    /// Jump host(s), as for `ssh -J`
    #[arg(long, short = 'J', value_name = "JUMP")]
    pub proxy_jump: Option<String>,
    /// A label to connect by (`azlin connect LABEL`)
    #[arg(long, value_name = "LABEL")]
    pub label: Option<String>,
    /// A tag, KEY=VALUE (repeatable)
    #[arg(long = "tag", value_name = "K=V")]
    pub tags: Vec<String>,
}

/// `azlin host list`.
#[derive(Debug, Args)]
pub struct HostListArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// `azlin host remove`.
#[derive(Debug, Args)]
pub struct HostRemoveArgs {
    /// The host's name
    pub name: String,
}
