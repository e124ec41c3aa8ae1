//! `azlin tag list|add|remove VM …`: tags of an Azure VM (Tags API) or a local host.

pub mod add;
pub mod list;
pub mod remove;

use std::collections::BTreeMap;

use anyhow::Result;
use azlin_core::text::Escaped;
use clap::Subcommand;

use crate::context::Context;
use add::TagAddArgs;
use list::TagListArgs;
use remove::TagRemoveArgs;

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

/// Runs `azlin tag …`.
pub fn run(ctx: &Context, cmd: &TagCommand) -> Result<u8> {
    match cmd {
        TagCommand::List(args) => list::run(ctx, args),
        TagCommand::Add(args) => add::run(ctx, args),
        TagCommand::Remove(args) => remove::run(ctx, args),
    }
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
