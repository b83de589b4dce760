//! `POST /{tenant}/oauth2/v2.0/token`: client credentials (secret, certificate or
//! federated assertion) issuing Graph access tokens.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::middleware::count_requests;
use crate::AppState;
use crate::assertion::verify_client_assertion;
use crate::auth::{GRAPH_APP_ID, GRAPH_RESOURCE};
use crate::error::TokenError;
use crate::origin::Origin;
use crate::store::model::{AppRegistration, ManagedIdentity};

/// Assertion type for certificate and federated credentials.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Registers the token routes.
pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token))
        .route("/{tenant}/oauth2/token", post(token_v1))
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(keys))
        .route("/common/discovery/instance", get(instance_discovery))
        .route("/metadata/identity/oauth2/token", get(imds))
        .route("/msi/token", get(app_service))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            count_requests,
        ))
        .with_state(state)
}

/// The resource a `scope` names, when it is one the emulator serves.
fn resource_of(scope: &str, own: &[String]) -> Result<String, TokenError> {
    // OIDC scopes that MSAL may add are tolerated, as Entra does.
    let scopes: Vec<&str> = scope
        .split_whitespace()
        .filter(|s| !matches!(*s, "openid" | "profile" | "offline_access"))
        .collect();
    let [single] = scopes.as_slice() else {
        return Err(TokenError::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            70011,
            format!(
                "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."
            ),
        ));
    };
    let Some(resource) = single.strip_suffix("/.default") else {
        return Err(TokenError::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1_002_012,
            format!(
                "The provided value for scope {single} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        ));
    };
    let r = resource.trim_end_matches('/');
    let known = r.eq_ignore_ascii_case(GRAPH_RESOURCE)
        || r.eq_ignore_ascii_case(GRAPH_APP_ID)
        || own.iter().any(|u| r.eq_ignore_ascii_case(u));
    if known {
        Ok(r.to_owned())
    } else {
        Err(TokenError::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            70011,
            format!(
                "The provided value for the input parameter 'scope' is not valid. The scope {single} is not valid. The resource '{resource}' is not served by this emulator."
            ),
        ))
    }
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .get(..6)
        .filter(|p| p.eq_ignore_ascii_case("basic "))
        .map(|_| value[6..].trim())?;
    let decoded = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let dec = |s: &str| {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map_or_else(|| s.to_owned(), |(_, v)| v.into_owned())
    };
    Some((dec(id), dec(secret)))
}

/// Which credential authenticated the client (`appidacr`).
#[derive(Debug, Clone, Copy)]
enum Credential {
    Secret,
    Assertion,
}

async fn token(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    origin: Origin,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: HashMap<String, String> = form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    match issue(&state, &tenant, &origin, &headers, &form) {
        Ok(v) => (
            StatusCode::OK,
            [(header::CACHE_CONTROL, "no-store, no-cache")],
            axum::Json(v),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

fn issue(
    state: &AppState,
    tenant: &str,
    origin: &Origin,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<Value, TokenError> {
    let (tenant_id, tenant_name) = state.read(|t| (t.tenant_id.clone(), t.matches(tenant)));
    if !tenant_name {
        return Err(TokenError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
            ),
        ));
    }
    let grant = form
        .get("grant_type")
        .ok_or_else(|| TokenError::missing("grant_type"))?;
    if grant != "client_credentials" {
        return Err(TokenError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant}'."),
        ));
    }
    let basic = basic_credentials(headers);
    let client_id = form
        .get("client_id")
        .cloned()
        .or_else(|| basic.as_ref().map(|(id, _)| id.clone()))
        .ok_or_else(|| TokenError::missing("client_id"))?;
    let app = state
        .read(|t| t.app(&client_id).cloned())
        .ok_or_else(|| {
            TokenError::new(
                StatusCode::BAD_REQUEST,
                "unauthorized_client",
                700_016,
                format!(
                    "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
                ),
            )
        })?;
    let secret = form
        .get("client_secret")
        .cloned()
        .or_else(|| basic.map(|(_, s)| s));
    let credential = match (secret, form.get("client_assertion")) {
        (Some(secret), _) => {
            if !app.secrets.iter().any(|s| s == &secret) {
                return Err(TokenError::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    7_000_215,
                    format!(
                        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
                        app.app_id
                    ),
                ));
            }
            Credential::Secret
        }
        (None, Some(assertion)) => {
            let kind = form.get("client_assertion_type").map(String::as_str);
            if kind != Some(JWT_BEARER) {
                return Err(TokenError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    90_014,
                    "The request body must contain the following parameter: 'client_assertion_type'.",
                ));
            }
            let mut own = state.own_urls();
            own.push(origin.url());
            verify_client_assertion(&app, assertion, &tenant_id, tenant, &own)?;
            Credential::Assertion
        }
        (None, None) => {
            return Err(TokenError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7_000_218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            ));
        }
    };
    let scope = form
        .get("scope")
        .ok_or_else(|| TokenError::missing("scope"))?;
    let mut own = state.own_urls();
    own.push(origin.url());
    let resource = resource_of(scope, &own)?;
    Ok(token_response(
        state, &app, &tenant_id, &resource, credential,
    ))
}

