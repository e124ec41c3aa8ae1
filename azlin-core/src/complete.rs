//! Shell completion from local files only: the names azlin can resolve (hosts.toml, the
//! session cache and the Azure listing cache) and a plugin's opt-in completer
//! (`azlin_complete-NAME`).
//!
//! Nothing here touches the network: completion runs while the user waits at a prompt,
//! so it must answer in milliseconds, and a stale name costs nothing (resolution checks
//! it for real when the command runs).

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::inventory::load_session_cache;
use crate::name;
use crate::paths::Paths;
use crate::plugin::{COMPLETE_PREFIX, SearchPath};
use crate::process::{self, Bounds, NoAnswer};
use crate::provider::azure::cache::AzureCache;
use crate::provider::local::HostsFile;

/// How long a plugin's completer may take before azlin stops it and offers nothing.
pub const COMPLETER_TIMEOUT: Duration = Duration::from_secs(2);

/// More output than any list of candidates needs; the rest is not read.
const MAX_COMPLETER_OUTPUT: usize = 1024 * 1024;

/// Which names an argument takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// A VM: VM names and labels.
    Vm,
    /// A VM by its name only (`tag list|add|remove`, which take no label).
    VmName,
    /// Any identifier: VMs, labels, `vm:session` compounds and `vm--session` aliases.
    Any,
}

/// The names of `kind` that start with `prefix`, sorted, from hosts.toml, the session
/// cache and the Azure listing cache (whatever its age or scope: a name from an older
/// listing still resolves, or fails with a clear message, when the command runs).
///
/// Unreadable files complete nothing rather than failing the shell, and names that break
/// azlin's rules (a hand-edited cache, a hostile tag) are left out: what completion
/// prints lands on the user's command line.
pub fn names(paths: &Paths, prefix: &str, kind: NameKind) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut add = |name: String| {
        if name.starts_with(prefix) {
            out.insert(name);
        }
    };
    if let Ok(hosts) = HostsFile::load(&paths.hosts_file()) {
        for (name, host) in hosts.hosts {
            add(name);
            if let Some(label) = host.label.filter(|l| name::validate_label(l).is_ok())
                && kind != NameKind::VmName
            {
                add(label);
            }
        }
    }
    if let Some(azure) = AzureCache::load(&paths.azure_cache()) {
        for vm in azure.vms {
            if let Some(label) = vm.label().filter(|_| kind != NameKind::VmName) {
                add(label);
            }
            if name::validate_vm_name(&vm.name).is_ok() {
                add(vm.name);
            }
        }
    }
    for (vm, seen) in load_session_cache(paths).vms {
        if name::validate_vm_name(&vm).is_err() {
            continue;
        }
        // Both forms begin with the VM's name: skip VMs that cannot match the prefix
        // before formatting thousands of strings.
        let shared = vm.len().min(prefix.len());
        if kind == NameKind::Any && vm.as_bytes()[..shared] == prefix.as_bytes()[..shared] {
            for session in &seen.sessions {
                if name::validate_session_name(&session.name).is_ok() {
                    add(name::compound(&vm, &session.name));
                    add(name::ssh_alias(&vm, &session.name));
                }
            }
        }
        add(vm);
    }
    out
}

/// The sessions of the VM `vm` (its name, or a label of one VM) that start with
/// `prefix`, from the session cache: what `ssh VM --tmux-session <TAB>` offers. Empty when
/// the VM is unknown (never files: a session is not a path).
pub fn sessions_of(paths: &Paths, vm: &str, prefix: &str) -> BTreeSet<String> {
    let mut names = vec![vm.to_string()];
    if let Ok(hosts) = HostsFile::load(&paths.hosts_file()) {
        names.extend(
            hosts
                .hosts
                .into_iter()
                .filter(|(_, h)| h.label.as_deref() == Some(vm))
                .map(|(n, _)| n),
        );
    }
    if let Some(azure) = AzureCache::load(&paths.azure_cache()) {
        names.extend(
            azure
                .vms
                .into_iter()
                .filter(|v| v.label().as_deref() == Some(vm))
                .map(|v| v.name),
        );
    }
    let cache = load_session_cache(paths);
    names
        .iter()
        .filter_map(|n| cache.vms.get(n))
        .flat_map(|seen| seen.sessions.iter())
        .map(|s| s.name.clone())
        .filter(|s| s.starts_with(prefix) && name::validate_session_name(s).is_ok())
        .collect()
}

/// The completer of plugin `plugin`: `azlin_complete-NAME` in the directory of the
/// `azlin-NAME` that `azlin NAME` would run (so a completer never speaks for a plugin it
/// does not ship with). `None` when either is missing.
pub fn completer(search: &SearchPath, plugin: &str) -> Option<PathBuf> {
    let plugin_path = search.find(plugin)?;
    let file = format!("{COMPLETE_PREFIX}{plugin}{}", std::env::consts::EXE_SUFFIX);
    let path = plugin_path.parent()?.join(file);
    path.is_file().then_some(path)
}

