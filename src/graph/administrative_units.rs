//! Administrative unit operations.

use std::sync::PoisonError;
use std::time::Instant;

use reqwest::Method;

use super::client::GraphClient;
use super::consistency::{REPLICATION_WINDOW, confirm_gone, confirm_visible, read_through_lag};
use super::error::{CreateError, GraphError};
use super::models::{AdministrativeUnit, AdministrativeUnitPatch};
use super::odata::{Filter, segment};
use super::request::{Call, Policy};

/// What a plan-time check found for a unit id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    /// The unit exists; its membership type when set (`Assigned`/`Dynamic`).
    Live(Option<String>),
    /// The unit is in the recycle bin.
    Deleted,
    /// No unit has this id.
    Absent,
}

impl Presence {
    /// Whether the unit exists with dynamic membership.
    pub fn is_dynamic(&self) -> bool {
        matches!(self, Presence::Live(Some(kind)) if kind.eq_ignore_ascii_case("dynamic"))
    }
}

const SELECT: &str = "id,displayName,description,visibility,isMemberManagementRestricted,membershipType,membershipRule,membershipRuleProcessingState";

/// The display name a unit carries while it is being created: unique to one create,
/// so a retry after an ambiguous failure recognises its own unit and never a sibling's.
const PENDING_PREFIX: &str = "terraform-entra-pending-";

impl GraphClient {
    /// `POST /directory/administrativeUnits`, safe to retry. The unit is created under
    /// a temporary name only this call uses, then renamed: after an ambiguous failure
    /// (5xx, connection lost) the retry looks for that name, so it recognises its own
    /// unit and never adopts a sibling with the same display name; a stray left by an
    /// attempt that did happen after all is deleted. Returns once reads see the unit
    /// with its real name [`CONFIRMATIONS`](super::consistency::CONFIRMATIONS) times
    /// in a row, so a following refresh does not mistake replication lag for deletion.
    /// A failure after the unit exists says which unit it made.
    pub async fn create_administrative_unit(
        &self,
        call: &Call,
        au: &AdministrativeUnit,
    ) -> Result<AdministrativeUnit, CreateError> {
        let marker = format!("{PENDING_PREFIX}{}", uuid::Uuid::new_v4().simple());
        let pending = AdministrativeUnit {
            display_name: marker.clone(),
            ..au.clone()
        };
        let body = serde_json::to_value(&pending).map_err(|e| GraphError::Decode(e.to_string()))?;
        let recognise = || async {
            Ok(self
                .find_administrative_units_by_name(call, &marker)
                .await?
                .into_iter()
                .next())
        };
        let (created, ambiguous) = self
            .create_once(
                call,
                "/directory/administrativeUnits",
                &body,
                &Policy::default(),
                recognise,
            )
            .await;
        let created: AdministrativeUnit = created?;
        let id = created.id.clone().ok_or_else(|| {
            GraphError::Decode("Graph created an administrative unit without an id".into())
        })?;
        self.note_created(&id);
        self.au_kinds.put(id.clone(), au.membership_type.clone());
        self.finish_creation(call, &id, au, ambiguous.then_some(&marker))
            .await
            .map_err(|error| CreateError {
                made: Some(id),
                error,
            })
    }

    /// Gives a new unit its real name, waits until reads see it, and deletes strays an
    /// earlier ambiguous attempt made under `stray_marker`.
    async fn finish_creation(
        &self,
        call: &Call,
        id: &str,
        wanted: &AdministrativeUnit,
        stray_marker: Option<&String>,
    ) -> Result<AdministrativeUnit, GraphError> {
        let rename = AdministrativeUnitPatch {
            display_name: Some(wanted.display_name.clone()),
            ..AdministrativeUnitPatch::default()
        };
        self.update_administrative_unit(call, id, &rename).await?;
        let unit = confirm_visible(call, &format!("administrative unit {id}"), || async {
            Ok(self
                .find_administrative_unit(call, id)
                .await?
                .filter(|u| u.display_name == wanted.display_name))
        })
        .await?;
        if let Some(marker) = stray_marker {
            for stray in self.find_administrative_units_by_name(call, marker).await? {
                let Some(stray_id) = stray.id.filter(|s| !s.eq_ignore_ascii_case(id)) else {
                    continue;
                };
                tracing::info!(
                    stray_id,
                    "deleting the extra unit an ambiguous create had made"
                );
                let stray_path = format!("/directory/administrativeUnits/{}", segment(&stray_id));
                match self
                    .send(
                        call,
                        Method::DELETE,
                        &stray_path,
                        None,
                        &Policy::referencing(),
                    )
                    .await
                {
                    Err(e) if !e.is_not_found() => return Err(e),
                    _ => {}
                }
            }
        }
        Ok(unit)
    }

