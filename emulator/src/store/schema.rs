//! Declared properties per object kind: JSON type, writability, default output.

use serde_json::{Map, Value};

use super::model::ObjectKind;
use crate::error::{AppError, AppResult};

/// JSON type of a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// string
    Str,
    /// boolean
    Bool,
    /// collection of strings
    StrList,
    /// complex object
    Obj,
    /// collection of objects
    ObjList,
    /// integer
    Int,
}

/// Who may set a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Server-managed.
    Read,
    /// Settable at creation only.
    Create,
    /// Settable at creation and on update.
    Write,
    /// Settable, never returned (passwordProfile).
    WriteOnly,
}

/// A declared property.
#[derive(Debug, Clone, Copy)]
pub struct Prop {
    /// JSON name.
    pub name: &'static str,
    /// JSON type.
    pub ty: Ty,
    /// Writability.
    pub access: Access,
    /// Whether it is returned without `$select`.
    pub default: bool,
}

const fn p(name: &'static str, ty: Ty, access: Access, default: bool) -> Prop {
    Prop {
        name,
        ty,
        access,
        default,
    }
}

use Access::{Create, Read, Write, WriteOnly};
use Ty::{Bool, Int, Obj, ObjList, Str, StrList};

const AU: &[Prop] = &[
    p("displayName", Str, Write, true),
    p("description", Str, Write, true),
    p("isMemberManagementRestricted", Bool, Create, true),
    p("membershipRule", Str, Write, true),
    p("membershipType", Str, Write, true),
    p("membershipRuleProcessingState", Str, Write, true),
    p("visibility", Str, Write, true),
];

const USER: &[Prop] = &[
    p("businessPhones", StrList, Write, true),
    p("displayName", Str, Write, true),
    p("givenName", Str, Write, true),
    p("jobTitle", Str, Write, true),
    p("mail", Str, Write, true),
    p("mobilePhone", Str, Write, true),
    p("officeLocation", Str, Write, true),
    p("preferredLanguage", Str, Write, true),
    p("surname", Str, Write, true),
    p("userPrincipalName", Str, Write, true),
    p("accountEnabled", Bool, Write, false),
    p("ageGroup", Str, Write, false),
    p("city", Str, Write, false),
    p("companyName", Str, Write, false),
    p("country", Str, Write, false),
    p("createdDateTime", Str, Read, false),
    p("creationType", Str, Read, false),
    p("department", Str, Write, false),
    p("employeeHireDate", Str, Write, false),
    p("employeeId", Str, Write, false),
    p("employeeType", Str, Write, false),
    p("faxNumber", Str, Write, false),
    p("mailNickname", Str, Write, false),
    p("onPremisesExtensionAttributes", Obj, Write, false),
    p("onPremisesSyncEnabled", Bool, Read, false),
    p("otherMails", StrList, Write, false),
    p("passwordPolicies", Str, Write, false),
    p("passwordProfile", Obj, WriteOnly, false),
    p("postalCode", Str, Write, false),
    p("proxyAddresses", StrList, Read, false),
    p("securityIdentifier", Str, Read, false),
    p("state", Str, Write, false),
    p("streetAddress", Str, Write, false),
    p("usageLocation", Str, Write, false),
    p("userType", Str, Write, false),
    p("assignedPlans", ObjList, Read, false),
    p("manager", Obj, Read, false),
];

const GROUP: &[Prop] = &[
    p("classification", Str, Write, true),
    p("createdDateTime", Str, Read, true),
    p("creationOptions", StrList, Read, true),
    p("description", Str, Write, true),
    p("displayName", Str, Write, true),
    p("expirationDateTime", Str, Read, true),
    p("groupTypes", StrList, Write, true),
    p("isAssignableToRole", Bool, Create, true),
    p("mail", Str, Read, true),
    p("mailEnabled", Bool, Write, true),
    p("mailNickname", Str, Write, true),
    p("membershipRule", Str, Write, true),
    p("membershipRuleProcessingState", Str, Write, true),
    p("onPremisesDomainName", Str, Read, true),
    p("onPremisesLastSyncDateTime", Str, Read, true),
    p("onPremisesNetBiosName", Str, Read, true),
    p("onPremisesSamAccountName", Str, Read, true),
    p("onPremisesSecurityIdentifier", Str, Read, true),
    p("onPremisesSyncEnabled", Bool, Read, true),
    p("preferredDataLocation", Str, Write, true),
    p("preferredLanguage", Str, Write, true),
    p("proxyAddresses", StrList, Read, true),
    p("renewedDateTime", Str, Read, true),
    p("resourceBehaviorOptions", StrList, Create, true),
    p("resourceProvisioningOptions", StrList, Create, true),
    p("securityEnabled", Bool, Write, true),
    p("securityIdentifier", Str, Read, true),
    p("theme", Str, Write, true),
    p("visibility", Str, Write, true),
    p("onPremisesProvisioningErrors", ObjList, Read, true),
    p("serviceProvisioningErrors", ObjList, Read, true),
];

