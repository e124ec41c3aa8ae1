//! Tags and labels of a VM, whichever provider it comes from: `hosts.toml` for local
//! hosts, the Azure Tags API for Azure VMs.

use std::collections::BTreeMap;

use super::azure::tags::TagOperation;
use super::azure::{self, record};
use super::local::{HostsFile, LocalError};
use super::{LoadOptions, load_inventory_for};
use crate::config::Config;
use crate::inventory::ProviderKind;
use crate::name;
use crate::paths::Paths;
use crate::persist::Lock;
use crate::text::Escaped;

/// A tag change on a VM that does not exist, or a bad tag.
#[derive(Debug, thiserror::Error)]
pub enum TagError {
    /// No VM of that name in any active provider.
    #[error("no VM named `{}`{}", Escaped(.name), suggest(.suggestions))]
    NoSuchVm {
        /// The name asked for.
        name: String,
        /// Close names.
        suggestions: Vec<String>,
    },
    /// A key given to `tag remove` that is not valid.
    #[error("tag key `{}` {rule}", Escaped(.0), rule = super::local::TAG_KEY_RULE)]
    BadKey(String),
    /// A label that is already another VM's name or label: the name would then mean two
    /// VMs.
    #[error(
        "label `{}` for `{}` is already {what} `{}`: `{}` would then name two VMs; \
         choose another label (or clear the other one with `azlin session {} --clear`)",
        Escaped(.label), Escaped(.vm), Escaped(.other), Escaped(.label), Escaped(.other)
    )]
    LabelTaken {
        /// The label asked for.
        label: String,
        /// The VM it was for.
        vm: String,
        /// The VM that has that name or label already.
        other: String,
        /// "the name of VM" or "the label of VM".
        what: &'static str,
    },
}

fn suggest(s: &[String]) -> String {
    crate::suggest::did_you_mean(
        s,
        ": see `azlin list` (or `azlin host list`) for the VMs azlin knows",
    )
}

impl TagError {
    /// Whether the error is the user's input (exit 2).
    pub fn is_usage(&self) -> bool {
        matches!(self, TagError::BadKey(_) | TagError::LabelTaken { .. })
    }
}

