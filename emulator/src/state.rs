//! Shared application state: the directory (primary tenant, replication log, pending
//! dynamic evaluations) behind one lock, the seed for resets, the token signer,
//! counters and fault settings.

use std::sync::Arc;

use parking_lot::RwLock;

use crate::auth::TokenSigner;
use crate::directory::{Clock, Directory};
use crate::dynamic;
use crate::faults::Faults;
use crate::options::Options;
use crate::origin::Scheme;
use crate::persist::Persister;
use crate::replication::{ReadAt, mono_ms};
use crate::stats::Stats;
use crate::store::Tenant;
use crate::view::View;

/// Cheaply clonable handle to the emulator's state.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

struct Shared {
    directory: RwLock<Directory>,
    seed: Tenant,
    signer: TokenSigner,
    stats: Stats,
    faults: Faults,
    own_urls: RwLock<Vec<String>>,
    token_lifetime_secs: i64,
    premium: bool,
    scheme: Scheme,
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
        let mut seed = options.load_seed()?.into_tenant()?;
        // A seeded tenant existed long before start: its dynamic memberships are settled.
        dynamic::evaluate_all(&mut seed);
        seed.forget_changes();
        let (tenant, persister) = match &options.state_file {
            Some(path) => {
                let (p, loaded) = Persister::open(path)?;
                let tenant = match loaded {
                    // Evaluations pending when the state was saved catch up at start.
                    Some(mut t) => {
                        dynamic::evaluate_all(&mut t);
                        t
                    }
                    None => seed.clone(),
                };
                (tenant, Some(p))
            }
            None => (seed.clone(), None),
        };
        let state = Self {
            inner: Arc::new(Shared {
                directory: RwLock::new(Directory::new(tenant)),
                seed,
                signer: TokenSigner::random(),
                stats: Stats::default(),
                faults: Faults::new(options.faults.clone()),
                own_urls: RwLock::new(Vec::new()),
                token_lifetime_secs: options.token_lifetime_secs,
                premium: !options.no_premium,
                scheme: if options.tls {
                    Scheme::Https
                } else {
                    Scheme::Http
                },
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

    /// Runs `f` with shared access to the primary tenant (the current truth).
    pub fn read<R>(&self, f: impl FnOnce(&Tenant) -> R) -> R {
        f(&self.inner.directory.read().tenant)
    }

    /// Runs `f` with the directory as `at` sees it now.
    pub fn view<R>(&self, at: ReadAt, f: impl FnOnce(&View<'_>) -> R) -> R {
        let clock = self.clock();
        let directory = self.inner.directory.read();
        f(&directory.view_at(at, clock))
    }

    /// Runs `f` with exclusive access to the directory, then replicates the write's
    /// changes, schedules the dynamic evaluations they call for, and persists.
    pub fn write<R>(&self, f: impl FnOnce(&mut Directory) -> R) -> R {
        let clock = self.clock();
        let r = {
            let mut directory = self.inner.directory.write();
            directory.begin(clock);
            let r = f(&mut directory);
            directory.commit();
            r
        };
        self.persist();
        r
    }

    /// Runs due dynamic evaluations and prunes replicated history (start of a request).
    pub fn tick(&self) {
        let clock = self.clock();
        if !self.inner.directory.read().needs_tick(clock) {
            return;
        }
        self.inner.directory.write().tick(clock);
        self.persist();
    }

    /// Time passes: pending evaluations run, every change reaches every replica.
    pub fn settle(&self) {
        let clock = self.clock();
        self.inner.directory.write().settle(clock);
        self.persist();
    }

    /// The settings and time for the request being served.
    fn clock(&self) -> Clock {
        Clock {
            now_ms: mono_ms(),
            lag: self.inner.faults.lag_model(),
            dynamic_delay_ms: self.inner.faults.dynamic_delay_ms(),
        }
    }

    fn persist(&self) {
        if let Some(p) = &self.inner.persister {
            p.mark_dirty(|| self.snapshot());
        }
    }

    /// Snapshot of the tenant (for persistence).
    pub fn snapshot(&self) -> Tenant {
        self.inner.directory.read().tenant.clone()
    }

    /// Writes pending state to disk now (no-op without a state file).
    pub fn flush(&self) {
        if let Some(p) = &self.inner.persister {
            p.flush(|| self.snapshot());
        }
    }

    /// Back to the seed, counters zeroed.
    pub fn reset(&self) {
        *self.inner.directory.write() = Directory::new(self.inner.seed.clone());
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

    /// Whether the tenant holds an Entra ID P1 licence (see `Options::no_premium`).
    pub fn premium(&self) -> bool {
        self.inner.premium
    }

    /// The scheme the emulator's listener serves (`Options::tls`).
    pub fn scheme(&self) -> Scheme {
        self.inner.scheme
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
