//! Fault injection: throttling, errors, latency, dropped connections, replication lag,
//! and a per-app request budget. Driven by a deterministic RNG (`fault_seed`).

use serde::{Deserialize, Serialize};

/// Fault settings; field names match the CLI flags (`--throttle-rate` → `throttle_rate`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Share (0–1) of Graph requests answered 429.
    pub throttle_rate: f64,
    /// Share (0–1) of Graph requests answered with `error_status`.
    pub error_rate: f64,
    /// Status for injected errors: 500 or 503.
    pub error_status: u16,
    /// `Retry-After` for injected 429/503: seconds as text (`"2"`, `"2.5"`) or `"none"`.
    pub retry_after: String,
    /// The next N Graph requests are answered 429.
    pub throttle_next: u32,
    /// The next N Graph requests are answered with `error_status`.
    pub error_next: u32,
    /// Added latency per Graph request, in milliseconds.
    pub latency_ms: u64,
    /// Share (0–1) of Graph requests whose connection is dropped.
    pub drop_rate: f64,
    /// The next N Graph requests have their connection dropped.
    pub drop_next: u32,
    /// Objects younger than this are invisible to reads (404) and to `$ref` writes (400).
    pub replication_lag_ms: u64,
    /// Per-app request budget per window (0 = unlimited).
    pub budget_requests: u32,
    /// Budget window in milliseconds.
    pub budget_window_ms: u64,
    /// RNG seed for rate-based faults.
    pub fault_seed: u64,
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            throttle_rate: 0.0,
            error_rate: 0.0,
            error_status: 503,
            retry_after: "1".into(),
            throttle_next: 0,
            error_next: 0,
            latency_ms: 0,
            drop_rate: 0.0,
            drop_next: 0,
            replication_lag_ms: 0,
            budget_requests: 0,
            budget_window_ms: 10_000,
            fault_seed: 0,
        }
    }
}

use std::collections::HashMap;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;

use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;

/// What to do with one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Serve normally.
    Pass,
    /// 429 TooManyRequests.
    Throttle,
    /// 5xx with the configured status.
    Error(u16),
    /// Drop the connection.
    Drop,
    /// 429 because the app's budget is spent; retry after this many seconds.
    Budget(u64),
}

/// Fault injection state: settings, remaining "next N" counts, RNG and budgets.
#[derive(Debug)]
pub struct Faults {
    inner: Mutex<FaultState>,
}

#[derive(Debug)]
struct FaultState {
    config: FaultConfig,
    rng: u64,
    throttle_left: u32,
    error_left: u32,
    drop_left: u32,
    budgets: HashMap<String, (Instant, u32)>,
}

impl FaultState {
    fn new(config: FaultConfig) -> Self {
        Self {
            rng: config.fault_seed,
            throttle_left: config.throttle_next,
            error_left: config.error_next,
            drop_left: config.drop_next,
            budgets: HashMap::new(),
            config,
        }
    }

    /// SplitMix64: small, fast and reproducible for a given seed.
    fn next_f64(&mut self) -> f64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        #[allow(clippy::cast_precision_loss)]
        let f = (z >> 11) as f64 / (1u64 << 53) as f64;
        f
    }
}

impl Faults {
    /// Faults with the given settings.
    pub fn new(config: FaultConfig) -> Self {
        Self {
            inner: Mutex::new(FaultState::new(config)),
        }
    }

    /// Current settings, with the remaining "next N" counts.
    pub fn config(&self) -> FaultConfig {
        let s = self.inner.lock();
        let mut c = s.config.clone();
        c.throttle_next = s.throttle_left;
        c.error_next = s.error_left;
        c.drop_next = s.drop_left;
        c
    }

    /// Replaces the settings (RNG reseeded, budgets cleared).
    pub fn set(&self, config: FaultConfig) {
        *self.inner.lock() = FaultState::new(config);
    }

    /// Restarts counters and RNG from the current settings.
    pub fn reset_counters(&self) {
        let mut s = self.inner.lock();
        let config = s.config.clone();
        *s = FaultState::new(config);
    }

    /// Configured replication lag.
    pub fn replication_lag_ms(&self) -> u64 {
        self.inner.lock().config.replication_lag_ms
    }

