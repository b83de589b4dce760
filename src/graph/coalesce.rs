//! Single-flight caching: concurrent callers asking for the same key share one
//! fetch, and the result is kept for a short time. Errors are not kept.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

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
    pub async fn get_or_fetch<E, F, Fut>(&self, key: &K, fetch: F) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
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
        let result = cell.get_or_try_init(fetch).await.cloned();
        if result.is_err() {
            self.forget(key);
        }
        result
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

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch_and_errors_are_retried() {
        let cache = Arc::new(Coalesced::<String, u32>::new(Duration::from_secs(60)));
        let calls = Arc::new(AtomicU32::new(0));
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let (cache, calls) = (cache.clone(), calls.clone());
                tokio::spawn(async move {
                    cache
                        .get_or_fetch(&"au".to_owned(), || async {
                            calls.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            Ok::<_, String>(7)
                        })
                        .await
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), Ok(7));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let failed = cache
            .get_or_fetch(&"x".to_owned(), || async {
                Err::<u32, _>("boom".to_owned())
            })
            .await;
        assert!(failed.is_err());
        let retried = cache
            .get_or_fetch(&"x".to_owned(), || async { Ok::<_, String>(1) })
            .await;
        assert_eq!(retried, Ok(1), "a failed fetch is not cached");

        cache.update(&"au".to_owned(), |v| *v += 1);
        assert_eq!(
            cache
                .get_or_fetch(&"au".to_owned(), || async { Ok::<_, String>(0) })
                .await,
            Ok(8)
        );
    }
}
