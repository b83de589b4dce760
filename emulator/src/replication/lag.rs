//! How long each change takes to reach each read replica.

use crate::faults::FaultConfig;
use crate::rng::mix;

/// The replication settings of the moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LagModel {
    /// Shortest lag of a change (ms).
    pub min_ms: u64,
    /// Longest lag of a change (ms); 0 means every change is visible at once.
    pub max_ms: u64,
    /// Number of read replicas (at least 1).
    pub replicas: u32,
    /// Seed mixed into every lag draw.
    pub seed: u64,
}

impl LagModel {
    /// The model described by fault settings (`replication_lag_min_ms` absent = max).
    pub fn from_config(c: &FaultConfig) -> Self {
        let max_ms = c.replication_lag_ms;
        Self {
            min_ms: c.replication_lag_min_ms.unwrap_or(max_ms).min(max_ms),
            max_ms,
            replicas: c.replicas.max(1),
            seed: c.fault_seed,
        }
    }

    /// No lag at all: every read sees the primary.
    pub fn is_off(&self) -> bool {
        self.max_ms == 0
    }

    /// Lag of change `seq` at `replica`: uniform in `[min_ms, max_ms]`, the same for the
    /// same change, seed and replica.
    pub fn lag_ms(&self, seq: u64, replica: u32) -> u64 {
        if self.min_ms >= self.max_ms {
            return self.max_ms;
        }
        let draw = mix(mix(seq ^ self.seed.rotate_left(17)) ^ u64::from(replica));
        self.min_ms + draw % (self.max_ms - self.min_ms + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(min: u64, max: u64) -> LagModel {
        LagModel {
            min_ms: min,
            max_ms: max,
            replicas: 3,
            seed: 7,
        }
    }

    #[test]
    fn lags_stay_in_the_window_and_are_deterministic() {
        let m = model(100, 300);
        let draws: Vec<u64> = (1..200).map(|seq| m.lag_ms(seq, 1)).collect();
        assert!(draws.iter().all(|d| (100..=300).contains(d)));
        assert_eq!(draws, (1..200).map(|s| m.lag_ms(s, 1)).collect::<Vec<_>>());
        assert!((1..200).any(|s| m.lag_ms(s, 0) != m.lag_ms(s, 1)));
        assert_eq!(model(300, 300).lag_ms(5, 2), 300);
    }
}
