//! `entra_au_member`: one user, group or device in an assigned administrative unit.
//! It manages exactly this membership; members added by other means are left alone.

use async_trait::async_trait;

use super::common::{
    Op, call_for, graph_error, note_recent, parse_import_id, planned_unit, string_of,
    timeouts_block, timeouts_only_update,
};
use crate::framework::validators::IsUuid;
use crate::framework::{
    Attribute, Block, CreateFailed, CreateRequest, Ctx, DeleteRequest, Diagnostic, Diagnostics,
    ModifyPlanRequest, ReadRequest, Resource, Schema, UpdateRequest, Value,
};
use crate::graph::GraphError;
use crate::graph::members::Membership;
use crate::ids::AuMemberId;
use crate::provider::EntraClient;

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_au_member";

/// The `entra_au_member` resource.
#[derive(Debug, Clone, Copy)]
pub struct AuMemberResource;

fn state(id: &AuMemberId, member_type: Option<String>, timeouts: Value) -> Value {
    Value::object([
        ("id", Value::string(id.to_string())),
        (
            "administrative_unit_id",
            Value::string(id.administrative_unit_id.clone()),
        ),
        ("member_id", Value::string(id.member_id.clone())),
        ("member_type", Value::opt_string(member_type)),
        ("timeouts", timeouts),
    ])
}

fn id_of(v: &Value) -> Option<AuMemberId> {
    Some(AuMemberId {
        administrative_unit_id: string_of(v, "administrative_unit_id")?,
        member_id: string_of(v, "member_id")?,
    })
}

/// The words used at plan time and when Graph refuses a member of a dynamic unit.
fn dynamic_unit_error(au: &str) -> Diagnostics {
    Diagnostic::attribute_error(
        "administrative_unit_id",
        "Administrative unit has dynamic membership",
        format!(
            "Administrative unit {au} computes its members from its membership rule, so members cannot be \
             added or removed one by one. Remove this {TYPE_NAME}, or set membership_type = \"Assigned\" on \
             the unit."
        ),
    )
    .into()
}

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

/// The unit of an existing membership is planned to become dynamic.
fn becomes_dynamic_error(au: &str) -> Diagnostics {
    Diagnostic::attribute_error(
        "administrative_unit_id",
        "Administrative unit becomes dynamic",
        format!(
            "This plan switches administrative unit {au} to membership_type = \"Dynamic\": Entra then computes \
             its members from the rule and refuses members added one by one. Remove this {TYPE_NAME} (and the \
             unit's other {TYPE_NAME} resources) in the same change, or keep membership_type = \"Assigned\"."
        ),
    )
    .into()
}

/// A member of a unit created dynamic in this same plan.
fn new_dynamic_unit_error() -> Diagnostics {
    Diagnostic::attribute_error(
        "administrative_unit_id",
        "Administrative unit has dynamic membership",
        format!(
            "The administrative unit this {TYPE_NAME} refers to is created in this plan with membership_type = \
             \"Dynamic\", so Entra computes its members from its rule and refuses members added one by one. \
             Remove this {TYPE_NAME}, or create the unit with membership_type = \"Assigned\"."
        ),
    )
    .into()
}

