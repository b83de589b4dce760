//! `entra_au_members`: every member of one assigned administrative unit, as one
//! resource. Authoritative: apply adds what the list is missing and removes what it
//! does not name, in `$batch` rounds; refresh is one paged listing of the unit.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use async_trait::async_trait;
use provider_framework::timeouts::{self, Op};
use provider_framework::types::Type;
use provider_framework::validators::{Distinct, Each, IsUuid};
use provider_framework::{
    Attribute, Block, CreateRequest, DeleteRequest, Diagnostic, Diagnostics, Done, Failed, Maybe,
    ModifyPlanRequest, ReadRequest, Resource, Schema, Timeouts, UpdateRequest,
};
use serde::{Deserialize, Serialize};

use crate::client::EntraClient;
use crate::graph::member_sets::MemberChange;
use crate::graph::{Call, GraphClient, GraphError};
use crate::ids::AdministrativeUnitId;
use crate::resources::membership_plan::{MembershipKind, refused_as_dynamic};
use crate::support::{Ctx, call_for, graph_error, note_recent, parse_import_id, planned_unit};

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_au_members";

/// What this resource is among the membership resources.
const KIND: MembershipKind = MembershipKind {
    type_name: TYPE_NAME,
    whole_list: true,
};

/// How many ids a diagnostic lists before saying "and N more".
const IDS_SHOWN: usize = 10;

/// The resource's attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuMembersModel {
    /// The unit's object id.
    pub id: Maybe<String>,
    /// The unit.
    pub administrative_unit_id: Maybe<String>,
    /// Every member's object id (order does not matter).
    pub member_ids: Maybe<Vec<String>>,
    /// Member id → `user`, `group` or `device`.
    pub member_types: Maybe<BTreeMap<String, String>>,
    /// How long operations may take.
    pub timeouts: Option<Timeouts>,
}

/// The `entra_au_members` resource.
#[derive(Debug, Clone, Copy)]
pub struct AuMembersResource;

/// Member ids compared as Graph does, case-insensitively.
fn key(id: &str) -> String {
    id.to_ascii_lowercase()
}

