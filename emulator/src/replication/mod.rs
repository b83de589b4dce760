//! Entra as a primary plus read replicas. Writes are decided on the primary (the
//! tenant); every change then reaches each replica after its own lag (see [`LagModel`]).
//! Instead of copying the tenant per replica, the log keeps a short history per changed
//! object, link, role assignment and custom role, pruned once a change has reached
//! every replica. Lags are computed when read, from the settings of the moment.

mod lag;
mod timeline;

use std::collections::{BTreeMap, VecDeque};
use std::sync::OnceLock;
use std::time::Instant;

pub use lag::LagModel;
pub use timeline::{Stamp, Timeline};

use crate::store::journal::Link;
use crate::store::model::{CustomRole, RoleAssignment};
use crate::store::{ChangeSet, Delta, ObjState};

/// Which copy of the directory serves a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReadAt {
    /// The primary: the current truth (`x-emulator-consistency: strong`).
    #[default]
    Primary,
    /// A read replica, 0-based.
    Replica(u32),
}

/// Milliseconds on the emulator's monotonic clock (drives lags and dynamic delays).
pub fn mono_ms() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    let start = START.get_or_init(Instant::now);
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Pending changes of links, per container then member.
pub type LinkHistory = BTreeMap<String, BTreeMap<String, Timeline<bool>>>;

/// Which history a pending change belongs to.
#[derive(Debug, Clone)]
enum Key {
    Object(String),
    AuLink(Link),
    GroupLink(Link),
    Assignment(String),
    CustomRole(String),
}

/// Recent changes that may not have reached every replica yet.
#[derive(Debug, Default)]
pub struct ReplicationLog {
    seq: u64,
    settled: u64,
    objects: BTreeMap<String, Timeline<ObjState>>,
    au_links: LinkHistory,
    group_links: LinkHistory,
    assignments: BTreeMap<String, Timeline<Option<RoleAssignment>>>,
    custom_roles: BTreeMap<String, Timeline<Option<CustomRole>>>,
    pending: VecDeque<(Stamp, Key)>,
}

fn push<K: Ord + Clone, V: Clone>(
    map: &mut BTreeMap<K, Timeline<V>>,
    delta: &Delta<K, V>,
    stamp: Stamp,
) {
    map.entry(delta.key.clone())
        .or_insert_with(|| Timeline::new(delta.before.clone()))
        .push(stamp, delta.after.clone());
}

fn settle<K: Ord, V>(map: &mut BTreeMap<K, Timeline<V>>, key: &K, seq: u64) {
    if map.get_mut(key).is_some_and(|t| t.settle_through(seq)) {
        map.remove(key);
    }
}

fn settle_link(links: &mut LinkHistory, (container, member): &Link, seq: u64) {
    if let Some(members) = links.get_mut(container) {
        settle(members, member, seq);
        if members.is_empty() {
            links.remove(container);
        }
    }
}

impl ReplicationLog {
    /// Whether every change has reached every replica.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    fn stamp(&mut self, at_ms: u64) -> Stamp {
        self.seq += 1;
        Stamp {
            seq: self.seq,
            at_ms,
        }
    }

    /// Records the changes of one write, applied by the primary at `at_ms`.
    pub fn record(&mut self, changes: &ChangeSet, at_ms: u64) {
        for d in &changes.objects {
            let stamp = self.stamp(at_ms);
            push(&mut self.objects, d, stamp);
            self.pending.push_back((stamp, Key::Object(d.key.clone())));
        }
        for (d, group) in changes
            .au_links
            .iter()
            .map(|d| (d, false))
            .chain(changes.group_links.iter().map(|d| (d, true)))
        {
            let stamp = self.stamp(at_ms);
            let links = if group {
                &mut self.group_links
            } else {
                &mut self.au_links
            };
            let (container, member) = &d.key;
            links
                .entry(container.clone())
                .or_default()
                .entry(member.clone())
                .or_insert_with(|| Timeline::new(d.before))
                .push(stamp, d.after);
            let key = if group {
                Key::GroupLink(d.key.clone())
            } else {
                Key::AuLink(d.key.clone())
            };
            self.pending.push_back((stamp, key));
        }
        for d in &changes.assignments {
            let stamp = self.stamp(at_ms);
            push(&mut self.assignments, d, stamp);
            self.pending
                .push_back((stamp, Key::Assignment(d.key.clone())));
        }
        for d in &changes.custom_roles {
            let stamp = self.stamp(at_ms);
            push(&mut self.custom_roles, d, stamp);
            self.pending
                .push_back((stamp, Key::CustomRole(d.key.clone())));
        }
    }

    /// Whether the change stamped `stamp` has reached `replica` at `now_ms`.
    pub fn arrived(&self, stamp: Stamp, replica: u32, now_ms: u64, lag: &LagModel) -> bool {
        stamp.seq <= self.settled
            || now_ms >= stamp.at_ms.saturating_add(lag.lag_ms(stamp.seq, replica))
    }

    fn everywhere(&self, stamp: Stamp, now_ms: u64, lag: &LagModel) -> bool {
        stamp.seq <= self.settled || now_ms >= stamp.at_ms.saturating_add(lag.max_ms)
    }

    /// Whether some change has reached every replica and can be folded away.
    pub fn prune_due(&self, now_ms: u64, lag: &LagModel) -> bool {
        self.pending
            .front()
            .is_some_and(|(s, _)| self.everywhere(*s, now_ms, lag))
    }

    /// Forgets the history of changes that have reached every replica.
    pub fn prune(&mut self, now_ms: u64, lag: &LagModel) {
        while let Some((stamp, _)) = self.pending.front() {
            if !self.everywhere(*stamp, now_ms, lag) {
                break;
            }
            let Some((stamp, key)) = self.pending.pop_front() else {
                break;
            };
            match &key {
                Key::Object(id) => settle(&mut self.objects, id, stamp.seq),
                Key::AuLink(l) => settle_link(&mut self.au_links, l, stamp.seq),
                Key::GroupLink(l) => settle_link(&mut self.group_links, l, stamp.seq),
                Key::Assignment(id) => settle(&mut self.assignments, id, stamp.seq),
                Key::CustomRole(id) => settle(&mut self.custom_roles, id, stamp.seq),
            }
        }
    }

    /// Every change so far reaches every replica now (`POST /_emulator/settle`).
    pub fn settle_all(&mut self) {
        self.settled = self.seq;
        self.forget();
    }

    /// Drops every history (used when lag is off: replicas equal the primary).
    pub fn forget(&mut self) {
        self.objects.clear();
        self.au_links.clear();
        self.group_links.clear();
        self.assignments.clear();
        self.custom_roles.clear();
        self.pending.clear();
    }

    /// Pending history of objects.
    pub fn objects(&self) -> &BTreeMap<String, Timeline<ObjState>> {
        &self.objects
    }

    /// Pending history of AU links.
    pub fn au_links(&self) -> &LinkHistory {
        &self.au_links
    }

    /// Pending history of group links.
    pub fn group_links(&self) -> &LinkHistory {
        &self.group_links
    }

    /// Pending history of role assignments.
    pub fn assignments(&self) -> &BTreeMap<String, Timeline<Option<RoleAssignment>>> {
        &self.assignments
    }

    /// Pending history of custom role definitions.
    pub fn custom_roles(&self) -> &BTreeMap<String, Timeline<Option<CustomRole>>> {
        &self.custom_roles
    }
}
