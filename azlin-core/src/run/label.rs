//! A VM's label (a local host's `label` in hosts.toml, an Azure VM's `azlin_session`
//! tag), set through the run so that the rest of the run sees it.

use super::Run;

impl Run {
    /// Sets (`Some`) or clears (`None`) the label of VM `vm` (see
    /// [`crate::provider::tags::set_label`]); the run loads its inventory again on its next
    /// use and counts the label as learnt (see [`Run::resync_if_learnt`]).
    pub fn set_label(&self, vm: &str, label: Option<&str>) -> Result<(), crate::Error> {
        crate::provider::tags::set_label(
            &self.paths,
            &self.config,
            &self.load_options(false),
            vm,
            label,
        )?;
        self.forget_inventory();
        self.mark_learnt();
        Ok(())
    }
}
