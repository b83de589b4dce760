//! Evaluates a rule against the Microsoft Graph JSON of a user or device.
//!
//! Semantics (Graph's documented behaviour, with inferred details marked):
//! - String comparisons and regexes are case-insensitive.
//! - A missing property or JSON `null` is null: `-eq null` is true, every positive
//!   operator (`-eq "x"`, `-startsWith`, `-contains`, `-match`, `-in`, `-le`, `-ge`) is
//!   false, and every negated operator is the exact negation of its positive form, so
//!   `-ne "x"` on null is true [infer].
//! - A single-valued property whose Graph JSON is an array (`businessPhones`,
//!   `systemLabels`) matches a positive operator if any element does [infer].
//! - `-any` over a missing or empty collection is false and `-all` is true [infer].
//! - `memberOf` is read from a `memberOf` array of group ids or of objects with `id`.
//! - `Direct Reports for "<id>"` matches when `managerId` (or `manager.id`) equals the
//!   id, and also the manager itself (per the reference notes).
//! - `-plus` durations: years and months are calendar months, days are 86,400 s.

use std::borrow::Cow;

use regex::RegexBuilder;
use serde_json::Value as Json;

use crate::ast::{Comparison, Expr, Operator, Property, Quantifier, Value};
use crate::rule::Rule;
use crate::time::DateTime;

/// Inputs to evaluation besides the object: the current time for `system.now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvalContext {
    /// The instant `system.now` stands for.
    pub now: DateTime,
}

impl EvalContext {
    /// A context whose `system.now` is `now`.
    pub fn at(now: DateTime) -> Self {
        Self { now }
    }

    /// A context whose `system.now` is `unix_seconds` after the epoch.
    pub fn at_unix_seconds(unix_seconds: i64) -> Self {
        Self::at(DateTime::from_unix_seconds(unix_seconds))
    }

    /// A context using the system clock.
    pub fn system_now() -> Self {
        let secs = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
        };
        Self::at_unix_seconds(secs)
    }
}

/// Whether `object` (a Graph user or device as JSON) satisfies `rule`.
///
/// Does not check that the rule's subject matches the object's type.
pub fn evaluate(rule: &Rule, object: &Json, ctx: &EvalContext) -> bool {
    Evaluator { object, ctx }.expr(&rule.expr().node, None)
}

struct Evaluator<'a> {
    object: &'a Json,
    ctx: &'a EvalContext,
}

impl<'a> Evaluator<'a> {
    fn expr(&self, e: &Expr, element: Option<&'a Json>) -> bool {
        match e {
            Expr::Or(items) => items.iter().any(|i| self.expr(&i.node, element)),
            Expr::And(items) => items.iter().all(|i| self.expr(&i.node, element)),
            Expr::Not(inner) => !self.expr(&inner.node, element),
            Expr::Comparison(c) => self.comparison(c, element),
            Expr::Collection(c) => {
                let items = match self.lookup(&c.property.node, element) {
                    None | Some(Json::Null) => Vec::new(),
                    Some(Json::Array(items)) => items.iter().collect(),
                    Some(other) => vec![other],
                };
                let test = |item: &&'a Json| self.expr(&c.condition.node, Some(item));
                match c.quantifier.node {
                    Quantifier::Any => items.iter().any(test),
                    Quantifier::All => items.iter().all(test),
                }
            }
            Expr::DirectReports(id) => {
                let manager = self
                    .object
                    .get("managerId")
                    .or_else(|| self.object.get("manager").and_then(|m| m.get("id")));
                [manager, self.object.get("id")]
                    .into_iter()
                    .flatten()
                    .filter_map(Json::as_str)
                    .any(|s| s.eq_ignore_ascii_case(&id.node))
            }
        }
    }

