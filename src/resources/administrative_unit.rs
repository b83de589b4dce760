//! `entra_administrative_unit`: an administrative unit (AU), a scope for delegated
//! administration, with assigned or dynamic membership.

use async_trait::async_trait;

use super::common::{
    Op, call_for, graph_error, note_recent, parse_import_id, string_of, timeouts_block,
};
use super::membership_rule;
use crate::framework::validators::{MaxLength, NoControlCharacters, NotBlank, OneOf};
use crate::framework::{
    Attribute, AttributePath, Block, CreateFailed, CreateRequest, Ctx, DeleteRequest, Diagnostic,
    Diagnostics, ModifyPlanRequest, ReadRequest, Resource, Schema, UpdateRequest, Value,
};
use crate::graph::Call;
use crate::graph::models::AdministrativeUnit;
use crate::ids::AdministrativeUnitId;
use crate::provider::EntraClient;
use crate::provider::plan_notes::PlanNotes;

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_administrative_unit";

const ASSIGNED: &str = "Assigned";
const DYNAMIC: &str = "Dynamic";
const HIDDEN_MEMBERSHIP: &str = "HiddenMembership";
const MEMBERSHIP_TYPES: OneOf = OneOf(&[ASSIGNED, DYNAMIC]);

/// The resource's attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct AdministrativeUnitModel {
    /// Object id; `None` before creation.
    pub id: Option<String>,
    /// Display name.
    pub display_name: String,
    /// Description.
    pub description: Option<String>,
    /// `Assigned` or `Dynamic`.
    pub membership_type: String,
    /// The dynamic membership rule.
    pub membership_rule: Option<String>,
    /// `On` or `Paused` for dynamic AUs.
    pub membership_rule_processing_state: Option<String>,
    /// Only members can list members.
    pub hidden_membership_enabled: bool,
    /// A restricted management AU.
    pub restricted_management_enabled: bool,
    /// Refuse to create a second AU with the same name.
    pub prevent_duplicate_names: bool,
    /// The `timeouts` block, kept as configured.
    pub timeouts: Value,
}

impl AdministrativeUnitModel {
    /// Reads a configuration, plan or state value (unknowns read as absent).
    pub fn from_value(v: &Value) -> AdministrativeUnitModel {
        AdministrativeUnitModel {
            id: string_of(v, "id"),
            display_name: string_of(v, "display_name").unwrap_or_default(),
            description: string_of(v, "description"),
            membership_type: string_of(v, "membership_type").unwrap_or_else(|| ASSIGNED.to_owned()),
            membership_rule: string_of(v, "membership_rule"),
            membership_rule_processing_state: string_of(v, "membership_rule_processing_state"),
            hidden_membership_enabled: v
                .get("hidden_membership_enabled")
                .as_bool()
                .unwrap_or(false),
            restricted_management_enabled: v
                .get("restricted_management_enabled")
                .as_bool()
                .unwrap_or(false),
            prevent_duplicate_names: v.get("prevent_duplicate_names").as_bool().unwrap_or(false),
            timeouts: v.get("timeouts").clone(),
        }
    }

