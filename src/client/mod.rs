//! What every resource and data source call receives once the provider is
//! configured: the Graph client, and what planning some resources taught about others.

mod plan_notes;

pub use plan_notes::PlanNotes;

use crate::graph::GraphClient;

/// The provider's configured state.
#[derive(Debug)]
pub struct EntraClient {
    /// The Graph client.
    pub graph: GraphClient,
    /// What planning some resources taught about others in this process.
    pub plan_notes: PlanNotes,
}

impl EntraClient {
    /// A client around `graph`, with nothing planned yet.
    pub fn new(graph: GraphClient) -> EntraClient {
        EntraClient {
            graph,
            plan_notes: PlanNotes::default(),
        }
    }
}
