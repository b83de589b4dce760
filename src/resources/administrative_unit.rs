//! `entra_administrative_unit`: an administrative unit (AU), a scope for delegated
//! administration, with assigned or dynamic membership.

use async_trait::async_trait;
use provider_framework::timeouts::{self, Op};
use provider_framework::validators::{MaxLength, NoControlCharacters, NotBlank, OneOf};
use provider_framework::{
    Attribute, AttributePath, Block, CreateRequest, DeleteRequest, Diagnostic, Diagnostics, Done,
    Failed, Maybe, ModifyPlanRequest, MoveSource, ReadRequest, Resource, Schema, Timeouts,
    UpdateRequest, Value,
};
use serde::{Deserialize, Serialize};

use crate::client::{EntraClient, PlanNotes};
use crate::graph::Call;
use crate::graph::models::AdministrativeUnit;
use crate::ids::AdministrativeUnitId;
use crate::support::membership_rule;
use crate::support::{Ctx, call_for, graph_error, note_recent, parse_import_id, premium_warning};

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_administrative_unit";

const ASSIGNED: &str = "Assigned";
const DYNAMIC: &str = "Dynamic";
const HIDDEN_MEMBERSHIP: &str = "HiddenMembership";
const MEMBERSHIP_TYPES: OneOf = OneOf(&[ASSIGNED, DYNAMIC]);

/// The resource's attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AdministrativeUnitModel {
    /// Object id; unknown until created.
    pub id: Maybe<String>,
    /// Display name.
    pub display_name: Maybe<String>,
    /// Description.
    pub description: Maybe<String>,
    /// `Assigned` or `Dynamic`.
    pub membership_type: Maybe<String>,
    /// The dynamic membership rule.
    pub membership_rule: Maybe<String>,
    /// `On` or `Paused` for dynamic AUs.
    pub membership_rule_processing_state: Maybe<String>,
    /// Only members can list members.
    pub hidden_membership_enabled: Maybe<bool>,
    /// A restricted management AU.
    pub restricted_management_enabled: Maybe<bool>,
    /// Refuse to create a second AU with the same name.
    pub prevent_duplicate_names: Maybe<bool>,
    /// How long operations may take.
    pub timeouts: Option<Timeouts>,
}

impl AdministrativeUnitModel {
    fn is_dynamic(&self) -> bool {
        self.membership_type.as_deref() == Some(DYNAMIC)
    }

    fn flag(value: &Maybe<bool>) -> bool {
        value.known().copied().unwrap_or(false)
    }

    /// The model of an AU as Graph returned it; provider-only settings come from `kept`.
    pub fn from_graph(au: AdministrativeUnit, kept: &AdministrativeUnitModel) -> Self {
        AdministrativeUnitModel {
            membership_type: Maybe::Known(au.kind().to_owned()),
            // A rule left behind on an assigned AU has no effect; it is not ours to manage.
            membership_rule: Maybe::from_option(au.effective_rule()),
            membership_rule_processing_state: Maybe::from_option(au.effective_processing_state()),
            hidden_membership_enabled: Maybe::Known(au.hidden_membership()),
            restricted_management_enabled: Maybe::Known(au.restricted_management()),
            id: Maybe::from_option(au.id),
            display_name: Maybe::Known(au.display_name),
            description: Maybe::from_option(au.description),
            prevent_duplicate_names: Maybe::Known(Self::flag(&kept.prevent_duplicate_names)),
            timeouts: kept.timeouts.clone(),
        }
    }

    /// The unit as Graph describes it: the body to create it, or to compare for a PATCH.
    fn to_graph(&self) -> AdministrativeUnit {
        let dynamic = self.is_dynamic();
        AdministrativeUnit {
            display_name: self.display_name.known().cloned().unwrap_or_default(),
            description: self.description.known().cloned(),
            visibility: Self::flag(&self.hidden_membership_enabled)
                .then(|| HIDDEN_MEMBERSHIP.to_owned()),
            is_member_management_restricted: Self::flag(&self.restricted_management_enabled)
                .then_some(true),
            membership_type: dynamic.then(|| DYNAMIC.to_owned()),
            membership_rule: self.membership_rule.known().cloned().filter(|_| dynamic),
            membership_rule_processing_state: self
                .membership_rule_processing_state
                .known()
                .cloned()
                .filter(|_| dynamic),
            ..AdministrativeUnit::default()
        }
    }
}