    /// The model of an AU as Graph returned it; provider-only settings come from `kept`.
    pub fn from_graph(au: AdministrativeUnit, kept: &Value) -> AdministrativeUnitModel {
        let dynamic = au
            .membership_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(DYNAMIC));
        AdministrativeUnitModel {
            id: au.id,
            display_name: au.display_name,
            description: au.description,
            membership_type: if dynamic { DYNAMIC } else { ASSIGNED }.to_owned(),
            // A rule left behind on an assigned AU has no effect; it is not ours to manage.
            membership_rule: au.membership_rule.filter(|_| dynamic),
            membership_rule_processing_state: dynamic.then(|| {
                au.membership_rule_processing_state
                    .unwrap_or_else(|| "On".to_owned())
            }),
            hidden_membership_enabled: au.visibility.as_deref() == Some(HIDDEN_MEMBERSHIP),
            restricted_management_enabled: au.is_member_management_restricted == Some(true),
            prevent_duplicate_names: kept
                .get("prevent_duplicate_names")
                .as_bool()
                .unwrap_or(false),
            timeouts: kept.get("timeouts").clone(),
        }
    }

    /// The Terraform value.
    pub fn to_value(&self) -> Value {
        Value::object([
            ("id", Value::opt_string(self.id.clone())),
            ("display_name", Value::string(self.display_name.clone())),
            ("description", Value::opt_string(self.description.clone())),
            (
                "membership_type",
                Value::string(self.membership_type.clone()),
            ),
            (
                "membership_rule",
                Value::opt_string(self.membership_rule.clone()),
            ),
            (
                "membership_rule_processing_state",
                Value::opt_string(self.membership_rule_processing_state.clone()),
            ),
            (
                "hidden_membership_enabled",
                Value::Bool(self.hidden_membership_enabled),
            ),
            (
                "restricted_management_enabled",
                Value::Bool(self.restricted_management_enabled),
            ),
            (
                "prevent_duplicate_names",
                Value::Bool(self.prevent_duplicate_names),
            ),
            ("timeouts", self.timeouts.clone()),
        ])
    }

    fn is_dynamic(&self) -> bool {
        self.membership_type == DYNAMIC
    }

    /// The Graph body to create this AU.
    fn to_graph(&self) -> AdministrativeUnit {
        AdministrativeUnit {
            display_name: self.display_name.clone(),
            description: self.description.clone(),
            visibility: self
                .hidden_membership_enabled
                .then(|| HIDDEN_MEMBERSHIP.to_owned()),
            is_member_management_restricted: self.restricted_management_enabled.then_some(true),
            membership_type: self.is_dynamic().then(|| DYNAMIC.to_owned()),
            membership_rule: self.membership_rule.clone().filter(|_| self.is_dynamic()),
            membership_rule_processing_state: self
                .membership_rule_processing_state
                .clone()
                .filter(|_| self.is_dynamic()),
            ..AdministrativeUnit::default()
        }
    }

    /// The PATCH body that turns `prior` into `self`.
    fn changes_from(
        &self,
        prior: &AdministrativeUnitModel,
    ) -> serde_json::Map<String, serde_json::Value> {
        let mut changes = serde_json::Map::new();
        if self.display_name != prior.display_name {
            changes.insert("displayName".into(), self.display_name.clone().into());
        }
        if self.description != prior.description {
            changes.insert("description".into(), self.description.clone().into());
        }
        if self.membership_type != prior.membership_type {
            changes.insert("membershipType".into(), self.membership_type.clone().into());
        }
        if self.membership_rule != prior.membership_rule {
            changes.insert("membershipRule".into(), self.membership_rule.clone().into());
        }
        if self.membership_rule_processing_state != prior.membership_rule_processing_state
            && self.membership_rule_processing_state.is_some()
        {
            changes.insert(
                "membershipRuleProcessingState".into(),
                self.membership_rule_processing_state.clone().into(),
            );
        }
        changes
    }
}

/// The `entra_administrative_unit` resource.
#[derive(Debug, Clone, Copy)]
pub struct AdministrativeUnitResource;

