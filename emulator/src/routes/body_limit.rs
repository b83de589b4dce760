//! Request body size limit, answered with Graph's JSON error envelope instead of axum's
//! plain-text rejection.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// Largest accepted request body: 4 MB, Graph's documented request size limit for
/// uploads in one request (the limit for directory requests is an unconfirmed choice).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

fn declared_length(req: &Request) -> Option<usize> {
    req.headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// Middleware: 413 in Graph's shape for bodies over [`MAX_BODY_BYTES`], whether the
/// length is declared up front or only found out while reading.
pub async fn graph_json_rejections(req: Request, next: Next) -> Response {
    if declared_length(&req).is_some_and(|n| n > MAX_BODY_BYTES) {
        return AppError::too_large(MAX_BODY_BYTES).into_response();
    }
    let resp = next.run(req).await;
    let plain = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/plain"));
    if resp.status() == StatusCode::PAYLOAD_TOO_LARGE && plain {
        return AppError::too_large(MAX_BODY_BYTES).into_response();
    }
    resp
}
