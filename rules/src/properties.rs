//! The catalogue of user and device properties and how they map to Graph JSON.
//!
//! Rule names match case-insensitively; the normal form uses the casing below.
//! The evaluator reads each property from the Graph JSON path in the last column
//! (dots walk into nested objects).
//!
//! | Rule property | Type | Graph JSON path |
//! |---|---|---|
//! | `user.accountEnabled` | bool | `accountEnabled` |
//! | `user.dirSyncEnabled` | bool | `onPremisesSyncEnabled` |
//! | `user.employeeHireDate` | date-time | `employeeHireDate` |
//! | `user.objectId` | string | `id` |
//! | `user.facsimileTelephoneNumber` | string | `faxNumber` |
//! | `user.mobile` | string | `mobilePhone` |
//! | `user.physicalDeliveryOfficeName` | string | `officeLocation` |
//! | `user.telephoneNumber` | string | `businessPhones` (array: any element) |
//! | `user.mailNickName` | string | `mailNickname` |
//! | `user.extensionAttribute1..15` | string | `onPremisesExtensionAttributes.extensionAttributeN` |
//! | `user.extension_<appId>_<name>` | string | `extension_<appId>_<name>` |
//! | `user.otherMails`, `user.proxyAddresses` | string collection | same name |
//! | `user.assignedPlans` | plan collection | `assignedPlans` (`servicePlanId`, `service`, `capabilityStatus`) |
//! | `user.memberOf`, `device.memberOf` | group collection | `memberOf` (ids, or objects with `id`) |
//! | `Direct Reports for "<id>"` | - | `managerId` (or `manager.id`), and `id` for the manager |
//! | other `user.*` strings | string | same name |
//! | `device.objectId` | string | `id` |
//! | `device.deviceOSType` | string | `operatingSystem` |
//! | `device.deviceOSVersion` | string | `operatingSystemVersion` |
//! | `device.deviceManufacturer` | string | `manufacturer` |
//! | `device.deviceModel` | string | `model` |
//! | `device.deviceTrustType` | string | `trustType` |
//! | `device.devicePhysicalIds` | string collection | `physicalIds` |
//! | `device.extensionAttribute1..15` | string | `extensionAttributes.extensionAttributeN` |
//! | `device.systemLabels` | string collection | `systemLabels` |
//! | `device.isRooted`, `device.accountEnabled` | bool | same name |
//! | other `device.*` | string | same name |
//!
//! `sipProxyAddress` and `deviceManagementAppId` have no documented Graph counterpart
//! and are read under their rule names.

use crate::ast::{PlanField, Property};
use crate::vocabulary::{PropertyDef, PropertyType, Subject};

const fn def(
    subject: Subject,
    name: &'static str,
    ty: PropertyType,
    graph_path: &'static str,
) -> PropertyDef {
    PropertyDef {
        subject,
        name,
        ty,
        graph_path,
    }
}

use PropertyType as T;
use Subject::{Device as D, User as U};

