//! Credentials that obtain Microsoft Entra access tokens for Graph, one per file,
//! behind one small trait. The provider configuration picks exactly one.

mod cache;
mod client_secret;
mod secret;

use std::fmt;
use std::time::{Duration, Instant};

use async_trait::async_trait;

pub use cache::CachedCredential;
pub use client_secret::ClientSecretCredential;
pub use secret::Secret;

/// A bearer token and when it stops working.
#[derive(Clone)]
pub struct AccessToken {
    /// The token itself.
    pub token: Secret,
    /// When it expires.
    pub expires_at: Instant,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken").field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

impl AccessToken {
    /// A token valid for `lifetime` from now.
    pub fn new(token: Secret, lifetime: Duration) -> AccessToken {
        AccessToken {
            token,
            expires_at: Instant::now() + lifetime,
        }
    }
}

/// Why no token could be had.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct AuthError(pub String);

/// Something that can produce access tokens for a scope such as
/// `https://graph.microsoft.com/.default`.
#[async_trait]
pub trait TokenCredential: Send + Sync + fmt::Debug {
    /// Obtains a fresh token (callers cache it; see [`CachedCredential`]).
    async fn get_token(&self, scope: &str) -> Result<AccessToken, AuthError>;
}

/// Reads the token endpoint's JSON answer (`expires_in` as a number or a string).
pub(crate) fn token_from_response(json: &serde_json::Value) -> Result<AccessToken, AuthError> {
    let token = json
        .get("access_token")
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AuthError("the token endpoint answered without an access_token".to_owned()))?;
    let expires_in = json
        .get("expires_in")
        .and_then(|e| e.as_u64().or_else(|| e.as_str().and_then(|s| s.parse().ok())))
        .unwrap_or(3599);
    Ok(AccessToken::new(Secret::new(token), Duration::from_secs(expires_in)))
}

/// Describes an Entra token-endpoint error (`error`, `error_description`) without
/// echoing anything the caller sent.
pub(crate) fn describe_token_error(status: u16, body: &[u8]) -> String {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or(serde_json::Value::Null);
    let error = json.get("error").and_then(|e| e.as_str()).unwrap_or("unknown_error");
    let description = json
        .get("error_description")
        .and_then(|e| e.as_str())
        .map(|d| d.lines().next().unwrap_or(d).to_owned())
        .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(300).collect());
    format!("the token endpoint answered {status} {error}: {description}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_lifetimes_accept_numbers_and_strings() {
        let t = token_from_response(&serde_json::json!({"access_token": "abc", "expires_in": "60"})).unwrap();
        assert!(t.expires_at <= Instant::now() + Duration::from_secs(60));
        assert_eq!(t.token.expose(), "abc");
        assert!(token_from_response(&serde_json::json!({"expires_in": 5})).is_err());
    }

    #[test]
    fn token_errors_keep_the_aadsts_code() {
        let body = br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x"}"#;
        assert_eq!(
            describe_token_error(401, body),
            "the token endpoint answered 401 invalid_client: AADSTS7000215: Invalid client secret provided."
        );
    }
}
