//! Request counters by method and route template (`GET /_emulator/stats`).

use std::collections::BTreeMap;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use parking_lot::Mutex;
use serde_json::{Value, json};

use crate::AppState;

/// Marks a request that arrived inside a `$batch`: counted apart from HTTP requests.
#[derive(Debug, Clone, Copy)]
pub struct BatchItem;

/// Counters of Graph and token requests.
#[derive(Debug, Default)]
pub struct Stats {
    inner: Mutex<Counters>,
}

#[derive(Debug, Default)]
struct Counters {
    total: u64,
    batch_items: u64,
    routes: BTreeMap<String, u64>,
    statuses: BTreeMap<u16, u64>,
}

impl Stats {
    /// Counts one HTTP request.
    pub fn record(&self, key: String) {
        let mut c = self.inner.lock();
        c.total += 1;
        *c.routes.entry(key).or_default() += 1;
    }

    /// Counts one request carried inside a `$batch` (under `BATCH <route>`, not in `total`).
    pub fn record_batch_item(&self, key: String) {
        let mut c = self.inner.lock();
        c.batch_items += 1;
        *c.routes.entry(format!("BATCH {key}")).or_default() += 1;
    }

    /// Counts one response status.
    pub fn record_status(&self, status: u16) {
        *self.inner.lock().statuses.entry(status).or_default() += 1;
    }

    /// Zeroes every counter.
    pub fn reset(&self) {
        *self.inner.lock() = Counters::default();
    }

    /// `{"total": n, "batch_items": n, "routes": {...}, "statuses": {...}}`: `total` counts
    /// HTTP requests; requests inside a `$batch` are counted as `BATCH <route>`.
    pub fn snapshot(&self) -> Value {
        let c = self.inner.lock();
        let statuses: BTreeMap<String, u64> = c
            .statuses
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        json!({"total": c.total, "batch_items": c.batch_items, "routes": c.routes, "statuses": statuses})
    }
}

/// Middleware: counts the request under `METHOD /route/{template}`.
pub async fn count(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let template = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_owned(), |m| m.as_str().to_owned());
    let key = format!("{} {template}", req.method());
    if req.extensions().get::<BatchItem>().is_some() {
        state.stats().record_batch_item(key);
    } else {
        state.stats().record(key);
    }
    let resp = next.run(req).await;
    state.stats().record_status(resp.status().as_u16());
    resp
}