/// What a tag command changes.
enum Change<'a> {
    Add(&'a BTreeMap<String, String>),
    Remove(&'a [String]),
    Label(Option<&'a str>),
}

/// The tags of VM `vm`.
pub fn list_tags(
    paths: &Paths,
    config: &Config,
    options: &LoadOptions,
    vm: &str,
) -> Result<BTreeMap<String, String>, crate::Error> {
    name::validate_vm_name(vm)?;
    let loaded = load_inventory_for(paths, config, options, vm)?;
    match loaded.inventory.vm(vm) {
        Some(v) => Ok(with_label(v)),
        None => Err(no_such_vm(&loaded.inventory, vm).into()),
    }
}

/// A VM's tags with its label as the `azlin_session` tag: for Azure it is that tag already;
/// for a local host it is `label` in hosts.toml, so both providers show one value.
fn with_label(vm: &crate::inventory::Vm) -> BTreeMap<String, String> {
    let mut tags = vm.tags.clone();
    if vm.provider == ProviderKind::Local {
        tags.remove(record::LABEL_TAG);
        if let Some(l) = &vm.label {
            tags.insert(record::LABEL_TAG.to_string(), l.clone());
        }
    }
    tags
}

/// Refuses `label` for `vm` when it is already another VM's name or label.
fn check_label_free(
    inventory: &crate::inventory::Inventory,
    vm: &str,
    label: &str,
) -> Result<(), TagError> {
    let taken = |what, other: &str| TagError::LabelTaken {
        label: label.to_string(),
        vm: vm.to_string(),
        other: other.to_string(),
        what,
    };
    for other in inventory.vms.iter().filter(|v| v.name != vm) {
        if other.name == label {
            return Err(taken("the name of VM", &other.name));
        }
        if other.label.as_deref() == Some(label) {
            return Err(taken("the label of VM", &other.name));
        }
    }
    Ok(())
}

/// Adds (or replaces) tags on VM `vm`; its tags afterwards.
pub fn add_tags(
    paths: &Paths,
    config: &Config,
    options: &LoadOptions,
    vm: &str,
    tags: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, crate::Error> {
    change(paths, config, options, vm, Change::Add(tags))
}

/// Removes tags (by key) from VM `vm`; its tags afterwards. Keys not set are ignored.
pub fn remove_tags(
    paths: &Paths,
    config: &Config,
    options: &LoadOptions,
    vm: &str,
    keys: &[String],
) -> Result<BTreeMap<String, String>, crate::Error> {
    for k in keys {
        super::local::parse_tag(&format!("{k}=")).map_err(|_| TagError::BadKey(k.clone()))?;
    }
    change(paths, config, options, vm, Change::Remove(keys))
}

/// Sets (`Some`) or clears (`None`) the label of VM `vm`: the `azlin_session` tag of an
/// Azure VM (clearing also removes the upstream `azlin-session`), the `label` of a local
/// host. The label must follow the session-name rules.
pub fn set_label(
    paths: &Paths,
    config: &Config,
    options: &LoadOptions,
    vm: &str,
    label: Option<&str>,
) -> Result<(), crate::Error> {
    if let Some(l) = label {
        name::validate_label(l)?;
    }
    change(paths, config, options, vm, Change::Label(label)).map(|_| ())
}

fn change(
    paths: &Paths,
    config: &Config,
    options: &LoadOptions,
    vm: &str,
    change: Change<'_>,
) -> Result<BTreeMap<String, String>, crate::Error> {
    // A name no VM could have is bad input (exit 2), not "no such VM".
    name::validate_vm_name(vm)?;
    let loaded = load_inventory_for(paths, config, options, vm)?;
    let Some(found) = loaded.inventory.vm(vm) else {
        return Err(no_such_vm(&loaded.inventory, vm).into());
    };
    // The `azlin_session` tag is the label, for both providers: the same rules apply
    // whichever command sets it.
    let change = match change {
        Change::Add(t) => match t.get(record::LABEL_TAG) {
            Some(l) => {
                name::validate_label(l)?;
                Change::Add(t)
            }
            None => Change::Add(t),
        },
        other => other,
    };
    let new_label = match &change {
        Change::Add(t) => t.get(record::LABEL_TAG).map(String::as_str),
        Change::Label(l) => *l,
        Change::Remove(_) => None,
    };
    if let Some(l) = new_label {
        check_label_free(&loaded.inventory, vm, l)?;
    }
    match found.provider {
        ProviderKind::Local => change_local(paths, vm, change),
        ProviderKind::Azure => {
            let record = loaded
                .azure
                .as_ref()
                .and_then(|a| a.records.iter().find(|r| r.name == vm))
                .ok_or_else(|| no_such_vm(&loaded.inventory, vm))?;
            let current = &found.tags;
            let (op, tags) = azure_change(&change, current);
            if tags.is_empty() {
                return Ok(current.clone());
            }
            Ok(azure::change_tags(paths, record, op, &tags)?)
        }
    }
}

/// The Tags API operation and tags that make `change` on an Azure VM tagged `current`.
fn azure_change(
    change: &Change<'_>,
    current: &BTreeMap<String, String>,
) -> (TagOperation, BTreeMap<String, String>) {
    match change {
        Change::Add(t) => (TagOperation::Merge, (*t).clone()),
        Change::Label(Some(l)) => (
            TagOperation::Merge,
            BTreeMap::from([(record::LABEL_TAG.to_string(), l.to_string())]),
        ),
        Change::Remove(keys) => (TagOperation::Delete, present(current, keys)),
        // Both spellings: a label left in the upstream tag would still be read.
        Change::Label(None) => (
            TagOperation::Delete,
            present(
                current,
                &[
                    record::LABEL_TAG.to_string(),
                    record::UPSTREAM_LABEL_TAG.to_string(),
                ],
            ),
        ),
    }
}

/// The given keys that are set, with their current values (the Tags API's `Delete`
/// matches on them).
fn present(current: &BTreeMap<String, String>, keys: &[String]) -> BTreeMap<String, String> {
    keys.iter()
        .filter_map(|k| current.get(k).map(|v| (k.clone(), v.clone())))
        .collect()
}

fn change_local(
    paths: &Paths,
    vm: &str,
    change: Change<'_>,
) -> Result<BTreeMap<String, String>, crate::Error> {
    let path = paths.hosts_file();
    let _lock = Lock::acquire(&paths.lock_file()).map_err(|source| LocalError::Write {
        path: paths.lock_file(),
        source,
    })?;
    let mut file = HostsFile::load(&path)?;
    let Some(host) = file.hosts.get_mut(vm) else {
        return Err(LocalError::NoSuchHost {
            name: vm.to_string(),
            suggestions: Vec::new(),
        }
        .into());
    };
    // A local host's label is its `azlin_session` tag: one value, kept in `label`.
    match change {
        Change::Add(t) => {
            for (k, v) in t {
                if k == record::LABEL_TAG {
                    host.label = Some(v.clone());
                } else {
                    host.tags.insert(k.clone(), v.clone());
                }
            }
        }
        Change::Remove(keys) => {
            if keys.iter().any(|k| k == record::LABEL_TAG) {
                host.label = None;
            }
            host.tags.retain(|k, _| !keys.contains(k));
        }
        Change::Label(l) => host.label = l.map(str::to_string),
    }
    let mut tags = host.tags.clone();
    tags.remove(record::LABEL_TAG);
    if let Some(l) = &host.label {
        tags.insert(record::LABEL_TAG.to_string(), l.clone());
    }
    file.save(&path)?;
    Ok(tags)
}

fn no_such_vm(inventory: &crate::inventory::Inventory, vm: &str) -> TagError {
    TagError::NoSuchVm {
        name: vm.to_string(),
        suggestions: crate::suggest::closest(vm, inventory.vms.iter().map(|v| v.name.as_str())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn azure_label_changes_use_merge_and_delete_of_both_spellings() {
        let current = tags(&[
            ("azlin-session", "old"),
            ("azlin_session", "new"),
            ("x", "1"),
        ]);
        assert_eq!(
            azure_change(&Change::Label(Some("gpu")), &current),
            (TagOperation::Merge, tags(&[("azlin_session", "gpu")]))
        );
        assert_eq!(
            azure_change(&Change::Label(None), &current),
            (
                TagOperation::Delete,
                tags(&[("azlin-session", "old"), ("azlin_session", "new")])
            )
        );
        let keys = ["x".to_string(), "absent".to_string()];
        assert_eq!(
            azure_change(&Change::Remove(&keys), &current),
            (TagOperation::Delete, tags(&[("x", "1")]))
        );
    }

    #[test]
    fn set_label_on_a_local_host() {
        // Only the local provider: no subscription may leak in from the environment.
        if std::env::var_os("AZURE_SUBSCRIPTION_ID").is_some() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths {
            azlin_home: dir.path().join(".azlin"),
            home: dir.path().to_path_buf(),
        };
        let mut file = HostsFile::default();
        file.add(
            "box",
            super::super::local::LocalHost {
                address: "10.0.0.1".into(),
                ..Default::default()
            },
        )
        .unwrap();
        file.save(&paths.hosts_file()).unwrap();
        let (config, opts) = (Config::default(), LoadOptions::default());
        set_label(&paths, &config, &opts, "box", Some("api")).unwrap();
        let label = |p: &Paths| {
            HostsFile::load(&p.hosts_file()).unwrap().hosts["box"]
                .label
                .clone()
        };
        assert_eq!(label(&paths).as_deref(), Some("api"));
        assert!(set_label(&paths, &config, &opts, "box", Some("bad label")).is_err());
        set_label(&paths, &config, &opts, "box", None).unwrap();
        assert_eq!(label(&paths), None);
        let err = set_label(&paths, &config, &opts, "bx", None).unwrap_err();
        assert!(err.to_string().contains("did you mean:\n  box"), "{err}");
    }
}
