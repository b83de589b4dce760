//! Administrative unit membership operations. With coalescing on, reads share one
//! paged listing per AU (kept current by our own writes), and adds/removes travel
//! in `$batch` requests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use reqwest::Method;
use serde_json::json;

use super::batch::Request;
use super::client::{Call, GraphClient, MemberIndex, decode, segment};
use super::error::GraphError;
use super::models::DirectoryObject;

/// What a membership lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Membership {
    /// The object is a member; its type when Graph said (`user`, `group`, `device`).
    Member(Option<String>),
    /// The object is not a member (or the AU does not exist).
    Absent,
}

/// Whether an add failed because the membership already exists.
pub fn is_already_member(err: &GraphError) -> bool {
    err.status() == Some(400)
        && err
            .api()
            .is_some_and(|a| a.message.to_ascii_lowercase().contains("already exist"))
}

impl GraphClient {
    /// `POST /directory/administrativeUnits/{au}/members/$ref`; returns the member's
    /// type when the add proved it.
    ///
    /// Users, the commonest members, are referenced as `/users/{id}` first: Graph
    /// refuses a typed reference to an object of another type with 404 (as it does
    /// `GET /users/{groupId}`; inferred, not documented), so success proves a user and
    /// no read is needed. Anything else is then referenced as `/directoryObjects/{id}`.
    pub async fn add_administrative_unit_member(
        &self,
        call: &Call,
        au: &str,
        member: &str,
    ) -> Result<Option<String>, GraphError> {
        // A 404 here means "not a user" (or lag, which the untyped add below retries).
        match self
            .add_member_reference(call, au, member, "users", false)
            .await
        {
            Ok(()) => {
                self.remember_member(au, member, Some("user".to_owned()));
                return Ok(Some("user".to_owned()));
            }
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
        self.add_member_reference(call, au, member, "directoryObjects", true)
            .await?;
        self.remember_member(au, member, None);
        Ok(None)
    }

    /// Adds one `$ref`; `lag_retries` says whether 404s about objects this process just
    /// created are retried as replication lag.
    async fn add_member_reference(
        &self,
        call: &Call,
        au: &str,
        member: &str,
        collection: &str,
        lag_retries: bool,
    ) -> Result<(), GraphError> {
        let reference = format!("{}/{collection}/{}", self.base_url(), segment(member));
        let request = Request {
            method: Method::POST,
            path: format!(
                "/directory/administrativeUnits/{}/members/$ref",
                segment(au)
            ),
            body: Some(json!({ "@odata.id": reference })),
            fresh_ids: if lag_retries {
                vec![au.to_owned(), member.to_owned()]
            } else {
                Vec::new()
            },
            resendable: true,
        };
        let outcome = self.send_batched(call, request).await;
        match outcome.result {
            // An ambiguous failure may have run our add already: that is success.
            Err(e) if outcome.resent && is_already_member(&e) => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// `DELETE /directory/administrativeUnits/{au}/members/{member}/$ref` (never without
    /// `$ref`, which would delete the object itself). Already gone counts as removed.
    pub async fn remove_administrative_unit_member(
        &self,
        call: &Call,
        au: &str,
        member: &str,
    ) -> Result<(), GraphError> {
        let request = Request {
            method: Method::DELETE,
            path: format!(
                "/directory/administrativeUnits/{}/members/{}/$ref",
                segment(au),
                segment(member)
            ),
            body: None,
            fresh_ids: Vec::new(),
            resendable: true,
        };
        match self.send_batched(call, request).await.result {
            Err(e) if !e.is_not_found() => return Err(e),
            _ => {}
        }
        self.au_members.update(&au.to_owned(), |index| {
            index
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(member);
        });
        Ok(())
    }

    /// `GET /directory/administrativeUnits/{au}/members/{member}`: the member with its type.
    pub async fn get_administrative_unit_member(
        &self,
        call: &Call,
        au: &str,
        member: &str,
    ) -> Result<DirectoryObject, GraphError> {
        let request = Request {
            method: Method::GET,
            path: format!(
                "/directory/administrativeUnits/{}/members/{}?$select=id",
                segment(au),
                segment(member)
            ),
            body: None,
            fresh_ids: vec![au.to_owned(), member.to_owned()],
            resendable: true,
        };
        let reply = self.send_batched(call, request).await.result?;
        let object: DirectoryObject = decode(&reply)?;
        self.remember_member(au, member, object.kind().map(ToOwned::to_owned));
        Ok(object)
    }

    /// Whether `member` is in `au`, and its type. With coalescing on, concurrent
    /// callers share one listing of the AU; an absence is confirmed by a direct read
    /// (it may be a membership another process added moments ago).
    pub async fn administrative_unit_membership(
        &self,
        call: &Call,
        au: &str,
        member: &str,
    ) -> Result<Membership, GraphError> {
        if self.coalescing() {
            let index = self
                .au_members
                .get_or_fetch(&au.to_owned(), || async {
                    let listed = self.list_administrative_unit_members(call, au).await?;
                    let map: HashMap<String, Option<String>> = listed
                        .into_iter()
                        .map(|m| {
                            let kind = m.kind().map(ToOwned::to_owned);
                            (m.id.to_ascii_lowercase(), kind)
                        })
                        .collect();
                    Ok::<MemberIndex, GraphError>(Arc::new(Mutex::new(map)))
                })
                .await;
            match index {
                Ok(index) => {
                    let found = index
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .get(&member.to_ascii_lowercase())
                        .cloned();
                    if let Some(kind) = found.filter(Option::is_some) {
                        return Ok(Membership::Member(kind));
                    }
                }
                Err(e) if e.is_not_found() => return Ok(Membership::Absent),
                Err(e) => return Err(e),
            }
        }
        match self.get_administrative_unit_member(call, au, member).await {
            Ok(object) => Ok(Membership::Member(object.kind().map(ToOwned::to_owned))),
            Err(e) if e.is_not_found() => Ok(Membership::Absent),
            Err(e) => Err(e),
        }
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

    /// Records a membership we made or saw in the AU's cached index, if one is cached.
    fn remember_member(&self, au: &str, member: &str, kind: Option<String>) {
        self.au_members.update(&au.to_owned(), |index| {
            let mut map = index.lock().unwrap_or_else(PoisonError::into_inner);
            let entry = map.entry(member.to_ascii_lowercase()).or_insert(None);
            if kind.is_some() {
                *entry = kind;
            }
        });
    }
}
