//! Custom directory roles (`unifiedRoleDefinition`): create, update, delete.

use super::client::GraphClient;
use super::consistency::{PENDING_PREFIX, confirm_gone, confirm_visible};
use super::error::{CreateError, GraphError};
use super::models::{CustomRoleBody, RoleDefinition};
use super::odata::{Filter, segment};
use super::request::{Call, Policy};

const PATH: &str = "/roleManagement/directory/roleDefinitions";

/// Whether a read of the role shows what `role` wrote.
fn shows(d: &RoleDefinition, role: &CustomRoleBody) -> bool {
    let mut read: Vec<&String> = d.allowed_actions().collect();
    let mut written: Vec<&String> = role
        .role_permissions
        .iter()
        .flat_map(|p| &p.allowed_resource_actions)
        .collect();
    read.sort();
    written.sort();
    d.display_name == role.display_name
        && d.description.as_deref().filter(|s| !s.is_empty())
            == role.description.as_deref().filter(|s| !s.is_empty())
        && d.is_enabled.unwrap_or(true) == role.is_enabled
        && read == written
}

fn is_conflict(e: &GraphError) -> bool {
    e.status() == Some(400)
        && e.api().is_some_and(|a| {
            a.message
                .to_ascii_lowercase()
                .contains("conflicting object")
        })
}

impl GraphClient {
    /// `POST /roleManagement/directory/roleDefinitions`, safe to retry: created under a
    /// temporary name only this call uses, then renamed (as units are), and returned
    /// once reads see it with its real name.
    pub async fn create_custom_role(
        &self,
        call: &Call,
        role: &CustomRoleBody,
    ) -> Result<RoleDefinition, CreateError> {
        let marker = format!("{PENDING_PREFIX}{}", uuid::Uuid::new_v4().simple());
        let pending = CustomRoleBody {
            display_name: marker.clone(),
            ..role.clone()
        };
        let body = serde_json::to_value(&pending).map_err(|e| GraphError::Decode(e.to_string()))?;
        let recognise = || async {
            Ok(self
                .find_role_definitions_named(call, &marker)
                .await?
                .into_iter()
                .next())
        };
        let (created, ambiguous) = self
            .create_once(call, PATH, &body, &Policy::default(), recognise)
            .await;
        let created: RoleDefinition = match created {
            // The name is this create's alone: a conflict after an ambiguous attempt
            // is that attempt's role, which reads may not show yet.
            Err(e) if ambiguous && is_conflict(&e) => {
                confirm_visible(call, &format!("custom role {marker}"), recognise).await?
            }
            other => other?,
        };
        let id = created.id.clone();
        self.note_created(&id);
        let finished = async {
            let named = self.update_custom_role(call, &id, role).await?;
            if ambiguous {
                self.delete_strays(call, &marker, &id).await?;
            }
            Ok(named)
        };
        finished.await.map_err(|error| CreateError {
            made: Some(id),
            error,
        })
    }

    /// `PATCH .../roleDefinitions/{id}` with every property of the role; returns once
    /// reads show the role as written, so a following refresh sees no drift.
    pub async fn update_custom_role(
        &self,
        call: &Call,
        id: &str,
        role: &CustomRoleBody,
    ) -> Result<RoleDefinition, GraphError> {
        let body = serde_json::to_value(role).map_err(|e| GraphError::Decode(e.to_string()))?;
        let path = format!("{PATH}/{}", segment(id));
        let result = self.patch(call, &path, &body, &[id]).await;
        self.role_definitions.forget(&id.to_ascii_lowercase());
        result?;
        let written = confirm_visible(call, &format!("custom role {id}"), || async {
            Ok(self
                .find_role_definition(call, id)
                .await?
                .filter(|d| shows(d, role)))
        })
        .await?;
        // Later reads in this process (an assignment's role name) see what was written,
        // not a replica that lags (after a create: the temporary name).
        self.role_definitions
            .put(id.to_ascii_lowercase(), written.clone());
        Ok(written)
    }

    /// `DELETE .../roleDefinitions/{id}`, confirmed: returns once reads no longer see it.
    pub async fn delete_custom_role(&self, call: &Call, id: &str) -> Result<(), GraphError> {
        let path = format!("{PATH}/{}", segment(id));
        match self.delete(call, &path, &[id]).await {
            Err(e) if !e.is_not_found() => return Err(e),
            _ => {}
        }
        self.role_definitions.forget(&id.to_ascii_lowercase());
        self.note_deleted(id);
        confirm_gone(call, &format!("custom role {id}"), || async {
            Ok(self.find_role_definition(call, id).await?.is_some())
        })
        .await
    }

    /// A role definition as this read's replica sees it: `None` when not found (which
    /// may be replication lag), uncached.
    pub async fn find_role_definition(
        &self,
        call: &Call,
        id: &str,
    ) -> Result<Option<RoleDefinition>, GraphError> {
        match self.get_role_definition(call, id).await {
            Ok(d) => Ok(Some(d)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Role definitions with exactly this display name.
    pub async fn find_role_definitions_named(
        &self,
        call: &Call,
        name: &str,
    ) -> Result<Vec<RoleDefinition>, GraphError> {
        self.list_role_definitions(call, Some(&Filter::eq("displayName", name)))
            .await
    }

    /// Deletes roles an earlier ambiguous attempt made under `marker`, except `kept`.
    async fn delete_strays(&self, call: &Call, marker: &str, kept: &str) -> Result<(), GraphError> {
        for stray in self.find_role_definitions_named(call, marker).await? {
            if stray.id.eq_ignore_ascii_case(kept) {
                continue;
            }
            tracing::info!(
                stray_id = stray.id,
                "deleting the extra custom role an ambiguous create had made"
            );
            let path = format!("{PATH}/{}", segment(&stray.id));
            match self.delete(call, &path, &[&stray.id]).await {
                Err(e) if !e.is_not_found() => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }
}
