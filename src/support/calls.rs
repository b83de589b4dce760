//! Graph call contexts: each bounded by the operation's timeout and stopped when
//! Terraform asks the provider to stop.

use std::time::Duration;

use provider_framework::Timeouts;
use provider_framework::timeouts::Op;

use crate::client::EntraClient;
use crate::graph::Call;

/// The framework's call context with this provider's data.
pub type Ctx = provider_framework::Ctx<EntraClient>;

/// Default time an operation may take, retries and replication waits included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// A Graph call context for `op`, bounded by the resource's `timeouts` block.
pub fn call_for(ctx: &Ctx, timeouts: Option<&Timeouts>, op: Op) -> Call {
    call_within(ctx, Timeouts::limit(timeouts, op, DEFAULT_TIMEOUT))
}

/// A Graph call context with the default timeout (data sources).
pub fn call(ctx: &Ctx) -> Call {
    call_within(ctx, DEFAULT_TIMEOUT)
}

fn call_within(ctx: &Ctx, limit: Duration) -> Call {
    Call::new(limit, ctx.cancel.clone()).counting(ctx.in_flight.clone())
}
