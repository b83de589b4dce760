//! A unit's whole member list at once, for authoritative membership: one paged
//! listing to read it, `$batch` rounds to add and remove many members, and
//! `getByIds` to learn many objects' types in one request.

use std::collections::HashMap;

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::batch::{MAX_BATCH, Request};
use super::client::GraphClient;
use super::error::GraphError;
use super::members::{
    add_member_request, is_already_member, is_already_removed, remove_member_request,
};
use super::models::DirectoryObject;
use super::odata::segment;
use super::request::{Call, Outcome, Policy, decode};

/// `getByIds` takes at most this many ids per request.
const IDS_PER_LOOKUP: usize = 1000;

/// The members a bulk change reached, and those it could not, with Graph's answer.
#[derive(Debug, Default)]
pub struct BulkChange {
    /// Ids now in the state the change asked for.
    pub done: Vec<String>,
    /// Ids the change could not reach, with why.
    pub failed: Vec<(String, GraphError)>,
}

#[derive(Debug, Deserialize)]
struct Objects {
    #[serde(default)]
    value: Vec<DirectoryObject>,
}

impl GraphClient {
    /// Every member of `au` with its type (`user`, `group`, `device`), from one
    /// listing of 999 per page, as the replica serving it sees them.
    pub async fn administrative_unit_member_types(
        &self,
        call: &Call,
        au: &str,
    ) -> Result<Vec<(String, Option<String>)>, GraphError> {
        let members = self.list_administrative_unit_members(call, au).await?;
        Ok(members
            .into_iter()
            .map(|m| {
                let kind = m.kind().map(ToOwned::to_owned);
                (m.id, kind)
            })
            .collect())
    }

    /// The members (id and type) of each unit in `aus`, the listings' pages sent in
    /// `$batch` requests; in the order of `aus`.
    pub async fn members_of_units(
        &self,
        call: &Call,
        aus: &[String],
    ) -> Vec<Result<Vec<DirectoryObject>, GraphError>> {
        let paths: Vec<String> = aus
            .iter()
            .map(|au| {
                format!(
                    "/directory/administrativeUnits/{}/members?$select=id&$top=999",
                    segment(au)
                )
            })
            .collect();
        self.list_each(call, &paths).await
    }

    /// Adds `add` to and removes `remove` from `au`, in the same `$batch` rounds,
    /// and learns the types of the members added. A member already in the unit
    /// counts as added, one already gone as removed.
    pub async fn change_administrative_unit_members(
        &self,
        call: &Call,
        au: &str,
        add: &[String],
        remove: &[String],
    ) -> MemberChange {
        let base = self.base_url().to_owned();
        let mut requests: Vec<Request> = add
            .iter()
            .map(|m| add_member_request(&base, au, m))
            .collect();
        requests.extend(remove.iter().map(|m| remove_member_request(au, m)));
        // A small change asks for the types in the same batch; a large one asks
        // alongside, 1,000 ids per lookup.
        let types_inline = !add.is_empty() && requests.len() < MAX_BATCH;
        if types_inline {
            requests.push(types_request(add));
        }
        let separate_lookup = async {
            if add.is_empty() || types_inline {
                return None;
            }
            self.object_types(call, add).await.ok()
        };
        let (mut outcomes, looked_up) =
            tokio::join!(self.send_all(call, requests), separate_lookup);
        let mut types = looked_up.unwrap_or_default();
        if types_inline
            && let Some(lookup) = outcomes.pop()
            && let Some(found) = lookup.result.ok().and_then(|r| decode::<Objects>(&r).ok())
        {
            types.extend(kinds(found));
        }
        let removed_outcomes = outcomes.split_off(add.len());
        let change = MemberChange {
            added: sort_out(outcomes, add, is_already_member),
            removed: sort_out(removed_outcomes, remove, is_already_removed),
            types,
        };
        self.au_members.forget(&au.to_owned());
        change
    }

