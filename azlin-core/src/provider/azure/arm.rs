//! The Resource Manager HTTP client: bearer tokens, retries, pagination.
//!
//! 429 waits as long as `Retry-After` says (bounded); 5xx, 408, connection resets and
//! timeouts are retried with jittered exponential backoff, a bounded number of times; a
//! 401 fetches a fresh token once. A failure after the retries names the request and the
//! last status.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::Mutex;

use super::credential::Credentials;
use super::{ARM_ENDPOINT_ENV, AzureError, DEFAULT_ARM_ENDPOINT};

/// Environment variable: seconds one request may take (default 30).
pub const TIMEOUT_ENV: &str = "AZLIN_ARM_TIMEOUT";
/// Attempts after the first.
const MAX_RETRIES: u32 = 4;
/// Backoff before the first retry; doubled each time, with jitter.
const BASE_BACKOFF: Duration = Duration::from_millis(400);
/// Longest backoff between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// Polls of a long-running operation, at most.
const MAX_POLLS: u32 = 30;
/// Wait between polls when the service names none.
const DEFAULT_POLL: Duration = Duration::from_secs(1);
/// Longest wait between two polls.
const MAX_POLL_WAIT: Duration = Duration::from_secs(10);
/// Longest `Retry-After` honoured; a longer one is waited for this long.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// A Resource Manager client for one endpoint.
pub struct Arm {
    endpoint: String,
    http: reqwest::Client,
    credentials: Mutex<Credentials>,
    requests: AtomicUsize,
}

impl std::fmt::Debug for Arm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Arm")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

/// The endpoint: `AZLIN_ARM_ENDPOINT`, else the public cloud.
pub fn endpoint_from_env() -> Result<String, AzureError> {
    let raw = std::env::var(ARM_ENDPOINT_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_ARM_ENDPOINT.to_string());
    let endpoint = raw.trim().trim_end_matches('/').to_string();
    let ok = reqwest::Url::parse(&endpoint)
        .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .unwrap_or(false);
    if ok {
        Ok(endpoint)
    } else {
        Err(AzureError::Invalid {
            what: ARM_ENDPOINT_ENV,
            value: raw.to_string(),
            rule: "is not an http(s) URL: give e.g. `https://management.azure.com`, or unset it"
                .to_string(),
        })
    }
}

impl Arm {
    /// A client for `endpoint`, asking the credential chain for tokens of the endpoint's
    /// `/.default` scope.
    pub fn new(endpoint: String) -> Result<Arm, AzureError> {
        let timeout = std::env::var(TIMEOUT_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .map(Duration::from_secs_f64)
            .unwrap_or(Duration::from_secs(30));
        // reqwest is built without a default crypto provider (one crypto stack: ring);
        // install it once. An error only means a provider was installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("azlin/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AzureError::Runtime(e.to_string()))?;
        let scope = format!("{endpoint}/.default");
        Ok(Arm {
            credentials: Mutex::new(Credentials::new(scope, http.clone())),
            endpoint,
            http,
            requests: AtomicUsize::new(0),
        })
    }

    /// HTTP requests sent so far (retries included).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// The credential source that gave the token, once one has.
    pub async fn credential_source(&self) -> Option<&'static str> {
        self.credentials.lock().await.source_name()
    }

    /// Every item of a list operation on `path`, following `nextLink`.
    pub async fn list(&self, path: &str, query: &str) -> Result<Vec<Value>, AzureError> {
        let mut url = format!("{}{path}?{query}", self.endpoint);
        let mut items = Vec::new();
        loop {
            let page = self.send(Method::GET, &url, None).await?;
            match page.get("value") {
                Some(Value::Array(values)) => items.extend(values.iter().cloned()),
                None | Some(Value::Null) => {}
                Some(_) => {
                    return Err(AzureError::BadResponse {
                        url: strip_query(&url),
                        reason: "`value` is not an array".to_string(),
                    });
                }
            }
            match page.get("nextLink").and_then(Value::as_str) {
                Some(next) if !next.is_empty() => {
                    self.check_same_origin(next)?;
                    url = next.to_string();
                }
                _ => return Ok(items),
            }
        }
    }

    /// `GET` of `path`; the response body.
    pub async fn get(&self, path: &str, query: &str) -> Result<Value, AzureError> {
        let url = format!("{}{path}?{query}", self.endpoint);
        self.send(Method::GET, &url, None).await
    }

    /// `POST` of `path` with a JSON body; the response body.
    pub async fn post(&self, path: &str, query: &str, body: &Value) -> Result<Value, AzureError> {
        let url = format!("{}{path}?{query}", self.endpoint);
        self.send(Method::POST, &url, Some(body)).await
    }

    /// `PATCH` of `path` with a JSON body; the whole answer (a 202 Accepted has no body,
    /// and says where to follow the operation).
    pub async fn patch(&self, path: &str, query: &str, body: &Value) -> Result<Answer, AzureError> {
        let url = format!("{}{path}?{query}", self.endpoint);
        self.answer(Method::PATCH, &url, Some(body)).await
    }

