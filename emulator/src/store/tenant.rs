//! The tenant: every directory object, memberships, apps and role assignments.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::model::{
    AppRegistration, CustomRole, DirObject, ManagedIdentity, ObjectKind, RoleAssignment, now_iso,
};
use crate::error::{AppError, AppResult};

/// Maximum number of administrative units one object may belong to.
pub const MAX_AUS_PER_OBJECT: usize = 30;

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
            apps: Vec::new(),
            managed_identities: Vec::new(),
            custom_roles: BTreeMap::new(),
            role_assignments: BTreeMap::new(),
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

    /// Mutable live object of `kind`, or 404.
    pub fn get_kind_mut(&mut self, id: &str, kind: ObjectKind) -> AppResult<&mut DirObject> {
        self.objects
            .get_mut(id)
            .filter(|o| o.kind == kind)
            .ok_or_else(|| AppError::not_found(id))
    }

    /// Live objects of `kind` in id order.
    pub fn list(&self, kind: ObjectKind) -> impl Iterator<Item = &DirObject> {
        self.objects.values().filter(move |o| o.kind == kind)
    }

    /// Inserts (or replaces) a live object.
    pub fn insert(&mut self, obj: DirObject) {
        if obj.kind == ObjectKind::AdministrativeUnit {
            self.au_members.entry(obj.id.clone()).or_default();
        }
        self.objects.insert(obj.id.clone(), obj);
    }

    /// Live members of an AU, in id order.
    pub fn members(&self, au_id: &str) -> Vec<&DirObject> {
        self.au_members
            .get(au_id)
            .map(|set| set.iter().filter_map(|id| self.objects.get(id)).collect())
            .unwrap_or_default()
    }

    /// Whether `member` is a live member of `au`.
    pub fn is_member(&self, au_id: &str, member_id: &str) -> bool {
        self.objects.contains_key(member_id)
            && self
                .au_members
                .get(au_id)
                .is_some_and(|s| s.contains(member_id))
    }

    /// Live AUs that `member_id` belongs to.
    pub fn aus_of(&self, member_id: &str) -> Vec<&DirObject> {
        self.au_members
            .iter()
            .filter(|(_, set)| set.contains(member_id))
            .filter_map(|(au, _)| self.objects.get(au))
            .collect()
    }

    /// Adds a member, enforcing kinds, duplicates and the 30-AU limit.
    pub fn add_member(&mut self, au_id: &str, member_id: &str) -> AppResult<()> {
        self.get_kind(au_id, ObjectKind::AdministrativeUnit)?;
        let member = self
            .objects
            .get(member_id)
            .ok_or_else(|| AppError::not_found(member_id))?;
        if !member.kind.is_au_member_kind() {
            return Err(AppError::bad_request(format!(
                "Unsupported referenced-object resource identifier for link property 'members'. Only users, groups and devices can be members of an administrative unit; '{member_id}' is a {}.",
                member.kind.type_name()
            )));
        }
        if self.is_member(au_id, member_id) {
            return Err(AppError::bad_request(
                "One or more added object references already exist for the following modified properties: 'members'.",
            ));
        }
        if self.aus_of(member_id).len() >= MAX_AUS_PER_OBJECT {
            return Err(AppError::bad_request(format!(
                "The object '{member_id}' is already a member of the maximum number of administrative units ({MAX_AUS_PER_OBJECT})."
            )));
        }
        self.au_members
            .entry(au_id.to_owned())
            .or_default()
            .insert(member_id.to_owned());
        self.touch(au_id);
        Ok(())
    }

    /// Removes a member; 404 naming the AU when it is not a member.
    pub fn remove_member(&mut self, au_id: &str, member_id: &str) -> AppResult<()> {
        self.get_kind(au_id, ObjectKind::AdministrativeUnit)?;
        if !self.is_member(au_id, member_id) {
            return Err(AppError::not_found(au_id));
        }
        if let Some(set) = self.au_members.get_mut(au_id) {
            set.remove(member_id);
        }
        self.touch(au_id);
        Ok(())
    }

    /// Moves a live object to the recycle bin. Links are kept but hidden.
    pub fn soft_delete(&mut self, id: &str) -> AppResult<DirObject> {
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
        self.objects.remove(id);
        self.deleted.remove(id);
        self.au_members.remove(id);
        for set in self.au_members.values_mut() {
            set.remove(id);
        }
        self.role_assignments.retain(|_, a| {
            a.principal_id != id && a.directory_scope_id != format!("/administrativeUnits/{id}")
        });
    }

    /// Restores a soft-deleted object.
    pub fn restore(&mut self, id: &str) -> AppResult<DirObject> {
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
