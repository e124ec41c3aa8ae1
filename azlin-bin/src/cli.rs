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

const COMPLETIONS_HELP: &str = "\
Examples:
  source <(azlin completions bash)                  # bash, this shell
  azlin completions bash > ~/.local/share/bash-completion/completions/azlin
  azlin completions zsh > ~/.zfunc/_azlin           # with fpath+=~/.zfunc before compinit
  azlin completions fish > ~/.config/fish/completions/azlin.fish
  azlin completions elvish > ~/.config/elvish/lib/azlin.elv   # with `use azlin` in rc.elv

In bash, zsh, fish and elvish, names complete from the local caches, without network: VMs,
labels, vm:session and vm--session after connect, ssh, exec, peek, send, wait, code,
disconnect, kill, session, resolve and tag; plugin names after `azlin` and `azlin help`; a plugin's own arguments
through its `azlin_complete-NAME` (see plugins/README.md).";

/// `azlin completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write the script for
    pub shell: clap_complete::Shell,
}

/// `azlin man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Directory to write `azlin.1` and `azlin-COMMAND.1` into (created if missing)
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
}

/// `azlin __complete -- WORD…`: the words after `azlin`, the last being completed.
#[derive(Debug, Args)]
pub struct CompleteArgs {
    /// The words typed after `azlin` up to the cursor (the last one may be empty)
    #[arg(last = true, value_name = "WORD")]
    pub words: Vec<String>,
}

const SSH_CONFIG_HELP: &str = "\
Writes one file per VM, ~/.ssh/config.d/azlin-<vm>.conf: `Host <vm> <vm>--*` with the
connection options, then `Host <vm>--<session>` with `RemoteCommand tmux new-session -A -s
<session>` for every known session. One `Include` line at the top of ~/.ssh/config pulls
them in (a backup is kept in ~/.ssh/config.azlin.bak before its first edit).
Connection sharing (ControlMaster, sockets in ~/.ssh/cm) is written only when the client
supports it and the socket paths fit under your home. A sync that changes nothing writes
nothing and, thanks to $AZLIN_HOME/cache/ssh-config-stamp.json, reads no generated file.

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
    /// Print the generated config on stdout (for `ssh -F` or another tool), or only one VM's part
    Print {
        /// Only this VM's part (its `Host VM VM--*` and session blocks, and the shared options)
        vm: Option<String>,
    },
    /// Delete the generated files and the Include line; the rest of ~/.ssh/config stays as it is
    Remove,
}

const LIST_HELP: &str = "\
Each VM is probed over ssh (one connection per VM, all at once, bounded by --timeout).
An unreachable VM is listed with its status and a warning; the exit status is then 1.
On a terminal the table has a REGION column when a VM has a region (the Azure location, or
a local host's `region`); plain columns have it only with --wide; JSON and CSV have `region`.

JSON rows (and the sessions of --vms) carry `attached` (true or false), `clients` (how
many are attached) and `last_activity` (the session's last activity in RFC 3339, UTC;
null when the VM did not say).

Examples:
  azlin list
  azlin list --wide
  azlin list --format json | jq -r '.[].compound'
  azlin list --tag team=backend --format csv";

const SSH_HELP: &str = "\
A session that does not exist yet is created (`created new session …` on stderr).
Without a terminal (scripts, CI), or with --detach, the session is created detached and
azlin returns, saying how to attach. At a
terminal azlin stays the parent of ssh and attaches again by itself after a lost
connection (keepalives notice a dead link within about 45 s; retries 1 s … 30 s apart);
it stops on a detach, the session's end, or a failure no retry fixes (--no-reconnect:
azlin becomes ssh).

Examples:
  azlin ssh myvm                          # session `azlin`
  azlin ssh myvm --tmux-session feature-auth
  azlin ssh myvm --tmux-session build --detach   # create it, do not attach
  azlin ssh myvm -- df -h                 # a command instead of tmux";

const CONNECT_HELP: &str = "\
A named session that does not exist is created (`created new session …` on stderr),
unless one of a close name exists: then azlin refuses with `did you mean myvm:dev?`, in
case of a typo (--create makes it anyway). Without a terminal azlin makes sure the session
runs and says how to attach. At a terminal azlin stays the parent of ssh and attaches again by itself after a lost
connection, showing one status line while it waits (1 s, 2 s, 4 s … up to 30 s); it stops
on a detach (C-b d), when the session ends, on a failure no retry fixes (authentication,
host key, unknown host), after --reconnect-for (default 1h), or on Ctrl-C (exit 130).

