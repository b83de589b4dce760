//! Server-managed property values filled in when objects are created.

use serde_json::{Map, Value, json};

use super::model::{ObjectKind, now_iso};

fn set_if_absent(m: &mut Map<String, Value>, key: &str, value: Value) {
    if m.get(key).is_none_or(Value::is_null) {
        m.insert(key.to_owned(), value);
    }
}

/// Fills server-managed properties (timestamps, derived mail, etc.) on a new object.
pub fn fill(kind: ObjectKind, m: &mut Map<String, Value>, domain: &str) {
    match kind {
        ObjectKind::User => {
            set_if_absent(m, "createdDateTime", Value::String(now_iso()));
            set_if_absent(m, "userType", json!("Member"));
            set_if_absent(m, "accountEnabled", json!(true));
            set_if_absent(m, "businessPhones", json!([]));
            let upn = m
                .get("userPrincipalName")
                .and_then(Value::as_str)
                .map(str::to_owned);
            if let Some(upn) = upn {
                set_if_absent(m, "proxyAddresses", json!([format!("SMTP:{upn}")]));
                if let Some(nick) = upn.split('@').next() {
                    set_if_absent(m, "mailNickname", json!(nick));
                }
            }
        }
        ObjectKind::Group => {
            set_if_absent(m, "createdDateTime", Value::String(now_iso()));
            set_if_absent(m, "renewedDateTime", Value::String(now_iso()));
            set_if_absent(m, "groupTypes", json!([]));
            set_if_absent(m, "creationOptions", json!([]));
            set_if_absent(m, "resourceBehaviorOptions", json!([]));
            set_if_absent(m, "resourceProvisioningOptions", json!([]));
            set_if_absent(m, "proxyAddresses", json!([]));
            set_if_absent(
                m,
                "securityIdentifier",
                json!(format!("S-1-12-1-{}", rand_sid_tail())),
            );
            let mail_enabled = m.get("mailEnabled").and_then(Value::as_bool) == Some(true);
            let nick = m
                .get("mailNickname")
                .and_then(Value::as_str)
                .map(str::to_owned);
            if mail_enabled && let Some(nick) = nick {
                set_if_absent(m, "mail", json!(format!("{nick}@{domain}")));
            }
        }
        ObjectKind::Device => {
            set_if_absent(m, "createdDateTime", Value::String(now_iso()));
            set_if_absent(m, "registrationDateTime", Value::String(now_iso()));
            set_if_absent(m, "physicalIds", json!([]));
            set_if_absent(m, "systemLabels", json!([]));
            set_if_absent(m, "alternativeSecurityIds", json!([]));
        }
        ObjectKind::AdministrativeUnit
        | ObjectKind::ServicePrincipal
        | ObjectKind::Application
        | ObjectKind::DirectoryRole => {}
    }
}

fn rand_sid_tail() -> String {
    let b = uuid::Uuid::new_v4();
    let bytes = b.as_bytes();
    let part = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    format!("{}-{}-{}-{}", part(0), part(4), part(8), part(12))
}
