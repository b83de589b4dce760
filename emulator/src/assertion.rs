//! Client assertions: certificate-signed JWTs and federated (workload identity) tokens.

use axum::http::StatusCode;

use crate::error::TokenError;
use crate::store::model::AppRegistration;

/// Verifies a `client_assertion` for `app`.
pub fn verify_client_assertion(
    _app: &AppRegistration,
    _assertion: &str,
    _tenant_id: &str,
    _tenant_in_path: &str,
    _own_urls: &[String],
) -> Result<(), TokenError> {
    Err(TokenError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        700_027,
        "Client assertion failed signature validation.",
    ))
}
