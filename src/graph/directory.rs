//! Users, groups and other directory objects (reads only).

use serde::de::DeserializeOwned;

use super::client::GraphClient;
use super::error::GraphError;
use super::odata::{Filter, segment};
use super::request::Call;

impl GraphClient {
    /// `GET /users/{id or userPrincipalName}` with the given `$select`.
    pub async fn get_user<T: DeserializeOwned>(
        &self,
        call: &Call,
        id_or_upn: &str,
        select: &str,
    ) -> Result<T, GraphError> {
        let path = format!("/users/{}?$select={select}", segment(id_or_upn));
        self.get(call, &path, &[]).await
    }

    /// `GET /groups/{id}` with the given `$select`.
    pub async fn get_group<T: DeserializeOwned>(
        &self,
        call: &Call,
        id: &str,
        select: &str,
    ) -> Result<T, GraphError> {
        let path = format!("/groups/{}?$select={select}", segment(id));
        self.get(call, &path, &[]).await
    }

    /// Groups whose display name is exactly `name`.
    pub async fn find_groups_by_name<T: DeserializeOwned>(
        &self,
        call: &Call,
        name: &str,
        select: &str,
    ) -> Result<Vec<T>, GraphError> {
        let filter = Filter::eq("displayName", name).encoded();
        let path = format!("/groups?$select={select}&$filter={filter}&$top=999");
        self.list(call, &path, &[]).await
    }

    /// Every user or device (`collection` = `users` or `devices`), selecting `select`.
    pub async fn list_directory<T: DeserializeOwned>(
        &self,
        call: &Call,
        collection: &str,
        select: &str,
    ) -> Result<Vec<T>, GraphError> {
        let path = format!("/{collection}?$select={select}&$top=999");
        self.list(call, &path, &[]).await
    }
}
