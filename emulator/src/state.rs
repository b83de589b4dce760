//! Shared application state: the tenant behind one lock, the seed for resets,
//! the token signer, counters and fault settings.

use std::sync::Arc;

use parking_lot::RwLock;

use crate::auth::TokenSigner;
use crate::faults::Faults;
use crate::options::Options;
use crate::persist::Persister;
use crate::stats::Stats;
use crate::store::Tenant;

/// Cheaply clonable handle to the emulator's state.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

struct Shared {
    tenant: RwLock<Tenant>,
    seed: Tenant,
    signer: TokenSigner,
    stats: Stats,
    faults: Faults,
    own_urls: RwLock<Vec<String>>,
    token_lifetime_secs: i64,
    persister: Option<Persister>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl AppState {
    /// Builds the state from options: the state file if present, else the seed.
    pub fn new(options: &Options) -> anyhow::Result<Self> {
        let seed = options.load_seed()?.into_tenant()?;
        let (tenant, persister) = match &options.state_file {
            Some(path) => {
                let (p, loaded) = Persister::open(path)?;
                (loaded.unwrap_or_else(|| seed.clone()), Some(p))
            }
            None => (seed.clone(), None),
        };
        let state = Self {
            inner: Arc::new(Shared {
                tenant: RwLock::new(tenant),
                seed,
                signer: TokenSigner::random(),
                stats: Stats::default(),
                faults: Faults::new(options.faults.clone()),
                own_urls: RwLock::new(Vec::new()),
                token_lifetime_secs: options.token_lifetime_secs,
                persister,
            }),
        };
        state.persist();
        Ok(state)
    }

    /// A state for the built-in demo tenant.
    pub fn demo() -> anyhow::Result<Self> {
        Self::new(&Options::default())
    }

    /// Runs `f` with shared access to the tenant.
    pub fn read<R>(&self, f: impl FnOnce(&Tenant) -> R) -> R {
        f(&self.inner.tenant.read())
    }

    /// Runs `f` with exclusive access to the tenant, then schedules persistence.
    pub fn write<R>(&self, f: impl FnOnce(&mut Tenant) -> R) -> R {
        let r = f(&mut self.inner.tenant.write());
        self.persist();
        r
    }

    fn persist(&self) {
        if let Some(p) = &self.inner.persister {
            p.mark_dirty(self.clone());
        }
    }

    /// Snapshot of the tenant (for persistence).
    pub fn snapshot(&self) -> Tenant {
        self.inner.tenant.read().clone()
    }

    /// Writes pending state to disk now (no-op without a state file).
    pub fn flush(&self) {
        if let Some(p) = &self.inner.persister {
            p.flush(self);
        }
    }

    /// Back to the seed, counters zeroed.
    pub fn reset(&self) {
        *self.inner.tenant.write() = self.inner.seed.clone();
        self.inner.stats.reset();
        self.inner.faults.reset_counters();
        self.persist();
    }

    /// The token signer.
    pub fn signer(&self) -> &TokenSigner {
        &self.inner.signer
    }

    /// Request counters.
    pub fn stats(&self) -> &Stats {
        &self.inner.stats
    }

    /// Fault injection.
    pub fn faults(&self) -> &Faults {
        &self.inner.faults
    }

    /// Lifetime of issued tokens.
    pub fn token_lifetime_secs(&self) -> i64 {
        self.inner.token_lifetime_secs
    }

    /// URLs under which the emulator is reachable (accepted as token audiences).
    pub fn own_urls(&self) -> Vec<String> {
        self.inner.own_urls.read().clone()
    }

    /// Records the URL the server is listening on.
    pub fn add_own_url(&self, url: String) {
        self.inner.own_urls.write().push(url);
    }
}
