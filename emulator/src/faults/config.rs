//! Fault and consistency settings, shared by the CLI flags and `POST /_emulator/faults`.

use serde::{Deserialize, Serialize};

/// Fault settings; field names match the CLI flags (`--throttle-rate` → `throttle_rate`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Share (0–1) of Graph requests answered 429.
    pub throttle_rate: f64,
    /// Share (0–1) of Graph requests answered with `error_status`.
    pub error_rate: f64,
    /// Status for injected errors: 500, 502, 503 or 504.
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
    /// Share (0–1) of successful writes that are committed and then answered with
    /// `error_status`.
    pub commit_error_rate: f64,
    /// The next N successful writes are committed and then answered with `error_status`.
    pub commit_error_next: u32,
    /// Share (0–1) of successful writes that are committed and then lose their connection.
    pub commit_drop_rate: f64,
    /// The next N successful writes are committed and then lose their connection.
    pub commit_drop_next: u32,
    /// Longest time (ms) a change takes to reach a read replica; 0 turns lag off.
    pub replication_lag_ms: u64,
    /// Shortest time (ms) a change takes to reach a read replica; `None` means equal to
    /// `replication_lag_ms`.
    pub replication_lag_min_ms: Option<u64>,
    /// Number of read replicas (0 is treated as 1).
    pub replicas: u32,
    /// Delay (ms) between a change and the dynamic-membership evaluation it causes.
    pub dynamic_processing_delay_ms: u64,
    /// Refuse role-assignment listings filtered on `directoryScopeId` alone (400).
    pub refuse_scope_only_role_filter: bool,
    /// Per-app request budget per window (0 = unlimited).
    pub budget_requests: u32,
    /// Budget window in milliseconds.
    pub budget_window_ms: u64,
    /// RNG seed for rate-based faults, replica choice and replication lags.
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
            commit_error_rate: 0.0,
            commit_error_next: 0,
            commit_drop_rate: 0.0,
            commit_drop_next: 0,
            replication_lag_ms: 0,
            replication_lag_min_ms: None,
            replicas: 3,
            dynamic_processing_delay_ms: 0,
            refuse_scope_only_role_filter: false,
            budget_requests: 0,
            budget_window_ms: 10_000,
            fault_seed: 0,
        }
    }
}

impl FaultConfig {
    /// Checks rates, statuses, `Retry-After` and the lag window.
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [
            ("throttle_rate", self.throttle_rate),
            ("error_rate", self.error_rate),
            ("drop_rate", self.drop_rate),
            ("commit_error_rate", self.commit_error_rate),
            ("commit_drop_rate", self.commit_drop_rate),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{name} must be between 0 and 1"));
            }
        }
        if !matches!(self.error_status, 500 | 502 | 503 | 504) {
            return Err("error_status must be 500, 502, 503 or 504".into());
        }
        let ra = self.retry_after.trim();
        if !(ra.is_empty()
            || ra.eq_ignore_ascii_case("none")
            || ra.parse::<f64>().is_ok_and(|v| v >= 0.0))
        {
            return Err("retry_after must be a non-negative number of seconds or \"none\"".into());
        }
        if self
            .replication_lag_min_ms
            .is_some_and(|min| min > self.replication_lag_ms)
        {
            return Err("replication_lag_min_ms must not exceed replication_lag_ms".into());
        }
        Ok(())
    }
}
