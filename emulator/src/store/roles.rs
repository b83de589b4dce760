//! Role activation, assignment ids and the shared assignment rules.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::model::{CustomRole, DirObject, ObjectKind, RoleAssignment, derived_guid, normalize_id};
use super::roles_catalog;
use super::tenant::Tenant;
use crate::error::{AppError, AppResult};

fn guid_bytes(s: &str) -> [u8; 16] {
    match uuid::Uuid::parse_str(s) {
        Ok(u) => u.to_bytes_le(),
        Err(_) => {
            let derived = derived_guid(&[s]);
            uuid::Uuid::parse_str(&derived)
                .map(|u| u.to_bytes_le())
                .unwrap_or_default()
        }
    }
}

/// Graph-like opaque assignment id: base64url(roleDef ‖ principal [‖ scope object]) + `-1`.
pub fn assignment_id(role_definition_id: &str, principal_id: &str, scope: &str) -> String {
    let mut bytes = Vec::with_capacity(48);
    bytes.extend_from_slice(&guid_bytes(role_definition_id));
    bytes.extend_from_slice(&guid_bytes(principal_id));
    let scope_obj = scope
        .strip_prefix("/administrativeUnits/")
        .or_else(|| scope.strip_prefix('/'))
        .filter(|s| !s.is_empty());
    if let Some(obj) = scope_obj {
        bytes.extend_from_slice(&guid_bytes(obj));
    }
    format!("{}-1", URL_SAFE_NO_PAD.encode(bytes))
}

/// Activates the directory role for a built-in template (idempotent); returns its object.
pub fn activate_role(t: &mut Tenant, template_id: &str) -> AppResult<DirObject> {
    if let Some(existing) = t.activated_role(template_id) {
        return Ok(existing.clone());
    }
    let role = roles_catalog::builtin(template_id).ok_or_else(|| {
        AppError::bad_request(format!(
            "Invalid value specified for property 'roleTemplateId' of resource 'DirectoryRole'. No directory role template '{template_id}' exists."
        ))
    })?;
    let mut props = Map::new();
    props.insert("displayName".into(), json!(role.name));
    props.insert("description".into(), json!(role.description));
    props.insert("roleTemplateId".into(), json!(role.id));
    let id = derived_guid(&[&t.tenant_id, "directoryRole", role.id]);
    let obj = DirObject::new(id, ObjectKind::DirectoryRole, props);
    t.insert(obj.clone());
    Ok(obj)
}

/// Parsed `directoryScopeId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `/`
    Tenant,
    /// `/administrativeUnits/{id}`
    AdministrativeUnit(String),
    /// `/{objectId}`
    Object(String),
}

/// Parses and checks a `directoryScopeId`.
pub fn parse_scope(t: &Tenant, scope: &str) -> AppResult<Scope> {
    if scope == "/" {
        return Ok(Scope::Tenant);
    }
    if let Some(au) = scope.strip_prefix("/administrativeUnits/") {
        t.get_kind(au, ObjectKind::AdministrativeUnit)?;
        return Ok(Scope::AdministrativeUnit(au.to_owned()));
    }
    if let Some(obj) = scope.strip_prefix('/')
        && !obj.contains('/')
    {
        if t.get(obj).is_none() {
            return Err(AppError::not_found(obj));
        }
        return Ok(Scope::Object(obj.to_owned()));
    }
    Err(AppError::bad_request(format!(
        "Invalid value specified for property 'directoryScopeId' of resource 'UnifiedRoleAssignment'. '{scope}' is not a valid scope."
    )))
}

