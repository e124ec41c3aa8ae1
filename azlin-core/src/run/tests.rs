//! The resolution policy of a run, against an inventory held in memory (a local host
//! and Azure VMs whose listing is "cached" until a refresh) and a fake of the probe, the
//! one part that needs a VM. The policy, the session cache on disk and its locking are
//! the real ones.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::inventory::{PowerState, SessionInfo};
use crate::provider::AzureLoad;
use crate::remote::{Probe, RemoteError};
use crate::resolve::ResolveError;

/// VMs in memory: `local` always, `azure` as the Azure cache had them, and `azure_now`
/// as a fresh listing (`--refresh`, or the refresh after a miss) finds them.
struct Memory {
    local: Vec<Vm>,
    azure: Vec<Vm>,
    azure_now: Vec<Vm>,
    loads: AtomicUsize,
    refreshes: AtomicUsize,
}

impl Memory {
    fn new(local: &[&str], azure: &[&str], azure_now: &[&str]) -> Memory {
        let vms = |names: &[&str], provider| {
            names
                .iter()
                .map(|n| Vm::new(n, provider).at("127.0.0.1"))
                .collect()
        };
        Memory {
            local: vms(local, ProviderKind::Local),
            azure: vms(azure, ProviderKind::Azure),
            azure_now: vms(azure_now, ProviderKind::Azure),
            loads: AtomicUsize::new(0),
            refreshes: AtomicUsize::new(0),
        }
    }

    /// The same, with local host `name` stopped.
    fn stopped(mut self, name: &str) -> Memory {
        for vm in self.local.iter_mut().filter(|v| v.name == name) {
            vm.power = PowerState::Stopped;
        }
        self
    }
}

impl Source for &'static Memory {
    fn load(
        &self,
        paths: &Paths,
        _config: &Config,
        options: &LoadOptions,
    ) -> Result<Loaded, crate::Error> {
        self.loads.fetch_add(1, Ordering::SeqCst);
        if options.refresh {
            self.refreshes.fetch_add(1, Ordering::SeqCst);
        }
        let azure = if options.refresh {
            &self.azure_now
        } else {
            &self.azure
        };
        let vms = self.local.iter().chain(azure).cloned().collect();
        let sessions = crate::inventory::load_session_cache(paths);
        Ok(Loaded {
            inventory: Inventory::new(vms, sessions)?,
            azure: Some(AzureLoad {
                subscription: "sub".into(),
                fetched: options.refresh,
                ..AzureLoad::default()
            }),
            warnings: Vec::new(),
            complete: true,
        })
    }

    fn local_hosts_now(&self, _paths: &Paths) -> Option<Vec<String>> {
        Some(self.local.iter().map(|v| v.name.clone()).collect())
    }
}

/// What each VM would say to a probe, and which VMs were asked.
#[derive(Default)]
struct FakeProbe {
    sessions: BTreeMap<String, Vec<&'static str>>,
    asked: Mutex<Vec<String>>,
}

