//! Tokens for Resource Manager, from `azure_identity`, tried in the order DESIGN.md gives:
//! service principal (`AZURE_CLIENT_ID`/`AZURE_CLIENT_SECRET`/`AZURE_TENANT_ID`),
//! workload identity (`AZURE_FEDERATED_TOKEN_FILE`), managed identity (only where its
//! environment says there is one), Azure CLI, Azure Developer CLI.
//!
//! The first source that gives a token is remembered, and its token is kept for the
//! whole process (every ARM client of one run shares it: a listing and then a tag change
//! ask once) until shortly before it expires (the CLI credentials run `az`/`azd` on every
//! call otherwise). Tokens never reach a message: errors carry only what each source said.

use std::fmt;
use std::sync::{Arc, Mutex};

use azure_core::credentials::{AccessToken, Secret, TokenCredential};
use azure_core::http::{ClientOptions, ExponentialRetryOptions, RetryOptions, Transport};
use azure_identity::{
    AzureCliCredential, AzureDeveloperCliCredential, ClientSecretCredential,
    ClientSecretCredentialOptions, ManagedIdentityCredential, ManagedIdentityCredentialOptions,
    UserAssignedId, WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};

/// How long before its expiry a cached token is replaced.
const EXPIRY_MARGIN: std::time::Duration = std::time::Duration::from_secs(120);

/// The chassis asset tag Azure gives its VMs; the managed identity endpoint (IMDS) exists
/// only there, so elsewhere it is not probed (the probe can take 20 seconds).
const AZURE_ASSET_TAG: &str = "7783-7084-3265-9085";

/// Environment variable: `off` never tries managed identity, `on` always does; unset,
/// it is tried only where its environment says it exists.
pub const MANAGED_IDENTITY_ENV: &str = "AZLIN_MANAGED_IDENTITY";

