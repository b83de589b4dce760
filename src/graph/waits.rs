//! How much of this run Graph's throttling and Entra's replication cost: the number
//! of throttled answers, and the wall time during which at least one operation was
//! waiting (Retry-After, backoff, replication). Process-wide, because one provider
//! process serves one Terraform command; the provider turns it into one warning
//! once the waiting is long enough to explain a slow apply.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

static THROTTLED: AtomicU64 = AtomicU64::new(0);
static LEDGER: Mutex<Ledger> = Mutex::new(Ledger {
    waiting: 0,
    since: None,
    total: Duration::ZERO,
    reported: Duration::ZERO,
});

struct Ledger {
    /// Operations waiting now.
    waiting: usize,
    /// When the current stretch with at least one waiter began.
    since: Option<Instant>,
    /// Wall time with at least one waiter, stretches that ended.
    total: Duration,
    /// `total` when the last report was made.
    reported: Duration,
}

fn ledger() -> std::sync::MutexGuard<'static, Ledger> {
    LEDGER.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Counts one throttled answer (HTTP 429, or a `$batch` item's 429).
pub(crate) fn note_throttled() {
    THROTTLED.fetch_add(1, Ordering::Relaxed);
}

/// Marks an operation as waiting until the guard is dropped.
pub(crate) fn waiting() -> WaitGuard {
    let mut l = ledger();
    if l.waiting == 0 {
        l.since = Some(Instant::now());
    }
    l.waiting += 1;
    WaitGuard
}

/// Ends a wait on drop.
pub(crate) struct WaitGuard;

impl Drop for WaitGuard {
    fn drop(&mut self) {
        let mut l = ledger();
        l.waiting = l.waiting.saturating_sub(1);
        if l.waiting == 0
            && let Some(since) = l.since.take()
        {
            l.total += since.elapsed();
        }
    }
}

/// What this run's waiting amounts to: throttled answers and waiting wall time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaitReport {
    /// Throttled answers so far.
    pub throttled: u64,
    /// Wall time with at least one operation waiting, so far.
    pub waited: Duration,
}

/// The run's waiting so far, when at least `first` of it has passed (before any report)
/// or `next` more since the last report (which this then becomes).
pub fn report(first: Duration, next: Duration) -> Option<WaitReport> {
    let mut l = ledger();
    let ongoing = l.since.map_or(Duration::ZERO, |s| s.elapsed());
    let waited = l.total + ongoing;
    let threshold = if l.reported.is_zero() { first } else { next };
    if waited.saturating_sub(l.reported) < threshold {
        return None;
    }
    l.reported = waited;
    Some(WaitReport {
        throttled: THROTTLED.load(Ordering::Relaxed),
        waited,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_add_up_as_wall_time_and_reports_need_new_waiting() {
        let a = waiting();
        let b = waiting();
        std::thread::sleep(Duration::from_millis(30));
        drop(a);
        std::thread::sleep(Duration::from_millis(10));
        drop(b);
        note_throttled();
        let first = super::report(Duration::from_millis(20), Duration::from_secs(30))
            .expect("over the threshold");
        assert!(first.waited >= Duration::from_millis(40), "{first:?}");
        assert!(first.throttled >= 1);
        assert_eq!(
            super::report(Duration::from_millis(20), Duration::from_secs(30)),
            None,
            "the next report needs another half minute"
        );
    }
}
