//! Which subscription and resource group the Azure provider lists.
//!
//! Subscription, first found wins: `--subscription`, `AZURE_SUBSCRIPTION_ID`,
//! `[azure] subscription` in config, the default subscription of the Azure CLI
//! (`~/.azure/azureProfile.json`). No subscription means the provider is off.
//! Resource group: `--rg/--resource-group`, else `[azure] resource_group`, else the whole
//! subscription.

use std::path::Path;

use serde::Deserialize;

use super::AzureError;
use crate::config::Config;

/// Where the subscription came from (shown with `-v` and in errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionSource {
    /// `--subscription`.
    Flag,
    /// `AZURE_SUBSCRIPTION_ID`.
    Env,
    /// `[azure] subscription`.
    Config,
    /// The Azure CLI's default subscription.
    AzureCli,
}

/// The part of Azure that azlin lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// Subscription id.
    pub subscription: String,
    /// Where it came from.
    pub source: SubscriptionSource,
    /// One resource group, or `None` for the whole subscription.
    pub resource_group: Option<String>,
}

/// The `--subscription` and `--rg` flags, when given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeFlags {
    /// `--subscription`.
    pub subscription: Option<String>,
    /// `--rg/--resource-group`.
    pub resource_group: Option<String>,
    /// `list --all-subscriptions`: every subscription the credential can read, through
    /// Resource Graph.
    pub all_subscriptions: bool,
}

/// The subset of `azureProfile.json` azlin reads.
#[derive(Debug, Deserialize)]
struct AzureProfile {
    #[serde(default)]
    subscriptions: Vec<ProfileSubscription>,
}

#[derive(Debug, Deserialize)]
struct ProfileSubscription {
    id: String,
    #[serde(default, rename = "isDefault")]
    is_default: bool,
}

impl Scope {
    /// Determines the scope, or `None` when no subscription is known (the provider is
    /// then inactive). `home` is the user's home, where `.azure/` lives (the Azure CLI's
    /// `AZURE_CONFIG_DIR` is honoured too).
    pub fn resolve(
        flags: &ScopeFlags,
        config: &Config,
        home: &Path,
    ) -> Result<Option<Scope>, AzureError> {
        let env_sub = std::env::var("AZURE_SUBSCRIPTION_ID")
            .ok()
            .filter(|s| !s.trim().is_empty());
        let found = flags
            .subscription
            .clone()
            .map(|s| (s, SubscriptionSource::Flag))
            .or_else(|| env_sub.map(|s| (s, SubscriptionSource::Env)))
            .or_else(|| {
                config
                    .azure
                    .subscription
                    .clone()
                    .map(|s| (s, SubscriptionSource::Config))
            })
            .or_else(|| cli_default_subscription(home).map(|s| (s, SubscriptionSource::AzureCli)));
        let Some((subscription, source)) = found else {
            return Ok(None);
        };
        let subscription = subscription.trim().to_string();
        validate_subscription(&subscription, source)?;
        let resource_group = flags
            .resource_group
            .clone()
            .or_else(|| config.azure.resource_group.clone());
        if let Some(rg) = &resource_group {
            validate_resource_group(rg)?;
        }
        Ok(Some(Scope {
            subscription,
            source,
            resource_group,
        }))
    }

    /// The ARM path that lists resources of `provider_type` in the whole subscription,
    /// whatever the resource group.
    pub fn subscription_list_path(&self, provider_type: &str) -> String {
        format!(
            "/subscriptions/{}/providers/{provider_type}",
            self.subscription
        )
    }

    /// The ARM path that lists resources of `provider_type` (e.g.
    /// `Microsoft.Compute/virtualMachines`) in this scope.
    pub fn list_path(&self, provider_type: &str) -> String {
        match &self.resource_group {
            Some(rg) => format!(
                "/subscriptions/{}/resourceGroups/{rg}/providers/{provider_type}",
                self.subscription
            ),
            None => format!(
                "/subscriptions/{}/providers/{provider_type}",
                self.subscription
            ),
        }
    }
}

/// The Azure CLI's default subscription, if it is logged in.
fn cli_default_subscription(home: &Path) -> Option<String> {
    let dir = std::env::var_os("AZURE_CONFIG_DIR")
        .filter(|d| !d.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| home.join(".azure"));
    let bytes = std::fs::read(dir.join("azureProfile.json")).ok()?;
    // The CLI writes the file with a UTF-8 byte order mark.
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    let profile: AzureProfile = serde_json::from_slice(bytes).ok()?;
    profile
        .subscriptions
        .into_iter()
        .find(|s| s.is_default)
        .map(|s| s.id)
}

