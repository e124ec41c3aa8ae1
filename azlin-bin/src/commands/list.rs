//! `azlin list`: every VM and its tmux sessions, probed live (one ssh per VM, all VMs at
//! once), as a table, JSON (the contract of DESIGN.md) or CSV. The probe refreshes the
//! session cache. An unreachable VM is a row and a warning, and makes the exit status 1.

use anyhow::Result;
use azlin_core::inventory::{PowerState, ProviderKind, SessionInfo, Vm};
use azlin_core::parallel;
use azlin_core::provider::local::parse_tags;
use azlin_core::remote::{self, ProbeStatus};
use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::cli::RemoteArgs;
use crate::context::Context;
use crate::output;

pub const LIST_HELP: &str = "\
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

/// One row: a VM and one of its sessions (or the VM alone). Scripts read this as JSON.
#[derive(Debug, Serialize)]
struct Row {
    hostname: String,
    session: Option<String>,
    status: String,
    ip: Option<String>,
    /// The Azure location, or the local host's `region`.
    region: Option<String>,
    /// The session's label, else the VM's.
    session_name: Option<String>,
    compound: Option<String>,
    ssh_alias: Option<String>,
    attached: Option<bool>,
    windows: Option<u32>,
    /// How many clients are attached.
    clients: Option<u32>,
    /// The session's last activity, RFC 3339 (UTC); null when the VM did not say.
    last_activity: Option<String>,
    provider: String,
    user: Option<String>,
    port: u16,
    vm_label: Option<String>,
    error: Option<String>,
    /// The VM's tags (Azure tags, or those of `hosts.toml`).
    tags: std::collections::BTreeMap<String, String>,
    /// Azure only: resource group, subscription, and both addresses of the primary NIC.
    resource_group: Option<String>,
    subscription: Option<String>,
    private_ip: Option<String>,
    public_ip: Option<String>,
}

/// What `list` says when no subscription is known.
const AZURE_OFF: &str = "Azure is off: no subscription is known. Turn it on with `az login` \
     (its default subscription is used), `--subscription ID`, `AZURE_SUBSCRIPTION_ID`, or \
     `[azure] subscription` in config.toml. Add a host of your own with \
     `azlin host add NAME --address ADDR`.";

/// `list --vms`: one VM with its sessions (VMs without sessions included).
#[derive(Debug, Serialize)]
struct VmRow {
    hostname: String,
    status: String,
    ip: Option<String>,
    region: Option<String>,
    vm_label: Option<String>,
    provider: String,
    user: Option<String>,
    port: u16,
    error: Option<String>,
    tags: std::collections::BTreeMap<String, String>,
    resource_group: Option<String>,
    subscription: Option<String>,
    private_ip: Option<String>,
    public_ip: Option<String>,
    sessions: Vec<SessionCell>,
}

/// A session inside a [`VmRow`].
#[derive(Debug, Serialize)]
struct SessionCell {
    session: String,
    session_name: Option<String>,
    compound: Option<String>,
    ssh_alias: Option<String>,
    attached: Option<bool>,
    windows: Option<u32>,
    clients: Option<u32>,
    last_activity: Option<String>,
}

/// The VM rows of `list --vms`, from the listing's rows (a VM's rows are adjacent).
fn vm_rows(rows: Vec<Row>) -> Vec<VmRow> {
    let mut out: Vec<VmRow> = Vec::new();
    for r in rows {
        let session = r.session.clone().map(|session| SessionCell {
            session,
            session_name: r.session_name.clone(),
            compound: r.compound.clone(),
            ssh_alias: r.ssh_alias.clone(),
            attached: r.attached,
            windows: r.windows,
            clients: r.clients,
            last_activity: r.last_activity.clone(),
        });
        match out.last_mut() {
            Some(vm) if vm.hostname == r.hostname => vm.sessions.extend(session),
            _ => out.push(VmRow {
                hostname: r.hostname,
                status: r.status,
                ip: r.ip,
                region: r.region,
                vm_label: r.vm_label,
                provider: r.provider,
                user: r.user,
                port: r.port,
                error: r.error,
                tags: r.tags,
                resource_group: r.resource_group,
                subscription: r.subscription,
                private_ip: r.private_ip,
                public_ip: r.public_ip,
                sessions: session.into_iter().collect(),
            }),
        }
    }
    out
}

