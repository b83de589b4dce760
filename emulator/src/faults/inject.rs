//! The fault middleware: latency and faults before a Graph request is served, and the
//! ambiguous outcomes after a write has been committed.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{Action, AfterCommit, Faults};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;

/// Marks a response whose connection is dropped after its write was committed, so a
/// `$batch` can drop its own connection when one of its items is.
#[derive(Debug, Clone, Copy)]
pub struct CommitDropped;

/// A body that fails immediately, making hyper abort the connection.
struct BrokenBody;

impl http_body::Body for BrokenBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "entra-emulator: injected dropped connection",
        ))))
    }
}

/// A response whose connection is dropped before any byte of the body is sent.
pub fn broken_response() -> Response {
    Response::new(Body::new(BrokenBody))
}

/// An injected 5xx, with `Retry-After` on 503 like Graph's own.
fn injected_error(faults: &Faults, status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let mut e = if status == StatusCode::SERVICE_UNAVAILABLE {
        AppError::new(
            status,
            "serviceNotAvailable",
            "Service is unavailable. Please try again later.",
        )
    } else {
        AppError::new(
            status,
            "generalException",
            "An internal server error occurred.",
        )
    };
    if status == StatusCode::SERVICE_UNAVAILABLE {
        e.retry_after = faults.retry_after();
    }
    e.into_response()
}

/// Whether a request changes the directory (reads sent as POST, like `getByIds`, do not).
fn is_write(req: &Request) -> bool {
    let method = req.method();
    let write_method = *method == Method::POST
        || *method == Method::PATCH
        || *method == Method::DELETE
        || *method == Method::PUT;
    write_method && !req.uri().path().ends_with("/getByIds")
}

/// Middleware: applies latency and the decided fault to a Graph request, then the
/// after-commit fault to a successful write.
pub async fn inject(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let faults = state.faults();
    // Latency stands for the network: once per HTTP request, so a `$batch` pays it
    // once and its items none.
    let latency = faults.latency();
    if !latency.is_zero() && req.extensions().get::<crate::stats::BatchItem>().is_none() {
        tokio::time::sleep(latency).await;
    }
    // A `$batch` envelope is not faulted itself; its items are, one by one.
    if req.uri().path().ends_with("/$batch") {
        return next.run(req).await;
    }
    let caller = req.extensions().get::<Caller>().cloned();
    let app = caller.as_ref().map_or("anonymous", |c| c.app_id.as_str());
    match faults.decide(app) {
        Action::Pass => {}
        Action::Throttle => return AppError::throttled(faults.retry_after()).into_response(),
        Action::Error(status) => return injected_error(faults, status),
        Action::Drop => return broken_response(),
        Action::Budget(secs) => {
            let mut e = AppError::throttled(Some(secs.to_string()));
            let tenant = caller.as_ref().map_or("", |c| c.tenant_id.as_str());
            e.headers.push((
                "x-ms-throttle-scope",
                format!("Tenant_Application/ReadWrite/{app}/{tenant}"),
            ));
            e.headers.push((
                "x-ms-throttle-information",
                "ResourceUnitLimitExceeded".into(),
            ));
            return e.into_response();
        }
    }
    let write = is_write(&req);
    let resp = next.run(req).await;
    if !write || !resp.status().is_success() {
        return resp;
    }
    match faults.decide_after_commit() {
        AfterCommit::Pass => resp,
        AfterCommit::Error(status) => injected_error(faults, status),
        AfterCommit::Drop => {
            let mut dropped = broken_response();
            dropped.extensions_mut().insert(CommitDropped);
            dropped
        }
    }
}
