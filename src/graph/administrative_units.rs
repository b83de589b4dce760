//! Administrative unit operations.

use super::client::{Call, GraphClient, odata_string, query, segment};
use super::error::GraphError;
use super::models::AdministrativeUnit;

const SELECT: &str = "id,displayName,description,visibility,isMemberManagementRestricted,membershipType,membershipRule,membershipRuleProcessingState";

impl GraphClient {
    /// `POST /directory/administrativeUnits`, safe to retry: a create that failed
    /// ambiguously (5xx, connection lost after sending) may have happened, so before
    /// sending again it adopts the one new unit of that name that was not there
    /// before. Returns once the new unit is readable, so a following refresh does not
    /// mistake replication lag for deletion.
    pub async fn create_administrative_unit(
        &self,
        call: &Call,
        au: &AdministrativeUnit,
    ) -> Result<AdministrativeUnit, GraphError> {
        let body = serde_json::to_value(au).map_err(|e| GraphError::Decode(e.to_string()))?;
        let name = au.display_name.as_str();
        let existing: Vec<String> = self
            .find_administrative_units_by_name(call, name)
            .await?
            .into_iter()
            .filter_map(|a| a.id)
            .collect();
        let adopt = || async {
            let new: Vec<AdministrativeUnit> = self
                .find_administrative_units_by_name(call, name)
                .await?
                .into_iter()
                .filter(|a| a.id.as_ref().is_some_and(|id| !existing.contains(id)))
                .collect();
            match new.len() {
                0 => Ok(None),
                1 => Ok(new.into_iter().next()),
                n => Err(GraphError::Decode(format!(
                    "a create failed ambiguously and {n} new administrative units named {name:?} now exist; \
                     delete the extra ones"
                ))),
            }
        };
        let created: AdministrativeUnit = self
            .create_once(call, "/directory/administrativeUnits", &body, &[], adopt)
            .await?;
        if let Some(id) = &created.id {
            self.note_created(id);
            // Polls (404s about a just-created id are retried) until Graph serves it.
            self.get_administrative_unit(call, id).await?;
        }
        Ok(created)
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
            .get_or_fetch(&id.to_owned(), || async {
                let path = format!(
                    "/directory/administrativeUnits/{}?$select=id,membershipType",
                    segment(id)
                );
                let au: AdministrativeUnit = self.get(call, &path, &[id]).await?;
                Ok(au.membership_type)
            })
            .await
    }

    /// Every AU, or those whose display name starts with `prefix`.
    pub async fn list_administrative_units(
        &self,
        call: &Call,
        prefix: Option<&str>,
    ) -> Result<Vec<AdministrativeUnit>, GraphError> {
        let mut path = format!("/directory/administrativeUnits?$top=999&$select={SELECT}");
        if let Some(prefix) = prefix {
            path.push_str(&format!(
                "&$filter={}",
                query(&format!("startsWith(displayName,{})", odata_string(prefix)))
            ));
        }
        self.list(call, &path, &[]).await
    }

    /// AUs whose display name is exactly `name` (Graph compares case-insensitively).
    pub async fn find_administrative_units_by_name(
        &self,
        call: &Call,
        name: &str,
    ) -> Result<Vec<AdministrativeUnit>, GraphError> {
        let filter = query(&format!("displayName eq {}", odata_string(name)));
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
        changes: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), GraphError> {
        let path = format!("/directory/administrativeUnits/{}", segment(id));
        self.patch(
            call,
            &path,
            &serde_json::Value::Object(changes.clone()),
            &[id],
        )
        .await?;
        self.au_kinds.forget(&id.to_owned());
        Ok(())
    }

    /// `DELETE /directory/administrativeUnits/{id}`; an object already gone counts as deleted.
    pub async fn delete_administrative_unit(
        &self,
        call: &Call,
        id: &str,
    ) -> Result<(), GraphError> {
        let path = format!("/directory/administrativeUnits/{}", segment(id));
        match self.delete(call, &path, &[]).await {
            Err(e) if e.is_not_found() => Ok(()),
            other => other,
        }
    }
}
