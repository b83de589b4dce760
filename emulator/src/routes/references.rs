//! `@odata.id` references in `$ref` writes and `members@odata.bind`, and the AU member
//! write both of them make.

use serde_json::{Map, Value};

use super::common::Ctx;
use crate::directory::Directory;
use crate::error::{AppError, AppResult};
use crate::store::model::normalize_id;
use crate::store::{DirObject, ObjectKind, Tenant};

/// The `@odata.id` URL of a `$ref` body.
pub fn ref_url(body: &Map<String, Value>) -> AppResult<String> {
    body.get("@odata.id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            AppError::bad_request("The request body must contain a valid '@odata.id' reference.")
        })
}

/// Resolves an `@odata.id` URL (`.../directoryObjects/{id}`, `/users/{id|upn}`,
/// `/groups/{id}`, `/devices/{id}`, `/servicePrincipals/{id}`) to the id of a live
/// object at the primary (404 when there is none).
pub fn resolve_ref(t: &Tenant, url: &str) -> AppResult<String> {
    let path = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest.find('/').map_or("", |i| &rest[i..]));
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let found = segs.iter().enumerate().rev().find_map(|(i, s)| {
        let kind = match s.to_ascii_lowercase().as_str() {
            "directoryobjects" => None,
            "users" => Some(ObjectKind::User),
            "groups" => Some(ObjectKind::Group),
            "devices" => Some(ObjectKind::Device),
            "serviceprincipals" => Some(ObjectKind::ServicePrincipal),
            _ => return None,
        };
        segs.get(i + 1).map(|id| (kind, *id))
    });
    let Some((kind, raw_id)) = found else {
        return Err(AppError::bad_request(format!(
            "Invalid object identifier '{url}'."
        )));
    };
    let id = normalize_id(&percent_encoding::percent_decode_str(raw_id).decode_utf8_lossy());
    let obj = match kind {
        Some(ObjectKind::User) if uuid::Uuid::parse_str(&id).is_err() => t
            .list(ObjectKind::User)
            .find(|u| {
                u.str_prop("userPrincipalName")
                    .is_some_and(|upn| upn.eq_ignore_ascii_case(&id))
            })
            .ok_or_else(|| AppError::not_found(&id))?,
        _ => t.get(&id).ok_or_else(|| AppError::not_found(&id))?,
    };
    if kind.is_some_and(|k| k != obj.kind) {
        return Err(AppError::not_found(&id));
    }
    Ok(obj.id.clone())
}

/// Restricted-management AUs accept security groups only (not mail-enabled, not
/// Microsoft 365).
pub fn check_restricted_group(au: &DirObject, member: &DirObject) -> AppResult<()> {
    if !au.bool_prop("isMemberManagementRestricted") || member.kind != ObjectKind::Group {
        return Ok(());
    }
    let unified = member
        .props
        .get("groupTypes")
        .and_then(Value::as_array)
        .is_some_and(|g| g.iter().any(|x| x.as_str() == Some("Unified")));
    if unified || member.bool_prop("mailEnabled") || !member.bool_prop("securityEnabled") {
        return Err(AppError::bad_request(
            "Only security groups that are not mail-enabled can be added to a restricted management administrative unit.",
        ));
    }
    Ok(())
}

/// Adds the object `url` names to `au`, as a `$ref` add or a `members@odata.bind`.
pub fn add_reference(d: &mut Directory, ctx: &Ctx, au: &DirObject, url: &str) -> AppResult<()> {
    let member_id = resolve_ref(&d.tenant, url)?;
    d.referenced(ctx.read, &member_id)?;
    let member = d
        .tenant
        .get(&member_id)
        .cloned()
        .ok_or_else(|| AppError::not_found(&member_id))?;
    check_restricted_group(au, &member)?;
    d.tenant.add_member(&au.id, &member_id)
}
