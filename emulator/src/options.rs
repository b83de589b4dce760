//! Start-up options for the emulator.

use std::path::PathBuf;

use crate::faults::FaultConfig;
use crate::store::seed::Seed;

/// How to start an emulator. `Options::default()` is the built-in demo tenant, no faults.
#[derive(Debug, Clone)]
pub struct Options {
    /// Seed file (JSON, see README). Ignored when `seed_data` is set.
    pub seed: Option<PathBuf>,
    /// Seed given in code (takes precedence over `seed`).
    pub seed_data: Option<Seed>,
    /// State file: loaded at start when it exists, rewritten atomically after changes.
    pub state_file: Option<PathBuf>,
    /// Fault injection settings.
    pub faults: FaultConfig,
    /// Lifetime of issued access tokens in seconds (Entra: 3599).
    pub token_lifetime_secs: i64,
    /// The tenant has no Entra ID P1/P2 licence: `GET /subscribedSkus` lists only a
    /// non-premium SKU (CLI `--no-premium`). Default: false (Entra ID P1).
    pub no_premium: bool,
    /// Serve HTTPS with a CA generated at start (CLI `--tls`); links and printed URLs
    /// use `https://`. Default: false (plain HTTP).
    pub tls: bool,
    /// Where to write the CA certificate (PEM) with `tls` (CLI `--tls-ca-file`).
    /// Default: a new file in the temporary directory, removed at shutdown.
    pub tls_ca_file: Option<PathBuf>,
    /// Extra DNS names or IPs for the server certificate besides `localhost`,
    /// `127.0.0.1`, `::1` and the listen IP (CLI `--tls-name`).
    pub tls_names: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            seed: None,
            seed_data: None,
            state_file: None,
            faults: FaultConfig::default(),
            token_lifetime_secs: 3599,
            no_premium: false,
            tls: false,
            tls_ca_file: None,
            tls_names: Vec::new(),
        }
    }
}

impl Options {
    /// The seed to start from: `seed_data`, else the `seed` file, else the demo tenant.
    pub fn load_seed(&self) -> anyhow::Result<Seed> {
        if let Some(s) = &self.seed_data {
            return Ok(s.clone());
        }
        match &self.seed {
            Some(path) => Seed::from_file(path),
            None => Ok(crate::store::demo::demo_seed()),
        }
    }
}
