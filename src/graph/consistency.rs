//! Read-after-write consistency. Entra replicates every change to its replicas with a
//! delay (seconds, sometimes minutes), and any read may be served by a replica that
//! has not seen it yet: a new object can answer 404, a deleted one can still answer
//! 200, and the same read can flip between the two. Microsoft's guidance is to trust
//! the write's answer and re-read with backoff. This module holds the waits built on
//! that: confirm a new object is seen consistently, confirm a deleted one is gone, and
//! re-read before taking a 404 for a deletion when the object is new. Every wait is
//! bounded by the operation's deadline and stops when Terraform asks.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::error::GraphError;
use super::request::Call;
use super::retry::backoff;

/// How long after an object was created a 404 for it may still be replication lag.
pub const REPLICATION_WINDOW: Duration = Duration::from_secs(5 * 60);
/// A new object counts as gone only after reads have not seen it for this long.
pub const GONE_AFTER: Duration = Duration::from_secs(15);
/// Reads in a row that must agree before a new or deleted object is taken as settled.
pub const CONFIRMATIONS: u32 = 3;
/// The least time between two confirming reads.
const CONFIRM_SPACING: Duration = Duration::from_millis(250);

/// The start of the display name a unit or custom role carries while it is being
/// created: unique to one create, so a retry after an ambiguous failure recognises
/// its own object and never a sibling's.
pub const PENDING_PREFIX: &str = "terraform-entra-pending-";

/// Whether `name` is the temporary name of a create in progress (or interrupted).
pub fn is_pending_name(name: &str) -> bool {
    name.starts_with(PENDING_PREFIX)
}

/// Objects this process created or deleted recently.
#[derive(Debug, Default)]
pub struct RecentWrites {
    created: Mutex<HashMap<String, Instant>>,
    deleted: Mutex<HashMap<String, Instant>>,
}

fn remember(map: &Mutex<HashMap<String, Instant>>, id: &str) {
    let mut map = map.lock().unwrap_or_else(PoisonError::into_inner);
    let now = Instant::now();
    map.retain(|_, at| now.duration_since(*at) < REPLICATION_WINDOW);
    map.insert(id.to_ascii_lowercase(), now);
}

fn recalls(map: &Mutex<HashMap<String, Instant>>, id: &str) -> bool {
    map.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&id.to_ascii_lowercase())
        .is_some_and(|at| at.elapsed() < REPLICATION_WINDOW)
}

impl RecentWrites {
    /// Records that `id` was just created.
    pub fn created(&self, id: &str) {
        remember(&self.created, id);
    }

    /// Records that `id` was created (or changed) `ago`.
    pub fn created_ago(&self, id: &str, ago: Duration) {
        let mut map = self.created.lock().unwrap_or_else(PoisonError::into_inner);
        let at = Instant::now().checked_sub(ago).unwrap_or_else(Instant::now);
        map.insert(id.to_ascii_lowercase(), at);
    }

    /// Records that `id` was just deleted.
    pub fn deleted(&self, id: &str) {
        remember(&self.deleted, id);
    }

    /// Whether any of `ids` was created within the replication window.
    pub fn any_fresh<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> bool {
        ids.into_iter().any(|id| recalls(&self.created, id))
    }

    /// Whether `id` was deleted within the replication window.
    pub fn was_deleted(&self, id: &str) -> bool {
        recalls(&self.deleted, id)
    }
}

/// Sleeps `wait`, or fails when that passes the deadline or Terraform asks to stop.
async fn pause(call: &Call, wait: Duration, waiting_for: &str) -> Result<(), GraphError> {
    if Instant::now() + wait > call.deadline {
        return Err(GraphError::Timeout {
            attempts: 0,
            last: Box::new(GraphError::Decode(format!(
                "{waiting_for} did not happen within the operation's timeout"
            ))),
        });
    }
    tokio::select! {
        () = tokio::time::sleep(wait) => Ok(()),
        () = call.cancel.cancelled() => Err(GraphError::Cancelled),
    }
}

/// Reads a just-created object until [`CONFIRMATIONS`] reads in a row see it, so a
/// following refresh does not meet a replica that has never heard of it. `probe`
/// answers `None` while the object is not seen.
pub async fn confirm_visible<T, F, Fut>(call: &Call, what: &str, probe: F) -> Result<T, GraphError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<Option<T>, GraphError>>,
{
    let mut streak = 0;
    let mut misses = 0;
    loop {
        match probe().await? {
            Some(seen) => {
                streak += 1;
                if streak >= CONFIRMATIONS {
                    return Ok(seen);
                }
                pause(call, CONFIRM_SPACING, &format!("seeing {what}")).await?;
            }
            None => {
                streak = 0;
                misses += 1;
                if misses == 1 {
                    tracing::info!(
                        what,
                        "waiting for replication: the new object is not readable yet"
                    );
                }
                pause(call, backoff(misses), &format!("seeing {what}")).await?;
            }
        }
    }
}