/// `ids` as a short list for a diagnostic.
fn listed<'a>(ids: impl IntoIterator<Item = &'a String>) -> String {
    let ids: Vec<&String> = ids.into_iter().collect();
    let mut text = ids
        .iter()
        .take(IDS_SHOWN)
        .map(|id| id.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > IDS_SHOWN {
        text.push_str(&format!(" and {} more", ids.len() - IDS_SHOWN));
    }
    text
}

/// Whether two `member_ids` lists name the same members, in any order and case.
fn same_members(a: &provider_framework::Value, b: &provider_framework::Value) -> bool {
    let ids = |v: &provider_framework::Value| -> Option<Vec<String>> {
        let provider_framework::Value::List(items) = v else {
            return None;
        };
        let mut ids = items
            .iter()
            .map(|i| i.as_str().map(key))
            .collect::<Option<Vec<String>>>()?;
        ids.sort_unstable();
        Some(ids)
    };
    matches!((ids(a), ids(b)), (Some(a), Some(b)) if a == b)
}

impl AuMembersModel {
    /// The state of `au` with `members` (id as configured → type), listed in the
    /// order of `order` (ids it does not name go last, sorted).
    fn of(
        au: &str,
        members: BTreeMap<String, String>,
        order: &[String],
        timeouts: Option<Timeouts>,
    ) -> Self {
        let mut ids: Vec<String> = order
            .iter()
            .filter(|id| members.contains_key(*id))
            .cloned()
            .collect();
        let named: BTreeSet<&String> = order.iter().collect();
        ids.extend(members.keys().filter(|id| !named.contains(id)).cloned());
        AuMembersModel {
            id: Maybe::Known(au.to_owned()),
            administrative_unit_id: Maybe::Known(au.to_owned()),
            member_ids: Maybe::Known(ids),
            member_types: Maybe::Known(members),
            timeouts,
        }
    }
}

/// Creating the resource would remove members someone else put in the unit.
fn unlisted_members_error(au: &str, unlisted: &[String]) -> Diagnostics {
    Diagnostic::attribute_error(
        "member_ids",
        "Administrative unit has members this list does not name",
        format!(
            "Administrative unit {au} already has {} member(s) that member_ids does not list: {}. {TYPE_NAME} \
             is authoritative, so creating it would remove them. Import the unit's membership first, so that \
             the plan shows each removal: terraform import {TYPE_NAME}.<name> {au}  (or an import block with \
             id = \"{au}\"). Or add them to member_ids.",
            unlisted.len(),
            listed(unlisted)
        ),
    )
    .into()
}

/// One diagnostic for every member a change could not reach, naming each.
fn failures_error(action: &str, au: &str, failed: &[(String, GraphError)]) -> Diagnostics {
    let mut by_reason: BTreeMap<String, Vec<&String>> = BTreeMap::new();
    for (id, error) in failed {
        by_reason.entry(error.to_string()).or_default().push(id);
    }
    let reasons = by_reason
        .iter()
        .map(|(reason, ids)| format!("- {}: {reason}", listed(ids.iter().copied())))
        .collect::<Vec<_>>()
        .join("\n");
    let hint = graph_error(TYPE_NAME, "", &failed[0].1)
        .0
        .first()
        .map(|d| d.detail.clone())
        .filter(|d| d.contains("lacks a permission"))
        .map(|d| format!("\n\n{}", d.split("\n\n").last().unwrap_or_default()))
        .unwrap_or_default();
    Diagnostic::error(
        format!("{action} {} member(s) of administrative unit {au}", failed.len()),
        format!(
            "Graph refused or did not answer for these members:\n{reasons}\n\nThe members that changed are \
             recorded in the state; the next apply continues with the rest.{hint}"
        ),
    )
    .into()
}

/// A partial create: Terraform taints it, so say how to continue without replacing.
fn partial_create_note(failed: &mut Diagnostics) {
    if let Some(d) = failed.0.first_mut() {
        d.detail.push_str(
            " Terraform marks a resource whose creation failed as tainted, and would replace it (removing and \
             re-adding the members added so far); to continue from here instead, run terraform untaint on it \
             before the next apply.",
        );
    }
}

/// What one apply changes: members to add and to remove.
struct Diff {
    add: Vec<String>,
    remove: Vec<String>,
}

/// The members in state after a change: `kept` and the `added` ones, minus the
/// `removed` ones, with their types (`types` by lower-case id).
fn members_after(
    kept: &BTreeMap<String, String>,
    added: &[String],
    removed: &[String],
    types: &HashMap<String, String>,
) -> BTreeMap<String, String> {
    let removed: BTreeSet<String> = removed.iter().map(|id| key(id)).collect();
    let mut members: BTreeMap<String, String> = kept
        .iter()
        .filter(|(id, _)| !removed.contains(&key(id)))
        .map(|(id, t)| (id.clone(), t.clone()))
        .collect();
    for id in added {
        let kind = types.get(&key(id)).cloned().unwrap_or_default();
        members.insert(id.clone(), kind);
    }
    members
}

impl AuMembersResource {
    /// Adds and removes as `diff` says, learning the new members' types.
    async fn apply_diff(graph: &GraphClient, call: &Call, au: &str, diff: &Diff) -> MemberChange {
        let mut change = graph
            .change_administrative_unit_members(call, au, &diff.add, &diff.remove)
            .await;
        let untyped: Vec<String> = change
            .added
            .done
            .iter()
            .filter(|id| !change.types.contains_key(&key(id)))
            .cloned()
            .collect();
        if !untyped.is_empty() {
            let found = graph.member_types_in_unit(call, au, &untyped).await;
            change.types.extend(found);
        }
        change
    }

    /// The unit's members now: configured spelling of each id where `spelled` has
    /// it, Graph's otherwise → type.
    async fn current(
        graph: &GraphClient,
        call: &Call,
        au: &str,
        spelled: &[String],
    ) -> Result<BTreeMap<String, String>, GraphError> {
        let spelling: HashMap<String, &String> = spelled.iter().map(|id| (key(id), id)).collect();
        Ok(graph
            .administrative_unit_member_types(call, au)
            .await?
            .into_iter()
            .map(|(id, kind)| {
                let id = spelling.get(&key(&id)).map_or(id, |s| (*s).clone());
                (id, kind.unwrap_or_default())
            })
            .collect())
    }
}

#[async_trait]
impl Resource<EntraClient> for AuMembersResource {
    type Model = AuMembersModel;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        let (timeouts, nesting, timeouts_block) = timeouts::block("5m");
        Schema::new(
            Block::new(
                "Every member of one assigned administrative unit: users, groups and devices. Authoritative: \
                 apply adds the members the list is missing and removes those it does not name, including \
                 members added outside Terraform. Do not combine with `entra_au_member` on the same unit.",
            )
            .attribute(
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .describe("The administrative unit's object ID."),
            )
            .attribute(
                Attribute::string("administrative_unit_id")
                    .required()
                    .requires_replace()
                    .validate(IsUuid)
                    .describe("The object ID of the administrative unit."),
            )
            .attribute(
                // A list compared as a set: Terraform compares sets pairwise, which
                // takes minutes at 10,000 members; lists take milliseconds.
                Attribute::new("member_ids", Type::list(Type::String))
                    .required()
                    .validate(Each(IsUuid))
                    .validate(Distinct)
                    .semantic_equality(same_members)
                    .describe(
                        "The object IDs of every user, group and device in the unit, in any order (a set such \
                         as `toset(...)` works too). An empty list removes every member.",
                    ),
            )
            .attribute(
                Attribute::new("member_types", Type::map(Type::String))
                    .computed()
                    .describe("Each member's kind (`user`, `group` or `device`), keyed by the ID in `member_ids`."),
            )
            .block(timeouts, nesting, timeouts_block),
        )
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx,
        req: &mut ModifyPlanRequest<AuMembersModel>,
    ) -> Diagnostics {
        let creating = req.prior.is_none();
        let unchanged = req
            .prior
            .as_ref()
            .filter(|prior| prior.member_ids == req.planned.member_ids);
        req.planned.member_types = match unchanged {
            Some(prior) => prior.member_types.clone(),
            None => Maybe::Unknown,
        };
        if creating {
            req.planned.id = match req.planned.administrative_unit_id.known() {
                Some(au) => Maybe::Known(au.clone()),
                None => Maybe::Unknown,
            };
        }
        let Ok(client) = ctx.data() else {
            return Diagnostics::new();
        };
        let (unit, mut diags) =
            KIND.first_checks(client, &req.planned.administrative_unit_id, creating);
        let Some(au) = unit else {
            return diags;
        };
        // An update's unit was just refreshed (it exists); its type is checked above
        // for this plan's changes, and Graph refuses adds to a unit made dynamic since.
        if !creating {
            return diags;
        }
        let call = call_for(ctx, req.planned.timeouts.as_ref(), Op::Read);
        match planned_unit(&client.graph, &call, &au).await {
            Err(problem) => diags.extend(problem),
            Ok(Some(unit)) if unit.is_dynamic() => diags.extend(KIND.dynamic_unit_error(&au)),
            Ok(_) => {}
        }
        if diags.has_error() || client.graph.recently_created([au.as_str()]) {
            return diags;
        }
        // A new list must not silently remove members someone else put there.
        if let (Some(wanted), Ok(current)) = (
            req.planned.member_ids.known(),
            client
                .graph
                .administrative_unit_member_types(&call, &au)
                .await,
        ) {
            let wanted: BTreeSet<String> = wanted.iter().map(|id| key(id)).collect();
            let unlisted: Vec<String> = current
                .into_iter()
                .map(|(id, _)| id)
                .filter(|id| !wanted.contains(&key(id)))
                .collect();
            if !unlisted.is_empty() {
                diags.extend(unlisted_members_error(&au, &unlisted));
            }
        }
        diags
    }

    async fn create(
        &self,
        ctx: &Ctx,
        req: CreateRequest<AuMembersModel>,
    ) -> Result<Done<AuMembersModel>, Failed<AuMembersModel>> {
        let client = ctx.data()?;
        let (Some(au), Some(wanted)) = (
            req.planned.administrative_unit_id.known().cloned(),
            req.planned.member_ids.known().cloned(),
        ) else {
            return Err(Diagnostic::error(
                "Creating administrative unit members",
                "Missing values in the plan.",
            )
            .into());
        };
        let timeouts = req.planned.timeouts;
        let call = call_for(ctx, timeouts.as_ref(), Op::Create);
        // Plan refused a list that would remove members someone else put in the unit;
        // members already there answer "already exists" and count as added.
        let diff = Diff {
            add: wanted.to_vec(),
            remove: Vec::new(),
        };
        let MemberChange { added, types, .. } =
            Self::apply_diff(&client.graph, &call, &au, &diff).await;
        let state = AuMembersModel::of(
            &au,
            members_after(&BTreeMap::new(), &added.done, &[], &types),
            &wanted,
            timeouts,
        );
        if added.failed.is_empty() {
            return Ok(state.into());
        }
        let mut diags = failures_error("Adding", &au, &added.failed);
        if state.member_ids.known().is_none_or(Vec::is_empty) {
            return Err(diags.into());
        }
        partial_create_note(&mut diags);
        Err(Failed::leaving(state, diags))
    }

    async fn read(
        &self,
        ctx: &Ctx,
        req: ReadRequest<AuMembersModel>,
    ) -> Result<Done<Option<AuMembersModel>>, Diagnostics> {
        let client = ctx.data()?;
        let Some(au) = req.state.administrative_unit_id.known().cloned() else {
            return Ok(None.into());
        };
        let call = call_for(ctx, req.state.timeouts.as_ref(), Op::Read);
        let spelled = req.state.member_ids.known().cloned().unwrap_or_default();
        match Self::current(&client.graph, &call, &au, &spelled).await {
            Ok(members) => {
                // Keep types Graph did not say (a member of a type it omits).
                let known = req.state.member_types.known();
                let members = members
                    .into_iter()
                    .map(|(id, kind)| {
                        let kind = match (kind.is_empty(), known.and_then(|k| k.get(&id))) {
                            (true, Some(prior)) => prior.clone(),
                            _ => kind,
                        };
                        (id, kind)
                    })
                    .collect();
                Ok(Some(AuMembersModel::of(
                    &au,
                    members,
                    &spelled,
                    req.state.timeouts,
                ))
                .into())
            }
            Err(e) if e.is_not_found() => {
                tracing::info!(
                    au,
                    "administrative unit was not found - removing its members from state"
                );
                Ok(None.into())
            }
            Err(e) => Err(graph_error(
                TYPE_NAME,
                format!("Listing the members of administrative unit {au}"),
                &e,
            )),
        }
    }

    async fn update(
        &self,
        ctx: &Ctx,
        req: UpdateRequest<AuMembersModel>,
    ) -> Result<Done<AuMembersModel>, Failed<AuMembersModel>> {
        let client = ctx.data()?;
        let prior = req.prior;
        let (Some(au), Some(wanted)) = (
            prior.administrative_unit_id.known().cloned(),
            req.planned.member_ids.known().cloned(),
        ) else {
            return Err(Diagnostic::error(
                "Updating administrative unit members",
                "Missing values in the plan.",
            )
            .into());
        };
        let timeouts = req.planned.timeouts;
        let call = call_for(ctx, timeouts.as_ref(), Op::Update);
        note_recent(&client.graph, req.touched, &[&au]);
        let had: BTreeMap<String, String> = prior.member_types.known().cloned().unwrap_or_default();
        let had_keys: BTreeSet<String> = had.keys().map(|id| key(id)).collect();
        let wanted_keys: BTreeSet<String> = wanted.iter().map(|id| key(id)).collect();
        // Apply does what the plan showed: the difference between state and config.
        let diff = Diff {
            add: wanted
                .iter()
                .filter(|id| !had_keys.contains(&key(id)))
                .cloned()
                .collect(),
            remove: had
                .keys()
                .filter(|id| !wanted_keys.contains(&key(id)))
                .cloned()
                .collect(),
        };
        // A member kept, spelled differently in config, takes the config's spelling.
        let kept: BTreeMap<String, String> = wanted
            .iter()
            .filter_map(|id| {
                let (_, kind) = had.iter().find(|(h, _)| key(h) == key(id))?;
                Some((id.clone(), kind.clone()))
            })
            .chain(
                had.iter()
                    .filter(|(id, _)| !wanted_keys.contains(&key(id)))
                    .map(|(i, k)| (i.clone(), k.clone())),
            )
            .collect();
        let MemberChange {
            added,
            removed,
            types,
        } = Self::apply_diff(&client.graph, &call, &au, &diff).await;
        let state = AuMembersModel::of(
            &au,
            members_after(&kept, &added.done, &removed.done, &types),
            &wanted,
            timeouts,
        );
        let mut diags = Diagnostics::new();
        if !added.failed.is_empty() {
            diags.extend(failures_error("Adding", &au, &added.failed));
        }
        if !removed.failed.is_empty() {
            diags.extend(failures_error("Removing", &au, &removed.failed));
        }
        if diags.has_error() {
            return Err(Failed::leaving(state, diags));
        }
        Ok(state.into())
    }

    async fn delete(
        &self,
        ctx: &Ctx,
        req: DeleteRequest<AuMembersModel>,
    ) -> Result<Done<()>, Diagnostics> {
        let client = ctx.data()?;
        let Some(au) = req.prior.administrative_unit_id.known().cloned() else {
            return Ok(().into());
        };
        let members: Vec<String> = req
            .prior
            .member_ids
            .known()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect();
        let call = call_for(ctx, req.prior.timeouts.as_ref(), Op::Delete);
        note_recent(&client.graph, req.touched, &[&au]);
        let removed = client
            .graph
            .remove_administrative_unit_members(&call, &au, &members)
            .await;
        if removed.failed.is_empty() {
            return Ok(().into());
        }
        // The unit became dynamic (in this same change, maybe): Entra manages its
        // members now, so this resource lets go instead of failing.
        if removed.failed.iter().all(|(_, e)| refused_as_dynamic(e)) {
            return Ok(Done::with_warnings(
                (),
                Diagnostic::warning(
                    "Members left to the dynamic unit",
                    format!(
                        "Administrative unit {au} has dynamic membership now, so Graph refused to remove members \
                         from it. The {TYPE_NAME} is removed from the state; the unit's rule decides its \
                         members."
                    ),
                )
                .into(),
            ));
        }
        Err(failures_error("Removing", &au, &removed.failed))
    }

    async fn import(&self, ctx: &Ctx, id: &str) -> Result<AuMembersModel, Diagnostics> {
        let AdministrativeUnitId(au) = parse_import_id(id)?;
        let client = ctx.data()?;
        let call = call_for(ctx, None, Op::Read);
        match client.graph.administrative_unit_membership_type(&call, &au).await {
            Ok(Some(kind)) if kind.eq_ignore_ascii_case("dynamic") => Err(Diagnostic::error(
                "Cannot import the members of a dynamic unit",
                format!(
                    "Administrative unit {au} has dynamic membership: its members come from its rule, so there is \
                     no member list for {TYPE_NAME} to manage. Manage the rule on the unit instead."
                ),
            )
            .into()),
            // Today's members come with the read that follows import.
            _ => Ok(AuMembersModel {
                id: Maybe::Known(au.clone()),
                administrative_unit_id: Maybe::Known(au),
                member_ids: Maybe::Known(Vec::new()),
                member_types: Maybe::Known(BTreeMap::new()),
                timeouts: None,
            }),
        }
    }
}