const DEVICE: &[Prop] = &[
    p("accountEnabled", Bool, Write, true),
    p("alternativeSecurityIds", ObjList, Write, false),
    p("approximateLastSignInDateTime", Str, Write, true),
    p("complianceExpirationDateTime", Str, Read, true),
    p("createdDateTime", Str, Read, true),
    p("deviceCategory", Str, Write, true),
    p("deviceId", Str, Write, true),
    p("deviceMetadata", Str, Write, true),
    p("deviceOwnership", Str, Write, true),
    p("deviceVersion", Int, Write, true),
    p("displayName", Str, Write, true),
    p("domainName", Str, Read, true),
    p("enrollmentProfileName", Str, Write, true),
    p("enrollmentType", Str, Write, true),
    p("externalSourceName", Str, Read, true),
    p("isCompliant", Bool, Write, true),
    p("isManaged", Bool, Write, true),
    p("isRooted", Bool, Write, true),
    p("managementType", Str, Write, true),
    p("manufacturer", Str, Write, true),
    p("mdmAppId", Str, Write, true),
    p("model", Str, Write, true),
    p("onPremisesLastSyncDateTime", Str, Read, true),
    p("onPremisesSyncEnabled", Bool, Read, true),
    p("operatingSystem", Str, Write, true),
    p("operatingSystemVersion", Str, Write, true),
    p("physicalIds", StrList, Write, true),
    p("profileType", Str, Write, true),
    p("registrationDateTime", Str, Read, true),
    p("sourceType", Str, Read, true),
    p("systemLabels", StrList, Write, true),
    p("trustType", Str, Write, true),
    p("extensionAttributes", Obj, Write, true),
];

const SERVICE_PRINCIPAL: &[Prop] = &[
    p("accountEnabled", Bool, Write, true),
    p("appDisplayName", Str, Read, true),
    p("appId", Str, Create, true),
    p("appOwnerOrganizationId", Str, Read, true),
    p("displayName", Str, Write, true),
    p("servicePrincipalNames", StrList, Write, true),
    p("servicePrincipalType", Str, Read, true),
    p("signInAudience", Str, Read, true),
    p("tags", StrList, Write, true),
];

const APPLICATION: &[Prop] = &[
    p("appId", Str, Read, true),
    p("createdDateTime", Str, Read, true),
    p("displayName", Str, Write, true),
    p("signInAudience", Str, Write, true),
    p("identifierUris", StrList, Write, true),
    p("tags", StrList, Write, true),
];

const DIRECTORY_ROLE: &[Prop] = &[
    p("description", Str, Read, true),
    p("displayName", Str, Read, true),
    p("roleTemplateId", Str, Create, true),
];

/// Declared properties of `kind`.
pub fn props(kind: ObjectKind) -> &'static [Prop] {
    match kind {
        ObjectKind::AdministrativeUnit => AU,
        ObjectKind::User => USER,
        ObjectKind::Group => GROUP,
        ObjectKind::Device => DEVICE,
        ObjectKind::ServicePrincipal => SERVICE_PRINCIPAL,
        ObjectKind::Application => APPLICATION,
        ObjectKind::DirectoryRole => DIRECTORY_ROLE,
    }
}

/// Properties Graph requires on create.
pub fn required_on_create(kind: ObjectKind) -> &'static [&'static str] {
    match kind {
        ObjectKind::AdministrativeUnit => &["displayName"],
        ObjectKind::User => &[
            "accountEnabled",
            "displayName",
            "mailNickname",
            "userPrincipalName",
            "passwordProfile",
        ],
        ObjectKind::Group => &[
            "displayName",
            "mailEnabled",
            "mailNickname",
            "securityEnabled",
        ],
        ObjectKind::Device => &[
            "accountEnabled",
            "alternativeSecurityIds",
            "deviceId",
            "displayName",
            "operatingSystem",
            "operatingSystemVersion",
        ],
        ObjectKind::ServicePrincipal => &["appId"],
        ObjectKind::Application => &["displayName"],
        ObjectKind::DirectoryRole => &["roleTemplateId"],
    }
}

/// Looks up a declared property.
pub fn find(kind: ObjectKind, name: &str) -> Option<&'static Prop> {
    props(kind).iter().find(|p| p.name == name)
}

fn type_ok(ty: Ty, v: &Value) -> bool {
    if v.is_null() {
        return true;
    }
    match ty {
        Ty::Str => v.is_string(),
        Ty::Bool => v.is_boolean(),
        Ty::StrList => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        Ty::Obj => v.is_object(),
        Ty::ObjList => v.as_array().is_some_and(|a| a.iter().all(Value::is_object)),
        Ty::Int => v.is_i64() || v.is_u64(),
    }
}

