//! The Graph client: one method per Graph operation (in the files beside this one),
//! over a [`Transport`] that sends and retries and a [`Batcher`] that gathers
//! concurrent writes into `$batch` requests, with the per-process caches reads share.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde::de::DeserializeOwned;

use super::auth::TokenCredential;
use super::batch::{Batcher, Request};
use super::coalesce::Coalesced;
use super::error::GraphError;
use super::models::{Page, RoleAssignment, RoleDefinition};
use super::request::{Call, Outcome, Policy, Reply, decode};
use super::retry::backoff;
use super::transport::{Transport, is_ambiguous};

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
    transport: Transport,
    batcher: Batcher,
    /// Membership type of AUs, for plan-time checks (one fetch per AU per process).
    pub(crate) au_kinds: Coalesced<String, Option<String>>,
    /// Role definitions by id (they rarely change; one fetch per process).
    pub(crate) role_definitions: Coalesced<String, RoleDefinition>,
    /// Each AU's members (id → type), listed once and kept current by our writes.
    pub(crate) au_members: Coalesced<String, MemberIndex>,
    /// Each AU's role assignments, listed once and kept current by our writes.
    pub(crate) au_assignments: Coalesced<String, AssignmentIndex>,
    /// Graph refused a role assignment filter on `directoryScopeId` alone.
    pub(crate) scope_filter_refused: std::sync::atomic::AtomicBool,
    /// Units this process named moments ago: id (lower case) → (name, when).
    pub(crate) recent_names: std::sync::Mutex<std::collections::HashMap<String, (String, Instant)>>,
    /// Whether the tenant has Entra ID P1 or P2 (`None`: its SKUs could not be read).
    pub(crate) premium: tokio::sync::OnceCell<Option<bool>>,
    coalesce: bool,
}

/// Member id → member type (`user`, `group`, `device`; `None` when Graph did not say).
pub(crate) type MemberIndex =
    Arc<std::sync::Mutex<std::collections::HashMap<String, Option<String>>>>;
/// Role assignments at one scope, by id.
pub(crate) type AssignmentIndex =
    Arc<std::sync::Mutex<std::collections::HashMap<String, RoleAssignment>>>;

impl GraphClient {
    /// A client for `options.graph_endpoint` authenticating with `credential`.
    pub fn new(
        http: reqwest::Client,
        options: &GraphClientOptions,
        credential: Arc<dyn TokenCredential>,
    ) -> GraphClient {
        GraphClient {
            transport: Transport::new(http, &options.graph_endpoint, credential),
            batcher: Batcher::default(),
            au_kinds: Coalesced::new(Duration::from_secs(60)),
            role_definitions: Coalesced::new(Duration::from_secs(300)),
            au_members: Coalesced::new(Duration::from_secs(120)),
            au_assignments: Coalesced::new(Duration::from_secs(120)),
            scope_filter_refused: std::sync::atomic::AtomicBool::new(false),
            recent_names: std::sync::Mutex::default(),
            premium: tokio::sync::OnceCell::new(),
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
        self.transport.authenticate().await
    }

    /// The versioned base URL, e.g. `https://graph.microsoft.com/v1.0`.
    pub fn base_url(&self) -> &str {
        self.transport.base_url()
    }

    /// Records that this process created object `id` (its 404s are lag for a while).
    pub(crate) fn note_created(&self, id: &str) {
        self.transport.recent().created(id);
    }

    /// Records that `id` was created or changed `ago` (by this provider, in an earlier
    /// run): within the replication window its 404s may still be lag.
    pub fn note_changed(&self, id: &str, ago: Duration) {
        self.transport.note_changed(id, ago);
    }

    /// Records that this process deleted object `id` (lists may show it for a while).
    pub(crate) fn note_deleted(&self, id: &str) {
        self.transport.recent().deleted(id);
    }

    /// Whether this process deleted object `id` moments ago.
    pub fn recently_deleted(&self, id: &str) -> bool {
        self.transport.recent().was_deleted(id)
    }

    /// Whether any of `ids` was created by this process moments ago.
    pub fn recently_created<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> bool {
        self.transport.recent().any_fresh(ids)
    }

    /// A next link as a path below the versioned base.
    pub(crate) fn relative_link(&self, link: &str) -> Result<String, GraphError> {
        self.transport.relative(link)
    }

    /// How many HTTP requests this client has sent to Graph (tokens not included).
    pub fn requests_sent(&self) -> u64 {
        self.transport.requests_sent()
    }

    /// Whether reads share listings and writes are batched.
    pub fn coalescing(&self) -> bool {
        self.coalesce
    }

    /// Sends `request`, in a `$batch` with concurrent requests when coalescing is on.
    pub(crate) async fn send_batched(&self, call: &Call, request: Request) -> Outcome {
        if self.coalesce {
            self.batcher.send(&self.transport, call, request).await
        } else {
            Batcher::send_alone(&self.transport, call, &request, false).await
        }
    }

    /// Sends every request in `$batch` rounds (see [`super::bulk`]); outcomes in order.
    pub(crate) async fn send_all(&self, call: &Call, requests: Vec<Request>) -> Vec<Outcome> {
        super::bulk::send_all(&self.transport, call, requests).await
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
                Some(link) => Some(self.transport.relative(&link)?),
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
                .transport
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
            let _waiting = super::waits::waiting();
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

    /// One request, retried as `policy` says (see [`Transport::send`]).
    pub(crate) async fn send(
        &self,
        call: &Call,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
        policy: &Policy,
    ) -> Result<Reply, GraphError> {
        self.transport.send(call, method, path, body, policy).await
    }
}
