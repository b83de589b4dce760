//! Where a workload identity federation (OIDC) token comes from: given directly, read
//! from a file, or requested from GitHub Actions or an Azure DevOps service connection.

use std::path::PathBuf;

use super::{AuthError, Secret};

/// The GitHub Actions ID token API version.
const GITHUB_ACCEPT: &str = "application/json; api-version=2.0";
/// The Azure DevOps OIDC token API version.
const ADO_API_VERSION: &str = "7.1";

/// A source of external (IdP-issued) JWTs to exchange for Entra tokens.
#[derive(Debug, Clone)]
pub enum FederatedTokenSource {
    /// A token given in the configuration.
    Token(Secret),
    /// A file re-read on every exchange (e.g. a projected Kubernetes token).
    File(PathBuf),
    /// GitHub Actions: `GET {request_url}&audience=…` with `Authorization: bearer …`.
    GitHubActions {
        /// `ACTIONS_ID_TOKEN_REQUEST_URL`.
        request_url: String,
        /// `ACTIONS_ID_TOKEN_REQUEST_TOKEN`.
        request_token: Secret,
        /// The token-exchange audience of the cloud.
        audience: String,
    },
    /// Azure DevOps: `POST {request_url}?api-version=7.1&serviceConnectionId=…`.
    AzureDevOps {
        /// `SYSTEM_OIDCREQUESTURI`.
        request_url: String,
        /// `SYSTEM_ACCESSTOKEN`.
        request_token: Secret,
        /// The service connection id.
        service_connection_id: String,
    },
}

impl FederatedTokenSource {
    /// Where tokens come from, for logs (never a secret).
    pub fn describe(&self) -> String {
        match self {
            FederatedTokenSource::Token(_) => "a configured OIDC token".to_owned(),
            FederatedTokenSource::File(path) => format!("the OIDC token file {}", path.display()),
            FederatedTokenSource::GitHubActions { request_url, .. } => {
                format!(
                    "the GitHub Actions token request URL {}",
                    strip_query(request_url)
                )
            }
            FederatedTokenSource::AzureDevOps {
                service_connection_id,
                ..
            } => {
                format!("the Azure DevOps service connection {service_connection_id}")
            }
        }
    }

    /// Gets a current external token.
    pub async fn fetch(&self, http: &reqwest::Client) -> Result<Secret, AuthError> {
        let token = match self {
            FederatedTokenSource::Token(token) => return Ok(token.clone()),
            FederatedTokenSource::File(path) => {
                tokio::fs::read_to_string(path).await.map_err(|e| {
                    AuthError(format!(
                        "reading the OIDC token file {}: {e}",
                        path.display()
                    ))
                })?
            }
            FederatedTokenSource::GitHubActions {
                request_url,
                request_token,
                audience,
            } => {
                let url = with_query(request_url, &[("audience", audience)])?;
                let request = http
                    .get(url)
                    .header(
                        reqwest::header::AUTHORIZATION,
                        format!("bearer {}", request_token.expose()),
                    )
                    .header(reqwest::header::ACCEPT, GITHUB_ACCEPT)
                    .header(reqwest::header::CONTENT_TYPE, "application/json");
                fetch_json_field(request, "GitHub Actions", "value").await?
            }
            FederatedTokenSource::AzureDevOps {
                request_url,
                request_token,
                service_connection_id,
            } => {
                let url = with_query(
                    request_url,
                    &[
                        ("api-version", ADO_API_VERSION),
                        ("serviceConnectionId", service_connection_id),
                    ],
                )?;
                let request = http
                    .post(url)
                    .bearer_auth(request_token.expose())
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body("");
                fetch_json_field(request, "Azure DevOps", "oidcToken").await?
            }
        };
        let token = token.trim();
        if token.is_empty() {
            return Err(AuthError(format!(
                "{} gave an empty OIDC token",
                self.describe()
            )));
        }
        Ok(Secret::new(token))
    }
}

