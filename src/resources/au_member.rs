//! `entra_au_member`: one user, group or device in an assigned administrative unit.
//! It manages exactly this membership; members added by other means are left alone.

use async_trait::async_trait;
use provider_framework::timeouts::{self, Op};
use provider_framework::validators::IsUuid;
use provider_framework::{
    Attribute, Block, CreateRequest, DeleteRequest, Diagnostic, Diagnostics, Done, Failed, Maybe,
    ModifyPlanRequest, MoveSource, ReadRequest, Resource, Schema, Timeouts, UpdateRequest,
};
use serde::{Deserialize, Serialize};

use crate::client::EntraClient;
use crate::graph::GraphError;
use crate::graph::members::Membership;
use crate::ids::AuMemberId;
use crate::resources::membership_plan::{MembershipKind, refused_as_dynamic};
use crate::support::{Ctx, call_for, graph_error, note_recent, parse_import_id, planned_unit};

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_au_member";

/// What this resource is among the membership resources.
const KIND: MembershipKind = MembershipKind {
    type_name: TYPE_NAME,
    whole_list: false,
};

/// The resource's attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuMemberModel {
    /// `{administrative_unit_id}/members/{member_id}`.
    pub id: Maybe<String>,
    /// The unit.
    pub administrative_unit_id: Maybe<String>,
    /// The member object.
    pub member_id: Maybe<String>,
    /// `user`, `group` or `device`.
    pub member_type: Maybe<String>,
    /// How long operations may take.
    pub timeouts: Option<Timeouts>,
}

impl AuMemberModel {
    /// The membership's ids, when both are known.
    fn ids(&self) -> Option<AuMemberId> {
        Some(AuMemberId {
            administrative_unit_id: self.administrative_unit_id.known()?.clone(),
            member_id: self.member_id.known()?.clone(),
        })
    }

    /// The state of membership `id` with type `kind`.
    fn of(id: &AuMemberId, kind: Option<String>, timeouts: Option<Timeouts>) -> AuMemberModel {
        AuMemberModel {
            id: Maybe::Known(id.to_string()),
            administrative_unit_id: Maybe::Known(id.administrative_unit_id.clone()),
            member_id: Maybe::Known(id.member_id.clone()),
            member_type: Maybe::from_option(kind),
            timeouts,
        }
    }
}

/// The `entra_au_member` resource.
#[derive(Debug, Clone, Copy)]
pub struct AuMemberResource;

/// A membership that exists already and was not made by this resource.
fn already_exists(id: &AuMemberId) -> Diagnostics {
    Diagnostic::error(
        "Membership already exists",
        format!(
            "{} is already a member of administrative unit {}. To manage this membership with Terraform, \
             import it: terraform import {TYPE_NAME}.<name> {id}  (or an import block with id = \"{id}\").",
            id.member_id, id.administrative_unit_id
        ),
    )
    .into()
}

/// Maps Graph's refusals of a membership to actionable words.
fn add_error(id: &AuMemberId, err: &GraphError) -> Diagnostics {
    let message = err
        .api()
        .map(|a| a.message.to_ascii_lowercase())
        .unwrap_or_default();
    if err.status() == Some(400) && message.contains("already exist") {
        return already_exists(id);
    }
    if refused_as_dynamic(err) {
        return KIND.dynamic_unit_error(&id.administrative_unit_id);
    }
    graph_error(
        TYPE_NAME,
        format!(
            "Adding {} to administrative unit {}",
            id.member_id, id.administrative_unit_id
        ),
        err,
    )
}

/// The plan-time checks of a new membership's unit: dynamic, missing, or already
/// holding the member.
async fn unit_checks(
    ctx: &Ctx,
    client: &EntraClient,
    req: &ModifyPlanRequest<AuMemberModel>,
    au: &str,
    creating: bool,
) -> Diagnostics {
    let Some(id) = req.planned.ids().filter(|_| creating) else {
        return Diagnostics::new();
    };
    let call = call_for(ctx, req.planned.timeouts.as_ref(), Op::Read);
    match planned_unit(&client.graph, &call, au).await {
        Err(problem) => return problem,
        Ok(Some(unit)) if unit.is_dynamic() => return KIND.dynamic_unit_error(au),
        Ok(_) => {}
    }
    // A unit this process just made has only the members this plan adds.
    if client.graph.recently_created([au]) {
        return Diagnostics::new();
    }
    match client.graph.listed_member(&call, au, &id.member_id).await {
        Ok(true) => already_exists(&id),
        // Unreadable member lists (hidden membership) are left to apply.
        _ => Diagnostics::new(),
    }
}

