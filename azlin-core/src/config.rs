//! `config.toml`: azlin's settings and their defaults.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::name;

/// How long an Azure listing stays fresh in the cache unless `[azure] cache_ttl` says.
pub const DEFAULT_AZURE_CACHE_TTL: Duration = Duration::from_secs(600);

/// A problem with the configuration files.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The configuration file that could not be read.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has a value of the wrong type.
    #[error("{} is not valid: {message}fix the file, or move it away to start from defaults", path.display())]
    Parse {
        /// The configuration file that does not parse.
        path: PathBuf,
        /// The parser's message, which names the line and column.
        message: String,
    },
    /// A value that parses but breaks a rule.
    #[error("{}: `{key}` is invalid: {reason}", path.display())]
    Invalid {
        /// The configuration file that holds the value.
        path: PathBuf,
        /// The key whose value breaks a rule (`connect.reconnect_for`).
        key: String,
        /// The rule it breaks.
        reason: String,
    },
}

/// `config.toml`. Every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Config {
    /// The session used when an identifier names only a VM (default `azlin`).
    pub default_session: Option<String>,
    /// The ssh user when a host names none.
    pub default_user: Option<String>,
    /// The identity file when a host names none.
    pub identity_file: Option<PathBuf>,
    /// `[ssh_config]`.
    pub ssh_config: SshConfigSettings,
    /// `[azure]`.
    pub azure: AzureSettings,
    /// `[connect]`.
    pub connect: ConnectSettings,
}

/// `[connect]` in `config.toml`: how an interactive `connect` survives a lost connection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ConnectSettings {
    /// Reattach by itself after the connection is lost (default on; `--no-reconnect`).
    pub reconnect: Option<bool>,
    /// How long to keep trying after a loss, as `30m`, `1h`, `90` (default 1 h;
    /// `--reconnect-for`).
    pub reconnect_for: Option<String>,
}

/// `[ssh_config]` in `config.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct SshConfigSettings {
    /// Resync the generated ssh config after commands that learn about sessions
    /// (default on).
    pub auto: Option<bool>,
}

/// `[azure]` in `config.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct AzureSettings {
    /// The subscription id.
    pub subscription: Option<String>,
    /// Subscriptions listed together through Azure Resource Graph (one query); empty
    /// means the one subscription above, through Resource Manager.
    #[serde(default)]
    pub subscriptions: Vec<String>,
    /// Narrow listing to one resource group.
    pub resource_group: Option<String>,
    /// Jump host(s) for VMs that have only a private IP (the VM tag `azlin_proxy_jump`
    /// wins).
    pub proxy_jump: Option<String>,
    /// Seconds a listing stays fresh in `cache/azure.json` (default 600).
    pub cache_ttl: Option<u64>,
}

impl Config {
    /// The default session, `azlin` unless configured.
    pub fn default_session(&self) -> &str {
        self.default_session
            .as_deref()
            .unwrap_or(name::DEFAULT_SESSION)
    }

