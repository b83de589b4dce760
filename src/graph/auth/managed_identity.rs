//! Managed identity: the VM/VMSS instance metadata service (IMDS) or the App Service /
//! Functions identity endpoint.

use async_trait::async_trait;

use super::secret::Secret;
use super::token::{
    AccessToken, AuthError, TokenCredential, describe_token_error, resource_of, token_from_response,
};

/// The IMDS token endpoint (the one plain-http, non-loopback URL the provider accepts).
pub const IMDS_ENDPOINT: &str = "http://169.254.169.254/metadata/identity/oauth2/token";
const IMDS_API_VERSION: &str = "2018-02-01";
const APP_SERVICE_API_VERSION: &str = "2019-08-01";

/// Which managed identity endpoint to ask.
#[derive(Debug, Clone)]
pub enum ManagedIdentityEndpoint {
    /// IMDS form: `GET {url}?api-version=2018-02-01&resource=…` with `Metadata: true`.
    Imds {
        /// Token URL, usually [`IMDS_ENDPOINT`].
        url: String,
    },
    /// App Service form: `GET {url}?api-version=2019-08-01&resource=…` with
    /// `X-IDENTITY-HEADER`.
    AppService {
        /// `IDENTITY_ENDPOINT`.
        url: String,
        /// `IDENTITY_HEADER`.
        header: Secret,
    },
}

impl ManagedIdentityEndpoint {
    /// The endpoint, for logs.
    pub fn describe(&self) -> String {
        match self {
            ManagedIdentityEndpoint::Imds { url } => format!("IMDS at {url}"),
            ManagedIdentityEndpoint::AppService { url, .. } => {
                format!("App Service identity endpoint {url}")
            }
        }
    }
}

/// Authenticates as the system-assigned identity, or a user-assigned one by client id.
#[derive(Debug)]
pub struct ManagedIdentityCredential {
    http: reqwest::Client,
    endpoint: ManagedIdentityEndpoint,
    client_id: Option<String>,
}

impl ManagedIdentityCredential {
    /// A credential for `endpoint`; `client_id` selects a user-assigned identity.
    pub fn new(
        http: reqwest::Client,
        endpoint: ManagedIdentityEndpoint,
        client_id: Option<String>,
    ) -> ManagedIdentityCredential {
        ManagedIdentityCredential {
            http,
            endpoint,
            client_id,
        }
    }
}

