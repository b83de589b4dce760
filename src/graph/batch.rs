//! JSON batching: requests issued concurrently are gathered for a few milliseconds
//! and sent as one `POST /$batch` of up to 20. Each item's answer goes back to its
//! own caller; throttled (after their own Retry-After), failed or missing items are
//! resent individually, so one item's failure never fails or loses another's.
//! Requests that also want to know an object's type share one
//! `directoryObjects/getByIds` item in the same batch.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::{Notify, oneshot};

use super::error::{GraphError, parse_api_error};
use super::request::{Call, Outcome, Policy, Reply};
use super::retry::retry_after_value;
use super::transport::Transport;

/// Graph's limit of requests in one batch.
pub(crate) const MAX_BATCH: usize = 20;
/// When a batch goes: as soon as it is full; or when every operation in flight is
/// waiting on a batch and either concurrency is at its recent peak (Terraform is
/// held by its parallelism limit, nobody else can come) or nothing has joined for
/// [`QUIET`] (Terraform has free slots but nothing more to send: the end of a walk,
/// or a dependency); and at the latest after
/// [`MAX_GATHER`]. While Terraform dispatches slower than Graph answers, waiting for
/// a fuller batch costs no wall time.
const MAX_GATHER: Duration = Duration::from_millis(300);
const QUIET: Duration = Duration::from_millis(100);
/// The at-peak rule waits this long first, so a ramping-up walk can fill the batch.
const MIN_GATHER: Duration = Duration::from_millis(15);
/// How long a concurrency peak is remembered.
const PEAK_MEMORY: Duration = Duration::from_secs(30);

/// One request to send, possibly in a batch.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) method: Method,
    /// Path below the versioned base, e.g. `/directory/administrativeUnits/{id}`.
    pub(crate) path: String,
    pub(crate) body: Option<serde_json::Value>,
    /// Retries and replication lag.
    pub(crate) policy: Policy,
    /// An object whose type (`user`, `group`, `device`) the caller wants to learn too.
    pub(crate) type_of: Option<String>,
}

type Waiting = (Request, oneshot::Sender<Outcome>);

/// The queue of requests waiting to be batched.
#[derive(Debug, Default)]
pub(crate) struct Batcher {
    queue: Mutex<Vec<Waiting>>,
    /// Callers waiting for a batched answer (queued or being sent).
    waiting: AtomicUsize,
    joined: Notify,
    /// The most operations seen in flight recently, and when.
    peak: Mutex<(usize, Option<std::time::Instant>)>,
    /// When a request last joined the queue.
    last_join: Mutex<Option<std::time::Instant>>,
    /// `getByIds` answered 403 (it needs Directory.Read.All): types are then read one
    /// by one from the unit's member endpoint instead.
    types_forbidden: std::sync::atomic::AtomicBool,
}

impl Batcher {
    /// Queues a request; true when the caller found the queue empty and must lead.
    fn enqueue(&self, waiting: Waiting) -> bool {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        queue.push(waiting);
        self.waiting.fetch_add(1, Ordering::SeqCst);
        *self
            .last_join
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(std::time::Instant::now());
        self.joined.notify_waiters();
        queue.len() == 1
    }

