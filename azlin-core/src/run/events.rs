//! What a run tells the person running it while it works: the binary shows warnings and
//! a progress indicator on its terminal; a library user may show them or not.

/// Receives a run's warnings and the progress of its live probes.
pub trait Events: Sync {
    /// A problem that did not stop the run (a cache that could not be saved, a provider's
    /// warning).
    fn warn(&self, message: &str);

    /// A live probe of `vms` VMs starts; it can take up to the connect timeout.
    fn probe_started(&self, vms: usize) {
        let _ = vms;
    }

    /// One probe of the fleet ended, successfully or not.
    fn probe_done(&self, ok: bool) {
        let _ = ok;
    }

    /// Every probe of the fleet ended.
    fn probe_finished(&self) {}

    /// An inventory load ended (the binary ends its count of Azure requests there).
    fn loaded(&self) {}
}

/// Events nobody is shown.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Events for Silent {
    fn warn(&self, _message: &str) {}
}
