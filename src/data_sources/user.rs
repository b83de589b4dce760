//! `data "entra_user"`: a user by user principal name or object id.

use async_trait::async_trait;
use serde::Deserialize;

use super::exactly_one;
use crate::framework::{Attribute, Block, Ctx, DataSource, Diagnostics, Schema, Value};
use crate::provider::EntraClient;
use crate::resources::common::{call, data_source_error, string_of};

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_user";

/// The `entra_user` data source.
#[derive(Debug, Clone, Copy)]
pub struct UserDataSource;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct User {
    id: String,
    user_principal_name: Option<String>,
    display_name: Option<String>,
    mail: Option<String>,
    department: Option<String>,
    job_title: Option<String>,
    account_enabled: Option<bool>,
}

const SELECT: &str = "id,userPrincipalName,displayName,mail,department,jobTitle,accountEnabled";

#[async_trait]
impl DataSource<EntraClient> for UserDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new(
                "Looks up a user by user principal name or object ID. Needs `User.Read.All`.",
            )
            .attribute(
                Attribute::string("id")
                    .optional_computed()
                    .describe("The object ID. Set this or `user_principal_name`."),
            )
            .attribute(
                Attribute::string("user_principal_name")
                    .optional_computed()
                    .describe(
                        "The user principal name, e.g. `adele@contoso.com`. Set this or `id`.",
                    ),
            )
            .attribute(
                Attribute::string("display_name")
                    .computed()
                    .describe("The display name."),
            )
            .attribute(
                Attribute::string("mail")
                    .computed()
                    .describe("The primary email address."),
            )
            .attribute(
                Attribute::string("department")
                    .computed()
                    .describe("The department."),
            )
            .attribute(
                Attribute::string("job_title")
                    .computed()
                    .describe("The job title."),
            )
            .attribute(
                Attribute::bool("account_enabled")
                    .computed()
                    .describe("Whether the account can sign in."),
            ),
        )
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        exactly_one(config, &["id", "user_principal_name"])
    }

    async fn read(&self, ctx: &Ctx<EntraClient>, config: Value) -> Result<Value, Diagnostics> {
        let client = ctx.data()?;
        let key = string_of(&config, "id")
            .or_else(|| string_of(&config, "user_principal_name"))
            .unwrap_or_default();
        let user: User = client
            .graph
            .get_user(&call(ctx), &key, SELECT)
            .await
            .map_err(|e| data_source_error(TYPE_NAME, format!("Retrieving user {key:?}"), &e))?;
        Ok(Value::object([
            ("id", Value::string(user.id)),
            (
                "user_principal_name",
                Value::opt_string(user.user_principal_name),
            ),
            ("display_name", Value::opt_string(user.display_name)),
            ("mail", Value::opt_string(user.mail)),
            ("department", Value::opt_string(user.department)),
            ("job_title", Value::opt_string(user.job_title)),
            ("account_enabled", Value::opt_bool(user.account_enabled)),
        ]))
    }
}
