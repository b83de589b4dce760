//! Change capture. During a write the tenant remembers the value every key had before
//! its first mutation; at the end of the write the keys whose value really changed
//! become a [`ChangeSet`], which is replicated with lag and may schedule
//! dynamic-membership evaluations.

use std::collections::BTreeMap;

use super::model::{CustomRole, DirObject, RoleAssignment};
use super::tenant::Tenant;

/// Where an object stands: live, in the recycle bin, or not there at all.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjState {
    /// Not in the directory.
    Absent,
    /// A live object.
    Live(DirObject),
    /// A soft-deleted object.
    Deleted(DirObject),
}

impl ObjState {
    /// The object when it is live.
    pub fn live(&self) -> Option<&DirObject> {
        match self {
            Self::Live(o) => Some(o),
            _ => None,
        }
    }

    /// The object when it is soft-deleted.
    pub fn deleted(&self) -> Option<&DirObject> {
        match self {
            Self::Deleted(o) => Some(o),
            _ => None,
        }
    }
}

/// A membership link: (container id, member id). Containers are AUs or groups.
pub type Link = (String, String);

/// Values before the first mutation of the current write, per key.
#[derive(Debug, Clone, Default)]
pub struct Journal {
    objects: BTreeMap<String, ObjState>,
    au_links: BTreeMap<Link, bool>,
    group_links: BTreeMap<Link, bool>,
    assignments: BTreeMap<String, Option<RoleAssignment>>,
    custom_roles: BTreeMap<String, Option<CustomRole>>,
}

/// One key's value before and after a write.
#[derive(Debug, Clone, PartialEq)]
pub struct Delta<K, V> {
    /// What changed.
    pub key: K,
    /// The value before the write.
    pub before: V,
    /// The value after the write.
    pub after: V,
}

/// The net changes of one write, in key order.
#[derive(Debug, Clone, Default)]
pub struct ChangeSet {
    /// Objects created, changed, deleted or restored.
    pub objects: Vec<Delta<String, ObjState>>,
    /// AU membership links added (`after`) or removed.
    pub au_links: Vec<Delta<Link, bool>>,
    /// Group membership links added (`after`) or removed.
    pub group_links: Vec<Delta<Link, bool>>,
    /// Role assignments created or deleted.
    pub assignments: Vec<Delta<String, Option<RoleAssignment>>>,
    /// Custom role definitions created, changed or deleted.
    pub custom_roles: Vec<Delta<String, Option<CustomRole>>>,
}

impl ChangeSet {
    /// Whether the write changed nothing.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
            && self.au_links.is_empty()
            && self.group_links.is_empty()
            && self.assignments.is_empty()
            && self.custom_roles.is_empty()
    }
}

/// Keys whose current value differs from the remembered one.
fn deltas<K, V: PartialEq>(before: BTreeMap<K, V>, now: impl Fn(&K) -> V) -> Vec<Delta<K, V>> {
    before
        .into_iter()
        .filter_map(|(key, before)| {
            let after = now(&key);
            (after != before).then_some(Delta { key, before, after })
        })
        .collect()
}

fn link(container: &str, member: &str) -> Link {
    (container.to_owned(), member.to_owned())
}

impl Tenant {
    /// Where object `id` stands now.
    pub fn object_state(&self, id: &str) -> ObjState {
        if let Some(o) = self.objects.get(id) {
            ObjState::Live(o.clone())
        } else if let Some(o) = self.deleted.get(id) {
            ObjState::Deleted(o.clone())
        } else {
            ObjState::Absent
        }
    }

    /// Remembers object `id` before it is mutated.
    pub(super) fn capture_object(&mut self, id: &str) {
        if !self.journal.objects.contains_key(id) {
            let state = self.object_state(id);
            self.journal.objects.insert(id.to_owned(), state);
        }
    }

    /// Remembers the AU link before it is mutated.
    pub(super) fn capture_au_link(&mut self, au: &str, member: &str) {
        let key = link(au, member);
        if !self.journal.au_links.contains_key(&key) {
            let present = self.has_au_link(au, member);
            self.journal.au_links.insert(key, present);
        }
    }

    /// Remembers the group link before it is mutated.
    pub(super) fn capture_group_link(&mut self, group: &str, member: &str) {
        let key = link(group, member);
        if !self.journal.group_links.contains_key(&key) {
            let present = self.has_group_link(group, member);
            self.journal.group_links.insert(key, present);
        }
    }

    /// Remembers role assignment `id` before it is mutated.
    pub(super) fn capture_assignment(&mut self, id: &str) {
        if !self.journal.assignments.contains_key(id) {
            let a = self.role_assignments.get(id).cloned();
            self.journal.assignments.insert(id.to_owned(), a);
        }
    }

    /// Remembers custom role `id` before it is mutated.
    pub(super) fn capture_custom_role(&mut self, id: &str) {
        if !self.journal.custom_roles.contains_key(id) {
            let r = self.custom_roles.get(id).cloned();
            self.journal.custom_roles.insert(id.to_owned(), r);
        }
    }

    /// The net changes since the last call, clearing the journal.
    pub fn take_changes(&mut self) -> ChangeSet {
        let journal = std::mem::take(&mut self.journal);
        ChangeSet {
            objects: deltas(journal.objects, |id| self.object_state(id)),
            au_links: deltas(journal.au_links, |(c, m)| self.has_au_link(c, m)),
            group_links: deltas(journal.group_links, |(c, m)| self.has_group_link(c, m)),
            assignments: deltas(journal.assignments, |id| {
                self.role_assignments.get(id).cloned()
            }),
            custom_roles: deltas(journal.custom_roles, |id| {
                self.custom_roles.get(id).cloned()
            }),
        }
    }

    /// Drops the journal (the tenant's current state becomes the old, settled one).
    pub fn forget_changes(&mut self) {
        self.journal = Journal::default();
    }
}
