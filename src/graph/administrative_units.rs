//! Administrative unit operations.

use std::collections::HashMap;
use std::sync::PoisonError;
use std::time::Instant;

use reqwest::Method;

use super::client::GraphClient;
use super::consistency::{
    PENDING_PREFIX, REPLICATION_WINDOW, confirm_gone, confirm_visible, read_through_lag,
};
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
        let unit: AdministrativeUnit = self.get(call, &path, &[id]).await?;
        // A replica that lags shows the name before this process renamed it (on
        // create: the temporary name).
        match self.recent_names().remove(&id.to_ascii_lowercase()) {
            Some(named) if unit.display_name != named => self.read_as_named(call, id, &named).await,
            _ => Ok(unit),
        }
    }

    /// The names this process gave units moments ago (unit id, lower case → name).
    fn recent_names(&self) -> HashMap<String, String> {
        self.recent_names
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|(id, (_, at))| at.elapsed() < REPLICATION_WINDOW && !self.recently_deleted(id))
            .map(|(id, (named, _))| (id.clone(), named.clone()))
            .collect()
    }

    /// Reads unit `id` until replicas agree it is named `named`.
    async fn read_as_named(
        &self,
        call: &Call,
        id: &str,
        named: &str,
    ) -> Result<AdministrativeUnit, GraphError> {
        confirm_visible(call, &format!("administrative unit {id}"), || async {
            Ok(self
                .find_administrative_unit(call, id)
                .await?
                .filter(|u| u.display_name == named))
        })
        .await
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
        let listed = self.list(call, &path, &[]).await?;
        // Graph's startsWith ignores case.
        let prefix = prefix.map(str::to_lowercase);
        self.with_own_writes(call, listed, |name| {
            prefix
                .as_deref()
                .is_none_or(|p| name.to_lowercase().starts_with(p))
        })
        .await
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
        // What this process wrote, not what a lagging replica would read back.
        if let Some(kind) = &changes.membership_type {
            self.au_kinds.put(id.to_owned(), Some(kind.clone()));
        }
        if let Some(name) = &changes.display_name {
            self.recent_names
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(id.to_ascii_lowercase(), (name.clone(), Instant::now()));
        }
        Ok(())
    }

    /// The units named `name` (see [`Self::with_own_writes`]).
    pub async fn administrative_units_named(
        &self,
        call: &Call,
        name: &str,
    ) -> Result<Vec<AdministrativeUnit>, GraphError> {
        let found = self.find_administrative_units_by_name(call, name).await?;
        self.with_own_writes(call, found, |named| named == name)
            .await
    }

    /// A listing of the units whose names are `wanted`, as this process knows them:
    /// a unit it named so moments ago is included even when the listing's replica has
    /// not seen the name yet, one it renamed to an unwanted name is left out, and so
    /// is one it deleted. Other tools' recent writes show as Graph lists them.
    async fn with_own_writes(
        &self,
        call: &Call,
        mut found: Vec<AdministrativeUnit>,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<Vec<AdministrativeUnit>, GraphError> {
        let is = |unit: &AdministrativeUnit, id: &str| {
            unit.id
                .as_deref()
                .is_some_and(|u| u.eq_ignore_ascii_case(id))
        };
        found.retain(|unit| {
            !unit
                .id
                .as_deref()
                .is_some_and(|id| self.recently_deleted(id))
        });
        for (id, named) in self.recent_names() {
            let listed_as_named = found
                .iter()
                .any(|unit| is(unit, &id) && unit.display_name == named);
            if listed_as_named {
                continue;
            }
            // Missing, or listed under its old name by a replica that lags.
            found.retain(|unit| !is(unit, &id));
            if wanted(&named) {
                found.push(self.read_as_named(call, &id, &named).await?);
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