/// Reads a just-deleted object until [`CONFIRMATIONS`] reads in a row no longer see
/// it. `probe` answers whether the object is still seen.
pub async fn confirm_gone<F, Fut>(call: &Call, what: &str, probe: F) -> Result<(), GraphError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<bool, GraphError>>,
{
    let mut streak = 0;
    let mut sightings = 0;
    loop {
        if probe().await? {
            streak = 0;
            sightings += 1;
            pause(call, backoff(sightings), &format!("{what} disappearing")).await?;
        } else {
            streak += 1;
            if streak >= CONFIRMATIONS {
                return Ok(());
            }
            pause(call, CONFIRM_SPACING, &format!("{what} disappearing")).await?;
        }
    }
}

/// A refresh's read of an object this provider created `created_ago`: when `probe`
/// does not find it and it is younger than [`REPLICATION_WINDOW`], the absence may be
/// lag, so it is read again until found or absent for [`GONE_AFTER`] in a row. Older
/// (or imported) objects are taken at their word.
pub async fn read_through_lag<T, F, Fut>(
    call: &Call,
    what: &str,
    created_ago: Option<Duration>,
    probe: F,
) -> Result<Option<T>, GraphError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<Option<T>, GraphError>>,
{
    if let Some(found) = probe().await? {
        return Ok(Some(found));
    }
    if created_ago.is_none_or(|age| age >= REPLICATION_WINDOW) {
        return Ok(None);
    }
    tracing::info!(
        what,
        created_secs_ago = created_ago.map_or(0, |a| a.as_secs()),
        "not found, but created moments ago: re-reading in case this is replication lag"
    );
    let absent_since = Instant::now();
    let mut attempts = 0;
    while absent_since.elapsed() < GONE_AFTER {
        attempts += 1;
        // Waiting for another tool's object counts towards a slow apply's report;
        // confirming our own writes is the ordinary cost of a create.
        let waiting = super::waits::waiting();
        pause(call, backoff(attempts).min(Duration::from_secs(3)), what).await?;
        drop(waiting);
        if let Some(found) = probe().await? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use tokio_util::sync::CancellationToken;

    fn call(secs: u64) -> Call {
        Call::new(Duration::from_secs(secs), CancellationToken::new())
    }

    #[test]
    fn remembers_only_what_was_created() {
        let w = RecentWrites::default();
        w.created("A");
        assert!(w.any_fresh(["x", "a"]));
        assert!(!w.any_fresh(["b"]));
    }

    #[tokio::test]
    async fn a_flapping_object_is_confirmed_only_after_reads_in_a_row_see_it() {
        // Seen, not seen (a stale replica), then seen from then on.
        let reads = AtomicU32::new(0);
        let answers = [true, false, true, true, true];
        let seen = confirm_visible(&call(30), "unit", || async {
            let n = reads.fetch_add(1, Ordering::SeqCst) as usize;
            Ok::<_, GraphError>(answers.get(n).copied().unwrap_or(true).then_some(n))
        })
        .await
        .unwrap();
        assert_eq!(seen, 4, "the third read in a row after the miss confirms");
    }

    #[tokio::test]
    async fn waits_stop_at_the_deadline_and_on_cancel() {
        let never = || async { Ok::<Option<()>, GraphError>(None) };
        let err = confirm_visible(&call(1), "unit", never).await.unwrap_err();
        assert!(matches!(err, GraphError::Timeout { .. }), "{err}");
        let cancelled = call(60);
        cancelled.cancel.cancel();
        let err = confirm_visible(&cancelled, "unit", never)
            .await
            .unwrap_err();
        assert!(matches!(err, GraphError::Cancelled), "{err}");
    }

    #[tokio::test]
    async fn an_old_object_is_gone_at_the_first_404_and_a_new_one_is_reread() {
        let reads = AtomicU32::new(0);
        let probe = || async {
            let n = reads.fetch_add(1, Ordering::SeqCst);
            Ok::<_, GraphError>((n >= 2).then_some(n))
        };
        assert_eq!(
            read_through_lag(&call(30), "m", None, probe).await.unwrap(),
            None
        );
        assert_eq!(
            reads.load(Ordering::SeqCst),
            1,
            "one read for an old object"
        );
        let found = read_through_lag(&call(30), "m", Some(Duration::from_secs(3)), probe)
            .await
            .unwrap();
        assert_eq!(found, Some(2), "a new object is read again until it shows");
    }

    #[tokio::test]
    async fn a_deleted_object_is_gone_once_reads_in_a_row_miss_it() {
        let reads = AtomicU32::new(0);
        confirm_gone(&call(30), "unit", || async {
            // A stale replica still serves it once after two misses.
            let n = reads.fetch_add(1, Ordering::SeqCst);
            Ok::<_, GraphError>(n == 2)
        })
        .await
        .unwrap();
        assert_eq!(reads.load(Ordering::SeqCst), 6);
    }
}
