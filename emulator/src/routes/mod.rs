//! HTTP routes. This file only assembles the Graph router; what route files share is in
//! [`common`] (request context, responses), [`objects`] (directory-object rules),
//! [`references`] (`@odata.id` writes) and [`member_lists`], and the state-reading
//! middleware is in [`middleware`].

pub mod administrative_units;
pub mod batch;
pub mod body_limit;
pub mod common;
pub mod directory_objects;
pub mod emulator_admin;
pub mod group_members;
pub mod licensing;
pub mod member_lists;
pub mod members;
pub mod middleware;
pub mod objects;
pub mod references;
pub mod roles;
pub mod token;

use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{Method, Uri};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::AppError;
use common::Ctx;

/// The API versions Graph is served under.
const VERSIONS: [&str; 2] = ["v1.0", "beta"];

/// The Graph API router (auth, faults and counters included).
///
/// `$batch` runs its items through the same stack without the `$batch` route itself:
/// nested batches are refused before an item is dispatched.
pub fn graph_router(state: AppState) -> Router {
    let items = graph_stack(graph_routes(), state.clone());
    let mut r = graph_routes();
    for version in VERSIONS {
        r = batch::routes(r, version, items.clone());
    }
    graph_stack(r, state)
}

/// Every Graph route of every version except `$batch`.
fn graph_routes() -> Router<AppState> {
    let mut r = Router::new();
    for version in VERSIONS {
        r = administrative_units::routes(r, version);
        r = members::routes(r, version);
        r = roles::routes(r, version);
        r = directory_objects::routes(r, version);
        r = group_members::routes(r, version);
        r = licensing::routes(r, version);
    }
    r
}

/// `routes` with Graph's fallbacks and middleware, outermost last.
fn graph_stack(routes: Router<AppState>, state: AppState) -> Router {
    routes
        .fallback(graph_fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(state.clone(), middleware::route_reads))
        .layer(from_fn_with_state(state.clone(), middleware::inject_faults))
        .layer(from_fn_with_state(
            state.clone(),
            middleware::require_bearer,
        ))
        .layer(from_fn(body_limit::graph_json_rejections))
        .layer(from_fn_with_state(
            state.clone(),
            middleware::count_requests,
        ))
        .layer(from_fn(middleware::graph_headers))
        .layer(axum::extract::DefaultBodyLimit::max(
            body_limit::MAX_BODY_BYTES,
        ))
        .with_state(state)
}

/// Graph's answer for an unknown path (also serves the alternate-key form
/// `/directoryRoles(roleTemplateId='...')`).
pub async fn graph_fallback(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    parts: Parts,
) -> Response {
    if method == Method::GET
        && let Some(template) = alternate_role_key(uri.path())
    {
        let mut parts = parts;
        return match Ctx::from_request_parts(&mut parts, &state).await {
            Ok(ctx) => roles::get_by_template(&state, &ctx, &template)
                .unwrap_or_else(IntoResponse::into_response),
            Err(e) => e.into_response(),
        };
    }
    unknown_segment(&uri).into_response()
}

fn alternate_role_key(path: &str) -> Option<String> {
    let rest = path
        .strip_prefix("/v1.0/directoryRoles(roleTemplateId=")
        .or_else(|| path.strip_prefix("/beta/directoryRoles(roleTemplateId="))?;
    let inner = rest.strip_suffix(')')?;
    let decoded = percent_encoding::percent_decode_str(inner)
        .decode_utf8_lossy()
        .into_owned();
    Some(decoded.trim_matches('\'').to_owned())
}

fn unknown_segment(uri: &Uri) -> AppError {
    let seg = uri
        .path()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    AppError::odata_bad_request(format!("Resource not found for the segment '{seg}'."))
}

async fn method_not_allowed() -> AppError {
    AppError::method_not_allowed()
}
