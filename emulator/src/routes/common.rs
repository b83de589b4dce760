//! What every Graph route shares: the request context ([`Ctx`]), response helpers, the
//! request-path rewrite done before routing, the AU collection prefixes and `$orderby`.
//! Route files build on this module and never on each other's handlers.

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::uri::PathAndQuery;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::odata::{self, Query};
use crate::origin::Origin;
use crate::replication::ReadAt;
use crate::store::DirObject;
use crate::store::model::normalize_id;

/// Everything a Graph handler needs about the request besides path and body.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The authenticated caller.
    pub caller: Caller,
    /// `scheme://host[:port]` as the client addressed us (see [`Origin`]).
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
        let token = odata::encode_skiptoken(last_id);
        let rest = self.query.without_skiptoken();
        let sep = if rest.is_empty() { "" } else { "&" };
        format!("{}{}?{rest}{sep}$skiptoken={token}", self.base, self.path)
    }

    /// A page of objects as an OData collection: each item rendered by `render`,
    /// with `@odata.count` when asked for and `@odata.nextLink` when more remain.
    pub fn page_collection(
        &self,
        fragment: &str,
        page: &odata::Page<'_>,
        render: impl Fn(&DirObject) -> Value,
    ) -> Value {
        odata::collection(
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
        let origin = Origin::of(&parts.headers, &parts.uri, &parts.extensions);
        let path = parts.uri.path().to_owned();
        let version = if path.starts_with("/beta") {
            "beta"
        } else {
            "v1.0"
        };
        let query = Query::parse(parts.uri.query())?;
        Ok(Ctx {
            caller,
            base: origin.url(),
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

/// Collection prefixes served for a version (canonical first). The top-level
/// `administrativeUnits` entity set exists in beta only.
pub fn prefixes(version: &str) -> Vec<String> {
    let mut p = vec![format!("/{version}/directory/administrativeUnits")];
    if version == "beta" {
        p.push(format!("/{version}/administrativeUnits"));
    }
    p
}

/// Applies `$orderby displayName [asc|desc]` (other keys sort by id).
pub fn sorted<'a>(mut objs: Vec<&'a DirObject>, ctx: &Ctx) -> Vec<&'a DirObject> {
    if let Some(ob) = &ctx.query.orderby {
        let mut parts = ob.split_whitespace();
        let key = parts.next().unwrap_or("displayName").to_owned();
        let desc = parts.next().is_some_and(|d| d.eq_ignore_ascii_case("desc"));
        objs.sort_by(|a, b| {
            let ka = a.str_prop(&key).unwrap_or_default().to_lowercase();
            let kb = b.str_prop(&key).unwrap_or_default().to_lowercase();
            ka.cmp(&kb).then_with(|| a.id.cmp(&b.id))
        });
        if desc {
            objs.reverse();
        }
    }
    objs
}

/// Lowercases GUID-shaped path segments (Graph ids are case-insensitive) and drops a
/// trailing slash.
pub fn lowercase_guids(mut req: Request) -> Request {
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
    let new_path: Vec<String> = trimmed.split('/').map(normalize_id).collect();
    let new_path = new_path.join("/");
    if new_path == path {
        return req;
    }
    let pq = match req.uri().query() {
        Some(q) => format!("{new_path}?{q}"),
        None => new_path,
    };
    let mut parts = req.uri().clone().into_parts();
    if let Ok(p) = PathAndQuery::try_from(pq) {
        parts.path_and_query = Some(p);
        if let Ok(uri) = Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    req
}
