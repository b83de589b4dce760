//! `POST /$batch`: up to 20 requests, `dependsOn` ordering, 424 for failed
//! dependencies, each item authorized, throttled and counted on its own. When an item's
//! connection is dropped after its write committed, the whole batch response is
//! dropped (that is what a client sees when the connection dies); the other items still
//! ran.

use std::collections::{HashMap, HashSet};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use http_body_util::BodyExt;
use serde_json::{Map, Value, json};
use tower::ServiceExt;

use super::common::{Ctx, json, json_object, lowercase_guids};
use crate::AppState;
use crate::consistency::CONSISTENCY_HEADER;
use crate::error::{AppError, AppResult};
use crate::faults::{CommitDropped, broken_response};
use crate::origin::Origin;
use crate::stats::BatchItem;

/// Maximum number of requests in one batch.
pub const MAX_BATCH: usize = 20;

/// Registers the batch route for `version`; `items` is the Graph router that serves each
/// item of a batch.
pub fn routes(r: Router<AppState>, version: &str, items: Router) -> Router<AppState> {
    r.route(
        &format!("/{version}/$batch"),
        post(
            move |ctx: Ctx, origin: Origin, headers: HeaderMap, body: Bytes| {
                let outer = Outer {
                    ctx,
                    origin,
                    headers,
                };
                batch(outer, body, items.clone())
            },
        ),
    )
}

#[derive(Debug)]
struct Item {
    id: String,
    method: Method,
    url: String,
    headers: Map<String, Value>,
    body: Option<Value>,
    depends_on: Vec<String>,
}

fn parse_items(body: &Map<String, Value>) -> AppResult<Vec<Item>> {
    let requests = body
        .get("requests")
        .and_then(Value::as_array)
        .ok_or_else(|| AppError::odata_bad_request("Invalid batch payload format."))?;
    if requests.is_empty() {
        return Err(AppError::odata_bad_request("Invalid batch payload format."));
    }
    if requests.len() > MAX_BATCH {
        return Err(AppError::odata_bad_request(format!(
            "Number of requests in the batch exceeds the maximum of {MAX_BATCH}."
        )));
    }
    let mut seen = HashSet::new();
    let mut items = Vec::new();
    for r in requests {
        let s = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_owned);
        let id = s("id").ok_or_else(|| {
            AppError::odata_bad_request(
                "Invalid batch payload format: every request needs an 'id'.",
            )
        })?;
        if !seen.insert(id.to_lowercase()) {
            return Err(AppError::odata_bad_request(format!(
                "Batch request contains duplicate request id '{id}'."
            )));
        }
        let method = s("method")
            .and_then(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
            .ok_or_else(|| {
                AppError::odata_bad_request(format!("Invalid method for request '{id}'."))
            })?;
        let url = s("url").ok_or_else(|| {
            AppError::odata_bad_request(format!("Invalid url for request '{id}'."))
        })?;
        let headers = r
            .get("headers")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let body = r.get("body").cloned().filter(|b| !b.is_null());
        if body.is_some()
            && !headers
                .keys()
                .any(|k| k.eq_ignore_ascii_case("content-type"))
        {
            return Err(AppError::odata_bad_request(format!(
                "Content-Type header is required for request '{id}' with a body."
            )));
        }
        let depends_on = match r.get("dependsOn") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            Some(_) => {
                return Err(AppError::odata_bad_request(format!(
                    "Invalid dependsOn for request '{id}'."
                )));
            }
        };
        items.push(Item {
            id,
            method,
            url,
            headers,
            body,
            depends_on,
        });
    }
    for it in &items {
        for d in &it.depends_on {
            if !seen.contains(&d.to_lowercase()) {
                return Err(AppError::odata_bad_request(format!(
                    "Request '{}' depends on unknown request '{d}'.",
                    it.id
                )));
            }
        }
    }
    Ok(items)
}

/// Orders items so dependencies run first; 400 on cycles.
fn order(items: &[Item]) -> AppResult<Vec<usize>> {
    let mut done: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    while out.len() < items.len() {
        let before = out.len();
        for (i, it) in items.iter().enumerate() {
            if out.contains(&i) {
                continue;
            }
            if it
                .depends_on
                .iter()
                .all(|d| done.contains(&d.to_lowercase()))
            {
                done.insert(it.id.to_lowercase());
                out.push(i);
            }
        }
        if out.len() == before {
            return Err(AppError::odata_bad_request(
                "Batch request dependencies contain a cycle.",
            ));
        }
    }
    Ok(out)
}

/// What the items of a batch take from the batch request itself.
struct Outer {
    ctx: Ctx,
    /// Items write their links under the batch request's origin.
    origin: Origin,
    headers: HeaderMap,
}