/// Why a completer gave no candidates.
#[derive(Debug, thiserror::Error)]
pub enum CompleterError {
    /// It did not start.
    #[error("could not start {}: {source}", path.display())]
    Spawn {
        /// The completer that did not start.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// It did not answer within the time limit (it was stopped).
    #[error("{} gave no answer within {timeout:?}; it was stopped", path.display())]
    TimedOut {
        /// The completer that did not answer.
        path: PathBuf,
        /// How long it was given.
        timeout: Duration,
    },
    /// It printed more than a completion list may hold (it was stopped).
    #[error("{} printed more than {limit} bytes; it was stopped", path.display())]
    TooMuchOutput {
        /// The completer that printed too much.
        path: PathBuf,
        /// The bound, bytes.
        limit: usize,
    },
    /// It exited unsuccessfully.
    #[error("{} failed ({status})", path.display())]
    Failed {
        /// The completer that failed.
        path: PathBuf,
        /// Its exit status.
        status: std::process::ExitStatus,
    },
}

/// Runs `path -- WORDS…` with `env` added and returns the lines it printed that start
/// with the last word (the one being completed), in its order. Lines with control
/// characters are dropped: they would corrupt the command line.
pub fn run_completer(
    path: &Path,
    words: &[String],
    env: &[(OsString, OsString)],
    timeout: Duration,
) -> Result<Vec<String>, CompleterError> {
    let mut cmd = Command::new(path);
    cmd.arg("--")
        .args(words)
        .envs(env.iter().map(|(k, v)| (k, v)));
    let bounds = Bounds {
        total: Some(timeout),
        max_output: Some(MAX_COMPLETER_OUTPUT),
        ..Bounds::default()
    };
    let output = process::answer(cmd, bounds).map_err(|f| match f {
        NoAnswer::Spawn(source) => CompleterError::Spawn {
            path: path.to_path_buf(),
            source,
        },
        NoAnswer::TimedOut | NoAnswer::Interrupted(_) => CompleterError::TimedOut {
            path: path.to_path_buf(),
            timeout,
        },
        NoAnswer::TooMuchOutput => CompleterError::TooMuchOutput {
            path: path.to_path_buf(),
            limit: MAX_COMPLETER_OUTPUT,
        },
        NoAnswer::Failed(status) => CompleterError::Failed {
            path: path.to_path_buf(),
            status,
        },
    })?;
    let current = words.last().map(String::as_str).unwrap_or("");
    Ok(String::from_utf8_lossy(&output)
        .lines()
        .filter(|l| !l.is_empty() && !l.chars().any(char::is_control))
        .filter(|l| l.starts_with(current))
        .map(str::to_string)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(dir: &Path) -> Paths {
        Paths {
            azlin_home: dir.to_path_buf(),
            home: dir.to_path_buf(),
        }
    }

    #[test]
    fn names_from_all_three_files_with_hostile_ones_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(dir.path());
        std::fs::create_dir_all(p.cache_dir()).unwrap();
        std::fs::write(
            p.hosts_file(),
            "[hosts.box]\naddress = \"10.0.0.1\"\nlabel = \"boxlabel\"\n",
        )
        .unwrap();
        std::fs::write(
            p.sessions_cache(),
            r#"{"version":1,"vms":{"box":{"probed_at":1,"sessions":[{"name":"dev"},{"name":"a b"}]},
                "bad;vm":{"probed_at":1,"sessions":[{"name":"x"}]}}}"#,
        )
        .unwrap();
        std::fs::write(
            p.azure_cache(),
            r#"{"version":1,"endpoint":"e","subscription":"s","resource_group":null,"fetched_at":1,
                "vms":[{"name":"bazure","arm_id":"/x","power":"running","tags":{"azlin_session":"blabel"}},
                       {"name":"b$(rm)","arm_id":"/y","power":"running"}]}"#,
        )
        .unwrap();
        let all: Vec<String> = names(&p, "b", NameKind::Any).into_iter().collect();
        assert_eq!(
            all,
            ["bazure", "blabel", "box", "box--dev", "box:dev", "boxlabel"]
        );
        let vms: Vec<String> = names(&p, "box", NameKind::Vm).into_iter().collect();
        assert_eq!(vms, ["box", "boxlabel"]);
        let vm_names: Vec<String> = names(&p, "b", NameKind::VmName).into_iter().collect();
        assert_eq!(vm_names, ["bazure", "box"]);
        let sessions: Vec<String> = sessions_of(&p, "box", "").into_iter().collect();
        assert_eq!(sessions, ["dev"], "the unaddressable `a b` is left out");
        assert_eq!(sessions_of(&p, "boxlabel", "d").len(), 1, "by label too");
        assert!(sessions_of(&p, "nosuch", "").is_empty());
        assert!(names(&p, "box:", NameKind::Any).contains("box:dev"));
    }
}
