//! The directory behind the state lock: the primary tenant, the replication log of
//! recent changes, and pending dynamic-membership evaluations.

use crate::dynamic::queue::DynamicQueue;
use crate::error::{AppError, AppResult};
use crate::replication::{LagModel, ReadAt, ReplicationLog};
use crate::store::{DirObject, ObjectKind, Tenant};
use crate::view::View;

/// The settings and time of the request being served.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// Now, on the monotonic clock (ms).
    pub now_ms: u64,
    /// Replication lags.
    pub lag: LagModel,
    /// Delay before a change's dynamic-membership evaluation (ms).
    pub dynamic_delay_ms: u64,
}

impl Clock {
    /// A clock for tenants built outside a request (seeds, state files): no lag.
    pub fn settled() -> Self {
        Self {
            now_ms: 0,
            lag: LagModel {
                min_ms: 0,
                max_ms: 0,
                replicas: 1,
                seed: 0,
            },
            dynamic_delay_ms: 0,
        }
    }
}

/// The primary tenant plus what has not reached every replica or evaluation yet.
#[derive(Debug)]
pub struct Directory {
    /// The primary: the current truth, where writes are decided.
    pub tenant: Tenant,
    log: ReplicationLog,
    dynamic: DynamicQueue,
    clock: Clock,
}

impl Directory {
    /// A directory whose every object is old: visible everywhere, nothing pending.
    pub fn new(mut tenant: Tenant) -> Self {
        tenant.forget_changes();
        Self {
            tenant,
            log: ReplicationLog::default(),
            dynamic: DynamicQueue::default(),
            clock: Clock::settled(),
        }
    }

    /// The directory as `at` sees it now (during a write: at the write's clock).
    pub fn view(&self, at: ReadAt) -> View<'_> {
        self.view_at(at, self.clock)
    }

    /// The directory as `at` sees it at `clock`.
    pub fn view_at(&self, at: ReadAt, clock: Clock) -> View<'_> {
        View::new(&self.tenant, &self.log, at, clock.lag, clock.now_ms)
    }

    /// The object a write addresses in its path: live at the primary and at the
    /// replica serving the request, else 404 (a replica may not have it yet).
    pub fn addressed(&self, at: ReadAt, id: &str, kind: ObjectKind) -> AppResult<DirObject> {
        self.view(at).get_kind(id, kind)?;
        self.tenant.get_kind(id, kind).cloned()
    }

    /// An object a write references (`@odata.id`, `principalId`, scope): 400 "Not a
    /// valid reference update." while the replica serving the request lacks it.
    pub fn referenced(&self, at: ReadAt, id: &str) -> AppResult<()> {
        if self.view(at).get(id).is_none() {
            return Err(AppError::not_valid_reference());
        }
        Ok(())
    }

    /// Starts a write at `clock`.
    pub(crate) fn begin(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// Ends a write: schedules the evaluations its changes call for and sends the
    /// changes on their way to the replicas.
    pub(crate) fn commit(&mut self) {
        let Clock {
            now_ms,
            lag,
            dynamic_delay_ms,
        } = self.clock;
        let changes = self.tenant.take_changes();
        if !changes.is_empty() {
            self.dynamic.schedule(
                &changes,
                &self.tenant,
                now_ms.saturating_add(dynamic_delay_ms),
            );
            if lag.is_off() {
                self.log.forget();
            } else {
                self.log.record(&changes, now_ms);
            }
        }
        self.log.prune(now_ms, &lag);
    }

    /// Whether [`Directory::tick`] has work at `clock`.
    pub(crate) fn needs_tick(&self, clock: Clock) -> bool {
        self.dynamic.is_due(clock.now_ms) || self.log.prune_due(clock.now_ms, &clock.lag)
    }

    /// Runs due dynamic evaluations and forgets fully replicated history.
    pub(crate) fn tick(&mut self, clock: Clock) {
        self.begin(clock);
        self.dynamic.run(&mut self.tenant, Some(clock.now_ms));
        self.commit();
    }

    /// Time passes: every pending evaluation runs and every change reaches every
    /// replica.
    pub(crate) fn settle(&mut self, clock: Clock) {
        self.begin(clock);
        self.dynamic.run(&mut self.tenant, None);
        self.commit();
        self.log.settle_all();
    }
}
