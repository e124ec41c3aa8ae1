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

/// The terminal's settings when azlin started a child that may leave them changed (ssh
/// puts the terminal in raw mode and restores it when it exits, unless it is killed),
/// put back with [`TerminalState::restore`].
pub struct TerminalState {
    #[cfg(unix)]
    saved: Option<rustix::termios::Termios>,
}

impl TerminalState {
    /// Saves the settings of the terminal on stdin (nothing when it is none).
    pub fn save() -> TerminalState {
        TerminalState {
            #[cfg(unix)]
            saved: rustix::termios::tcgetattr(std::io::stdin()).ok(),
        }
    }

    /// Puts the saved settings back, leaves the alternate screen a full-screen program
    /// (tmux) may have left it on, and shows the cursor: a sane terminal to print on.
    pub fn restore(&self) {
        #[cfg(unix)]
        if let Some(t) = &self.saved {
            let _ = rustix::termios::tcsetattr(
                std::io::stdin(),
                rustix::termios::OptionalActions::Now,
                t,
            );
        }
        use std::io::Write;
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(b"\x1b[?1049l\x1b[?25h");
        let _ = err.flush();
    }
}
