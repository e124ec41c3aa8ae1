//! `cache/azure.json`: the last listing of the scope, used while younger than the TTL so
//! that `connect`, `exec` and `resolve` need no round trip to Azure. Written atomically:
//! an interrupted refresh leaves the previous cache.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::record::AzureVm;
use super::scope::Scope;
use crate::persist;

/// The cached listing and what it is a listing of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzureCache {
    /// Format version.
    pub version: u32,
    /// The Resource Manager endpoint it came from.
    pub endpoint: String,
    /// Subscription id.
    pub subscription: String,
    /// Resource group, or `None` for the whole subscription.
    pub resource_group: Option<String>,
    /// Seconds since the Unix epoch when it was listed.
    pub fetched_at: u64,
    /// The VMs, sorted by name.
    pub vms: Vec<AzureVm>,
}

const VERSION: u32 = 1;

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl AzureCache {
    /// A cache of a listing made now.
    pub fn new(endpoint: &str, scope: &Scope, vms: Vec<AzureVm>) -> AzureCache {
        AzureCache {
            version: VERSION,
            endpoint: endpoint.to_string(),
            subscription: scope.subscription.clone(),
            resource_group: scope.resource_group.clone(),
            fetched_at: now(),
            vms,
        }
    }

    /// Loads the cache; a missing, unreadable or older-format cache is `None` (it is only
    /// a cache: the next listing rewrites it).
    pub fn load(path: &Path) -> Option<AzureCache> {
        crate::cache_file::read(path).filter(|c: &AzureCache| c.version == VERSION)
    }

    /// Whether it lists `scope` on `endpoint`, and is younger than `ttl`.
    pub fn is_fresh_for(&self, endpoint: &str, scope: &Scope, ttl: Duration) -> bool {
        self.is_for(endpoint, scope)
            && self.age_secs() < ttl.as_secs()
            && self.fetched_at <= now() + 60
    }

    /// Whether it lists `scope` on `endpoint`, however old.
    pub fn is_for(&self, endpoint: &str, scope: &Scope) -> bool {
        self.endpoint == endpoint
            && self.subscription == scope.subscription
            && self.resource_group == scope.resource_group
    }

    /// Seconds since the listing.
    pub fn age_secs(&self) -> u64 {
        now().saturating_sub(self.fetched_at)
    }

    /// Writes the cache atomically, mode 0600.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        // Compact: a thousand VMs make a large file, read on every command.
        persist::write_json(path, self, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::azure::scope::SubscriptionSource;

    #[test]
    fn fresh_only_for_the_same_scope_and_within_ttl() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache/azure.json");
        let scope = Scope {
            subscription: "1234".into(),
            source: SubscriptionSource::Flag,
            resource_group: None,
        };
        let c = AzureCache::new("http://e", &scope, vec![]);
        c.save(&path).unwrap();
        let back = AzureCache::load(&path).unwrap();
        assert_eq!(back, c);
        assert!(back.is_fresh_for("http://e", &scope, crate::config::DEFAULT_AZURE_CACHE_TTL));
        assert!(!back.is_fresh_for(
            "http://other",
            &scope,
            crate::config::DEFAULT_AZURE_CACHE_TTL
        ));
        assert!(!back.is_fresh_for("http://e", &scope, Duration::ZERO));
        let rg = Scope {
            resource_group: Some("rg".into()),
            ..scope.clone()
        };
        assert!(!back.is_fresh_for("http://e", &rg, crate::config::DEFAULT_AZURE_CACHE_TTL));
        std::fs::write(&path, "{garbage").unwrap();
        assert!(AzureCache::load(&path).is_none());
    }
}
