//! Single-flight caching: concurrent callers asking for the same key share one
//! fetch, and the result is kept for a short time. Errors are not kept, and each
//! caller waits only until its own deadline.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

use super::error::GraphError;
use super::request::Call;

struct Entry<V> {
    cell: Arc<OnceCell<V>>,
    created: Instant,
}

/// A map of in-flight or recent fetches by key.
pub struct Coalesced<K, V> {
    ttl: Duration,
    entries: Mutex<HashMap<K, Entry<V>>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Coalesced<K, V> {
    /// Keeps results for `ttl`.
    pub fn new(ttl: Duration) -> Coalesced<K, V> {
        Coalesced {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The value for `key`: a recent one, the one being fetched, or a new fetch.
    /// Waiting for another caller's fetch ends at this caller's deadline.
    pub async fn get_or_fetch<F, Fut>(
        &self,
        call: &Call,
        key: &K,
        fetch: F,
    ) -> Result<V, GraphError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, GraphError>>,
    {
        let cell = {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            let fresh = entries
                .get(key)
                .is_some_and(|e| e.created.elapsed() < self.ttl);
            if !fresh {
                entries.insert(
                    key.clone(),
                    Entry {
                        cell: Arc::new(OnceCell::new()),
                        created: Instant::now(),
                    },
                );
            }
            entries.get(key).map(|e| e.cell.clone())
        };
        let Some(cell) = cell else {
            return fetch().await;
        };
        let deadline = tokio::time::Instant::from_std(call.deadline);
        let result = tokio::select! {
            r = cell.get_or_try_init(fetch) => r.cloned(),
            () = tokio::time::sleep_until(deadline) => Err(GraphError::Timeout {
                attempts: 0,
                last: Box::new(GraphError::Decode(
                    "a shared read did not finish within the operation's timeout".into(),
                )),
            }),
            () = call.cancel.cancelled() => Err(GraphError::Cancelled),
        };
        if result.is_err() && cell.get().is_none() {
            self.forget_if_same(key, &cell);
        }
        result
    }

    /// Caches `value` for `key` (what our own write just made it).
    pub fn put(&self, key: K, value: V) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                key,
                Entry {
                    cell: Arc::new(OnceCell::new_with(Some(value))),
                    created: Instant::now(),
                },
            );
    }

    /// Updates a cached value in place (after our own write), if one is cached.
    pub fn update(&self, key: &K, change: impl FnOnce(&mut V)) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = entries.get_mut(key)
            && let Some(mut value) = entry.cell.get().cloned()
        {
            change(&mut value);
            entry.cell = Arc::new(OnceCell::new_with(Some(value)));
        }
    }

    /// Drops every cached value.
    pub fn forget_all(&self) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Drops the entry for `key` if it is still `cell` (a failed fetch), so the next
    /// caller fetches again without discarding a newer entry.
    fn forget_if_same(&self, key: &K, cell: &Arc<OnceCell<V>>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.get(key).is_some_and(|e| Arc::ptr_eq(&e.cell, cell)) {
            entries.remove(key);
        }
    }

    /// Drops the cached value for `key`.
    pub fn forget(&self, key: &K) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
    }
}

impl<K, V> std::fmt::Debug for Coalesced<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Coalesced")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use tokio_util::sync::CancellationToken;

    fn call(secs: u64) -> Call {
        Call::new(Duration::from_secs(secs), CancellationToken::new())
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch_and_errors_are_retried() {
        let cache = Arc::new(Coalesced::<String, u32>::new(Duration::from_secs(60)));
        let calls = Arc::new(AtomicU32::new(0));
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let (cache, calls) = (cache.clone(), calls.clone());
                tokio::spawn(async move {
                    cache
                        .get_or_fetch(&call(10), &"au".to_owned(), || async {
                            calls.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            Ok(7)
                        })
                        .await
                        .map_err(|e| e.to_string())
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), Ok(7));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let failed = cache
            .get_or_fetch(&call(10), &"x".to_owned(), || async {
                Err(GraphError::Decode("boom".to_owned()))
            })
            .await;
        assert!(failed.is_err());
        let retried = cache
            .get_or_fetch(&call(10), &"x".to_owned(), || async { Ok(1) })
            .await;
        assert_eq!(retried.ok(), Some(1), "a failed fetch is not cached");

        cache.update(&"au".to_owned(), |v| *v += 1);
        let updated = cache
            .get_or_fetch(&call(10), &"au".to_owned(), || async { Ok(0) })
            .await;
        assert_eq!(updated.ok(), Some(8));
    }

    #[tokio::test]
    async fn a_waiter_gives_up_at_its_own_deadline() {
        let cache = Arc::new(Coalesced::<String, u32>::new(Duration::from_secs(60)));
        let slow = {
            let cache = cache.clone();
            tokio::spawn(async move {
                cache
                    .get_or_fetch(&call(30), &"au".to_owned(), || async {
                        tokio::time::sleep(Duration::from_secs(3)).await;
                        Ok(1)
                    })
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = Instant::now();
        let impatient = cache
            .get_or_fetch(&call(1), &"au".to_owned(), || async { Ok(2) })
            .await;
        assert!(matches!(impatient, Err(GraphError::Timeout { .. })));
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(slow.await.unwrap().ok(), Some(1));
    }
}