Examples:
  azlin connect myvm:dev      # exact
  azlin connect dev           # the one VM that has session `dev`
  azlin connect my-project    # a VM label
  azlin connect myvm -- uptime";

const EXEC_HELP: &str = "\
Forms:
  azlin exec ID \"CMD\"            CMD is a shell command line
  azlin exec ID... -- CMD...     several words: each is passed as it is;
                                 one word: a shell command line, as above
  azlin exec ID <<'EOF'          no CMD: stdin is the script
  azlin exec -i ID -- CMD... <f  -i: CMD reads stdin (otherwise it gets none, so
                                 `while read ...; do azlin exec ...; done` loops work)
  azlin exec --all -- CMD...     every VM; --tag K=V narrows

Several targets run at once (--jobs); each output line is prefixed with its target and a
summary of failures follows. With one target azlin exits with the command's status.

Examples:
  azlin exec myvm:dev \"git pull && make\"
  azlin exec myvm:staging <<'EOF'
      cd /app && ./deploy.sh
  EOF
  azlin exec vm1:ci vm2:ci -- pytest -x
  azlin exec myvm:dev --detach -- ./long-job.sh";

const SESSION_HELP: &str = "\
Examples:
  azlin session my-vm my-project      # label the VM; `azlin connect my-project` works
  azlin session my-vm                 # Session name for my-vm: my-project
  azlin session myvm:dev production-deployment
  azlin session my-vm --clear";

/// How remote operations connect.
#[derive(Debug, Clone, Args)]
pub struct RemoteArgs {
    /// Seconds a VM may take to answer, login included; later, keepalives end a connection that went silent (a probe gives up 3 s after the timeout)
    #[arg(long, value_name = "SECS", default_value_t = 10, env = "AZLIN_TIMEOUT",
          value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub timeout: u32,
}

/// `azlin list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Include stopped and deallocated VMs
    #[arg(long)]
    pub all: bool,
    /// No fitting to the terminal, and more columns (region, user, port, windows, attached,
    /// provider); piped and CSV output is never cut
    #[arg(long)]
    pub wide: bool,
    /// List VMs only, without probing their sessions
    #[arg(long)]
    pub no_tmux: bool,
    /// One row per VM (JSON: one object per VM, its sessions as an array), VMs without
    /// sessions included; otherwise piped, CSV and JSON rows are sessions
    #[arg(long)]
    pub vms: bool,
    /// List Azure VMs again even when the inventory cache is fresh (sessions are always
    /// probed live)
    #[arg(long)]
    pub refresh: bool,
    /// Every Azure subscription the credential can read, in one Azure Resource Graph
    /// query (needs Reader on each; `[azure] subscriptions` in config.toml names a list)
    #[arg(long)]
    pub all_subscriptions: bool,
    /// Only VMs with this tag, KEY=VALUE (repeatable: all must match)
    #[arg(long = "tag", value_name = "K=V")]
    pub tags: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = RowFormat::Table)]
    pub format: RowFormat,
    /// Concurrent probes [default: every VM at once, up to 128]
    #[arg(long, short = 'j', value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Connection settings.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// Format of a listing that scripts may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RowFormat {
    /// A boxed table on a terminal; aligned plain columns in a pipe
    Table,
    /// One JSON array, one object per row
    Json,
    /// Comma-separated values with a header row
    Csv,
}

