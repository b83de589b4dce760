//! The plan-time warning for features that need Microsoft Entra ID P1 or P2.

use provider_framework::timeouts::Op;
use provider_framework::{Diagnostic, Diagnostics};

use super::calls::{Ctx, call_for};
use crate::client::EntraClient;

/// A warning on `attribute` when the tenant's subscriptions show no Entra ID P1 or P2
/// service plan; nothing when they do or cannot be read (logged at debug).
pub async fn premium_warning(
    ctx: &Ctx,
    client: &EntraClient,
    attribute: &str,
    consequence: &str,
) -> Diagnostics {
    let call = call_for(ctx, None, Op::Read);
    if client.graph.tenant_has_premium(&call).await != Some(false) {
        return Diagnostics::new();
    }
    let path = provider_framework::AttributePath::root(attribute);
    Diagnostic::warning(
            "Microsoft Entra ID P1 licence not found",
            format!(
                "This tenant's subscriptions (GET /subscribedSkus) include no Microsoft Entra ID P1 or P2 \
                 service plan. Graph accepts this, but {consequence} until the tenant has P1 or P2."
            ),
        )
        .at(path)
        .into()
}
