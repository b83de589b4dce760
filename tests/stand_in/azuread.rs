//! A stand-in for the hashicorp/azuread provider, for the migration tests only
//! (never released): the four resource types that `moved` blocks bring to this
//! provider, with azuread's attribute names, schema versions and id formats (2.x or
//! 3.x, chosen by the version directory it is installed under). It talks to no API:
//! create records the object the test made beforehand, named in
//! `AZUREAD_STAND_IN_IDS` (JSON: key → object id), and read returns the state.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;

use async_trait::async_trait;
use provider_framework::erased::{DynDataSource, DynResource, PlanValues};
use provider_framework::model::ModelError;
use provider_framework::plugin::serve::Identity;
use provider_framework::private::LastTouch;
use provider_framework::{
    Attribute, Block, ConfigureRequest, Ctx, Diagnostic, Diagnostics, Done, MoveSource, Provider,
    Schema, Type, Value,
};

/// Which azuread generation's state to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Generation {
    Two,
    Three,
}

fn generation() -> Generation {
    let exe = std::env::current_exe().unwrap_or_default();
    if exe.to_string_lossy().contains("/2.") {
        Generation::Two
    } else {
        Generation::Three
    }
}

/// The object id the test named for `key`.
fn known_id(key: &str) -> Result<String, Diagnostics> {
    let ids: BTreeMap<String, String> = std::env::var("AZUREAD_STAND_IN_IDS")
        .ok()
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default();
    ids.get(key).cloned().ok_or_else(|| {
        Diagnostic::error(
            "Unknown object",
            format!("AZUREAD_STAND_IN_IDS names no object for {key:?}."),
        )
        .into()
    })
}

fn text(value: &Value, name: &str) -> String {
    value.get(name).as_str().unwrap_or_default().to_owned()
}

/// One azuread resource type: its schema and how create fills in computed values.
struct StandIn {
    name: &'static str,
    attributes: Vec<Attribute>,
    fill: fn(&mut Value, Generation) -> Result<(), Diagnostics>,
}

fn required(name: &'static str) -> Attribute {
    Attribute::string(name)
        .required()
        .requires_replace()
        .describe(name)
}

fn computed(name: &'static str) -> Attribute {
    Attribute::string(name)
        .computed()
        .use_state_for_unknown()
        .describe(name)
}

fn stand_ins() -> Vec<StandIn> {
    vec![
        StandIn {
            name: "azuread_administrative_unit",
            attributes: vec![
                computed("id"),
                computed("object_id"),
                Attribute::string("display_name")
                    .required()
                    .describe("name"),
                Attribute::string("description").describe("description"),
                Attribute::bool("hidden_membership_enabled").describe("hidden"),
                Attribute::bool("prevent_duplicate_names").describe("duplicates"),
                Attribute::new("members", Type::set(Type::String))
                    .optional_computed()
                    .describe("members"),
            ],
            fill: |v, g| {
                let id = known_id(&format!("unit:{}", text(v, "display_name")))?;
                v.set("object_id", Value::string(&id));
                v.set(
                    "id",
                    Value::string(match g {
                        Generation::Two => id,
                        Generation::Three => format!("/directory/administrativeUnits/{id}"),
                    }),
                );
                if v.get("members").is_unknown() {
                    v.set("members", Value::List(Vec::new()));
                }
                Ok(())
            },
        },
        StandIn {
            name: "azuread_administrative_unit_member",
            attributes: vec![
                computed("id"),
                required("administrative_unit_object_id"),
                required("member_object_id"),
            ],
            fill: |v, g| {
                let au = text(v, "administrative_unit_object_id");
                let member = text(v, "member_object_id");
                v.set(
                    "id",
                    Value::string(match g {
                        Generation::Two => format!("{au}/member/{member}"),
                        Generation::Three => {
                            format!("/directory/administrativeUnits/{au}/members/{member}")
                        }
                    }),
                );
                Ok(())
            },
        },
        StandIn {
            name: "azuread_administrative_unit_role_member",
            attributes: vec![
                computed("id"),
                required("administrative_unit_object_id"),
                required("role_object_id"),
                required("member_object_id"),
            ],
            fill: |v, g| {
                let au = text(v, "administrative_unit_object_id");
                let membership = known_id(&format!(
                    "role_member:{au}/{}/{}",
                    text(v, "role_object_id"),
                    text(v, "member_object_id")
                ))?;
                v.set(
                    "id",
                    Value::string(match g {
                        Generation::Two => format!("{au}/roleMember/{membership}"),
                        Generation::Three => format!(
                            "/directory/administrativeUnits/{au}/scopedRoleMembers/{membership}"
                        ),
                    }),
                );
                Ok(())
            },
        },
        StandIn {
            name: "azuread_directory_role_assignment",
            attributes: vec![
                computed("id"),
                required("role_id"),
                required("principal_object_id"),
                Attribute::string("directory_scope_id")
                    .optional_computed()
                    .requires_replace()
                    .describe("scope"),
                Attribute::string("app_scope_id")
                    .optional_computed()
                    .requires_replace()
                    .describe("app scope"),
            ],
            fill: |v, g| {
                let scope = text(v, "directory_scope_id");
                let id = known_id(&format!(
                    "assignment:{}/{}/{scope}",
                    text(v, "role_id"),
                    text(v, "principal_object_id")
                ))?;
                v.set(
                    "id",
                    Value::string(match g {
                        Generation::Two => id,
                        Generation::Three => {
                            format!("/roleManagement/directory/roleAssignments/{id}")
                        }
                    }),
                );
                if v.get("app_scope_id").is_unknown() {
                    v.set("app_scope_id", Value::Null);
                }
                Ok(())
            },
        },
    ]
}

