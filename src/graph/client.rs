//! The Graph HTTP client. Every request goes through [`GraphClient::send`], which
//! authenticates, retries what is safe to retry until the operation's deadline,
//! treats 404s on just-created objects as replication lag, and logs without secrets.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

use super::auth::{CachedCredential, TokenCredential};
use super::batch::{Batcher, Outcome};
use super::coalesce::Coalesced;
use super::consistency::RecentWrites;
use super::error::{GraphError, parse_api_error};
use super::models::{Page, RoleAssignment, RoleDefinition};
use super::retry::{backoff, is_retryable_status, may_resend, retry_after};

/// The context of one provider operation: its deadline, the stop signal, and how
/// many operations are in flight (to know when a batch can go).
#[derive(Debug, Clone)]
pub struct Call {
    /// Retries stop here.
    pub deadline: Instant,
    /// Cancelled on StopProvider.
    pub cancel: CancellationToken,
    /// Operations in flight, when the caller counts them.
    pub in_flight: Option<Arc<AtomicUsize>>,
}

impl Call {
    /// An operation that may take up to `timeout`.
    pub fn new(timeout: Duration, cancel: CancellationToken) -> Call {
        Call {
            deadline: Instant::now() + timeout,
            cancel,
            in_flight: None,
        }
    }

    /// This call, aware of how many operations are in flight.
    pub fn counting(mut self, in_flight: Arc<AtomicUsize>) -> Call {
        self.in_flight = Some(in_flight);
        self
    }
}

/// How to reach Graph.
#[derive(Debug, Clone)]
pub struct GraphClientOptions {
    /// E.g. `https://graph.microsoft.com` (no version segment).
    pub graph_endpoint: String,
    /// The `User-Agent` header (already set on the HTTP client; kept for logs).
    pub user_agent: String,
    /// Share listings between reads and send concurrent writes as `$batch`
    /// (`ENTRA_COALESCE=off` turns it off, for comparison).
    pub coalesce: bool,
}

/// A Microsoft Graph v1.0 client.
#[derive(Debug)]
pub struct GraphClient {
    http: reqwest::Client,
    base: String,
    credential: CachedCredential,
    recent: RecentWrites,
    /// Membership type of AUs, for plan-time checks (one fetch per AU per process).
    pub(crate) au_kinds: Coalesced<String, Option<String>>,
    /// Role definitions by id (they rarely change; one fetch per process).
    pub(crate) role_definitions: Coalesced<String, RoleDefinition>,
    /// Each AU's members (id → type), listed once and kept current by our writes.
    pub(crate) au_members: Coalesced<String, MemberIndex>,
    /// Each AU's role assignments, listed once and kept current by our writes.
    pub(crate) au_assignments: Coalesced<String, AssignmentIndex>,
    pub(crate) batcher: Batcher,
    /// Graph refused a role assignment filter on `directoryScopeId` alone.
    pub(crate) scope_filter_refused: std::sync::atomic::AtomicBool,
    coalesce: bool,
}

/// Member id → member type (`user`, `group`, `device`; `None` when Graph did not say).
pub(crate) type MemberIndex =
    Arc<std::sync::Mutex<std::collections::HashMap<String, Option<String>>>>;
/// Role assignments at one scope, by id.
pub(crate) type AssignmentIndex =
    Arc<std::sync::Mutex<std::collections::HashMap<String, RoleAssignment>>>;

/// A successful response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Vec<u8>,
}

/// How one request treats failures that may be replication lag or may have happened.
#[derive(Debug, Clone, Default)]
pub(crate) struct Policy {
    /// Objects this process created moments ago that the request reads or addresses:
    /// a 404 about them is replication lag, not absence.
    pub(crate) fresh_ids: Vec<String>,
    /// The request refers to other objects (a `$ref`, a principal, a scope), whoever
    /// created them: a 404, `Request_ResourceNotFound` or "not a valid reference"
    /// answer is replication lag and is retried until the deadline.
    pub(crate) references: bool,
    /// The caller copes with a request that may have run already (e.g. it treats
    /// "already exists" after an ambiguous failure as its own success), so 5xx and
    /// lost connections are retried too.
    pub(crate) resendable: bool,
}

