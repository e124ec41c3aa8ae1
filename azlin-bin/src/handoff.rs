//! Handing the terminal over to ssh: on Unix azlin replaces itself with the ssh process,
//! so the exit status and signals are the remote side's, as if the user had typed `ssh`.

use std::io::IsTerminal;
use std::process::Command;

use anyhow::{Context as _, Result};

/// Whether stdin and stdout are both terminals (a user is at the keyboard).
pub fn at_terminal() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// Runs `cmd` in place of azlin. Returns only on failure to start it (or, off Unix,
/// with its exit status).
pub fn replace_with(mut cmd: Command) -> Result<u8> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    azlin_core::diag::command_handed_over(&cmd);
    // ssh gets a clean screen: no indicator left behind.
    crate::diag::clear();
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let err = cmd.exec();
        Err(err).with_context(|| {
            format!("cannot run the ssh client `{program}`: install OpenSSH, or set AZLIN_SSH")
        })
    }
    #[cfg(not(unix))]
    {
        let status = cmd.status().with_context(|| {
            format!("cannot run the ssh client `{program}`: install OpenSSH, or set AZLIN_SSH")
        })?;
        Ok(status.code().unwrap_or(1).clamp(0, 255) as u8)
    }
}
