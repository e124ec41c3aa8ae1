//! What azlin knows about the fleet: VMs from every provider, and the sessions last seen
//! on them (the session cache).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::paths::Paths;
use crate::persist;
use crate::ssh::SshTarget;

/// Where a VM's record comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// `hosts.toml`, registered with `azlin host add`.
    Local,
    /// Azure Resource Manager.
    Azure,
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProviderKind::Local => "local",
            ProviderKind::Azure => "azure",
        })
    }
}

/// The power state a provider reports (Azure's `PowerState/…` codes, each as itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PowerState {
    /// Running, or a local host (assumed up until probed).
    Running,
    /// Starting.
    Starting,
    /// Stopping (still allocated afterwards).
    Stopping,
    /// Stopped but still allocated.
    Stopped,
    /// Stopping and releasing its compute resources.
    Deallocating,
    /// Stopped and deallocated.
    Deallocated,
    /// Not reported, or a state azlin does not know (older caches said `other`).
    #[serde(alias = "other")]
    Unknown,
}

impl PowerState {
    /// The state of an Azure status code (`PowerState/running`, case-insensitive).
    pub fn from_azure_code(code: &str) -> Option<PowerState> {
        const PREFIX: &str = "PowerState/";
        let prefix = code.get(..PREFIX.len())?;
        if !prefix.eq_ignore_ascii_case(PREFIX) {
            return None;
        }
        Some(match code[PREFIX.len()..].to_ascii_lowercase().as_str() {
            "running" => PowerState::Running,
            "starting" => PowerState::Starting,
            "stopping" => PowerState::Stopping,
            "stopped" => PowerState::Stopped,
            "deallocating" => PowerState::Deallocating,
            "deallocated" => PowerState::Deallocated,
            _ => PowerState::Unknown,
        })
    }

    /// The state as `list` shows it: `Running`, `Deallocating`, …
    pub fn title(self) -> &'static str {
        match self {
            PowerState::Running => "Running",
            PowerState::Starting => "Starting",
            PowerState::Stopping => "Stopping",
            PowerState::Stopped => "Stopped",
            PowerState::Deallocating => "Deallocating",
            PowerState::Deallocated => "Deallocated",
            PowerState::Unknown => "Unknown",
        }
    }
}

/// One VM (or any ssh host) in the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vm {
    /// The name users type.
    pub name: String,
    /// Where the record comes from.
    pub provider: ProviderKind,
    /// A stable id (keys the host key, so it survives address changes).
    pub id: String,
    /// The address azlin connects to, if it has one.
    pub address: Option<String>,
    /// TCP port of sshd.
    pub port: u16,
    /// Login name, if the record names one.
    pub user: Option<String>,
    /// Private key, if the record names one.
    pub identity_file: Option<PathBuf>,
    /// Jump host(s), if any.
    pub proxy_jump: Option<String>,
    /// The label (`azlin session VM NAME`), if set.
    pub label: Option<String>,
    /// Free-form tags.
    pub tags: BTreeMap<String, String>,
    /// Power state.
    pub power: PowerState,
    /// Where the VM runs: its Azure location (`eastus`), or the `region` a local host
    /// names in hosts.toml; `None` when unknown.
    pub region: Option<String>,
}

/// Defaults applied when a VM record leaves a connection setting open.
#[derive(Debug, Clone, Default)]
pub struct ConnectDefaults {
    /// `default_user` from config.
    pub user: Option<String>,
    /// `identity_file` from config.
    pub identity_file: Option<PathBuf>,
    /// azlin's known_hosts file.
    pub known_hosts: PathBuf,
}

impl Vm {
    /// A running VM called `name` from `provider`, its id the name, reached on port 22 at
    /// no address yet, with nothing else set: the start of a record built field by field.
    pub fn new(name: &str, provider: ProviderKind) -> Vm {
        Vm {
            name: name.to_string(),
            provider,
            id: name.to_string(),
            address: None,
            port: 22,
            user: None,
            identity_file: None,
            proxy_jump: None,
            label: None,
            tags: BTreeMap::new(),
            power: PowerState::Running,
            region: None,
        }
    }

    /// The VM at `address`.
    pub fn at(mut self, address: &str) -> Vm {
        self.address = Some(address.to_string());
        self
    }