async fn batch(outer: Outer, body: Bytes, router: Router) -> AppResult<Response> {
    let body = json_object(&body)?;
    let items = parse_items(&body)?;
    let sequence = order(&items)?;
    let mut statuses: HashMap<String, u16> = HashMap::new();
    let mut responses: Vec<(usize, Value)> = Vec::new();
    let mut dropped = false;
    for i in sequence {
        let it = &items[i];
        let failed_dep = it
            .depends_on
            .iter()
            .any(|d| statuses.get(&d.to_lowercase()).is_none_or(|s| *s >= 400));
        let resp = if failed_dep {
            json!({
                "id": it.id,
                "status": 424,
                "headers": {"Content-Type": "application/json"},
                "body": {"error": {"code": "FailedDependency", "message": "The request could not be completed because a request it depends on failed."}},
            })
        } else {
            let (resp, lost) = run_item(&router, &outer, it).await;
            dropped |= lost;
            resp
        };
        let status = resp.get("status").and_then(Value::as_u64).unwrap_or(500);
        statuses.insert(it.id.to_lowercase(), u16::try_from(status).unwrap_or(500));
        responses.push((i, resp));
    }
    if dropped {
        return Ok(broken_response());
    }
    responses.sort_by_key(|(i, _)| *i);
    let value: Vec<Value> = responses.into_iter().map(|(_, v)| v).collect();
    Ok(json(StatusCode::OK, json!({"responses": value})))
}

/// Runs one item; the flag is set when its connection was dropped after its write
/// committed.
async fn run_item(router: &Router, outer: &Outer, it: &Item) -> (Value, bool) {
    let ctx = &outer.ctx;
    if it.url.contains("$batch") {
        let e = item_error(
            it,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Nested batch requests are not supported.",
        );
        return (e, false);
    }
    let rel = it
        .url
        .trim_start_matches(&format!("{}/{}", ctx.base, ctx.version))
        .trim_start_matches(&format!("/{}", ctx.version));
    let uri = format!("/{}/{}", ctx.version, rel.trim_start_matches('/'));
    let mut builder = Request::builder().method(it.method.clone()).uri(uri);
    for name in [
        header::AUTHORIZATION,
        header::HOST,
        HeaderName::from_static(CONSISTENCY_HEADER),
    ] {
        if let Some(v) = outer.headers.get(&name) {
            builder = builder.header(name, v.clone());
        }
    }
    for (k, v) in &it.headers {
        if let Some(v) = v.as_str().and_then(|s| HeaderValue::from_str(s).ok()) {
            builder = builder.header(k.as_str(), v);
        }
    }
    let body = it
        .body
        .as_ref()
        .map_or_else(Body::empty, |b| Body::from(b.to_string()));
    let Ok(mut req) = builder.body(body).map(lowercase_guids) else {
        let e = item_error(
            it,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Invalid request in batch.",
        );
        return (e, false);
    };
    req.extensions_mut().insert(BatchItem);
    req.extensions_mut().insert(outer.origin.clone());
    let resp = match router.clone().oneshot(req).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    if resp.extensions().get::<CommitDropped>().is_some() {
        return (Value::Null, true);
    }
    (item_response(it, resp).await, false)
}

/// The batch entry for an item's response.
async fn item_response(it: &Item, resp: Response) -> Value {
    let status = resp.status().as_u16();
    let mut headers = Map::new();
    for (k, v) in resp.headers() {
        if matches!(
            k.as_str(),
            "content-type"
                | "location"
                | "retry-after"
                | "x-ms-throttle-scope"
                | "x-ms-throttle-information"
        ) {
            let name = match k.as_str() {
                "content-type" => "Content-Type",
                "location" => "Location",
                "retry-after" => "Retry-After",
                other => other,
            };
            headers.insert(
                name.into(),
                Value::String(v.to_str().unwrap_or_default().to_owned()),
            );
        }
    }
    let Ok(collected) = resp.into_body().collect().await else {
        // A connection dropped before processing cannot happen to one item of a batch
        // that has arrived whole; report it as unavailable.
        return item_error(
            it,
            StatusCode::SERVICE_UNAVAILABLE,
            "serviceNotAvailable",
            "Service is unavailable. Please try again later.",
        );
    };
    let bytes = collected.to_bytes();
    let mut out = json!({"id": it.id, "status": status, "headers": headers});
    if !bytes.is_empty() {
        out["body"] = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    }
    out
}

fn item_error(it: &Item, status: StatusCode, code: &str, message: &str) -> Value {
    json!({
        "id": it.id,
        "status": status.as_u16(),
        "headers": {"Content-Type": "application/json"},
        "body": AppError::new(status, code, message).body(),
    })
}
