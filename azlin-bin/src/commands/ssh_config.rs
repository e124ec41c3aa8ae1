//! `azlin ssh-config [--dry-run] [--check] [print] [remove]`: the generated OpenSSH config.

use std::path::Path;

use anyhow::Result;
use azlin_core::run::Resync;
use azlin_core::ssh_config::{self, Problem, Skipped, SyncReport};
use clap::{Args, Subcommand};

use crate::commands::name_args::VmNameArg;
use crate::context::Context;

pub const SSH_CONFIG_HELP: &str = "\
Writes one file for the fleet, ~/.ssh/config.d/azlin-fleet.conf: per VM `Host <vm> <vm>--*`
with its connection options; then the session aliases, `Host <vm>--<session>` with
`RemoteCommand tmux new-session -A -s <session>`, one block for every VM's sessions of the
same name; then the options every azlin host shares, once. One `Include` line at the top of
~/.ssh/config pulls it in (a backup is kept in ~/.ssh/config.azlin.bak before its first
edit). No plain alias is written for a name your ssh reaches otherwise (a dot, loopback, an
IP, a `Host` of your config): use `<vm>--<session>` there. Connection sharing
(ControlMaster, sockets in ~/.ssh/cm) is written only when the client supports it and the
socket paths fit under your home. A sync that changes nothing writes nothing and, thanks to
$AZLIN_HOME/cache/ssh-config-stamp.json, reads no generated file.

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
        vm: Option<VmNameArg>,
    },
    /// Delete the generated files and the Include line; the rest of ~/.ssh/config stays as it is
    Remove,
}

/// Runs `azlin ssh-config …`.
pub fn run(ctx: &Context, args: &SshConfigArgs) -> Result<u8> {
    match &args.action {
        Some(SshConfigAction::Print { vm }) => print(ctx, vm.as_deref()),
        Some(SshConfigAction::Remove) => remove(ctx),
        None if args.dry_run => dry_run(ctx),
        None if args.check => check(ctx),
        None => sync(ctx),
    }
}

fn plan(ctx: &Context) -> Result<ssh_config::Plan> {
    let inventory = ctx.run.inventory()?;
    Ok(
        ssh_config::plan(&ctx.run.paths, &inventory, &ctx.run.sync_options())
            .map_err(azlin_core::Error::from)?,
    )
}

/// Warns about every VM or session left out; exit status 1 when there is one.
fn report_problems(ctx: &Context, problems: &[Problem]) -> u8 {
    for p in problems {
        ctx.warn(&p.to_string());
    }
    u8::from(!problems.is_empty())
}

/// Warns about plain aliases left out so as not to capture the user's hosts: all of them
/// with `all` (`--check`, `-v`), else once, when the VM's file is written.
fn report_skipped(ctx: &Context, report: &SyncReport, all: bool) {
    for s in &report.skipped {
        if all || was_written(report, s) {
            ctx.warn(&s.to_string());
        }
    }
}

fn was_written(report: &SyncReport, s: &Skipped) -> bool {
    report.changed_sections.contains(&s.alias)
}

fn sync(ctx: &Context) -> Result<u8> {
    let inventory = ctx.run.inventory()?;
    let report = ssh_config::sync(&ctx.run.paths, &inventory, &ctx.run.sync_options())
        .map_err(azlin_core::Error::from)?;
    for w in &report.warnings {
        ctx.warn(w);
    }
    report_skipped(ctx, &report, ctx.verbose > 0);
    if !ctx.quiet {
        println!("{}", summary(&ctx.run.paths.ssh_dir(), &report));
    }
    Ok(report_problems(ctx, &report.problems))
}

fn summary(ssh_dir: &Path, r: &SyncReport) -> String {
    if !r.changed() {
        return "ssh config is up to date.".to_string();
    }
    let mut parts = Vec::new();
    if !r.written.is_empty() {
        parts.push(format!(
            "wrote {} file(s) in {}",
            r.written.len(),
            ssh_dir.join(ssh_config::CONFIG_D).display()
        ));
    }
    if !r.removed.is_empty() {
        parts.push(format!(
            "removed {} file(s) of VMs that are gone",
            r.removed.len()
        ));
    }
    if r.config_edited {
        parts.push(format!(
            "added the Include line to {}",
            ssh_dir.join("config").display()
        ));
    }
    if let Some(b) = &r.backup {
        parts.push(format!("backed it up first to {}", b.display()));
    }
    let mut text = parts.join("; ");
    if let Some(first) = text.get(..1) {
        text = first.to_uppercase() + &text[1..];
    }
    format!(
        "{text}.\nUse `ssh VM--SESSION` to attach a session, `ssh VM` for scp, rsync, git and \
         VS Code. Undo with `azlin ssh-config remove`."
    )
}

