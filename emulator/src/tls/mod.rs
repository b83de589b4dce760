//! The emulator's own HTTPS (`Options::tls`): a CA generated at start, a server
//! certificate it signs for the loopback names, and the CA certificate written as PEM
//! for clients to trust (`SSL_CERT_FILE`).

pub mod listener;

use std::fs::OpenOptions;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use chrono::{Datelike, Duration, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::aws_lc_rs;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// Names the server certificate always covers.
const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// The CA certificate clients must trust to reach an emulator serving HTTPS. A file the
/// emulator created in the temporary directory is removed when the last handle drops.
#[derive(Debug)]
pub struct CaCertificate {
    pem: String,
    path: PathBuf,
    remove_on_drop: bool,
}

impl CaCertificate {
    /// The CA certificate, PEM-encoded.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// The file holding [`CaCertificate::pem`] (a value for `SSL_CERT_FILE`).
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for CaCertificate {
    fn drop(&mut self) {
        if self.remove_on_drop {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// What an HTTPS listener needs: the rustls configuration and the CA to publish.
#[derive(Debug, Clone)]
pub struct TlsServer {
    /// Server configuration (certificate chain, key, ALPN `http/1.1`).
    pub config: Arc<ServerConfig>,
    /// The CA that signed the server certificate.
    pub ca: Arc<CaCertificate>,
}

impl TlsServer {
    /// Generates a CA and a server certificate for the loopback names, `listen`'s IP
    /// (when specific) and `extra_names`, and writes the CA to `ca_file` (default: a new
    /// file in the temporary directory).
    pub fn generate(
        listen: SocketAddr,
        extra_names: &[String],
        ca_file: Option<&Path>,
    ) -> anyhow::Result<TlsServer> {
        let ca_key = KeyPair::generate()?;
        let ca_params = ca_params()?;
        let ca_pem = ca_params.self_signed(&ca_key)?.pem();
        let issuer = Issuer::new(ca_params, ca_key);

        let server_key = KeyPair::generate()?;
        let server_cert =
            server_params(&server_names(listen, extra_names))?.signed_by(&server_key, &issuer)?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        let mut config =
            ServerConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
                .with_safe_default_protocol_versions()?
                .with_no_client_auth()
                .with_single_cert(vec![server_cert.der().clone()], key)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];

        let ca = write_ca(ca_pem, ca_file, listen.port())?;
        Ok(TlsServer {
            config: Arc::new(config),
            ca: Arc::new(ca),
        })
    }
}

/// Validity starting yesterday (clock skew) and lasting `days`.
fn validity(params: &mut CertificateParams, days: i64) {
    let ymd = |d: chrono::DateTime<Utc>| {
        rcgen::date_time_ymd(
            d.year(),
            u8::try_from(d.month()).unwrap_or(1),
            u8::try_from(d.day()).unwrap_or(1),
        )
    };
    let now = Utc::now();
    params.not_before = ymd(now - Duration::days(1));
    params.not_after = ymd(now + Duration::days(days));
}

fn ca_params() -> anyhow::Result<CertificateParams> {
    let mut p = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "entra-emulator local CA");
    dn.push(DnType::OrganizationName, "entra-emulator");
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    validity(&mut p, 3650);
    Ok(p)
}

fn server_params(names: &[String]) -> anyhow::Result<CertificateParams> {
    let mut p = CertificateParams::new(names.to_vec())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "localhost");
    p.distinguished_name = dn;
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    p.use_authority_key_identifier_extension = true;
    // Some platforms (Apple) refuse server certificates valid for more than 825 days.
    validity(&mut p, 365);
    Ok(p)
}

/// The loopback names, the listen IP when it is a specific one, and `extra`, deduplicated.
fn server_names(listen: SocketAddr, extra: &[String]) -> Vec<String> {
    let mut names: Vec<String> = LOOPBACK_NAMES.iter().map(|s| (*s).to_owned()).collect();
    let ip: IpAddr = listen.ip();
    let candidates = (!ip.is_unspecified())
        .then(|| ip.to_string())
        .into_iter()
        .chain(extra.iter().map(|n| n.trim().to_owned()));
    for name in candidates {
        if !name.is_empty() && !names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            names.push(name);
        }
    }
    names
}

/// Writes the CA PEM to `path`, or to a new uniquely named file in the temporary
/// directory (removed on drop).
fn write_ca(pem: String, path: Option<&Path>, port: u16) -> anyhow::Result<CaCertificate> {
    if let Some(path) = path {
        std::fs::write(path, &pem)
            .with_context(|| format!("writing the CA certificate to {}", path.display()))?;
        return Ok(CaCertificate {
            pem,
            path: path.to_owned(),
            remove_on_drop: false,
        });
    }
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let path = std::env::temp_dir().join(format!("entra-emulator-ca-{port}-{}.pem", &unique[..12]));
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(pem.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(CaCertificate {
        pem,
        path,
        remove_on_drop: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cover_loopback_listen_ip_and_extras_once() {
        let names = server_names(
            "10.0.0.5:443".parse().unwrap(),
            &["graph.local".into(), "LOCALHOST".into(), " ".into()],
        );
        assert_eq!(
            names,
            ["localhost", "127.0.0.1", "::1", "10.0.0.5", "graph.local"]
        );
        assert_eq!(server_names("0.0.0.0:0".parse().unwrap(), &[]).len(), 3);
    }

    #[test]
    fn generates_a_ca_file_removed_on_drop() {
        let tls = TlsServer::generate("127.0.0.1:1".parse().unwrap(), &[], None).unwrap();
        let path = tls.ca.path().to_owned();
        let on_disk = std::fs::read_to_string(&path).unwrap();
        assert!(on_disk.starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(on_disk, tls.ca.pem());
        drop(tls);
        assert!(!path.exists());
    }
}
