//! The guarded session operations that `disconnect`, `kill`, `session vm:s NAME` and a
//! `connect` without a terminal share: one ssh checks the session, acts, and lists the
//! sessions that are left, which the run records.

use super::{Resolved, Run};
use crate::inventory::SessionInfo;
use crate::remote::{self, Settings};
use crate::tmux::Need;

impl Run {
    /// Makes sure `target`'s session is as `need` says, runs the tmux `command` on it and
    /// records the sessions listed afterwards (see [`remote::session_op`]); a missing
    /// session is [`remote::RemoteError::NoSuchSession`].
    pub fn session_op(
        &self,
        target: &Resolved,
        settings: &Settings,
        need: Need,
        command: &str,
    ) -> Result<Vec<SessionInfo>, crate::Error> {
        let ssh = self.ssh_target(&target.vm)?;
        let after = remote::session_op(&ssh, settings, &target.session, need, command);
        self.record_probe(&target.vm, &after);
        Ok(after?)
    }
}
