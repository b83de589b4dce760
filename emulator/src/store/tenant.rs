//! The tenant: every directory object, memberships, apps and role assignments.
//!
//! This is the primary copy (the current truth). Every mutation goes through a method
//! that first records the old value in the journal (see `journal.rs`), so writes can be
//! replicated to lagging read replicas.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::journal::{ChangeSet, Journal, ObjState, deltas, link};
use super::model::{
    AppRegistration, CustomRole, DirObject, ManagedIdentity, ObjectKind, RoleAssignment, now_iso,
};
use crate::error::{AppError, AppResult};

/// The whole directory state. Serialized as the `--state` file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    /// Tenant id (GUID).
    pub tenant_id: String,
    /// Organization display name.
    pub display_name: String,
    /// Verified domains; the first is the default.
    pub domains: Vec<String>,
    /// Live directory objects by id.
    pub objects: BTreeMap<String, DirObject>,
    /// Soft-deleted objects by id.
    #[serde(default)]
    pub deleted: BTreeMap<String, DirObject>,
    /// AU id → member ids. May name soft-deleted objects (hidden until restored).
    #[serde(default)]
    pub au_members: BTreeMap<String, BTreeSet<String>>,
    /// Group id → direct member ids. May name soft-deleted objects.
    #[serde(default)]
    pub group_members: BTreeMap<String, BTreeSet<String>>,
    /// App registrations usable at the token endpoint.
    #[serde(default)]
    pub apps: Vec<AppRegistration>,
    /// Managed identities usable at the IMDS endpoints.
    #[serde(default)]
    pub managed_identities: Vec<ManagedIdentity>,
    /// Custom role definitions by id.
    #[serde(default)]
    pub custom_roles: BTreeMap<String, CustomRole>,
    /// Role assignments by id.
    #[serde(default)]
    pub role_assignments: BTreeMap<String, RoleAssignment>,
    /// Values before the current write's mutations (never persisted).
    #[serde(skip)]
    pub(super) journal: Journal,
}

impl Tenant {
    /// An empty tenant.
    pub fn empty(tenant_id: &str, display_name: &str, domain: &str) -> Self {
        Self {
            tenant_id: tenant_id.to_owned(),
            display_name: display_name.to_owned(),
            domains: vec![domain.to_owned()],
            objects: BTreeMap::new(),
            deleted: BTreeMap::new(),
            au_members: BTreeMap::new(),
            group_members: BTreeMap::new(),
            apps: Vec::new(),
            managed_identities: Vec::new(),
            custom_roles: BTreeMap::new(),
            role_assignments: BTreeMap::new(),
            journal: Journal::default(),
        }
    }

    /// Whether `tenant` (GUID or domain) names this tenant.
    pub fn matches(&self, tenant: &str) -> bool {
        self.tenant_id.eq_ignore_ascii_case(tenant)
            || self.domains.iter().any(|d| d.eq_ignore_ascii_case(tenant))
    }

    /// A live object by id.
    pub fn get(&self, id: &str) -> Option<&DirObject> {
        self.objects.get(id)
    }

    /// A live object of `kind`, or 404 naming `id`.
    pub fn get_kind(&self, id: &str, kind: ObjectKind) -> AppResult<&DirObject> {
        self.objects
            .get(id)
            .filter(|o| o.kind == kind)
            .ok_or_else(|| AppError::not_found(id))
    }

    /// A live object of `kind` to change in place (recorded as a change), or 404.
    pub fn edit_kind(&mut self, id: &str, kind: ObjectKind) -> AppResult<&mut DirObject> {
        self.get_kind(id, kind)?;
        self.capture_object(id);
        self.objects
            .get_mut(id)
            .ok_or_else(|| AppError::not_found(id))
    }

    /// Live objects of `kind` in id order.
    pub fn list(&self, kind: ObjectKind) -> impl Iterator<Item = &DirObject> {
        self.objects.values().filter(move |o| o.kind == kind)
    }

    /// Inserts (or replaces) a live object.
    pub fn insert(&mut self, obj: DirObject) {
        self.capture_object(&obj.id);
        if obj.kind == ObjectKind::AdministrativeUnit {
            self.au_members.entry(obj.id.clone()).or_default();
        }
        self.objects.insert(obj.id.clone(), obj);
    }

    /// Moves a live object to the recycle bin. Links are kept but hidden.
    pub fn soft_delete(&mut self, id: &str) -> AppResult<DirObject> {
        if !self.objects.contains_key(id) {
            return Err(AppError::not_found(id));
        }
        self.capture_object(id);
        let mut obj = self
            .objects
            .remove(id)
            .ok_or_else(|| AppError::not_found(id))?;
        obj.deleted_date_time = Some(now_iso());
        obj.modified_ms = super::model::now_ms();
        self.deleted.insert(id.to_owned(), obj.clone());
        Ok(obj)
    }

    /// Deletes an object for good, with its links and role assignments.
    pub fn hard_delete(&mut self, id: &str) {
        self.capture_object(id);
        self.objects.remove(id);
        self.deleted.remove(id);
        self.drop_links_of(id);
        let scope = format!("/administrativeUnits/{id}");
        let gone: Vec<String> = self
            .role_assignments
            .values()
            .filter(|a| a.principal_id == id || a.directory_scope_id == scope)
            .map(|a| a.id.clone())
            .collect();
        for a in gone {
            self.remove_assignment(&a);
        }
    }

    /// Restores a soft-deleted object.
    pub fn restore(&mut self, id: &str) -> AppResult<DirObject> {
        if !self.deleted.contains_key(id) {
            return Err(AppError::not_found(id));
        }
        self.capture_object(id);
        let mut obj = self
            .deleted
            .remove(id)
            .ok_or_else(|| AppError::not_found(id))?;
        obj.deleted_date_time = None;
        obj.modified_ms = super::model::now_ms();
        self.insert(obj.clone());
        Ok(obj)
    }

    /// Records a change to a live object (for delta queries).
    pub fn touch(&mut self, id: &str) {
        if self.objects.contains_key(id) {
            self.capture_object(id);
        }
        if let Some(o) = self.objects.get_mut(id) {
            o.modified_ms = super::model::now_ms();
        }
    }

    /// The app registration with this client id.
    pub fn app(&self, app_id: &str) -> Option<&AppRegistration> {
        self.apps
            .iter()
            .find(|a| a.app_id.eq_ignore_ascii_case(app_id))
    }

    /// The activated directoryRole object for a template, if any.
    pub fn activated_role(&self, template_id: &str) -> Option<&DirObject> {
        self.list(ObjectKind::DirectoryRole).find(|r| {
            r.str_prop("roleTemplateId")
                .is_some_and(|t| t.eq_ignore_ascii_case(template_id))
        })
    }

    /// Number of live objects per kind.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut m = BTreeMap::new();
        for o in self.objects.values() {
            *m.entry(o.kind.type_name()).or_default() += 1;
        }
        m
    }
}

/// Change capture (the journal types are in `journal.rs`).
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