/// The `entra_administrative_unit` resource.
#[derive(Debug, Clone, Copy)]
pub struct AdministrativeUnitResource;

#[async_trait]
impl Resource<EntraClient> for AdministrativeUnitResource {
    type Model = AdministrativeUnitModel;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        let (timeouts, nesting, timeouts_block) = timeouts::block("5m");
        Schema::new(
            Block::new(
                "An administrative unit: a scope of users, groups and devices whose administration can be \
                 delegated with roles assigned at that scope only. Membership is assigned (managed with \
                 `entra_au_member`) or dynamic (computed by Entra from `membership_rule`).",
            )
            .attribute(
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .describe("The object ID of the administrative unit."),
            )
            .attribute(
                Attribute::string("display_name")
                    .required()
                    .validate(NotBlank)
                    .validate(MaxLength(256))
                    .validate(NoControlCharacters)
                    .describe("The display name of the administrative unit (at most 256 characters)."),
            )
            .attribute(
                Attribute::string("description")
                    .validate(NoControlCharacters)
                    .describe("A description of the administrative unit."),
            )
            .attribute(
                Attribute::string("membership_type")
                    .default(Value::string(ASSIGNED))
                    .validate(MEMBERSHIP_TYPES)
                    .describe(
                        "`Assigned` (default): members are added explicitly. `Dynamic`: Entra computes the \
                         members from `membership_rule`. Switching between the two updates the unit in place; \
                         switching to `Assigned` keeps the current members.",
                    ),
            )
            .attribute(
                Attribute::string("membership_rule")
                    .semantic_equality(membership_rule::same_rule)
                    .describe(
                        "The dynamic membership rule, e.g. `user.department -eq \"Finance\"`. Required when \
                         `membership_type` is `Dynamic`, refused otherwise. It is checked at plan time \
                         (users or devices only, known properties and operators, at most 3,072 characters); \
                         a rule Graph merely re-formats plans no change.",
                    ),
            )
            .attribute(
                Attribute::string("membership_rule_processing_state")
                    .optional_computed()
                    .validate(OneOf(&["On", "Paused"]))
                    .describe(
                        "`On` (the default for dynamic units, also when omitted: a unit paused outside \
                         Terraform is switched back on) evaluates the rule; `Paused` freezes the current \
                         members. Only for dynamic units.",
                    ),
            )
            .attribute(
                Attribute::bool("hidden_membership_enabled")
                    .default(Value::Bool(false))
                    .requires_replace()
                    .describe(
                        "Whether only members of the unit can list its members (visibility \
                         `HiddenMembership`). Graph accepts it only at creation. Reading members then needs \
                         `Member.Read.Hidden`.",
                    ),
            )
            .attribute(
                Attribute::bool("restricted_management_enabled")
                    .default(Value::Bool(false))
                    .requires_replace()
                    .describe(
                        "Whether this is a restricted management administrative unit: its member objects can \
                         be changed only by principals holding a role at this unit's scope, not by tenant-wide \
                         administrators or application permissions. Graph accepts it only at creation.",
                    ),
            )
            .attribute(
                Attribute::bool("prevent_duplicate_names")
                    .default(Value::Bool(false))
                    .describe(
                        "When true, planning and creating fail if another administrative unit already has \
                         this display name.",
                    ),
            )
            .block(timeouts, nesting, timeouts_block),
        )
    }

    async fn validate(&self, config: &AdministrativeUnitModel) -> Diagnostics {
        let mut diags = Diagnostics::new();
        // An unknown or misspelt type: the attribute's own check speaks for it.
        if config.membership_type.is_unknown()
            || !MEMBERSHIP_TYPES.accepts(config.membership_type.as_deref())
        {
            return diags;
        }
        let dynamic = config.is_dynamic();
        match (&config.membership_rule, dynamic) {
            (Maybe::Known(text), true) => diags.extend(membership_rule::validate(
                text,
                &AttributePath::root("membership_rule"),
            )),
            (Maybe::Known(_), false) => diags.push(Diagnostic::attribute_error(
                "membership_rule",
                "Membership rule on an assigned administrative unit",
                "membership_rule applies only to dynamic administrative units. Set membership_type = \
                 \"Dynamic\" to compute members from the rule, or remove membership_rule.",
            )),
            (Maybe::Null, true) => diags.push(Diagnostic::attribute_error(
                "membership_rule",
                "Missing membership rule",
                "A dynamic administrative unit needs membership_rule, e.g. user.department -eq \"Finance\".",
            )),
            _ => {}
        }
        if !dynamic && config.membership_rule_processing_state.known().is_some() {
            diags.push(Diagnostic::attribute_error(
                "membership_rule_processing_state",
                "Processing state on an assigned administrative unit",
                "membership_rule_processing_state applies only to dynamic administrative units.",
            ));
        }
        diags
    }

    async fn modify_plan(
        &self,
        ctx: &Ctx,
        req: &mut ModifyPlanRequest<AdministrativeUnitModel>,
    ) -> Diagnostics {
        // The processing state defaults to On for dynamic units and is absent
        // otherwise: a unit paused outside Terraform shows as drift and is switched on.
        if req.config.membership_rule_processing_state.is_null() {
            req.planned.membership_rule_processing_state = match &req.planned.membership_type {
                Maybe::Unknown => Maybe::Unknown,
                _ if req.planned.is_dynamic() => Maybe::Known("On".to_owned()),
                _ => Maybe::Null,
            };
        }
        let Ok(client) = ctx.data() else {
            return Diagnostics::new();
        };
        note_plan(&client.plan_notes, req);
        let mut diags = Diagnostics::new();
        let was_dynamic = req
            .prior
            .as_ref()
            .is_some_and(AdministrativeUnitModel::is_dynamic);
        if req.planned.is_dynamic() && !was_dynamic {
            diags.extend(
                premium_warning(
                    ctx,
                    client,
                    "membership_type",
                    "the membership rule is never evaluated",
                )
                .await,
            );
        }
        diags.extend(duplicate_check(ctx, client, req).await);
        diags
    }

    async fn create(
        &self,
        ctx: &Ctx,
        req: CreateRequest<AdministrativeUnitModel>,
    ) -> Result<Done<AdministrativeUnitModel>, Failed<AdministrativeUnitModel>> {
        let client = ctx.data()?;
        let mut model = req.planned;
        let call = call_for(ctx, model.timeouts.as_ref(), Op::Create);
        let wanted = model.to_graph();
        if AdministrativeUnitModel::flag(&model.prevent_duplicate_names) {
            duplicate_name_check(client, &call, &wanted.display_name, None)
                .await
                .into_result()?;
        }
        let action = format!("Creating administrative unit {:?}", wanted.display_name);
        match client
            .graph
            .create_administrative_unit(&call, &wanted)
            .await
        {
            Ok(created) => {
                tracing::info!(
                    id = created.id.as_deref().unwrap_or(""),
                    "created administrative unit"
                );
                model.id = Maybe::from_option(created.id);
                Ok(model.into())
            }
            Err(e) => {
                let diagnostics = graph_error(TYPE_NAME, action, &e.error);
                match e.made {
                    Some(id) => {
                        model.id = Maybe::Known(id);
                        Err(Failed::leaving(model, diagnostics))
                    }
                    None => Err(diagnostics.into()),
                }
            }
        }
    }

    async fn read(
        &self,
        ctx: &Ctx,
        req: ReadRequest<AdministrativeUnitModel>,
    ) -> Result<Done<Option<AdministrativeUnitModel>>, Diagnostics> {
        let client = ctx.data()?;
        let Some(id) = req.state.id.as_deref() else {
            return Ok(None.into());
        };
        let call = call_for(ctx, req.state.timeouts.as_ref(), Op::Read);
        let found = client
            .graph
            .find_administrative_unit(&call, id)
            .await
            .map_err(|e| {
                graph_error(
                    TYPE_NAME,
                    format!("Retrieving administrative unit {id}"),
                    &e,
                )
            })?;
        if found.is_none() {
            tracing::info!(
                id,
                "administrative unit was not found - removing from state"
            );
        }
        Ok(found
            .map(|au| AdministrativeUnitModel::from_graph(au, &req.state))
            .into())
    }

    async fn update(
        &self,
        ctx: &Ctx,
        req: UpdateRequest<AdministrativeUnitModel>,
    ) -> Result<Done<AdministrativeUnitModel>, Failed<AdministrativeUnitModel>> {
        let client = ctx.data()?;
        let Some(id) = req.prior.id.known().cloned() else {
            return Err(Diagnostic::error(
                "Updating administrative unit",
                "The state has no object id.",
            )
            .into());
        };
        let mut wanted = req.planned;
        wanted.id = Maybe::Known(id.clone());
        let call = call_for(ctx, wanted.timeouts.as_ref(), Op::Update);
        let (from, to) = (req.prior.to_graph(), wanted.to_graph());
        if AdministrativeUnitModel::flag(&wanted.prevent_duplicate_names)
            && from.display_name != to.display_name
        {
            duplicate_name_check(client, &call, &to.display_name, Some(&id))
                .await
                .into_result()?;
        }
        let changes = from.patch_to(&to);
        if !changes.is_empty() {
            client
                .graph
                .update_administrative_unit(&call, &id, &changes)
                .await
                .map_err(|e| {
                    graph_error(TYPE_NAME, format!("Updating administrative unit {id}"), &e)
                })?;
        }
        Ok(wanted.into())
    }

    async fn delete(
        &self,
        ctx: &Ctx,
        req: DeleteRequest<AdministrativeUnitModel>,
    ) -> Result<Done<()>, Diagnostics> {
        let client = ctx.data()?;
        let Some(id) = req.prior.id.as_deref() else {
            return Ok(().into());
        };
        let call = call_for(ctx, req.prior.timeouts.as_ref(), Op::Delete);
        note_recent(&client.graph, req.touched, &[id]);
        client
            .graph
            .delete_administrative_unit(&call, id)
            .await
            .map(Done::from)
            .map_err(|e| graph_error(TYPE_NAME, format!("Deleting administrative unit {id}"), &e))
    }

    /// Offline: Terraform moves state before it configures the provider; the
    /// first read fills in what azuread did not keep.
    async fn move_state(
        &self,
        ctx: &Ctx,
        from: &MoveSource,
    ) -> Option<Result<AdministrativeUnitModel, Diagnostics>> {
        let id = match super::from_azuread::administrative_unit(from)? {
            Ok(id) => id,
            Err(e) => return Some(Err(e)),
        };
        Some(self.import(ctx, &id).await)
    }

    async fn import(&self, _ctx: &Ctx, id: &str) -> Result<AdministrativeUnitModel, Diagnostics> {
        let id: AdministrativeUnitId = parse_import_id(id)?;
        Ok(AdministrativeUnitModel {
            id: Maybe::Known(id.0),
            prevent_duplicate_names: Maybe::Known(false),
            ..AdministrativeUnitModel::default()
        })
    }
}

