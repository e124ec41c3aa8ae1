//! `azlin tag add VM K=V…`: adds or changes tags of a VM.

use std::collections::BTreeMap;

use anyhow::Result;
use azlin_core::provider::local::parse_tags;
use azlin_core::provider::tags;
use clap::Args;

use crate::commands::name_args::VmNameArg;
use crate::context::Context;

/// `azlin tag add`.
#[derive(Debug, Args)]
pub struct TagAddArgs {
    /// The VM's name
    pub vm: VmNameArg,
    /// Tags to set, KEY=VALUE
    #[arg(value_name = "K=V", required = true)]
    pub tags: Vec<String>,
}

/// Runs `azlin tag add`.
pub fn run(ctx: &Context, args: &TagAddArgs) -> Result<u8> {
    let (paths, config) = (&ctx.run.paths, &ctx.run.config);
    let new: BTreeMap<String, String> = parse_tags(&args.tags).map_err(azlin_core::Error::from)?;
    let after = tags::add_tags(paths, config, &ctx.run.load_options(false), &args.vm, &new)?;
    if !ctx.quiet {
        super::print_tags(&args.vm, &after);
    }
    Ok(0)
}
