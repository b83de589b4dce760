//! Sending one Graph request: authentication, retries of what is safe to retry
//! until the operation's deadline, replication lag as the request's policy says, and
//! logs without secrets. Knows nothing of batching or caches.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};

use super::auth::{CachedCredential, TokenCredential};
use super::consistency::{GONE_AFTER, REPLICATION_WINDOW, RecentWrites};
use super::error::{GraphError, parse_api_error};
use super::request::{Call, Outcome, Policy, Reply};
use super::retry::{backoff, is_retryable_status, may_resend, retry_after};

/// The HTTP side of the Graph client.
#[derive(Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    base: String,
    credential: CachedCredential,
    recent: RecentWrites,
    /// HTTP requests sent to Graph (tokens not included).
    sent: std::sync::atomic::AtomicU64,
}

impl Transport {
    /// Requests to `{endpoint}/v1.0`, authenticated by `credential`.
    pub(crate) fn new(
        http: reqwest::Client,
        endpoint: &str,
        credential: std::sync::Arc<dyn TokenCredential>,
    ) -> Transport {
        let endpoint = endpoint.trim_end_matches('/');
        Transport {
            http,
            base: format!("{endpoint}/v1.0"),
            credential: CachedCredential::new(credential, format!("{endpoint}/.default")),
            recent: RecentWrites::default(),
            sent: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// How many HTTP requests this transport has sent to Graph.
    pub(crate) fn requests_sent(&self) -> u64 {
        self.sent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Obtains a token now (it is cached for later requests): proves the credentials.
    pub(crate) async fn authenticate(&self) -> Result<(), GraphError> {
        self.credential
            .token()
            .await
            .map(|_| ())
            .map_err(|e| GraphError::Auth(e.0))
    }

    /// The versioned base URL, e.g. `https://graph.microsoft.com/v1.0`.
    pub(crate) fn base_url(&self) -> &str {
        &self.base
    }

    /// What this process created and deleted moments ago.
    pub(crate) fn recent(&self) -> &RecentWrites {
        &self.recent
    }

    /// Records that `id` was created or changed `ago` (by this provider, in an earlier
    /// run): within the replication window its 404s may still be lag.
    pub(crate) fn note_changed(&self, id: &str, ago: Duration) {
        if ago < REPLICATION_WINDOW {
            self.recent.created_ago(id, ago);
        }
    }

    /// A next link as a path below our base URL. Links elsewhere are refused, so
    /// the token is never sent to another host.
    pub(crate) fn relative(&self, link: &str) -> Result<String, GraphError> {
        link.strip_prefix(&self.base)
            .map(ToOwned::to_owned)
            .ok_or_else(|| {
                GraphError::Decode(format!(
                    "Graph returned a next link outside {}: {link}",
                    self.base
                ))
            })
    }

    /// Sends one Graph request, retrying until `call.deadline`: throttling (after
    /// Retry-After) and transient errors when resending is safe, one token refresh on
    /// 401, and what `policy` says is replication lag.
    pub(crate) async fn send(
        &self,
        call: &Call,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
        policy: &Policy,
    ) -> Result<Reply, GraphError> {
        self.send_with(call, method, path, body, policy)
            .await
            .result
    }

    /// [`Transport::send`], saying also whether the request was sent again after an
    /// ambiguous failure (so an "already exists" may be its own earlier success).
    pub(crate) async fn send_with(
        &self,
        call: &Call,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
        policy: &Policy,
    ) -> Outcome {
        let url = format!("{}{path}", self.base);
        let mut attempts: u32 = 0;
        let mut refreshed_token = false;
        let mut resent = false;
        let mut waiting_for_replication = false;
        // A 404 about an object of ours lasting this long is absence, not lag.
        let mut own_lag_since: Option<Instant> = None;
        loop {
            attempts += 1;
            let (wait, error) = match self.send_once(&method, &url, path, body).await {
                Ok(reply) => return Outcome::of(Ok(reply), resent),
                Err(Failure::Status {
                    status,
                    headers,
                    error,
                }) => {
                    if status == StatusCode::UNAUTHORIZED && !refreshed_token {
                        refreshed_token = true;
                        self.credential.invalidate().await;
                        (Duration::ZERO, error)
                    } else if self.is_lag(policy, &error)
                        && !(self.only_own_lag(policy, &error)
                            && own_lag_since.get_or_insert_with(Instant::now).elapsed()
                                >= GONE_AFTER)
                    {
                        if !waiting_for_replication {
                            waiting_for_replication = true;
                            tracing::info!(
                                %method,
                                path,
                                answer = %error,
                                "waiting for replication: Graph does not see an object it refers to yet"
                            );
                        }
                        (
                            retry_after(&headers).unwrap_or_else(|| backoff(attempts)),
                            error,
                        )
                    } else if is_retryable_status(status)
                        && (policy.resendable || may_resend(&method, Some(status)))
                    {
                        resent |= status.is_server_error();
                        (
                            retry_after(&headers).unwrap_or_else(|| backoff(attempts)),
                            error,
                        )
                    } else {
                        return Outcome::of(Err(error), resent);
                    }
                }
                Err(Failure::Transport {
                    error,
                    before_sending,
                }) => {
                    if before_sending || policy.resendable || may_resend(&method, None) {
                        resent |= !before_sending;
                        (backoff(attempts), error)
                    } else {
                        return Outcome::of(Err(error), resent);
                    }
                }
                Err(Failure::Fatal(error)) => return Outcome::of(Err(error), resent),
            };
            if Instant::now() + wait > call.deadline {
                let error = GraphError::Timeout {
                    attempts,
                    last: Box::new(error),
                };
                return Outcome::of(Err(error), resent);
            }
            tracing::debug!(%method, path, attempts, wait_ms = wait.as_millis() as u64, error = %error, "retrying Graph request");
            if error.status() == Some(429) {
                super::waits::note_throttled();
            }
            // Waiting for our own new objects to replicate is the ordinary cost of a
            // write; throttling, errors and others' objects count towards a report.
            let routine = self.is_lag(policy, &error) && self.only_own_lag(policy, &error);
            let _waiting = (!wait.is_zero() && !routine).then(super::waits::waiting);
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = call.cancel.cancelled() => {
                    return Outcome::of(Err(GraphError::Cancelled), resent);
                }
            }
        }
    }

    /// Whether `error` counts as lag only because it is a 404 about an object of ours
    /// (not a reference to someone else's): such lag is bounded by `GONE_AFTER`.
    pub(crate) fn only_own_lag(&self, policy: &Policy, error: &GraphError) -> bool {
        !(policy.references && is_unseen_reference(error))
    }

    /// Whether `error` is replication lag under `policy`.
    pub(crate) fn is_lag(&self, policy: &Policy, error: &GraphError) -> bool {
        let refers_to_fresh = !policy.fresh_ids.is_empty()
            && self
                .recent
                .any_fresh(policy.fresh_ids.iter().map(String::as_str));
        (policy.references && is_unseen_reference(error))
            || (refers_to_fresh && (error.is_not_found() || is_invalid_reference(error)))
    }

    async fn send_once(
        &self,
        method: &Method,
        url: &str,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Reply, Failure> {
        let token = self
            .credential
            .token()
            .await
            .map_err(|e| Failure::Fatal(GraphError::Auth(e.0)))?;
        let mut request = self
            .http
            .request(method.clone(), url)
            .bearer_auth(token.expose())
            .header("client-request-id", uuid::Uuid::new_v4().to_string());
        if let Some(body) = body {
            request = request.json(body);
        }
        let started = Instant::now();
        self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let response = request.send().await.map_err(|e| Failure::Transport {
            before_sending: e.is_connect(),
            error: GraphError::Transport {
                url: url.to_owned(),
                message: error_chain(&e),
            },
        })?;
        let status = response.status();
        let headers = response.headers().clone();
        let request_id = header_string(&headers, "request-id");
        let body = response.bytes().await.map_err(|e| Failure::Transport {
            before_sending: false,
            error: GraphError::Transport {
                url: url.to_owned(),
                message: error_chain(&e),
            },
        })?;
        tracing::debug!(
            %method,
            path,
            status = status.as_u16(),
            duration_ms = started.elapsed().as_secs_f64() * 1000.0,
            request_id = request_id.as_deref().unwrap_or(""),
            "graph request"
        );
        if status.is_success() {
            return Ok(Reply {
                status,
                body: body.to_vec(),
            });
        }
        let error = GraphError::Api(parse_api_error(status.as_u16(), request_id, &body));
        Err(Failure::Status {
            status,
            headers,
            error,
        })
    }
}

enum Failure {
    Status {
        status: StatusCode,
        headers: HeaderMap,
        error: GraphError,
    },
    Transport {
        error: GraphError,
        before_sending: bool,
    },
    Fatal(GraphError),
}

/// A failure after which the request may or may not have been carried out.
pub(crate) fn is_ambiguous(error: &GraphError) -> bool {
    matches!(error.status(), Some(500 | 502 | 503 | 504))
        || matches!(error, GraphError::Transport { .. })
}

/// Graph's answer when a reference names an object it cannot see yet (replication lag).
fn is_invalid_reference(error: &GraphError) -> bool {
    error.status() == Some(400)
        && error
            .api()
            .is_some_and(|a| a.message.to_ascii_lowercase().contains("valid reference"))
}

/// What Graph answers a write whose referenced objects it does not see (yet): a 404
/// or `Request_ResourceNotFound`, or "not a valid reference update".
fn is_unseen_reference(error: &GraphError) -> bool {
    error.is_not_found()
        || is_invalid_reference(error)
        || error
            .api()
            .is_some_and(|a| a.code.eq_ignore_ascii_case("Request_ResourceNotFound"))
}

fn header_string(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .map(ToOwned::to_owned)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
