//! Per-request context (request ids) carried in a task-local so error bodies can quote it.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

tokio::task_local! {
    static CURRENT: RequestIds;
}

/// The ids Graph echoes in `innerError` and response headers.
#[derive(Debug, Clone)]
pub struct RequestIds {
    /// Server-generated `request-id`.
    pub request_id: String,
    /// Client-supplied `client-request-id`, or the request id when absent (as Graph does).
    pub client_request_id: String,
    /// Whether the client sent its own `client-request-id`.
    pub client_sent: bool,
}

impl RequestIds {
    fn new(client: Option<String>) -> Self {
        let request_id = uuid::Uuid::new_v4().to_string();
        let client_sent = client.is_some();
        let client_request_id = client.unwrap_or_else(|| request_id.clone());
        Self {
            request_id,
            client_request_id,
            client_sent,
        }
    }
}

/// The ids of the request being served (fresh ones outside a request).
pub fn current() -> RequestIds {
    CURRENT
        .try_with(Clone::clone)
        .unwrap_or_else(|_| RequestIds::new(None))
}

/// Runs `fut` with `ids` as the current request context.
pub async fn scope<F: Future>(ids: RequestIds, fut: F) -> F::Output {
    CURRENT.scope(ids, fut).await
}

/// Middleware: assigns a request id, echoes `client-request-id`, sets both response headers.
pub async fn request_ids(req: Request, next: Next) -> Response {
    let client = req
        .headers()
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let ids = RequestIds::new(client);
    let mut resp = CURRENT.scope(ids.clone(), next.run(req)).await;
    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&ids.request_id) {
        headers.insert(HeaderName::from_static("request-id"), v);
    }
    if let Ok(v) = HeaderValue::from_str(&ids.client_request_id) {
        headers.insert(HeaderName::from_static("client-request-id"), v);
    }
    resp
}

/// Timestamp formatted like Graph's `innerError.date`.
pub fn graph_date() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string()
}
