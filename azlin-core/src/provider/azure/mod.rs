//! The Azure provider: VMs, addresses, tags and labels from Azure Resource Manager.
//!
//! Concepts, one module each: [`scope`] (which subscription and resource group),
//! [`credential`] (tokens from `azure_identity`), [`arm`] (the HTTP client: retries,
//! pagination), [`graph`] (many subscriptions through Resource Graph), [`listing`] (VMs, NICs and public IPs joined locally), [`record`] (what
//! azlin keeps of a VM and how it becomes an inventory VM), [`cache`] (the inventory cache
//! with its TTL), [`tags`] (the Tags API).
//!
//! Nothing here starts a runtime or touches the network until Azure data is really needed
//! (a cache miss, a refresh, a tag change): [`Session`] is created lazily.

pub mod arm;
pub mod cache;
pub mod credential;
pub mod graph;
pub mod listing;
pub mod record;
pub mod scope;
pub mod tags;

use std::future::Future;

use crate::diag::redact_urls;
use crate::text::Escaped;

pub use record::AzureVm;
pub use scope::Scope;

/// The environment variable that replaces `https://management.azure.com` (tests, sovereign
/// clouds).
pub const ARM_ENDPOINT_ENV: &str = "AZLIN_ARM_ENDPOINT";
/// The public cloud's Resource Manager.
pub const DEFAULT_ARM_ENDPOINT: &str = "https://management.azure.com";

/// A failure of the Azure provider.
#[derive(Debug, thiserror::Error)]
pub enum AzureError {
    /// No credential produced a token.
    #[error("{0}")]
    Credential(#[from] credential::CredentialError),
    /// A request failed after its retries.
    #[error(
        "Azure request {method} {} failed{}: {}\n{}",
        Escaped(&redact_urls(.url)),
        status.map(|s| format!(" with status {s}")).unwrap_or_default(),
        Escaped(&redact_urls(.reason)),
        fix_for(*status)
    )]
    Request {
        /// HTTP method.
        method: String,
        /// The URL (a `nextLink` may hold secrets: shown through `diag::redact_urls`).
        url: String,
        /// Final HTTP status, if a response came back.
        status: Option<u16>,
        /// What went wrong, with ARM's own error code and message when it sent one.
        reason: String,
    },
    /// A response that is not what ARM documents.
    #[error(
        "unexpected response from {}: {}",
        Escaped(&redact_urls(.url)),
        Escaped(&redact_urls(.reason))
    )]
    BadResponse {
        /// The request's URL (secrets redacted).
        url: String,
        /// What was wrong with it.
        reason: String,
    },
    /// A value that breaks a rule (endpoint, subscription id, resource group).
    #[error("{what} `{}` {rule}", Escaped(.value))]
    Invalid {
        /// What the value is.
        what: &'static str,
        /// The value as given.
        value: String,
        /// The rule and the fix.
        rule: String,
    },
    /// The async runtime could not start.
    #[error("cannot start the Azure client: {0}")]
    Runtime(String),
    /// The inventory cache could not be written.
    #[error("cannot write the Azure inventory cache {}: {source}", path.display())]
    CacheWrite {
        /// The cache file (`cache/azure.json`).
        path: std::path::PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

/// What to do about a failed request, by its final status.
fn fix_for(status: Option<u16>) -> &'static str {
    match status {
        None => "check the network (and AZLIN_ARM_ENDPOINT if set), then run again",
        Some(401) => "sign in again (`az login`), or check the AZURE_* credential variables",
        Some(403) => {
            "the credential lacks permission: listing needs Reader on the subscription, \
             tag changes need Tag Contributor"
        }
        Some(404) => {
            "check the subscription and resource group (`az account list -o table`, \
             `az group list -o table`)"
        }
        Some(429) => "Azure is throttling this credential: wait a minute and run again",
        Some(s) if s >= 500 => "Azure is failing: run again later (https://azure.status.microsoft)",
        Some(_) => {
            "Azure refused the request as azlin sent it: run again with `-v` and report it \
             as an azlin bug"
        }
    }
}

