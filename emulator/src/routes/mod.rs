//! HTTP routes and the shared request context for Graph handlers.

pub mod administrative_units;
pub mod batch;
pub mod body_limit;
pub mod directory_objects;
pub mod emulator_admin;
pub mod group_members;
pub mod member_lists;
pub mod members;
pub mod references;
pub mod roles;
pub mod token;

use axum::Router;
use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::AppState;
use crate::auth::{self, Caller};
use crate::error::{AppError, AppResult};
use crate::odata::Query;
use crate::replication::ReadAt;

/// Everything a Graph handler needs about the request besides path and body.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The authenticated caller.
    pub caller: Caller,
    /// `http://host:port` as the client addressed us.
    pub base: String,
    /// `v1.0` or `beta`.
    pub version: String,
    /// Parsed query options.
    pub query: Query,
    /// `ConsistencyLevel: eventual` was sent.
    pub eventual: bool,
    /// Request path (for nextLink).
    pub path: String,
    /// The copy of the directory that serves this request's reads.
    pub read: ReadAt,
}

impl Ctx {
    /// Advanced query parameters: `ConsistencyLevel: eventual` and `$count=true`.
    pub fn advanced(&self) -> bool {
        self.eventual && self.query.count
    }

    /// `{base}/{version}/$metadata#{fragment}`.
    pub fn context(&self, fragment: &str) -> String {
        format!("{}/{}/$metadata#{fragment}", self.base, self.version)
    }

    /// `{base}/{version}/{rest}`.
    pub fn url(&self, rest: &str) -> String {
        format!("{}/{}/{rest}", self.base, self.version)
    }

    /// The nextLink for a page that ended after `last_id`.
    pub fn next_link(&self, last_id: &str) -> String {
        let token = crate::odata::encode_skiptoken(last_id);
        let rest = self.query.without_skiptoken();
        let sep = if rest.is_empty() { "" } else { "&" };
        format!("{}{}?{rest}{sep}$skiptoken={token}", self.base, self.path)
    }

    /// A page of objects as an OData collection: each item rendered by `render`,
    /// with `@odata.count` when asked for and `@odata.nextLink` when more remain.
    pub fn page_collection(
        &self,
        fragment: &str,
        page: &crate::odata::Page<'_>,
        render: impl Fn(&crate::store::DirObject) -> Value,
    ) -> Value {
        crate::odata::collection(
            self.context(fragment),
            page.items.iter().map(|o| render(o)).collect(),
            self.count_value(page.total),
            page.next_after.as_ref().map(|n| self.next_link(n)),
        )
    }

    /// `@odata.count` when it was asked for with advanced parameters.
    pub fn count_value(&self, total: usize) -> Option<usize> {
        self.advanced().then_some(total)
    }

    /// 400 unless `$search` comes with `ConsistencyLevel: eventual`.
    pub fn check_search(&self) -> AppResult<()> {
        if self.query.search.is_some() && !self.eventual {
            return Err(AppError::unsupported_query(
                "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
            ));
        }
        Ok(())
    }

    /// 400 unless a `/$count` segment comes with `ConsistencyLevel: eventual`.
    pub fn check_count_segment(&self) -> AppResult<()> {
        if !self.eventual {
            return Err(AppError::bad_request("$count is not currently supported."));
        }
        Ok(())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let caller = parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| AppError::unauthorized("Access token is empty."))?;
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()))
            .unwrap_or("localhost");
        let path = parts.uri.path().to_owned();
        let version = if path.starts_with("/beta") {
            "beta"
        } else {
            "v1.0"
        };
        let query = Query::parse(parts.uri.query())?;
        Ok(Ctx {
            caller,
            base: format!("http://{host}"),
            version: version.to_owned(),
            query,
            eventual: consistency_eventual(&parts.headers),
            path,
            read: parts
                .extensions
                .get::<ReadAt>()
                .copied()
                .unwrap_or_default(),
        })
    }
}

