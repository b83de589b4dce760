//! Workload identity federation (OIDC): an external IdP's token is posted as the
//! client assertion of a client-credentials request.

use async_trait::async_trait;

use super::federated_token::FederatedTokenSource;
use super::token::{AccessToken, AuthError, JWT_BEARER, TokenCredential, request_token, token_url};

/// Authenticates an app registration through one of its federated identity credentials.
#[derive(Debug)]
pub struct WorkloadIdentityCredential {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    source: FederatedTokenSource,
}

impl WorkloadIdentityCredential {
    /// A credential posting to `{login_endpoint}/{tenant_id}/oauth2/v2.0/token`.
    pub fn new(
        http: reqwest::Client,
        login_endpoint: &str,
        tenant_id: &str,
        client_id: &str,
        source: FederatedTokenSource,
    ) -> WorkloadIdentityCredential {
        WorkloadIdentityCredential {
            http,
            token_url: token_url(login_endpoint, tenant_id),
            client_id: client_id.to_owned(),
            source,
        }
    }
}

#[async_trait]
impl TokenCredential for WorkloadIdentityCredential {
    async fn get_token(&self, scope: &str) -> Result<AccessToken, AuthError> {
        let assertion = self.source.fetch(&self.http).await?;
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", assertion.expose()),
            ("scope", scope),
        ];
        request_token(&self.http, &self.token_url, &form, "OIDC").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::auth::Secret;
    use crate::graph::auth::testing::{Reply, TestServer};

    #[tokio::test]
    async fn posts_the_external_token_as_the_client_assertion() {
        let idp = TestServer::start(vec![Reply::json(200, r#"{"value":"ext.jwt.sig"}"#)]).await;
        let login = TestServer::start(vec![Reply::json(
            200,
            r#"{"access_token":"tok","expires_in":"3599"}"#,
        )])
        .await;
        let source = FederatedTokenSource::GitHubActions {
            request_url: format!("{}/id", idp.url()),
            request_token: Secret::new("rt"),
            audience: "api://AzureADTokenExchange".to_owned(),
        };
        let cred = WorkloadIdentityCredential::new(
            reqwest::Client::new(),
            &login.url(),
            "t1",
            "app",
            source,
        );
        assert_eq!(
            cred.get_token("https://graph.microsoft.com/.default")
                .await
                .unwrap()
                .token
                .expose(),
            "tok"
        );
        let req = login.request(0);
        assert_eq!(req.target, "/t1/oauth2/v2.0/token");
        let form = req.form();
        assert_eq!(form["grant_type"], "client_credentials");
        assert_eq!(form["client_id"], "app");
        assert_eq!(form["client_assertion_type"], JWT_BEARER);
        assert_eq!(form["client_assertion"], "ext.jwt.sig");
        assert_eq!(form["scope"], "https://graph.microsoft.com/.default");
        assert!(!format!("{cred:?}").contains("ext.jwt.sig"));
    }

    #[tokio::test]
    async fn a_rejected_assertion_reports_the_aadsts_error() {
        let login = TestServer::start(vec![Reply::json(
            400,
            r#"{"error":"invalid_client","error_description":"AADSTS70021: No matching federated identity record found for presented assertion."}"#,
        )])
        .await;
        let cred = WorkloadIdentityCredential::new(
            reqwest::Client::new(),
            &login.url(),
            "t1",
            "app",
            FederatedTokenSource::Token(Secret::new("ext.jwt.sig")),
        );
        let err = cred
            .get_token("https://graph.microsoft.com/.default")
            .await
            .unwrap_err();
        assert!(err.0.contains("AADSTS70021"), "{err}");
        assert!(!err.0.contains("ext.jwt.sig"));
    }
}
