//! Role definitions, role assignments and AU scoped role memberships.

use super::client::{Call, GraphClient, odata_string, query, segment};
use super::error::GraphError;
use super::models::{DirectoryRole, RoleAssignment, RoleDefinition, ScopedRoleMembership};

impl GraphClient {
    /// `POST /roleManagement/directory/roleAssignments`.
    pub async fn create_role_assignment(
        &self,
        call: &Call,
        assignment: &RoleAssignment,
    ) -> Result<RoleAssignment, GraphError> {
        let body =
            serde_json::to_value(assignment).map_err(|e| GraphError::Decode(e.to_string()))?;
        let scope_id = assignment
            .directory_scope_id
            .trim_start_matches("/administrativeUnits/");
        let fresh = [assignment.principal_id.as_str(), scope_id];
        let created: RoleAssignment = self
            .post(
                call,
                "/roleManagement/directory/roleAssignments",
                &body,
                &fresh,
            )
            .await?;
        if let Some(id) = &created.id {
            self.note_created(id);
        }
        Ok(created)
    }

    /// `GET /roleManagement/directory/roleAssignments/{id}` with the principal's type.
    pub async fn get_role_assignment(
        &self,
        call: &Call,
        id: &str,
    ) -> Result<RoleAssignment, GraphError> {
        let path = format!(
            "/roleManagement/directory/roleAssignments/{}?$expand=principal($select=id)",
            segment(id)
        );
        self.get(call, &path, &[id]).await
    }

    /// Role assignments matching an OData filter.
    pub async fn list_role_assignments(
        &self,
        call: &Call,
        filter: &str,
    ) -> Result<Vec<RoleAssignment>, GraphError> {
        let path = format!(
            "/roleManagement/directory/roleAssignments?$filter={}",
            query(filter)
        );
        self.list(call, &path, &[]).await
    }

    /// Role assignments at one AU's scope.
    pub async fn list_administrative_unit_role_assignments(
        &self,
        call: &Call,
        au: &str,
    ) -> Result<Vec<RoleAssignment>, GraphError> {
        let scope = format!("/administrativeUnits/{au}");
        self.list_role_assignments(
            call,
            &format!("directoryScopeId eq {}", odata_string(&scope)),
        )
        .await
    }

    /// `DELETE /roleManagement/directory/roleAssignments/{id}`; already gone counts as deleted.
    pub async fn delete_role_assignment(&self, call: &Call, id: &str) -> Result<(), GraphError> {
        let path = format!("/roleManagement/directory/roleAssignments/{}", segment(id));
        match self.delete(call, &path, &[]).await {
            Err(e) if e.is_not_found() => Ok(()),
            other => other,
        }
    }

    /// `GET /roleManagement/directory/roleDefinitions/{id}`.
    pub async fn get_role_definition(
        &self,
        call: &Call,
        id: &str,
    ) -> Result<RoleDefinition, GraphError> {
        let path = format!("/roleManagement/directory/roleDefinitions/{}", segment(id));
        self.get(call, &path, &[]).await
    }

    /// A role definition, fetched once per process and shared by concurrent callers.
    pub async fn role_definition(
        &self,
        call: &Call,
        id: &str,
    ) -> Result<RoleDefinition, GraphError> {
        let key = id.to_ascii_lowercase();
        self.role_definitions
            .get_or_fetch(&key, || self.get_role_definition(call, id))
            .await
    }

    /// Role definitions, optionally filtered.
    pub async fn list_role_definitions(
        &self,
        call: &Call,
        filter: Option<&str>,
    ) -> Result<Vec<RoleDefinition>, GraphError> {
        let path = match filter {
            Some(f) => format!(
                "/roleManagement/directory/roleDefinitions?$filter={}",
                query(f)
            ),
            None => "/roleManagement/directory/roleDefinitions".to_owned(),
        };
        self.list(call, &path, &[]).await
    }

    /// `GET /directory/administrativeUnits/{au}/scopedRoleMembers/{id}`.
    pub async fn get_scoped_role_member(
        &self,
        call: &Call,
        au: &str,
        id: &str,
    ) -> Result<ScopedRoleMembership, GraphError> {
        let path = format!(
            "/directory/administrativeUnits/{}/scopedRoleMembers/{}",
            segment(au),
            segment(id)
        );
        self.get(call, &path, &[au]).await
    }

    /// `GET /directoryRoles/{id}`: an activated role, to find its template.
    pub async fn get_directory_role(
        &self,
        call: &Call,
        id: &str,
    ) -> Result<DirectoryRole, GraphError> {
        let path = format!("/directoryRoles/{}", segment(id));
        self.get(call, &path, &[]).await
    }
}