/// `azlin ssh`.
#[derive(Debug, Args)]
pub struct SshArgs {
    /// The VM (name, label or IP; `vm:session` works too)
    #[arg(value_name = "VM")]
    pub vm: String,
    /// The tmux session to attach to or create (default: `azlin`)
    #[arg(long, value_name = "S", value_hint = clap::ValueHint::Other)]
    pub tmux_session: Option<String>,
    /// Create the session if needed and return without attaching (for scripts that set up
    /// several sessions)
    #[arg(long)]
    pub detach: bool,
    /// How a lost connection is handled.
    #[command(flatten)]
    pub reconnect: ReconnectArgs,
    /// A command to run instead of tmux (one word: a command line; several: words)
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
    /// Connection settings.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// Whether and how long an interactive attach reattaches after a lost connection.
#[derive(Debug, Clone, Args)]
pub struct ReconnectArgs {
    /// Hand the terminal to ssh and end with it (no reattaching after a lost connection)
    #[arg(long)]
    pub no_reconnect: bool,
    /// Keep trying to reattach for this long after a loss [default: 1h, or
    /// connect.reconnect_for in config.toml]
    #[arg(long, value_name = "DUR", value_parser = duration, conflicts_with = "no_reconnect")]
    pub reconnect_for: Option<std::time::Duration>,
}

/// `azlin connect`.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// Where to: `vm:session`, `vm:`, `:session`, `vm--session`, or a name
    #[arg(value_name = "ID")]
    pub id: String,
    /// Create the named session even when one of a close name exists (without it azlin
    /// refuses, in case the name is a typo)
    #[arg(long)]
    pub create: bool,
    /// How a lost connection is handled.
    #[command(flatten)]
    pub reconnect: ReconnectArgs,
    /// A command to run instead of tmux (one word: a command line; several: words)
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
    /// Connection settings.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// `azlin exec`.
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Targets (`vm:session`, …), then the command as one string when there is no `--`
    #[arg(value_name = "ID")]
    pub targets: Vec<String>,
    /// The command: several words are passed each as it is; one word is a command line
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
    /// Give the command a terminal (ssh -t)
    #[arg(short = 't', long = "tty")]
    pub tty: bool,
    /// Pass stdin on to the command (as `kubectl exec -i`); without it a command gets
    /// none, so `while read …; do azlin exec …; done < file` reads every line
    #[arg(short = 'i', long = "stdin", conflicts_with = "no_stdin")]
    pub stdin: bool,
    /// Do not pass stdin on (ssh -n): the default when there is a command; kept for
    /// scripts that say it
    #[arg(short = 'n', long = "no-stdin")]
    pub no_stdin: bool,
    /// Create a named session that does not exist yet
    #[arg(long)]
    pub create: bool,
    /// Start the command in a new window of the session and return at once
    #[arg(long)]
    pub detach: bool,
    /// Every VM with this tag, KEY=VALUE (repeatable: all must match)
    #[arg(long = "tag", value_name = "K=V")]
    pub tags: Vec<String>,
    /// Every VM
    #[arg(long)]
    pub all: bool,
    /// How many targets run at once
    #[arg(long, short = 'j', value_name = "N",
          default_value_t = azlin_core::fleet::DEFAULT_JOBS as u16,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,
    /// Connection settings.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

const PEEK_HELP: &str = "\
One ssh per named session over the shared connection (the session's check and its capture);
with --all or --tag, one ssh per VM, which lists its sessions and captures each (the
listing also refreshes the session cache, as `list` does). Nothing attaches, so the
session's size and its clients are left alone. Text is shown plain, with control characters escaped;
--escapes keeps the colours (SGR sequences) for a terminal. With several sessions each
gets a header (`── myvm:dev ──`); with -n 1 each gets one line, `vm:session  LINE`.
--follow looks at the pane about once a second and prints rows as they are finished
(the cursor's row waits for the next), until Ctrl-C or the session ends.

JSON (--format json): an array, one object per session: compound, vm, session, pane,
lines, captured_at (RFC 3339, UTC), error (null, or why the session could not be read).

Examples:
  azlin peek gpu1:train                 # the last 20 lines
  azlin peek gpu1:train -n 100 --follow
  azlin peek --all -n 1                 # one line per session of the whole fleet
  azlin peek myvm:dev myvm:build --format json";

const SEND_HELP: &str = "\
TEXT is typed as it is (tmux send-keys -l): quotes, `$`, `;` and newlines reach the
program in the pane literally and nothing else runs on the VM. Several words are joined
with spaces. --enter presses Enter after the text; --keys takes tmux key names instead
(C-c, Up, Enter, Escape, F5…). A missing session is an error that lists the VM's sessions.

Examples:
  azlin send myvm:dev --enter -- make test
  azlin send myvm:dev --keys -- C-c
  azlin send vm1:ci vm2:ci --enter -- git pull";

const WAIT_HELP: &str = "\
Conditions (one of them; --done is the default):
  --done        the job in the pane has finished: the pane's shell is back in the
                foreground (in a pane started with its own command: that command exited);
                returns at once when no job runs
  --idle DUR    the pane has shown no new output for DUR, counted from when wait starts
  --match RE    the visible screen shows the regular expression RE (Rust regex syntax)

wait looks at the pane every --interval (default 2s) over the shared connection; nothing
runs on the VM between looks. When the condition holds it prints the pane's last lines
(-n) and exits 0; at --timeout it prints what it saw last and exits 1 (bad input: 2).
A VM that stops answering is retried until the timeout. Durations: 90, 30s, 5m, 8h, 1h30m.

Examples:
  azlin wait gpu1:train --timeout 8h && notify-send done
  azlin wait myvm:build --match 'Finished|error' --timeout 30m
  azlin wait myvm:dev --idle 5m";

const CODE_HELP: &str = "\
Runs `EDITOR --remote ssh-remote+<vm alias> <pane directory>`, the way VS Code's
Remote-SSH opens a folder on a host of ~/.ssh/config, after bringing the generated ssh
config up to date (run `azlin ssh-config` once first). The folder is the active pane's
directory of the session (the home directory when the default session does not exist).
--editor takes any editor with VS Code's command line (code, code-insiders, cursor) or a path.

Examples:
  azlin code myvm:dev
  azlin code myvm:dev --editor cursor
  azlin code myvm:dev --print          # show the command instead of running it";

/// `azlin peek`.
#[derive(Debug, Args)]
pub struct PeekArgs {
    /// Sessions to look at: `vm:session`, `:session`, a session name…
    #[arg(value_name = "ID")]
    pub targets: Vec<String>,
    /// How many lines (trailing blank lines are dropped)
    #[arg(short = 'n', long = "lines", value_name = "LINES", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(azlin_core::pane::MAX_LINES)))]
    pub lines: u32,
    /// Keep printing new lines until Ctrl-C or the session ends
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Keep colours and attributes (for a terminal)
    #[arg(long)]
    pub escapes: bool,
    /// Every session of every running VM
    #[arg(long)]
    pub all: bool,
    /// Every session of the running VMs with this tag, KEY=VALUE (repeatable)
    #[arg(long = "tag", value_name = "K=V")]
    pub tags: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = InfoFormat::Text)]
    pub format: InfoFormat,
    /// Connection settings.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// `azlin send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// Sessions to type into: `vm:session`, `:session`, a session name…
    #[arg(value_name = "ID", required = true)]
    pub targets: Vec<String>,
    /// Press Enter after the text
    #[arg(long)]
    pub enter: bool,
    /// TEXT is tmux key names (C-c, Up, Enter…), pressed in order
    #[arg(long, conflicts_with = "enter")]
    pub keys: bool,
    /// What to type, after `--`
    #[arg(last = true, value_name = "TEXT")]
    pub text: Vec<String>,
    /// Connection settings.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// `azlin wait`.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The session: `vm:session`, `:session`, a session name…
    #[arg(value_name = "ID")]
    pub id: String,
    /// Until the job in the pane has finished (the default)
    #[arg(long, group = "condition")]
    pub done: bool,
    /// Until the pane has shown no new output for DUR (90, 30s, 5m…)
    #[arg(long, value_name = "DUR", group = "condition", value_parser = duration)]
    pub idle: Option<std::time::Duration>,
    /// Until the visible screen matches the regular expression RE
    #[arg(long = "match", value_name = "RE", group = "condition")]
    pub pattern: Option<String>,
    /// Give up after DUR with exit status 1 [default: no limit]
    #[arg(long, value_name = "DUR", value_parser = duration)]
    pub timeout: Option<std::time::Duration>,
    /// How often to look at the pane
    #[arg(long, value_name = "DUR", default_value = "2s", value_parser = duration)]
    pub interval: std::time::Duration,
    /// Lines of the pane to print at the end
    #[arg(short = 'n', long = "lines", value_name = "LINES", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(0..=i64::from(azlin_core::pane::MAX_LINES)))]
    pub lines: u32,
    /// Seconds to wait for the VM to answer each look (ssh ConnectTimeout)
    #[arg(long, value_name = "SECS", default_value_t = 10, env = "AZLIN_TIMEOUT",
          value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub connect_timeout: u32,
}

