//! What one read replica sees: the primary's data, except where a change has not
//! reached the replica yet, in which case the replica still shows the value from before
//! that change. At the primary (or with lag off) a view is the tenant itself.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{AppError, AppResult};
use crate::replication::{LagModel, LinkHistory, ReadAt, ReplicationLog, Stamp, Timeline};
use crate::store::model::{CustomRole, RoleAssignment};
use crate::store::{DirObject, ObjState, ObjectKind, Tenant};

/// A consistent read of the directory as one replica (or the primary) sees it.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    tenant: &'a Tenant,
    log: &'a ReplicationLog,
    replica: Option<Replica>,
}

#[derive(Debug, Clone, Copy)]
struct Replica {
    index: u32,
    now_ms: u64,
    lag: LagModel,
}

/// Where an object stands at the reader.
#[derive(Debug, Clone, Copy)]
pub enum Seen<'a> {
    /// Not there.
    Absent,
    /// Live.
    Live(&'a DirObject),
    /// In the recycle bin.
    Deleted(&'a DirObject),
}

type Links = BTreeMap<String, BTreeSet<String>>;

impl<'a> View<'a> {
    /// The view at `at`, `now_ms` on the monotonic clock, with the given lags.
    pub fn new(
        tenant: &'a Tenant,
        log: &'a ReplicationLog,
        at: ReadAt,
        lag: LagModel,
        now_ms: u64,
    ) -> Self {
        let replica = match at {
            ReadAt::Replica(index) if !lag.is_off() && !log.is_empty() => {
                Some(Replica { index, now_ms, lag })
            }
            _ => None,
        };
        Self {
            tenant,
            log,
            replica,
        }
    }

    /// The primary tenant (for data that is not replicated: apps, domains).
    pub fn tenant(&self) -> &'a Tenant {
        self.tenant
    }

    fn arrived(&self, stamp: Stamp) -> bool {
        self.replica
            .is_none_or(|r| self.log.arrived(stamp, r.index, r.now_ms, &r.lag))
    }

    fn pending<V>(&self, history: &'a BTreeMap<String, Timeline<V>>, key: &str) -> Option<&'a V> {
        self.replica?;
        history.get(key).map(|t| t.resolve(|s| self.arrived(s)))
    }

    /// Where object `id` stands at this reader.
    pub fn object(&self, id: &str) -> Seen<'a> {
        if let Some(state) = self.pending(self.log.objects(), id) {
            return match state {
                ObjState::Absent => Seen::Absent,
                ObjState::Live(o) => Seen::Live(o),
                ObjState::Deleted(o) => Seen::Deleted(o),
            };
        }
        if let Some(o) = self.tenant.objects.get(id) {
            Seen::Live(o)
        } else if let Some(o) = self.tenant.deleted.get(id) {
            Seen::Deleted(o)
        } else {
            Seen::Absent
        }
    }

    /// A live object.
    pub fn get(&self, id: &str) -> Option<&'a DirObject> {
        match self.object(id) {
            Seen::Live(o) => Some(o),
            _ => None,
        }
    }

    /// A live object of `kind`, or 404 naming `id`.
    pub fn get_kind(&self, id: &str, kind: ObjectKind) -> AppResult<&'a DirObject> {
        self.get(id)
            .filter(|o| o.kind == kind)
            .ok_or_else(|| AppError::not_found(id))
    }

    /// A soft-deleted object.
    pub fn deleted(&self, id: &str) -> Option<&'a DirObject> {
        match self.object(id) {
            Seen::Deleted(o) => Some(o),
            _ => None,
        }
    }

    /// Objects of the primary `map` plus pending ones, as seen here, filtered by `keep`,
    /// in id order.
    fn collect(
        &self,
        map: &'a BTreeMap<String, DirObject>,
        pick: impl Fn(Seen<'a>) -> Option<&'a DirObject>,
        keep: impl Fn(&DirObject) -> bool,
    ) -> Vec<&'a DirObject> {
        if self.replica.is_none() {
            return map.values().filter(|o| keep(o)).collect();
        }
        let mut out: Vec<&'a DirObject> = map
            .values()
            .filter(|o| keep(o))
            .filter_map(|o| pick(self.object(&o.id)))
            .filter(|o| keep(o))
            .collect();
        let before = out.len();
        for id in self.log.objects().keys() {
            if !map.contains_key(id)
                && let Some(o) = pick(self.object(id)).filter(|o| keep(o))
            {
                out.push(o);
            }
        }
        if out.len() > before {
            out.sort_by(|a, b| a.id.cmp(&b.id));
        }
        out
    }

    /// Live objects of `kind` in id order.
    pub fn list(&self, kind: ObjectKind) -> Vec<&'a DirObject> {
        let live = |s: Seen<'a>| match s {
            Seen::Live(o) => Some(o),
            _ => None,
        };
        self.collect(&self.tenant.objects, live, |o| o.kind == kind)
    }

    /// Soft-deleted objects (of `kind`, when given) in id order.
    pub fn deleted_list(&self, kind: Option<ObjectKind>) -> Vec<&'a DirObject> {
        let deleted = |s: Seen<'a>| match s {
            Seen::Deleted(o) => Some(o),
            _ => None,
        };
        self.collect(&self.tenant.deleted, deleted, |o| {
            kind.is_none_or(|k| o.kind == k)
        })
    }

    /// Member ids of `container` as seen here.
    fn link_ids(
        &self,
        primary: &'a Links,
        history: &'a LinkHistory,
        container: &str,
    ) -> BTreeSet<&'a str> {
        let mut ids: BTreeSet<&'a str> = primary
            .get(container)
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        if self.replica.is_some()
            && let Some(pending) = history.get(container)
        {
            for (member, t) in pending {
                if *t.resolve(|s| self.arrived(s)) {
                    ids.insert(member);
                } else {
                    ids.remove(member.as_str());
                }
            }
        }
        ids
    }

    /// Container ids naming `member` as seen here.
    fn containers(
        &self,
        primary: &'a Links,
        history: &'a LinkHistory,
        member: &str,
    ) -> BTreeSet<&'a str> {
        let mut ids: BTreeSet<&'a str> = primary
            .iter()
            .filter(|(_, set)| set.contains(member))
            .map(|(c, _)| c.as_str())
            .collect();
        if self.replica.is_some() {
            for (container, pending) in history {
                if let Some(t) = pending.get(member) {
                    if *t.resolve(|s| self.arrived(s)) {
                        ids.insert(container);
                    } else {
                        ids.remove(container.as_str());
                    }
                }
            }
        }
        ids
    }

    fn live_of(&self, ids: BTreeSet<&'a str>) -> Vec<&'a DirObject> {
        ids.into_iter().filter_map(|id| self.get(id)).collect()
    }

    /// Live members of an AU, in id order.
    pub fn members(&self, au_id: &str) -> Vec<&'a DirObject> {
        self.live_of(self.link_ids(&self.tenant.au_members, self.log.au_links(), au_id))
    }

    /// Whether `member` is a live member of `au`.
    pub fn is_member(&self, au_id: &str, member_id: &str) -> bool {
        self.get(member_id).is_some()
            && self
                .link_ids(&self.tenant.au_members, self.log.au_links(), au_id)
                .contains(member_id)
    }

    /// Live AUs that `member_id` belongs to, in id order.
    pub fn aus_of(&self, member_id: &str) -> Vec<&'a DirObject> {
        self.live_of(self.containers(&self.tenant.au_members, self.log.au_links(), member_id))
    }

    /// Live direct members of a group, in id order.
    pub fn group_members(&self, group_id: &str) -> Vec<&'a DirObject> {
        self.live_of(self.link_ids(&self.tenant.group_members, self.log.group_links(), group_id))
    }

    /// Whether `member` is a live direct member of `group`.
    pub fn is_group_member(&self, group_id: &str, member_id: &str) -> bool {
        self.get(member_id).is_some()
            && self
                .link_ids(&self.tenant.group_members, self.log.group_links(), group_id)
                .contains(member_id)
    }

    /// Live groups that `member_id` is a direct member of, in id order.
    pub fn groups_of(&self, member_id: &str) -> Vec<&'a DirObject> {
        self.live_of(self.containers(
            &self.tenant.group_members,
            self.log.group_links(),
            member_id,
        ))
    }

    /// Entries of a primary map plus pending ones, as seen here, in key order.
    fn entries<V>(
        &self,
        primary: &'a BTreeMap<String, V>,
        history: &'a BTreeMap<String, Timeline<Option<V>>>,
    ) -> Vec<&'a V> {
        if self.replica.is_none() {
            return primary.values().collect();
        }
        let mut keys: BTreeSet<&'a String> = primary.keys().collect();
        keys.extend(history.keys());
        keys.into_iter()
            .filter_map(|k| self.entry(primary, history, k))
            .collect()
    }

    fn entry<V>(
        &self,
        primary: &'a BTreeMap<String, V>,
        history: &'a BTreeMap<String, Timeline<Option<V>>>,
        key: &str,
    ) -> Option<&'a V> {
        match self.pending(history, key) {
            Some(seen) => seen.as_ref(),
            None => primary.get(key),
        }
    }

    /// Role assignments in id order.
    pub fn assignments(&self) -> Vec<&'a RoleAssignment> {
        self.entries(&self.tenant.role_assignments, self.log.assignments())
    }

    /// One role assignment.
    pub fn assignment(&self, id: &str) -> Option<&'a RoleAssignment> {
        self.entry(&self.tenant.role_assignments, self.log.assignments(), id)
    }

    /// Custom role definitions in id order.
    pub fn custom_roles(&self) -> Vec<&'a CustomRole> {
        self.entries(&self.tenant.custom_roles, self.log.custom_roles())
    }

    /// One custom role definition.
    pub fn custom_role(&self, id: &str) -> Option<&'a CustomRole> {
        self.entry(&self.tenant.custom_roles, self.log.custom_roles(), id)
    }

    /// The activated directoryRole object for a template, if any.
    pub fn activated_role(&self, template_id: &str) -> Option<&'a DirObject> {
        self.list(ObjectKind::DirectoryRole).into_iter().find(|r| {
            r.str_prop("roleTemplateId")
                .is_some_and(|t| t.eq_ignore_ascii_case(template_id))
        })
    }
}
