//! `azlin man --dir DIR`: man pages (clap_mangen) for azlin and each of its commands.

use std::path::Path;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, CommandFactory};

use crate::cli::Cli;

/// `azlin man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Directory to write `azlin.1` and `azlin-COMMAND.1` into (created if missing)
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
}

/// Writes `azlin.1` and `azlin-COMMAND.1` for every visible command into `args.dir`.
pub fn run(args: &ManArgs) -> Result<u8> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create {}", args.dir.display()))?;
    let mut cli = Cli::command();
    cli.build();
    write_page(&args.dir, "azlin", cli.clone())?;
    for sub in cli.get_subcommands().filter(|s| !s.is_hide_set()) {
        // A page per command is named as git names them: `azlin-connect(1)`. clap wants a
        // 'static name; this process writes a handful of pages and exits.
        let name: &'static str = Box::leak(format!("azlin-{}", sub.get_name()).into_boxed_str());
        write_page(&args.dir, name, sub.clone().name(name))?;
    }
    Ok(0)
}

fn write_page(dir: &Path, name: &str, command: clap::Command) -> Result<()> {
    let mut page = Vec::new();
    clap_mangen::Man::new(command).render(&mut page)?;
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, page).with_context(|| format!("cannot write {}", path.display()))?;
    println!("{}", path.display());
    Ok(())
}
