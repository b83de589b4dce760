//! Client assertions at the token endpoint:
//! - certificate credentials: RS256 or PS256 JWTs whose `x5t` (SHA-1) or `x5t#S256`
//!   thumbprint names a certificate registered on the app;
//! - federated credentials: JWTs from an external issuer matched on issuer, subject and
//!   audience, verified against the credential's JWKS.
//!
//! Certificates are parsed with `x509-cert`. The compact JWS handling stays hand-written
//! on top of the `rsa` crate's PKCS#1 v1.5 and PSS verifiers instead of `jsonwebtoken`,
//! which does handle PS256 and the `x5t#S256` header but would lose tested answers:
//! - its header type has a closed `alg` enum, so an assertion signed with an algorithm
//!   it does not know (`none`, say) fails to decode as a whole and would be answered
//!   AADSTS50027 (malformed) instead of AADSTS5002738 naming the algorithm; a header
//!   field of an unexpected JSON type (a numeric `kid`) fails the same way;
//! - Entra's errors come in a fixed order (unknown certificate 700027, signature 700027,
//!   time range 700024, issuer and subject 700021, audience 700016; for federated
//!   credentials issuer 700211, subject 700213 and audience 700212 before the
//!   signature), so its claim validation would be switched off and the header decoded
//!   up front anyway, leaving it only the signature check the `rsa` crate does here;
//! - it needs a crypto backend feature (`aws_lc_rs` or `rust_crypto`), a second RSA
//!   stack beside the `rsa` crate that reads certificate and JWKS keys.

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use rsa::{BigUint, RsaPublicKey};
use serde_json::Value;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::der::{Decode, Encode};

use crate::error::TokenError;
use crate::store::model::{AppRegistration, FederatedCredential};

/// Allowed clock skew for `nbf`/`exp`, in seconds.
const SKEW_SECS: i64 = 300;

fn invalid(code: u32, status: StatusCode, text: impl Into<String>) -> TokenError {
    let error = if status == StatusCode::UNAUTHORIZED {
        "invalid_client"
    } else {
        "invalid_request"
    };
    TokenError::new(status, error, code, text)
}

fn malformed() -> TokenError {
    invalid(
        50027,
        StatusCode::BAD_REQUEST,
        "JWT token is invalid or malformed.",
    )
}

fn bad_signature() -> TokenError {
    invalid(
        700_027,
        StatusCode::UNAUTHORIZED,
        "Client assertion failed signature validation.",
    )
}

/// A decoded, unverified compact JWS.
struct Jws {
    header: Value,
    claims: Value,
    signing_input: String,
    signature: Vec<u8>,
}

fn decode(token: &str) -> Result<Jws, TokenError> {
    let parts: Vec<&str> = token.split('.').collect();
    let [h, c, s] = parts.as_slice() else {
        return Err(malformed());
    };
    let json = |p: &str| -> Result<Value, TokenError> {
        let bytes = URL_SAFE_NO_PAD.decode(p).map_err(|_| malformed())?;
        serde_json::from_slice(&bytes).map_err(|_| malformed())
    };
    Ok(Jws {
        header: json(h)?,
        claims: json(c)?,
        signing_input: format!("{h}.{c}"),
        signature: URL_SAFE_NO_PAD.decode(s).map_err(|_| malformed())?,
    })
}

fn str_claim<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

fn verify_signature(key: &RsaPublicKey, alg: &str, jws: &Jws) -> Result<(), TokenError> {
    let msg = jws.signing_input.as_bytes();
    let ok = match alg {
        "RS256" => rsa::pkcs1v15::Signature::try_from(jws.signature.as_slice())
            .ok()
            .is_some_and(|sig| {
                rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key.clone())
                    .verify(msg, &sig)
                    .is_ok()
            }),
        "PS256" => rsa::pss::Signature::try_from(jws.signature.as_slice())
            .ok()
            .is_some_and(|sig| {
                rsa::pss::VerifyingKey::<Sha256>::new(key.clone())
                    .verify(msg, &sig)
                    .is_ok()
            }),
        other => {
            return Err(invalid(
                5_002_738,
                StatusCode::BAD_REQUEST,
                format!(
                    "Invalid JWT token. '{other}' is not a supported signature algorithm. Supported signing algorithms are: 'RS256, PS256'."
                ),
            ));
        }
    };
    if ok { Ok(()) } else { Err(bad_signature()) }
}

