//! `azlin session ID [NAME] [--clear]`: the name of a VM (`session vm NAME`, a label
//! stored with the VM) or of a tmux session (`session vm:s NAME`, the tmux user option
//! `@azlin-name`). Without NAME it prints `Session name for ID: NAME`.

use anyhow::Result;
use azlin_core::name::validate_label;
use azlin_core::remote::Settings;
use azlin_core::run::Resolved;
use azlin_core::text::Escaped;
use azlin_core::tmux::{self, Need};
use clap::Args;

use crate::cli::RemoteArgs;
use crate::commands::name_args::TargetId;
use crate::context::Context;

pub const SESSION_HELP: &str = "\
Examples:
  azlin session my-vm my-project      # label the VM; `azlin connect my-project` works
  azlin session my-vm                 # Session name for my-vm: my-project
  azlin session myvm:dev production-deployment
  azlin session my-vm --clear";

/// `azlin session`.
#[derive(Debug, Args)]
pub struct SessionArgs {
    /// A VM (labels the VM) or `vm:session` (names the tmux session)
    #[arg(value_name = "ID")]
    pub id: TargetId,
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

/// What to do with the name.
enum Change<'a> {
    Show,
    Set(&'a str),
    Clear,
}

/// Runs `azlin session`.
pub fn run(ctx: &Context, args: &SessionArgs) -> Result<u8> {
    let change = match (&args.name, args.clear) {
        (Some(n), _) => {
            validate_label(n).map_err(azlin_core::Error::from)?;
            Change::Set(n)
        }
        (None, true) => Change::Clear,
        (None, false) => Change::Show,
    };
    let settings = ctx.remote_settings(&args.remote);
    let target = ctx.run.resolve(&args.id, &settings)?;
    if target.session_explicit {
        session_label(ctx, &settings, &target, change)
    } else {
        vm_label(ctx, &target, change)
    }
}

fn report(ctx: &Context, what: &str, change: &Change<'_>, current: Option<&str>) {
    // A label read from a VM (tmux's `@azlin-name`) or a provider may hold anything.
    let what = Escaped(what);
    let current = current.map(Escaped);
    match (change, current) {
        (Change::Show, Some(n)) => println!("Session name for {what}: {n}"),
        (Change::Show, None) => println!("No session name for {what}"),
        (Change::Set(n), _) if !ctx.quiet => println!("Session name for {what}: {n}"),
        (Change::Clear, _) if !ctx.quiet => println!("Cleared the session name of {what}"),
        _ => {}
    }
}

fn vm_label(ctx: &Context, target: &Resolved, change: Change<'_>) -> Result<u8> {
    let vm = &target.vm;
    if matches!(change, Change::Show) {
        report(ctx, &vm.name, &change, vm.label.as_deref());
        return Ok(0);
    }
    let label = match change {
        Change::Set(n) => Some(n),
        _ => None,
    };
    // One function for both providers: a local host's label in hosts.toml, an Azure VM's
    // `azlin_session` tag through the Tags API.
    ctx.run.set_label(&vm.name, label)?;
    crate::commands::ssh_config::auto_sync(ctx);
    report(ctx, &vm.name, &change, None);
    Ok(0)
}

fn session_label(
    ctx: &Context,
    settings: &Settings,
    target: &Resolved,
    change: Change<'_>,
) -> Result<u8> {
    let what = target.compound();
    let label = match change {
        Change::Show => {
            // The run's probe: what the VM lists is recorded in the session cache.
            let sessions = ctx.run.require_session(target, settings)?;
            let label = sessions
                .iter()
                .find(|s| s.name == target.session)
                .and_then(|s| s.label.as_deref());
            report(ctx, &what, &change, label);
            return Ok(0);
        }
        Change::Set(n) => Some(n),
        Change::Clear => None,
    };
    // One ssh checks the session, sets the option and lists the sessions for the cache.
    ctx.run.session_op(
        target,
        settings,
        Need::Existing,
        &tmux::set_label(&target.session, label),
    )?;
    crate::commands::ssh_config::auto_sync(ctx);
    report(ctx, &what, &change, None);
    Ok(0)
}