/// Whether `ConsistencyLevel: eventual` was sent.
pub fn consistency_eventual(headers: &HeaderMap) -> bool {
    headers
        .get("consistencylevel")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("eventual"))
}

/// Parses a JSON object body, with Graph's error for anything else.
pub fn json_object(body: &Bytes) -> AppResult<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(AppError::invalid_json()),
    }
}

/// A JSON response with a status.
pub fn json(status: StatusCode, value: Value) -> Response {
    (status, axum::Json(value)).into_response()
}

/// A `text/plain` count response.
pub fn count_text(n: usize) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        n.to_string(),
    )
        .into_response()
}

/// 204 No Content.
pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// Graph's answer for an unknown path (also serves the alternate-key form
/// `/directoryRoles(roleTemplateId='...')`).
pub async fn graph_fallback(
    axum::extract::State(state): axum::extract::State<AppState>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    parts: axum::http::request::Parts,
) -> Response {
    if method == axum::http::Method::GET
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

fn unknown_segment(uri: &axum::http::Uri) -> AppError {
    let seg = uri
        .path()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    AppError::odata_bad_request(format!("Resource not found for the segment '{seg}'."))
}

/// Lowercases GUID-shaped path segments (Graph ids are case-insensitive) and drops a
/// trailing slash.
pub fn lowercase_guids(mut req: axum::extract::Request) -> axum::extract::Request {
    let path = req.uri().path();
    let trailing = path.len() > 1 && path.ends_with('/');
    if !trailing && !path.bytes().any(|b| b.is_ascii_uppercase()) {
        return req;
    }
    let trimmed = if trailing {
        path.trim_end_matches('/')
    } else {
        path
    };
    let new_path: Vec<String> = trimmed
        .split('/')
        .map(|seg| {
            if uuid::Uuid::parse_str(seg).is_ok() {
                seg.to_ascii_lowercase()
            } else {
                seg.to_owned()
            }
        })
        .collect();
    let new_path = new_path.join("/");
    if new_path == path {
        return req;
    }
    let pq = match req.uri().query() {
        Some(q) => format!("{new_path}?{q}"),
        None => new_path,
    };
    let mut parts = req.uri().clone().into_parts();
    if let Ok(p) = axum::http::uri::PathAndQuery::try_from(pq) {
        parts.path_and_query = Some(p);
        if let Ok(uri) = axum::http::Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    req
}

/// Lowercases `s` when it is a GUID.
pub fn normalize_id(s: &str) -> String {
    if uuid::Uuid::parse_str(s).is_ok() {
        s.to_ascii_lowercase()
    } else {
        s.to_owned()
    }
}

/// Graph's JSON content type and `OData-Version` on every Graph JSON response.
async fn graph_headers(req: axum::extract::Request, next: middleware::Next) -> Response {
    let mut resp = next.run(req).await;
    let headers = resp.headers_mut();
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == b"application/json");
    if is_json {
        headers.insert(
            header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static(
                "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
            ),
        );
    }
    headers.insert("odata-version", axum::http::HeaderValue::from_static("4.0"));
    resp
}

/// The Graph API router (auth, faults and counters included). Used directly by `$batch`.
pub fn graph_router(state: AppState) -> Router {
    let mut r = Router::new();
    for version in ["v1.0", "beta"] {
        r = administrative_units::routes(r, version);
        r = members::routes(r, version);
        r = roles::routes(r, version);
        r = directory_objects::routes(r, version);
        r = group_members::routes(r, version);
        r = batch::routes(r, version);
    }
    r.fallback(graph_fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::consistency::route_reads,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::faults::inject,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_bearer,
        ))
        .layer(middleware::from_fn(body_limit::graph_json_rejections))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::stats::count,
        ))
        .layer(middleware::from_fn(graph_headers))
        .layer(axum::extract::DefaultBodyLimit::max(
            body_limit::MAX_BODY_BYTES,
        ))
        .with_state(state)
}

async fn method_not_allowed() -> AppError {
    AppError::method_not_allowed()
}
