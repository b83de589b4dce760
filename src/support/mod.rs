//! Helpers shared by resources and data sources: Graph errors as diagnostics, Graph
//! call contexts from `timeouts`, import ids, plan-time checks of units, lookups and
//! membership rules as diagnostics. They sit below both, so neither depends on the other.

mod calls;
mod errors;
mod licence;
mod lookup;
pub mod membership_rule;
mod units;

pub use calls::{Ctx, DEFAULT_TIMEOUT, call, call_for};
pub use errors::{data_source_error, graph_error, parse_import_id};
pub use licence::premium_warning;
pub use lookup::exactly_one;
pub use units::{note_recent, planned_unit};