    /// Whether the VM has every `(key, value)` tag (`--tag K=V`, repeatable).
    pub fn has_tags(&self, tags: &[(String, String)]) -> bool {
        tags.iter().all(|(k, v)| self.tags.get(k) == Some(v))
    }

    /// The ssh target for this VM, or `None` when it has no address.
    pub fn ssh_target(&self, defaults: &ConnectDefaults) -> Option<SshTarget> {
        let hostname = self.address.clone()?;
        Some(SshTarget {
            vm: self.name.clone(),
            host_key_alias: format!("azlin.{}.{}", self.provider, self.id),
            hostname,
            port: self.port,
            user: self.user.clone().or_else(|| defaults.user.clone()),
            identity_file: self
                .identity_file
                .clone()
                .or_else(|| defaults.identity_file.clone()),
            proxy_jump: self.proxy_jump.clone(),
            known_hosts: defaults.known_hosts.clone(),
        })
    }
}

/// A tmux session as last seen on a VM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// tmux session name.
    pub name: String,
    /// Whether a client was attached.
    #[serde(default)]
    pub attached: bool,
    /// Number of windows.
    #[serde(default)]
    pub windows: u32,
    /// The `@azlin-name` label, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// How many clients are attached (`#{session_attached}`). Live only: not kept in the
    /// session cache, which would hold it stale.
    #[serde(skip)]
    pub clients: u32,
    /// When the session last saw activity (`#{session_activity}`), Unix seconds, when the
    /// VM reported a time that can be (see [`LATEST_ACTIVITY`]). Live only, like `clients`.
    #[serde(skip)]
    pub last_activity: Option<u64>,
}

/// The latest activity time taken from a VM: the last second RFC 3339 can write
/// (9999-12-31T23:59:59Z). A later one is no time a VM saw, so it counts as unknown.
pub const LATEST_ACTIVITY: u64 = 253_402_300_799;

impl SessionInfo {
    /// [`SessionInfo::last_activity`] in RFC 3339 (UTC, whole seconds), the form of
    /// `peek`'s `captured_at`.
    pub fn last_activity_rfc3339(&self) -> Option<String> {
        let secs = self
            .last_activity
            .filter(|&t| t > 0 && t <= LATEST_ACTIVITY)?;
        let at = UNIX_EPOCH + std::time::Duration::from_secs(secs);
        Some(humantime::format_rfc3339_seconds(at).to_string())
    }
}

impl SessionInfo {
    /// A detached session called `name` with one window and no label, as `tmux
    /// new-session -d` makes it.
    pub fn new(name: &str) -> SessionInfo {
        SessionInfo {
            name: name.to_string(),
            attached: false,
            windows: 1,
            label: None,
            clients: 0,
            last_activity: None,
        }
    }
}

/// What one probe of one VM found.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VmSessions {
    /// Seconds since the Unix epoch when the VM was probed.
    pub probed_at: u64,
    /// Sessions found.
    pub sessions: Vec<SessionInfo>,
}

/// `cache/sessions.json`: the sessions last seen on each VM. Live probes fill it;
/// resolution reads it so that naming a session needs no round trip.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SessionCache {
    /// Format version.
    #[serde(default = "cache_version")]
    pub version: u32,
    /// Per VM name.
    #[serde(default)]
    pub vms: BTreeMap<String, VmSessions>,
}

fn cache_version() -> u32 {
    1
}

impl SessionCache {
    /// Loads the cache. A missing or unreadable cache is empty: it is only a cache, and
    /// the next probe rewrites it.
    pub fn load(path: &Path) -> SessionCache {
        crate::cache_file::read_or_default(path)
    }

    /// Writes the cache atomically.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        persist::write_json(path, self, true)
    }

    /// Records a fresh probe of `vm`.
    pub fn record(&mut self, vm: &str, sessions: Vec<SessionInfo>) {
        let probed_at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        self.vms.insert(
            vm.to_string(),
            VmSessions {
                probed_at,
                sessions,
            },
        );
    }

    /// Adds `session` to what is known of `vm` when it is not there yet: for a session
    /// azlin is about to create by handing the terminal to ssh, where no probe follows.
    /// Its windows and attached state stay unknown until the next probe.
    pub fn note_session(&mut self, vm: &str, session: &str) -> bool {
        let entry = self.vms.entry(vm.to_string()).or_default();
        if entry.sessions.iter().any(|s| s.name == session) {
            return false;
        }
        entry.sessions.push(SessionInfo {
            name: session.to_string(),
            attached: false,
            windows: 0,
            label: None,
            clients: 0,
            last_activity: None,
        });
        true
    }

    /// Sessions last seen on `vm` (empty when never probed).
    pub fn sessions_of(&self, vm: &str) -> &[SessionInfo] {
        self.vms
            .get(vm)
            .map(|v| v.sessions.as_slice())
            .unwrap_or(&[])
    }

    /// Drops entries of VMs that are no longer in the inventory.
    pub fn retain_vms(&mut self, names: &[&str]) {
        self.vms.retain(|vm, _| names.contains(&vm.as_str()));
    }
}

