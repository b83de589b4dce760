//! Directory model and tenant state.

pub mod defaults;
pub mod demo;
pub mod journal;
pub mod licensing;
pub mod links;
pub mod model;
pub mod roles;
pub mod roles_catalog;
pub mod schema;
pub mod seed;
pub mod tenant;

pub use journal::{ChangeSet, Delta, ObjState};
pub use model::{DirObject, ObjectKind};
pub use tenant::Tenant;