fn dry_run(ctx: &Context) -> Result<u8> {
    let plan = plan(ctx)?;
    if plan.is_up_to_date() {
        if !ctx.quiet {
            eprintln!("ssh config is up to date: nothing would change.");
        }
    } else {
        print!("{}", plan.diff());
    }
    Ok(report_problems(ctx, &plan.problems))
}

fn check(ctx: &Context) -> Result<u8> {
    if let Some(refused) = ssh_config::refused_by_ssh(&ctx.run.paths) {
        ctx.warn(&refused.to_string());
        return Ok(1);
    }
    let plan = plan(ctx)?;
    report_problems(ctx, &plan.problems);
    for s in &plan.skipped {
        ctx.warn(&s.to_string());
    }
    if plan.is_up_to_date() {
        return Ok(0);
    }
    if !ctx.quiet {
        for ch in plan.config.iter().chain(&plan.files) {
            let what = match (&ch.old, &ch.new) {
                (None, _) => "missing",
                (_, None) => "stale (VM gone)",
                _ => "out of date",
            };
            eprintln!("{what}: {}", ch.path.display());
        }
        eprintln!("Run `azlin ssh-config` to update (`--dry-run` shows the diff).");
    }
    Ok(1)
}

fn print(ctx: &Context, vm: Option<&str>) -> Result<u8> {
    let plan = plan(ctx)?;
    match plan.stanzas(vm).map_err(azlin_core::Error::from)? {
        Some(text) => print!("{text}"),
        None => {
            let vm = vm.unwrap_or_default().escape_debug().to_string();
            report_problems(ctx, &plan.problems);
            anyhow::bail!(
                "VM `{vm}` has no part in the generated ssh config: it is not in the inventory \
                 or was left out (see the warnings); `azlin host list` and `azlin list --vms` \
                 show the VMs"
            );
        }
    }
    Ok(report_problems(ctx, &plan.problems))
}

fn remove(ctx: &Context) -> Result<u8> {
    let report = ssh_config::remove(&ctx.run.paths).map_err(azlin_core::Error::from)?;
    if !ctx.quiet {
        if report.removed.is_empty() && !report.config_edited {
            println!("Nothing to remove: no generated ssh config found.");
        } else {
            println!(
                "Removed {} generated file(s){}.",
                report.removed.len(),
                if report.config_edited {
                    " and the Include line from ~/.ssh/config"
                } else {
                    ""
                }
            );
        }
    }
    Ok(0)
}

/// The automatic resync after `list`, `ssh --tmux-session` and `session`: the run resyncs
/// if it learnt sessions or labels (see [`azlin_core::run::Run::resync_if_learnt`]), and
/// this reports what it did.
pub fn auto_sync(ctx: &Context) {
    if let Some(resync) = ctx.run.resync_if_learnt() {
        report_resync(ctx, resync);
    }
}

/// Reports a resync ([`azlin_core::run::Resync`]): silent unless `-v`, never fatal.
/// Warnings still show (unless `-q`).
pub fn report_resync(ctx: &Context, resync: Resync) {
    let verbose = ctx.verbose > 0;
    match resync {
        Resync::Off | Resync::NotEnabled if !verbose => {}
        Resync::Off => eprintln!("ssh config: not resynced (ssh_config.auto is off)"),
        Resync::NotEnabled => {
            eprintln!("ssh config: not resynced (run `azlin ssh-config` once to turn it on)")
        }
        Resync::Synced(report) => {
            for w in &report.warnings {
                ctx.warn(w);
            }
            report_skipped(ctx, &report, verbose);
            if verbose && report.changed() {
                eprintln!("{}", summary(&ctx.run.paths.ssh_dir(), &report));
            }
            if verbose {
                for p in &report.problems {
                    ctx.warn(&p.to_string());
                }
            }
        }
        Resync::Failed(e) => ctx.warn(&format!(
            "could not update the generated ssh config (run `azlin ssh-config` to see why): {e}"
        )),
    }
}