impl FakeProbe {
    fn with(sessions: &[(&str, &[&'static str])]) -> FakeProbe {
        FakeProbe {
            sessions: sessions
                .iter()
                .map(|(vm, s)| (vm.to_string(), s.to_vec()))
                .collect(),
            asked: Mutex::default(),
        }
    }
}

impl Prober for &'static FakeProbe {
    fn probe(&self, vm: &Vm, _defaults: &ConnectDefaults, _settings: &Settings) -> Probe {
        self.asked.lock().unwrap().push(vm.name.clone());
        match self.sessions.get(&vm.name) {
            Some(names) => Ok(names.iter().map(|n| SessionInfo::new(n)).collect()),
            None => Err(RemoteError::Unreachable {
                vm: vm.name.clone(),
                target: "127.0.0.1".into(),
                detail: "refused".into(),
            }),
        }
    }
}

/// A run over `memory` and `probe` in a fresh `$AZLIN_HOME`, with `cached` already in
/// its session cache.
fn run(
    memory: &'static Memory,
    probe: &'static FakeProbe,
    cached: &[(&str, &[&str])],
) -> (Run, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let paths = Paths {
        azlin_home: home.path().join(".azlin"),
        home: home.path().to_path_buf(),
    };
    let mut cache = SessionCache::default();
    for (vm, names) in cached {
        cache.record(vm, names.iter().map(|n| SessionInfo::new(n)).collect());
    }
    cache.save(&paths.sessions_cache()).unwrap();
    let run = Run::with_parts(
        paths,
        Config::default(),
        ScopeFlags::default(),
        Box::new(memory),
        Box::new(probe),
        Box::new(Silent),
    );
    (run, home)
}

fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

fn settings() -> Settings {
    Settings::new(1, None)
}

fn asked(probe: &FakeProbe) -> Vec<String> {
    let mut asked = probe.asked.lock().unwrap().clone();
    asked.sort();
    asked
}

#[test]
fn a_name_in_the_cache_resolves_without_a_probe() {
    let memory = leak(Memory::new(&["box"], &["az1"], &["az1"]));
    let probe = leak(FakeProbe::with(&[("box", &["other"])]));
    let (run, _home) = run(memory, probe, &[("box", &["dev"])]);
    let found = run.resolve("dev", &settings()).unwrap();
    assert_eq!(found.compound(), "box:dev");
    assert!(found.session_explicit);
    assert!(asked(probe).is_empty(), "{:?}", asked(probe));
    assert_eq!(memory.refreshes.load(Ordering::SeqCst), 0);
}

#[test]
fn a_miss_probes_the_running_fleet_once_and_records_what_it_found() {
    // A stopped VM is not asked: it would only cost the timeout.
    let memory = leak(Memory::new(&["box", "off"], &["az1"], &["az1"]).stopped("off"));
    let probe = leak(FakeProbe::with(&[("box", &[]), ("az1", &["dev"])]));
    let (run, _home) = run(memory, probe, &[]);
    let found = run.resolve("dev", &settings()).unwrap();
    assert_eq!(found.compound(), "az1:dev");
    assert_eq!(asked(probe), ["az1", "box"]);
    // Recorded on disk, for the next run, and in this run's inventory.
    let cache = SessionCache::load(&run.paths.sessions_cache());
    assert_eq!(cache.sessions_of("az1"), [SessionInfo::new("dev")]);
    assert_eq!(
        run.inventory().unwrap().sessions.sessions_of("az1"),
        [SessionInfo::new("dev")]
    );
}

#[test]
fn a_miss_that_no_probe_finds_is_not_found_and_probes_once_per_run() {
    let memory = leak(Memory::new(&["box"], &["az1"], &["az1"]));
    let probe = leak(FakeProbe::with(&[("box", &["main"]), ("az1", &[])]));
    let (run, _home) = run(memory, probe, &[]);
    let err = run.resolve("dev", &settings()).unwrap_err();
    assert!(
        matches!(err, crate::Error::Resolve(ResolveError::NotFound { .. })),
        "{err}"
    );
    assert_eq!(asked(probe).len(), 2);
    // Several unknown names, and a second command step: still that one probe.
    let err = run
        .resolve_all(&["nope".into(), "nada".into()], &settings())
        .unwrap_err();
    assert!(err.to_string().contains("`nope`"), "{err}");
    assert_eq!(asked(probe).len(), 2, "{:?}", asked(probe));
    // A VM name is not something a probe finds: `ghost:` is not found at once.
    let probe2 = leak(FakeProbe::with(&[]));
    let (run2, _home2) = self::run(memory, probe2, &[]);
    assert!(run2.resolve("ghost:", &settings()).is_err());
    assert!(asked(probe2).is_empty());
}

#[test]
fn a_miss_lists_azure_again_before_it_probes() {
    // `newvm` was created since the cached listing.
    let memory = leak(Memory::new(&["box"], &["az1"], &["az1", "newvm"]));
    let probe = leak(FakeProbe::with(&[]));
    let (run, _home) = run(memory, probe, &[]);
    let found = run.resolve("newvm", &settings()).unwrap();
    assert_eq!(found.compound(), "newvm:azlin");
    assert!(!found.session_explicit);
    assert_eq!(memory.refreshes.load(Ordering::SeqCst), 1);
    assert!(asked(probe).is_empty());
    // The fresh listing is the run's from then on: no third load.
    assert_eq!(run.resolve("newvm", &settings()).unwrap(), found);
    assert_eq!(memory.loads.load(Ordering::SeqCst), 2);
}

#[test]
fn a_session_on_vms_of_two_providers_is_ambiguous() {
    let memory = leak(Memory::new(&["box"], &["az1"], &["az1"]));
    let probe = leak(FakeProbe::with(&[]));
    let (run, _home) = run(memory, probe, &[("box", &["dev"]), ("az1", &["dev"])]);
    let err = run.resolve("dev", &settings()).unwrap_err();
    let crate::Error::Resolve(ResolveError::Ambiguous { candidates, .. }) = &err else {
        panic!("{err}");
    };
    let names: Vec<&str> = candidates.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(names, ["az1:dev", "box:dev"]);
    assert!(asked(probe).is_empty());
    // Naming the VM settles it.
    assert_eq!(
        run.resolve("box:dev", &settings()).unwrap().compound(),
        "box:dev"
    );
}

#[test]
fn a_command_that_ends_a_session_probes_first() {
    let memory = leak(Memory::new(&["box"], &["az1"], &["az1"]));
    // The cache says `dev` is on box only; az1 has one too by now.
    let probe = leak(FakeProbe::with(&[("box", &["dev"]), ("az1", &["dev"])]));
    let (run, _home) = run(memory, probe, &[("box", &["dev"])]);
    let err = run.resolve_fresh("dev", &settings()).unwrap_err();
    assert!(
        matches!(err, crate::Error::Resolve(ResolveError::Ambiguous { .. })),
        "{err}"
    );
    // A compound names its VM: no probe can change where it leads.
    let probe2 = leak(FakeProbe::with(&[]));
    let (run2, _home2) = self::run(memory, probe2, &[("box", &["dev"])]);
    assert_eq!(
        run2.resolve_fresh("box:dev", &settings())
            .unwrap()
            .compound(),
        "box:dev"
    );
    assert!(asked(probe2).is_empty());
}

#[test]
fn only_names_a_probe_can_find_cost_a_probe() {
    use super::resolution::probe_could_find;
    for yes in ["dev", ":dev", "myvm--dev", "my.vm--dev", "a--b--c"] {
        assert!(probe_could_find(yes), "{yes}");
    }
    // VMs, labels and addresses come from the inventory, not from a probe; a compound
    // names its VM; an invalid name is refused before any of this.
    for no in [
        "my.vm", "10.0.0.5", "::1", "myvm:dev", "myvm:", "a b", "x.y--",
    ] {
        assert!(!probe_could_find(no), "{no}");
    }
}

#[test]
fn a_named_session_with_a_close_name_on_its_vm_is_refused_as_a_typo() {
    let memory = leak(Memory::new(&["box"], &[], &[]));
    let probe = leak(FakeProbe::with(&[("box", &["dev", "main"])]));
    let (run, _home) = run(memory, probe, &[]);
    let target = |session: &str, explicit: bool| Resolved {
        vm: memory.local[0].clone(),
        session: session.into(),
        session_explicit: explicit,
    };
    let s = settings();
    assert_eq!(
        run.session_state(&target("dev", true), &s, true).unwrap(),
        Some(true)
    );
    let err = run
        .session_state(&target("dve", true), &s, true)
        .unwrap_err();
    assert_eq!(err.exit_code(), crate::EXIT_USAGE);
    assert_eq!(
        err.to_string(),
        "no session `dve` on box; did you mean `box:dev`? (`azlin connect box:dve --create` \
         makes `dve`)"
    );
    // Asked to create it, or a defaulted session, or no close name: it is just missing.
    assert_eq!(
        run.session_state(&target("dve", true), &s, false).unwrap(),
        Some(false)
    );
    assert_eq!(
        run.session_state(&target("dve", false), &s, true).unwrap(),
        Some(false)
    );
    assert_eq!(
        run.session_state(&target("build", true), &s, true).unwrap(),
        Some(false)
    );
    // What the VM listed is recorded.
    let cache = SessionCache::load(&run.paths.sessions_cache());
    assert_eq!(cache.sessions_of("box").len(), 2);
}

#[test]
fn the_config_is_resynced_only_after_the_run_learnt_sessions_or_labels() {
    let memory = leak(Memory::new(&["box"], &["az1"], &["az1"]));
    let probe = leak(FakeProbe::with(&[("box", &["main"]), ("az1", &["dev"])]));
    let (run, _home) = run(memory, probe, &[("box", &["main"])]);
    // Nothing learnt yet; a name the cache knows teaches nothing either.
    assert!(run.resync_if_learnt().is_none());
    run.resolve("main", &settings()).unwrap();
    assert!(run.resync_if_learnt().is_none());
    // Turn the generated config on, as `azlin ssh-config` does once.
    let inventory = run.inventory().unwrap();
    crate::ssh_config::sync(&run.paths, &inventory, &run.sync_options()).unwrap();
    // A miss probes the fleet and records it: the config learns `az1--dev`.
    run.resolve("dev", &settings()).unwrap();
    let Some(Resync::Synced(report)) = run.resync_if_learnt() else {
        panic!("a recorded probe must resync");
    };
    assert!(report.changed(), "{report:?}");
    // Once: until the run learns something again.
    assert!(run.resync_if_learnt().is_none());
    // A session noted before a handoff (ssh replaces azlin) counts too.
    run.note_session(&memory.local[0], "later");
    assert!(matches!(run.resync_if_learnt(), Some(Resync::Synced(_))));
    let generated = std::fs::read_to_string(
        run.paths
            .ssh_dir()
            .join(crate::ssh_config::CONFIG_D)
            .join(crate::ssh_config::FLEET_FILE),
    )
    .unwrap();
    assert!(generated.contains("box--later"), "{generated}");
}

#[test]
fn a_sessions_check_counts_as_learnt_and_so_does_a_failed_probe() {
    let memory = leak(Memory::new(&["box", "gone"], &[], &[]));
    let probe = leak(FakeProbe::with(&[("box", &["dev"])]));
    let (run, _home) = run(memory, probe, &[]);
    let target = |vm: usize| Resolved {
        vm: memory.local[vm].clone(),
        session: "dev".into(),
        session_explicit: true,
    };
    // The run's own probe of one VM (connect's check) is recorded, so it is learnt; the
    // config is not on here, which the resync says.
    run.session_state(&target(0), &settings(), true).unwrap();
    assert!(matches!(run.resync_if_learnt(), Some(Resync::NotEnabled)));
    // An unreachable VM keeps what the cache knew, but was still asked: the same rule
    // as `list`, which resyncs after any probe.
    run.session_state(&target(1), &settings(), true).unwrap();
    assert!(run.resync_if_learnt().is_some());
    assert!(run.resync_if_learnt().is_none());
}

#[test]
fn a_label_set_through_the_run_is_learnt_and_the_inventory_loaded_again() {
    // Only the local provider: no subscription may leak in from the environment (said,
    // rather than passing without having run).
    assert!(
        std::env::var_os("AZURE_SUBSCRIPTION_ID").is_none(),
        "unset AZURE_SUBSCRIPTION_ID to run this test: it needs the local provider alone"
    );
    let memory = leak(Memory::new(&["box"], &[], &[]));
    let probe = leak(FakeProbe::with(&[]));
    let (run, _home) = run(memory, probe, &[]);
    let mut hosts = crate::provider::local::HostsFile::default();
    let host = crate::provider::local::LocalHost {
        address: "10.0.0.1".into(),
        ..Default::default()
    };
    hosts.add("box", host).unwrap();
    hosts.save(&run.paths.hosts_file()).unwrap();
    run.inventory().unwrap();
    let loads = memory.loads.load(Ordering::SeqCst);
    run.set_label("box", Some("api")).unwrap();
    assert!(run.resync_if_learnt().is_some());
    run.inventory().unwrap();
    assert_eq!(memory.loads.load(Ordering::SeqCst), loads + 1);
}

fn compounds(targets: &Targets) -> Vec<String> {
    targets.targets.iter().map(Resolved::compound).collect()
}

#[test]
fn the_fleet_s_default_sessions_follow_the_named_targets_each_once() {
    let memory = leak(Memory::new(&["box", "off"], &["az1"], &["az1"]).stopped("off"));
    let probe = leak(FakeProbe::with(&[]));
    let (run, _home) = run(memory, probe, &[("box", &["dev"])]);
    let fleet = Fleet {
        tags: &[],
        sessions: FleetSessions::Default,
    };
    let ids = ["box:dev".to_string(), "az1".to_string()];
    let found = run.targets(&ids, Some(fleet), &settings()).unwrap();
    // `az1` named is `az1:azlin`, which the fleet's default session repeats: once. The
    // stopped VM is left out; no VM is asked.
    assert_eq!(compounds(&found), ["box:dev", "az1:azlin", "box:azlin"]);
    assert!(!found.targets[2].session_explicit);
    assert!(asked(probe).is_empty());
    // A tag no running VM has, and no name: nothing to run on.
    let tags = ["team=none".to_string()];
    let fleet = Fleet {
        tags: &tags,
        sessions: FleetSessions::Default,
    };
    let err = run.targets(&[], Some(fleet), &settings()).unwrap_err();
    assert!(
        matches!(err, crate::Error::Resolve(ResolveError::NoRunningVm)),
        "{err}"
    );
    // With a name, the named target stays.
    let found = run.targets(&ids[..1], Some(fleet), &settings()).unwrap();
    assert_eq!(compounds(&found), ["box:dev"]);
}

#[test]
fn every_session_of_the_fleet_is_asked_for_recorded_and_only_addressable_ones_kept() {
    let memory = leak(Memory::new(&["box", "down"], &["az1"], &["az1"]));
    // `a:b` is a name tmux allows and azlin cannot address (tmux reads `-t a:b` as
    // window b of session a).
    let probe = leak(FakeProbe::with(&[("box", &["dev", "a:b"]), ("az1", &[])]));
    let (run, _home) = run(memory, probe, &[]);
    let fleet = Fleet {
        tags: &[],
        sessions: FleetSessions::Every,
    };
    let found = run.targets(&[], Some(fleet), &settings()).unwrap();
    assert_eq!(compounds(&found), ["box:dev"]);
    assert!(found.targets[0].session_explicit);
    assert_eq!(asked(probe), ["az1", "box", "down"]);
    let unlisted: Vec<&str> = found.unlisted.iter().map(|(vm, _)| vm.as_str()).collect();
    assert_eq!(unlisted, ["down"]);
    // Recorded as list's probe would be.
    let cache = SessionCache::load(&run.paths.sessions_cache());
    assert_eq!(cache.sessions_of("box")[0], SessionInfo::new("dev"));
}

#[test]
fn a_listing_of_the_caller_s_is_recorded_and_a_vm_without_tmux_has_no_sessions() {
    let memory = leak(Memory::new(&["box", "bare"], &[], &[]));
    let probe = leak(FakeProbe::with(&[]));
    let (run, _home) = run(memory, probe, &[]);
    let found = run
        .targets_listed(&[], &[], &settings(), |vms| {
            vms.iter()
                .map(|vm| match vm.name.as_str() {
                    "box" => Ok(vec![SessionInfo::new("main")]),
                    _ => Err(RemoteError::NoTmux {
                        vm: vm.name.clone(),
                    }),
                })
                .collect()
        })
        .unwrap();
    assert_eq!(compounds(&found), ["box:main"]);
    assert!(found.unlisted.is_empty());
    // The run's own probe was not used; the listing was recorded, and counts as learnt.
    assert!(asked(probe).is_empty());
    let cache = SessionCache::load(&run.paths.sessions_cache());
    assert_eq!(cache.sessions_of("box"), [SessionInfo::new("main")]);
    assert!(run.resync_if_learnt().is_some());
}

#[test]
fn a_probe_status_is_running_unless_the_vm_could_not_be_asked() {
    use crate::remote::ProbeStatus;
    let unreachable: Probe = Err(RemoteError::Unreachable {
        vm: "box".into(),
        target: "127.0.0.1".into(),
        detail: "refused".into(),
    });
    let misbehaving: Probe = Err(RemoteError::Misbehaving {
        vm: "box".into(),
        target: "127.0.0.1".into(),
        command: "tmux list-sessions",
        limit: 1,
    });
    let no_tmux: Probe = Err(RemoteError::NoTmux { vm: "box".into() });
    let cases = [
        (Ok(vec![]), ProbeStatus::Running, false),
        (no_tmux, ProbeStatus::Running, false),
        (misbehaving, ProbeStatus::Misbehaving, true),
        (unreachable, ProbeStatus::Unreachable, true),
    ];
    for (probe, status, failed) in cases {
        assert_eq!(ProbeStatus::of(&probe), status, "{probe:?}");
        assert_eq!(status.failed(), failed, "{status:?}");
    }
    assert_eq!(ProbeStatus::Misbehaving.title(), "Misbehaving");
}

#[test]
fn explain_says_what_connect_would_do_and_probes_on_a_miss_as_connect_does() {
    let memory = leak(Memory::new(&["box"], &["az1"], &["az1"]));
    let probe = leak(FakeProbe::with(&[("box", &["dev"]), ("az1", &["train"])]));
    let (run, _home) = run(memory, probe, &[("box", &["dev"])]);
    let s = settings();
    let known = run.explain("box:dev", false, &s).unwrap();
    assert_eq!(known.matched_by, crate::resolve::MatchedBy::Compound);
    assert!(matches!(known.on_connect, OnConnect::Attach(ref i) if i.name == "dev"));
    // A named session one edit from a running one: connect would refuse it as a typo.
    let typo = run.explain("box:dve", false, &s).unwrap();
    let OnConnect::Refuse(why) = &typo.on_connect else {
        panic!("{:?}", typo.on_connect);
    };
    assert!(why.to_string().contains("did you mean `box:dev`?"), "{why}");
    // A defaulted session, or a name far from any: created on connect.
    let defaulted = run.explain("box", false, &s).unwrap();
    assert!(matches!(defaulted.on_connect, OnConnect::Create));
    let new = run.explain("box:feature", false, &s).unwrap();
    assert!(matches!(new.on_connect, OnConnect::Create));
    assert!(asked(probe).is_empty());
    // A session name the cache does not know: the fleet is probed, as connect does.
    let found = run.explain("train", false, &s).unwrap();
    assert_eq!(found.target.compound(), "az1:train");
    assert_eq!(found.matched_by, crate::resolve::MatchedBy::Session);
    assert!(matches!(found.on_connect, OnConnect::Attach(_)));
    assert_eq!(asked(probe), ["az1", "box"]);
}

#[test]
fn a_required_session_is_checked_by_the_run_s_probe_and_recorded() {
    let memory = leak(Memory::new(&["box"], &[], &[]));
    let probe = leak(FakeProbe::with(&[("box", &["dev", "main"])]));
    let (run, _home) = run(memory, probe, &[]);
    let target = |session: &str| Resolved {
        vm: memory.local[0].clone(),
        session: session.into(),
        session_explicit: true,
    };
    let sessions = run.require_session(&target("dev"), &settings()).unwrap();
    assert_eq!(sessions.len(), 2);
    let err = run
        .require_session(&target("nope"), &settings())
        .unwrap_err();
    assert!(
        matches!(
            &err,
            crate::Error::Remote(RemoteError::NoSuchSession { existing, .. })
                if existing == &["dev", "main"]
        ),
        "{err}"
    );
    let cache = SessionCache::load(&run.paths.sessions_cache());
    assert_eq!(cache.sessions_of("box").len(), 2);
}