    fn queued(&self) -> usize {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// The recent peak of operations in flight, updated with `now_in_flight`.
    fn recent_peak(&self, now_in_flight: usize) -> usize {
        let mut peak = self.peak.lock().unwrap_or_else(PoisonError::into_inner);
        let fresh = peak.1.is_some_and(|at| at.elapsed() < PEAK_MEMORY);
        if !fresh || now_in_flight >= peak.0 {
            *peak = (now_in_flight, Some(std::time::Instant::now()));
        }
        peak.0
    }

    /// Whether the batch should go now rather than wait for more requests.
    fn ready(&self, call: &Call, gathering_for: Duration) -> bool {
        if self.queued() >= MAX_BATCH {
            return true;
        }
        let Some(in_flight) = call.in_flight.as_ref().map(|n| n.load(Ordering::SeqCst)) else {
            return false;
        };
        if self.waiting.load(Ordering::SeqCst) < in_flight {
            return false;
        }
        let at_peak = in_flight >= self.recent_peak(in_flight) && gathering_for >= MIN_GATHER;
        let quiet = self
            .last_join
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none_or(|at| at.elapsed() >= QUIET);
        at_peak || quiet
    }

    /// Takes up to one batch (leaving a slot for the type lookup when a request wants
    /// one); also says whether requests remain queued (their leader is whoever took
    /// this batch: they arrived while the queue was not empty).
    fn take(&self) -> (Vec<Waiting>, bool) {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        let typed = self.looks_up_types()
            && queue
                .iter()
                .take(MAX_BATCH - 1)
                .any(|(r, _)| r.type_of.is_some());
        let limit = if typed { MAX_BATCH - 1 } else { MAX_BATCH };
        let n = queue.len().min(limit);
        let batch = queue.drain(..n).collect();
        (batch, !queue.is_empty())
    }

    fn looks_up_types(&self) -> bool {
        !self.types_forbidden.load(Ordering::SeqCst)
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct BatchResponse {
    #[serde(default)]
    pub(super) responses: Vec<ItemResponse>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ItemResponse {
    pub(super) id: String,
    pub(super) status: u16,
    #[serde(default)]
    pub(super) body: Option<serde_json::Value>,
    #[serde(default)]
    pub(super) headers: Option<serde_json::Map<String, serde_json::Value>>,
}

impl Batcher {
    /// Sends `request` in a `$batch` with the requests that join it.
    pub(crate) async fn send(
        &self,
        transport: &Transport,
        call: &Call,
        request: Request,
    ) -> Outcome {
        let (tx, rx) = oneshot::channel();
        let lead = self.enqueue((request.clone(), tx));
        if lead {
            self.lead(transport, call).await;
        }
        let answer = rx.await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        match answer {
            Ok(outcome) => outcome,
            // The leader went away before answering: send it ourselves.
            Err(_) => Self::send_alone(transport, call, &request, true).await,
        }
    }

    /// Sends `request` on its own.
    pub(crate) async fn send_alone(
        transport: &Transport,
        call: &Call,
        request: &Request,
        resent: bool,
    ) -> Outcome {
        let outcome = transport
            .send_with(
                call,
                request.method.clone(),
                &request.path,
                request.body.as_ref(),
                &request.policy,
            )
            .await;
        Outcome::of(outcome.result, resent || outcome.resent)
    }

    /// Gathers a batch (until ready or the gather time is up) and sends it; goes on
    /// for any requests left queued behind a full batch.
    async fn lead(&self, transport: &Transport, call: &Call) {
        loop {
            let started = tokio::time::Instant::now();
            let until = started + MAX_GATHER;
            while !self.ready(call, started.elapsed()) && tokio::time::Instant::now() < until {
                let joined = self.joined.notified();
                let tick = until.min(tokio::time::Instant::now() + Duration::from_millis(2));
                let _ = tokio::time::timeout_at(tick, joined).await;
            }
            let (items, more) = self.take();
            tracing::debug!(
                size = items.len(),
                waited_ms = started.elapsed().as_secs_f64() * 1000.0,
                in_flight = call
                    .in_flight
                    .as_ref()
                    .map_or(0, |n| n.load(Ordering::SeqCst)),
                waiting = self.waiting.load(Ordering::SeqCst),
                "sending a batch"
            );
            let wants_types =
                self.looks_up_types() && items.iter().any(|(r, _)| r.type_of.is_some());
            if items.len() == 1 && !wants_types {
                for (request, tx) in items {
                    let outcome = Self::send_alone(transport, call, &request, false).await;
                    let _ = tx.send(outcome);
                }
            } else if !items.is_empty() {
                self.send_batch(transport, call, items, wants_types).await;
            }
            if !more {
                return;
            }
        }
    }

    async fn send_batch(
        &self,
        transport: &Transport,
        call: &Call,
        items: Vec<Waiting>,
        wants_types: bool,
    ) {
        let mut requests: Vec<serde_json::Value> = items
            .iter()
            .enumerate()
            .map(|(i, (r, _))| {
                let mut item =
                    json!({"id": (i + 1).to_string(), "method": r.method.as_str(), "url": r.path});
                if let Some(body) = &r.body {
                    item["body"] = body.clone();
                    item["headers"] = json!({"Content-Type": "application/json"});
                }
                item
            })
            .collect();
        if wants_types {
            let ids: Vec<&str> = items
                .iter()
                .filter_map(|(r, _)| r.type_of.as_deref())
                .collect();
            requests.push(json!({
                "id": TYPES_ITEM,
                "method": "POST",
                "url": "/directoryObjects/getByIds",
                "headers": {"Content-Type": "application/json"},
                "body": {"ids": ids, "types": ["user", "group", "device"]},
            }));
        }
        let count = requests.len();
        let sent = transport
            .send(
                call,
                Method::POST,
                "/$batch",
                Some(&json!({ "requests": requests })),
                &Policy::default(),
            )
            .await;
        let parsed = sent.and_then(|reply| {
            serde_json::from_slice::<BatchResponse>(&reply.body)
                .map_err(|e| GraphError::Decode(format!("$batch response did not parse: {e}")))
        });
        let mut responses = match parsed {
            Ok(batch) => batch.responses,
            Err(e) => {
                // The batch as a whole failed; some items may have run. Send each alone.
                tracing::debug!(error = %e, count, "$batch failed; sending its items one by one");
                Vec::new()
            }
        };
        let kinds = self.types_from(&mut responses);
        let mut resend = Vec::new();
        for (i, (request, tx)) in items.into_iter().enumerate() {
            let id = (i + 1).to_string();
            let answer = responses
                .iter()
                .position(|r| r.id == id)
                .map(|p| responses.swap_remove(p));
            let kind = request
                .type_of
                .as_ref()
                .and_then(|member| kinds.get(&member.to_ascii_lowercase()).cloned());
            match answer {
                Some(item) if (200..300).contains(&item.status) => {
                    let reply = Reply {
                        status: reqwest::StatusCode::from_u16(item.status)
                            .unwrap_or(reqwest::StatusCode::OK),
                        body: item_body(item.body),
                    };
                    let _ = tx.send(Outcome {
                        result: Ok(reply),
                        resent: false,
                        kind,
                    });
                }
                Some(item) => {
                    let request_id = item_header(&item, "request-id");
                    let wait = item_header(&item, "retry-after")
                        .and_then(|v| retry_after_value(&v))
                        .filter(|_| matches!(item.status, 429 | 503));
                    let status = item.status;
                    if status == 429 {
                        super::waits::note_throttled();
                    }
                    let body = item_body(item.body);
                    let error = GraphError::Api(parse_api_error(status, request_id, &body));
                    if Self::worth_resending(transport, &request, &error) {
                        resend.push((request, tx, status >= 500, wait));
                    } else {
                        let _ = tx.send(Outcome::of(Err(error), false));
                    }
                }
                None => resend.push((request, tx, true, None)),
            }
        }
        let resends = resend
            .into_iter()
            .map(|(request, tx, ambiguous, wait)| async move {
                let outcome = match wait {
                    Some(wait) => match pause(call, wait).await {
                        Ok(()) => Self::send_alone(transport, call, &request, ambiguous).await,
                        Err(e) => Outcome::of(Err(e), ambiguous),
                    },
                    None => Self::send_alone(transport, call, &request, ambiguous).await,
                };
                let _ = tx.send(outcome);
            });
        futures_util::future::join_all(resends).await;
    }

    /// Throttled, transient and dependency failures, and 404s that may be replication
    /// lag, are resent on their own (with their own retry policy).
    fn worth_resending(transport: &Transport, request: &Request, error: &GraphError) -> bool {
        matches!(
            error.status(),
            Some(408 | 424 | 429 | 500 | 502 | 503 | 504)
        ) || transport.is_lag(&request.policy, error)
    }

    /// Takes the `getByIds` answer out of `responses`: object id (lowercase) → type.
    fn types_from(&self, responses: &mut Vec<ItemResponse>) -> HashMap<String, String> {
        let Some(at) = responses.iter().position(|r| r.id == TYPES_ITEM) else {
            return HashMap::new();
        };
        let item = responses.swap_remove(at);
        if item.status == 403 {
            tracing::info!(
                "getByIds is not permitted (it needs Directory.Read.All); member types are read from each unit instead"
            );
            self.types_forbidden.store(true, Ordering::SeqCst);
        }
        item.body
            .as_ref()
            .and_then(|b| b.get("value"))
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|o| {
                let id = o.get("id")?.as_str()?.to_ascii_lowercase();
                let kind = o
                    .get("@odata.type")?
                    .as_str()?
                    .trim_start_matches("#microsoft.graph.")
                    .to_owned();
                Some((id, kind))
            })
            .collect()
    }
}

/// Waits `wait` (a throttled item's own Retry-After) unless that passes the deadline
/// or Terraform asks to stop.
async fn pause(call: &Call, wait: Duration) -> Result<(), GraphError> {
    if std::time::Instant::now() + wait > call.deadline {
        return Err(GraphError::Timeout {
            attempts: 1,
            last: Box::new(GraphError::Decode(format!(
                "Graph asked to wait {wait:?} (Retry-After), beyond the operation's timeout"
            ))),
        });
    }
    let _waiting = super::waits::waiting();
    tokio::select! {
        () = tokio::time::sleep(wait) => Ok(()),
        () = call.cancel.cancelled() => Err(GraphError::Cancelled),
    }
}

/// The batch item id of the type lookup.
const TYPES_ITEM: &str = "types";

pub(super) fn item_body(body: Option<serde_json::Value>) -> Vec<u8> {
    body.map(|b| serde_json::to_vec(&b).unwrap_or_default())
        .unwrap_or_default()
}

pub(super) fn item_header(item: &ItemResponse, name: &str) -> Option<String> {
    item.headers
        .as_ref()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| {
            v.as_str()
                .map(ToOwned::to_owned)
                .or_else(|| Some(v.to_string()))
        })
}
