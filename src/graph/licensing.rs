//! Whether the tenant is licensed for Microsoft Entra ID P1 or P2, from
//! `GET /subscribedSkus`: dynamic units, AU-scoped role assignments and custom roles
//! need it, and Graph accepts them without it (they just never take effect).

use serde::Deserialize;

use super::client::GraphClient;
use super::request::Call;

/// Service plans that carry Entra ID P1 or P2: (id, name).
const PREMIUM_PLANS: &[(&str, &str)] = &[
    ("41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM"),
    ("eec0eb4f-6444-4f95-aba0-50c24d67f998", "AAD_PREMIUM_P2"),
];

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubscribedSku {
    #[serde(default)]
    capability_status: String,
    #[serde(default)]
    service_plans: Vec<ServicePlan>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServicePlan {
    #[serde(default)]
    service_plan_id: String,
    #[serde(default)]
    service_plan_name: String,
}

impl ServicePlan {
    fn is_premium(&self) -> bool {
        PREMIUM_PLANS.iter().any(|(id, name)| {
            self.service_plan_id.eq_ignore_ascii_case(id)
                || self.service_plan_name.eq_ignore_ascii_case(name)
        })
    }
}

fn has_premium(skus: &[SubscribedSku]) -> bool {
    skus.iter()
        .filter(|s| !s.capability_status.eq_ignore_ascii_case("Suspended"))
        .filter(|s| !s.capability_status.eq_ignore_ascii_case("Deleted"))
        .any(|s| s.service_plans.iter().any(ServicePlan::is_premium))
}

impl GraphClient {
    /// Whether the tenant has an Entra ID P1 or P2 service plan: read once per
    /// process; `None` when the SKUs cannot be read (e.g. no `Organization.Read.All`).
    pub async fn tenant_has_premium(&self, call: &Call) -> Option<bool> {
        *self
            .premium
            .get_or_init(|| async {
                match self.list::<SubscribedSku>(call, "/subscribedSkus", &[]).await {
                    Ok(skus) => Some(has_premium(&skus)),
                    Err(e) => {
                        tracing::debug!(error = %e, "subscribed SKUs unreadable; licence not checked");
                        None
                    }
                }
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skus(json: serde_json::Value) -> Vec<SubscribedSku> {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn p1_or_p2_plans_count_and_suspended_skus_do_not() {
        let p1 = skus(
            serde_json::json!([{"capabilityStatus": "Enabled", "servicePlans": [
            {"servicePlanId": "41781fb2-bc02-4b7c-bd55-b576c07bb09d", "servicePlanName": "AAD_PREMIUM"}]}]),
        );
        assert!(has_premium(&p1));
        let free = skus(
            serde_json::json!([{"capabilityStatus": "Enabled", "servicePlans": [
            {"servicePlanId": "113feb6c-3fe4-4440-bddc-54d774bf0318", "servicePlanName": "EXCHANGE_S_FOUNDATION"}]}]),
        );
        assert!(!has_premium(&free));
        let suspended = skus(
            serde_json::json!([{"capabilityStatus": "Suspended", "servicePlans": [
            {"servicePlanName": "AAD_PREMIUM_P2"}]}]),
        );
        assert!(!has_premium(&suspended));
    }
}
