//! Change capture. During a write the tenant remembers in its [`Journal`] the value every
//! key had before its first mutation; at the end of the write the keys whose value really
//! changed become a [`ChangeSet`], which is replicated with lag and may schedule
//! dynamic-membership evaluations. The tenant fills the journal (`tenant.rs`).

use std::collections::BTreeMap;

use super::model::{CustomRole, DirObject, RoleAssignment};

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
    pub(super) objects: BTreeMap<String, ObjState>,
    pub(super) au_links: BTreeMap<Link, bool>,
    pub(super) group_links: BTreeMap<Link, bool>,
    pub(super) assignments: BTreeMap<String, Option<RoleAssignment>>,
    pub(super) custom_roles: BTreeMap<String, Option<CustomRole>>,
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
pub(super) fn deltas<K, V: PartialEq>(
    before: BTreeMap<K, V>,
    now: impl Fn(&K) -> V,
) -> Vec<Delta<K, V>> {
    before
        .into_iter()
        .filter_map(|(key, before)| {
            let after = now(&key);
            (after != before).then_some(Delta { key, before, after })
        })
        .collect()
}

pub(super) fn link(container: &str, member: &str) -> Link {
    (container.to_owned(), member.to_owned())
}
