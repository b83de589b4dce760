//! An in-memory token cache: refreshes before expiry, and concurrent callers share
//! one refresh.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use super::secret::Secret;
use super::token::{AccessToken, AuthError, TokenCredential};

/// Refresh this long before the token expires.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// Wraps a credential with a cache for one scope.
#[derive(Debug)]
pub struct CachedCredential {
    inner: Arc<dyn TokenCredential>,
    scope: String,
    // An async mutex: the caller holding it refreshes, the others wait for its result.
    current: Mutex<Option<AccessToken>>,
}

impl CachedCredential {
    /// Caches tokens of `inner` for `scope`.
    pub fn new(inner: Arc<dyn TokenCredential>, scope: impl Into<String>) -> CachedCredential {
        CachedCredential {
            inner,
            scope: scope.into(),
            current: Mutex::new(None),
        }
    }

    /// A token valid for a while longer, fetched only when needed.
    pub async fn token(&self) -> Result<Secret, AuthError> {
        let mut current = self.current.lock().await;
        if let Some(t) = current.as_ref()
            && t.expires_at > Instant::now() + REFRESH_MARGIN.min(lifetime_fraction(t))
        {
            return Ok(t.token.clone());
        }
        let fresh = self.inner.get_token(&self.scope).await?;
        let token = fresh.token.clone();
        *current = Some(fresh);
        Ok(token)
    }

    /// Forgets the cached token (after Graph rejected it).
    pub async fn invalidate(&self) {
        *self.current.lock().await = None;
    }
}

/// For short-lived tokens, refresh when a tenth of the lifetime remains rather than
/// five minutes before expiry.
fn lifetime_fraction(t: &AccessToken) -> Duration {
    t.expires_at.saturating_duration_since(Instant::now()) / 10
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[derive(Debug, Default)]
    struct Counting(AtomicU32);

    #[async_trait::async_trait]
    impl TokenCredential for Counting {
        async fn get_token(&self, _scope: &str) -> Result<AccessToken, AuthError> {
            let n = self.0.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(AccessToken::new(
                Secret::new(format!("t{n}")),
                Duration::from_secs(3600),
            ))
        }
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch() {
        let inner = Arc::new(Counting::default());
        let cache = Arc::new(CachedCredential::new(inner.clone(), "s"));
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let c = cache.clone();
                tokio::spawn(async move { c.token().await.unwrap().expose().to_owned() })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), "t0");
        }
        assert_eq!(inner.0.load(Ordering::SeqCst), 1);
        cache.invalidate().await;
        assert_eq!(cache.token().await.unwrap().expose(), "t1");
    }
}
