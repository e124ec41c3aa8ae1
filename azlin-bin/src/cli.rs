//! The command line: clap definitions only. Each command's behaviour lives in
//! `commands/<name>.rs`.

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
    max_term_width = 100
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
    /// Write `Host vm vm--session` aliases to ~/.ssh/config.d for plain ssh, scp and VS Code
    #[command(
        name = "ssh-config",
        args_conflicts_with_subcommands = true,
        after_help = SSH_CONFIG_HELP
    )]
    SshConfig(SshConfigArgs),
}

const SSH_CONFIG_HELP: &str = "\
Writes one file per VM, ~/.ssh/config.d/azlin-<vm>.conf: `Host <vm> <vm>--*` with the
connection options, then `Host <vm>--<session>` with `RemoteCommand tmux new-session -A -s
<session>` for every known session. One `Include` line at the top of ~/.ssh/config pulls
them in (a backup is kept in ~/.ssh/config.azlin.bak before its first edit).

Examples:
  azlin ssh-config              # sync; then `ssh myvm--dev` attaches session dev
  azlin ssh-config --dry-run    # show the changes as a diff
  azlin ssh-config --check      # exit 1 when out of date (CI, cron)
  azlin ssh-config print        # the stanzas on stdout, for `ssh -F`
  azlin ssh-config remove       # undo: delete the files and the Include line

Exit status: 0 in sync; 1 when out of date (--check), when a VM or session got no alias
(named on stderr), or when ~/.ssh/config is read-only (the line to add is printed).";

/// `azlin ssh-config`.
#[derive(Debug, Args)]
pub struct SshConfigArgs {
    /// `print` or `remove`; without one, sync
    #[command(subcommand)]
    pub action: Option<SshConfigAction>,
    /// Show what a sync would change as a unified diff, and write nothing
    #[arg(long, conflicts_with = "check")]
    pub dry_run: bool,
    /// Exit 1 if the generated config is out of date, and write nothing
    #[arg(long)]
    pub check: bool,
}

/// `azlin ssh-config print|remove`.
#[derive(Debug, Subcommand)]
pub enum SshConfigAction {
    /// Print the generated stanzas on stdout (for `ssh -F` or another tool)
    Print,
    /// Delete the generated files and the Include line; the rest of ~/.ssh/config stays as it is
    Remove,
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
