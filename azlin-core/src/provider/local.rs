//! The local inventory, `$AZLIN_HOME/hosts.toml`: any ssh host the user registers with
//! `azlin host add`. It needs no cloud account.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::inventory::{PowerState, ProviderKind, Vm};
use crate::name::{self, NameError};
use crate::persist;
use crate::ssh::{self, InvalidValue};
use crate::text::Escaped;

/// One host as stored in `hosts.toml` (under `[hosts.NAME]`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalHost {
    /// IP address or DNS name.
    pub address: String,
    /// sshd port (default 22).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Login name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Private key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_file: Option<PathBuf>,
    /// Jump host(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_jump: Option<String>,
    /// Label (`azlin session VM NAME`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Where the host runs (`eastus`, `lab-2`), shown in `azlin list`'s REGION column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// A problem with the local inventory.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    /// `hosts.toml` could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The local inventory (`hosts.toml`).
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// `hosts.toml` is not valid.
    #[error(
        "{} is corrupt: {message}the file was left as it is: fix it by hand, or move it away \
         and register the hosts again with `azlin host add`",
        path.display()
    )]
    Corrupt {
        /// The local inventory (`hosts.toml`).
        path: PathBuf,
        /// The parser's message, naming line and column.
        message: String,
    },
    /// A host name that is already registered.
    #[error(
        "a host named `{}` is already registered: choose another name, or \
         `azlin host remove {}` first",
        Escaped(.0),
        Escaped(.0)
    )]
    Duplicate(String),
    /// A host name that is not registered.
    #[error(
        "no host named `{}` is registered{}",
        Escaped(.name),
        did_you_mean(.suggestions)
    )]
    NoSuchHost {
        /// The name asked for.
        name: String,
        /// Close names.
        suggestions: Vec<String>,
    },
    /// An invalid host name.
    #[error(transparent)]
    Name(#[from] NameError),
    /// An invalid connection value.
    #[error(transparent)]
    Value(#[from] InvalidValue),
    /// An invalid tag.
    #[error("tag `{}` {rule}", Escaped(.tag))]
    Tag {
        /// The tag as given.
        tag: String,
        /// The rule the tag breaks.
        rule: &'static str,
    },
    /// Port 0.
    #[error("port 0 is not a valid ssh port: give a port from 1 to 65535")]
    PortZero,
    /// A `region` that breaks its rule.
    #[error(
        "region `{}` is not valid: use 1 to 64 letters, digits, `-` and `_` (e.g. `eastus`)",
        Escaped(.0)
    )]
    Region(String),
    /// `hosts.toml` could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The local inventory (`hosts.toml`).
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

fn did_you_mean(suggestions: &[String]) -> String {
    crate::suggest::did_you_mean(suggestions, ": see `azlin host list`")
}

impl LocalError {
    /// Whether the error is the user's input (exit 2) rather than a failure (exit 1).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            LocalError::Duplicate(_)
                | LocalError::Name(_)
                | LocalError::Value(_)
                | LocalError::Tag { .. }
                | LocalError::PortZero
                | LocalError::Region(_)
        )
    }
}

/// Parses and checks every `KEY=VALUE` of `--tag` options, into a map or a list.
pub fn parse_tags<C: FromIterator<(String, String)>>(tags: &[String]) -> Result<C, LocalError> {
    tags.iter().map(|t| parse_tag(t)).collect()
}

/// Characters Azure refuses in tag names.
pub const FORBIDDEN_TAG_CHARS: &str = "<>%&\\?/";

/// Azure's rule for tag names, as errors state it.
pub const TAG_KEY_RULE: &str = "has an invalid key: keys are 1 to 512 characters (spaces and \
     unicode allowed), without control characters or any of `< > % & \\ ? /`";

/// Parses and checks a `KEY=VALUE` tag.
pub fn parse_tag(tag: &str) -> Result<(String, String), LocalError> {
    let bad = |rule| LocalError::Tag {
        tag: tag.to_string(),
        rule,
    };
    let (k, v) = tag
        .split_once('=')
        .ok_or_else(|| bad("is not KEY=VALUE: write it as e.g. `team=backend`"))?;
    // Azure's rule for tag names (the strictest provider's), so that a tag written to a
    // local host can be written to an Azure VM too.
    if k.trim().is_empty()
        || k.chars().count() > 512
        || k.chars()
            .any(|c| c.is_control() || FORBIDDEN_TAG_CHARS.contains(c))
    {
        return Err(bad(TAG_KEY_RULE));
    }
    if v.chars().count() > 256 || v.chars().any(char::is_control) {
        return Err(bad(
            "has an invalid value: values are at most 256 characters, no control characters",
        ));
    }
    Ok((k.to_string(), v.to_string()))
}

/// The parsed `hosts.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostsFile {
    /// Hosts by name.
    #[serde(default)]
    pub hosts: BTreeMap<String, LocalHost>,
}

