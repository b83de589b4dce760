//! Role definitions, role assignments and AU scoped role memberships.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use std::sync::atomic::Ordering;

use super::client::{AssignmentIndex, GraphClient};
use super::consistency::{confirm_visible, read_through_lag};
use super::error::GraphError;
use super::models::{DirectoryRole, RoleAssignment, RoleDefinition, ScopedRoleMembership};
use super::odata::{Filter, segment};
use super::request::{Call, Policy};
use super::role_catalog::AU_SCOPABLE_BUILT_IN_ROLES;

impl GraphClient {
    /// `POST /roleManagement/directory/roleAssignments`, safe to retry. A principal
    /// or unit Graph does not see yet (created moments ago, by anyone) is waited for
    /// until the deadline. After an ambiguous failure (5xx, connection lost) the
    /// matching assignment is looked up before sending again, and a "conflicting
    /// object" answer to a resend is the first attempt's success: callers make sure
    /// no matching assignment existed before (see [`Self::find_matching_role_assignment`]).
    pub async fn create_role_assignment(
        &self,
        call: &Call,
        assignment: &RoleAssignment,
    ) -> Result<RoleAssignment, GraphError> {
        let body =
            serde_json::to_value(assignment).map_err(|e| GraphError::Decode(e.to_string()))?;
        let recognise = || self.find_matching_role_assignment(call, assignment);
        let (created, ambiguous) = self
            .create_once(
                call,
                "/roleManagement/directory/roleAssignments",
                &body,
                &Policy::referencing(),
                recognise,
            )
            .await;
        let created = match created {
            Ok(created) => created,
            Err(e) if ambiguous && is_conflict(&e) => {
                tracing::info!("a role assignment that failed ambiguously had happened");
                confirm_visible(call, "the new role assignment", || {
                    self.find_matching_role_assignment(call, assignment)
                })
                .await?
            }
            Err(e) => return Err(e),
        };
        if let Some(id) = &created.id {
            self.note_created(id);
        }
        let scope_id = assignment
            .directory_scope_id
            .trim_start_matches("/administrativeUnits/");
        self.au_assignments.forget(&scope_id.to_owned());
        Ok(created)
    }

    /// The assignment of `wanted`'s role to its principal at its scope, if one exists
    /// (as this read's replica sees it), found with the documented `principalId` filter.
    pub async fn find_matching_role_assignment(
        &self,
        call: &Call,
        wanted: &RoleAssignment,
    ) -> Result<Option<RoleAssignment>, GraphError> {
        let filter = Filter::eq("principalId", &wanted.principal_id);
        Ok(self
            .list_role_assignments(call, &filter)
            .await?
            .into_iter()
            .find(|a| {
                a.role_definition_id
                    .eq_ignore_ascii_case(&wanted.role_definition_id)
                    && a.directory_scope_id
                        .eq_ignore_ascii_case(&wanted.directory_scope_id)
            }))
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
        filter: &Filter,
    ) -> Result<Vec<RoleAssignment>, GraphError> {
        let path = format!(
            "/roleManagement/directory/roleAssignments?$filter={}",
            filter.encoded()
        );
        self.list(call, &path, &[]).await
    }

    /// Role assignments at one AU's scope, with principals expanded where allowed
    /// (100 per page: Graph caps pages that expand). When Graph refuses a filter on
    /// `directoryScopeId` alone (older documentation requires `principalId` or
    /// `roleDefinitionId` in it), each role that can be scoped to a unit is asked for
    /// with a documented `roleDefinitionId` filter instead.
    pub async fn list_administrative_unit_role_assignments(
        &self,
        call: &Call,
        au: &str,
    ) -> Result<Vec<RoleAssignment>, GraphError> {
        let scope = Filter::eq("directoryScopeId", &format!("/administrativeUnits/{au}"));
        if !self.scope_filter_refused.load(Ordering::SeqCst) {
            match self.list_scoped_assignments(call, &scope).await {
                Err(e) if e.status() == Some(400) => {
                    tracing::info!(
                        error = %e,
                        "Graph refuses a role assignment filter on the scope alone; filtering by role instead"
                    );
                    self.scope_filter_refused.store(true, Ordering::SeqCst);
                }
                other => return other,
            }
        }
        let mut roles: Vec<String> = AU_SCOPABLE_BUILT_IN_ROLES
            .iter()
            .map(|(id, _)| (*id).to_owned())
            .collect();
        roles.extend(
            self.list_role_definitions(call, Some(&Filter::is("isBuiltIn", false)))
                .await?
                .into_iter()
                .map(|d| d.id),
        );
        let mut found = Vec::new();
        for role in roles {
            let filter = Filter::eq("roleDefinitionId", &role).and(scope.clone());
            found.extend(self.list_scoped_assignments(call, &filter).await?);
        }
        Ok(found)
    }

