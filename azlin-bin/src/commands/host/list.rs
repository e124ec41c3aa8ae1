//! `azlin host list [--format table|json] [--wide]`: the local inventory.

use anyhow::Result;
use azlin_core::provider::local::HostsFile;
use azlin_core::ssh::DEFAULT_PORT;
use clap::Args;
use serde_json::json;

use crate::cli::ListFormat;
use crate::context::Context;
use crate::output;

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

/// Runs `azlin host list`.
pub fn run(ctx: &Context, args: &HostListArgs) -> Result<u8> {
    let file = HostsFile::load(&ctx.run.paths.hosts_file()).map_err(azlin_core::Error::from)?;
    match args.format {
        ListFormat::Json => {
            let hosts: Vec<_> = file
                .hosts
                .iter()
                .map(|(name, h)| {
                    json!({
                        "name": name,
                        "address": h.address,
                        "port": h.port.unwrap_or(DEFAULT_PORT),
                        "user": h.user,
                        "identity_file": h.identity_file,
                        "proxy_jump": h.proxy_jump,
                        "label": h.label,
                        "tags": h.tags,
                    })
                })
                .collect();
            output::print_json(&hosts)?;
        }
        ListFormat::Table => {
            if file.hosts.is_empty() {
                eprintln!(
                    "No hosts registered. Add one with `azlin host add NAME --address ADDR`."
                );
                return Ok(0);
            }
            let rows: Vec<Vec<String>> = file
                .hosts
                .iter()
                .map(|(name, h)| {
                    vec![
                        name.clone(),
                        h.address.clone(),
                        h.port.unwrap_or(DEFAULT_PORT).to_string(),
                        h.user.clone().unwrap_or_else(|| "-".into()),
                        h.label.clone().unwrap_or_else(|| "-".into()),
                        h.tags
                            .iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(","),
                    ]
                })
                .collect();
            print!(
                "{}",
                output::table(
                    ctx.stdout_look(),
                    &["NAME", "ADDRESS", "PORT", "USER", "LABEL", "TAGS"],
                    &rows,
                    args.wide,
                    None,
                    &[0],
                )
            );
        }
    }
    Ok(0)
}