impl Policy {
    /// 404s about `ids` (created by this process moments ago) are lag.
    pub(crate) fn fresh(ids: &[&str]) -> Policy {
        Policy {
            fresh_ids: ids.iter().map(|id| (*id).to_owned()).collect(),
            ..Policy::default()
        }
    }

    /// A write referring to other objects; safe to resend.
    pub(crate) fn referencing() -> Policy {
        Policy {
            references: true,
            resendable: true,
            ..Policy::default()
        }
    }
}

impl GraphClient {
    /// A client for `options.graph_endpoint` authenticating with `credential`.
    pub fn new(
        http: reqwest::Client,
        options: &GraphClientOptions,
        credential: Arc<dyn TokenCredential>,
    ) -> GraphClient {
        let endpoint = options.graph_endpoint.trim_end_matches('/');
        GraphClient {
            http,
            base: format!("{endpoint}/v1.0"),
            credential: CachedCredential::new(credential, format!("{endpoint}/.default")),
            recent: RecentWrites::default(),
            au_kinds: Coalesced::new(Duration::from_secs(60)),
            role_definitions: Coalesced::new(Duration::from_secs(300)),
            au_members: Coalesced::new(Duration::from_secs(120)),
            au_assignments: Coalesced::new(Duration::from_secs(120)),
            batcher: Batcher::default(),
            scope_filter_refused: std::sync::atomic::AtomicBool::new(false),
            coalesce: options.coalesce,
        }
    }