/// A duration argument (`90`, `30s`, `5m`, `1h30m`).
fn duration(text: &str) -> Result<std::time::Duration, String> {
    azlin_core::duration::parse(text)
}

/// `azlin code`.
#[derive(Debug, Args)]
pub struct CodeArgs {
    /// The session whose pane directory to open: `vm:session`, `vm`, a session name…
    #[arg(value_name = "ID")]
    pub id: String,
    /// The editor: code, code-insiders, cursor, or a path to one
    #[arg(long, value_name = "EDITOR", default_value = "code")]
    pub editor: String,
    /// Print the editor's command line instead of running it
    #[arg(long)]
    pub print: bool,
    /// Connection settings.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// `azlin disconnect` and `azlin kill`.
#[derive(Debug, Args)]
pub struct SessionOpArgs {
    /// The session: `vm:session`, `:session`, a session name…
    #[arg(value_name = "ID")]
    pub id: String,
    /// Connection settings.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// `azlin session`.
#[derive(Debug, Args)]
pub struct SessionArgs {
    /// A VM (labels the VM) or `vm:session` (names the tmux session)
    #[arg(value_name = "ID")]
    pub id: String,
    /// The name to set; without it the current name is printed
    #[arg(value_name = "NAME", conflicts_with = "clear")]
    pub name: Option<String>,
    /// Remove the name
    #[arg(long)]
    pub clear: bool,
    /// Connection settings.
    #[command(flatten)]
    pub remote: RemoteArgs,
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
    /// Print one JSON object: `plugins`, `warnings` and `search_path`
    #[arg(long)]
    pub json: bool,
}

/// `azlin plugin exec`.
#[derive(Debug, Args)]
pub struct PluginExecArgs {
    /// The plugin's name (`health` runs `azlin-health`), then its arguments, passed as
    /// they are (`--help` included)
    #[arg(
        value_name = "NAME ARGS",
        required = true,
        num_args = 1..,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub argv: Vec<OsString>,
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
    /// List Azure again instead of using the inventory cache
    #[arg(long)]
    pub refresh: bool,
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
    /// Private key to use (stored as an absolute path; a warning if it does not exist)
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
    /// Where the host runs (e.g. `eastus`), shown in `azlin list`'s REGION column
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
}

/// `azlin host list`.
#[derive(Debug, Args)]
pub struct HostListArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// Do not cut cells to fit the terminal's width
    #[arg(long)]
    pub wide: bool,
}

/// `azlin host remove`.
#[derive(Debug, Args)]
pub struct HostRemoveArgs {
    /// The host's name
    pub name: String,
}

/// `azlin tag …`.
#[derive(Debug, Subcommand)]
pub enum TagCommand {
    /// Show a VM's tags
    #[command(after_help = "Example:\n  azlin tag list myvm --format json")]
    List(TagListArgs),
    /// Add or change tags (KEY=VALUE…); other tags are kept
    #[command(after_help = "Example:\n  azlin tag add myvm team=backend env=dev")]
    Add(TagAddArgs),
    /// Remove tags by key
    #[command(after_help = "Example:\n  azlin tag remove myvm env")]
    Remove(TagRemoveArgs),
}

/// `azlin tag list`.
#[derive(Debug, Args)]
pub struct TagListArgs {
    /// The VM's name
    pub vm: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = InfoFormat::Text)]
    pub format: InfoFormat,
    /// List Azure again instead of using the inventory cache
    #[arg(long)]
    pub refresh: bool,
}

/// `azlin tag add`.
#[derive(Debug, Args)]
pub struct TagAddArgs {
    /// The VM's name
    pub vm: String,
    /// Tags to set, KEY=VALUE
    #[arg(value_name = "K=V", required = true)]
    pub tags: Vec<String>,
}

/// `azlin tag remove`.
#[derive(Debug, Args)]
pub struct TagRemoveArgs {
    /// The VM's name
    pub vm: String,
    /// Keys of the tags to remove
    #[arg(value_name = "KEY", required = true)]
    pub keys: Vec<String>,
}
