//! What injected faults look like on the wire: a dropped connection and Graph's 5xx. The
//! middleware that decides when to inject them is in `routes/middleware.rs`.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

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

/// An injected 5xx, with `retry_after` as `Retry-After` on 503 like Graph's own.
pub fn injected_error(status: u16, retry_after: Option<String>) -> Response {
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
        e.retry_after = retry_after;
    }
    e.into_response()
}
