//! The tenant's subscribed SKUs (`GET /subscribedSkus`), with Microsoft's real SKU and
//! service plan ids. By default the tenant holds Microsoft Entra ID P1 (`AAD_PREMIUM`);
//! without premium it holds only Exchange Online (Plan 1), which has no Entra ID P1 or
//! P2 service plan.

use serde_json::{Value, json};

use super::model::derived_guid;

/// Service plan id of Microsoft Entra ID P1 (`AAD_PREMIUM`).
pub const ENTRA_ID_P1_PLAN: &str = "41781fb2-bc02-4b7c-bd55-b576c07bb09d";
/// Service plan id of Microsoft Entra ID P2 (`AAD_PREMIUM_P2`).
pub const ENTRA_ID_P2_PLAN: &str = "eec0eb4f-6444-4f95-aba0-50c24d67f998";
/// SKU id of Microsoft Entra ID P1 (`AAD_PREMIUM`).
pub const ENTRA_ID_P1_SKU: &str = "078d2b04-f1bd-4111-bbd4-b4b1b354cef4";
/// SKU id of Exchange Online (Plan 1) (`EXCHANGESTANDARD`).
pub const EXCHANGE_STANDARD_SKU: &str = "4b9405b0-7788-4568-add1-99614e613b69";

/// A service plan: id, name, what it applies to.
type Plan = (&'static str, &'static str, &'static str);

/// A SKU: id, part number, service plans.
struct Sku {
    id: &'static str,
    part_number: &'static str,
    plans: &'static [Plan],
}

const ENTRA_ID_P1: Sku = Sku {
    id: ENTRA_ID_P1_SKU,
    part_number: "AAD_PREMIUM",
    plans: &[
        (ENTRA_ID_P1_PLAN, "AAD_PREMIUM", "User"),
        (
            "8a256a2b-b617-496d-b51b-e76466e88db0",
            "MFA_PREMIUM",
            "User",
        ),
        (
            "932ad362-64a8-4783-9106-97849a1a30b9",
            "ADALLOM_S_DISCOVERY",
            "User",
        ),
        (
            "113feb6c-3fe4-4440-bddc-54d774bf0318",
            "EXCHANGE_S_FOUNDATION",
            "Company",
        ),
    ],
};

const EXCHANGE_STANDARD: Sku = Sku {
    id: EXCHANGE_STANDARD_SKU,
    part_number: "EXCHANGESTANDARD",
    plans: &[
        (
            "9aaf7827-d63c-4b61-89c3-182f06f82e5c",
            "EXCHANGE_S_STANDARD",
            "User",
        ),
        (
            "113feb6c-3fe4-4440-bddc-54d774bf0318",
            "EXCHANGE_S_FOUNDATION",
            "Company",
        ),
    ],
};

/// Graph's `subscribedSku` objects for a tenant, with or without Entra ID P1.
pub fn subscribed_skus(tenant_id: &str, tenant_name: &str, premium: bool) -> Vec<Value> {
    let skus: &[Sku] = if premium {
        &[ENTRA_ID_P1, EXCHANGE_STANDARD]
    } else {
        &[EXCHANGE_STANDARD]
    };
    skus.iter()
        .map(|sku| sku_json(tenant_id, tenant_name, sku))
        .collect()
}

fn sku_json(tenant_id: &str, tenant_name: &str, sku: &Sku) -> Value {
    let plans: Vec<Value> = sku
        .plans
        .iter()
        .map(|(id, name, applies_to)| {
            json!({
                "servicePlanId": id,
                "servicePlanName": name,
                "provisioningStatus": "Success",
                "appliesTo": applies_to,
            })
        })
        .collect();
    json!({
        "accountName": tenant_name,
        "accountId": tenant_id,
        "appliesTo": "User",
        "capabilityStatus": "Enabled",
        "consumedUnits": 0,
        "id": format!("{tenant_id}_{}", sku.id),
        "prepaidUnits": {"enabled": 25, "lockedOut": 0, "suspended": 0, "warning": 0},
        "servicePlans": plans,
        "skuId": sku.id,
        "skuPartNumber": sku.part_number,
        "subscriptionIds": [derived_guid(&[tenant_id, "subscription", sku.id])],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_ids(skus: &[Value]) -> Vec<String> {
        skus.iter()
            .flat_map(|s| s["servicePlans"].as_array().cloned().unwrap_or_default())
            .filter_map(|p| p["servicePlanId"].as_str().map(str::to_owned))
            .collect()
    }

    #[test]
    fn premium_has_p1_and_basic_has_neither() {
        let premium = subscribed_skus("t", "T", true);
        assert!(plan_ids(&premium).iter().any(|p| p == ENTRA_ID_P1_PLAN));
        let basic = subscribed_skus("t", "T", false);
        let ids = plan_ids(&basic);
        assert!(
            !ids.iter()
                .any(|p| p == ENTRA_ID_P1_PLAN || p == ENTRA_ID_P2_PLAN)
        );
        assert_eq!(basic[0]["id"], format!("t_{EXCHANGE_STANDARD_SKU}"));
    }
}
