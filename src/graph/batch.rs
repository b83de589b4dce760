//! JSON batching: requests issued concurrently are gathered for a few milliseconds
//! and sent as one `POST /$batch` of up to 20. Each item's answer goes back to its
//! own caller; throttled, failed or missing items are resent individually, so one
//! item's failure never fails or loses another's.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::{Notify, oneshot};

use super::client::{Call, GraphClient, Reply};
use super::error::{GraphError, parse_api_error};

/// Graph's limit of requests in one batch.
pub(crate) const MAX_BATCH: usize = 20;
/// How long the first request of a batch waits for others to join it.
const GATHER_WINDOW: Duration = Duration::from_millis(4);

/// One request to send, possibly in a batch.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) method: Method,
    /// Path below the versioned base, e.g. `/directory/administrativeUnits/{id}`.
    pub(crate) path: String,
    pub(crate) body: Option<serde_json::Value>,
    /// Objects this process created recently that the request refers to.
    pub(crate) fresh_ids: Vec<String>,
}

/// What came back, and whether the request had to be sent again after an
/// ambiguous batch failure (so a "already exists" may be our own earlier success).
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) result: Result<Reply, GraphError>,
    pub(crate) resent: bool,
}

type Waiting = (Request, oneshot::Sender<Outcome>);

/// The queue of requests waiting to be batched.
#[derive(Debug, Default)]
pub(crate) struct Batcher {
    queue: Mutex<Vec<Waiting>>,
    full: Notify,
}

impl Batcher {
    /// Queues a request; true when the caller found the queue empty and must lead.
    fn enqueue(&self, waiting: Waiting) -> bool {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        queue.push(waiting);
        if queue.len() >= MAX_BATCH {
            self.full.notify_one();
        }
        queue.len() == 1
    }

    fn take(&self) -> Vec<Waiting> {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        let n = queue.len().min(MAX_BATCH);
        queue.drain(..n).collect()
    }
}

#[derive(Debug, Deserialize)]
struct BatchResponse {
    #[serde(default)]
    responses: Vec<ItemResponse>,
}

#[derive(Debug, Deserialize)]
struct ItemResponse {
    id: String,
    status: u16,
    #[serde(default)]
    body: Option<serde_json::Value>,
    #[serde(default)]
    headers: Option<serde_json::Map<String, serde_json::Value>>,
}

impl GraphClient {
    /// Sends `request`, in a `$batch` with concurrent requests when coalescing is on.
    pub(crate) async fn send_batched(&self, call: &Call, request: Request) -> Outcome {
        if !self.coalescing() {
            return self.send_alone(call, &request, false).await;
        }
        let (tx, rx) = oneshot::channel();
        let lead = self.batcher.enqueue((request.clone(), tx));
        if lead {
            self.lead(call).await;
        }
        match rx.await {
            Ok(outcome) => outcome,
            // The leader went away before answering: send it ourselves.
            Err(_) => self.send_alone(call, &request, true).await,
        }
    }

    async fn send_alone(&self, call: &Call, request: &Request, resent: bool) -> Outcome {
        let fresh: Vec<&str> = request.fresh_ids.iter().map(String::as_str).collect();
        let result = self
            .send(call, request.method.clone(), &request.path, request.body.as_ref(), &fresh)
            .await;
        Outcome { result, resent }
    }

    /// Waits for the batch to fill or the gather window to pass, then sends batches
    /// until the queue is empty.
    async fn lead(&self, call: &Call) {
        let _ = tokio::time::timeout(GATHER_WINDOW, self.batcher.full.notified()).await;
        loop {
            let items = self.batcher.take();
            match items.len() {
                0 => return,
                1 => {
                    for (request, tx) in items {
                        let outcome = self.send_alone(call, &request, false).await;
                        let _ = tx.send(outcome);
                    }
                }
                _ => self.send_batch(call, items).await,
            }
        }
    }

    async fn send_batch(&self, call: &Call, items: Vec<Waiting>) {
        let requests: Vec<serde_json::Value> = items
            .iter()
            .enumerate()
            .map(|(i, (r, _))| {
                let mut item = json!({"id": (i + 1).to_string(), "method": r.method.as_str(), "url": r.path});
                if let Some(body) = &r.body {
                    item["body"] = body.clone();
                    item["headers"] = json!({"Content-Type": "application/json"});
                }
                item
            })
            .collect();
        let count = requests.len();
        let sent = self
            .send(call, Method::POST, "/$batch", Some(&json!({ "requests": requests })), &[])
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
        let mut resend = Vec::new();
        for (i, (request, tx)) in items.into_iter().enumerate() {
            let id = (i + 1).to_string();
            let answer = responses.iter().position(|r| r.id == id).map(|p| responses.swap_remove(p));
            match answer {
                Some(item) if (200..300).contains(&item.status) => {
                    let body = item.body.map(|b| serde_json::to_vec(&b).unwrap_or_default()).unwrap_or_default();
                    let reply = Reply {
                        status: reqwest::StatusCode::from_u16(item.status).unwrap_or(reqwest::StatusCode::OK),
                        body,
                    };
                    let _ = tx.send(Outcome { result: Ok(reply), resent: false });
                }
                Some(item) if !self.worth_resending(&request, item.status) => {
                    let request_id = item
                        .headers
                        .as_ref()
                        .and_then(|h| h.get("request-id"))
                        .and_then(|v| v.as_str())
                        .map(ToOwned::to_owned);
                    let body = item.body.map(|b| serde_json::to_vec(&b).unwrap_or_default()).unwrap_or_default();
                    let error = GraphError::Api(parse_api_error(item.status, request_id, &body));
                    let _ = tx.send(Outcome { result: Err(error), resent: false });
                }
                Some(_) => resend.push((request, tx, false)),
                None => resend.push((request, tx, true)),
            }
        }
        let resends = resend.into_iter().map(|(request, tx, ambiguous)| async move {
            let outcome = self.send_alone(call, &request, ambiguous).await;
            let _ = tx.send(outcome);
        });
        futures_util::future::join_all(resends).await;
    }

    /// Throttled, transient and dependency failures, and 404s that may be replication
    /// lag, are resent on their own (with their own retry policy).
    fn worth_resending(&self, request: &Request, status: u16) -> bool {
        matches!(status, 408 | 424 | 429 | 500 | 502 | 503 | 504)
            || (status == 404 && self.recently_created(request.fresh_ids.iter().map(String::as_str)))
    }
}
