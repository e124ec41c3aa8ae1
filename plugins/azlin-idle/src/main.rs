//! `azlin idle`: tmux sessions idle longer than a duration, across the fleet, and
//! `--kill` to end them after showing which.
//!
//! An azlin plugin (plugins/README.md): azlin runs it as `azlin idle ARGS…` and it calls
//! azlin back through `$AZLIN_BIN` — `list --format json` for the sessions, one `exec` per
//! VM that prints the clock and tmux's session and window activity, `kill` to end them.

mod azlin;
mod duration;

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::Result;
use clap::{Parser, ValueEnum};
use serde::Serialize;

use crate::azlin::{Activity, Azlin};

/// Lists tmux sessions idle longer than a duration, across every VM azlin knows.
#[derive(Debug, Parser)]
#[command(
    name = "azlin idle",
    version,
    max_term_width = 100,
    after_help = "\
Idle time is the time since tmux last saw activity in the session: input from a client,
or output in any of its windows (a job that still prints is not idle). It is measured by
the VM's own clock.

Examples:
  azlin idle                          # idle for more than an hour
  azlin idle --older-than 2d --format json
  azlin idle --older-than 8h --kill   # shows the sessions, asks, then ends them
  azlin idle --older-than 1w --kill --yes --tag env=dev"
)]
struct Args {
    /// Idle for longer than this: 90s, 45m, 2h, 1d, 1h30m, 1w
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = duration::parse)]
    older_than: u64,
    /// End the idle sessions (`azlin kill`) after showing which
    #[arg(long)]
    kill: bool,
    /// With --kill: do not ask first (needed when stdin is not a terminal)
    #[arg(long, short = 'y', requires = "kill")]
    yes: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Only VMs with this tag, KEY=VALUE (repeatable; passed to `azlin list`)
    #[arg(long = "tag", value_name = "K=V")]
    tags: Vec<String>,
    /// How many VMs to ask at once
    #[arg(long, short = 'j', value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u16).range(1..))]
    jobs: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Aligned columns
    Table,
    /// One JSON array, one object per idle session
    Json,
}

/// One idle session, as printed with `--format json`.
#[derive(Debug, Serialize)]
struct Idle {
    compound: String,
    hostname: String,
    session: String,
    idle_seconds: u64,
    last_activity: u64,
    attached: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    killed: Option<bool>,
}

const METADATA: &str = concat!(
    r#"{"schema_version": 1, "description": "Sessions idle longer than a duration, across the fleet; --kill ends them", "version": ""#,
    env!("CARGO_PKG_VERSION"),
    r#""}"#
);