    /// The role assignments at each unit's scope, in the order of `aus`: the listings
    /// travel in `$batch` requests; when Graph refuses a filter on the scope alone,
    /// each unit is listed role by role instead.
    pub async fn role_assignments_of_units(
        &self,
        call: &Call,
        aus: &[String],
    ) -> Vec<Result<Vec<RoleAssignment>, GraphError>> {
        let paths: Vec<String> = aus
            .iter()
            .map(|au| {
                let scope = Filter::eq("directoryScopeId", &format!("/administrativeUnits/{au}"));
                format!(
                    "/roleManagement/directory/roleAssignments?$filter={}",
                    scope.encoded()
                )
            })
            .collect();
        let mut found = self.list_each(call, &paths).await;
        for (au, listing) in aus.iter().zip(found.iter_mut()) {
            if matches!(listing, Err(e) if e.status() == Some(400)) {
                *listing = self
                    .list_administrative_unit_role_assignments(call, au)
                    .await;
            }
        }
        found
    }

    /// A filtered listing, with the principal expanded where the caller may.
    async fn list_scoped_assignments(
        &self,
        call: &Call,
        filter: &Filter,
    ) -> Result<Vec<RoleAssignment>, GraphError> {
        let plain = format!(
            "/roleManagement/directory/roleAssignments?$filter={}",
            filter.encoded()
        );
        match self
            .list(
                call,
                &format!("{plain}&$expand=principal($select=id)&$top=100"),
                &[],
            )
            .await
        {
            Err(e) if e.status() == Some(403) => self.list(call, &plain, &[]).await,
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
                .get_or_fetch(call, &au.to_owned(), || async {
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
        let path = format!(
            "/roleManagement/directory/roleAssignments/{}?$expand=principal($select=id)",
            segment(id)
        );
        match self.get(call, &path, &[]).await {
            Ok(a) => Ok(Some(a)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `DELETE /roleManagement/directory/roleAssignments/{id}`; already gone counts as deleted.
    pub async fn delete_role_assignment(&self, call: &Call, id: &str) -> Result<(), GraphError> {
        let path = format!("/roleManagement/directory/roleAssignments/{}", segment(id));
        self.au_assignments.forget_all();
        match self.delete(call, &path, &[id]).await {
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
            .get_or_fetch(call, &key, || self.get_role_definition(call, id))
            .await
    }

    /// A role definition another tool may have created moments ago: `None` only once
    /// reads have not found it for a while (see [`read_through_lag`]).
    pub async fn settled_role_definition(
        &self,
        call: &Call,
        id: &str,
    ) -> Result<Option<RoleDefinition>, GraphError> {
        let what = format!("role definition {id}");
        read_through_lag(call, &what, Some(std::time::Duration::ZERO), || async {
            match self.role_definition(call, id).await {
                Ok(d) => Ok(Some(d)),
                Err(e) if e.is_not_found() => Ok(None),
                Err(e) => Err(e),
            }
        })
        .await
    }

    /// The matching assignment Graph says exists (a conflict), as soon as reads see it.
    pub async fn settled_matching_role_assignment(
        &self,
        call: &Call,
        wanted: &RoleAssignment,
    ) -> Result<Option<RoleAssignment>, GraphError> {
        read_through_lag(
            call,
            "the existing role assignment",
            Some(std::time::Duration::ZERO),
            || self.find_matching_role_assignment(call, wanted),
        )
        .await
    }

    /// Role definitions, optionally filtered.
    pub async fn list_role_definitions(
        &self,
        call: &Call,
        filter: Option<&Filter>,
    ) -> Result<Vec<RoleDefinition>, GraphError> {
        let path = match filter {
            Some(f) => format!(
                "/roleManagement/directory/roleDefinitions?$filter={}",
                f.encoded()
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

/// Graph's answer to an assignment that already exists.
pub(crate) fn is_conflict(err: &GraphError) -> bool {
    matches!(err.status(), Some(400 | 409))
        && err
            .api()
            .is_some_and(|a| a.message.contains("conflicting object"))
}