impl HostsFile {
    /// Loads `hosts.toml`; a missing file is an empty inventory.
    pub fn load(path: &Path) -> Result<HostsFile, LocalError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(HostsFile::default());
            }
            Err(source) => {
                return Err(LocalError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let corrupt = |message: String| LocalError::Corrupt {
            path: path.to_path_buf(),
            message,
        };
        let file: HostsFile = toml::from_str(&text).map_err(|e| corrupt(e.to_string()))?;
        // A hand edit can put anything in the file; check it as strictly as `host add`.
        for (name, host) in &file.hosts {
            validate(name, host).map_err(|e| corrupt(format!("host `{name}`: {e}\n")))?;
        }
        Ok(file)
    }

    /// Writes `hosts.toml` atomically.
    pub fn save(&self, path: &Path) -> Result<(), LocalError> {
        let write_err = |source| LocalError::Write {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            persist::create_dir_all(dir, 0o700).map_err(write_err)?;
        }
        let body = toml::to_string_pretty(self).map_err(|e| write_err(std::io::Error::other(e)))?;
        let text = format!("# azlin local inventory: edit with `azlin host add|remove`.\n\n{body}");
        persist::write_atomic(path, text.as_bytes(), Some(0o600)).map_err(write_err)
    }

    /// Adds a host after checking every field; refuses a name already present.
    pub fn add(&mut self, name: &str, host: LocalHost) -> Result<(), LocalError> {
        validate(name, &host)?;
        if self.hosts.contains_key(name) {
            return Err(LocalError::Duplicate(name.to_string()));
        }
        self.hosts.insert(name.to_string(), host);
        Ok(())
    }

    /// Removes a host; a name no host could have is bad input, not "no such host".
    pub fn remove(&mut self, name: &str) -> Result<LocalHost, LocalError> {
        name::validate_vm_name(name)?;
        self.hosts
            .remove(name)
            .ok_or_else(|| LocalError::NoSuchHost {
                name: name.to_string(),
                suggestions: crate::suggest::closest(name, self.hosts.keys().map(String::as_str)),
            })
    }

    /// The hosts as inventory VMs. Consumes the file: moving the strings instead of
    /// copying them matters with a thousand hosts on every `resolve`.
    pub fn into_vms(self) -> Vec<Vm> {
        self.hosts
            .into_iter()
            .map(|(name, h)| Vm {
                id: name.clone(),
                name,
                provider: ProviderKind::Local,
                address: Some(h.address),
                port: h.port.unwrap_or(ssh::DEFAULT_PORT),
                user: h.user,
                identity_file: h.identity_file,
                proxy_jump: h.proxy_jump,
                label: h.label,
                tags: h.tags,
                power: PowerState::Running,
                region: h.region,
            })
            .collect()
    }
}

/// Checks a host record as `host add` would.
fn validate(name: &str, host: &LocalHost) -> Result<(), LocalError> {
    name::validate_vm_name(name)?;
    ssh::validate_host_address(&host.address)?;
    if host.port == Some(0) {
        return Err(LocalError::PortZero);
    }
    if let Some(u) = &host.user {
        ssh::validate_user(u)?;
    }
    if let Some(f) = &host.identity_file {
        ssh::validate_identity_file(f)?;
    }
    if let Some(j) = &host.proxy_jump {
        ssh::validate_proxy_jump(j)?;
    }
    if let Some(l) = &host.label {
        name::validate_label(l)?;
    }
    for (k, v) in &host.tags {
        parse_tag(&format!("{k}={v}"))?;
    }
    if let Some(r) = &host.region {
        validate_region(r)?;
    }
    Ok(())
}

/// Checks a host's `region`: 1 to 64 letters, digits, `-` and `_` (as Azure's location
/// names `eastus`, `westeurope`, or a name of your own such as `lab-2`).
pub fn validate_region(region: &str) -> Result<(), LocalError> {
    let ok = (1..=64).contains(&region.len())
        && region
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(LocalError::Region(region.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(addr: &str) -> LocalHost {
        LocalHost {
            address: addr.into(),
            ..LocalHost::default()
        }
    }

    #[test]
    fn add_save_load_remove() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hosts.toml");
        let mut f = HostsFile::load(&path).unwrap();
        let mut h = host("10.0.0.4");
        h.tags.insert("team".into(), "backend".into());
        h.label = Some("api".into());
        f.add("myvm", h).unwrap();
        assert!(matches!(
            f.add("myvm", host("10.0.0.5")),
            Err(LocalError::Duplicate(_))
        ));
        f.save(&path).unwrap();
        let mut back = HostsFile::load(&path).unwrap();
        assert_eq!(back, f);
        back.remove("myvm").unwrap();
        assert!(matches!(
            back.remove("myvm"),
            Err(LocalError::NoSuchHost { .. })
        ));
    }

    #[test]
    fn invalid_fields_are_refused() {
        let mut f = HostsFile::default();
        assert!(f.add("bad name", host("10.0.0.1")).unwrap_err().is_usage());
        assert!(f.add("ok", host("not an address")).unwrap_err().is_usage());
        let mut h = host("10.0.0.1");
        h.port = Some(0);
        assert!(f.add("ok", h).unwrap_err().is_usage());
        assert!(f.hosts.is_empty());
    }

    #[test]
    fn tags_parse() {
        assert_eq!(parse_tag("a=b").unwrap(), ("a".into(), "b".into()));
        assert_eq!(parse_tag("a=").unwrap(), ("a".into(), "".into()));
        assert!(parse_tag("ab").is_err());
        assert!(parse_tag("=b").is_err());
        assert!(parse_tag("a=b\nc").is_err());
    }

    #[test]
    fn corrupt_file_is_an_error_naming_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hosts.toml");
        std::fs::write(&path, "[hosts.a]\naddress = \"10.0.0.1\"\n[hosts.b\n").unwrap();
        let err = HostsFile::load(&path).unwrap_err().to_string();
        assert!(err.contains("line 3"), "{err}");
        std::fs::write(&path, "[hosts.a]\naddress = \"x y\"\n").unwrap();
        let err = HostsFile::load(&path).unwrap_err().to_string();
        assert!(err.contains("host `a`"), "{err}");
    }
}
