//! A small protocol-agnostic provider framework: values, schemas, diagnostics,
//! the plan pipeline and the resource traits. It knows nothing of Graph.

pub mod codec;
pub mod diag;
pub mod model;
pub mod plan;
pub mod private;
pub mod resource;
pub mod schema;
pub mod server;
pub mod types;
pub mod validators;
pub mod value;

pub use diag::{Diagnostic, Diagnostics};
pub use resource::{
    ConfigureRequest, CreateFailed, CreateRequest, Ctx, DataSource, DeleteRequest,
    ModifyPlanRequest, Provider, ReadConsistency, ReadRequest, Resource, UpdateRequest,
};
pub use schema::{Attribute, Block, Nesting, Schema};
pub use types::Type;
pub use value::{AttributePath, Value};