impl AzureError {
    /// Whether the error is the user's input (exit 2) rather than a failure (exit 1).
    pub fn is_usage(&self) -> bool {
        matches!(self, AzureError::Invalid { .. })
    }
}

/// Runs one future to completion on a single-threaded runtime created for it. Only
/// called when Azure data is needed, so local-only commands never start a runtime.
pub(crate) fn block_on<F: Future>(future: F) -> Result<F::Output, AzureError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AzureError::Runtime(e.to_string()))?;
    Ok(runtime.block_on(future))
}

/// The Azure VMs of a scope, and how they were obtained.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// The VMs, sorted by name.
    pub vms: Vec<AzureVm>,
    /// Whether they were listed from Azure in this run (else read from the cache).
    pub fetched: bool,
    /// HTTP requests sent to Resource Manager.
    pub requests: usize,
    /// The credential that gave the token, when one was needed.
    pub credential: Option<&'static str>,
    /// Problems worth a warning that did not stop the listing.
    pub warnings: Vec<String>,
    /// Whether Azure failed and an expired cache stood in.
    pub stale: bool,
}

/// The cache file of Resource Graph listings, in the cache directory.
const GRAPH_CACHE: &str = "azure-graph.json";

/// Where a listing comes from: one scope through Resource Manager, or many subscriptions
/// through Resource Graph (every readable one when the list is empty).
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// Resource Manager list operations of one subscription (or resource group).
    Arm(&'a Scope),
    /// One Resource Graph query.
    Graph(&'a [String]),
}

impl Source<'_> {
    /// The scope a cache of this listing is keyed by.
    fn cache_key(&self) -> Scope {
        match self {
            Source::Arm(scope) => (*scope).clone(),
            Source::Graph(subs) => Scope {
                subscription: if subs.is_empty() {
                    "graph:*".to_string()
                } else {
                    format!("graph:{}", subs.join(","))
                },
                source: scope::SubscriptionSource::Config,
                resource_group: None,
            },
        }
    }

    fn cache_path(&self, paths: &crate::paths::Paths) -> std::path::PathBuf {
        match self {
            Source::Arm(_) => paths.azure_cache(),
            Source::Graph(_) => paths.cache_dir().join(GRAPH_CACHE),
        }
    }
}

/// The VMs of `scope`: from the cache while it is fresh, else listed from Azure (and the
/// cache rewritten). `refresh` skips the cache.
pub fn load(
    paths: &crate::paths::Paths,
    config: &crate::config::Config,
    scope: &Scope,
    refresh: bool,
) -> Result<Listing, AzureError> {
    load_from(paths, config, Source::Arm(scope), refresh)
}

/// Like [`load`], from either source. A failed listing falls back to an older cache of
/// the same listing with a warning saying how old it is; `refresh` never falls back.
pub fn load_from(
    paths: &crate::paths::Paths,
    config: &crate::config::Config,
    source: Source<'_>,
    refresh: bool,
) -> Result<Listing, AzureError> {
    let endpoint = arm::endpoint_from_env()?;
    let key = source.cache_key();
    let path = source.cache_path(paths);
    if !refresh
        && let Some(c) = cache::AzureCache::load(&path)
        && c.is_fresh_for(&endpoint, &key, config.azure_cache_ttl())
    {
        return Ok(Listing {
            vms: c.vms,
            fetched: false,
            requests: 0,
            credential: None,
            warnings: Vec::new(),
            stale: false,
        });
    }
    match fetch(&path, &endpoint, source) {
        Ok(listing) => Ok(listing),
        // Azure unreachable or login expired: an older listing is better than none for
        // reaching VMs (their addresses rarely change); an explicit --refresh still fails.
        Err(e) if !refresh && !e.is_usage() => {
            let Some(c) = cache::AzureCache::load(&path).filter(|c| c.is_for(&endpoint, &key))
            else {
                return Err(e);
            };
            let warning = format!(
                "{e}\nusing the Azure listing from {} minutes ago (`--refresh` never falls back)",
                c.age_secs() / 60
            );
            Ok(Listing {
                vms: c.vms,
                fetched: false,
                requests: 0,
                credential: None,
                warnings: vec![warning],
                stale: true,
            })
        }
        Err(e) => Err(e),
    }
}

