//! `azlin resolve ID`: where a name leads, without connecting.

use anyhow::Result;
use azlin_core::inventory::ProviderKind;
use azlin_core::resolve::resolve;
use azlin_core::text::Escaped;
use clap::Args;
use serde_json::json;

use crate::cli::InfoFormat;
use crate::commands::name_args::TargetId;
use crate::context::Context;
use crate::output;

pub const RESOLVE_HELP: &str = "\
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
    pub id: TargetId,
    /// Output format
    #[arg(long, value_enum, default_value_t = InfoFormat::Text)]
    pub format: InfoFormat,
    /// List Azure again instead of using the inventory cache
    #[arg(long)]
    pub refresh: bool,
}

/// Runs `azlin resolve`.
pub fn run(ctx: &Context, args: &ResolveArgs) -> Result<u8> {
    let inventory = ctx.run.inventory_for(&args.id, args.refresh)?;
    let target = resolve(&args.id, &inventory, ctx.run.config.default_session())
        .map_err(azlin_core::Error::from)?;
    let ssh = target.vm.ssh_target(&ctx.run.connect_defaults());
    let known = inventory
        .sessions
        .sessions_of(&target.vm.name)
        .iter()
        .find(|s| s.name == target.session);
    match args.format {
        InfoFormat::Json => output::print_json(&json!({
            "input": &*args.id,
            "vm": target.vm.name,
            "session": target.session,
            "compound": target.compound(),
            "ssh_alias": target.ssh_alias(),
            "matched_by": target.matched_by,
            "provider": target.vm.provider,
            "address": ssh.as_ref().map(|s| &s.hostname),
            "user": ssh.as_ref().and_then(|s| s.user.as_ref()),
            "port": target.vm.port,
            "proxy_jump": target.vm.proxy_jump,
            "label": target.vm.label,
            "power": target.vm.power,
            "session_known": known.is_some(),
        }))?,
        InfoFormat::Text => {
            let session_note = match known {
                Some(s) => format!(
                    "{} window{}{}",
                    s.windows,
                    if s.windows == 1 { "" } else { "s" },
                    if s.attached { ", attached" } else { "" }
                ),
                None => "not seen yet; created on connect".to_string(),
            };
            // Provider data (names, addresses, users), shown by the one rule.
            println!(
                "{}  (matched by {})",
                Escaped(&target.compound()),
                target.matched_by
            );
            println!(
                "  vm:        {} ({})",
                Escaped(&target.vm.name),
                target.vm.provider
            );
            println!("  session:   {} ({session_note})", Escaped(&target.session));
            match &ssh {
                Some(s) => {
                    println!("  address:   {}", Escaped(&s.hostname));
                    println!(
                        "  user:      {}",
                        Escaped(s.user.as_deref().unwrap_or("(ssh default)"))
                    );
                    println!("  port:      {}", s.port);
                    if let Some(j) = &s.proxy_jump {
                        println!("  via:       {}", Escaped(j));
                    }
                }
                None if target.vm.provider == ProviderKind::Azure => println!(
                    "  address:   (none: no route; {})",
                    azlin_core::provider::azure::record::NO_ROUTE_HINT
                ),
                None => println!("  address:   (none: the VM has no route)"),
            }
            println!("  ssh alias: {}", Escaped(&target.ssh_alias()));
        }
    }
    Ok(0)
}