fn check_lifetime(claims: &Value) -> Result<(), TokenError> {
    let now = chrono::Utc::now().timestamp();
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or_else(malformed)?;
    let nbf = claims.get("nbf").and_then(Value::as_i64).unwrap_or(now);
    if now > exp + SKEW_SECS || now + SKEW_SECS < nbf {
        return Err(invalid(
            700_024,
            StatusCode::BAD_REQUEST,
            "Client assertion is not within its valid time range.",
        ));
    }
    Ok(())
}

/// DER bytes of a PEM (or bare base64) certificate.
pub fn cert_der(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----"))
        .collect();
    STANDARD.decode(body).ok()
}

/// The SubjectPublicKeyInfo (DER) of an X.509 certificate (DER).
fn spki_of(cert: &[u8]) -> Option<Vec<u8>> {
    let cert = Certificate::from_der(cert).ok()?;
    cert.tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .ok()
}

/// The RSA public key of a PEM certificate.
pub fn cert_public_key(pem: &str) -> Option<RsaPublicKey> {
    let der = cert_der(pem)?;
    RsaPublicKey::from_public_key_der(&spki_of(&der)?).ok()
}

/// `(x5t, x5t#S256)` thumbprints of a PEM certificate, base64url.
pub fn thumbprints(pem: &str) -> Option<(String, String)> {
    let der = cert_der(pem)?;
    Some((
        URL_SAFE_NO_PAD.encode(Sha1::digest(&der)),
        URL_SAFE_NO_PAD.encode(Sha256::digest(&der)),
    ))
}

/// Whether `aud` is this tenant's token endpoint (Entra's host or the emulator's).
fn token_audience_ok(
    aud: &str,
    tenant_id: &str,
    tenant_in_path: &str,
    own_urls: &[String],
) -> bool {
    let aud = aud.trim_end_matches('/');
    let hosts = std::iter::once("https://login.microsoftonline.com".to_owned())
        .chain(own_urls.iter().cloned());
    for host in hosts {
        for tenant in [tenant_id, tenant_in_path] {
            for path in ["oauth2/v2.0/token", "oauth2/token"] {
                if aud.eq_ignore_ascii_case(&format!("{host}/{tenant}/{path}")) {
                    return true;
                }
            }
        }
        if aud.eq_ignore_ascii_case(&host) {
            return true;
        }
    }
    false
}

fn verify_certificate(
    app: &AppRegistration,
    jws: &Jws,
    tenant_id: &str,
    tenant_in_path: &str,
    own_urls: &[String],
) -> Result<(), TokenError> {
    let alg = str_claim(&jws.header, "alg").unwrap_or_default();
    let x5t = str_claim(&jws.header, "x5t");
    let x5t256 = str_claim(&jws.header, "x5t#S256");
    let cert = app.certificates.iter().find(|pem| {
        thumbprints(pem).is_some_and(|(t1, t256)| {
            x5t.is_some_and(|x| x == t1) || x5t256.is_some_and(|x| x == t256)
        })
    });
    let Some(cert) = cert else {
        return Err(invalid(
            700_027,
            StatusCode::UNAUTHORIZED,
            format!(
                "Client assertion failed signature validation. The certificate with identifier used to sign the client assertion is not registered on application '{}'.",
                app.app_id
            ),
        ));
    };
    let key = cert_public_key(cert).ok_or_else(bad_signature)?;
    verify_signature(&key, alg, jws)?;
    check_lifetime(&jws.claims)?;
    let iss = str_claim(&jws.claims, "iss").unwrap_or_default();
    let sub = str_claim(&jws.claims, "sub").unwrap_or_default();
    if !iss.eq_ignore_ascii_case(&app.app_id) || !sub.eq_ignore_ascii_case(&app.app_id) {
        return Err(invalid(
            700_021,
            StatusCode::BAD_REQUEST,
            "Client assertion application identifier doesn't match 'client_id' parameter.",
        ));
    }
    let aud = str_claim(&jws.claims, "aud").unwrap_or_default();
    if !token_audience_ok(aud, tenant_id, tenant_in_path, own_urls) {
        return Err(invalid(
            700_016,
            StatusCode::UNAUTHORIZED,
            format!("Client assertion contains an invalid audience '{aud}'."),
        ));
    }
    Ok(())
}

fn jwks_key(jwks: &Value, kid: Option<&str>) -> Option<RsaPublicKey> {
    let keys = jwks.get("keys")?.as_array()?;
    keys.iter()
        .filter(|k| str_claim(k, "kty") == Some("RSA"))
        .filter(|k| kid.is_none_or(|kid| str_claim(k, "kid") == Some(kid)))
        .find_map(|k| {
            let n = URL_SAFE_NO_PAD.decode(str_claim(k, "n")?).ok()?;
            let e = URL_SAFE_NO_PAD.decode(str_claim(k, "e")?).ok()?;
            RsaPublicKey::new(BigUint::from_bytes_be(&n), BigUint::from_bytes_be(&e)).ok()
        })
}

