//! `azlin tag remove VM KEY…`: removes tags of a VM.

use anyhow::Result;
use azlin_core::provider::tags;
use clap::Args;

use crate::commands::name_args::VmNameArg;
use crate::context::Context;

/// `azlin tag remove`.
#[derive(Debug, Args)]
pub struct TagRemoveArgs {
    /// The VM's name
    pub vm: VmNameArg,
    /// Keys of the tags to remove
    #[arg(value_name = "KEY", required = true)]
    pub keys: Vec<String>,
}

/// Runs `azlin tag remove`.
pub fn run(ctx: &Context, args: &TagRemoveArgs) -> Result<u8> {
    let (paths, config) = (&ctx.run.paths, &ctx.run.config);
    let after = tags::remove_tags(
        paths,
        config,
        &ctx.run.load_options(false),
        &args.vm,
        &args.keys,
    )?;
    if !ctx.quiet {
        super::print_tags(&args.vm, &after);
    }
    Ok(0)
}
