//! Per-request consistency: which copy of the directory serves the request, and the
//! lazy work due before it (dynamic evaluations, pruning replicated history).

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;
use crate::replication::ReadAt;

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

/// Middleware: runs due work, then picks the replica that serves this request (a
/// seeded random one, or the primary for `x-emulator-consistency: strong`).
pub async fn route_reads(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    state.tick();
    let at = if wants_strong(req.headers()) {
        ReadAt::Primary
    } else {
        ReadAt::Replica(state.faults().pick_replica())
    };
    req.extensions_mut().insert(at);
    next.run(req).await
}