    /// Follows the long-running operation of a 202 answer until it is done: polls the
    /// monitor URL (on this endpoint only: the token goes with it) while it answers 202
    /// or a `status` still in progress, waiting as `Retry-After` says (bounded), at most
    /// `MAX_POLLS` times.
    pub async fn wait_for(&self, accepted: &Answer) -> Result<(), AzureError> {
        let Some(monitor) = accepted.monitor.clone() else {
            return Ok(());
        };
        self.check_same_origin(&monitor)?;
        let mut wait = accepted.retry_after;
        for _ in 0..MAX_POLLS {
            tokio::time::sleep(wait.unwrap_or(DEFAULT_POLL).min(MAX_POLL_WAIT)).await;
            let answer = self.answer(Method::GET, &monitor, None).await?;
            let status = answer.body.get("status").and_then(Value::as_str);
            match (answer.status, status) {
                (202, _) | (_, Some("InProgress" | "Running" | "Accepted")) => {
                    wait = answer.retry_after;
                }
                (_, Some("Failed" | "Canceled")) => {
                    return Err(AzureError::BadResponse {
                        url: strip_query(&monitor),
                        reason: format!("the operation ended {}", status.unwrap_or("")),
                    });
                }
                _ => return Ok(()),
            }
        }
        Err(AzureError::BadResponse {
            url: strip_query(&monitor),
            reason: format!("the operation was still running after {MAX_POLLS} polls"),
        })
    }

    /// A `nextLink` must stay on the endpoint: the bearer token goes with it.
    fn check_same_origin(&self, next: &str) -> Result<(), AzureError> {
        let origin = |u: &str| {
            reqwest::Url::parse(u)
                .ok()
                .map(|u| u.origin().ascii_serialization())
        };
        if origin(next).is_some() && origin(next) == origin(&self.endpoint) {
            Ok(())
        } else {
            Err(AzureError::BadResponse {
                url: strip_query(next),
                reason: format!(
                    "the `nextLink` leaves {}; refusing to send the token there",
                    self.endpoint
                ),
            })
        }
    }

    /// Sends one request with retries; the parsed JSON body.
    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Value, AzureError> {
        self.answer(method, url, body).await.map(|a| a.body)
    }

    /// Sends one request with retries; the status, the long-running-operation headers and
    /// the parsed JSON body.
    async fn answer(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Answer, AzureError> {
        let mut rejected: Option<super::credential::Token> = None;
        let mut refreshed = false;
        let mut attempt = 0u32;
        loop {
            let token = self
                .credentials
                .lock()
                .await
                .token(rejected.take().as_ref())
                .await?;
            let mut req = self
                .http
                .request(method.clone(), url)
                .bearer_auth(token.secret().to_string())
                .header(reqwest::header::ACCEPT, "application/json");
            if let Some(b) = body {
                req = req
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(b.to_string());
            }
            self.requests.fetch_add(1, Ordering::Relaxed);
            // -v logs each request (crate::diag): method, redacted URL, status, time.
            crate::diag::http_start(method.as_str(), url);
            let started = std::time::Instant::now();
            let sent = req.send().await;
            match &sent {
                Ok(resp) => {
                    crate::diag::http_done(method.as_str(), url, resp.status().as_str(), started)
                }
                Err(e) => crate::diag::http_done(method.as_str(), url, &describe(e), started),
            }
            let failure = match sent {
                Ok(resp) => {
                    let status = resp.status();
                    let retry_after = retry_after(resp.headers());
                    let monitor = ["azure-asyncoperation", "location"].iter().find_map(|h| {
                        resp.headers()
                            .get(*h)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_string)
                    });
                    match resp.bytes().await {
                        Ok(bytes) if status.is_success() => {
                            let body = if bytes.is_empty() {
                                Value::Null
                            } else {
                                serde_json::from_slice(&bytes).map_err(|e| {
                                    AzureError::BadResponse {
                                        url: strip_query(url),
                                        reason: format!("the body is not JSON: {e}"),
                                    }
                                })?
                            };
                            return Ok(Answer {
                                status: status.as_u16(),
                                monitor,
                                retry_after,
                                body,
                            });
                        }
                        Ok(bytes) => {
                            let reason = arm_error(status, &bytes);
                            if status == StatusCode::UNAUTHORIZED && !refreshed {
                                // The token expired or was revoked: one fresh token.
                                refreshed = true;
                                rejected = Some(token);
                                continue;
                            }
                            if !retryable(status) {
                                return Err(self.failed(&method, url, Some(status), reason));
                            }
                            Failure {
                                status: Some(status),
                                reason,
                                wait: retry_after,
                            }
                        }
                        Err(e) => Failure {
                            status: Some(status),
                            reason: format!("the response was cut off: {}", describe(&e)),
                            wait: None,
                        },
                    }
                }
                Err(e) => {
                    let reason = describe(&e);
                    if !(e.is_timeout() || e.is_connect() || e.is_request() || e.is_body()) {
                        return Err(self.failed(&method, url, None, reason));
                    }
                    Failure {
                        status: None,
                        reason,
                        wait: None,
                    }
                }
            };
            if attempt >= MAX_RETRIES {
                let reason = format!(
                    "{} (gave up after {} attempts)",
                    failure.reason,
                    attempt + 1
                );
                return Err(self.failed(&method, url, failure.status, reason));
            }
            let wait = failure
                .wait
                .map(|w| w.min(MAX_RETRY_AFTER))
                .unwrap_or_else(|| backoff(attempt));
            attempt += 1;
            tokio::time::sleep(wait).await;
        }
    }