#[async_trait]
impl Resource<EntraClient> for AuMemberResource {
    type Model = AuMemberModel;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        let (timeouts, nesting, timeouts_block) = timeouts::block("5m");
        Schema::new(
            Block::new(
                "A user, group or device in an assigned administrative unit. Adding a group puts the group \
                 object in scope, not its members. Members added outside Terraform are left alone.",
            )
            .attribute(
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .describe("`{administrative_unit_id}/members/{member_id}`."),
            )
            .attribute(
                Attribute::string("administrative_unit_id")
                    .required()
                    .requires_replace()
                    .validate(IsUuid)
                    .describe("The object ID of the administrative unit."),
            )
            .attribute(
                Attribute::string("member_id")
                    .required()
                    .requires_replace()
                    .validate(IsUuid)
                    .describe("The object ID of the user, group or device to add."),
            )
            .attribute(
                Attribute::string("member_type")
                    .computed()
                    .use_state_for_unknown()
                    .describe("The kind of member: `user`, `group` or `device`."),
            )
            .block(timeouts, nesting, timeouts_block),
        )
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx,
        req: &mut ModifyPlanRequest<AuMemberModel>,
    ) -> Diagnostics {
        let creating = req.prior.is_none();
        if let (true, Some(id)) = (creating, req.planned.ids()) {
            req.planned.id = Maybe::Known(id.to_string());
        }
        let Ok(client) = ctx.data() else {
            return Diagnostics::new();
        };
        let (unit, mut diags) =
            KIND.first_checks(client, &req.planned.administrative_unit_id, creating);
        let Some(au) = unit else {
            return diags;
        };
        diags.extend(unit_checks(ctx, client, req, &au, creating).await);
        diags
    }

    async fn create(
        &self,
        ctx: &Ctx,
        req: CreateRequest<AuMemberModel>,
    ) -> Result<Done<AuMemberModel>, Failed<AuMemberModel>> {
        let client = ctx.data()?;
        let Some(id) = req.planned.ids() else {
            return Err(Diagnostic::error(
                "Adding administrative unit member",
                "Missing ids in the plan.",
            )
            .into());
        };
        let timeouts = req.planned.timeouts;
        let call = call_for(ctx, timeouts.as_ref(), Op::Create);
        let au = &id.administrative_unit_id;
        // A membership that exists before this add is someone else's, even if a
        // retried add later meets it: refuse it now, as without any failure.
        if !client.graph.recently_created([au.as_str()])
            && client
                .graph
                .listed_member(&call, au, &id.member_id)
                .await
                .unwrap_or(false)
        {
            return Err(already_exists(&id).into());
        }
        match client
            .graph
            .add_administrative_unit_member(&call, au, &id.member_id)
            .await
        {
            Ok(kind) => Ok(AuMemberModel::of(&id, kind, timeouts).into()),
            Err(e) if e.made.is_some() => Err(Failed::leaving(
                AuMemberModel::of(&id, None, timeouts),
                add_error(&id, &e.error),
            )),
            Err(e) => Err(add_error(&id, &e.error).into()),
        }
    }

    async fn read(
        &self,
        ctx: &Ctx,
        req: ReadRequest<AuMemberModel>,
    ) -> Result<Done<Option<AuMemberModel>>, Diagnostics> {
        let client = ctx.data()?;
        let Some(id) = req.state.ids() else {
            return Ok(None.into());
        };
        let call = call_for(ctx, req.state.timeouts.as_ref(), Op::Read);
        let membership = client
            .graph
            .administrative_unit_membership(&call, &id.administrative_unit_id, &id.member_id)
            .await
            .map_err(|e| graph_error(TYPE_NAME, format!("Retrieving membership {id}"), &e))?;
        Ok(match membership {
            Membership::Member(kind) => {
                let kind = kind.or_else(|| req.state.member_type.known().cloned());
                Some(AuMemberModel::of(&id, kind, req.state.timeouts))
            }
            Membership::Absent => {
                tracing::info!(%id, "membership was not found - removing from state");
                None
            }
        }
        .into())
    }

    async fn update(
        &self,
        _ctx: &Ctx,
        req: UpdateRequest<AuMemberModel>,
    ) -> Result<Done<AuMemberModel>, Failed<AuMemberModel>> {
        // Every identifying argument forces replacement: only the timeouts change.
        Ok(AuMemberModel {
            timeouts: req.planned.timeouts,
            ..req.prior
        }
        .into())
    }

    async fn delete(
        &self,
        ctx: &Ctx,
        req: DeleteRequest<AuMemberModel>,
    ) -> Result<Done<()>, Diagnostics> {
        let client = ctx.data()?;
        let Some(id) = req.prior.ids() else {
            return Ok(().into());
        };
        let call = call_for(ctx, req.prior.timeouts.as_ref(), Op::Delete);
        note_recent(
            &client.graph,
            req.touched,
            &[&id.administrative_unit_id, &id.member_id],
        );
        match client
            .graph
            .remove_administrative_unit_member(&call, &id.administrative_unit_id, &id.member_id)
            .await
        {
            Ok(()) => Ok(().into()),
            // The unit became dynamic (in this same change, maybe): Entra manages its
            // members now, so this resource lets go instead of failing.
            Err(e) if refused_as_dynamic(&e) => Ok(Done::with_warnings(
                (),
                Diagnostic::warning(
                    "Membership left to the dynamic unit",
                    format!(
                        "Administrative unit {} has dynamic membership now, so Graph refused to remove {} from \
                         it ({e}). The {TYPE_NAME} is removed from the state; the unit's rule decides its members.",
                        id.administrative_unit_id, id.member_id
                    ),
                )
                .into(),
            )),
            Err(e) => Err(graph_error(
                TYPE_NAME,
                format!(
                    "Removing {} from administrative unit {}",
                    id.member_id, id.administrative_unit_id
                ),
                &e,
            )),
        }
    }

    /// Offline: Terraform moves state before it configures the provider.
    async fn move_state(
        &self,
        _ctx: &Ctx,
        from: &MoveSource,
    ) -> Option<Result<AuMemberModel, Diagnostics>> {
        let id = match super::from_azuread::au_member(from)? {
            Ok(id) => id,
            Err(e) => return Some(Err(e)),
        };
        Some(parse_import_id::<AuMemberId>(&id).map(|id| AuMemberModel::of(&id, None, None)))
    }

    async fn import(&self, ctx: &Ctx, id: &str) -> Result<AuMemberModel, Diagnostics> {
        let id: AuMemberId = parse_import_id(id)?;
        let client = ctx.data()?;
        let au = &id.administrative_unit_id;
        let call = call_for(ctx, None, Op::Read);
        match client.graph.administrative_unit_membership_type(&call, au).await {
            Ok(Some(kind)) if kind.eq_ignore_ascii_case("dynamic") => Err(Diagnostic::error(
                "Cannot import a member of a dynamic unit",
                format!(
                    "Administrative unit {au} has dynamic membership: its members come from its rule, so there is \
                     no membership for {TYPE_NAME} to manage. Manage the rule on the unit instead."
                ),
            )
            .into()),
            _ => Ok(AuMemberModel::of(&id, None, None)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::ApiError;

    fn id() -> AuMemberId {
        "5d107bba-d8e2-4e13-b6ae-884be90e5d1a/members/f8ca5a85-489a-49a0-b555-0a6d81e56f0d"
            .parse()
            .unwrap()
    }

    #[test]
    fn the_model_carries_the_ids() {
        let model = AuMemberModel::of(&id(), Some("user".into()), None);
        assert_eq!(model.ids(), Some(id()));
        assert_eq!(model.id.as_deref(), Some(id().to_string().as_str()));
    }

    #[test]
    fn duplicate_membership_says_how_to_import() {
        let err = GraphError::Api(ApiError {
            status: 400,
            code: "Request_BadRequest".into(),
            message: "One or more added object references already exist for the following modified properties: 'members'.".into(),
            request_id: None,
        });
        let d = &add_error(&id(), &err).0[0];
        assert_eq!(d.summary, "Membership already exists");
        assert!(
            d.detail
                .contains(&format!("terraform import {TYPE_NAME}.<name> {}", id())),
            "{}",
            d.detail
        );
    }
}
