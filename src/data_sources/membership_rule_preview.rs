//! `data "entra_membership_rule_preview"`: who a dynamic membership rule would select,
//! evaluated by the provider over the tenant's users or devices before anything is applied.

use async_trait::async_trait;
use entra_rules::{EvalContext, Subject};
use provider_framework::{
    Attribute, AttributePath, Block, DataSource, Diagnostic, Diagnostics, Done, Maybe, Schema, Type,
};
use serde::{Deserialize, Serialize};

use crate::client::EntraClient;
use crate::support::membership_rule;
use crate::support::{Ctx, call, data_source_error};

/// The Terraform type name.
pub const TYPE_NAME: &str = "entra_membership_rule_preview";

/// The data source's attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MembershipRulePreviewModel {
    /// The rule to evaluate.
    pub rule: Maybe<String>,
    /// `user` or `device`.
    pub subject: Maybe<String>,
    /// Selected object ids.
    pub object_ids: Maybe<Vec<String>>,
    /// Their display names.
    pub display_names: Maybe<Vec<String>>,
    /// How many.
    pub match_count: Maybe<i64>,
}

/// The `entra_membership_rule_preview` data source.
#[derive(Debug, Clone, Copy)]
pub struct MembershipRulePreviewDataSource;

/// Properties a rule may need that `$select` cannot fetch directly.
const NOT_SELECTABLE: &[&str] = &["memberOf", "managerId"];

#[async_trait]
impl DataSource<EntraClient> for MembershipRulePreviewDataSource {
    type Model = MembershipRulePreviewModel;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new(
                "Evaluates a dynamic membership rule over the tenant's users or devices and returns who it \
                 selects, so a rule can be checked before a dynamic administrative unit uses it. Reads only the \
                 properties the rule needs; needs `User.Read.All` (user rules) or `Device.Read.All` (device rules).",
            )
            .attribute(Attribute::string("rule").required().describe("The membership rule to evaluate."))
            .attribute(Attribute::string("subject").computed().describe("`user` or `device`: what the rule selects."))
            .attribute(
                Attribute::new("object_ids", Type::list(Type::String))
                    .computed()
                    .describe("The object IDs the rule selects, sorted by display name."),
            )
            .attribute(
                Attribute::new("display_names", Type::list(Type::String))
                    .computed()
                    .describe("The display names of the selected objects, in the order of `object_ids`."),
            )
            .attribute(Attribute::new("match_count", Type::Number).computed().describe("How many objects the rule selects.")),
        )
    }

    async fn validate(&self, config: &MembershipRulePreviewModel) -> Diagnostics {
        match config.rule.as_deref() {
            Some(text) => membership_rule::validate(text, &AttributePath::root("rule")),
            None => Diagnostics::new(),
        }
    }

    async fn read(
        &self,
        ctx: &Ctx,
        config: MembershipRulePreviewModel,
    ) -> Result<Done<MembershipRulePreviewModel>, Diagnostics> {
        let client = ctx.data()?;
        let text = config.rule.known().cloned().unwrap_or_default();
        let rule = entra_rules::parse_for_administrative_unit(&text)
            .map_err(|_| membership_rule::validate(&text, &AttributePath::root("rule")))?;
        let needs = rule.graph_properties();
        if needs.contains(&"memberOf") {
            return Err(Diagnostic::attribute_error(
                "rule",
                "Preview not available for memberOf rules",
                "memberOf rules select the direct members of groups; list those groups' members instead.",
            )
            .into());
        }
        let (collection, subject) = match rule.subject() {
            Subject::User => ("users", "user"),
            Subject::Device => ("devices", "device"),
        };
        let mut select: Vec<&str> = vec!["id", "displayName"];
        select.extend(
            needs
                .iter()
                .copied()
                .filter(|p| !NOT_SELECTABLE.contains(p)),
        );
        select.sort_unstable();
        select.dedup();
        let mut select = select.join(",");
        let wants_manager = needs.contains(&"managerId");
        if wants_manager {
            select.push_str("&$expand=manager($select=id)");
        }
        let objects: Vec<serde_json::Value> = client
            .graph
            .list_directory(&call(ctx), collection, &select)
            .await
            .map_err(|e| {
                data_source_error(
                    TYPE_NAME,
                    format!("Listing {collection} to preview the rule"),
                    &e,
                )
            })?;
        let now = EvalContext::system_now();
        let mut selected: Vec<(String, String)> = objects
            .into_iter()
            .map(|mut o| {
                if wants_manager {
                    let manager = o.get("manager").and_then(|m| m.get("id")).cloned();
                    if let (Some(map), Some(manager)) = (o.as_object_mut(), manager) {
                        map.insert("managerId".to_owned(), manager);
                    }
                }
                o
            })
            .filter(|o| entra_rules::evaluate(&rule, o, &now))
            .map(|o| {
                let id = o
                    .get("id")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned();
                let name = o
                    .get("displayName")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned();
                (name, id)
            })
            .collect();
        selected.sort();
        let count = i64::try_from(selected.len()).unwrap_or(i64::MAX);
        let (names, ids): (Vec<String>, Vec<String>) = selected.into_iter().unzip();
        Ok(MembershipRulePreviewModel {
            rule: Maybe::Known(text),
            subject: Maybe::Known(subject.to_owned()),
            object_ids: Maybe::Known(ids),
            display_names: Maybe::Known(names),
            match_count: Maybe::Known(count),
        }
        .into())
    }
}
