//! A small provider framework for Terraform plugins written in Rust: the protocol
//! edge (go-plugin handshake, AutoMTLS, tfplugin6 over gRPC), three-state values,
//! schemas, diagnostics, the plan pipeline, typed models and the resource traits.
//! Nothing in it knows which API a provider talks to.

pub mod codec;
pub mod diag;
pub mod erased;
pub mod logging;
pub mod model;
pub mod plan;
pub mod plugin;
pub mod private;
pub mod proto;
pub mod provider;
pub mod resource;
pub mod schema;
pub mod server;
pub mod timeouts;
pub mod types;
pub mod validators;
pub mod value;

pub use diag::{Diagnostic, Diagnostics};
pub use erased::{DynDataSource, DynResource};
pub use model::Maybe;
pub use provider::{ConfigureRequest, Provider, ReadConsistency};
pub use resource::{
    CreateRequest, Ctx, DataSource, DeleteRequest, Done, Failed, Model, ModifyPlanRequest,
    MoveSource, ReadRequest, Resource, UpdateRequest,
};
pub use schema::{Attribute, Block, Nesting, Schema};
pub use timeouts::Timeouts;
pub use types::Type;
pub use value::{AttributePath, Value};