#[async_trait]
impl Resource<EntraClient> for AdministrativeUnitResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        let (timeouts, nesting, timeouts_block) = timeouts_block();
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

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let membership_type = config.get("membership_type");
        let rule = config.get("membership_rule");
        let state = config.get("membership_rule_processing_state");
        // An unknown or misspelt type: the attribute's own check speaks for it.
        if membership_type.is_unknown() || !MEMBERSHIP_TYPES.accepts(membership_type) {
            return diags;
        }
        let dynamic = membership_type.as_str() == Some(DYNAMIC);
        if let Some(text) = rule.as_str() {
            if dynamic {
                diags.extend(membership_rule::validate(
                    text,
                    &AttributePath::root("membership_rule"),
                ));
            } else {
                diags.push(Diagnostic::attribute_error(
                    "membership_rule",
                    "Membership rule on an assigned administrative unit",
                    "membership_rule applies only to dynamic administrative units. Set membership_type = \
                     \"Dynamic\" to compute members from the rule, or remove membership_rule.",
                ));
            }
        } else if dynamic && rule.is_null() {
            diags.push(Diagnostic::attribute_error(
                "membership_rule",
                "Missing membership rule",
                "A dynamic administrative unit needs membership_rule, e.g. user.department -eq \"Finance\".",
            ));
        }
        if !dynamic && !state.is_null() && !state.is_unknown() {
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
        ctx: &Ctx<EntraClient>,
        req: &mut ModifyPlanRequest,
    ) -> Diagnostics {
        // The processing state defaults to On for dynamic units and is absent
        // otherwise: a unit paused outside Terraform shows as drift and is switched on.
        if req.config.get("membership_rule_processing_state").is_null() {
            let planned_state = match req.planned.get("membership_type") {
                Value::Unknown => Value::Unknown,
                t if t.as_str() == Some(DYNAMIC) => Value::string("On"),
                _ => Value::Null,
            };
            req.planned
                .set("membership_rule_processing_state", planned_state);
        }
        let Ok(client) = ctx.data() else {
            return Diagnostics::new();
        };
        note_plan(&client.plan_notes, req);
        let name_changes =
            req.prior.is_null() || req.prior.get("display_name") != req.planned.get("display_name");
        let wants_check = req.planned.get("prevent_duplicate_names").as_bool() == Some(true);
        let Some(name) = req.planned.get("display_name").as_str() else {
            return Diagnostics::new();
        };
        if !(name_changes && wants_check) {
            return Diagnostics::new();
        }
        let own_id = string_of(&req.prior, "id");
        let call = call_for(ctx, &req.planned, Op::Read);
        duplicate_name_check(client, &call, name, own_id.as_deref()).await
    }

    async fn create(
        &self,
        ctx: &Ctx<EntraClient>,
        req: CreateRequest,
    ) -> Result<Value, CreateFailed> {
        let client = ctx.data()?;
        let mut model = AdministrativeUnitModel::from_value(&req.planned);
        model.id = None;
        let call = call_for(ctx, &req.planned, Op::Create);
        if model.prevent_duplicate_names {
            duplicate_name_check(client, &call, &model.display_name, None)
                .await
                .into_result()?;
        }
        let action = format!("Creating administrative unit {:?}", model.display_name);
        match client
            .graph
            .create_administrative_unit(&call, &model.to_graph())
            .await
        {
            Ok(created) => {
                tracing::info!(
                    id = created.id.as_deref().unwrap_or(""),
                    "created administrative unit"
                );
                model.id = created.id;
                Ok(model.to_value())
            }
            Err(e) => {
                let diagnostics = graph_error(TYPE_NAME, action, &e.error);
                match e.made {
                    Some(id) => {
                        model.id = Some(id);
                        Err(CreateFailed::leaving(model.to_value(), diagnostics))
                    }
                    None => Err(diagnostics.into()),
                }
            }
        }
    }

    async fn read(
        &self,
        ctx: &Ctx<EntraClient>,
        req: ReadRequest,
    ) -> Result<Option<Value>, Diagnostics> {
        let client = ctx.data()?;
        let Some(id) = string_of(&req.state, "id") else {
            return Ok(None);
        };
        let call = call_for(ctx, &req.state, Op::Read);
        let found = client
            .graph
            .find_administrative_unit(&call, &id)
            .await
            .map_err(|e| {
                graph_error(
                    TYPE_NAME,
                    format!("Retrieving administrative unit {id}"),
                    &e,
                )
            })?;
        match found {
            Some(au) => Ok(Some(
                AdministrativeUnitModel::from_graph(au, &req.state).to_value(),
            )),
            None => {
                tracing::info!(
                    id,
                    "administrative unit was not found - removing from state"
                );
                Ok(None)
            }
        }
    }

    async fn update(
        &self,
        ctx: &Ctx<EntraClient>,
        req: UpdateRequest,
    ) -> Result<Value, Diagnostics> {
        let client = ctx.data()?;
        let prior = AdministrativeUnitModel::from_value(&req.prior);
        let mut wanted = AdministrativeUnitModel::from_value(&req.planned);
        let Some(id) = prior.id.clone() else {
            return Err(Diagnostic::error(
                "Updating administrative unit",
                "The state has no object id.",
            )
            .into());
        };
        wanted.id = Some(id.clone());
        let call = call_for(ctx, &req.planned, Op::Update);
        if wanted.prevent_duplicate_names && wanted.display_name != prior.display_name {
            duplicate_name_check(client, &call, &wanted.display_name, Some(&id))
                .await
                .into_result()?;
        }
        let changes = wanted.changes_from(&prior);
        if !changes.is_empty() {
            client
                .graph
                .update_administrative_unit(&call, &id, &changes)
                .await
                .map_err(|e| {
                    graph_error(TYPE_NAME, format!("Updating administrative unit {id}"), &e)
                })?;
        }
        Ok(wanted.to_value())
    }

    async fn delete(
        &self,
        ctx: &Ctx<EntraClient>,
        req: DeleteRequest,
    ) -> Result<Diagnostics, Diagnostics> {
        let client = ctx.data()?;
        let Some(id) = string_of(&req.prior, "id") else {
            return Ok(Diagnostics::new());
        };
        let call = call_for(ctx, &req.prior, Op::Delete);
        note_recent(&client.graph, req.touched, &[id.as_str()]);
        client
            .graph
            .delete_administrative_unit(&call, &id)
            .await
            .map(|()| Diagnostics::new())
            .map_err(|e| graph_error(TYPE_NAME, format!("Deleting administrative unit {id}"), &e))
    }

    async fn import(&self, _ctx: &Ctx<EntraClient>, id: &str) -> Result<Value, Diagnostics> {
        let id: AdministrativeUnitId = parse_import_id(id)?;
        let mut state = AdministrativeUnitModel::from_value(&Value::Null).to_value();
        state.set("id", Value::string(id.0));
        state.set("display_name", Value::Null);
        Ok(state)
    }
}