    fn failed(
        &self,
        method: &Method,
        url: &str,
        status: Option<StatusCode>,
        reason: String,
    ) -> AzureError {
        AzureError::Request {
            method: method.to_string(),
            url: strip_query(url),
            status: status.map(|s| s.as_u16()),
            reason,
        }
    }
}

/// A successful answer.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status (2xx).
    pub status: u16,
    /// Where to follow a long-running operation (`Azure-AsyncOperation`, else `Location`).
    pub monitor: Option<String>,
    /// How long the server asked to wait before polling.
    pub retry_after: Option<Duration>,
    /// The parsed body (`Null` when empty).
    pub body: Value,
}

/// Why an attempt failed, and how long the server asked to wait.
struct Failure {
    status: Option<StatusCode>,
    reason: String,
    wait: Option<Duration>,
}

/// Statuses worth another attempt: throttling, timeouts, server errors.
fn retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
        || status.is_server_error()
}

/// Exponential backoff with jitter: a random wait in the upper half of the window, so that
/// many clients throttled together do not retry together.
fn backoff(attempt: u32) -> Duration {
    let window = BASE_BACKOFF
        .saturating_mul(1u32 << attempt.min(16))
        .min(MAX_BACKOFF);
    let half = window / 2;
    half + half.mul_f64(fastrand::f64())
}

/// `Retry-After` (seconds), or the millisecond variants ARM also sends.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = get(name).and_then(|v| v.trim().parse::<u64>().ok()) {
            return Some(Duration::from_millis(ms));
        }
    }
    get("retry-after")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

/// ARM's error body (`{"error":{"code","message"}}`) in one line, else the status.
fn arm_error(status: StatusCode, body: &[u8]) -> String {
    let parsed: Option<(String, String)> =
        serde_json::from_slice::<Value>(body).ok().and_then(|v| {
            let e = v.get("error")?;
            Some((
                e.get("code")?.as_str()?.to_string(),
                e.get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            ))
        });
    match parsed {
        Some((code, message)) if message.is_empty() => code,
        Some((code, message)) => format!("{code}: {}", one_line(&message)),
        None => status
            .canonical_reason()
            .unwrap_or("unexpected status")
            .to_string(),
    }
}

fn one_line(s: &str) -> String {
    let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s
    }
}

/// A transport error in words: timeout, connection refused, reset.
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "connection failed"
    };
    // The innermost cause says what really happened (refused, reset); reqwest's own
    // message repeats the URL, which the error already names.
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    let mut last = None;
    while let Some(s) = source {
        last = Some(s.to_string());
        source = s.source();
    }
    match last {
        Some(cause) => format!("{kind}: {cause}"),
        None => kind.to_string(),
    }
}

/// The URL without its query (page tokens are long and say nothing to a user).
fn strip_query(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links_must_stay_on_the_endpoint() {
        let arm = Arm::new("https://management.azure.com".into()).unwrap();
        arm.check_same_origin("https://management.azure.com/subscriptions/x?$skiptoken=1")
            .unwrap();
        for other in [
            "https://evil.example/subscriptions/x",
            "http://management.azure.com/x",
            "https://management.azure.com:8443/x",
            "not a url",
        ] {
            assert!(arm.check_same_origin(other).is_err(), "{other}");
        }
    }

    #[test]
    fn backoff_grows_and_is_bounded() {
        for attempt in 0..10 {
            let d = backoff(attempt);
            assert!(d <= MAX_BACKOFF, "{d:?}");
            assert!(d >= BASE_BACKOFF / 2, "{d:?}");
        }
        assert!(backoff(3) >= BASE_BACKOFF * 4);
    }

    #[test]
    fn retry_after_forms() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "2".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("x-ms-retry-after-ms", "150".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_millis(150)));
    }

    #[test]
    fn arm_errors_read_code_and_message() {
        let body = br#"{"error":{"code":"AuthorizationFailed","message":"no\naccess"}}"#;
        assert_eq!(
            arm_error(StatusCode::FORBIDDEN, body),
            "AuthorizationFailed: no access"
        );
        assert_eq!(arm_error(StatusCode::BAD_GATEWAY, b"<html>"), "Bad Gateway");
    }
}
