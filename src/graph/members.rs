//! Administrative unit membership operations. With coalescing on, reads share one
//! paged listing per AU (kept current by our own writes), and adds/removes travel
//! in `$batch` requests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use reqwest::Method;
use serde_json::json;

use super::batch::Request;
use super::client::{GraphClient, MemberIndex};
use super::error::{CreateError, GraphError};
use super::models::DirectoryObject;
use super::odata::segment;
use super::request::{Call, Policy, decode};

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

/// Whether a removal failed because the membership is already gone: Graph's
/// not-found answer, or 400 "One or more removed object references do not exist".
pub(crate) fn is_already_removed(err: &GraphError) -> bool {
    err.is_not_found()
        || (err.status() == Some(400)
            && err.api().is_some_and(|a| {
                a.message
                    .to_ascii_lowercase()
                    .contains("removed object references do not exist")
            }))
}

impl GraphClient {
    /// `POST /directory/administrativeUnits/{au}/members/$ref` with a
    /// `directoryObjects/{id}` reference (valid for users, groups and devices alike);
    /// returns the member's type (`user`, `group`, `device`) when Graph told it.
    ///
    /// A reference Graph does not see yet (an object another tool created moments ago)
    /// is waited for until the deadline. After an ambiguous failure the add is sent
    /// again, and "already exists" then means that the first attempt happened: callers
    /// make sure the membership did not exist before (see [`Self::listed_member`]).
    /// The type comes from a `getByIds` lookup riding in the same `$batch`, or, when
    /// that is not permitted, from the unit's member endpoint. A failure after the
    /// membership exists says so (`made`).
    pub async fn add_administrative_unit_member(
        &self,
        call: &Call,
        au: &str,
        member: &str,
    ) -> Result<Option<String>, CreateError> {
        let request = Request {
            type_of: Some(member.to_owned()),
            ..add_member_request(self.base_url(), au, member)
        };
        let outcome = self.send_batched(call, request).await;
        match outcome.result {
            Ok(_) => {}
            // An ambiguous failure had run our add already: that is success.
            Err(e) if outcome.resent && is_already_member(&e) => {
                tracing::info!(au, member, "an add that failed ambiguously had happened");
            }
            Err(e) => return Err(e.into()),
        }
        let kind = match outcome.kind {
            Some(kind) => Some(kind),
            None => self
                .get_administrative_unit_member(call, au, member)
                .await
                .map_err(|error| CreateError {
                    made: Some(member.to_owned()),
                    error,
                })?
                .kind()
                .map(ToOwned::to_owned),
        };
        self.remember_member(au, member, kind.clone());
        Ok(kind)
    }

    /// `DELETE /directory/administrativeUnits/{au}/members/{member}/$ref` (never without
    /// `$ref`, which would delete the object itself). Already gone counts as removed.
    pub async fn remove_administrative_unit_member(
        &self,
        call: &Call,
        au: &str,
        member: &str,
    ) -> Result<(), GraphError> {
        let request = remove_member_request(au, member);
        match self.send_batched(call, request).await.result {
            Err(e) if !is_already_removed(&e) => return Err(e),
            _ => {}
        }
        self.au_members.update(&au.to_owned(), |index| {
            index
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&member.to_ascii_lowercase());
        });
        Ok(())
    }

    /// `GET /directory/administrativeUnits/{au}/members/{member}`: the member with its
    /// type, waiting for replication while Graph does not see it (the caller knows it
    /// is a member).
    pub async fn get_administrative_unit_member(
        &self,
        call: &Call,
        au: &str,
        member: &str,
    ) -> Result<DirectoryObject, GraphError> {
        let reply = self
            .send_batched(call, member_read(au, member, Policy::referencing()))
            .await
            .result?;
        decode(&reply)
    }

    /// `GET /directory/administrativeUnits/{au}/members/{member}` as this read's
    /// replica sees it: `None` on not found.
    async fn find_administrative_unit_member(
        &self,
        call: &Call,
        au: &str,
        member: &str,
    ) -> Result<Option<DirectoryObject>, GraphError> {
        let policy = Policy::fresh(&[au]);
        match self
            .send_batched(call, member_read(au, member, policy))
            .await
            .result
        {
            Ok(reply) => Ok(Some(decode(&reply)?)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether the unit's member listing (one per unit, shared by concurrent callers)
    /// names `member`: how a create proves the membership is not someone else's.
    pub async fn listed_member(
        &self,
        call: &Call,
        au: &str,
        member: &str,
    ) -> Result<bool, GraphError> {
        match self.member_index(call, au).await {
            Ok(index) => Ok(index
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .contains_key(&member.to_ascii_lowercase())),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The unit's members by id, listed once per unit and shared.
    async fn member_index(&self, call: &Call, au: &str) -> Result<MemberIndex, GraphError> {
        self.au_members
            .get_or_fetch(call, &au.to_owned(), || async {
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
            .await
    }

    /// Whether `member` is in `au`, and its type, as Graph sees it now. With
    /// coalescing on, concurrent callers share one listing of the unit; an absence
    /// from it is checked by a direct read (the membership may be newer than the
    /// listing).
    pub async fn administrative_unit_membership(
        &self,
        call: &Call,
        au: &str,
        member: &str,
    ) -> Result<Membership, GraphError> {
        if self.coalescing() {
            match self.member_index(call, au).await {
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
        Ok(
            match self
                .find_administrative_unit_member(call, au, member)
                .await?
            {
                Some(object) => Membership::Member(object.kind().map(ToOwned::to_owned)),
                None => Membership::Absent,
            },
        )
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

/// `POST …/members/$ref` adding `member` to unit `au` (`base` is the Graph root).
pub(super) fn add_member_request(base: &str, au: &str, member: &str) -> Request {
    Request {
        method: Method::POST,
        path: format!(
            "/directory/administrativeUnits/{}/members/$ref",
            segment(au)
        ),
        body: Some(json!({ "@odata.id": format!("{base}/directoryObjects/{}", segment(member)) })),
        policy: Policy {
            fresh_ids: vec![au.to_owned()],
            ..Policy::referencing()
        },
        type_of: None,
    }
}

/// `DELETE …/members/{member}/$ref` (never without `$ref`: that deletes the object).
pub(super) fn remove_member_request(au: &str, member: &str) -> Request {
    Request {
        method: Method::DELETE,
        path: format!(
            "/directory/administrativeUnits/{}/members/{}/$ref",
            segment(au),
            segment(member)
        ),
        body: None,
        policy: Policy {
            resendable: true,
            ..Policy::fresh(&[au])
        },
        type_of: None,
    }
}

/// A read of one member of a unit, with its type.
fn member_read(au: &str, member: &str, policy: Policy) -> Request {
    Request {
        method: Method::GET,
        path: format!(
            "/directory/administrativeUnits/{}/members/{}?$select=id",
            segment(au),
            segment(member)
        ),
        body: None,
        policy,
        type_of: None,
    }
}