/// Runs `azlin list`.
pub fn run(ctx: &Context, args: &ListArgs) -> Result<u8> {
    let tags: Vec<(String, String)> = parse_tags(&args.tags).map_err(azlin_core::Error::from)?;
    // JSON and CSV are for programs: no indicator even on a terminal.
    if args.format != RowFormat::Table {
        crate::diag::no_progress();
    }
    let inventory = ctx
        .run
        .inventory_for_list(args.refresh, args.all_subscriptions)?;
    let checked = inventory.vms.len();
    let vms: Vec<&Vm> = inventory
        .vms
        .iter()
        .filter(|vm| vm.has_tags(&tags))
        .filter(|vm| args.all || vm.power == PowerState::Running)
        .collect();
    let mut settings = ctx.remote_settings(&args.remote);
    // Every VM at once (issue #3): a listing takes as long as its slowest VM.
    settings.jobs = args.jobs.map_or(parallel::ALL_AT_ONCE, usize::from);
    let probed: Vec<&Vm> = vms
        .iter()
        .copied()
        .filter(|vm| !args.no_tmux && vm.power == PowerState::Running)
        .collect();
    let results = ctx
        .run
        .probe_and_record(&inventory, &probed, &settings, true)?;
    let user_default = ctx.run.connect_defaults().user;
    let azure = ctx.run.azure_load();
    let records: std::collections::HashMap<&str, &azlin_core::provider::azure::AzureVm> = azure
        .iter()
        .flat_map(|a| a.records.iter())
        .map(|r| (r.name.as_str(), r))
        .collect();
    let mut rows = Vec::new();
    let mut unreachable = 0;
    for vm in &vms {
        let result = probed
            .iter()
            .position(|p| p.name == vm.name)
            .map(|i| &results[i]);
        let record = (vm.provider == ProviderKind::Azure)
            .then(|| records.get(vm.name.as_str()).copied())
            .flatten();
        let row = |session: Option<&SessionInfo>, status: &str, error: Option<String>| Row {
            hostname: vm.name.clone(),
            session: session.map(|s| s.name.clone()),
            status: status.to_string(),
            ip: vm.address.clone(),
            region: vm.region.clone(),
            session_name: session
                .and_then(|s| s.label.clone())
                .or_else(|| vm.label.clone()),
            // A session azlin cannot address is listed without a name to type back.
            compound: addressable(session).map(|s| azlin_core::name::compound(&vm.name, &s.name)),
            ssh_alias: addressable(session).map(|s| azlin_core::name::ssh_alias(&vm.name, &s.name)),
            attached: session.map(|s| s.attached),
            windows: session.map(|s| s.windows),
            clients: session.map(|s| s.clients),
            last_activity: session.and_then(SessionInfo::last_activity_rfc3339),
            provider: vm.provider.to_string(),
            user: vm.user.clone().or_else(|| user_default.clone()),
            port: vm.port,
            vm_label: vm.label.clone(),
            error,
            tags: vm.tags.clone(),
            resource_group: record.map(|r| r.resource_group.clone()),
            subscription: record.and_then(|r| r.subscription()),
            private_ip: record.and_then(|r| r.private_ip.clone()),
            public_ip: record.and_then(|r| r.public_ip.clone()),
        };
        match result {
            None => rows.push(row(None, power_status(vm.power), None)),
            Some(Ok(sessions)) if sessions.is_empty() => rows.push(row(None, "Running", None)),
            Some(Ok(sessions)) => {
                rows.extend(sessions.iter().map(|s| row(Some(s), "Running", None)))
            }
            Some(probe @ Err(e)) => {
                let status = ProbeStatus::of(probe);
                unreachable += usize::from(status.failed());
                ctx.warn(&e.to_string());
                rows.push(row(None, status.title(), Some(e.to_string())));
            }
        }
    }
    if vms.is_empty() && !tags.is_empty() {
        // Not "no VMs": there are some, just none with that tag.
        let wanted: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        eprintln!(
            "No VM has the tag {} ({checked} VMs checked{}).",
            azlin_core::text::escape(&wanted.join(" and ")),
            if args.all {
                ""
            } else {
                ", running ones only; --all includes stopped VMs"
            }
        );
    }
    let no_rows = rows.is_empty();
    render(ctx, args, rows, checked)?;
    // The run resyncs only if it recorded probes (not with --no-tmux).
    crate::commands::ssh_config::auto_sync(ctx);
    match azure {
        // Failures are never silent: a script must tell "no VMs" from "Azure failed".
        Some(a) if a.left_out => {
            ctx.warn(&format!(
                "the Azure VMs of {} could not be listed (see above); only local hosts are \
                 shown",
                a.subscription
            ));
            return Ok(1);
        }
        None if no_rows || ctx.verbose > 0 => eprintln!("{AZURE_OFF}"),
        _ => {}
    }
    if unreachable > 0 {
        ctx.warn(&format!(
            "{unreachable} of {} VMs could not be probed; the others are listed",
            probed.len()
        ));
        return Ok(1);
    }
    Ok(0)
}

