//! OAuth 2.0 client credentials with a client secret.

use async_trait::async_trait;

use super::{AccessToken, AuthError, Secret, TokenCredential, describe_token_error, token_from_response};

/// Authenticates an app registration with its client secret.
pub struct ClientSecretCredential {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    secret: Secret,
}

impl std::fmt::Debug for ClientSecretCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSecretCredential")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl ClientSecretCredential {
    /// A credential posting to `{login_endpoint}/{tenant_id}/oauth2/v2.0/token`.
    pub fn new(
        http: reqwest::Client,
        login_endpoint: &str,
        tenant_id: &str,
        client_id: &str,
        secret: Secret,
    ) -> ClientSecretCredential {
        ClientSecretCredential {
            http,
            token_url: format!("{}/{tenant_id}/oauth2/v2.0/token", login_endpoint.trim_end_matches('/')),
            client_id: client_id.to_owned(),
            secret,
        }
    }
}

#[async_trait]
impl TokenCredential for ClientSecretCredential {
    async fn get_token(&self, scope: &str) -> Result<AccessToken, AuthError> {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.secret.expose()),
            ("scope", scope),
        ];
        let started = std::time::Instant::now();
        let response = self
            .http
            .post(&self.token_url)
            .form(&form)
            .send()
            .await
            .map_err(|e| AuthError(format!("could not reach the token endpoint {}: {e}", self.token_url)))?;
        let status = response.status();
        tracing::debug!(
            url = %self.token_url,
            status = status.as_u16(),
            duration_ms = started.elapsed().as_millis() as u64,
            "token request (client secret)"
        );
        let body = response
            .bytes()
            .await
            .map_err(|e| AuthError(format!("reading the token response: {e}")))?;
        if !status.is_success() {
            return Err(AuthError(describe_token_error(status.as_u16(), &body)));
        }
        let json: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| AuthError(format!("the token endpoint answered with invalid JSON: {e}")))?;
        token_from_response(&json)
    }
}