#[async_trait]
impl DynResource<()> for StandIn {
    fn type_name(&self) -> &'static str {
        self.name
    }

    fn schema(&self) -> Schema {
        let mut block = Block::new(self.name);
        block.attributes = self.attributes.clone();
        let mut schema = Schema::new(block);
        schema.version = match generation() {
            Generation::Two => 0,
            Generation::Three => 1,
        };
        schema
    }

    fn check_model(&self) -> Result<(), ModelError> {
        Ok(())
    }

    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    async fn modify_plan(&self, _ctx: &Ctx<()>, _req: &mut PlanValues) -> Diagnostics {
        Diagnostics::new()
    }

    async fn create(
        &self,
        _ctx: &Ctx<()>,
        _config: Value,
        mut planned: Value,
    ) -> Result<Done<Value>, (Value, Diagnostics)> {
        (self.fill)(&mut planned, generation()).map_err(|d| (Value::Null, d))?;
        Ok(planned.into())
    }

    async fn read(&self, _ctx: &Ctx<()>, state: &Value) -> Result<Done<Value>, Diagnostics> {
        Ok(state.clone().into())
    }

    async fn update(
        &self,
        _ctx: &Ctx<()>,
        _config: Value,
        planned: Value,
        _prior: Value,
        _touched: Option<LastTouch>,
    ) -> Result<Done<Value>, (Value, Diagnostics)> {
        Ok(planned.into())
    }

    async fn delete(
        &self,
        _ctx: &Ctx<()>,
        _prior: Value,
        _touched: Option<LastTouch>,
    ) -> Result<Diagnostics, Diagnostics> {
        Ok(Diagnostics::new())
    }

    async fn import(&self, _ctx: &Ctx<()>, _id: &str) -> Result<Value, Diagnostics> {
        Err(Diagnostic::error("Not supported", "The stand-in does not import.").into())
    }

    async fn move_state(&self, _ctx: &Ctx<()>, _from: &MoveSource) -> Result<Value, Diagnostics> {
        Err(Diagnostic::error("Not supported", "The stand-in takes no moves.").into())
    }
}

struct AzureadStandIn;

#[async_trait]
impl Provider for AzureadStandIn {
    type Data = ();

    fn type_name(&self) -> &'static str {
        "azuread"
    }

    fn schema(&self) -> Schema {
        Schema::new(Block::new("A stand-in for hashicorp/azuread (tests only)."))
    }

    async fn configure(&self, _req: ConfigureRequest) -> Result<(), Diagnostics> {
        Ok(())
    }

    fn resources(&self) -> Vec<Arc<dyn DynResource<()>>> {
        stand_ins()
            .into_iter()
            .map(|r| Arc::new(r) as Arc<dyn DynResource<()>>)
            .collect()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DynDataSource<()>>> {
        Vec::new()
    }
}

const IDENTITY: Identity = Identity {
    binary: "terraform-provider-azuread",
    address: "registry.terraform.io/hashicorp/azuread",
    version: "0.0.0-stand-in",
    module: "azuread",
    log_targets: &["azuread_stand_in"],
};

fn main() -> ExitCode {
    provider_framework::plugin::serve::main(AzureadStandIn, &IDENTITY)
}
