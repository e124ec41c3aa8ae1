//! `azlin tag list|add|remove VM …`: tags of an Azure VM (Tags API) or a local host.

use std::collections::BTreeMap;

use anyhow::Result;
use azlin_core::provider::local::parse_tags;
use azlin_core::provider::tags;
use azlin_core::text::Escaped;

use crate::cli::{InfoFormat, TagCommand};
use crate::context::Context;
use crate::output;

/// Runs `azlin tag …`.
pub fn run(ctx: &Context, cmd: &TagCommand) -> Result<u8> {
    let (paths, config) = (&ctx.paths, &ctx.config);
    match cmd {
        TagCommand::List(args) => {
            let tags = tags::list_tags(paths, config, &ctx.load_options(args.refresh), &args.vm)?;
            match args.format {
                InfoFormat::Json => output::print_json(&tags)?,
                InfoFormat::Text => print_tags(&args.vm, &tags),
            }
        }
        TagCommand::Add(args) => {
            let new: BTreeMap<String, String> =
                parse_tags(&args.tags).map_err(azlin_core::Error::from)?;
            let after = tags::add_tags(paths, config, &ctx.load_options(false), &args.vm, &new)?;
            if !ctx.quiet {
                print_tags(&args.vm, &after);
            }
        }
        TagCommand::Remove(args) => {
            let after = tags::remove_tags(
                paths,
                config,
                &ctx.load_options(false),
                &args.vm,
                &args.keys,
            )?;
            if !ctx.quiet {
                print_tags(&args.vm, &after);
            }
        }
    }
    Ok(0)
}

/// The guide's form: `  key: value` lines (the label is the `azlin_session` tag).
fn print_tags(vm: &str, tags: &BTreeMap<String, String>) {
    println!("Tags for {}:", Escaped(vm));
    if tags.is_empty() {
        println!("  (no tags)");
    }
    // Tags are provider data: a key or value may hold anything (README, "Text from VMs
    // and providers").
    for (k, v) in tags {
        println!("  {}: {}", Escaped(k), Escaped(v));
    }
}
