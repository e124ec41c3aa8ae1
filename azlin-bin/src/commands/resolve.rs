//! `azlin resolve ID`: where a name leads, without connecting.

use anyhow::Result;
use azlin_core::inventory::ProviderKind;
use azlin_core::run::{Explained, OnConnect};
use azlin_core::text::Escaped;
use clap::Args;
use serde_json::json;

use crate::cli::{InfoFormat, RemoteArgs};
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

As with `connect`, a session name the cache does not know is looked for on the running
VMs (one probe). The session line says what `connect` would do, as far as the cache and
that probe know (connect looks at the VM again): attach it, create it, or refuse it as a
typo of a close name that runs.

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
    /// Connection settings (a session name the cache does not know is looked for on the
    /// running VMs, as `connect` does).
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// Runs `azlin resolve`.
pub fn run(ctx: &Context, args: &ResolveArgs) -> Result<u8> {
    let settings = ctx.remote_settings(&args.remote);
    let Explained {
        target,
        matched_by,
        on_connect,
    } = ctx.run.explain(&args.id, args.refresh, &settings)?;
    let ssh = target.vm.ssh_target(&ctx.run.connect_defaults());
    match args.format {
        InfoFormat::Json => output::print_json(&json!({
            "input": &*args.id,
            "vm": target.vm.name,
            "session": target.session,
            "compound": target.compound(),
            "ssh_alias": target.ssh_alias(),
            "matched_by": matched_by,
            "provider": target.vm.provider,
            "address": ssh.as_ref().map(|s| &s.hostname),
            "user": ssh.as_ref().and_then(|s| s.user.as_ref()),
            "port": target.vm.port,
            "proxy_jump": target.vm.proxy_jump,
            "label": target.vm.label,
            "power": target.vm.power,
            "session_known": matches!(on_connect, OnConnect::Attach(_)),
            "on_connect": match on_connect {
                OnConnect::Attach(_) => "attach",
                OnConnect::Create => "create",
                OnConnect::Refuse(_) => "refuse",
            },
        }))?,
        InfoFormat::Text => {
            let session_note = match &on_connect {
                OnConnect::Attach(s) => format!(
                    "{} window{}{}",
                    s.windows,
                    if s.windows == 1 { "" } else { "s" },
                    if s.attached { ", attached" } else { "" }
                ),
                OnConnect::Create => "not seen yet; created on connect".to_string(),
                OnConnect::Refuse(why) => {
                    format!(
                        "not seen yet; connect refuses: {}",
                        Escaped(&why.to_string())
                    )
                }
            };
            // Provider data (names, addresses, users), shown by the one rule.
            println!("{}  (matched by {matched_by})", Escaped(&target.compound()),);
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