    /// Removes each of `members` from `au` (never the objects themselves), in
    /// `$batch` rounds. A member already gone counts as removed.
    pub async fn remove_administrative_unit_members(
        &self,
        call: &Call,
        au: &str,
        members: &[String],
    ) -> BulkChange {
        let requests = members
            .iter()
            .map(|m| remove_member_request(au, m))
            .collect();
        let outcomes = self.send_all(call, requests).await;
        self.au_members.forget(&au.to_owned());
        sort_out(outcomes, members, is_already_removed)
    }

    /// The types of `ids` (object id, lower case → `user`, `group` or `device`), in
    /// `getByIds` requests of 1,000. Objects Graph does not return are left out (they
    /// do not exist, are of another type, or are too new for this replica). Needs
    /// Directory.Read.All: a 403 is returned for the caller to read types another way.
    pub async fn object_types(
        &self,
        call: &Call,
        ids: &[String],
    ) -> Result<HashMap<String, String>, GraphError> {
        let mut types = HashMap::new();
        for chunk in ids.chunks(IDS_PER_LOOKUP) {
            let reply = self
                .send(
                    call,
                    Method::POST,
                    "/directoryObjects/getByIds",
                    Some(&json!({"ids": chunk, "types": ["user", "group", "device"]})),
                    &Policy::default(),
                )
                .await?;
            types.extend(kinds(decode(&reply)?));
        }
        Ok(types)
    }

    /// The types of `members` of `au` read from the unit's member endpoint, waiting
    /// for replication (they were just added): for callers without `getByIds`.
    pub async fn member_types_in_unit(
        &self,
        call: &Call,
        au: &str,
        members: &[String],
    ) -> HashMap<String, String> {
        let requests = members
            .iter()
            .map(|member| Request {
                method: Method::GET,
                path: format!(
                    "/directory/administrativeUnits/{}/members/{}?$select=id",
                    segment(au),
                    segment(member)
                ),
                body: None,
                policy: Policy::referencing(),
                type_of: None,
            })
            .collect();
        self.send_all(call, requests)
            .await
            .into_iter()
            .zip(members)
            .filter_map(|(outcome, member)| {
                let object: DirectoryObject = decode(&outcome.result.ok()?).ok()?;
                Some((member.to_ascii_lowercase(), object.kind()?.to_owned()))
            })
            .collect()
    }
}

/// What one change of a unit's members did.
#[derive(Debug, Default)]
pub struct MemberChange {
    /// The adds.
    pub added: BulkChange,
    /// The removals.
    pub removed: BulkChange,
    /// Types of added members Graph told (object id, lower case → type).
    pub types: HashMap<String, String>,
}

/// `getByIds` for the types of `ids` (a read: safe to resend).
fn types_request(ids: &[String]) -> Request {
    Request {
        method: Method::POST,
        path: "/directoryObjects/getByIds".to_owned(),
        body: Some(json!({"ids": ids, "types": ["user", "group", "device"]})),
        policy: Policy {
            resendable: true,
            ..Policy::default()
        },
        type_of: None,
    }
}

fn kinds(found: Objects) -> impl Iterator<Item = (String, String)> {
    found.value.into_iter().filter_map(|o| {
        let kind = o.kind()?.to_owned();
        Some((o.id.to_ascii_lowercase(), kind))
    })
}

/// Sorts `members` by their request's outcome; `counts_as_done` says which refusals
/// mean the change is in place already.
fn sort_out(
    outcomes: Vec<Outcome>,
    members: &[String],
    counts_as_done: fn(&GraphError) -> bool,
) -> BulkChange {
    let mut change = BulkChange::default();
    for (outcome, member) in outcomes.into_iter().zip(members) {
        match outcome.result {
            Ok(_) => change.done.push(member.clone()),
            Err(e) if counts_as_done(&e) => change.done.push(member.clone()),
            Err(e) => change.failed.push((member.clone(), e)),
        }
    }
    change
}