fn token_response(
    state: &AppState,
    app: &AppRegistration,
    tenant_id: &str,
    resource: &str,
    credential: Credential,
) -> Value {
    let lifetime = state.token_lifetime_secs();
    let access_token = mint(
        state,
        &app.app_id,
        &app.display_name,
        &app.service_principal_id,
        &app.permissions,
        tenant_id,
        resource,
        match credential {
            Credential::Secret => "1",
            Credential::Assertion => "2",
        },
    );
    json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access_token,
    })
}

/// Signs an app-only access token.
#[allow(clippy::too_many_arguments)]
pub fn mint(
    state: &AppState,
    app_id: &str,
    app_name: &str,
    object_id: &str,
    roles: &[String],
    tenant_id: &str,
    resource: &str,
    appidacr: &str,
) -> String {
    let now = chrono::Utc::now().timestamp();
    let lifetime = state.token_lifetime_secs();
    let iss = format!("https://sts.windows.net/{tenant_id}/");
    let claims = json!({
        "aud": resource,
        "iss": iss,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "app_displayname": app_name,
        "appid": app_id,
        "appidacr": appidacr,
        "idp": iss,
        "idtyp": "app",
        "oid": object_id,
        "sub": object_id,
        "roles": roles,
        "tid": tenant_id,
        "uti": uuid::Uuid::new_v4().simple().to_string(),
        "ver": "1.0",
    });
    state.signer().sign(&claims)
}

/// Secret expected in `X-IDENTITY-HEADER` by the App Service style endpoint
/// (set `IDENTITY_ENDPOINT={url}/msi/token` and `IDENTITY_HEADER` to this value).
pub const IDENTITY_HEADER: &str = "entra-emulator-identity-header";

fn mi_error(description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": "invalid_request", "error_description": description})),
    )
        .into_response()
}

/// Picks the managed identity named by `client_id`/`object_id`/`msi_res_id`, or the
/// system-assigned one.
fn pick_identity(state: &AppState, q: &HashMap<String, String>) -> Option<ManagedIdentity> {
    state.read(|t| {
        let ids = &t.managed_identities;
        if let Some(c) = q.get("client_id").or_else(|| q.get("clientid")) {
            ids.iter()
                .find(|m| m.client_id.eq_ignore_ascii_case(c))
                .cloned()
        } else if let Some(o) = q.get("object_id").or_else(|| q.get("principal_id")) {
            ids.iter()
                .find(|m| m.object_id.eq_ignore_ascii_case(o))
                .cloned()
        } else if let Some(r) = q.get("msi_res_id").or_else(|| q.get("mi_res_id")) {
            ids.iter()
                .find(|m| {
                    r.to_ascii_lowercase()
                        .ends_with(&format!("/{}", m.display_name.to_ascii_lowercase()))
                })
                .cloned()
        } else {
            ids.iter().find(|m| m.system_assigned).cloned()
        }
    })
}

fn mi_token(
    state: &AppState,
    origin: &Origin,
    q: &HashMap<String, String>,
) -> Result<(Value, String), Box<Response>> {
    if q.get("api-version").is_none() {
        return Err(Box::new(mi_error(
            "Required query variable 'api-version' is missing",
        )));
    }
    let Some(resource) = q.get("resource") else {
        return Err(Box::new(mi_error(
            "Required query variable 'resource' is missing",
        )));
    };
    let mut own = state.own_urls();
    own.push(origin.url());
    let scope = format!("{}/.default", resource.trim_end_matches('/'));
    let resource = resource_of(&scope, &own).map_err(|_| {
        Box::new(
        (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "invalid_resource", "error_description": format!("AADSTS500011: The resource principal named {resource} was not found in the tenant.")})),
        )
            .into_response())
    })?;
    let mi = pick_identity(state, q).ok_or_else(|| Box::new(mi_error("Identity not found")))?;
    let tenant_id = state.read(|t| t.tenant_id.clone());
    let token = mint(
        state,
        &mi.client_id,
        &mi.display_name,
        &mi.object_id,
        &mi.permissions,
        &tenant_id,
        &resource,
        "2",
    );
    let now = chrono::Utc::now().timestamp();
    let lifetime = state.token_lifetime_secs();
    let v = json!({
        "access_token": token,
        "refresh_token": "",
        "expires_in": lifetime.to_string(),
        "expires_on": (now + lifetime).to_string(),
        "ext_expires_in": lifetime.to_string(),
        "not_before": now.to_string(),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": mi.client_id,
    });
    Ok((v, mi.client_id))
}

