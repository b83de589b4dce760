//! Fault injection: throttling, errors, latency, dropped connections (before or after a
//! write commits), a per-app request budget, and the consistency settings (replication
//! lag, replicas, dynamic-membership delay). Driven by a deterministic RNG (`fault_seed`).
//! The middleware that applies the decisions to requests is in `routes/middleware.rs`.

mod config;
mod response;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

pub use config::FaultConfig;
pub use response::{CommitDropped, broken_response, injected_error};

use crate::replication::LagModel;
use crate::rng::SplitMix;

/// What to do with one request before it is served.
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

/// What to do with a write that has just been committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterCommit {
    /// Answer the real (successful) response.
    Pass,
    /// Answer this 5xx status although the write is stored.
    Error(u16),
    /// Drop the connection although the write is stored.
    Drop,
}

/// Fault injection state: settings, remaining "next N" counts, RNGs and budgets.
#[derive(Debug)]
pub struct Faults {
    inner: Mutex<FaultState>,
}

#[derive(Debug)]
struct FaultState {
    config: FaultConfig,
    rng: SplitMix,
    replica_rng: SplitMix,
    throttle_left: u32,
    error_left: u32,
    drop_left: u32,
    commit_error_left: u32,
    commit_drop_left: u32,
    budgets: HashMap<String, (Instant, u32)>,
}

/// Offsets the replica-choice stream so it never disturbs the fault sequence of a seed.
const REPLICA_STREAM: u64 = 0x5EED_0FEA_11CA_5E00;

impl FaultState {
    fn new(config: FaultConfig) -> Self {
        Self {
            rng: SplitMix::new(config.fault_seed),
            replica_rng: SplitMix::new(config.fault_seed ^ REPLICA_STREAM),
            throttle_left: config.throttle_next,
            error_left: config.error_next,
            drop_left: config.drop_next,
            commit_error_left: config.commit_error_next,
            commit_drop_left: config.commit_drop_next,
            budgets: HashMap::new(),
            config,
        }
    }

    /// Whether a fault with probability `rate` strikes (draws only when `rate > 0`).
    fn strikes(&mut self, rate: f64) -> bool {
        rate > 0.0 && self.rng.next_f64() < rate
    }
}

/// Takes one from a "next N" counter; true when it was positive.
fn take_one(left: &mut u32) -> bool {
    if *left > 0 {
        *left -= 1;
        true
    } else {
        false
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
        c.commit_error_next = s.commit_error_left;
        c.commit_drop_next = s.commit_drop_left;
        c
    }

    /// Replaces the settings (RNGs reseeded, budgets cleared).
    pub fn set(&self, config: FaultConfig) {
        *self.inner.lock() = FaultState::new(config);
    }

    /// Restarts counters and RNGs from the current settings.
    pub fn reset_counters(&self) {
        let mut s = self.inner.lock();
        let config = s.config.clone();
        *s = FaultState::new(config);
    }

    /// The replication lag model of the current settings.
    pub fn lag_model(&self) -> LagModel {
        LagModel::from_config(&self.inner.lock().config)
    }

    /// Delay between a change and the dynamic-membership evaluation it causes.
    pub fn dynamic_delay_ms(&self) -> u64 {
        self.inner.lock().config.dynamic_processing_delay_ms
    }

    /// Whether role-assignment listings filtered on `directoryScopeId` alone are refused.
    pub fn refuses_scope_only_role_filter(&self) -> bool {
        self.inner.lock().config.refuse_scope_only_role_filter
    }

    /// The read replica that serves the next request (always 0 with one replica).
    pub fn pick_replica(&self) -> u32 {
        let mut s = self.inner.lock();
        let replicas = s.config.replicas.max(1);
        if replicas == 1 {
            return 0;
        }
        u32::try_from(s.replica_rng.next_u64() % u64::from(replicas)).unwrap_or(0)
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

    /// Decides the fate of one request from `app` before it is served.
    pub fn decide(&self, app: &str) -> Action {
        let mut s = self.inner.lock();
        if take_one(&mut s.drop_left) {
            return Action::Drop;
        }
        if take_one(&mut s.throttle_left) {
            return Action::Throttle;
        }
        if take_one(&mut s.error_left) {
            return Action::Error(s.config.error_status);
        }
        let (drop_rate, throttle_rate, error_rate) = (
            s.config.drop_rate,
            s.config.throttle_rate,
            s.config.error_rate,
        );
        if s.strikes(drop_rate) {
            return Action::Drop;
        }
        if s.strikes(throttle_rate) {
            return Action::Throttle;
        }
        if s.strikes(error_rate) {
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

    /// Decides what the client of a successfully committed write gets to see.
    pub fn decide_after_commit(&self) -> AfterCommit {
        let mut s = self.inner.lock();
        if take_one(&mut s.commit_drop_left) {
            return AfterCommit::Drop;
        }
        if take_one(&mut s.commit_error_left) {
            return AfterCommit::Error(s.config.error_status);
        }
        let (drop_rate, error_rate) = (s.config.commit_drop_rate, s.config.commit_error_rate);
        if s.strikes(drop_rate) {
            return AfterCommit::Drop;
        }
        if s.strikes(error_rate) {
            return AfterCommit::Error(s.config.error_status);
        }
        AfterCommit::Pass
    }
}