fn addressable(session: Option<&SessionInfo>) -> Option<&SessionInfo> {
    session.filter(|s| remote::addressable(s))
}

fn power_status(p: PowerState) -> &'static str {
    p.title()
}

fn dash(v: &Option<impl ToString>) -> String {
    v.as_ref()
        .map(|x| x.to_string())
        .unwrap_or_else(|| "-".into())
}

/// Whether rows are sessions: everywhere except the terminal table and `--vms`, so a
/// script reading the listing acts only on sessions that exist (`--no-tmux` probes none,
/// so its rows are VMs; JSON and CSV keep a row for a VM that could not be read).
fn rows_are_sessions(ctx: &Context, args: &ListArgs) -> bool {
    let terminal = args.format == RowFormat::Table && ctx.stdout_look().tty;
    !terminal && !args.vms && !args.no_tmux
}

fn render(ctx: &Context, args: &ListArgs, mut rows: Vec<Row>, checked: usize) -> Result<()> {
    if args.vms {
        return render_vms(ctx, args, vm_rows(rows), checked);
    }
    if rows_are_sessions(ctx, args) {
        let vms = rows.len();
        // A VM that could not be read stays a row for programs (JSON, CSV: status and
        // `error` say why, and the exit status is 1); a pipe read by `while read` gets
        // sessions only, the warning is on stderr.
        let keep_failed = args.format != RowFormat::Table;
        rows.retain(|r| r.session.is_some() || (keep_failed && r.error.is_some()));
        if rows.is_empty() && vms > 0 && args.format == RowFormat::Table && !ctx.quiet {
            // Rows are sessions here: say why there are none rather than print nothing.
            eprintln!("No tmux sessions on the VMs listed (`azlin list --vms` shows the VMs).");
        }
    }
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let csv: Vec<Column<Row>> = vec![
        Column::new("hostname", |r: &Row| r.hostname.clone()),
        Column::new("session", |r: &Row| opt(&r.session)),
        Column::new("status", |r: &Row| r.status.clone()),
        Column::new("ip", |r: &Row| opt(&r.ip)),
        Column::new("session_name", |r: &Row| opt(&r.session_name)),
        Column::new("compound", |r: &Row| opt(&r.compound)),
        Column::new("ssh_alias", |r: &Row| opt(&r.ssh_alias)),
        Column::new("attached", |r: &Row| {
            r.attached.map(|a| a.to_string()).unwrap_or_default()
        }),
        Column::new("windows", |r: &Row| {
            r.windows.map(|w| w.to_string()).unwrap_or_default()
        }),
        Column::new("provider", |r: &Row| r.provider.clone()),
        Column::new("user", |r: &Row| opt(&r.user)),
        Column::new("port", |r: &Row| r.port.to_string()),
        Column::new("region", |r: &Row| opt(&r.region)),
    ];
    let look = ctx.stdout_look();
    // REGION (as the session-names guide's table has it) for people when a VM has one, and
    // always with --wide; plain columns keep the form scripts read.
    let region = (look.tty && rows.iter().any(|r| r.region.is_some())) || args.wide;
    let mut table: Vec<Column<Row>> = vec![
        Column::new("HOSTNAME", |r: &Row| r.hostname.clone()),
        Column::new("SESSION", |r: &Row| {
            let session = match (&r.session, &r.error) {
                (Some(s), _) => s.clone(),
                // Only a person sees this row: a VM that answered with none.
                (None, None) if r.status == "Running" && !args.no_tmux => "(no sessions)".into(),
                (None, _) => "-".into(),
            };
            // On a terminal an attached session is marked, so a person need not ask for
            // --wide to see it; in a pipe the cell stays a name.
            match r.attached {
                Some(true) if look.tty && !args.wide => format!("{session} *"),
                _ => session,
            }
        }),
        Column::new("STATUS", |r: &Row| r.status.clone()),
        Column::new("IP", |r: &Row| dash(&r.ip)),
    ];
    if region {
        table.push(Column::new("REGION", |r: &Row| dash(&r.region)));
    }
    table.push(Column::new("SESSION NAME", |r: &Row| dash(&r.session_name)));
    if args.wide {
        table.extend([
            Column::new("USER", |r: &Row| dash(&r.user)),
            Column::new("PORT", |r: &Row| r.port.to_string()),
            Column::new("WINDOWS", |r: &Row| dash(&r.windows)),
            Column::new("ATTACHED", |r: &Row| {
                r.attached
                    .map(|a| if a { "yes" } else { "no" }.to_string())
                    .unwrap_or_else(|| "-".into())
            }),
            Column::new("PROVIDER", |r: &Row| r.provider.clone()),
        ]);
    }
    // Status is the third column (HOSTNAME, SESSION, STATUS); the names are kept whole and
    // the label and IP give way at 80 columns.
    let listing = Listing {
        csv,
        table,
        status: 2,
        whole: &[0, 1],
    };
    listing.print(ctx, args, &rows, checked)?;
    if args.format == RowFormat::Table
        && look.tty
        && !args.wide
        && rows.iter().any(|r| r.attached == Some(true))
    {
        println!("* attached");
    }
    Ok(())
}