/// Lists from Azure and rewrites the cache at `path`.
fn fetch(
    path: &std::path::Path,
    endpoint: &str,
    source: Source<'_>,
) -> Result<Listing, AzureError> {
    let arm = arm::Arm::new(endpoint.to_string())?;
    let (vms, credential) = block_on(async {
        let vms = match source {
            Source::Arm(scope) => listing::list_vms(&arm, scope).await,
            Source::Graph(subs) => graph::list_vms(&arm, subs).await,
        };
        (vms, arm.credential_source().await)
    })?;
    let vms = vms?;
    let mut warnings = Vec::new();
    if let Err(e) = cache::AzureCache::new(endpoint, &source.cache_key(), vms.clone()).save(path) {
        // The listing itself succeeded; only the next run pays for the failure.
        warnings.push(
            AzureError::CacheWrite {
                path: path.to_path_buf(),
                source: e,
            }
            .to_string(),
        );
    }
    Ok(Listing {
        vms,
        fetched: true,
        requests: arm.requests(),
        credential,
        warnings,
        stale: false,
    })
}

/// Changes the tags of the Azure VM `record` (as this run listed it, from either source)
/// with the Tags API and records the result in every cache that holds it; the VM's tags
/// afterwards.
pub fn change_tags(
    paths: &crate::paths::Paths,
    record: &AzureVm,
    operation: tags::TagOperation,
    changes: &std::collections::BTreeMap<String, String>,
) -> Result<std::collections::BTreeMap<String, String>, AzureError> {
    let endpoint = arm::endpoint_from_env()?;
    let arm = arm::Arm::new(endpoint)?;
    let new_tags = block_on(tags::patch_tags(&arm, &record.arm_id, operation, changes))??;
    // Keep the caches truthful so that the next resolve sees the change without a refresh.
    let id = record.arm_id.to_lowercase();
    for path in [paths.azure_cache(), paths.cache_dir().join(GRAPH_CACHE)] {
        if let Some(mut c) = cache::AzureCache::load(&path)
            && let Some(r) = c.vms.iter_mut().find(|r| r.arm_id.to_lowercase() == id)
        {
            r.tags = new_tags.clone();
            let _ = c.save(&path);
        }
    }
    Ok(new_tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_hide_secrets_in_urls_and_escape_what_azure_said() {
        let msg = AzureError::Request {
            method: "GET".into(),
            url: "https://user:hunter2@management.azure.com/subscriptions/s/vms?\
                  api-version=2024-07-01&$skiptoken=SECRET-SKIP"
                .into(),
            status: Some(500),
            reason: "InternalError: retry https://h/x?sig=SECRET-SIG \u{1b}]0;t\u{7}".into(),
        }
        .to_string();
        let first_line = msg.lines().next().unwrap_or_default();
        assert_eq!(
            first_line,
            "Azure request GET https://REDACTED@management.azure.com/subscriptions/s/vms?\
             api-version=2024-07-01&$skiptoken=REDACTED failed with status 500: \
             InternalError: retry https://h/x?sig=REDACTED \\e]0;t\\x07"
        );
        let msg = AzureError::BadResponse {
            url: "https://u:p@h/next?$skiptoken=SECRET".into(),
            reason: "not JSON".into(),
        }
        .to_string();
        assert!(!msg.contains("SECRET") && !msg.contains(":p@"), "{msg}");
    }
}