/// With `prevent_duplicate_names`, a new name must not be another unit's.
async fn duplicate_check(
    ctx: &Ctx,
    client: &EntraClient,
    req: &ModifyPlanRequest<AdministrativeUnitModel>,
) -> Diagnostics {
    let prior_name = req.prior.as_ref().map(|p| &p.display_name);
    let name_changes = prior_name != Some(&req.planned.display_name);
    let wants_check = req.planned.prevent_duplicate_names.known() == Some(&true);
    let Some(name) = req.planned.display_name.as_deref() else {
        return Diagnostics::new();
    };
    if !(name_changes && wants_check) {
        return Diagnostics::new();
    }
    let own_id = req.prior.as_ref().and_then(|p| p.id.as_deref());
    let call = call_for(ctx, req.planned.timeouts.as_ref(), Op::Read);
    duplicate_name_check(client, &call, name, own_id).await
}

/// Tells later plans in this process what this unit will be: replaced (its old
/// object must not count as a duplicate of its replacement), switched to dynamic, or
/// new (members of dynamic units fail at plan).
fn note_plan(notes: &PlanNotes, req: &ModifyPlanRequest<AdministrativeUnitModel>) {
    let dynamic = req.planned.is_dynamic();
    let Some(prior) = &req.prior else {
        notes.new_unit(dynamic);
        return;
    };
    let Some(id) = prior.id.as_deref() else {
        return;
    };
    if req.requires_replace.is_empty() {
        notes.planned_type(id, dynamic && !prior.is_dynamic());
    } else {
        for name in [&prior.display_name, &req.planned.display_name] {
            if let Some(name) = name.as_deref() {
                notes.replacing(name, id);
            }
        }
    }
}