/// Tells later plans in this process what this unit will be: replaced (its old
/// object must not count as a duplicate of its replacement), switched to dynamic, or
/// new (members of dynamic units fail at plan).
fn note_plan(notes: &PlanNotes, req: &ModifyPlanRequest) {
    let dynamic = req.planned.get("membership_type").as_str() == Some(DYNAMIC);
    match string_of(&req.prior, "id") {
        Some(id) if !req.requires_replace.is_empty() => {
            for name in [&req.prior, &req.planned]
                .iter()
                .filter_map(|v| v.get("display_name").as_str())
            {
                notes.replacing(name, &id);
            }
        }
        Some(id) => {
            let was_dynamic = req.prior.get("membership_type").as_str() == Some(DYNAMIC);
            notes.planned_type(&id, dynamic && !was_dynamic);
        }
        None => notes.new_unit(dynamic),
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
    match client
        .graph
        .find_administrative_units_by_name(call, name)
        .await
    {
        Ok(found) => {
            let others: Vec<String> = found
                .into_iter()
                .filter_map(|au| au.id)
                .filter(|id| own_id.is_none_or(|own| !own.eq_ignore_ascii_case(id)))
                .filter(|id| !client.plan_notes.is_replaced(name, id))
                .filter(|id| !client.graph.recently_deleted(id))
                .collect();
            if others.is_empty() {
                Diagnostics::new()
            } else {
                Diagnostic::attribute_error(
                    "display_name",
                    "Duplicate administrative unit name",
                    format!(
                        "An administrative unit named {name:?} already exists (object id {}). Import it with \
                         `terraform import {TYPE_NAME}.<name> {}`, choose another display_name, or set \
                         prevent_duplicate_names = false.",
                        others.join(", "),
                        others[0]
                    ),
                )
                .into()
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
            id: Some("x".into()),
            display_name: "n".into(),
            description: None,
            membership_type: DYNAMIC.into(),
            membership_rule: Some("user.department -eq \"Finance\"".into()),
            membership_rule_processing_state: Some("On".into()),
            hidden_membership_enabled: true,
            restricted_management_enabled: false,
            prevent_duplicate_names: false,
            timeouts: Value::Null,
        }
    }

    #[test]
    fn schema_matches_model() {
        let schema = AdministrativeUnitResource.schema();
        let value = model().to_value();
        let model_keys: Vec<_> = value.as_map().unwrap().keys().cloned().collect();
        let crate::framework::Type::Object(attrs) = schema.ty() else {
            panic!("object")
        };
        let schema_keys: Vec<_> = attrs.keys().cloned().collect();
        assert_eq!(model_keys, schema_keys);
        assert_eq!(AdministrativeUnitModel::from_value(&value), model());
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
        assigned.membership_type = ASSIGNED.into();
        assigned.hidden_membership_enabled = false;
        let body = serde_json::to_value(assigned.to_graph()).unwrap();
        assert_eq!(body, serde_json::json!({"displayName": "n"}));
    }

    #[test]
    fn switching_to_assigned_patches_type_and_clears_the_rule() {
        let prior = model();
        let mut wanted = model();
        wanted.membership_type = ASSIGNED.into();
        wanted.membership_rule = None;
        wanted.membership_rule_processing_state = None;
        let changes = wanted.changes_from(&prior);
        assert_eq!(
            serde_json::Value::Object(changes),
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
        let m = AdministrativeUnitModel::from_graph(au, &Value::Null);
        assert_eq!(m.membership_type, DYNAMIC);
        assert_eq!(m.membership_rule_processing_state.as_deref(), Some("On"));
        assert!(m.hidden_membership_enabled);
    }
}
