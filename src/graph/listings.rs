//! Many listings at once (every unit's members, every unit's role assignments): the
//! first pages of all of them travel in `$batch` requests, then each round of next
//! pages, so a tenant of 1,000 units is read in about a hundred requests.

use serde::de::DeserializeOwned;

use super::batch::Request;
use super::client::GraphClient;
use super::error::GraphError;
use super::models::Page;
use super::request::{Call, Policy, decode};

impl GraphClient {
    /// Every page of each listing in `paths` (relative to the versioned base), in the
    /// order of `paths`; a listing that fails gives its error.
    pub(crate) async fn list_each<T: DeserializeOwned>(
        &self,
        call: &Call,
        paths: &[String],
    ) -> Vec<Result<Vec<T>, GraphError>> {
        let mut results: Vec<Result<Vec<T>, GraphError>> =
            paths.iter().map(|_| Ok(Vec::new())).collect();
        let mut pending: Vec<(usize, String)> = paths.iter().cloned().enumerate().collect();
        while !pending.is_empty() {
            let requests = pending
                .iter()
                .map(|(_, path)| Request {
                    method: reqwest::Method::GET,
                    path: path.clone(),
                    body: None,
                    policy: Policy::default(),
                    type_of: None,
                })
                .collect();
            let outcomes = self.send_all(call, requests).await;
            let mut next = Vec::new();
            for ((index, _), outcome) in pending.into_iter().zip(outcomes) {
                let page = outcome.result.and_then(|reply| decode::<Page<T>>(&reply));
                match (page, &mut results[index]) {
                    (Ok(page), Ok(items)) => {
                        items.extend(page.value);
                        if let Some(link) = page.next_link {
                            match self.relative_link(&link) {
                                Ok(path) => next.push((index, path)),
                                Err(e) => results[index] = Err(e),
                            }
                        }
                    }
                    (Err(e), _) => results[index] = Err(e),
                    (Ok(_), Err(_)) => {}
                }
            }
            pending = next;
        }
        results
    }
}
