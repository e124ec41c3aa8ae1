//! The guarded session operations that `disconnect`, `kill`, `session vm:s NAME` and a
//! `connect` without a terminal share: one ssh checks the session, acts, and lists the
//! sessions that are left, which the run records.

use super::{OnConnect, Resolved, Run};
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

    /// The sessions on `target`'s VM now, which must include `target`'s (else
    /// [`remote::RemoteError::NoSuchSession`], naming those that exist): the run's probe,
    /// recorded like any other.
    pub fn require_session(
        &self,
        target: &Resolved,
        settings: &Settings,
    ) -> Result<Vec<SessionInfo>, crate::Error> {
        let probed = self
            .prober
            .probe(&target.vm, &self.connect_defaults(), settings);
        self.record_probe(&target.vm, &probed);
        Ok(remote::require(&target.vm.name, &target.session, probed?)?)
    }

    /// Whether `target`'s session runs already, asking the VM (the run's probe: one ssh,
    /// over the shared connection) and recording what it lists. A named session that does not
    /// run, while one of a close name does, is [`crate::resolve::ResolveError::CloseSession`] when
    /// `refuse_close` (a typo must not create a session). `None`: the VM could not be
    /// asked (the ssh that follows will say why).
    pub fn session_state(
        &self,
        target: &Resolved,
        settings: &Settings,
        refuse_close: bool,
    ) -> Result<Option<bool>, crate::Error> {
        let probed = self
            .prober
            .probe(&target.vm, &self.connect_defaults(), settings);
        self.record_probe(&target.vm, &probed);
        let Ok(sessions) = probed else {
            return Ok(None);
        };
        match target.on_connect(&sessions) {
            OnConnect::Attach(_) => Ok(Some(true)),
            OnConnect::Refuse(typo) if refuse_close => Err(typo.into()),
            OnConnect::Refuse(_) | OnConnect::Create => Ok(Some(false)),
        }
    }
}