/// `url` with `params` set (replacing parameters of the same name).
fn with_query(url: &str, params: &[(&str, &str)]) -> Result<url::Url, AuthError> {
    let mut parsed = url::Url::parse(url).map_err(|e| {
        AuthError(format!(
            "invalid OIDC request URL {}: {e}",
            strip_query(url)
        ))
    })?;
    let kept: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(k, _)| !params.iter().any(|(p, _)| p == k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    parsed
        .query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .extend_pairs(params);
    Ok(parsed)
}

fn strip_query(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

async fn fetch_json_field(
    request: reqwest::RequestBuilder,
    who: &str,
    field: &str,
) -> Result<String, AuthError> {
    let response = request.send().await.map_err(|e| {
        AuthError(format!(
            "requesting an OIDC token from {who}: {}",
            e.without_url()
        ))
    })?;
    let status = response.status();
    tracing::debug!(status = status.as_u16(), "OIDC token request ({who})");
    let body = response
        .bytes()
        .await
        .map_err(|e| AuthError(format!("reading the {who} OIDC token response: {e}")))?;
    if !status.is_success() {
        let text: String = String::from_utf8_lossy(&body).chars().take(300).collect();
        return Err(AuthError(format!(
            "{who} refused the OIDC token request with {status}: {text}"
        )));
    }
    let json: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| AuthError(format!("the {who} OIDC token response is not JSON: {e}")))?;
    json.get(field)
        .and_then(|v| v.as_str())
        .map(ToOwned::to_owned)
        .ok_or_else(|| AuthError(format!("the {who} OIDC token response has no \"{field}\"")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::auth::testing::{Reply, TestServer};

    #[tokio::test]
    async fn github_actions_requests_carry_the_audience_and_bearer() {
        let server = TestServer::start(vec![Reply::json(
            200,
            r#"{"count":1,"value":"ext.jwt.sig"}"#,
        )])
        .await;
        let source = FederatedTokenSource::GitHubActions {
            request_url: format!("{}/idtoken?api-version=2.0", server.url()),
            request_token: Secret::new("req-token"),
            audience: "api://AzureADTokenExchangeUSGov".to_owned(),
        };
        assert_eq!(
            source
                .fetch(&reqwest::Client::new())
                .await
                .unwrap()
                .expose(),
            "ext.jwt.sig"
        );
        let req = server.request(0);
        assert_eq!(req.method, "GET");
        assert_eq!(req.path(), "/idtoken");
        assert_eq!(req.query()["audience"], "api://AzureADTokenExchangeUSGov");
        assert_eq!(req.query()["api-version"], "2.0");
        assert_eq!(req.header("authorization"), Some("bearer req-token"));
        assert!(!source.describe().contains("req-token"));
    }

    #[tokio::test]
    async fn azure_devops_requests_name_the_service_connection() {
        let server =
            TestServer::start(vec![Reply::json(200, r#"{"oidcToken":"ado.jwt.sig"}"#)]).await;
        let source = FederatedTokenSource::AzureDevOps {
            request_url: format!("{}/oidctoken", server.url()),
            request_token: Secret::new("system-access-token"),
            service_connection_id: "sc-1".to_owned(),
        };
        assert_eq!(
            source
                .fetch(&reqwest::Client::new())
                .await
                .unwrap()
                .expose(),
            "ado.jwt.sig"
        );
        let req = server.request(0);
        assert_eq!(req.method, "POST");
        assert_eq!(req.query()["api-version"], "7.1");
        assert_eq!(req.query()["serviceConnectionId"], "sc-1");
        assert_eq!(
            req.header("authorization"),
            Some("Bearer system-access-token")
        );
    }

    #[tokio::test]
    async fn request_failures_and_bad_answers_are_reported() {
        let server = TestServer::start(vec![
            Reply::json(403, r#"{"message":"no id-token permission"}"#),
            Reply::json(200, r#"{"count":0}"#),
        ])
        .await;
        let source = FederatedTokenSource::GitHubActions {
            request_url: format!("{}/idtoken", server.url()),
            request_token: Secret::new("req-token"),
            audience: "api://AzureADTokenExchange".to_owned(),
        };
        let http = reqwest::Client::new();
        let err = source.fetch(&http).await.unwrap_err();
        assert!(
            err.0.contains("403") && err.0.contains("no id-token permission"),
            "{err}"
        );
        let err = source.fetch(&http).await.unwrap_err();
        assert!(err.0.contains("no \"value\""), "{err}");
        assert!(!err.0.contains("req-token"));
    }

    #[tokio::test]
    async fn token_files_are_reread_and_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "first\n").unwrap();
        let source = FederatedTokenSource::File(path.clone());
        let http = reqwest::Client::new();
        assert_eq!(source.fetch(&http).await.unwrap().expose(), "first");
        std::fs::write(&path, "second").unwrap();
        assert_eq!(source.fetch(&http).await.unwrap().expose(), "second");
        std::fs::write(&path, " \n").unwrap();
        assert!(source.fetch(&http).await.unwrap_err().0.contains("empty"));
    }
}