#[async_trait]
impl TokenCredential for ManagedIdentityCredential {
    async fn get_token(&self, scope: &str) -> Result<AccessToken, AuthError> {
        let resource = resource_of(scope);
        let (url, api_version) = match &self.endpoint {
            ManagedIdentityEndpoint::Imds { url } => (url, IMDS_API_VERSION),
            ManagedIdentityEndpoint::AppService { url, .. } => (url, APP_SERVICE_API_VERSION),
        };
        let mut query = vec![("api-version", api_version), ("resource", resource)];
        if let Some(id) = &self.client_id {
            query.push(("client_id", id.as_str()));
        }
        let request = self.http.get(url.as_str()).query(&query);
        let request = match &self.endpoint {
            ManagedIdentityEndpoint::Imds { .. } => request.header("Metadata", "true"),
            ManagedIdentityEndpoint::AppService { header, .. } => {
                request.header("X-IDENTITY-HEADER", header.expose())
            }
        };
        let response = request.send().await.map_err(|e| {
            AuthError(format!(
                "could not reach the managed identity endpoint {url} (is this running on Azure with a managed identity?): {}",
                e.without_url()
            ))
        })?;
        let status = response.status();
        tracing::debug!(url = %url, status = status.as_u16(), "token request (managed identity)");
        let body = response
            .bytes()
            .await
            .map_err(|e| AuthError(format!("reading the managed identity response: {e}")))?;
        if !status.is_success() {
            return Err(AuthError(format!(
                "managed identity: {}",
                describe_token_error(status.as_u16(), &body)
            )));
        }
        let json: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
            AuthError(format!(
                "the managed identity endpoint answered with invalid JSON: {e}"
            ))
        })?;
        token_from_response(&json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::auth::testing::{Reply, TestServer};
    use std::time::{Duration, Instant};

    #[tokio::test]
    async fn imds_requests_send_metadata_and_accept_string_lifetimes() {
        let server = TestServer::start(vec![Reply::json(
            200,
            r#"{"access_token":"tok","refresh_token":"","expires_in":"3599","expires_on":"1506484173","not_before":"1506480273","resource":"https://graph.microsoft.com","token_type":"Bearer"}"#,
        )])
        .await;
        let endpoint = ManagedIdentityEndpoint::Imds {
            url: format!("{}/metadata/identity/oauth2/token", server.url()),
        };
        let cred = ManagedIdentityCredential::new(
            reqwest::Client::new(),
            endpoint,
            Some("mi-client".to_owned()),
        );
        let token = cred
            .get_token("https://graph.microsoft.com/.default")
            .await
            .unwrap();
        assert_eq!(token.token.expose(), "tok");
        assert!(token.expires_at > Instant::now() + Duration::from_secs(3500));
        let req = server.request(0);
        assert_eq!(req.method, "GET");
        assert_eq!(req.path(), "/metadata/identity/oauth2/token");
        assert_eq!(req.header("metadata"), Some("true"));
        let q = req.query();
        assert_eq!(q["api-version"], "2018-02-01");
        assert_eq!(q["resource"], "https://graph.microsoft.com");
        assert_eq!(q["client_id"], "mi-client");
    }

    #[tokio::test]
    async fn app_service_requests_send_the_identity_header() {
        let on = crate::graph::auth::token::unix_now() + 1800;
        let server = TestServer::start(vec![Reply::json(
            200,
            format!(r#"{{"access_token":"tok","expires_on":"{on}"}}"#),
        )])
        .await;
        let endpoint = ManagedIdentityEndpoint::AppService {
            url: format!("{}/msi/token", server.url()),
            header: Secret::new("hdr"),
        };
        let cred = ManagedIdentityCredential::new(reqwest::Client::new(), endpoint, None);
        let token = cred
            .get_token("https://graph.microsoft.us/.default")
            .await
            .unwrap();
        assert!(token.expires_at > Instant::now() + Duration::from_secs(1700));
        let req = server.request(0);
        assert_eq!(req.header("x-identity-header"), Some("hdr"));
        assert_eq!(req.header("metadata"), None);
        let q = req.query();
        assert_eq!(q["api-version"], "2019-08-01");
        assert_eq!(q["resource"], "https://graph.microsoft.us");
        assert!(!q.contains_key("client_id"));
        assert!(!format!("{cred:?}").contains("hdr"));
    }

    #[tokio::test]
    async fn errors_name_the_identity_problem() {
        let server = TestServer::start(vec![Reply::json(
            400,
            r#"{"error":"invalid_request","error_description":"Identity not found"}"#,
        )])
        .await;
        let endpoint = ManagedIdentityEndpoint::Imds { url: server.url() };
        let cred = ManagedIdentityCredential::new(reqwest::Client::new(), endpoint, None);
        let err = cred
            .get_token("https://graph.microsoft.com/.default")
            .await
            .unwrap_err();
        assert!(err.0.contains("Identity not found"), "{err}");
        let unreachable = ManagedIdentityCredential::new(
            reqwest::Client::new(),
            ManagedIdentityEndpoint::Imds {
                url: "http://127.0.0.1:9/token".to_owned(),
            },
            None,
        );
        let err = unreachable
            .get_token("https://graph.microsoft.com/.default")
            .await
            .unwrap_err();
        assert!(
            err.0
                .contains("could not reach the managed identity endpoint"),
            "{err}"
        );
    }
}
