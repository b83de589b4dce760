//! Read-after-write consistency: Entra replicates new objects with a delay, so a
//! 404 for an object this process just created is lag, not absence. The client
//! remembers what it created and retries such 404s within a bounded window.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long after creating an object a 404 for it is treated as replication lag.
pub const REPLICATION_WINDOW: Duration = Duration::from_secs(120);

/// Objects this process created recently.
#[derive(Debug, Default)]
pub struct RecentWrites {
    created: Mutex<HashMap<String, Instant>>,
}

impl RecentWrites {
    /// Records that `id` was just created.
    pub fn created(&self, id: &str) {
        let mut map = self.created.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        map.retain(|_, at| now.duration_since(*at) < REPLICATION_WINDOW);
        map.insert(id.to_owned(), now);
    }

    /// Whether any of `ids` was created within the replication window.
    pub fn any_fresh<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> bool {
        let map = self.created.lock().unwrap_or_else(PoisonError::into_inner);
        ids.into_iter().any(|id| {
            map.get(id)
                .is_some_and(|at| at.elapsed() < REPLICATION_WINDOW)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_only_what_was_created() {
        let w = RecentWrites::default();
        w.created("a");
        assert!(w.any_fresh(["x", "a"]));
        assert!(!w.any_fresh(["b"]));
    }
}