/// One column of a listing: its header and how a row fills its cell.
struct Column<'a, T> {
    header: &'static str,
    cell: Box<dyn Fn(&T) -> String + 'a>,
}

impl<'a, T> Column<'a, T> {
    fn new(header: &'static str, cell: impl Fn(&T) -> String + 'a) -> Column<'a, T> {
        Column {
            header,
            cell: Box::new(cell),
        }
    }
}

/// How a listing is printed in each format: the columns of its CSV and of its table (the
/// session rows and `--vms` alike); JSON is the rows themselves.
struct Listing<'a, T> {
    csv: Vec<Column<'a, T>>,
    table: Vec<Column<'a, T>>,
    /// The table's status column (its colour), by position.
    status: usize,
    /// The table's columns kept whole when it must fit the terminal.
    whole: &'a [usize],
}

impl<T: Serialize> Listing<'_, T> {
    /// Prints `rows` in `args.format`; an empty table says "No VMs." when none were
    /// `checked`.
    fn print(&self, ctx: &Context, args: &ListArgs, rows: &[T], checked: usize) -> Result<()> {
        let cells = |columns: &[Column<T>]| -> (Vec<&str>, Vec<Vec<String>>) {
            let header = columns.iter().map(|c| c.header).collect();
            let cells = rows
                .iter()
                .map(|r| columns.iter().map(|c| (c.cell)(r)).collect())
                .collect();
            (header, cells)
        };
        match args.format {
            RowFormat::Json => output::print_json(&rows),
            RowFormat::Csv => {
                let (header, cells) = cells(&self.csv);
                print!("{}", output::csv(&header, &cells));
                Ok(())
            }
            RowFormat::Table => {
                if rows.is_empty() {
                    if checked == 0 {
                        eprintln!("No VMs.");
                    }
                    return Ok(());
                }
                let (header, cells) = cells(&self.table);
                let look = ctx.stdout_look();
                print!(
                    "{}",
                    output::table(
                        look,
                        &header,
                        &cells,
                        args.wide,
                        Some(self.status),
                        self.whole
                    )
                );
                Ok(())
            }
        }
    }
}

/// `list --vms`: one row (one JSON object) per VM, its sessions as a list.
fn render_vms(ctx: &Context, args: &ListArgs, vms: Vec<VmRow>, checked: usize) -> Result<()> {
    let names = |vm: &VmRow| -> String {
        let s: Vec<&str> = vm.sessions.iter().map(|s| s.session.as_str()).collect();
        s.join(" ")
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let listing = Listing {
        csv: vec![
            Column::new("hostname", |vm: &VmRow| vm.hostname.clone()),
            Column::new("status", |vm: &VmRow| vm.status.clone()),
            Column::new("ip", |vm: &VmRow| opt(&vm.ip)),
            Column::new("vm_label", |vm: &VmRow| opt(&vm.vm_label)),
            Column::new("sessions", names),
            Column::new("provider", |vm: &VmRow| vm.provider.clone()),
            Column::new("user", |vm: &VmRow| opt(&vm.user)),
            Column::new("port", |vm: &VmRow| vm.port.to_string()),
            Column::new("region", |vm: &VmRow| opt(&vm.region)),
        ],
        table: vec![
            Column::new("HOSTNAME", |vm: &VmRow| vm.hostname.clone()),
            Column::new("STATUS", |vm: &VmRow| vm.status.clone()),
            Column::new("IP", |vm: &VmRow| dash(&vm.ip)),
            Column::new("LABEL", |vm: &VmRow| dash(&vm.vm_label)),
            Column::new("N", |vm: &VmRow| vm.sessions.len().to_string()),
            Column::new("SESSIONS", names),
        ],
        status: 1,
        whole: &[0],
    };
    listing.print(ctx, args, &vms, checked)
}