    fn lookup(&self, p: &Property, element: Option<&'a Json>) -> Option<&'a Json> {
        match p {
            Property::Known(d) => d
                .graph_path
                .split('.')
                .try_fold(self.object, |v, key| v.get(key)),
            Property::Extension(name) => self.object.get(name.as_str()),
            Property::Element => element,
            Property::AssignedPlan(field) => element?.get(field.name()),
            Property::GroupObjectId => match element? {
                Json::Object(o) => o.get("id"),
                other => Some(other),
            },
            Property::Unknown(_) => None,
        }
    }

    fn comparison(&self, c: &Comparison, element: Option<&'a Json>) -> bool {
        let actual = scalars(self.lookup(&c.property.node, element));
        let value = &c.value.node;
        match c.operator.node {
            Operator::Eq => self.equals(&actual, value),
            Operator::Ne => !self.equals(&actual, value),
            Operator::StartsWith => text_test(&actual, value, |a, v| a.starts_with(v)),
            Operator::NotStartsWith => !text_test(&actual, value, |a, v| a.starts_with(v)),
            Operator::EndsWith => text_test(&actual, value, |a, v| a.ends_with(v)),
            Operator::NotEndsWith => !text_test(&actual, value, |a, v| a.ends_with(v)),
            Operator::Contains => text_test(&actual, value, |a, v| a.contains(v)),
            Operator::NotContains => !text_test(&actual, value, |a, v| a.contains(v)),
            Operator::Match => regex_test(&actual, value),
            Operator::NotMatch => !regex_test(&actual, value),
            Operator::In => self.in_list(&actual, value),
            Operator::NotIn => !self.in_list(&actual, value),
            Operator::Le => self.order(&actual, value, |o| o.is_le()),
            Operator::Ge => self.order(&actual, value, |o| o.is_ge()),
        }
    }

    fn equals(&self, actual: &[&Json], value: &Value) -> bool {
        match value {
            Value::Null => actual.is_empty(),
            _ => actual.iter().any(|a| self.scalar_equals(a, value)),
        }
    }

    fn in_list(&self, actual: &[&Json], value: &Value) -> bool {
        match value {
            Value::Array(items) => items.iter().any(|i| self.equals(actual, &i.node)),
            other => self.equals(actual, other),
        }
    }

    fn scalar_equals(&self, a: &Json, value: &Value) -> bool {
        match value {
            Value::String(s) => {
                text(a).is_some_and(|t| t.to_lowercase() == s.to_lowercase())
                    || matches!((datetime_of(a), DateTime::parse(s)), (Some(x), Some(y)) if x == y)
            }
            Value::Number(n) => match a {
                Json::Number(num) => num.as_i64() == Some(*n) || num.as_f64() == Some(*n as f64),
                _ => text(a).is_some_and(|t| t == n.to_string()),
            },
            Value::Bool(b) => match a {
                Json::Bool(x) => x == b,
                _ => text(a)
                    .is_some_and(|t| t.eq_ignore_ascii_case(if *b { "true" } else { "false" })),
            },
            Value::DateTime(_) | Value::Now(_) => {
                datetime_of(a).is_some_and(|t| Some(t) == self.instant(value))
            }
            Value::Null | Value::Array(_) => false,
        }
    }

    /// The instant a date value stands for.
    fn instant(&self, value: &Value) -> Option<DateTime> {
        match value {
            Value::DateTime(t) => Some(*t),
            Value::Now(None) => Some(self.ctx.now),
            Value::Now(Some(d)) => self.ctx.now.checked_add(d),
            Value::String(s) => DateTime::parse(s),
            _ => None,
        }
    }

    fn order(
        &self,
        actual: &[&Json],
        value: &Value,
        accept: fn(std::cmp::Ordering) -> bool,
    ) -> bool {
        if let (Value::Number(n), true) = (value, actual.iter().all(|a| a.is_number())) {
            return actual
                .iter()
                .filter_map(|a| a.as_f64())
                .any(|a| a.partial_cmp(&(*n as f64)).is_some_and(accept));
        }
        let Some(target) = self.instant(value) else {
            return false;
        };
        actual
            .iter()
            .filter_map(|a| datetime_of(a))
            .any(|a| accept(a.cmp(&target)))
    }
}

/// The non-null scalar values of a JSON property (array elements, or the value itself).
fn scalars(v: Option<&Json>) -> Vec<&Json> {
    match v {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::Array(items)) => items.iter().filter(|i| !i.is_null()).collect(),
        Some(other) => vec![other],
    }
}

fn text(v: &Json) -> Option<Cow<'_, str>> {
    match v {
        Json::String(s) => Some(Cow::Borrowed(s)),
        Json::Number(n) => Some(Cow::Owned(n.to_string())),
        Json::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        _ => None,
    }
}

fn datetime_of(v: &Json) -> Option<DateTime> {
    v.as_str().and_then(DateTime::parse)
}

fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.to_lowercase()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Case-insensitive text test against any scalar.
fn text_test(actual: &[&Json], value: &Value, test: fn(&str, &str) -> bool) -> bool {
    let Some(needle) = value_text(value) else {
        return false;
    };
    actual
        .iter()
        .filter_map(|a| text(a))
        .any(|a| test(&a.to_lowercase(), &needle))
}

