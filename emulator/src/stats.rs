//! Request counters by method and route template (`GET /_emulator/stats`), filled by the
//! counting middleware (`routes/middleware.rs`).

use std::collections::BTreeMap;

use parking_lot::Mutex;
use serde_json::{Value, json};

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