static USER: &[PropertyDef] = &[
    def(U, "accountEnabled", T::Bool, "accountEnabled"),
    def(U, "dirSyncEnabled", T::Bool, "onPremisesSyncEnabled"),
    def(U, "employeeHireDate", T::DateTime, "employeeHireDate"),
    def(U, "city", T::String, "city"),
    def(U, "country", T::String, "country"),
    def(U, "companyName", T::String, "companyName"),
    def(U, "department", T::String, "department"),
    def(U, "displayName", T::String, "displayName"),
    def(U, "employeeId", T::String, "employeeId"),
    def(U, "facsimileTelephoneNumber", T::String, "faxNumber"),
    def(U, "givenName", T::String, "givenName"),
    def(U, "jobTitle", T::String, "jobTitle"),
    def(U, "mail", T::String, "mail"),
    def(U, "mailNickName", T::String, "mailNickname"),
    def(U, "mobile", T::String, "mobilePhone"),
    def(U, "objectId", T::String, "id"),
    def(
        U,
        "onPremisesDistinguishedName",
        T::String,
        "onPremisesDistinguishedName",
    ),
    def(
        U,
        "onPremisesSecurityIdentifier",
        T::String,
        "onPremisesSecurityIdentifier",
    ),
    def(U, "passwordPolicies", T::String, "passwordPolicies"),
    def(U, "physicalDeliveryOfficeName", T::String, "officeLocation"),
    def(U, "postalCode", T::String, "postalCode"),
    def(U, "preferredLanguage", T::String, "preferredLanguage"),
    def(U, "sipProxyAddress", T::String, "sipProxyAddress"),
    def(U, "state", T::String, "state"),
    def(U, "streetAddress", T::String, "streetAddress"),
    def(U, "surname", T::String, "surname"),
    def(U, "telephoneNumber", T::String, "businessPhones"),
    def(U, "usageLocation", T::String, "usageLocation"),
    def(U, "userPrincipalName", T::String, "userPrincipalName"),
    def(U, "userType", T::String, "userType"),
    def(U, "otherMails", T::StringCollection, "otherMails"),
    def(U, "proxyAddresses", T::StringCollection, "proxyAddresses"),
    def(U, "assignedPlans", T::AssignedPlans, "assignedPlans"),
    def(U, "memberOf", T::MemberOf, "memberOf"),
];

static DEVICE: &[PropertyDef] = &[
    def(D, "accountEnabled", T::Bool, "accountEnabled"),
    def(D, "deviceCategory", T::String, "deviceCategory"),
    def(D, "deviceId", T::String, "deviceId"),
    def(
        D,
        "deviceManagementAppId",
        T::String,
        "deviceManagementAppId",
    ),
    def(D, "deviceManufacturer", T::String, "manufacturer"),
    def(D, "deviceModel", T::String, "model"),
    def(D, "displayName", T::String, "displayName"),
    def(D, "deviceOSType", T::String, "operatingSystem"),
    def(D, "deviceOSVersion", T::String, "operatingSystemVersion"),
    def(D, "deviceOwnership", T::String, "deviceOwnership"),
    def(D, "devicePhysicalIds", T::StringCollection, "physicalIds"),
    def(D, "deviceTrustType", T::String, "trustType"),
    def(
        D,
        "enrollmentProfileName",
        T::String,
        "enrollmentProfileName",
    ),
    def(D, "isRooted", T::Bool, "isRooted"),
    def(D, "managementType", T::String, "managementType"),
    def(D, "memberOf", T::MemberOf, "memberOf"),
    def(D, "objectId", T::String, "id"),
    def(D, "profileType", T::String, "profileType"),
    def(D, "systemLabels", T::StringCollection, "systemLabels"),
];

macro_rules! extension_attributes {
    ($subject:expr, $object:literal) => {
        extension_attributes!(@list $subject, $object, 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
    };
    (@list $subject:expr, $object:literal, $($n:literal)*) => {
        [$(def(
            $subject,
            concat!("extensionAttribute", $n),
            T::String,
            concat!($object, ".extensionAttribute", $n),
        )),*]
    };
}

static USER_EXTENSION_ATTRIBUTES: [PropertyDef; 15] =
    extension_attributes!(U, "onPremisesExtensionAttributes");
static DEVICE_EXTENSION_ATTRIBUTES: [PropertyDef; 15] =
    extension_attributes!(D, "extensionAttributes");

/// Every catalogued property.
pub fn known_properties() -> impl Iterator<Item = &'static PropertyDef> {
    USER.iter()
        .chain(USER_EXTENSION_ATTRIBUTES.iter())
        .chain(DEVICE.iter())
        .chain(DEVICE_EXTENSION_ATTRIBUTES.iter())
}

/// Finds a catalogued property by subject and name, ignoring case.
pub fn lookup(subject: Subject, name: &str) -> Option<&'static PropertyDef> {
    known_properties().find(|d| d.subject == subject && d.name.eq_ignore_ascii_case(name))
}

