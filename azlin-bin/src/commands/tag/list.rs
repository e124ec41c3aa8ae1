//! `azlin tag list VM [--format text|json] [--refresh]`: a VM's tags.

use anyhow::Result;
use azlin_core::provider::tags;
use clap::Args;

use crate::cli::InfoFormat;
use crate::commands::name_args::VmNameArg;
use crate::context::Context;
use crate::output;

/// `azlin tag list`.
#[derive(Debug, Args)]
pub struct TagListArgs {
    /// The VM's name
    pub vm: VmNameArg,
    /// Output format
    #[arg(long, value_enum, default_value_t = InfoFormat::Text)]
    pub format: InfoFormat,
    /// List Azure again instead of using the inventory cache
    #[arg(long)]
    pub refresh: bool,
}

/// Runs `azlin tag list`.
pub fn run(ctx: &Context, args: &TagListArgs) -> Result<u8> {
    let (paths, config) = (&ctx.run.paths, &ctx.run.config);
    let tags = tags::list_tags(paths, config, &ctx.run.load_options(args.refresh), &args.vm)?;
    match args.format {
        InfoFormat::Json => output::print_json(&tags)?,
        InfoFormat::Text => super::print_tags(&args.vm, &tags),
    }
    Ok(0)
}