/// Validates and stores a role assignment; returns it.
pub fn create_assignment(
    t: &mut Tenant,
    role_definition_id: &str,
    principal_id: &str,
    scope: &str,
) -> AppResult<RoleAssignment> {
    let role_definition_id = &normalize_id(role_definition_id);
    let principal_id = &normalize_id(principal_id);
    let scope = &scope
        .to_ascii_lowercase()
        .replace("/administrativeunits/", "/administrativeUnits/");
    let builtin = roles_catalog::builtin(role_definition_id);
    let custom = t.custom_roles.get(role_definition_id).cloned();
    if builtin.is_none() && custom.is_none() {
        return Err(AppError::not_found(role_definition_id));
    }
    let principal = t
        .get(principal_id)
        .ok_or_else(|| AppError::not_found(principal_id))?;
    let principal_ok = match principal.kind {
        ObjectKind::User | ObjectKind::ServicePrincipal => true,
        ObjectKind::Group => principal.bool_prop("isAssignableToRole"),
        _ => false,
    };
    if !principal_ok {
        return Err(AppError::bad_request(format!(
            "Invalid value specified for property 'principalId' of resource 'UnifiedRoleAssignment'. The principal '{principal_id}' cannot be assigned a directory role."
        )));
    }
    let parsed = parse_scope(t, scope)?;
    if let Scope::AdministrativeUnit(_) | Scope::Object(_) = parsed {
        let scopable = match (builtin, &custom) {
            (Some(b), _) => b.au_scopable,
            (None, Some(c)) => roles_catalog::custom_au_scopable(&c.allowed_resource_actions),
            (None, None) => false,
        };
        if !scopable {
            let msg = if builtin.is_some() {
                "The given built-in role is not supported to be assigned to a single resource scope."
            } else {
                "The given custom role is not supported to be assigned to a single resource scope."
            };
            return Err(AppError::bad_request(msg));
        }
    }
    let canonical_def = builtin.map_or_else(|| role_definition_id.to_owned(), |b| b.id.to_owned());
    let id = assignment_id(&canonical_def, principal_id, scope);
    if t.role_assignments.contains_key(&id) {
        return Err(AppError::bad_request(
            "A conflicting object with one or more of the specified property values is present in the directory.",
        ));
    }
    if builtin.is_some() {
        activate_role(t, &canonical_def)?;
    }
    let a = RoleAssignment {
        id: id.clone(),
        role_definition_id: canonical_def,
        principal_id: principal_id.to_owned(),
        directory_scope_id: scope.to_owned(),
    };
    t.insert_assignment(a.clone());
    Ok(a)
}

impl Tenant {
    /// Stores a role assignment (recorded as a change).
    pub fn insert_assignment(&mut self, a: RoleAssignment) {
        self.capture_assignment(&a.id);
        self.role_assignments.insert(a.id.clone(), a);
    }

    /// Deletes a role assignment (recorded as a change).
    pub fn remove_assignment(&mut self, id: &str) -> Option<RoleAssignment> {
        self.capture_assignment(id);
        self.role_assignments.remove(id)
    }

    /// Stores a custom role definition (recorded as a change).
    pub fn put_custom_role(&mut self, role: CustomRole) {
        self.capture_custom_role(&role.id);
        self.custom_roles.insert(role.id.clone(), role);
    }

    /// A custom role definition to change in place (recorded as a change).
    pub fn edit_custom_role(&mut self, id: &str) -> Option<&mut CustomRole> {
        self.capture_custom_role(id);
        self.custom_roles.get_mut(id)
    }

    /// Deletes a custom role definition (recorded as a change).
    pub fn remove_custom_role(&mut self, id: &str) -> Option<CustomRole> {
        self.capture_custom_role(id);
        self.custom_roles.remove(id)
    }
}

/// JSON for a role definition: the built-in with this id, else `custom`.
pub fn definition_json(id: &str, custom: Option<&CustomRole>) -> Option<Map<String, Value>> {
    if let Some(b) = roles_catalog::builtin(id) {
        let v = json!({
            "id": b.id,
            "description": b.description,
            "displayName": b.name,
            "isBuiltIn": true,
            "isEnabled": true,
            "resourceScopes": ["/"],
            "templateId": b.id,
            "version": "1",
            "rolePermissions": [{"allowedResourceActions": b.actions, "condition": null}],
            "inheritsPermissionsFrom": [],
        });
        return v.as_object().cloned();
    }
    let c = custom?;
    let v = json!({
        "id": c.id,
        "description": c.description,
        "displayName": c.display_name,
        "isBuiltIn": false,
        "isEnabled": c.is_enabled,
        "resourceScopes": ["/"],
        "templateId": c.template_id.clone().unwrap_or_else(|| c.id.clone()),
        "version": null,
        "rolePermissions": [{"allowedResourceActions": c.allowed_resource_actions, "condition": null}],
        "inheritsPermissionsFrom": [],
    });
    v.as_object().cloned()
}
