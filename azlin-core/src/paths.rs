//! Where azlin keeps its files: every path it reads or writes, from `$AZLIN_HOME` and
//! `$HOME`.

use std::path::PathBuf;

/// No home directory could be determined.
#[derive(Debug, thiserror::Error)]
#[error("cannot find your home directory: set HOME (or AZLIN_HOME for azlin's own files)")]
pub struct NoHome;

/// Every path azlin reads or writes, derived once from `$AZLIN_HOME` and `$HOME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// `$AZLIN_HOME`, default `~/.azlin`.
    pub azlin_home: PathBuf,
    /// The user's home directory (`$HOME`), where `~/.ssh` lives.
    pub home: PathBuf,
}

impl Paths {
    /// Reads `AZLIN_HOME` and `HOME` from the environment.
    pub fn from_env() -> Result<Paths, NoHome> {
        let home = dirs::home_dir().ok_or(NoHome)?;
        let azlin_home = match std::env::var_os("AZLIN_HOME") {
            Some(h) if !h.is_empty() => PathBuf::from(h),
            _ => home.join(".azlin"),
        };
        Ok(Paths { azlin_home, home })
    }

    /// `config.toml`.
    pub fn config_file(&self) -> PathBuf {
        self.azlin_home.join("config.toml")
    }
    /// `hosts.toml`, the local inventory.
    pub fn hosts_file(&self) -> PathBuf {
        self.azlin_home.join("hosts.toml")
    }
    /// `cache/`.
    pub fn cache_dir(&self) -> PathBuf {
        self.azlin_home.join("cache")
    }
    /// `cache/sessions.json`, the session cache.
    pub fn sessions_cache(&self) -> PathBuf {
        self.cache_dir().join("sessions.json")
    }
    /// `cache/azure.json`, the last Azure listing.
    pub fn azure_cache(&self) -> PathBuf {
        self.cache_dir().join("azure.json")
    }
    /// `known_hosts`, azlin's own host-key store.
    pub fn known_hosts(&self) -> PathBuf {
        self.azlin_home.join("known_hosts")
    }
    /// `plugins/`.
    pub fn plugins_dir(&self) -> PathBuf {
        self.azlin_home.join("plugins")
    }
    /// `templates/`, overrides of the embedded templates.
    pub fn templates_dir(&self) -> PathBuf {
        self.azlin_home.join("templates")
    }
    /// `~/.ssh`.
    pub fn ssh_dir(&self) -> PathBuf {
        self.home.join(".ssh")
    }
    /// The lock file that serialises writers of azlin's own files.
    pub fn lock_file(&self) -> PathBuf {
        self.azlin_home.join(".lock")
    }
}
