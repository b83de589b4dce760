//! OAuth 2.0 client credentials with a certificate: a signed assertion JWT
//! (`private_key_jwt`) carrying the certificate's SHA-256 thumbprint (`x5t#S256`).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::secret::Secret;
use super::token::{
    AccessToken, AuthError, JWT_BEARER, TokenCredential, request_token, token_url, unix_now,
};

/// How long a signed assertion is valid (Entra wants at most 10 minutes).
const ASSERTION_LIFETIME_SECS: i64 = 600;

/// Why a certificate could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    /// The PKCS#12 password is wrong (or one is needed).
    #[error("the PKCS#12 password is wrong, or the bundle needs a password")]
    WrongPassword,
    /// The input is neither PKCS#12 nor PEM.
    #[error("not a PKCS#12 (.pfx/.p12) bundle or a PEM file: {0}")]
    Unreadable(String),
    /// No private key in the bundle or file.
    #[error(
        "no private key found (a PEM file must hold the certificate and its unencrypted private key)"
    )]
    NoPrivateKey,
    /// No certificate in the bundle or file.
    #[error("no certificate found")]
    NoCertificate,
    /// The key is of a kind or size that cannot sign assertions.
    #[error("unsupported private key: {0}")]
    UnsupportedKey(String),
    /// None of the certificates belongs to the private key.
    #[error("none of the certificates matches the private key")]
    KeyMismatch,
}

enum SigningKey {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair, &'static str),
}

impl SigningKey {
    fn from_der(der: &PrivateKeyDer<'_>) -> Result<SigningKey, CertificateError> {
        let bytes = der.secret_der();
        let rsa = match der {
            PrivateKeyDer::Pkcs1(_) => RsaKeyPair::from_der(bytes),
            _ => RsaKeyPair::from_pkcs8(bytes),
        };
        let rsa_error = match rsa {
            Ok(key) => return Ok(SigningKey::Rsa(key)),
            Err(e) => e,
        };
        for (alg, name) in [
            (&signature::ECDSA_P256_SHA256_FIXED_SIGNING, "ES256"),
            (&signature::ECDSA_P384_SHA384_FIXED_SIGNING, "ES384"),
        ] {
            let ec = match der {
                PrivateKeyDer::Sec1(_) => EcdsaKeyPair::from_private_key_der(alg, bytes),
                _ => EcdsaKeyPair::from_pkcs8(alg, bytes),
            };
            if let Ok(key) = ec {
                return Ok(SigningKey::Ec(key, name));
            }
        }
        Err(CertificateError::UnsupportedKey(format!(
            "expected an RSA key of at least 2048 bits or an ECDSA P-256/P-384 key ({rsa_error})"
        )))
    }

    fn alg(&self) -> &'static str {
        match self {
            SigningKey::Rsa(_) => "PS256",
            SigningKey::Ec(_, alg) => alg,
        }
    }

    fn public_key(&self) -> &[u8] {
        match self {
            SigningKey::Rsa(k) => k.public_key().as_ref(),
            SigningKey::Ec(k, _) => k.public_key().as_ref(),
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, AuthError> {
        let rng = SystemRandom::new();
        let failed = |_| AuthError("signing the client assertion failed".to_owned());
        match self {
            SigningKey::Rsa(k) => {
                let mut sig = vec![0u8; k.public_modulus_len()];
                k.sign(&signature::RSA_PSS_SHA256, &rng, message, &mut sig)
                    .map_err(failed)?;
                Ok(sig)
            }
            SigningKey::Ec(k, _) => Ok(k.sign(&rng, message).map_err(failed)?.as_ref().to_vec()),
        }
    }
}

/// A certificate and its private key, ready to sign client assertions.
#[derive(Clone)]
pub struct ClientCertificate {
    key: Arc<SigningKey>,
    thumbprint: String,
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("alg", &self.key.alg())
            .field("x5t#S256", &self.thumbprint)
            .finish_non_exhaustive()
    }
}

