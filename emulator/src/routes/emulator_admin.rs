//! `/_emulator/*`: counters, reset, settle and run-time fault settings (no auth).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::AppState;
use crate::faults::FaultConfig;

/// Registers the admin routes.
pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/_emulator/stats", get(stats))
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/settle", post(settle))
        .route("/_emulator/faults", get(get_faults).post(set_faults))
        .route("/_emulator/health", get(health))
        .with_state(state)
}

async fn stats(State(state): State<AppState>) -> Response {
    axum::Json(state.stats().snapshot()).into_response()
}

async fn reset(State(state): State<AppState>) -> Response {
    state.reset();
    StatusCode::NO_CONTENT.into_response()
}

/// Time passes: pending dynamic evaluations run and every change reaches every replica.
async fn settle(State(state): State<AppState>) -> Response {
    state.settle();
    StatusCode::NO_CONTENT.into_response()
}

async fn get_faults(State(state): State<AppState>) -> Response {
    axum::Json(state.faults().config()).into_response()
}

async fn set_faults(State(state): State<AppState>, body: Bytes) -> Response {
    let parsed = if body.iter().all(u8::is_ascii_whitespace) {
        Ok(FaultConfig::default())
    } else {
        serde_json::from_slice::<FaultConfig>(&body)
    };
    match parsed
        .map_err(|e| e.to_string())
        .and_then(|c| validate(&c).map(|()| c))
    {
        Ok(config) => {
            state.faults().set(config);
            axum::Json(state.faults().config()).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": {"code": "BadRequest", "message": e}})),
        )
            .into_response(),
    }
}

/// Checks rates, statuses and the lag window (see [`FaultConfig::validate`]).
pub fn validate(c: &FaultConfig) -> Result<(), String> {
    c.validate()
}

async fn health(State(state): State<AppState>) -> Response {
    let counts = state.read(|t| t.counts());
    axum::Json(json!({"status": "ok", "objects": counts})).into_response()
}