fn audiences(claims: &Value) -> Vec<String> {
    match claims.get("aud") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn verify_federated(app: &AppRegistration, jws: &Jws) -> Result<(), TokenError> {
    let iss = str_claim(&jws.claims, "iss").unwrap_or_default();
    let sub = str_claim(&jws.claims, "sub").unwrap_or_default();
    let auds = audiences(&jws.claims);
    let by_issuer: Vec<&FederatedCredential> = app
        .federated_credentials
        .iter()
        .filter(|f| f.issuer == iss)
        .collect();
    if by_issuer.is_empty() {
        return Err(invalid(
            700_211,
            StatusCode::BAD_REQUEST,
            format!(
                "No matching federated identity record found for presented assertion issuer '{iss}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion."
            ),
        ));
    }
    let by_subject: Vec<&&FederatedCredential> =
        by_issuer.iter().filter(|f| f.subject == sub).collect();
    if by_subject.is_empty() {
        return Err(invalid(
            700_213,
            StatusCode::BAD_REQUEST,
            format!(
                "No matching federated identity record found for presented assertion subject '{sub}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion."
            ),
        ));
    }
    let Some(fic) = by_subject
        .iter()
        .find(|f| f.audiences.iter().any(|a| auds.contains(a)))
    else {
        return Err(invalid(
            700_212,
            StatusCode::BAD_REQUEST,
            format!(
                "No matching federated identity record found for presented assertion audience '{}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.",
                auds.join(", ")
            ),
        ));
    };
    let alg = str_claim(&jws.header, "alg").unwrap_or_default();
    let key = fic
        .jwks
        .as_ref()
        .and_then(|j| jwks_key(j, str_claim(&jws.header, "kid")))
        .ok_or_else(|| {
            invalid(
                700_027,
                StatusCode::UNAUTHORIZED,
                "Client assertion failed signature validation: no signing key found for the assertion's 'kid'.",
            )
        })?;
    verify_signature(&key, alg, jws)?;
    check_lifetime(&jws.claims)
}

/// Verifies a `client_assertion` for `app` (certificate or federated).
pub fn verify_client_assertion(
    app: &AppRegistration,
    assertion: &str,
    tenant_id: &str,
    tenant_in_path: &str,
    own_urls: &[String],
) -> Result<(), TokenError> {
    let jws = decode(assertion)?;
    let has_thumbprint = jws.header.get("x5t").is_some() || jws.header.get("x5t#S256").is_some();
    let self_issued =
        str_claim(&jws.claims, "iss").is_some_and(|i| i.eq_ignore_ascii_case(&app.app_id));
    if has_thumbprint || self_issued {
        verify_certificate(app, &jws, tenant_id, tenant_in_path, own_urls)
    } else {
        verify_federated(app, &jws)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str = include_str!("../tests/fixtures/app-cert.pem");

    #[test]
    fn reads_the_public_key_and_thumbprints_of_a_certificate() {
        assert!(cert_public_key(CERT).is_some());
        let (x5t, x5t256) = thumbprints(CERT).unwrap();
        assert_eq!(URL_SAFE_NO_PAD.decode(x5t).unwrap().len(), 20);
        assert_eq!(URL_SAFE_NO_PAD.decode(x5t256).unwrap().len(), 32);
        assert!(
            cert_public_key("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")
                .is_none()
        );
    }

    #[test]
    fn reads_the_certificate_of_the_example_seed() {
        let pem = include_str!("../examples/credentials/demo-app-cert.pem");
        assert!(cert_public_key(pem).is_some());
        assert!(thumbprints(pem).is_some());
    }

    #[test]
    fn token_audiences() {
        let own = vec!["http://127.0.0.1:9".to_owned()];
        let t = "c0ffee00-0000-4000-8000-000000000000";
        assert!(token_audience_ok(
            &format!("https://login.microsoftonline.com/{t}/oauth2/v2.0/token"),
            t,
            t,
            &own
        ));
        assert!(token_audience_ok(
            &format!("http://127.0.0.1:9/{t}/oauth2/token"),
            t,
            t,
            &own
        ));
        assert!(!token_audience_ok("https://evil.example/token", t, t, &own));
    }
}
