//! `data "entra_user"`: a user by user principal name or object id.

use async_trait::async_trait;
use provider_framework::{Attribute, Block, DataSource, Diagnostics, Done, Maybe, Schema};
use serde::{Deserialize, Serialize};

use crate::client::EntraClient;
use crate::support::{Ctx, call, data_source_error, exactly_one};

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_user";

/// The data source's attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserModel {
    /// Object id (a lookup key).
    pub id: Maybe<String>,
    /// User principal name (a lookup key).
    pub user_principal_name: Maybe<String>,
    /// Display name.
    pub display_name: Maybe<String>,
    /// Primary email.
    pub mail: Maybe<String>,
    /// Department.
    pub department: Maybe<String>,
    /// Job title.
    pub job_title: Maybe<String>,
    /// Can sign in.
    pub account_enabled: Maybe<bool>,
}

/// The `entra_user` data source.
#[derive(Debug, Clone, Copy)]
pub struct UserDataSource;

/// A user as Graph returns it.
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
    type Model = UserModel;

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

    async fn validate(&self, config: &UserModel) -> Diagnostics {
        exactly_one(&[
            ("id", !config.id.is_null()),
            ("user_principal_name", !config.user_principal_name.is_null()),
        ])
    }

    async fn read(&self, ctx: &Ctx, config: UserModel) -> Result<Done<UserModel>, Diagnostics> {
        let client = ctx.data()?;
        let key = config
            .id
            .as_deref()
            .or(config.user_principal_name.as_deref())
            .unwrap_or_default();
        let user: User = client
            .graph
            .get_user(&call(ctx), key, SELECT)
            .await
            .map_err(|e| data_source_error(TYPE_NAME, format!("Retrieving user {key:?}"), &e))?;
        Ok(UserModel {
            id: Maybe::Known(user.id),
            user_principal_name: Maybe::from_option(user.user_principal_name),
            display_name: Maybe::from_option(user.display_name),
            mail: Maybe::from_option(user.mail),
            department: Maybe::from_option(user.department),
            job_title: Maybe::from_option(user.job_title),
            account_enabled: Maybe::from_option(user.account_enabled),
        }
        .into())
    }
}
