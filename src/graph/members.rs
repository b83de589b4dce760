//! Administrative unit membership operations.

use serde_json::json;

use super::client::{Call, GraphClient, segment};
use super::error::GraphError;
use super::models::DirectoryObject;

impl GraphClient {
    /// `POST /directory/administrativeUnits/{au}/members/$ref`.
    pub async fn add_administrative_unit_member(
        &self,
        call: &Call,
        au: &str,
        member: &str,
    ) -> Result<(), GraphError> {
        let path = format!(
            "/directory/administrativeUnits/{}/members/$ref",
            segment(au)
        );
        let body = json!({"@odata.id": format!("{}/directoryObjects/{}", self.base_url(), segment(member))});
        self.post_no_content(call, &path, &body, &[au, member])
            .await
    }

    /// `DELETE /directory/administrativeUnits/{au}/members/{member}/$ref` (never without
    /// `$ref`, which would delete the object itself). Already gone counts as removed.
    pub async fn remove_administrative_unit_member(
        &self,
        call: &Call,
        au: &str,
        member: &str,
    ) -> Result<(), GraphError> {
        let path = format!(
            "/directory/administrativeUnits/{}/members/{}/$ref",
            segment(au),
            segment(member)
        );
        match self.delete(call, &path, &[]).await {
            Err(e) if e.is_not_found() => Ok(()),
            other => other,
        }
    }

    /// `GET /directory/administrativeUnits/{au}/members/{member}`: the member with its type.
    pub async fn get_administrative_unit_member(
        &self,
        call: &Call,
        au: &str,
        member: &str,
    ) -> Result<DirectoryObject, GraphError> {
        let path = format!(
            "/directory/administrativeUnits/{}/members/{}?$select=id",
            segment(au),
            segment(member)
        );
        self.get(call, &path, &[au, member]).await
    }

    /// Every member's id and type, 999 per page.
    pub async fn list_administrative_unit_members(
        &self,
        call: &Call,
        au: &str,
    ) -> Result<Vec<DirectoryObject>, GraphError> {
        let path = format!(
            "/directory/administrativeUnits/{}/members?$select=id&$top=999",
            segment(au)
        );
        self.list(call, &path, &[au]).await
    }
}