/// Every source failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(.attempts))]
pub struct CredentialError {
    /// Each source, in order, with why it gave no token.
    pub attempts: Vec<(&'static str, String)>,
}

fn render(attempts: &[(&'static str, String)]) -> String {
    let mut msg = String::from("no Azure credential gave a token; tried, in order:");
    for (name, why) in attempts {
        msg.push_str(&format!("\n  {name}: {why}"));
    }
    msg.push_str(
        "\nlog in with `az login` (Azure CLI) or `azd auth login`, or set AZURE_CLIENT_ID, \
         AZURE_CLIENT_SECRET and AZURE_TENANT_ID for a service principal",
    );
    msg
}

/// A bearer token. Its `Debug` and `Display` never show the value.
#[derive(Clone)]
pub struct Token(Secret);

impl Token {
    /// The value, for the `Authorization` header only.
    pub fn secret(&self) -> &str {
        self.0.secret()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

/// The token this process last got, for every [`Credentials`] of the process.
static PROCESS_TOKEN: Mutex<Option<SharedToken>> = Mutex::new(None);

/// A token with the scope it was asked for and the source that gave it.
struct SharedToken {
    scope: String,
    source: &'static str,
    token: AccessToken,
}

/// The process-wide token slot (a poisoned lock only means a thread panicked while it held
/// a plain value).
fn process_token() -> std::sync::MutexGuard<'static, Option<SharedToken>> {
    PROCESS_TOKEN.lock().unwrap_or_else(|e| e.into_inner())
}

/// One way to get a token.
struct Source {
    name: &'static str,
    credential: Arc<dyn TokenCredential>,
}

/// The credential chain, with the source that worked and its token remembered.
pub struct Credentials {
    scope: String,
    http: reqwest::Client,
    chosen: Option<Source>,
    cached: Option<AccessToken>,
    /// The source of a token taken from [`PROCESS_TOKEN`] (no chain run here).
    borrowed_from: Option<&'static str>,
    /// Why the whole chain failed, kept so that concurrent requests do not run it again.
    failed: Option<CredentialError>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("scope", &self.scope)
            .field("chosen", &self.chosen.as_ref().map(|s| s.name))
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// A chain asking for tokens of `scope` (e.g. `https://management.azure.com/.default`);
    /// the credentials that make HTTP requests share `http`.
    pub fn new(scope: String, http: reqwest::Client) -> Credentials {
        Credentials {
            scope,
            http,
            chosen: None,
            cached: None,
            borrowed_from: None,
            failed: None,
        }
    }

    /// The name of the source in use, once one has worked.
    pub fn source_name(&self) -> Option<&'static str> {
        self.chosen.as_ref().map(|s| s.name).or(self.borrowed_from)
    }

    /// Keeps `token` for this chain and for the rest of the process.
    fn keep(&mut self, source: &'static str, token: &AccessToken) {
        self.cached = Some(token.clone());
        *process_token() = Some(SharedToken {
            scope: self.scope.clone(),
            source,
            token: token.clone(),
        });
    }

    /// A token, from the cache while it is fresh. `rejected` is a token Resource Manager
    /// refused (expired or revoked): when it is the cached one, a new one is fetched;
    /// when another request already replaced it, the replacement is used.
    pub async fn token(&mut self, rejected: Option<&Token>) -> Result<Token, CredentialError> {
        if let (Some(r), Some(c)) = (rejected, &self.cached)
            && r.secret() == c.token.secret()
        {
            self.cached = None;
        }
        if let Some(r) = rejected {
            let mut shared = process_token();
            if shared
                .as_ref()
                .is_some_and(|s| s.token.token.secret() == r.secret())
            {
                *shared = None;
            }
        }
        if self.cached.is_none()
            && let Some(s) = process_token().as_ref()
            && s.scope == self.scope
        {
            self.cached = Some(s.token.clone());
            self.borrowed_from = Some(s.source);
        }
        if let Some(t) = &self.cached
            && fresh(t)
        {
            return Ok(Token(t.token.clone()));
        }
        let scopes = [self.scope.as_str()];
        if let Some(source) = &self.chosen {
            let token = source
                .credential
                .get_token(&scopes, None)
                .await
                .map_err(|e| CredentialError {
                    attempts: vec![(source.name, reason(&e))],
                })?;
            let name = source.name;
            self.keep(name, &token);
            return Ok(Token(token.token));
        }
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let mut attempts = Vec::new();
        for (name, made) in self.sources() {
            let credential = match made {
                Ok(c) => c,
                Err(why) => {
                    attempts.push((name, why));
                    continue;
                }
            };
            match credential.get_token(&scopes, None).await {
                Ok(token) => {
                    self.chosen = Some(Source { name, credential });
                    self.keep(name, &token);
                    return Ok(Token(token.token));
                }
                Err(e) => attempts.push((name, reason(&e))),
            }
        }
        let err = CredentialError { attempts };
        self.failed = Some(err.clone());
        Err(err)
    }

    /// Every source in order: the credential, or why it does not apply here.
    #[allow(clippy::type_complexity)]
    fn sources(&self) -> Vec<(&'static str, Result<Arc<dyn TokenCredential>, String>)> {
        // A token endpoint that does not answer fails in seconds, not after the SDK's
        // default of eight retries over a minute; the chain then tries the next source.
        let client_options = || ClientOptions {
            transport: Some(Transport::new(Arc::new(LoggedHttp(self.http.clone())))),
            retry: RetryOptions::exponential(ExponentialRetryOptions {
                max_retries: 2,
                max_total_elapsed: azure_core::time::Duration::seconds(10),
                ..ExponentialRetryOptions::default()
            }),
            ..ClientOptions::default()
        };
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let mut out: Vec<(&'static str, Result<Arc<dyn TokenCredential>, String>)> = Vec::new();

        let sp = match (
            env("AZURE_TENANT_ID"),
            env("AZURE_CLIENT_ID"),
            env("AZURE_CLIENT_SECRET"),
        ) {
            (Some(tenant), Some(client), Some(secret)) => ClientSecretCredential::new(
                &tenant,
                client,
                Secret::new(secret),
                Some(ClientSecretCredentialOptions {
                    client_options: client_options(),
                }),
            )
            .map(|c| c as Arc<dyn TokenCredential>)
            .map_err(|e| reason(&e)),
            _ => Err(
                "not configured (AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and AZURE_TENANT_ID are \
                 not all set)"
                    .to_string(),
            ),
        };
        out.push(("service principal (AZURE_CLIENT_SECRET)", sp));

        let workload = if env("AZURE_FEDERATED_TOKEN_FILE").is_some() {
            let mut options = WorkloadIdentityCredentialOptions::default();
            options.credential_options.client_options = client_options();
            WorkloadIdentityCredential::new(Some(options))
                .map(|c| c as Arc<dyn TokenCredential>)
                .map_err(|e| reason(&e))
        } else {
            Err("not configured (AZURE_FEDERATED_TOKEN_FILE is not set)".to_string())
        };
        out.push(("workload identity", workload));

        let managed_mode = env(MANAGED_IDENTITY_ENV).unwrap_or_default();
        let managed = if managed_mode == "off" {
            Err(format!("turned off ({MANAGED_IDENTITY_ENV}=off)"))
        } else if managed_mode == "on" || env("IDENTITY_ENDPOINT").is_some() || on_azure_vm() {
            ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                user_assigned_id: env("AZURE_CLIENT_ID").map(UserAssignedId::ClientId),
                client_options: client_options(),
            }))
            .map(|c| c as Arc<dyn TokenCredential>)
            .map_err(|e| reason(&e))
        } else {
            Err(
                "not available (not an Azure VM or App Service: IDENTITY_ENDPOINT is not set)"
                    .to_string(),
            )
        };
        out.push(("managed identity", managed));

        out.push((
            "Azure CLI (az)",
            AzureCliCredential::new(None)
                .map(|c| c as Arc<dyn TokenCredential>)
                .map_err(|e| reason(&e)),
        ));
        out.push((
            "Azure Developer CLI (azd)",
            AzureDeveloperCliCredential::new(None)
                .map(|c| c as Arc<dyn TokenCredential>)
                .map_err(|e| reason(&e)),
        ));
        out
    }
}

/// Whether the token outlives the margin.
fn fresh(token: &AccessToken) -> bool {
    let margin = azure_core::time::Duration::seconds(EXPIRY_MARGIN.as_secs() as i64);
    token.expires_on > azure_core::time::OffsetDateTime::now_utc() + margin
}

/// Whether this machine is an Azure VM (its DMI asset tag says so).
fn on_azure_vm() -> bool {
    std::fs::read_to_string("/sys/class/dmi/id/chassis_asset_tag")
        .map(|t| t.trim() == AZURE_ASSET_TAG)
        .unwrap_or(false)
}

/// What a source said, made to fit one line of the listing: the SDK's troubleshooting
/// link and the repeated "X authentication failed." prefix are dropped.
fn reason(err: &azure_core::Error) -> String {
    // The SDK's own message can be as vague as "retry policy expired"; the causes
    // underneath say what happened (connection refused, an Entra error code).
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let c = cause.to_string();
        if !text.contains(&c) {
            text.push_str(": ");
            text.push_str(&c);
        }
        source = cause.source();
    }
    let text = text
        .split_once("authentication failed.")
        .map(|(_, rest)| rest)
        .unwrap_or(&text);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("To troubleshoot"))
        .collect();
    let joined = lines.join(" ");
    let joined = joined.trim();
    if joined.is_empty() {
        "failed (no message)".to_string()
    } else if joined.chars().count() > 300 {
        let cut: String = joined.chars().take(300).collect();
        format!("{cut}…")
    } else {
        joined.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_debug_hides_the_value() {
        let t = Token(Secret::new("very-secret"));
        assert!(!format!("{t:?}").contains("very-secret"));
    }

    #[test]
    fn listing_names_every_attempt_and_how_to_log_in() {
        let e = CredentialError {
            attempts: vec![("a", "x".into()), ("b", "y".into())],
        };
        let s = e.to_string();
        assert!(s.contains("\n  a: x\n  b: y\n"), "{s}");
        assert!(s.contains("az login"), "{s}");
    }
}

/// The HTTP client of the credentials (token endpoints, managed identity), logging each
/// request as azlin's own are logged (crate::diag: method, redacted URL, status, ms).
#[derive(Debug)]
struct LoggedHttp(reqwest::Client);

impl azure_core::http::HttpClient for LoggedHttp {
    // What `#[async_trait]` expands to, written out: azlin does not depend on async-trait.
    fn execute_request<'s, 'r, 'f>(
        &'s self,
        request: &'r azure_core::http::Request,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = azure_core::Result<azure_core::http::AsyncRawResponse>>
                + Send
                + 'f,
        >,
    >
    where
        's: 'f,
        'r: 'f,
        Self: 'f,
    {
        Box::pin(async move {
            let method = request.method().to_string();
            let url = request.url().to_string();
            crate::diag::http_start(&method, &url);
            let started = std::time::Instant::now();
            let response = azure_core::http::HttpClient::execute_request(&self.0, request).await;
            let outcome = match &response {
                Ok(r) => u16::from(r.status()).to_string(),
                Err(e) => format!("error: {}", reason(e)),
            };
            crate::diag::http_done(&method, &url, &outcome, started);
            response
        })
    }
}
