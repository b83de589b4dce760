//! The Graph HTTP client. Every request goes through [`GraphClient::send`], which
//! authenticates, retries what is safe to retry until the operation's deadline,
//! treats 404s on just-created objects as replication lag, and logs without secrets.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

use super::auth::{CachedCredential, TokenCredential};
use super::consistency::RecentWrites;
use super::error::{GraphError, parse_api_error};
use super::models::AdministrativeUnit;
use super::retry::{backoff, is_retryable_status, may_resend, retry_after};

/// The context of one provider operation: its deadline and the stop signal.
#[derive(Debug, Clone)]
pub struct Call {
    /// Retries stop here.
    pub deadline: Instant,
    /// Cancelled on StopProvider.
    pub cancel: CancellationToken,
}

impl Call {
    /// An operation that may take up to `timeout`.
    pub fn new(timeout: Duration, cancel: CancellationToken) -> Call {
        Call {
            deadline: Instant::now() + timeout,
            cancel,
        }
    }
}

/// How to reach Graph.
#[derive(Debug, Clone)]
pub struct GraphClientOptions {
    /// E.g. `https://graph.microsoft.com` (no version segment).
    pub graph_endpoint: String,
    /// The `User-Agent` header (already set on the HTTP client; kept for logs).
    pub user_agent: String,
}

/// A Microsoft Graph v1.0 client.
#[derive(Debug)]
pub struct GraphClient {
    http: reqwest::Client,
    base: String,
    credential: CachedCredential,
    recent: RecentWrites,
}

/// A successful response.
struct Reply {
    status: StatusCode,
    body: Vec<u8>,
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

    /// `POST /directory/administrativeUnits`.
    pub async fn create_administrative_unit(
        &self,
        call: &Call,
        au: &AdministrativeUnit,
    ) -> Result<AdministrativeUnit, GraphError> {
        let body = serde_json::to_value(au).map_err(|e| GraphError::Decode(e.to_string()))?;
        let reply = self
            .send(call, Method::POST, "/directory/administrativeUnits", Some(&body), &[])
            .await?;
        let created: AdministrativeUnit = decode(&reply)?;
        if let Some(id) = &created.id {
            self.recent.created(id);
        }
        Ok(created)
    }

    /// `GET /directory/administrativeUnits/{id}`.
    pub async fn get_administrative_unit(
        &self,
        call: &Call,
        id: &str,
    ) -> Result<AdministrativeUnit, GraphError> {
        let path = format!("/directory/administrativeUnits/{}", encode_segment(id));
        let reply = self.send(call, Method::GET, &path, None, &[id]).await?;
        decode(&reply)
    }

    /// `PATCH /directory/administrativeUnits/{id}` with only the properties to change
    /// (explicit nulls clear a property).
    pub async fn update_administrative_unit(
        &self,
        call: &Call,
        id: &str,
        changes: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), GraphError> {
        let path = format!("/directory/administrativeUnits/{}", encode_segment(id));
        let body = serde_json::Value::Object(changes.clone());
        self.send(call, Method::PATCH, &path, Some(&body), &[id]).await?;
        Ok(())
    }

    /// `DELETE /directory/administrativeUnits/{id}`; an object already gone counts as deleted.
    pub async fn delete_administrative_unit(&self, call: &Call, id: &str) -> Result<(), GraphError> {
        let path = format!("/directory/administrativeUnits/{}", encode_segment(id));
        match self.send(call, Method::DELETE, &path, None, &[]).await {
            Err(e) if e.is_not_found() => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// Sends one Graph request, retrying until `call.deadline`:
    /// throttling and transient errors (when resending is safe), one token refresh
    /// on 401, and 404s about `fresh_ids` this process created moments ago.
    async fn send(
        &self,
        call: &Call,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
        fresh_ids: &[&str],
    ) -> Result<Reply, GraphError> {
        let url = format!("{}{path}", self.base);
        let mut attempts: u32 = 0;
        let mut refreshed_token = false;
        loop {
            attempts += 1;
            let outcome = self.send_once(&method, &url, path, body).await;
            let (wait, error) = match outcome {
                Ok(reply) => return Ok(reply),
                Err(Failure::Status { status, headers, error }) => {
                    if status == StatusCode::UNAUTHORIZED && !refreshed_token {
                        refreshed_token = true;
                        self.credential.invalidate().await;
                        (Duration::ZERO, error)
                    } else if status == StatusCode::NOT_FOUND && self.recent.any_fresh(fresh_ids.iter().copied()) {
                        (backoff(attempts), error)
                    } else if is_retryable_status(status) && may_resend(&method, Some(status)) {
                        (retry_after(&headers).unwrap_or_else(|| backoff(attempts)), error)
                    } else {
                        return Err(error);
                    }
                }
                Err(Failure::Transport { error, before_sending }) => {
                    if before_sending || may_resend(&method, None) {
                        (backoff(attempts), error)
                    } else {
                        return Err(error);
                    }
                }
                Err(Failure::Fatal(error)) => return Err(error),
            };
            if Instant::now() + wait > call.deadline {
                return Err(GraphError::Timeout {
                    attempts,
                    last: Box::new(error),
                });
            }
            tracing::debug!(%method, path, attempts, wait_ms = wait.as_millis() as u64, error = %error, "retrying Graph request");
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = call.cancel.cancelled() => return Err(GraphError::Cancelled),
            }
        }
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

fn decode<T: DeserializeOwned>(reply: &Reply) -> Result<T, GraphError> {
    serde_json::from_slice(&reply.body).map_err(|e| {
        GraphError::Decode(format!("{} response did not parse: {e}", reply.status.as_u16()))
    })
}

fn header_string(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(ToOwned::to_owned)
}

/// Percent-encodes a path segment (ids are GUIDs, but never trust input).
fn encode_segment(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
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
