//! Administrative unit operations.

use super::client::{Call, GraphClient, odata_string, query, segment};
use super::error::GraphError;
use super::models::AdministrativeUnit;

const SELECT: &str = "id,displayName,description,visibility,isMemberManagementRestricted,membershipType,membershipRule,membershipRuleProcessingState";

impl GraphClient {
    /// `POST /directory/administrativeUnits`.
    pub async fn create_administrative_unit(
        &self,
        call: &Call,
        au: &AdministrativeUnit,
    ) -> Result<AdministrativeUnit, GraphError> {
        let body = serde_json::to_value(au).map_err(|e| GraphError::Decode(e.to_string()))?;
        let created: AdministrativeUnit = self
            .post(call, "/directory/administrativeUnits", &body, &[])
            .await?;
        if let Some(id) = &created.id {
            self.note_created(id);
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