/// Whether Graph refused a removal because the unit is dynamic now.
fn refused_as_dynamic(err: &GraphError) -> bool {
    err.status() == Some(400)
        && err
            .api()
            .is_some_and(|a| a.message.to_ascii_lowercase().contains("dynamic"))
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
    if err.status() == Some(400) && message.contains("dynamic") {
        return dynamic_unit_error(&id.administrative_unit_id);
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

#[async_trait]
impl Resource<EntraClient> for AuMemberResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        let (timeouts, nesting, timeouts_block) = timeouts_block();
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
        ctx: &Ctx<EntraClient>,
        req: &mut ModifyPlanRequest,
    ) -> Diagnostics {
        let creating = req.prior.is_null();
        if let (true, Some(id)) = (creating, id_of(&req.planned)) {
            req.planned.set("id", Value::string(id.to_string()));
        }
        let Ok(client) = ctx.data() else {
            return Diagnostics::new();
        };
        let Some(au) = string_of(&req.planned, "administrative_unit_id") else {
            // The unit is new in this plan: if every new unit is dynamic, it is one.
            let unit_unknown = req.planned.get("administrative_unit_id").is_unknown();
            return if creating && unit_unknown && client.plan_notes.only_new_dynamic_units() {
                new_dynamic_unit_error()
            } else {
                Diagnostics::new()
            };
        };
        if client.plan_notes.becomes_dynamic(&au) {
            return becomes_dynamic_error(&au);
        }
        let Some(id) = id_of(&req.planned).filter(|_| creating) else {
            return Diagnostics::new();
        };
        let call = call_for(ctx, &req.planned, Op::Read);
        match planned_unit(&client.graph, &call, &au).await {
            Err(problem) => return problem,
            Ok(Some(unit)) if unit.is_dynamic() => return dynamic_unit_error(&au),
            Ok(_) => {}
        }
        // A unit this process just made has only the members this plan adds.
        if client.graph.recently_created([au.as_str()]) {
            return Diagnostics::new();
        }
        match client.graph.listed_member(&call, &au, &id.member_id).await {
            Ok(true) => already_exists(&id),
            // Unreadable member lists (hidden membership) are left to apply.
            _ => Diagnostics::new(),
        }
    }

    async fn create(
        &self,
        ctx: &Ctx<EntraClient>,
        req: CreateRequest,
    ) -> Result<Value, CreateFailed> {
        let client = ctx.data()?;
        let Some(id) = id_of(&req.planned) else {
            return Err(Diagnostic::error(
                "Adding administrative unit member",
                "Missing ids in the plan.",
            )
            .into());
        };
        let call = call_for(ctx, &req.planned, Op::Create);
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
        let timeouts = req.planned.get("timeouts").clone();
        match client
            .graph
            .add_administrative_unit_member(&call, au, &id.member_id)
            .await
        {
            Ok(kind) => Ok(state(&id, kind, timeouts)),
            Err(e) if e.made.is_some() => Err(CreateFailed::leaving(
                state(&id, None, timeouts),
                add_error(&id, &e.error),
            )),
            Err(e) => Err(add_error(&id, &e.error).into()),
        }
    }

    async fn read(
        &self,
        ctx: &Ctx<EntraClient>,
        req: ReadRequest,
    ) -> Result<Option<Value>, Diagnostics> {
        let client = ctx.data()?;
        let Some(id) = id_of(&req.state) else {
            return Ok(None);
        };
        let call = call_for(ctx, &req.state, Op::Read);
        let found = client
            .graph
            .administrative_unit_membership(&call, &id.administrative_unit_id, &id.member_id)
            .await
            .map(|m| match m {
                Membership::Member(kind) => Some(kind),
                Membership::Absent => None,
            })
            .map_err(|e| graph_error(TYPE_NAME, format!("Retrieving membership {id}"), &e))?;
        match found {
            Some(kind) => {
                let kind = kind.or_else(|| string_of(&req.state, "member_type"));
                Ok(Some(state(&id, kind, req.state.get("timeouts").clone())))
            }
            None => {
                tracing::info!(%id, "membership was not found - removing from state");
                Ok(None)
            }
        }
    }

    async fn update(
        &self,
        _ctx: &Ctx<EntraClient>,
        req: UpdateRequest,
    ) -> Result<Value, Diagnostics> {
        Ok(timeouts_only_update(&req))
    }

    async fn delete(
        &self,
        ctx: &Ctx<EntraClient>,
        req: DeleteRequest,
    ) -> Result<Diagnostics, Diagnostics> {
        let client = ctx.data()?;
        let Some(id) = id_of(&req.prior) else {
            return Ok(Diagnostics::new());
        };
        let call = call_for(ctx, &req.prior, Op::Delete);
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
            Ok(()) => Ok(Diagnostics::new()),
            // The unit became dynamic (in this same change, maybe): Entra manages its
            // members now, so this resource lets go instead of failing.
            Err(e) if refused_as_dynamic(&e) => Ok(Diagnostic::warning(
                "Membership left to the dynamic unit",
                format!(
                    "Administrative unit {} has dynamic membership now, so Graph refused to remove {} from it \
                     ({e}). The {TYPE_NAME} is removed from the state; the unit's rule decides its members.",
                    id.administrative_unit_id, id.member_id
                ),
            )
            .into()),
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

    async fn import(&self, ctx: &Ctx<EntraClient>, id: &str) -> Result<Value, Diagnostics> {
        let id: AuMemberId = parse_import_id(id)?;
        let client = ctx.data()?;
        let au = &id.administrative_unit_id;
        let call = call_for(ctx, &Value::Null, Op::Read);
        match client.graph.administrative_unit_membership_type(&call, au).await {
            Ok(Some(kind)) if kind.eq_ignore_ascii_case("dynamic") => Err(Diagnostic::error(
                "Cannot import a member of a dynamic unit",
                format!(
                    "Administrative unit {au} has dynamic membership: its members come from its rule, so there is \
                     no membership for {TYPE_NAME} to manage. Manage the rule on the unit instead."
                ),
            )
            .into()),
            _ => Ok(state(&id, None, Value::Null)),
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
    fn schema_matches_state() {
        let value = state(&id(), Some("user".into()), Value::Null);
        let crate::framework::Type::Object(attrs) = AuMemberResource.schema().ty() else {
            panic!("object")
        };
        let keys: Vec<_> = value.as_map().unwrap().keys().cloned().collect();
        assert_eq!(keys, attrs.keys().cloned().collect::<Vec<_>>());
        assert_eq!(id_of(&value), Some(id()));
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