impl ClientCertificate {
    /// Loads a PEM file (certificate and private key) or a PKCS#12 bundle.
    pub fn load(
        bytes: &[u8],
        password: Option<&str>,
    ) -> Result<ClientCertificate, CertificateError> {
        if bytes.windows(10).any(|w| w == b"-----BEGIN") {
            ClientCertificate::from_pem(bytes)
        } else {
            ClientCertificate::from_pkcs12(bytes, password.unwrap_or_default())
        }
    }

    /// Loads a PKCS#12 (`.pfx`/`.p12`) bundle.
    pub fn from_pkcs12(der: &[u8], password: &str) -> Result<ClientCertificate, CertificateError> {
        use p12_keystore::error::Error as P12Error;
        let store = p12_keystore::KeyStore::from_pkcs12(
            der,
            password,
            p12_keystore::Pkcs12ImportPolicy::Relaxed,
        )
        .map_err(|e| match e {
            P12Error::MacError(_) => CertificateError::WrongPassword,
            other => CertificateError::Unreadable(other.to_string()),
        })?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or(CertificateError::NoPrivateKey)?;
        let key = SigningKey::from_der(&PrivateKeyDer::Pkcs8(chain.key().as_der().into()))?;
        let certs: Vec<&[u8]> = chain.certs().iter().map(|c| c.as_der()).collect();
        ClientCertificate::new(key, &certs)
    }

    /// Loads PEM text holding a certificate and its (unencrypted) private key.
    pub fn from_pem(text: &[u8]) -> Result<ClientCertificate, CertificateError> {
        let key = match PrivateKeyDer::from_pem_slice(text) {
            Ok(key) => key,
            Err(pem::Error::NoItemsFound) if contains(text, b"ENCRYPTED PRIVATE KEY") => {
                return Err(CertificateError::UnsupportedKey(
                    "encrypted PEM keys are not supported; use a PKCS#12 bundle with a password"
                        .to_owned(),
                ));
            }
            Err(pem::Error::NoItemsFound) => return Err(CertificateError::NoPrivateKey),
            Err(e) => return Err(CertificateError::Unreadable(e.to_string())),
        };
        let certs = CertificateDer::pem_slice_iter(text)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| CertificateError::Unreadable(e.to_string()))?;
        let certs: Vec<&[u8]> = certs.iter().map(|c| c.as_ref()).collect();
        ClientCertificate::new(SigningKey::from_der(&key)?, &certs)
    }

    fn new(key: SigningKey, certs: &[&[u8]]) -> Result<ClientCertificate, CertificateError> {
        if certs.is_empty() {
            return Err(CertificateError::NoCertificate);
        }
        // The leaf is the certificate whose SubjectPublicKeyInfo holds the key's public key.
        let leaf = certs
            .iter()
            .find(|der| contains(der, key.public_key()))
            .ok_or(CertificateError::KeyMismatch)?;
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, leaf);
        Ok(ClientCertificate {
            key: Arc::new(key),
            thumbprint: URL_SAFE_NO_PAD.encode(digest.as_ref()),
        })
    }

    /// The base64url SHA-256 thumbprint of the certificate (`x5t#S256`).
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }

    /// A signed client assertion for `client_id`, addressed to `audience` (the token URL).
    pub fn assertion(&self, client_id: &str, audience: &str) -> Result<Secret, AuthError> {
        let now = unix_now();
        let header =
            serde_json::json!({"alg": self.key.alg(), "typ": "JWT", "x5t#S256": self.thumbprint});
        let claims = serde_json::json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "iat": now,
            "nbf": now,
            "exp": now + ASSERTION_LIFETIME_SECS,
        });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self.key.sign(input.as_bytes())?;
        Ok(Secret::new(format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        )))
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Authenticates an app registration with a certificate.
pub struct ClientCertificateCredential {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    certificate: ClientCertificate,
}

impl fmt::Debug for ClientCertificateCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificateCredential")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("certificate", &self.certificate)
            .finish()
    }
}

impl ClientCertificateCredential {
    /// A credential posting to `{login_endpoint}/{tenant_id}/oauth2/v2.0/token`.
    pub fn new(
        http: reqwest::Client,
        login_endpoint: &str,
        tenant_id: &str,
        client_id: &str,
        certificate: ClientCertificate,
    ) -> ClientCertificateCredential {
        ClientCertificateCredential {
            http,
            token_url: token_url(login_endpoint, tenant_id),
            client_id: client_id.to_owned(),
            certificate,
        }
    }
}

