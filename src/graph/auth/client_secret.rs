//! OAuth 2.0 client credentials with a client secret.

use async_trait::async_trait;

use super::secret::Secret;
use super::token::{AccessToken, AuthError, TokenCredential, request_token, token_url};

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
            token_url: token_url(login_endpoint, tenant_id),
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
        request_token(&self.http, &self.token_url, &form, "client secret").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::auth::testing::{Reply, TestServer};

    #[tokio::test]
    async fn posts_the_secret_as_a_form() {
        let server = TestServer::start(vec![Reply::json(
            200,
            r#"{"access_token":"tok","expires_in":3599}"#,
        )])
        .await;
        let cred = ClientSecretCredential::new(
            reqwest::Client::new(),
            &server.url(),
            "t1",
            "app",
            Secret::new("s3"),
        );
        let token = cred
            .get_token("https://graph.microsoft.com/.default")
            .await
            .unwrap();
        assert_eq!(token.token.expose(), "tok");
        let req = server.request(0);
        assert_eq!(req.method, "POST");
        assert_eq!(req.target, "/t1/oauth2/v2.0/token");
        assert_eq!(
            req.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        let form = req.form();
        assert_eq!(form["grant_type"], "client_credentials");
        assert_eq!(form["client_id"], "app");
        assert_eq!(form["client_secret"], "s3");
        assert_eq!(form["scope"], "https://graph.microsoft.com/.default");
        assert!(!format!("{cred:?}").contains("s3"));
    }

    #[tokio::test]
    async fn works_against_the_emulator() {
        let emu = entra_emulator::Emulator::start(
            ([127, 0, 0, 1], 0).into(),
            entra_emulator::Options::default(),
        )
        .await
        .unwrap();
        let cred = ClientSecretCredential::new(
            reqwest::Client::new(),
            &emu.url(),
            entra_emulator::DEMO_TENANT_ID,
            entra_emulator::DEMO_CLIENT_ID,
            Secret::new(entra_emulator::DEMO_CLIENT_SECRET),
        );
        let token = cred
            .get_token(&format!("{}/.default", emu.url()))
            .await
            .unwrap();
        assert!(token.token.expose().starts_with("ey"));
        let wrong = ClientSecretCredential::new(
            reqwest::Client::new(),
            &emu.url(),
            entra_emulator::DEMO_TENANT_ID,
            entra_emulator::DEMO_CLIENT_ID,
            Secret::new("wrong"),
        );
        let err = wrong
            .get_token(&format!("{}/.default", emu.url()))
            .await
            .unwrap_err();
        assert!(err.0.contains("invalid_client"), "{err}");
        emu.shutdown().await;
    }
}
