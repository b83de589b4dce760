//! What every credential shares: the token type, its errors, the trait, and the
//! token endpoint request and answer.

use std::fmt;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::secret::Secret;

/// `client_assertion_type` for certificate and federated assertions.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Lifetime assumed when a token response does not say.
pub(crate) const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);

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
        f.debug_struct("AccessToken")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
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

/// `{login_endpoint}/{tenant}/oauth2/v2.0/token`.
pub(crate) fn token_url(login_endpoint: &str, tenant_id: &str) -> String {
    format!(
        "{}/{tenant_id}/oauth2/v2.0/token",
        login_endpoint.trim_end_matches('/')
    )
}

/// The resource a `…/.default` scope names (managed identity and the Azure CLI want it).
pub(crate) fn resource_of(scope: &str) -> &str {
    scope.strip_suffix("/.default").unwrap_or(scope)
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// How long until the Unix time `epoch` (zero when past).
pub(crate) fn until_epoch(epoch: i64) -> Duration {
    Duration::from_secs(u64::try_from(epoch - unix_now()).unwrap_or(0))
}

/// Posts a client-credentials form to the Entra token endpoint and reads the token.
/// `method` names the credential in logs.
pub(crate) async fn request_token(
    http: &reqwest::Client,
    token_url: &str,
    form: &[(&str, &str)],
    method: &str,
) -> Result<AccessToken, AuthError> {
    let started = Instant::now();
    let response = http.post(token_url).form(form).send().await.map_err(|e| {
        AuthError(format!(
            "could not reach the token endpoint {token_url}: {e}"
        ))
    })?;
    let status = response.status();
    tracing::debug!(
        url = %token_url,
        status = status.as_u16(),
        duration_ms = started.elapsed().as_millis() as u64,
        "token request ({method})"
    );
    let body = response
        .bytes()
        .await
        .map_err(|e| AuthError(format!("reading the token response: {e}")))?;
    if !status.is_success() {
        return Err(AuthError(describe_token_error(status.as_u16(), &body)));
    }
    let json: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
        AuthError(format!(
            "the token endpoint answered with invalid JSON: {e}"
        ))
    })?;
    token_from_response(&json)
}

/// Reads a token endpoint's JSON answer: `expires_in` (number or string, seconds) or,
/// failing that, `expires_on` (Unix time, number or string; App Service).
pub(crate) fn token_from_response(json: &serde_json::Value) -> Result<AccessToken, AuthError> {
    let token = json
        .get("access_token")
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            AuthError("the token endpoint answered without an access_token".to_owned())
        })?;
    let number = |key: &str| {
        json.get(key).and_then(|e| {
            e.as_i64()
                .or_else(|| e.as_str().and_then(|s| s.trim().parse().ok()))
        })
    };
    let lifetime = match (number("expires_in"), number("expires_on")) {
        (Some(secs), _) => Duration::from_secs(u64::try_from(secs).unwrap_or(0)),
        (None, Some(epoch)) => until_epoch(epoch),
        (None, None) => DEFAULT_LIFETIME,
    };
    Ok(AccessToken::new(Secret::new(token), lifetime))
}

/// Describes an Entra token-endpoint error (`error`, `error_description`) without
/// echoing anything the caller sent.
pub(crate) fn describe_token_error(status: u16, body: &[u8]) -> String {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or(serde_json::Value::Null);
    let error = json
        .get("error")
        .and_then(|e| e.as_str())
        .unwrap_or("unknown_error");
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
        let t =
            token_from_response(&serde_json::json!({"access_token": "abc", "expires_in": "60"}))
                .unwrap();
        assert!(t.expires_at <= Instant::now() + Duration::from_secs(60));
        assert_eq!(t.token.expose(), "abc");
        assert!(token_from_response(&serde_json::json!({"expires_in": 5})).is_err());
    }

    #[test]
    fn expires_on_is_used_when_expires_in_is_absent() {
        let on = (unix_now() + 1200).to_string();
        let t = token_from_response(&serde_json::json!({"access_token": "abc", "expires_on": on}))
            .unwrap();
        let left = t.expires_at.saturating_duration_since(Instant::now());
        assert!(
            left > Duration::from_secs(1100) && left <= Duration::from_secs(1200),
            "{left:?}"
        );
        let t = token_from_response(&serde_json::json!({"access_token": "abc"})).unwrap();
        assert!(t.expires_at <= Instant::now() + DEFAULT_LIFETIME);
    }

    #[test]
    fn token_errors_keep_the_aadsts_code() {
        let body = br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x"}"#;
        assert_eq!(
            describe_token_error(401, body),
            "the token endpoint answered 401 invalid_client: AADSTS7000215: Invalid client secret provided."
        );
    }

    #[test]
    fn resources_drop_the_default_suffix() {
        assert_eq!(
            resource_of("https://graph.microsoft.com/.default"),
            "https://graph.microsoft.com"
        );
        assert_eq!(
            resource_of("https://graph.microsoft.us"),
            "https://graph.microsoft.us"
        );
    }
}
