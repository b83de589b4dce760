//! Directory-object rules shared by the route files: the permissions per kind, the
//! typed rendering of polymorphic collections, kind-specific validation, creating an
//! object, and deleting one (with the restricted-management check that guards it).

use serde_json::{Map, Value};

use crate::AppState;
use crate::auth::{Caller, perms};
use crate::authz::{self, Need, Target};
use crate::dynamic;
use crate::error::{AppError, AppResult};
use crate::odata;
use crate::replication::ReadAt;
use crate::store::{DirObject, ObjectKind, Tenant, defaults, schema};
use crate::view::View;

/// Permission sets (read, create, update/delete) for a kind.
pub fn perms_for(
    kind: ObjectKind,
) -> (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
) {
    match kind {
        ObjectKind::User => (perms::USER_READ, perms::USER_WRITE, perms::USER_WRITE),
        ObjectKind::Group => (perms::GROUP_READ, perms::GROUP_CREATE, perms::GROUP_WRITE),
        ObjectKind::Device => (perms::DEVICE_READ, perms::DEVICE_WRITE, perms::DEVICE_WRITE),
        ObjectKind::AdministrativeUnit => (perms::AU_READ, perms::AU_WRITE, perms::AU_WRITE),
        ObjectKind::ServicePrincipal | ObjectKind::Application => (
            perms::APP_READ,
            &["Application.ReadWrite.All"],
            &["Application.ReadWrite.All"],
        ),
        ObjectKind::DirectoryRole => (perms::ROLE_READ, perms::ROLE_WRITE, perms::ROLE_WRITE),
    }
}

/// Whether the caller may read objects of `kind`: an application permission, or a role
/// allowing `standard/read` at any scope (reads are not scoped, see [`authz`]).
pub fn can_read(v: &View<'_>, caller: &Caller, kind: ObjectKind) -> bool {
    authz::can_read(v, caller, perms_for(kind).0, kind)
}

/// 403 unless the caller may do the read `task` (`standard/read`, `members/read`, ...)
/// on objects of `kind`, by permission or by a role at any scope.
pub fn require_read(
    state: &AppState,
    read: ReadAt,
    caller: &Caller,
    kind: ObjectKind,
    task: &str,
) -> AppResult<()> {
    state.view(read, |v| {
        authz::require(
            v,
            caller,
            perms_for(kind).0,
            &Need::new(kind, task),
            Target::Anywhere,
        )
    })
}

/// Renders an object with `@odata.type` (polymorphic collections).
pub fn typed_json(obj: &DirObject, query: &odata::Query) -> Value {
    let mut m = Map::new();
    m.insert("@odata.type".into(), Value::String(obj.kind.odata_type()));
    m.extend(odata::render_object(obj, query));
    Value::Object(m)
}

/// Kind-specific validation for create and update (`existing` = stored object on PATCH).
pub fn check_kind_rules(
    t: &Tenant,
    kind: ObjectKind,
    props: &Map<String, Value>,
    existing: Option<&DirObject>,
) -> AppResult<()> {
    let self_id = existing.map(|o| o.id.as_str());
    let clash = |prop: &str| -> AppResult<()> {
        if let Some(v) = props.get(prop).and_then(Value::as_str) {
            let taken = t.list(kind).any(|o| {
                Some(o.id.as_str()) != self_id
                    && o.str_prop(prop).is_some_and(|x| x.eq_ignore_ascii_case(v))
            });
            if taken {
                return Err(AppError::bad_request(format!(
                    "Another object with the same value for property {prop} already exists."
                )));
            }
        }
        Ok(())
    };
    match kind {
        ObjectKind::User => {
            if let Some(upn) = props.get("userPrincipalName").and_then(Value::as_str) {
                let domain_ok = upn.split_once('@').is_some_and(|(user, domain)| {
                    !user.is_empty() && t.domains.iter().any(|d| d.eq_ignore_ascii_case(domain))
                });
                if !domain_ok {
                    return Err(AppError::bad_request(
                        "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.",
                    ));
                }
            }
            clash("userPrincipalName")?;
            if let Some(p) = props.get("passwordProfile") {
                let pw = p
                    .get("password")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if existing.is_none() && pw.chars().count() < 8 {
                    return Err(AppError::bad_request(
                        "The specified password does not comply with password complexity requirements. Please provide a different password.",
                    ));
                }
            }
        }
        ObjectKind::Group => {
            if let Some(nick) = props.get("mailNickname").and_then(Value::as_str) {
                let ok = !nick.is_empty()
                    && nick.len() <= 64
                    && nick
                        .chars()
                        .all(|c| c.is_ascii() && !"@()\\[]\";:<>, ".contains(c));
                if !ok {
                    return Err(AppError::invalid_value("mailNickname", "Group"));
                }
            }
            if props.get("isAssignableToRole").and_then(Value::as_bool) == Some(true) {
                let security = props
                    .get("securityEnabled")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                if !security {
                    return Err(AppError::bad_request(
                        "IsAssignableToRole can only be set to true for security-enabled groups.",
                    ));
                }
            }
        }
        ObjectKind::Device => clash("deviceId")?,
        _ => {}
    }
    Ok(())
}

/// Validates `body` and creates an object of `kind`; returns its id.
pub fn create_object(
    state: &AppState,
    kind: ObjectKind,
    body: &Map<String, Value>,
) -> AppResult<String> {
    let mut props = schema::check_body(kind, body, true)?;
    if kind == ObjectKind::Group
        && let Some(rule) = props.get("membershipRule").and_then(Value::as_str)
    {
        dynamic::validate_rule_syntax(rule)?;
    }
    let id = uuid::Uuid::new_v4().to_string();
    state.write(|d| -> AppResult<()> {
        let t = &mut d.tenant;
        check_kind_rules(t, kind, &props, None)?;
        let domain = t.domains.first().cloned().unwrap_or_default();
        defaults::fill(kind, &mut props, &domain);
        t.insert(DirObject::new(id.clone(), kind, props));
        Ok(())
    })?;
    Ok(id)
}

/// Restricted-management AUs: tenant-level permissions (application permissions and
/// tenant-scoped roles) cannot modify their member objects; only a role assigned at
/// that AU's scope can (reference §1.2).
pub fn check_member_management(t: &Tenant, caller: &Caller, obj: &DirObject) -> AppResult<()> {
    for au in t.aus_of(&obj.id) {
        if !au.bool_prop("isMemberManagementRestricted") {
            continue;
        }
        let scope = format!("/administrativeUnits/{}", au.id);
        let scoped = t
            .role_assignments
            .values()
            .any(|a| a.principal_id == caller.object_id && a.directory_scope_id == scope);
        if !scoped {
            return Err(AppError::forbidden());
        }
    }
    Ok(())
}

/// Deletes an object as Graph does: users and Microsoft 365 groups go to the recycle
/// bin, security groups and devices are removed permanently.
pub fn delete_object(t: &mut Tenant, id: &str) -> AppResult<()> {
    let obj = t.get(id).ok_or_else(|| AppError::not_found(id))?;
    let soft = match obj.kind {
        ObjectKind::User | ObjectKind::AdministrativeUnit | ObjectKind::Application => true,
        ObjectKind::Group => obj
            .props
            .get("groupTypes")
            .and_then(Value::as_array)
            .is_some_and(|g| g.iter().any(|x| x.as_str() == Some("Unified"))),
        _ => false,
    };
    if soft {
        t.soft_delete(id)?;
    } else {
        t.hard_delete(id);
    }
    Ok(())
}