    /// `GET /directory/administrativeUnits/{id}` as this read's replica sees it:
    /// `None` when Graph answers not found (which may be replication lag).
    pub async fn find_administrative_unit(
        &self,
        call: &Call,
        id: &str,
    ) -> Result<Option<AdministrativeUnit>, GraphError> {
        let path = format!(
            "/directory/administrativeUnits/{}?$select={SELECT}",
            segment(id)
        );
        match self.get(call, &path, &[]).await {
            Ok(unit) => Ok(Some(unit)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `GET /directory/administrativeUnits/{id}`.
    pub async fn get_administrative_unit(
        &self,
        call: &Call,
        id: &str,
    ) -> Result<AdministrativeUnit, GraphError> {
        let path = format!(
            "/directory/administrativeUnits/{}?$select={SELECT}",
            segment(id)
        );
        self.get(call, &path, &[id]).await
    }

    /// The AU's membership type (`Assigned`/`Dynamic`, `None` when unset), fetched
    /// once per process and shared by concurrent callers.
    pub async fn administrative_unit_membership_type(
        &self,
        call: &Call,
        id: &str,
    ) -> Result<Option<String>, GraphError> {
        self.au_kinds
            .get_or_fetch(call, &id.to_owned(), || async {
                let path = format!(
                    "/directory/administrativeUnits/{}?$select=id,membershipType",
                    segment(id)
                );
                let au: AdministrativeUnit = self.get(call, &path, &[id]).await?;
                Ok(au.membership_type)
            })
            .await
    }

    /// Whether the unit `id` exists, and with what membership, for plan-time checks:
    /// a unit in the recycle bin is `Deleted`; one that reads as absent is read again
    /// for a while (it may be new, made by another tool) before it counts as `Absent`.
    pub async fn administrative_unit_presence(
        &self,
        call: &Call,
        id: &str,
    ) -> Result<Presence, GraphError> {
        match self.administrative_unit_membership_type(call, id).await {
            Ok(kind) => return Ok(Presence::Live(kind)),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
        let bin = format!("/directory/deletedItems/{}?$select=id", segment(id));
        match self.get::<serde_json::Value>(call, &bin, &[]).await {
            Ok(_) => return Ok(Presence::Deleted),
            Err(e) if e.is_not_found() || e.status() == Some(403) => {}
            Err(e) => return Err(e),
        }
        let what = format!("administrative unit {id}");
        let found = read_through_lag(call, &what, Some(std::time::Duration::ZERO), || {
            self.find_administrative_unit(call, id)
        })
        .await?;
        Ok(match found {
            Some(unit) => Presence::Live(unit.membership_type),
            None => Presence::Absent,
        })
    }

    /// Every AU, or those whose display name starts with `prefix`.
    pub async fn list_administrative_units(
        &self,
        call: &Call,
        prefix: Option<&str>,
    ) -> Result<Vec<AdministrativeUnit>, GraphError> {
        let mut path = format!("/directory/administrativeUnits?$top=999&$select={SELECT}");
        if let Some(prefix) = prefix {
            let filter = Filter::starts_with("displayName", prefix);
            path.push_str(&format!("&$filter={}", filter.encoded()));
        }
        self.list(call, &path, &[]).await
    }

    /// AUs whose display name is exactly `name` (Graph compares case-insensitively).
    pub async fn find_administrative_units_by_name(
        &self,
        call: &Call,
        name: &str,
    ) -> Result<Vec<AdministrativeUnit>, GraphError> {
        let filter = Filter::eq("displayName", name).encoded();
        let path =
            format!("/directory/administrativeUnits?$top=999&$select={SELECT}&$filter={filter}");
        self.list(call, &path, &[]).await
    }

    /// `PATCH /directory/administrativeUnits/{id}` with only the properties to change
    /// (explicit nulls clear a property).
    pub async fn update_administrative_unit(
        &self,
        call: &Call,
        id: &str,
        changes: &AdministrativeUnitPatch,
    ) -> Result<(), GraphError> {
        let path = format!("/directory/administrativeUnits/{}", segment(id));
        let body = serde_json::to_value(changes).map_err(|e| GraphError::Decode(e.to_string()))?;
        self.patch(call, &path, &body, &[id]).await?;
        self.au_kinds.forget(&id.to_owned());
        if let Some(name) = &changes.display_name {
            self.recent_names
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(id.to_ascii_lowercase(), (name.clone(), Instant::now()));
        }
        Ok(())
    }

    /// The units named `name`, as this process knows them: a unit it named so moments
    /// ago is included even when the listing's replica has not seen the name yet, and
    /// one it renamed to something else is left out.
    pub async fn administrative_units_named(
        &self,
        call: &Call,
        name: &str,
    ) -> Result<Vec<AdministrativeUnit>, GraphError> {
        let mut found = self.find_administrative_units_by_name(call, name).await?;
        let recent: Vec<(String, String)> = self
            .recent_names
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|(id, (_, at))| at.elapsed() < REPLICATION_WINDOW && !self.recently_deleted(id))
            .map(|(id, (named, _))| (id.clone(), named.clone()))
            .collect();
        let is = |unit: &AdministrativeUnit, id: &str| {
            unit.id
                .as_deref()
                .is_some_and(|u| u.eq_ignore_ascii_case(id))
        };
        for (id, named) in recent {
            if named != name {
                found.retain(|unit| !is(unit, &id));
            } else if !found.iter().any(|unit| is(unit, &id)) {
                let wanted = named.clone();
                let unit = confirm_visible(call, &format!("administrative unit {id}"), || async {
                    Ok(self
                        .find_administrative_unit(call, &id)
                        .await?
                        .filter(|u| u.display_name == wanted))
                })
                .await?;
                found.push(unit);
            }
        }
        Ok(found)
    }

    /// `DELETE /directory/administrativeUnits/{id}`, then reads until the unit is gone
    /// [`CONFIRMATIONS`](super::consistency::CONFIRMATIONS) times in a row. A unit
    /// already gone (Graph's not-found code, not any 404) counts as deleted.
    pub async fn delete_administrative_unit(
        &self,
        call: &Call,
        id: &str,
    ) -> Result<(), GraphError> {
        let path = format!("/directory/administrativeUnits/{}", segment(id));
        match self.delete(call, &path, &[id]).await {
            Err(e) if !e.is_not_found() => return Err(e),
            _ => {}
        }
        self.au_kinds.forget(&id.to_owned());
        self.note_deleted(id);
        confirm_gone(call, &format!("administrative unit {id}"), || async {
            Ok(self.find_administrative_unit(call, id).await?.is_some())
        })
        .await
    }
}