/// Checks a create (`creating`) or PATCH body against the declared properties and
/// returns the property map to store. `@odata.type` must match `kind` when present.
pub fn check_body(
    kind: ObjectKind,
    body: &Map<String, Value>,
    creating: bool,
) -> AppResult<Map<String, Value>> {
    let mut out = Map::new();
    for (key, value) in body {
        if key == "@odata.type" {
            let matches = value
                .as_str()
                .and_then(ObjectKind::from_odata_type)
                .is_some_and(|k| k == kind);
            if !matches {
                return Err(AppError::odata_bad_request(format!(
                    "A type named '{}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.",
                    value.as_str().unwrap_or_default().trim_start_matches('#')
                )));
            }
            continue;
        }
        if key.starts_with('@') || key.contains("@odata.") {
            continue;
        }
        if key == "id" || key == "deletedDateTime" {
            return Err(read_only(key));
        }
        let Some(prop) = find(kind, key) else {
            return Err(AppError::bad_request(format!(
                "Property '{key}' does not exist as a declared property or extension property."
            )));
        };
        match prop.access {
            Access::Read => return Err(read_only(key)),
            Access::Create if !creating => return Err(read_only(key)),
            _ => {}
        }
        if !type_ok(prop.ty, value) {
            return Err(AppError::invalid_value(key, kind.resource_name()));
        }
        out.insert(key.clone(), value.clone());
    }
    if creating {
        for req in required_on_create(kind) {
            if out.get(*req).is_none_or(Value::is_null) {
                return Err(AppError::invalid_value(req, kind.resource_name()));
            }
        }
    }
    Ok(out)
}

fn read_only(key: &str) -> AppError {
    AppError::bad_request(format!("Property '{key}' is read-only and cannot be set."))
}

/// The JSON Graph returns for `obj`: the default property set with explicit nulls,
/// or exactly the `$select`ed properties.
pub fn render(
    kind: ObjectKind,
    full: &Map<String, Value>,
    select: Option<&[String]>,
) -> Map<String, Value> {
    let mut out = Map::new();
    match select {
        Some(fields) => {
            for f in fields {
                if f == "id" || f == "deletedDateTime" {
                    out.insert(f.clone(), full.get(f).cloned().unwrap_or(Value::Null));
                } else if let Some(prop) = find(kind, f) {
                    if prop.access != Access::WriteOnly {
                        out.insert(f.clone(), full.get(f).cloned().unwrap_or(Value::Null));
                    }
                } else if let Some(v) = full.get(f) {
                    out.insert(f.clone(), v.clone());
                }
            }
        }
        None => {
            out.insert("id".into(), full.get("id").cloned().unwrap_or(Value::Null));
            // Graph's default user projection omits deletedDateTime.
            if kind != ObjectKind::User {
                out.insert(
                    "deletedDateTime".into(),
                    full.get("deletedDateTime").cloned().unwrap_or(Value::Null),
                );
            }
            for prop in props(kind).iter().filter(|p| p.default) {
                let v = full.get(prop.name).cloned().unwrap_or(Value::Null);
                let v = if v.is_null() && matches!(prop.ty, Ty::StrList | Ty::ObjList) {
                    Value::Array(Vec::new())
                } else {
                    v
                };
                out.insert(prop.name.into(), v);
            }
        }
    }
    out
}

/// Whether `name` may be `$select`ed on `kind`.
pub fn selectable(kind: ObjectKind, name: &str) -> bool {
    name == "id"
        || name == "deletedDateTime"
        || find(kind, name).is_some_and(|p| p.access != Access::WriteOnly)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn checks_declared_properties_and_access() {
        let au = ObjectKind::AdministrativeUnit;
        assert!(check_body(au, &body(json!({"displayName": "x"})), true).is_ok());
        assert!(check_body(au, &body(json!({"description": "x"})), true).is_err());
        assert!(
            check_body(
                au,
                &body(json!({"displayName": "x", "isMemberManagementRestricted": true})),
                false
            )
            .is_err()
        );
        assert!(check_body(au, &body(json!({"displayName": "x", "@odata.type": "#microsoft.graph.administrativeUnit"})), true).is_ok());
        assert!(
            check_body(
                au,
                &body(json!({"displayName": "x", "@odata.type": "#microsoft.graph.group"})),
                true
            )
            .is_err()
        );
        assert!(
            check_body(
                ObjectKind::User,
                &body(json!({"proxyAddresses": []})),
                false
            )
            .is_err()
        );
    }

    #[test]
    fn renders_defaults_with_nulls_or_the_selection() {
        let full = body(json!({"id": "1", "displayName": "x"}));
        let out = render(ObjectKind::AdministrativeUnit, &full, None);
        assert_eq!(out["visibility"], Value::Null);
        assert_eq!(out["deletedDateTime"], Value::Null);
        let sel = render(
            ObjectKind::AdministrativeUnit,
            &full,
            Some(&["displayName".to_owned()]),
        );
        assert_eq!(sel.len(), 1);
        let user = render(ObjectKind::User, &body(json!({"id": "1"})), None);
        assert!(user.get("deletedDateTime").is_none());
        assert_eq!(user["businessPhones"], json!([]));
    }
}