fn regex_test(actual: &[&Json], value: &Value) -> bool {
    let Value::String(pattern) = value else {
        return false;
    };
    let Ok(re) = RegexBuilder::new(pattern).case_insensitive(true).build() else {
        return false;
    };
    actual
        .iter()
        .filter_map(|a| text(a))
        .any(|a| re.is_match(&a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;
    use serde_json::json;

    const NOW: i64 = 1_700_000_000; // 2023-11-14T22:13:20Z

    fn eval(rule: &str, object: &Json) -> bool {
        let rule = parse(rule).unwrap_or_else(|e| panic!("{rule}: {e}"));
        evaluate(&rule, object, &EvalContext::at_unix_seconds(NOW))
    }

    fn user() -> Json {
        json!({
            "id": "11111111-2222-3333-4444-555555555555",
            "accountEnabled": true,
            "department": "Sales",
            "displayName": "David Jones",
            "jobTitle": "SDE II",
            "country": "US",
            "mail": null,
            "employeeHireDate": "2023-11-10T00:00:00Z",
            "proxyAddresses": ["SMTP:david@contoso.com", "smtp:dj@fabrikam.com"],
            "otherMails": [],
            "businessPhones": ["+1 555 0100"],
            "assignedPlans": [
                {"servicePlanId": "efb87545-963c-4e0d-99df-69c6916d9eb0", "service": "exchange", "capabilityStatus": "Enabled"},
                {"servicePlanId": "aaaaaaaa-963c-4e0d-99df-69c6916d9eb0", "service": "SharePoint", "capabilityStatus": "Deleted"}
            ],
            "onPremisesExtensionAttributes": {"extensionAttribute15": "Marketing", "extensionAttribute1": null},
            "extension_b7d8e5fa1b2c4d5e8f9a0b1c2d3e4f5a_costCenter": "CC-42",
            "memberOf": ["g1", {"id": "g2"}],
            "managerId": "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb"
        })
    }

    #[test]
    fn equality_and_case() {
        let u = user();
        assert!(eval("user.department -eq \"sales\"", &u));
        assert!(eval("user.DEPARTMENT -eq 'SALES'", &u));
        assert!(!eval("user.department -ne \"Sales\"", &u));
        assert!(eval("user.department -ne \"Marketing\"", &u));
        assert!(eval("user.accountEnabled -eq true", &u));
        assert!(!eval("user.accountEnabled -eq false", &u));
        assert!(eval("user.accountEnabled -eq \"TRUE\"", &u));
    }

    #[test]
    fn string_operators() {
        let u = user();
        for (rule, want) in [
            ("user.jobTitle -startsWith \"sde\"", true),
            ("user.jobTitle -notStartsWith \"SDE\"", false),
            ("user.displayName -endsWith \"JONES\"", true),
            ("user.displayName -notEndsWith \"Smith\"", true),
            ("user.displayName -contains \"vid j\"", true),
            ("user.displayName -notContains \"vid\"", false),
            ("user.displayName -match \"^da.*\"", true),
            ("user.displayName -match \"^Av\"", false),
            ("user.displayName -notMatch \"^Da\"", false),
            ("user.department -in [\"50001\",\"sales\"]", true),
            ("user.department -notIn [\"Sales\"]", false),
            ("user.telephoneNumber -startsWith \"+1\"", true),
        ] {
            assert_eq!(eval(rule, &u), want, "{rule}");
        }
    }

    #[test]
    fn null_handling() {
        let u = user();
        assert!(eval("user.mail -eq null", &u));
        assert!(eval("user.city -eq null", &u));
        assert!(!eval("user.department -eq null", &u));
        assert!(eval("user.department -ne null", &u));
        assert!(!eval("user.city -eq \"x\"", &u));
        assert!(eval("user.city -ne \"x\"", &u));
        assert!(!eval("user.city -startsWith \"x\"", &u));
        assert!(eval("user.city -notStartsWith \"x\"", &u));
        assert!(eval("user.city -eq \"null\"", &json!({"city": "NULL"})));
        assert!(eval("user.objectId -ne null", &u));
    }

    #[test]
    fn collections() {
        let u = user();
        assert!(eval(
            "user.proxyAddresses -any (_ -startsWith \"smtp:dj\")",
            &u
        ));
        assert!(!eval(
            "user.proxyAddresses -all (_ -endsWith \"contoso.com\")",
            &u
        ));
        assert!(eval("user.proxyAddresses -all (_ -contains \"@\")", &u));
        assert!(!eval("user.otherMails -any (_ -contains \"@\")", &u));
        assert!(eval("user.otherMails -all (_ -contains \"@\")", &u));
        assert!(eval(
            "user.assignedPlans -any (assignedPlan.servicePlanId -eq \"EFB87545-963c-4e0d-99df-69c6916d9eb0\" -and assignedPlan.capabilityStatus -eq \"Enabled\")",
            &u
        ));
        assert!(!eval(
            "user.assignedPlans -any (assignedPlan.service -eq \"SharePoint\" -and assignedPlan.capabilityStatus -eq \"Enabled\")",
            &u
        ));
        assert!(!eval(
            "user.assignedPlans -all (assignedPlan.servicePlanId -eq null)",
            &u
        ));
        assert!(eval(
            "user.assignedPlans -all (assignedPlan.servicePlanId -eq null)",
            &json!({})
        ));
        assert!(eval(
            "user.memberOf -any (group.objectId -in ['G2','g9'])",
            &u
        ));
        assert!(!eval("user.memberOf -any (group.objectId -in ['g3'])", &u));
        // A string operator straight on a collection: any element; negated, none.
        assert!(eval("user.proxyAddresses -startsWith \"smtp:dj\"", &u));
        assert!(!eval(
            "user.proxyAddresses -notEndsWith \"fabrikam.com\"",
            &u
        ));
        assert!(eval(
            "user.proxyAddresses -notEndsWith \"@outlook.com\"",
            &u
        ));
        assert!(!eval("user.otherMails -startsWith \"alias@\"", &u));
    }

    #[test]
    fn extension_attributes() {
        let u = user();
        assert!(eval("user.extensionAttribute15 -eq \"marketing\"", &u));
        assert!(eval("user.extensionAttribute1 -eq null", &u));
        assert!(eval("user.extensionAttribute2 -eq null", &u));
        assert!(eval(
            "user.extension_b7d8e5fa1b2c4d5e8f9a0b1c2d3e4f5a_costCenter -eq \"cc-42\"",
            &u
        ));
        let d = json!({"extensionAttributes": {"extensionAttribute3": "Kiosk"}});
        assert!(eval("device.extensionAttribute3 -eq \"kiosk\"", &d));
    }

    #[test]
    fn devices() {
        let d = json!({
            "id": "d1", "operatingSystem": "iPhone", "operatingSystemVersion": "17.1",
            "manufacturer": "Apple", "model": "iPhone 15", "trustType": "Workplace",
            "physicalIds": ["[ZTDId]abc", "[USER-GID]x"], "isRooted": false,
            "deviceOwnership": "Company", "systemLabels": ["M365Managed"]
        });
        assert!(eval(
            "(device.deviceOSType -eq \"iPad\") -or (device.deviceOSType -eq \"iPhone\")",
            &d
        ));
        assert!(eval("deviceOSType -eq 'iphone'", &d));
        assert!(eval(
            "device.devicePhysicalIds -any _ -startsWith \"[ZTDId]\"",
            &d
        ));
        assert!(eval(
            "device.deviceManufacturer -eq \"apple\" -and device.deviceModel -contains \"15\"",
            &d
        ));
        assert!(eval(
            "device.deviceTrustType -eq \"workplace\" -and device.isRooted -eq false",
            &d
        ));
        assert!(eval("device.systemLabels -contains \"M365\"", &d));
        assert!(eval("device.objectId -ne null", &d));
        assert!(eval("device.deviceOSVersion -startsWith \"17\"", &d));
    }

    #[test]
    fn dates() {
        let u = user();
        assert!(eval("user.employeeHireDate -le system.now", &u));
        assert!(!eval("user.employeeHireDate -ge system.now", &u));
        assert!(eval("user.employeeHireDate -ge system.now -plus -P7D", &u));
        assert!(!eval("user.employeeHireDate -ge system.now -plus -P1D", &u));
        assert!(eval("user.employeeHireDate -le 2023-11-10", &u));
        assert!(eval(
            "user.employeeHireDate -ge \"2023-11-09T23:59:59Z\"",
            &u
        ));
        assert!(eval(
            "user.employeeHireDate -eq 2023-11-10T01:00:00+01:00",
            &u
        ));
        assert!(!eval("user.employeeHireDate -le system.now", &json!({})));
    }

    #[test]
    fn boolean_structure_and_direct_reports() {
        let u = user();
        assert!(eval(
            "(user.department -eq \"Sales\") -and -not (user.jobTitle -startsWith \"PM\")",
            &u
        ));
        assert!(eval(
            "user.country -eq \"US\" -and (user.department -eq \"Marketing\" -or user.department -eq \"Sales\")",
            &u
        ));
        assert!(!eval(
            "-not (user.country -eq \"US\") -or user.department -eq \"HR\"",
            &u
        ));
        assert!(eval(
            "Direct Reports for \"AAAAAAAA-0000-1111-2222-bbbbbbbbbbbb\"",
            &u
        ));
        assert!(!eval(
            "Direct Reports for \"aaaaaaaa-0000-1111-2222-cccccccccccc\"",
            &u
        ));
        assert!(eval(
            "Direct Reports for \"aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb\"",
            &json!({"manager": {"id": "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb"}})
        ));
        assert!(eval(
            "Direct Reports for \"aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb\"",
            &json!({"id": "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb"})
        ));
    }

    #[test]
    fn system_clock_is_sane() {
        assert!(EvalContext::system_now().now.unix_seconds > NOW);
    }
}