/// The subscriptions `[azure] subscriptions` lists, checked.
pub fn configured_subscriptions(config: &Config) -> Result<Vec<String>, AzureError> {
    let subs: Vec<String> = config
        .azure
        .subscriptions
        .iter()
        .map(|s| s.trim().to_string())
        .collect();
    for s in &subs {
        validate_subscription(s, SubscriptionSource::Config)?;
    }
    Ok(subs)
}

fn validate_subscription(sub: &str, source: SubscriptionSource) -> Result<(), AzureError> {
    let ok = !sub.is_empty()
        && sub.len() <= 64
        && sub.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    if ok {
        return Ok(());
    }
    let from = match source {
        SubscriptionSource::Flag => "--subscription",
        SubscriptionSource::Env => "AZURE_SUBSCRIPTION_ID",
        SubscriptionSource::Config => "[azure] subscription(s) in config.toml",
        SubscriptionSource::AzureCli => "the Azure CLI's default subscription",
    };
    Err(AzureError::Invalid {
        what: "subscription id",
        value: sub.to_string(),
        rule: format!(
            "(from {from}) is not a subscription id: give the GUID, e.g. \
             `00000000-0000-0000-0000-000000000000` (`az account list -o table` shows them)"
        ),
    })
}

/// Resource group names: 1 to 90 letters, digits, `_`, `-`, `.`, `(`, `)`, not ending in
/// `.` (Azure's rule).
fn validate_resource_group(rg: &str) -> Result<(), AzureError> {
    let ok = !rg.is_empty()
        && rg.chars().count() <= 90
        && rg
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '(' | ')'))
        && !rg.ends_with('.');
    if ok {
        Ok(())
    } else {
        Err(AzureError::Invalid {
            what: "resource group",
            value: rg.to_string(),
            rule: "is not a valid resource group name: 1 to 90 letters, digits, `_`, `-`, \
                   `.`, `(` and `)`, not ending in `.`"
                .to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_beats_config_and_profile_is_the_fallback() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(".azure")).unwrap();
        std::fs::write(
            home.path().join(".azure/azureProfile.json"),
            "\u{feff}{\"subscriptions\":[{\"id\":\"1111\",\"isDefault\":false},\
             {\"id\":\"2222\",\"isDefault\":true}]}",
        )
        .unwrap();
        let mut config = Config::default();
        // AZURE_SUBSCRIPTION_ID is not set in unit tests' environment by convention;
        // skip rather than fail when a developer has it set.
        if std::env::var_os("AZURE_SUBSCRIPTION_ID").is_some() {
            return;
        }
        let s = Scope::resolve(&ScopeFlags::default(), &config, home.path())
            .unwrap()
            .unwrap();
        assert_eq!(
            (s.subscription.as_str(), s.source),
            ("2222", SubscriptionSource::AzureCli)
        );
        config.azure.subscription = Some("3333".into());
        config.azure.resource_group = Some("rg1".into());
        let flags = ScopeFlags {
            subscription: Some("4444".into()),
            resource_group: None,
            ..ScopeFlags::default()
        };
        let s = Scope::resolve(&flags, &config, home.path())
            .unwrap()
            .unwrap();
        assert_eq!(s.subscription, "4444");
        assert_eq!(s.resource_group.as_deref(), Some("rg1"));
        assert_eq!(
            s.list_path("Microsoft.Compute/virtualMachines"),
            "/subscriptions/4444/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines"
        );
    }

    #[test]
    fn bad_values_are_usage_errors() {
        let home = tempfile::tempdir().unwrap();
        let flags = ScopeFlags {
            subscription: Some("../x".into()),
            resource_group: None,
            ..ScopeFlags::default()
        };
        let err = Scope::resolve(&flags, &Config::default(), home.path()).unwrap_err();
        assert!(err.is_usage());
        assert!(err.to_string().contains("--subscription"), "{err}");
        let flags = ScopeFlags {
            subscription: Some("1234".into()),
            resource_group: Some("a/b".into()),
            ..ScopeFlags::default()
        };
        assert!(
            Scope::resolve(&flags, &Config::default(), home.path())
                .unwrap_err()
                .is_usage()
        );
    }
}