    /// How long an Azure listing stays fresh in the cache.
    pub fn azure_cache_ttl(&self) -> Duration {
        self.azure
            .cache_ttl
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_AZURE_CACHE_TTL)
    }

    /// Whether an interactive `connect` reattaches by itself after a lost connection.
    pub fn reconnect(&self) -> bool {
        self.connect.reconnect.unwrap_or(true)
    }

    /// How long an interactive `connect` keeps trying to reattach after a loss.
    pub fn reconnect_for(&self) -> std::time::Duration {
        self.connect
            .reconnect_for
            .as_deref()
            .and_then(|d| crate::duration::parse(d).ok())
            .unwrap_or(crate::reconnect::DEFAULT_RECONNECT_FOR)
    }

    /// Whether commands resync the generated ssh config by themselves.
    pub fn ssh_config_auto(&self) -> bool {
        self.ssh_config.auto.unwrap_or(true)
    }

    /// Loads `config.toml`. A missing file gives the defaults. Unknown keys do not fail:
    /// they come back as warnings, one per key, so that a newer config still works with
    /// an older azlin.
    pub fn load(path: &Path) -> Result<(Config, Vec<String>), ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Config::default(), Vec::new()));
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        Config::parse(path, &text)
    }

    /// Parses the text of `config.toml` (see [`Config::load`]).
    pub fn parse(path: &Path, text: &str) -> Result<(Config, Vec<String>), ConfigError> {
        let parse_error = |e: toml::de::Error| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        // Unknown keys are warned about and skipped (a newer azlin's config must not stop an
        // older one); the structs themselves are the list of known keys.
        let mut warnings = Vec::new();
        let de = toml::Deserializer::parse(text).map_err(parse_error)?;
        let config: Config = serde_ignored::deserialize(de, |key| {
            warnings.push(format!("{}: unknown key `{key}` ignored", path.display()));
        })
        .map_err(parse_error)?;
        config.validate(path)?;
        Ok((config, warnings))
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |key: &str, reason: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            key: key.to_string(),
            reason,
        };
        if let Some(s) = &self.default_session {
            name::validate_session_name(s)
                .map_err(|e| invalid("default_session", e.to_string()))?;
        }
        if let Some(u) = &self.default_user {
            crate::ssh::validate_user(u).map_err(|e| invalid("default_user", e.to_string()))?;
        }
        if let Some(f) = &self.identity_file {
            crate::ssh::validate_identity_file(f)
                .map_err(|e| invalid("identity_file", e.to_string()))?;
        }
        if let Some(d) = &self.connect.reconnect_for {
            crate::duration::parse(d).map_err(|e| invalid("connect.reconnect_for", e))?;
        }
        if let Some(j) = &self.azure.proxy_jump {
            crate::ssh::validate_proxy_jump(j)
                .map_err(|e| invalid("azure.proxy_jump", e.to_string()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<(Config, Vec<String>), ConfigError> {
        Config::parse(Path::new("/h/.azlin/config.toml"), text)
    }

    #[test]
    fn empty_config_gives_defaults() {
        let (c, w) = parse("").unwrap();
        assert_eq!(c.default_session(), "azlin");
        assert!(c.ssh_config_auto());
        assert!(w.is_empty());
    }

    #[test]
    fn reads_every_key() {
        let (c, w) = parse(
            "default_session = \"main\"\ndefault_user = \"alice\"\nidentity_file = \"/k/id\"\n\
             [ssh_config]\nauto = false\n[azure]\nsubscription = \"s\"\nresource_group = \"rg\"\n\
             proxy_jump = \"ops@bastion\"\ncache_ttl = 60\n[connect]\nreconnect = false\n\
             reconnect_for = \"30m\"\n",
        )
        .unwrap();
        assert!(w.is_empty());
        assert_eq!(c.default_session(), "main");
        assert_eq!(c.default_user.as_deref(), Some("alice"));
        assert!(!c.ssh_config_auto());
        assert_eq!(c.azure.resource_group.as_deref(), Some("rg"));
        assert_eq!(c.azure.proxy_jump.as_deref(), Some("ops@bastion"));
        assert_eq!(c.azure_cache_ttl().as_secs(), 60);
        assert!(!c.reconnect());
        assert_eq!(c.reconnect_for().as_secs(), 1800);
    }

    #[test]
    fn unknown_keys_warn_and_the_rest_still_loads() {
        let (c, w) =
            parse("colour = true\ndefault_session = \"x\"\n[azure]\nregion = \"eu\"\n").unwrap();
        assert_eq!(c.default_session(), "x");
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("`colour`") || w[1].contains("`colour`"));
        assert!(w.iter().any(|m| m.contains("`azure.region`")));
    }

    #[test]
    fn malformed_file_names_file_and_line() {
        let err = parse("default_session = \"ok\"\nthis is not toml\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("/h/.azlin/config.toml"), "{err}");
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn wrong_type_and_bad_values_are_errors() {
        assert!(parse("default_session = 3\n").is_err());
        let err = parse("default_session = \"a:b\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("default_session"), "{err}");
        let err = parse("[connect]\nreconnect_for = \"soon\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("connect.reconnect_for"), "{err}");
    }
}
