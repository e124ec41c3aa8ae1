//! `azlin resolve ID`: where a name leads, without connecting.

use anyhow::Result;
use azlin_core::inventory::ProviderKind;
use azlin_core::resolve::resolve;
use azlin_core::text::Escaped;
use serde_json::json;

use crate::cli::{InfoFormat, ResolveArgs};
use crate::context::Context;
use crate::output;

/// Runs `azlin resolve`.
pub fn run(ctx: &Context, args: &ResolveArgs) -> Result<u8> {
    let inventory = ctx.inventory_for(&args.id, args.refresh)?;
    let target = resolve(&args.id, &inventory, ctx.config.default_session())
        .map_err(azlin_core::Error::from)?;
    let ssh = target.vm.ssh_target(&ctx.connect_defaults());
    let known = inventory
        .sessions
        .sessions_of(&target.vm.name)
        .iter()
        .find(|s| s.name == target.session);
    match args.format {
        InfoFormat::Json => output::print_json(&json!({
            "input": args.id,
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
    // The process ends next: freeing a large inventory (10,000 cached sessions are
    // 20,000 allocations) one by one costs more than the lookup, and the OS takes the
    // memory back at once. (Forgetting this reference keeps the count above zero, so the
    // run's copy in the Context is not freed either.)
    std::mem::forget(inventory);
    Ok(0)
}