    /// Whether an object created at `created_ms` has not replicated yet.
    pub fn lagging(&self, created_ms: u64) -> bool {
        let lag = self.replication_lag_ms();
        lag > 0 && crate::store::model::now_ms() < created_ms.saturating_add(lag)
    }

    /// Retry-After header value for injected faults.
    pub fn retry_after(&self) -> Option<String> {
        let ra = self.inner.lock().config.retry_after.clone();
        if ra.is_empty() || ra.eq_ignore_ascii_case("none") {
            None
        } else {
            Some(ra)
        }
    }

    /// Latency to add.
    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.inner.lock().config.latency_ms)
    }

    /// Decides the fate of one request from `app`.
    pub fn decide(&self, app: &str) -> Action {
        let mut s = self.inner.lock();
        if s.drop_left > 0 {
            s.drop_left -= 1;
            return Action::Drop;
        }
        if s.throttle_left > 0 {
            s.throttle_left -= 1;
            return Action::Throttle;
        }
        if s.error_left > 0 {
            s.error_left -= 1;
            return Action::Error(s.config.error_status);
        }
        let (drop_rate, throttle_rate, error_rate) = (
            s.config.drop_rate,
            s.config.throttle_rate,
            s.config.error_rate,
        );
        if drop_rate > 0.0 && s.next_f64() < drop_rate {
            return Action::Drop;
        }
        if throttle_rate > 0.0 && s.next_f64() < throttle_rate {
            return Action::Throttle;
        }
        if error_rate > 0.0 && s.next_f64() < error_rate {
            return Action::Error(s.config.error_status);
        }
        let (limit, window_ms) = (s.config.budget_requests, s.config.budget_window_ms);
        if limit > 0 {
            let window = Duration::from_millis(window_ms.max(1));
            let now = Instant::now();
            let entry = s.budgets.entry(app.to_owned()).or_insert((now, 0));
            if now.duration_since(entry.0) >= window {
                *entry = (now, 0);
            }
            if entry.1 >= limit {
                let left = window.saturating_sub(now.duration_since(entry.0));
                return Action::Budget(left.as_millis().div_ceil(1000).max(1) as u64);
            }
            entry.1 += 1;
        }
        Action::Pass
    }
}

/// A body that fails immediately, making hyper abort the connection.
struct BrokenBody;

impl http_body::Body for BrokenBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "entra-emulator: injected dropped connection",
        ))))
    }
}

/// Middleware: applies latency and the decided fault to a Graph request.
pub async fn inject(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let faults = state.faults();
    // Latency stands for the network: once per HTTP request, so a `$batch` pays it
    // once and its items none.
    let latency = faults.latency();
    if !latency.is_zero() && req.extensions().get::<crate::stats::BatchItem>().is_none() {
        tokio::time::sleep(latency).await;
    }
    // A `$batch` envelope is not faulted itself; its items are, one by one.
    if req.uri().path().ends_with("/$batch") {
        return next.run(req).await;
    }
    let caller = req.extensions().get::<Caller>().cloned();
    let app = caller.as_ref().map_or("anonymous", |c| c.app_id.as_str());
    match faults.decide(app) {
        Action::Pass => next.run(req).await,
        Action::Throttle => AppError::throttled(faults.retry_after()).into_response(),
        Action::Error(status) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut e = if status == StatusCode::SERVICE_UNAVAILABLE {
                AppError::new(
                    status,
                    "serviceNotAvailable",
                    "Service is unavailable. Please try again later.",
                )
            } else {
                AppError::new(
                    status,
                    "generalException",
                    "An internal server error occurred.",
                )
            };
            if status == StatusCode::SERVICE_UNAVAILABLE {
                e.retry_after = faults.retry_after();
            }
            e.into_response()
        }
        Action::Drop => Response::new(Body::new(BrokenBody)),
        Action::Budget(secs) => {
            let mut e = AppError::throttled(Some(secs.to_string()));
            let tenant = caller.as_ref().map_or("", |c| c.tenant_id.as_str());
            e.headers.push((
                "x-ms-throttle-scope",
                format!("Tenant_Application/ReadWrite/{app}/{tenant}"),
            ));
            e.headers.push((
                "x-ms-throttle-information",
                "ResourceUnitLimitExceeded".into(),
            ));
            e.into_response()
        }
    }
}
