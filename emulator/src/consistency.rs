//! Per-request consistency: the header that makes a request read the primary. The
//! middleware that picks the copy of the directory serving each request (and runs the
//! lazy work due before it) is in `routes/middleware.rs`.

use axum::http::HeaderMap;

/// Request header that makes one request read the primary (`strong`), for test
/// harnesses that assert the ground truth.
pub const CONSISTENCY_HEADER: &str = "x-emulator-consistency";

/// Whether the request asks for the primary.
pub fn wants_strong(headers: &HeaderMap) -> bool {
    headers
        .get(CONSISTENCY_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("strong"))
}