fn main() -> ExitCode {
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == "--azlin-plugin-metadata")
    {
        println!("{METADATA}");
        return ExitCode::SUCCESS;
    }
    let args = Args::parse();
    match run(&args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("azlin idle: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(args: &Args) -> Result<u8> {
    if args.kill && !args.yes && !std::io::stdin().is_terminal() {
        eprintln!(
            "azlin idle: --kill asks before ending sessions, and stdin is not a terminal; \
             add --yes to end them without asking (nothing was ended)"
        );
        return Ok(2);
    }
    let azlin = Azlin::from_env();
    let (rows, mut failed) = azlin.list(&args.tags)?;
    // Sessions by VM, as azlin lists them (so --tag and the inventory decide the scope).
    let mut by_vm: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in rows.into_iter().filter(|r| r.status == "Running") {
        // Only sessions azlin can address: `via` and `kill` name them.
        if let Some(s) = row.session.filter(|s| crate::azlin::addressable(s)) {
            by_vm.entry(row.hostname).or_default().push(s);
        }
    }
    let (mut idle, probe_failed) = find_idle(&azlin, &by_vm, args);
    failed |= probe_failed;
    idle.sort_by(|a, b| {
        b.idle_seconds
            .cmp(&a.idle_seconds)
            .then(a.compound.cmp(&b.compound))
    });
    if args.kill && !idle.is_empty() {
        failed |= kill(&azlin, &mut idle, args)?;
    } else {
        print(&idle, args)?;
    }
    Ok(u8::from(failed))
}

/// Asks every VM (at most `--jobs` at once) for its sessions' activity; returns the idle
/// ones and whether any VM could not be asked (each failure is reported on stderr).
fn find_idle(
    azlin: &Azlin,
    by_vm: &BTreeMap<String, Vec<String>>,
    args: &Args,
) -> (Vec<Idle>, bool) {
    let queue = Mutex::new(by_vm.iter());
    let found = Mutex::new(Vec::new());
    let failed = Mutex::new(false);
    std::thread::scope(|s| {
        for _ in 0..args
            .jobs
            .min(u16::try_from(by_vm.len()).unwrap_or(u16::MAX))
        {
            s.spawn(|| {
                loop {
                    let Some((vm, sessions)) = queue.lock().expect("queue").next() else {
                        break;
                    };
                    let via = format!("{vm}:{}", sessions[0]);
                    match azlin.activity(&via) {
                        Ok((now, activity)) => found.lock().expect("found").extend(idle_sessions(
                            vm,
                            sessions,
                            now,
                            &activity,
                            args.older_than,
                        )),
                        Err(e) => {
                            eprintln!("azlin idle: {vm}: {e:#}");
                            *failed.lock().expect("failed") = true;
                        }
                    }
                }
            });
        }
    });
    (
        found.into_inner().expect("found"),
        failed.into_inner().expect("failed"),
    )
}

/// The sessions of `vm` listed by azlin whose activity is older than `older_than`.
fn idle_sessions(
    vm: &str,
    sessions: &[String],
    now: u64,
    activity: &[Activity],
    older_than: u64,
) -> Vec<Idle> {
    activity
        .iter()
        .filter(|a| sessions.contains(&a.session))
        .map(|a| (a, now.saturating_sub(a.last_activity)))
        .filter(|(_, idle)| *idle > older_than)
        .map(|(a, idle)| Idle {
            compound: format!("{vm}:{}", a.session),
            hostname: vm.to_string(),
            session: a.session.clone(),
            idle_seconds: idle,
            last_activity: a.last_activity,
            attached: a.attached > 0,
            killed: None,
        })
        .collect()
}

fn print(idle: &[Idle], args: &Args) -> Result<()> {
    if args.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(idle)?);
        return Ok(());
    }
    if idle.is_empty() {
        println!(
            "No session has been idle for more than {}.",
            duration::format(args.older_than)
        );
        return Ok(());
    }
    let width = idle
        .iter()
        .map(|i| i.compound.len())
        .max()
        .unwrap_or(0)
        .max(7);
    println!("{:<width$}  {:<8}  ATTACHED", "SESSION", "IDLE");
    for i in idle {
        println!(
            "{:<width$}  {:<8}  {}",
            i.compound,
            duration::format(i.idle_seconds),
            if i.attached { "yes" } else { "no" }
        );
    }
    Ok(())
}

/// Shows what will be ended, asks unless `--yes`, then ends each session. Returns whether
/// any could not be ended.
fn kill(azlin: &Azlin, idle: &mut [Idle], args: &Args) -> Result<bool> {
    let mut plan = std::io::stderr();
    writeln!(
        plan,
        "Ending {} session{} idle for more than {}:",
        idle.len(),
        if idle.len() == 1 { "" } else { "s" },
        duration::format(args.older_than)
    )?;
    for i in idle.iter() {
        let note = if i.attached { ", attached" } else { "" };
        writeln!(
            plan,
            "  {}  (idle {}{note})",
            i.compound,
            duration::format(i.idle_seconds)
        )?;
    }
    if !args.yes {
        write!(plan, "End them? [y/N] ")?;
        plan.flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            writeln!(plan, "Nothing was ended.")?;
            return Ok(true);
        }
    }
    let mut failed = false;
    for i in idle.iter_mut() {
        let result = azlin.kill(&i.compound);
        match &result {
            Ok(()) if args.format == Format::Table => println!("ended {}", i.compound),
            Ok(()) => {}
            Err(e) => {
                eprintln!("azlin idle: could not end {}: {e:#}", i.compound);
                failed = true;
            }
        }
        i.killed = Some(result.is_ok());
    }
    if args.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(idle)?);
    }
    Ok(failed)
}