    /// A reqwest client with the provider's defaults.
    pub fn http_client(user_agent: &str) -> Result<reqwest::Client, GraphError> {
        reqwest::Client::builder()
            .user_agent(user_agent)
            .connect_timeout(Duration::from_secs(30))
            .timeout(Duration::from_secs(120))
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| GraphError::Transport {
                url: String::new(),
                message: e.to_string(),
            })
    }

    /// Obtains a token now (it is cached for later requests): proves the credentials.
    pub async fn authenticate(&self) -> Result<(), GraphError> {
        self.credential
            .token()
            .await
            .map(|_| ())
            .map_err(|e| GraphError::Auth(e.0))
    }

    /// The versioned base URL, e.g. `https://graph.microsoft.com/v1.0`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Records that this process created object `id` (its 404s are lag for a while).
    pub(crate) fn note_created(&self, id: &str) {
        self.recent.created(id);
    }

    /// Records that `id` was created or changed `ago` (by this provider, in an earlier
    /// run): within the replication window its 404s may still be lag.
    pub fn note_changed(&self, id: &str, ago: Duration) {
        if ago < super::consistency::REPLICATION_WINDOW {
            self.recent.created_ago(id, ago);
        }
    }

    /// Records that this process deleted object `id` (lists may show it for a while).
    pub(crate) fn note_deleted(&self, id: &str) {
        self.recent.deleted(id);
    }

    /// Whether this process deleted object `id` moments ago.
    pub fn recently_deleted(&self, id: &str) -> bool {
        self.recent.was_deleted(id)
    }

    /// Whether any of `ids` was created by this process moments ago.
    pub fn recently_created<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> bool {
        self.recent.any_fresh(ids)
    }

    /// Whether reads share listings and writes are batched.
    pub fn coalescing(&self) -> bool {
        self.coalesce
    }

    /// `GET path` decoded as `T`. 404s about `fresh_ids` just created are retried.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        call: &Call,
        path: &str,
        fresh_ids: &[&str],
    ) -> Result<T, GraphError> {
        let reply = self
            .send(call, Method::GET, path, None, &Policy::fresh(fresh_ids))
            .await?;
        decode(&reply)
    }

    /// Every item of a collection, following `@odata.nextLink` until the last page.
    pub(crate) async fn list<T: DeserializeOwned>(
        &self,
        call: &Call,
        path: &str,
        fresh_ids: &[&str],
    ) -> Result<Vec<T>, GraphError> {
        let mut items = Vec::new();
        let mut next = Some(path.to_owned());
        while let Some(page_path) = next.take() {
            let page: Page<T> = self.get(call, &page_path, fresh_ids).await?;
            items.extend(page.value);
            next = match page.next_link {
                Some(link) => Some(self.relative(&link)?),
                None => None,
            };
        }
        Ok(items)
    }

    /// `POST path` creating an object, safe to retry. Graph cannot say whether a
    /// create that failed ambiguously (5xx, connection lost after sending) happened, so
    /// `recognise` first looks for what that attempt may have made, and only when it
    /// finds nothing is the request sent again (until the deadline). `recognise` must
    /// only ever find the caller's own object (by a marker only this create used, or
    /// after the caller proved nothing matching existed before), never a sibling's.
    /// The flag says whether an ambiguous attempt happened: a later "already exists"
    /// may then be this create's own success.
    pub(crate) async fn create_once<T, F, Fut>(
        &self,
        call: &Call,
        path: &str,
        body: &serde_json::Value,
        policy: &Policy,
        recognise: F,
    ) -> (Result<T, GraphError>, bool)
    where
        T: DeserializeOwned,
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Option<T>, GraphError>>,
    {
        let single = Policy {
            resendable: false,
            ..policy.clone()
        };
        let mut attempts = 0u32;
        let mut ambiguous = false;
        loop {
            attempts += 1;
            let outcome = self
                .send_with(call, Method::POST, path, Some(body), &single)
                .await;
            ambiguous |= outcome.resent;
            let error = match outcome.result {
                Ok(reply) => return (decode(&reply), ambiguous),
                Err(e) => e,
            };
            if !is_ambiguous(&error) || Instant::now() >= call.deadline {
                return (Err(error), ambiguous);
            }
            ambiguous = true;
            match recognise().await {
                Ok(Some(made)) => {
                    tracing::info!(
                        path,
                        attempts,
                        "a create that failed ambiguously had happened; using its result"
                    );
                    return (Ok(made), true);
                }
                Ok(None) => {}
                Err(e) => return (Err(e), true),
            }
            tracing::debug!(path, attempts, error = %error, "create failed before it happened; sending again");
            tokio::select! {
                () = tokio::time::sleep(backoff(attempts)) => {}
                () = call.cancel.cancelled() => return (Err(GraphError::Cancelled), true),
            }
        }
    }

    /// `PATCH path` with a JSON body.
    pub(crate) async fn patch(
        &self,
        call: &Call,
        path: &str,
        body: &serde_json::Value,
        fresh_ids: &[&str],
    ) -> Result<(), GraphError> {
        self.send(
            call,
            Method::PATCH,
            path,
            Some(body),
            &Policy::fresh(fresh_ids),
        )
        .await
        .map(|_| ())
    }

    /// `DELETE path`.
    pub(crate) async fn delete(
        &self,
        call: &Call,
        path: &str,
        fresh_ids: &[&str],
    ) -> Result<(), GraphError> {
        self.send(call, Method::DELETE, path, None, &Policy::fresh(fresh_ids))
            .await
            .map(|_| ())
    }

    /// A next link as a path below our base URL. Links elsewhere are refused, so
    /// the token is never sent to another host.
    fn relative(&self, link: &str) -> Result<String, GraphError> {
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

    /// [`GraphClient::send`], saying also whether the request was sent again after an
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
                                >= super::consistency::GONE_AFTER)
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
    fn only_own_lag(&self, policy: &Policy, error: &GraphError) -> bool {
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

pub(crate) fn decode<T: DeserializeOwned>(reply: &Reply) -> Result<T, GraphError> {
    serde_json::from_slice(&reply.body).map_err(|e| {
        GraphError::Decode(format!(
            "{} response did not parse: {e}",
            reply.status.as_u16()
        ))
    })
}

/// Percent-encodes a path segment (ids are GUIDs, but never trust input).
pub(crate) fn segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// Quotes a string for an OData `$filter` literal, doubling single quotes.
pub(crate) fn odata_string(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Percent-encodes a query parameter value.
pub(crate) fn query(text: &str) -> String {
    segment(text)
}

/// A failure after which the request may or may not have been carried out.
fn is_ambiguous(error: &GraphError) -> bool {
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
