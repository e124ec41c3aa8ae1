//! What every command needs: paths, configuration, global options, and how to warn.

use anyhow::Result;
use azlin_core::config::{Config, Paths};
use azlin_core::inventory::{ConnectDefaults, Inventory};

use crate::cli::GlobalArgs;

/// Loaded once per run and handed to the command.
pub struct Context {
    /// azlin's files.
    pub paths: Paths,
    /// `config.toml`.
    pub config: Config,
    /// Whether warnings are silenced (`-q`).
    pub quiet: bool,
}

impl Context {
    /// Reads the environment and `config.toml`, printing its warnings.
    pub fn load(global: &GlobalArgs) -> Result<Context> {
        let paths = Paths::from_env().map_err(azlin_core::Error::from)?;
        let (config, warnings) =
            Config::load(&paths.config_file()).map_err(azlin_core::Error::from)?;
        let ctx = Context {
            paths,
            config,
            quiet: global.quiet,
        };
        for w in warnings {
            ctx.warn(&w);
        }
        // Accepted now so scripts written for the Azure provider parse, but they cannot
        // change anything until that provider exists: say so rather than ignore silently.
        if global.subscription.is_some() || global.resource_group.is_some() {
            ctx.warn(
                "--subscription and --resource-group apply to the Azure provider, which this \
                 build does not have yet; only the local inventory is used",
            );
        }
        Ok(ctx)
    }

    /// Prints a warning on stderr unless `-q`.
    pub fn warn(&self, message: &str) {
        if !self.quiet {
            eprintln!("warning: {message}");
        }
    }

    /// The inventory of every active provider, with the session cache.
    pub fn inventory(&self) -> Result<Inventory> {
        Ok(azlin_core::provider::load_inventory(
            &self.paths,
            &self.config,
        )?)
    }

    /// Connection defaults from config.
    pub fn connect_defaults(&self) -> ConnectDefaults {
        ConnectDefaults {
            user: self.config.default_user.clone(),
            identity_file: self.config.identity_file.clone(),
            known_hosts: self.paths.known_hosts(),
        }
    }
}
