//! The types one Graph request is described by: the operation's context, the
//! policy for failures that may be lag or may have happened, and what came back.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

use super::error::GraphError;

/// The context of one provider operation: its deadline, the stop signal, and how
/// many operations are in flight (to know when a batch can go).
#[derive(Debug, Clone)]
pub struct Call {
    /// Retries stop here.
    pub deadline: Instant,
    /// Cancelled on StopProvider.
    pub cancel: CancellationToken,
    /// Operations in flight, when the caller counts them.
    pub in_flight: Option<Arc<AtomicUsize>>,
}

impl Call {
    /// An operation that may take up to `timeout`.
    pub fn new(timeout: Duration, cancel: CancellationToken) -> Call {
        Call {
            deadline: Instant::now() + timeout,
            cancel,
            in_flight: None,
        }
    }

    /// This call, aware of how many operations are in flight.
    pub fn counting(mut self, in_flight: Arc<AtomicUsize>) -> Call {
        self.in_flight = Some(in_flight);
        self
    }
}

/// A successful response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Vec<u8>,
}

/// How one request treats failures that may be replication lag or may have happened.
#[derive(Debug, Clone, Default)]
pub(crate) struct Policy {
    /// Objects this process created moments ago that the request reads or addresses:
    /// a 404 about them is replication lag, not absence.
    pub(crate) fresh_ids: Vec<String>,
    /// The request refers to other objects (a `$ref`, a principal, a scope), whoever
    /// created them: a 404, `Request_ResourceNotFound` or "not a valid reference"
    /// answer is replication lag and is retried until the deadline.
    pub(crate) references: bool,
    /// The caller copes with a request that may have run already (e.g. it treats
    /// "already exists" after an ambiguous failure as its own success), so 5xx and
    /// lost connections are retried too.
    pub(crate) resendable: bool,
}

impl Policy {
    /// 404s about `ids` (created by this process moments ago) are lag.
    pub(crate) fn fresh(ids: &[&str]) -> Policy {
        Policy {
            fresh_ids: ids.iter().map(|id| (*id).to_owned()).collect(),
            ..Policy::default()
        }
    }

    /// A write referring to other objects; safe to resend.
    pub(crate) fn referencing() -> Policy {
        Policy {
            references: true,
            resendable: true,
            ..Policy::default()
        }
    }
}

/// What came back, and whether the request had to be sent again after an
/// ambiguous failure (so an "already exists" may be our own earlier success).
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) result: Result<Reply, GraphError>,
    pub(crate) resent: bool,
    /// The type of an object the request asked to learn, when a batch could tell.
    pub(crate) kind: Option<String>,
}

impl Outcome {
    pub(crate) fn of(result: Result<Reply, GraphError>, resent: bool) -> Outcome {
        Outcome {
            result,
            resent,
            kind: None,
        }
    }
}

/// A reply's JSON body as `T`.
pub(crate) fn decode<T: DeserializeOwned>(reply: &Reply) -> Result<T, GraphError> {
    serde_json::from_slice(&reply.body).map_err(|e| {
        GraphError::Decode(format!(
            "{} response did not parse: {e}",
            reply.status.as_u16()
        ))
    })
}
