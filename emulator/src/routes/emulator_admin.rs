//! `/_emulator/*`: counters, reset and run-time fault settings (no auth).

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

/// Checks rates and statuses.
pub fn validate(c: &FaultConfig) -> Result<(), String> {
    for (name, v) in [
        ("throttle_rate", c.throttle_rate),
        ("error_rate", c.error_rate),
        ("drop_rate", c.drop_rate),
    ] {
        if !(0.0..=1.0).contains(&v) {
            return Err(format!("{name} must be between 0 and 1"));
        }
    }
    if !matches!(c.error_status, 500 | 502 | 503 | 504) {
        return Err("error_status must be 500, 502, 503 or 504".into());
    }
    let ra = c.retry_after.trim();
    if !(ra.is_empty()
        || ra.eq_ignore_ascii_case("none")
        || ra.parse::<f64>().is_ok_and(|v| v >= 0.0))
    {
        return Err("retry_after must be a non-negative number of seconds or \"none\"".into());
    }
    Ok(())
}

async fn health(State(state): State<AppState>) -> Response {
    let counts = state.read(|t| t.counts());
    axum::Json(json!({"status": "ok", "objects": counts})).into_response()
}