/// A name shared by VMs of two providers: reported, never guessed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "VM name `{name}` is used by more than one inventory source ({first} and {second}): \
     rename or remove one (`azlin host remove {name}` for the local one)"
)]
pub struct NameClash {
    /// The VM name both providers use.
    pub name: String,
    /// One source.
    pub first: ProviderKind,
    /// The provider that lists the name a second time.
    pub second: ProviderKind,
}

/// The whole fleet as resolution sees it: VMs of every active provider, and the session
/// cache.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// VMs, sorted by name, names unique.
    pub vms: Vec<Vm>,
    /// Sessions last seen.
    pub sessions: SessionCache,
}

impl Inventory {
    /// Joins the VMs of several providers, refusing a name used twice.
    pub fn new(mut vms: Vec<Vm>, sessions: SessionCache) -> Result<Inventory, NameClash> {
        vms.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(w) = vms.windows(2).find(|w| w[0].name == w[1].name) {
            return Err(NameClash {
                name: w[0].name.clone(),
                first: w[0].provider,
                second: w[1].provider,
            });
        }
        Ok(Inventory { vms, sessions })
    }

    /// The VM called `name`.
    pub fn vm(&self, name: &str) -> Option<&Vm> {
        self.vms
            .binary_search_by(|v| v.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.vms[i])
    }
}

/// Loads the session cache from its place under `paths`.
pub fn load_session_cache(paths: &Paths) -> SessionCache {
    SessionCache::load(&paths.sessions_cache())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn vm(name: &str) -> Vm {
        Vm::new(name, ProviderKind::Local).at("127.0.0.1")
    }

    #[test]
    fn clashing_names_are_reported() {
        let mut a = vm("x");
        a.provider = ProviderKind::Azure;
        let err = Inventory::new(vec![vm("x"), a], SessionCache::default()).unwrap_err();
        assert_eq!(err.name, "x");
    }

    #[test]
    fn cache_round_trips_and_tolerates_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache/sessions.json");
        assert_eq!(SessionCache::load(&path), SessionCache::default());
        let mut c = SessionCache::default();
        c.record(
            "myvm",
            vec![SessionInfo {
                attached: true,
                windows: 2,
                ..SessionInfo::new("dev")
            }],
        );
        c.save(&path).unwrap();
        assert_eq!(SessionCache::load(&path), c);
        // The live-only fields stay out of the file, and a cache written before they
        // existed reads the same.
        let mut live = c.clone();
        if let Some(v) = live.vms.get_mut("myvm") {
            v.sessions[0].clients = 2;
            v.sessions[0].last_activity = Some(1_700_000_000);
        }
        live.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("clients") && !text.contains("1700000000"),
            "{text}"
        );
        assert_eq!(SessionCache::load(&path), c);
        std::fs::write(&path, "{not json").unwrap();
        assert_eq!(SessionCache::load(&path), SessionCache::default());
    }

    #[test]
    fn activity_is_written_in_rfc3339_and_impossible_times_are_unknown() {
        let at = |t: Option<u64>| {
            SessionInfo {
                name: "s".into(),
                attached: false,
                windows: 1,
                label: None,
                clients: 0,
                last_activity: t,
            }
            .last_activity_rfc3339()
        };
        assert_eq!(
            at(Some(1_700_000_000)).as_deref(),
            Some("2023-11-14T22:13:20Z")
        );
        assert_eq!(
            at(Some(LATEST_ACTIVITY)).as_deref(),
            Some("9999-12-31T23:59:59Z")
        );
        for unknown in [None, Some(0), Some(LATEST_ACTIVITY + 1), Some(u64::MAX)] {
            assert_eq!(at(unknown), None, "{unknown:?}");
        }
    }
}