fn query_map(uri: &axum::http::Uri) -> HashMap<String, String> {
    form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// IMDS: `GET /metadata/identity/oauth2/token?api-version=..&resource=..` with
/// `Metadata: true`; numeric fields are strings.
async fn imds(
    State(state): State<AppState>,
    origin: Origin,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let metadata = headers.get("metadata").and_then(|v| v.to_str().ok());
    if metadata != Some("true") {
        return mi_error("Required metadata header not specified");
    }
    match mi_token(&state, &origin, &query_map(&uri)) {
        Ok((v, _)) => axum::Json(v).into_response(),
        Err(r) => *r,
    }
}

/// App Service / Functions: `GET $IDENTITY_ENDPOINT?resource=..&api-version=2019-08-01`
/// with `X-IDENTITY-HEADER`.
async fn app_service(
    State(state): State<AppState>,
    origin: Origin,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let secret = headers
        .get("x-identity-header")
        .and_then(|v| v.to_str().ok());
    if secret != Some(IDENTITY_HEADER) {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"statusCode": 401, "message": "Unauthorized: the X-IDENTITY-HEADER header is missing or invalid."})),
        )
            .into_response();
    }
    match mi_token(&state, &origin, &query_map(&uri)) {
        Ok((v, client_id)) => axum::Json(json!({
            "access_token": v["access_token"],
            "expires_on": v["expires_on"],
            "resource": v["resource"],
            "token_type": "Bearer",
            "client_id": client_id,
        }))
        .into_response(),
        Err(r) => *r,
    }
}

/// The v1 endpoint `POST /{tenant}/oauth2/token` (`resource=` instead of `scope=`);
/// numeric fields are strings, as Entra's v1 endpoint answers.
async fn token_v1(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    origin: Origin,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut form: HashMap<String, String> = form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let Some(resource) = form.get("resource").cloned() else {
        return TokenError::missing("resource").into_response();
    };
    form.insert(
        "scope".into(),
        format!("{}/.default", resource.trim_end_matches('/')),
    );
    match issue(&state, &tenant, &origin, &headers, &form) {
        Ok(v) => {
            let now = chrono::Utc::now().timestamp();
            let lifetime = state.token_lifetime_secs();
            let body = json!({
                "token_type": "Bearer",
                "expires_in": lifetime.to_string(),
                "ext_expires_in": lifetime.to_string(),
                "expires_on": (now + lifetime).to_string(),
                "not_before": now.to_string(),
                "resource": resource,
                "access_token": v["access_token"],
            });
            (StatusCode::OK, axum::Json(body)).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// OIDC discovery document for the tenant (MSAL reads it before token requests).
async fn openid_configuration(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    origin: Origin,
) -> Response {
    let Some(tenant_id) = state.read(|t| t.matches(&tenant).then(|| t.tenant_id.clone())) else {
        return TokenError::new(
            StatusCode::BAD_REQUEST,
            "invalid_tenant",
            90002,
            format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."),
        )
        .into_response();
    };
    let base = origin.url();
    axum::Json(json!({
        "token_endpoint": format!("{base}/{tenant_id}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{tenant_id}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{base}/{tenant_id}/v2.0"),
        "authorization_endpoint": format!("{base}/{tenant_id}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/{tenant_id}/oauth2/v2.0/devicecode"),
        "end_session_endpoint": format!("{base}/{tenant_id}/oauth2/v2.0/logout"),
        "tenant_region_scope": "NA",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
    }))
    .into_response()
}

/// The emulator signs with a symmetric key, so it publishes no public keys.
async fn keys() -> Response {
    axum::Json(json!({"keys": []})).into_response()
}

/// MSAL instance discovery: the emulator is its own (only) authority.
async fn instance_discovery(origin: Origin) -> Response {
    let base = origin.url();
    let host = origin.host();
    axum::Json(json!({
        "tenant_discovery_endpoint": format!("{base}/common/v2.0/.well-known/openid-configuration"),
        "api-version": "1.1",
        "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
    }))
    .into_response()
}
