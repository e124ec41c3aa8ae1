//! `azlin code ID [--editor E] [--print]`: VS Code (or an editor with its command line)
//! with Remote-SSH on the VM's plain ssh alias, in the session's active pane directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;
use azlin_core::pane;
use azlin_core::quote::shell_join;
use azlin_core::ssh_config;
use azlin_core::tmux::Need;
use clap::Args;

use crate::cli::RemoteArgs;
use crate::commands::name_args::TargetId;
use crate::commands::ssh_config::report_resync;
use crate::context::Context;

pub const CODE_HELP: &str = "\
Runs `EDITOR --remote ssh-remote+<vm alias> <pane directory>`, the way VS Code's
Remote-SSH opens a folder on a host of ~/.ssh/config, after bringing the generated ssh
config up to date (run `azlin ssh-config` once first). The folder is the active pane's
directory of the session (the home directory when the default session does not exist).
--editor takes any editor with VS Code's command line (code, code-insiders, cursor) or a path.

Examples:
  azlin code myvm:dev
  azlin code myvm:dev --editor cursor
  azlin code myvm:dev --print          # show the command instead of running it";

/// `azlin code`.
#[derive(Debug, Args)]
pub struct CodeArgs {
    /// The session whose pane directory to open: `vm:session`, `vm`, a session name…
    #[arg(value_name = "ID")]
    pub id: TargetId,
    /// The editor: code, code-insiders, cursor, or a path to one
    #[arg(long, value_name = "EDITOR", default_value = "code")]
    pub editor: String,
    /// Print the editor's command line instead of running it
    #[arg(long)]
    pub print: bool,
    /// Connection settings.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// Runs `azlin code`.
pub fn run(ctx: &Context, args: &CodeArgs) -> Result<u8> {
    let settings = ctx.remote_settings(&args.remote);
    let target = ctx.run.resolve(&args.id, &settings)?;
    let alias = target.vm.name.to_ascii_lowercase();
    if let Some(why) = ssh_config::plain_alias_refused(&ctx.run.paths, &target.vm.name) {
        // `ssh-remote+github.com` would open the real github.com, not this VM.
        anyhow::bail!(
            "VS Code cannot be sent to VM `{}`: azlin writes no plain ssh alias for it ({why}); \
             rename the VM, or add a `Host` of your own for it to ~/.ssh/config",
            azlin_core::text::escape(&target.vm.name)
        );
    }
    let ssh = ctx.run.ssh_target(&target.vm)?;
    // A named session must exist; a defaulted one that does not opens the home directory.
    let need = target.session_explicit.then_some(Need::Existing);
    let dir =
        pane::directory(&ssh, &settings, &target.session, need).map_err(azlin_core::Error::from)?;
    let argv = [
        args.editor.clone(),
        "--remote".to_string(),
        format!("ssh-remote+{alias}"),
        dir,
    ];
    if !ssh_config::is_enabled(&ctx.run.paths) {
        // VS Code finds hosts in ~/.ssh/config; azlin edits it only once asked to.
        if !args.print {
            anyhow::bail!(
                "VS Code reaches `{alias}` through azlin's generated ssh config, which is not \
                 set up: run `azlin ssh-config` once, then `azlin code {}` again",
                azlin_core::text::escape(&args.id)
            );
        }
        ctx.warn("the generated ssh config is not set up: run `azlin ssh-config` once");
    } else {
        // VS Code reads the VM's alias from it, whatever this run learnt.
        report_resync(ctx, ctx.run.resync_config());
    }
    if args.print {
        println!("{}", shell_join(&argv));
        return Ok(0);
    }
    let Some(editor) = find_editor(&args.editor) else {
        anyhow::bail!(
            "no editor `{}` on PATH: install VS Code and its `code` command \
             (https://code.visualstudio.com, then \"Shell Command: Install 'code' command in \
             PATH\"), or name another with --editor (code-insiders, cursor, or a path)",
            azlin_core::text::escape(&args.editor)
        );
    };
    let mut cmd = Command::new(editor);
    cmd.args(&argv[1..]);
    azlin_core::diag::command_handed_over(&cmd);
    let status = cmd
        .status()
        .map_err(|e| anyhow::anyhow!("cannot run `{}`: {e}", args.editor))?;
    Ok(status.code().map_or(1, |c| c.clamp(0, 255) as u8))
}

/// The editor to run: a path as given, else the first executable `name` on PATH.
fn find_editor(name: &str) -> Option<PathBuf> {
    if name.contains('/') {
        let path = Path::new(name);
        return path.is_file().then(|| path.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(name))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && azlin_core::plugin::discover::is_executable(&m))
        })
}
