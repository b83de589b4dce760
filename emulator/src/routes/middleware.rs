//! The middleware of the Graph and token routers. Each reads the application state: the
//! bearer check, the choice of the replica serving a request, fault injection and the
//! request counters. The pieces they apply live below the state: [`crate::auth`],
//! [`crate::consistency`], [`crate::faults`] and [`crate::stats`].

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::AppState;
use crate::auth::{Caller, audience_ok};
use crate::consistency::wants_strong;
use crate::error::{AppError, AppResult};
use crate::faults::{Action, AfterCommit, CommitDropped, broken_response, injected_error};
use crate::origin::Origin;
use crate::replication::ReadAt;
use crate::stats::BatchItem;

/// Requires a valid bearer token and attaches the [`Caller`].
pub async fn require_bearer(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    match authenticate(&state, &req) {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}

fn authenticate(state: &AppState, req: &Request) -> AppResult<Caller> {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim();
    let token = header
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("bearer "))
        .map(|_| header[7..].trim())
        .unwrap_or_default();
    if token.is_empty() {
        return Err(AppError::unauthorized("Access token is empty."));
    }
    let claims = state
        .signer()
        .verify(token)
        .map_err(AppError::unauthorized)?;
    let now = chrono::Utc::now().timestamp();
    let num = |k: &str| claims.get(k).and_then(Value::as_i64).unwrap_or_default();
    if now >= num("exp") {
        return Err(AppError::unauthorized(
            "Lifetime validation failed, the token is expired.",
        ));
    }
    if now < num("nbf") {
        return Err(AppError::unauthorized(
            "Lifetime validation failed, the token is not yet valid.",
        ));
    }
    let s = |k: &str| {
        claims
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut own = state.own_urls();
    own.push(Origin::of(req.headers(), req.uri(), req.extensions()).url());
    if !audience_ok(&s("aud"), &own) {
        return Err(AppError::unauthorized(
            "Access token validation failure. Invalid audience.",
        ));
    }
    let tid = s("tid");
    if !state.read(|t| t.tenant_id.eq_ignore_ascii_case(&tid)) {
        return Err(AppError::unauthorized(
            "Access token validation failure. Invalid tenant.",
        ));
    }
    let roles = claims
        .get("roles")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Ok(Caller {
        app_id: s("appid"),
        object_id: s("oid"),
        tenant_id: tid,
        roles,
    })
}

/// Runs due work, then picks the replica that serves this request (a seeded random one,
/// or the primary for `x-emulator-consistency: strong`).
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

/// Whether a request changes the directory (reads sent as POST, like `getByIds`, do not).
fn is_write(req: &Request) -> bool {
    let method = req.method();
    let write_method = *method == Method::POST
        || *method == Method::PATCH
        || *method == Method::DELETE
        || *method == Method::PUT;
    write_method && !req.uri().path().ends_with("/getByIds")
}

/// Applies latency and the decided fault to a Graph request, then the after-commit fault
/// to a successful write.
pub async fn inject_faults(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let faults = state.faults();
    // Latency stands for the network: once per HTTP request, so a `$batch` pays it
    // once and its items none.
    let latency = faults.latency();
    if !latency.is_zero() && req.extensions().get::<BatchItem>().is_none() {
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
        Action::Error(status) => return injected_error(status, faults.retry_after()),
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
        AfterCommit::Error(status) => injected_error(status, faults.retry_after()),
        AfterCommit::Drop => {
            let mut dropped = broken_response();
            dropped.extensions_mut().insert(CommitDropped);
            dropped
        }
    }
}

/// Counts the request under `METHOD /route/{template}` (`BATCH ...` for `$batch` items).
pub async fn count_requests(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let template = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_owned(), |m| m.as_str().to_owned());
    let key = format!("{} {template}", req.method());
    if req.extensions().get::<BatchItem>().is_some() {
        state.stats().record_batch_item(key);
    } else {
        state.stats().record(key);
    }
    let resp = next.run(req).await;
    state.stats().record_status(resp.status().as_u16());
    resp
}

/// Graph's JSON content type and `OData-Version` on every Graph JSON response.
pub async fn graph_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let headers = resp.headers_mut();
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == b"application/json");
    if is_json {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(
                "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
            ),
        );
    }
    headers.insert("odata-version", HeaderValue::from_static("4.0"));
    resp
}