/// Strips `prefix` (ASCII, lower-case) from `text` ignoring case.
pub(crate) fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| text.get(prefix.len()..))
        .flatten()
}

/// Whether `name` is `extension_<32 hex digits>_<attribute>`.
pub(crate) fn is_extension_name(name: &str) -> bool {
    let Some(rest) = strip_prefix_ci(name, "extension_") else {
        return false;
    };
    let Some((app, attr)) = rest.split_once('_') else {
        return false;
    };
    app.len() == 32
        && app.bytes().all(|b| b.is_ascii_hexdigit())
        && !attr.is_empty()
        && attr.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Resolves a property as written in a rule.
///
/// Names without a prefix resolve to device properties, as in the AU docs'
/// `(deviceOSType -eq 'Windows')`; the normal form adds `device.`.
pub(crate) fn resolve(text: &str) -> Property {
    if text == "_" {
        return Property::Element;
    }
    let unknown = || Property::Unknown(text.to_owned());
    if let Some(name) = strip_prefix_ci(text, "user.") {
        if let Some(d) = lookup(Subject::User, name) {
            return Property::Known(d);
        }
        if is_extension_name(name) {
            let attr = name.get("extension_".len()..).unwrap_or(name);
            return Property::Extension(format!("extension_{attr}"));
        }
        return unknown();
    }
    if let Some(name) = strip_prefix_ci(text, "device.") {
        return lookup(Subject::Device, name).map_or_else(unknown, Property::Known);
    }
    if let Some(name) = strip_prefix_ci(text, "assignedPlan.") {
        return PlanField::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
            .map_or_else(unknown, Property::AssignedPlan);
    }
    if text.eq_ignore_ascii_case("group.objectId") {
        return Property::GroupObjectId;
    }
    if !text.contains('.')
        && let Some(d) = lookup(Subject::Device, text)
    {
        return Property::Known(d);
    }
    unknown()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_case_insensitively() {
        let p = resolve("user.Department");
        assert!(matches!(p, Property::Known(d) if d.name == "department"));
        assert!(
            matches!(resolve("user.memberof"), Property::Known(d) if d.ty == PropertyType::MemberOf)
        );
        assert!(
            matches!(resolve("deviceOSType"), Property::Known(d) if d.subject == Subject::Device)
        );
        assert!(
            matches!(resolve("user.extensionAttribute15"), Property::Known(d) if d.graph_path == "onPremisesExtensionAttributes.extensionAttribute15")
        );
        assert_eq!(resolve("_"), Property::Element);
        assert_eq!(
            resolve("assignedPlan.SERVICE"),
            Property::AssignedPlan(PlanField::Service)
        );
        assert_eq!(resolve("Group.ObjectId"), Property::GroupObjectId);
        assert_eq!(
            resolve("department"),
            Property::Unknown("department".into())
        );
        assert_eq!(
            resolve("group.displayName"),
            Property::Unknown("group.displayName".into())
        );
    }

    #[test]
    fn extension_names() {
        let name = "user.Extension_b7d8e5fa1b2c4d5e8f9a0b1c2d3e4f5a_costCenter";
        assert_eq!(
            resolve(name),
            Property::Extension("extension_b7d8e5fa1b2c4d5e8f9a0b1c2d3e4f5a_costCenter".into())
        );
        assert!(!is_extension_name("extension_123_x"));
        assert!(!is_extension_name(
            "extension_b7d8e5fa1b2c4d5e8f9a0b1c2d3e4f5a_"
        ));
    }

    #[test]
    fn catalogue_has_no_duplicates() {
        let all: Vec<_> = known_properties().collect();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert!(
                    !(a.subject == b.subject && a.name.eq_ignore_ascii_case(b.name)),
                    "{}",
                    a.name
                );
            }
        }
        assert_eq!(all.len(), USER.len() + DEVICE.len() + 30);
    }
}
