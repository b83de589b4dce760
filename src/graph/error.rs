//! Graph and token endpoint failures, keeping what Graph said for the user.

use std::fmt;

/// Graph's answer to a failed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// Graph's error code, e.g. `Request_ResourceNotFound`.
    pub code: String,
    /// Graph's message.
    pub message: String,
    /// The `request-id` to quote to Microsoft support.
    pub request_id: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Graph answered {} {}: {}",
            self.status, self.code, self.message
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " (request-id {id})")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong talking to Graph.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// Graph answered with an error status.
    #[error("{0}")]
    Api(ApiError),
    /// No token could be obtained.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The request never got an answer.
    #[error("could not reach {url}: {message}")]
    Transport {
        /// Where the request went.
        url: String,
        /// Why it failed.
        message: String,
    },
    /// Graph answered with something that is not the expected JSON.
    #[error("unexpected response from Graph: {0}")]
    Decode(String),
    /// The operation's deadline passed while retrying.
    #[error("gave up after {attempts} attempts within the operation's timeout; last error: {last}")]
    Timeout {
        /// How many requests were sent.
        attempts: u32,
        /// The last failure.
        last: Box<GraphError>,
    },
    /// Terraform asked the provider to stop.
    #[error("cancelled: Terraform asked the provider to stop")]
    Cancelled,
}

impl GraphError {
    /// The HTTP status Graph answered with, if any (looking through timeouts).
    pub fn status(&self) -> Option<u16> {
        match self {
            GraphError::Api(e) => Some(e.status),
            GraphError::Timeout { last, .. } => last.status(),
            _ => None,
        }
    }

    /// Whether Graph said the object does not exist: a 404 with a not-found error code
    /// (`Request_ResourceNotFound`, `ResourceNotFound`…). A 404 without one (a routing
    /// error such as "The OData path is invalid", or a proxy's empty 404) is not.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
            && self
                .api()
                .is_some_and(|a| a.code.to_ascii_lowercase().contains("notfound"))
    }

    /// Graph's error details, if Graph answered.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            GraphError::Api(e) => Some(e),
            GraphError::Timeout { last, .. } => last.api(),
            _ => None,
        }
    }
}

/// A create that failed after it made something: the id of what it made (the caller
/// records it rather than lose it) and why it did not finish.
#[derive(Debug)]
pub struct CreateError {
    /// The object that exists now, if the failure came after it was made.
    pub made: Option<String>,
    /// The failure.
    pub error: GraphError,
}

impl From<GraphError> for CreateError {
    fn from(error: GraphError) -> Self {
        CreateError { made: None, error }
    }
}

/// Parses Graph's error envelope, accepting `innerError`/`innererror` and the legacy
/// `odata.error` shape whose message is `{"value": …}`.
pub fn parse_api_error(status: u16, header_request_id: Option<String>, body: &[u8]) -> ApiError {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or(serde_json::Value::Null);
    let err = json.get("error").or_else(|| json.get("odata.error"));
    let code = err
        .and_then(|e| e.get("code"))
        .and_then(|c| c.as_str())
        .unwrap_or("UnknownError")
        .to_owned();
    let message = err
        .and_then(|e| e.get("message"))
        .and_then(|m| {
            m.as_str()
                .or_else(|| m.get("value").and_then(|v| v.as_str()))
        })
        .map(ToOwned::to_owned)
        .unwrap_or_else(|| {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            if text.is_empty() {
                "no error details".to_owned()
            } else {
                text.chars().take(500).collect()
            }
        });
    let inner = err.and_then(|e| e.get("innerError").or_else(|| e.get("innererror")));
    let request_id = inner
        .and_then(|i| i.get("request-id"))
        .and_then(|r| r.as_str())
        .map(ToOwned::to_owned)
        .or(header_request_id);
    ApiError {
        status,
        code,
        message,
        request_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_modern_envelope() {
        let body = br#"{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist.","innerError":{"date":"2026-01-01T00:00:00","request-id":"r-1","client-request-id":"c-1"}}}"#;
        let e = parse_api_error(404, Some("hdr".into()), body);
        assert_eq!(e.code, "Request_ResourceNotFound");
        assert_eq!(e.request_id.as_deref(), Some("r-1"));
        assert_eq!(
            e.to_string(),
            "Graph answered 404 Request_ResourceNotFound: Resource 'x' does not exist. (request-id r-1)"
        );
        assert!(GraphError::Api(e).is_not_found());
    }

    #[test]
    fn only_a_not_found_code_means_absent() {
        let routing = parse_api_error(
            404,
            None,
            br#"{"error":{"code":"BadRequest","message":"The OData path is invalid."}}"#,
        );
        assert!(!GraphError::Api(routing).is_not_found());
        assert!(!GraphError::Api(parse_api_error(404, None, b"")).is_not_found());
        let gone = parse_api_error(
            404,
            None,
            br#"{"error":{"code":"ResourceNotFound","message":"x"}}"#,
        );
        assert!(GraphError::Api(gone).is_not_found());
    }

    #[test]
    fn parses_the_legacy_envelope_and_plain_bodies() {
        let body = br#"{"odata.error":{"code":"Request_BadRequest","message":{"lang":"en","value":"Bad role."}}}"#;
        let e = parse_api_error(400, Some("hdr".into()), body);
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("Request_BadRequest", "Bad role.")
        );
        assert_eq!(e.request_id.as_deref(), Some("hdr"));
        let plain = parse_api_error(502, None, b"Bad Gateway");
        assert_eq!(plain.message, "Bad Gateway");
    }
}