#[async_trait]
impl TokenCredential for ClientCertificateCredential {
    async fn get_token(&self, scope: &str) -> Result<AccessToken, AuthError> {
        let assertion = self
            .certificate
            .assertion(&self.client_id, &self.token_url)?;
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", assertion.expose()),
            ("scope", scope),
        ];
        request_token(&self.http, &self.token_url, &form, "client certificate").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::auth::testing::{Reply, TestServer, pkcs12, rsa_cert};

    fn decode(part: &str) -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    #[test]
    fn loads_pem_and_pkcs12_with_the_same_thumbprint() {
        let (cert_pem, key_pem, der) = rsa_cert();
        let pem = ClientCertificate::load(format!("{cert_pem}{key_pem}").as_bytes(), None).unwrap();
        let expected =
            URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der));
        assert_eq!(pem.thumbprint(), expected);
        let p12 = ClientCertificate::load(&pkcs12(der, key_pem, "pw"), Some("pw")).unwrap();
        assert_eq!(p12.thumbprint(), expected);
        assert!(!format!("{p12:?}").contains("PRIVATE"));
    }

    #[test]
    fn loading_errors_say_what_is_wrong() {
        let (cert_pem, key_pem, der) = rsa_cert();
        let bundle = pkcs12(der, key_pem, "pw");
        assert_eq!(
            ClientCertificate::load(&bundle, Some("nope")).unwrap_err(),
            CertificateError::WrongPassword
        );
        assert_eq!(
            ClientCertificate::load(cert_pem.as_bytes(), None).unwrap_err(),
            CertificateError::NoPrivateKey
        );
        assert_eq!(
            ClientCertificate::load(key_pem.as_bytes(), None).unwrap_err(),
            CertificateError::NoCertificate
        );
        assert!(matches!(
            ClientCertificate::load(b"garbage", None),
            Err(CertificateError::Unreadable(_))
        ));
        let other = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mismatched = format!("{cert_pem}{}", other.serialize_pem());
        assert_eq!(
            ClientCertificate::load(mismatched.as_bytes(), None).unwrap_err(),
            CertificateError::KeyMismatch
        );
    }

    #[test]
    fn ecdsa_keys_sign_es256() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["ec".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let c = ClientCertificate::load(
            format!("{}{}", cert.pem(), key.serialize_pem()).as_bytes(),
            None,
        )
        .unwrap();
        let jwt = c.assertion("app", "aud").unwrap();
        let parts: Vec<&str> = jwt.expose().split('.').collect();
        assert_eq!(decode(parts[0])["alg"], "ES256");
        let public = signature::UnparsedPublicKey::new(
            &signature::ECDSA_P256_SHA256_FIXED,
            key.public_key_raw(),
        );
        public
            .verify(
                format!("{}.{}", parts[0], parts[1]).as_bytes(),
                &URL_SAFE_NO_PAD.decode(parts[2]).unwrap(),
            )
            .unwrap();
    }

    #[tokio::test]
    async fn posts_a_ps256_assertion_with_the_sha256_thumbprint() {
        let (cert_pem, key_pem, _) = rsa_cert();
        let certificate =
            ClientCertificate::from_pem(format!("{cert_pem}{key_pem}").as_bytes()).unwrap();
        let server = TestServer::start(vec![Reply::json(
            200,
            r#"{"access_token":"tok","expires_in":3599}"#,
        )])
        .await;
        let cred = ClientCertificateCredential::new(
            reqwest::Client::new(),
            &server.url(),
            "t1",
            "app",
            certificate.clone(),
        );
        let token = cred
            .get_token("https://graph.microsoft.com/.default")
            .await
            .unwrap();
        assert_eq!(token.token.expose(), "tok");
        let form = server.request(0).form();
        assert_eq!(form["grant_type"], "client_credentials");
        assert_eq!(form["client_id"], "app");
        assert_eq!(form["client_assertion_type"], JWT_BEARER);
        assert_eq!(form["scope"], "https://graph.microsoft.com/.default");
        assert!(!form.contains_key("client_secret"));
        let parts: Vec<&str> = form["client_assertion"].split('.').collect();
        let header = decode(parts[0]);
        assert_eq!(header["alg"], "PS256");
        assert_eq!(header["typ"], "JWT");
        assert_eq!(header["x5t#S256"], certificate.thumbprint());
        let claims = decode(parts[1]);
        assert_eq!(
            claims["aud"],
            format!("{}/t1/oauth2/v2.0/token", server.url())
        );
        assert_eq!(claims["iss"], "app");
        assert_eq!(claims["sub"], "app");
        assert!(uuid::Uuid::parse_str(claims["jti"].as_str().unwrap()).is_ok());
        let (nbf, exp) = (
            claims["nbf"].as_i64().unwrap(),
            claims["exp"].as_i64().unwrap(),
        );
        assert!(exp > nbf && exp - nbf <= 600 && claims["iat"].as_i64() == Some(nbf));
        // The signature verifies with the certificate's public key.
        let key = rcgen::KeyPair::from_pem(key_pem).unwrap();
        let pkcs1 =
            SigningKey::from_der(&PrivateKeyDer::Pkcs8(key.serialized_der().into())).unwrap();
        let public = signature::UnparsedPublicKey::new(
            &signature::RSA_PSS_2048_8192_SHA256,
            pkcs1.public_key().to_vec(),
        );
        public
            .verify(
                format!("{}.{}", parts[0], parts[1]).as_bytes(),
                &URL_SAFE_NO_PAD.decode(parts[2]).unwrap(),
            )
            .unwrap();
    }

    #[tokio::test]
    async fn the_emulator_accepts_the_assertion_of_a_registered_certificate() {
        let (cert_pem, key_pem, _) = rsa_cert();
        let mut seed = entra_emulator::store::demo::demo_seed();
        seed.apps[0].certificates.push(cert_pem.clone());
        let app_id = seed.apps[0].app_id.clone();
        let options = entra_emulator::Options {
            seed_data: Some(seed),
            ..Default::default()
        };
        let emu = entra_emulator::Emulator::start(([127, 0, 0, 1], 0).into(), options)
            .await
            .unwrap();
        let certificate =
            ClientCertificate::from_pem(format!("{cert_pem}{key_pem}").as_bytes()).unwrap();
        let scope = format!("{}/.default", emu.url());
        let tenant = entra_emulator::DEMO_TENANT_ID;
        let cred = ClientCertificateCredential::new(
            reqwest::Client::new(),
            &emu.url(),
            tenant,
            &app_id,
            certificate.clone(),
        );
        assert!(
            cred.get_token(&scope)
                .await
                .unwrap()
                .token
                .expose()
                .starts_with("ey")
        );
        // Another app does not have this certificate registered.
        let other = ClientCertificateCredential::new(
            reqwest::Client::new(),
            &emu.url(),
            tenant,
            entra_emulator::store::demo::READER_CLIENT_ID,
            certificate,
        );
        let err = other.get_token(&scope).await.unwrap_err();
        assert!(
            err.0.contains("invalid_client") && err.0.contains("not registered"),
            "{err}"
        );
        emu.shutdown().await;
    }

    #[tokio::test]
    async fn token_endpoint_errors_are_reported() {
        let (cert_pem, key_pem, _) = rsa_cert();
        let certificate =
            ClientCertificate::from_pem(format!("{cert_pem}{key_pem}").as_bytes()).unwrap();
        let server = TestServer::start(vec![Reply::json(
            401,
            r#"{"error":"invalid_client","error_description":"AADSTS700027: Client assertion failed signature validation."}"#,
        )])
        .await;
        let cred = ClientCertificateCredential::new(
            reqwest::Client::new(),
            &server.url(),
            "t1",
            "app",
            certificate,
        );
        let err = cred
            .get_token("https://graph.microsoft.com/.default")
            .await
            .unwrap_err();
        assert!(err.0.contains("AADSTS700027"), "{err}");
        assert!(!err.0.contains("eyJ"), "the assertion is not echoed: {err}");
    }
}
