//! Routes (filled in phase 2).

use axum::Router;

use crate::AppState;

/// Registers the routes for `version`.
pub fn routes(r: Router<AppState>, _version: &str) -> Router<AppState> {
    r
}
