//! The start of several commands on one VM at once (`exec vm:a vm:b`): the first sets the
//! VM's shared connection up, the others wait until it is up and then use it, instead of
//! each opening a connection of its own (the master claim keeps ssh quiet either way;
//! the wait saves the connections).

use std::collections::HashMap;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use super::Resolved;
use crate::remote::Settings;

/// How much longer than the first-output deadline a target waits for the first target on
/// its VM before it starts anyway.
pub const GATE_MARGIN: Duration = Duration::from_secs(1);

/// One gate per VM with several targets: shut until the first target's connection is up.
pub struct Gates {
    /// VM name → the compound name of its first target, and its gate.
    by_vm: HashMap<String, (String, Gate)>,
}

/// The gate of one VM, opened by its first target.
#[derive(Default)]
pub struct Gate {
    open: Mutex<bool>,
    opened: Condvar,
}

impl Gate {
    /// Lets the other targets on the VM start: the first's connection is up (its first
    /// line arrived), or it ended.
    pub fn open(&self) {
        if let Ok(mut open) = self.open.lock() {
            *open = true;
        }
        self.opened.notify_all();
    }
}

impl Gates {
    /// The gates of `targets`: one for each VM that more than one of them is on.
    pub fn of(targets: &[Resolved]) -> Gates {
        let mut count: HashMap<&str, usize> = HashMap::new();
        for t in targets {
            *count.entry(t.vm.name.as_str()).or_default() += 1;
        }
        let mut by_vm = HashMap::new();
        for t in targets {
            if count[t.vm.name.as_str()] > 1 {
                by_vm
                    .entry(t.vm.name.clone())
                    .or_insert_with(|| (t.compound(), Gate::default()));
            }
        }
        Gates { by_vm }
    }

    /// The gate `target` opens, when it is the first on a VM with several targets.
    pub fn first(&self, target: &Resolved) -> Option<&Gate> {
        self.by_vm
            .get(&target.vm.name)
            .filter(|(first, _)| *first == target.compound())
            .map(|(_, gate)| gate)
    }

    /// Waits until the first target on `target`'s VM is connected, at most the
    /// first-output deadline of `settings` and [`GATE_MARGIN`].
    pub fn wait(&self, target: &Resolved, settings: &Settings) {
        let Some((_, gate)) = self.by_vm.get(&target.vm.name) else {
            return;
        };
        let limit = settings.first_output() + GATE_MARGIN;
        if let Ok(open) = gate.open.lock() {
            let _ = gate.opened.wait_timeout_while(open, limit, |open| !*open);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::tests::vm;
    use std::time::Instant;

    fn at(vm_name: &str, session: &str) -> Resolved {
        Resolved {
            vm: vm(vm_name),
            session: session.into(),
            session_explicit: true,
        }
    }

    #[test]
    fn the_first_target_on_a_vm_opens_the_gate_the_others_wait_for() {
        let targets = [at("a", "x"), at("a", "y"), at("b", "z")];
        let gates = Gates::of(&targets);
        assert!(gates.first(&targets[0]).is_some());
        assert!(gates.first(&targets[1]).is_none());
        // Alone on its VM: no gate, no wait.
        assert!(gates.first(&targets[2]).is_none());
        let settings = Settings::new(30, None);
        let started = Instant::now();
        gates.wait(&targets[2], &settings);
        assert!(started.elapsed() < Duration::from_secs(5));
        let waiting = Instant::now();
        std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(Duration::from_millis(50));
                gates.first(&targets[0]).unwrap().open();
            });
            gates.wait(&targets[1], &settings);
        });
        // It waited for the opening, which came long before the 31 s limit.
        assert!(waiting.elapsed() >= Duration::from_millis(50));
        assert!(started.elapsed() < Duration::from_secs(20));
    }
}