/// Fails when another AU is already called `name`: not `own_id`, not the unit this
/// plan replaces, not one this process just deleted (its deletion may not have
/// reached every replica).
async fn duplicate_name_check(
    client: &EntraClient,
    call: &Call,
    name: &str,
    own_id: Option<&str>,
) -> Diagnostics {
    match client.graph.administrative_units_named(call, name).await {
        Ok(found) => {
            let others: Vec<String> = found
                .into_iter()
                .filter_map(|au| au.id)
                .filter(|id| own_id.is_none_or(|own| !own.eq_ignore_ascii_case(id)))
                .filter(|id| !client.plan_notes.is_replaced(name, id))
                .filter(|id| !client.graph.recently_deleted(id))
                .collect();
            match others.first() {
                None => Diagnostics::new(),
                Some(first) => Diagnostic::attribute_error(
                    "display_name",
                    "Duplicate administrative unit name",
                    format!(
                        "An administrative unit named {name:?} already exists (object id {}). Import it with \
                         `terraform import {TYPE_NAME}.<name> {first}`, choose another display_name, or set \
                         prevent_duplicate_names = false.",
                        others.join(", "),
                    ),
                )
                .into(),
            }
        }
        Err(e) => graph_error(
            TYPE_NAME,
            format!("Checking for administrative units named {name:?}"),
            &e,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> AdministrativeUnitModel {
        AdministrativeUnitModel {
            id: Maybe::Known("x".into()),
            display_name: Maybe::Known("n".into()),
            description: Maybe::Null,
            membership_type: Maybe::Known(DYNAMIC.into()),
            membership_rule: Maybe::Known("user.department -eq \"Finance\"".into()),
            membership_rule_processing_state: Maybe::Known("On".into()),
            hidden_membership_enabled: Maybe::Known(true),
            restricted_management_enabled: Maybe::Known(false),
            prevent_duplicate_names: Maybe::Known(false),
            timeouts: None,
        }
    }

    #[test]
    fn create_body_sends_only_what_is_set() {
        let body = serde_json::to_value(model().to_graph()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "displayName": "n",
                "visibility": "HiddenMembership",
                "membershipType": "Dynamic",
                "membershipRule": "user.department -eq \"Finance\"",
                "membershipRuleProcessingState": "On",
            })
        );
        let mut assigned = model();
        assigned.membership_type = Maybe::Known(ASSIGNED.into());
        assigned.hidden_membership_enabled = Maybe::Known(false);
        let body = serde_json::to_value(assigned.to_graph()).unwrap();
        assert_eq!(body, serde_json::json!({"displayName": "n"}));
    }

    #[test]
    fn switching_to_assigned_patches_type_and_clears_the_rule() {
        let prior = model();
        let mut wanted = model();
        wanted.membership_type = Maybe::Known(ASSIGNED.into());
        wanted.membership_rule = Maybe::Null;
        wanted.membership_rule_processing_state = Maybe::Null;
        let patch = prior.to_graph().patch_to(&wanted.to_graph());
        assert_eq!(
            serde_json::to_value(patch).unwrap(),
            serde_json::json!({"membershipType": "Assigned", "membershipRule": null})
        );
    }

    #[test]
    fn graph_reads_normalise_case_and_defaults() {
        let au = AdministrativeUnit {
            id: Some("x".into()),
            display_name: "n".into(),
            membership_type: Some("dynamic".into()),
            membership_rule: Some("user.department -eq \"Finance\"".into()),
            visibility: Some(HIDDEN_MEMBERSHIP.into()),
            ..AdministrativeUnit::default()
        };
        let m = AdministrativeUnitModel::from_graph(au, &AdministrativeUnitModel::default());
        assert_eq!(m.membership_type.as_deref(), Some(DYNAMIC));
        assert_eq!(m.membership_rule_processing_state.as_deref(), Some("On"));
        assert_eq!(m.hidden_membership_enabled, Maybe::Known(true));
    }
}
