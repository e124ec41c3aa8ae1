//! What every command needs: paths, configuration, global options, and how to warn.

use anyhow::Result;
use azlin_core::config::{Config, Paths};
use azlin_core::inventory::{ConnectDefaults, Inventory, ProviderKind};
use azlin_core::provider::{LoadOptions, Loaded, ScopeFlags};

use crate::cli::GlobalArgs;

/// Loaded once per run and handed to the command.
pub struct Context {
    /// azlin's files.
    pub paths: Paths,
    /// `config.toml`.
    pub config: Config,
    /// Whether warnings are silenced (`-q`).
    pub quiet: bool,
    /// `-v` count.
    pub verbose: u8,
    /// `--subscription` and `--rg`, for the Azure provider.
    pub scope: ScopeFlags,
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
            verbose: global.verbose,
            scope: ScopeFlags {
                subscription: global.subscription.clone(),
                resource_group: global.resource_group.clone(),
            },
        };
        for w in warnings {
            ctx.warn(&w);
        }
        Ok(ctx)
    }

    /// Prints a warning on stderr unless `-q`.
    pub fn warn(&self, message: &str) {
        if !self.quiet {
            eprintln!("warning: {message}");
        }
    }

    /// How to load the inventory; `refresh` is a command's `--refresh`.
    pub fn load_options(&self, refresh: bool) -> LoadOptions {
        LoadOptions {
            scope: self.scope.clone(),
            refresh,
        }
    }

    /// The inventory of every active provider, with the session cache (Azure VMs from
    /// the cache while it is fresh).
    // Used by the commands that show the whole fleet (list, ssh-config).
    #[allow(dead_code)]
    pub fn inventory(&self) -> Result<Inventory> {
        self.inventory_refreshed(false)
    }

    /// Like [`Context::inventory`]; `refresh` (a command's `--refresh`) lists Azure again
    /// even when the cache is fresh.
    #[allow(dead_code)]
    pub fn inventory_refreshed(&self, refresh: bool) -> Result<Inventory> {
        let loaded = azlin_core::provider::load_inventory_with(
            &self.paths,
            &self.config,
            &self.load_options(refresh),
        )?;
        Ok(self.report(loaded))
    }

    /// The inventory for resolving `id`: Azure is listed again once when `id` is not in
    /// the cache, and always with `refresh`.
    pub fn inventory_for(&self, id: &str, refresh: bool) -> Result<Inventory> {
        let loaded = azlin_core::provider::load_inventory_for(
            &self.paths,
            &self.config,
            &self.load_options(refresh),
            id,
        )?;
        Ok(self.report(loaded))
    }

    /// Prints the warnings of a load, and with `-v` what Azure cost.
    fn report(&self, loaded: Loaded) -> Inventory {
        for w in &loaded.warnings {
            self.warn(w);
        }
        if let Some(azure) = loaded.azure.as_ref().filter(|_| self.verbose > 0) {
            if self.verbose > 1 {
                for line in &azure.log {
                    eprintln!("azure: {line}");
                }
            }
            let sub = &azure.subscription;
            if azure.failed {
                eprintln!("azure: subscription {sub} could not be listed");
            } else if azure.fetched {
                let count = loaded
                    .inventory
                    .vms
                    .iter()
                    .filter(|v| v.provider == ProviderKind::Azure)
                    .count();
                eprintln!(
                    "azure: listed subscription {sub}: {count} VMs, {} requests, credential: {}",
                    azure.requests,
                    azure.credential.unwrap_or("none")
                );
            } else {
                eprintln!(
                    "azure: subscription {sub} from the cache ({})",
                    self.paths.azure_cache().display()
                );
            }
        }
        loaded.inventory
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
