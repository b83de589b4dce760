//! Role definitions, role assignments and AU scoped role memberships.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::client::{AssignmentIndex, Call, GraphClient, odata_string, query, segment};
use super::error::GraphError;
use super::models::{DirectoryRole, RoleAssignment, RoleDefinition, ScopedRoleMembership};

impl GraphClient {
    /// `POST /roleManagement/directory/roleAssignments`, safe to retry: after an
    /// ambiguous failure (5xx, connection lost after sending) it adopts the matching
    /// assignment if the first attempt made it, and only otherwise sends again.
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
        let adopt = || async {
            let filter = format!(
                "principalId eq {} and roleDefinitionId eq {} and directoryScopeId eq {}",
                odata_string(&assignment.principal_id),
                odata_string(&assignment.role_definition_id),
                odata_string(&assignment.directory_scope_id)
            );
            Ok(self
                .list_role_assignments(call, &filter)
                .await?
                .into_iter()
                .next())
        };
        let created: RoleAssignment = self
            .create_once(
                call,
                "/roleManagement/directory/roleAssignments",
                &body,
                &fresh,
                adopt,
            )
            .await?;
        if let Some(id) = &created.id {
            self.note_created(id);
            self.au_assignments.forget(&scope_id.to_owned());
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

    /// Role assignments at one AU's scope, with principals expanded where allowed.
    pub async fn list_administrative_unit_role_assignments(
        &self,
        call: &Call,
        au: &str,
    ) -> Result<Vec<RoleAssignment>, GraphError> {
        let scope = format!("/administrativeUnits/{au}");
        let filter = query(&format!("directoryScopeId eq {}", odata_string(&scope)));
        let plain = format!("/roleManagement/directory/roleAssignments?$filter={filter}");
        match self
            .list(call, &format!("{plain}&$expand=principal($select=id)"), &[])
            .await
        {
            Err(e) if matches!(e.status(), Some(400 | 403)) => self.list(call, &plain, &[]).await,
            other => other,
        }
    }

    /// A role assignment at AU scope, or `None` when it no longer exists. With
    /// coalescing on, reads of one AU's assignments share one listing; an absence is
    /// confirmed by a direct read.
    pub async fn administrative_unit_role_assignment(
        &self,
        call: &Call,
        au: Option<&str>,
        id: &str,
    ) -> Result<Option<RoleAssignment>, GraphError> {
        if let (true, Some(au)) = (self.coalescing(), au) {
            let index = self
                .au_assignments
                .get_or_fetch(&au.to_owned(), || async {
                    let listed = self
                        .list_administrative_unit_role_assignments(call, au)
                        .await?;
                    let map: HashMap<String, RoleAssignment> = listed
                        .into_iter()
                        .filter_map(|a| Some((a.id.clone()?, a)))
                        .collect();
                    Ok::<AssignmentIndex, GraphError>(Arc::new(Mutex::new(map)))
                })
                .await?;
            let found = index
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(id)
                .cloned();
            if found.as_ref().is_some_and(|a| a.principal.is_some()) {
                return Ok(found);
            }
        }
        match self.get_role_assignment(call, id).await {
            Ok(a) => Ok(Some(a)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `DELETE /roleManagement/directory/roleAssignments/{id}`; already gone counts as deleted.
    pub async fn delete_role_assignment(&self, call: &Call, id: &str) -> Result<(), GraphError> {
        let path = format!("/roleManagement/directory/roleAssignments/{}", segment(id));
        self.au_assignments.forget_all();
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
