//! The one Graph error type, rendered as Graph's v1.0 error envelope.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::context;

/// Result alias for Graph handlers.
pub type AppResult<T> = Result<T, AppError>;

/// A Graph error: status, `error.code`, `error.message`, plus optional headers.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct AppError {
    /// HTTP status.
    pub status: StatusCode,
    /// `error.code`.
    pub code: String,
    /// `error.message`.
    pub message: String,
    /// `Retry-After` header value, for 429/503.
    pub retry_after: Option<String>,
    /// Adds a `WWW-Authenticate` header (401).
    pub www_authenticate: bool,
    /// Extra response headers.
    pub headers: Vec<(&'static str, String)>,
}

impl AppError {
    /// Builds an error with the given status, code and message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
            retry_after: None,
            www_authenticate: false,
            headers: Vec::new(),
        }
    }

    /// 400 `Request_BadRequest`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
    }

    /// 400 `BadRequest` (OData layer errors).
    pub fn odata_bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// 400 `Request_UnsupportedQuery`.
    pub fn unsupported_query(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Request_UnsupportedQuery", message)
    }

    /// 404 `Request_ResourceNotFound` naming `id`.
    pub fn not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!(
                "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
            ),
        )
    }

    /// 403 `Authorization_RequestDenied`.
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    /// 401 `InvalidAuthenticationToken`.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        );
        e.www_authenticate = true;
        e
    }

    /// 429 `TooManyRequests` with an optional `Retry-After`.
    pub fn throttled(retry_after: Option<String>) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Please retry again later.",
        );
        e.retry_after = retry_after;
        e
    }

    /// 400 for a write that references an object the serving replica does not have yet
    /// (observed in the wild right after creating the referenced object).
    pub fn not_valid_reference() -> Self {
        Self::bad_request("Not a valid reference update.")
    }

    /// 413 for a request body over the size limit (Graph's exact text is unconfirmed).
    pub fn too_large(limit_bytes: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            format!(
                "The request body is too large. The maximum request size is {} MB.",
                limit_bytes / (1024 * 1024)
            ),
        )
    }

    /// 400 for a malformed JSON body.
    pub fn invalid_json() -> Self {
        Self::odata_bad_request(
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        )
    }

    /// 400 for a property value Graph cannot accept.
    pub fn invalid_value(property: &str, resource: &str) -> Self {
        Self::bad_request(format!(
            "Invalid value specified for property '{property}' of resource '{resource}'."
        ))
    }

    /// 405 for a method the route does not serve.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        )
    }

    /// The JSON body Graph would send.
    pub fn body(&self) -> serde_json::Value {
        let ids = context::current();
        let mut inner = json!({
            "date": context::graph_date(),
            "request-id": ids.request_id,
            "client-request-id": ids.client_request_id,
        });
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            inner["code"] = json!("429");
            inner["status"] = json!("429");
            inner["message"] = json!("Please retry after");
        }
        json!({"error": {"code": self.code, "message": self.message, "innerError": inner}})
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = self.body();
        let mut resp = (self.status, axum::Json(body)).into_response();
        let headers = resp.headers_mut();
        if let Some(ra) = self.retry_after.as_deref()
            && let Ok(v) = HeaderValue::from_str(ra)
        {
            headers.insert(header::RETRY_AFTER, v);
        }
        for (name, value) in &self.headers {
            if let Ok(v) = HeaderValue::from_str(value) {
                headers.insert(*name, v);
            }
        }
        if self.www_authenticate {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(
                    "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
                ),
            );
        }
        resp
    }
}

/// An Entra token endpoint error (AADSTS shape).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{error}: AADSTS{code}: {description}")]
pub struct TokenError {
    /// HTTP status (400 or 401).
    pub status: StatusCode,
    /// OAuth `error`.
    pub error: &'static str,
    /// AADSTS number.
    pub code: u32,
    /// Text after `AADSTSnnnn: `.
    pub description: String,
}

impl TokenError {
    /// Builds a token error.
    pub fn new(
        status: StatusCode,
        error: &'static str,
        code: u32,
        description: impl Into<String>,
    ) -> Self {
        Self {
            status,
            error,
            code,
            description: description.into(),
        }
    }

    /// 400 invalid_request AADSTS900144 for a missing parameter.
    pub fn missing(param: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900_144,
            format!("The request body must contain the following parameter: '{param}'."),
        )
    }
}

impl IntoResponse for TokenError {
    fn into_response(self) -> Response {
        let ids = context::current();
        let now = chrono::Utc::now();
        let stamp = now.format("%Y-%m-%d %H:%M:%SZ").to_string();
        let trace_id = uuid::Uuid::new_v4().to_string();
        let correlation = ids.client_request_id.clone();
        let description = format!(
            "AADSTS{}: {} Trace ID: {trace_id} Correlation ID: {correlation} Timestamp: {stamp}",
            self.code, self.description
        );
        let body = json!({
            "error": self.error,
            "error_description": description,
            "error_codes": [self.code],
            "timestamp": stamp,
            "trace_id": trace_id,
            "correlation_id": correlation,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        });
        let mut resp = (self.status, axum::Json(body)).into_response();
        resp.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store, no-cache"),
        );
        resp
    }
}
