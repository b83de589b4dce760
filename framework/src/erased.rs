//! Type erasure: the server handles every resource and data source through these
//! value-based traits, implemented for each typed [`Resource`] and [`DataSource`] by
//! decoding values into its model and encoding the results back.

use std::sync::Arc;

use async_trait::async_trait;

use super::diag::{Diagnostic, Diagnostics};
use super::model::{ModelError, check_model, decode, encode};
use super::private::LastTouch;
use super::resource::{
    CreateRequest, Ctx, DataSource, DeleteRequest, Done, Model, ModifyPlanRequest, MoveSource,
    ReadRequest, Resource, UpdateRequest,
};
use super::schema::Schema;
use super::value::{AttributePath, Value};

/// A resource as the server sees it: values in, values out.
#[async_trait]
pub trait DynResource<D>: Send + Sync {
    /// The full type name.
    fn type_name(&self) -> &'static str;
    /// The schema.
    fn schema(&self) -> Schema;
    /// Whether the model has exactly the schema's attributes and blocks.
    fn check_model(&self) -> Result<(), ModelError>;
    /// Cross-attribute checks.
    async fn validate(&self, config: &Value) -> Diagnostics;
    /// Plan adjustments.
    async fn modify_plan(&self, ctx: &Ctx<D>, req: &mut PlanValues) -> Diagnostics;
    /// Create: the new state, or the partial state left by a failure.
    async fn create(
        &self,
        ctx: &Ctx<D>,
        config: Value,
        planned: Value,
    ) -> Result<Done<Value>, (Value, Diagnostics)>;
    /// Read: the state, or null when gone.
    async fn read(&self, ctx: &Ctx<D>, state: &Value) -> Result<Done<Value>, Diagnostics>;
    /// Update in place.
    async fn update(
        &self,
        ctx: &Ctx<D>,
        config: Value,
        planned: Value,
        prior: Value,
        touched: Option<LastTouch>,
    ) -> Result<Done<Value>, (Value, Diagnostics)>;
    /// Delete.
    async fn delete(
        &self,
        ctx: &Ctx<D>,
        prior: Value,
        touched: Option<LastTouch>,
    ) -> Result<Diagnostics, Diagnostics>;
    /// Import by id.
    async fn import(&self, ctx: &Ctx<D>, id: &str) -> Result<Value, Diagnostics>;
    /// A state for an object of another resource type (a `moved` block).
    async fn move_state(&self, ctx: &Ctx<D>, from: &MoveSource) -> Result<Value, Diagnostics>;
}

/// A data source as the server sees it.
#[async_trait]
pub trait DynDataSource<D>: Send + Sync {
    /// The full type name.
    fn type_name(&self) -> &'static str;
    /// The schema.
    fn schema(&self) -> Schema;
    /// Whether the model has exactly the schema's attributes and blocks.
    fn check_model(&self) -> Result<(), ModelError>;
    /// Cross-attribute checks.
    async fn validate(&self, config: &Value) -> Diagnostics;
    /// Read.
    async fn read(&self, ctx: &Ctx<D>, config: Value) -> Result<Done<Value>, Diagnostics>;
}

/// The plan of one resource change, as values.
#[derive(Debug, Clone)]
pub struct PlanValues {
    /// The configuration.
    pub config: Value,
    /// The prior state (null on create).
    pub prior: Value,
    /// The planned state.
    pub planned: Value,
    /// Attributes forcing replacement.
    pub requires_replace: Vec<AttributePath>,
}

/// A resource, ready for the provider's list of resources.
pub fn resource<D, R>(resource: R) -> Arc<dyn DynResource<D>>
where
    D: Send + Sync + 'static,
    R: Resource<D>,
{
    Arc::new(Typed(resource))
}

/// A data source, ready for the provider's list of data sources.
pub fn data_source<D, S>(data_source: S) -> Arc<dyn DynDataSource<D>>
where
    D: Send + Sync + 'static,
    S: DataSource<D>,
{
    Arc::new(Typed(data_source))
}

struct Typed<T>(T);

/// A model that does not fit its values is a provider bug: say so plainly.
fn model_bug(type_name: &str, err: &ModelError) -> Diagnostics {
    Diagnostic::error(
        "Provider bug: value does not fit the model",
        format!("{type_name}: {err}. Please report this."),
    )
    .into()
}

fn decode_as<M: Model>(type_name: &str, value: &Value) -> Result<M, Diagnostics> {
    decode(value).map_err(|e| model_bug(type_name, &e))
}

fn encode_as<M: Model>(type_name: &str, model: &M) -> Result<Value, Diagnostics> {
    encode(model).map_err(|e| model_bug(type_name, &e))
}

/// `encoded` with each attribute the model could only see as unknown (a set with
/// some unknown elements) put back as it was planned.
fn keep_partly_known(planned: &Value, mut encoded: Value) -> Value {
    let (Value::Map(before), Value::Map(after)) = (planned, &mut encoded) else {
        return encoded;
    };
    for (name, value) in after.iter_mut() {
        if let Some(original) = before.get(name)
            && value.is_unknown()
            && !original.is_unknown()
            && !original.is_wholly_known()
        {
            *value = original.clone();
        }
    }
    encoded
}

#[async_trait]
impl<D, R> DynResource<D> for Typed<R>
where
    D: Send + Sync + 'static,
    R: Resource<D>,
{
    fn type_name(&self) -> &'static str {
        self.0.type_name()
    }

    fn schema(&self) -> Schema {
        self.0.schema()
    }

    fn check_model(&self) -> Result<(), ModelError> {
        check_model::<R::Model>(&self.0.schema())
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        match decode_as::<R::Model>(self.type_name(), config) {
            Ok(model) => self.0.validate(&model).await,
            Err(diags) => diags,
        }
    }

    async fn modify_plan(&self, ctx: &Ctx<D>, req: &mut PlanValues) -> Diagnostics {
        let name = self.type_name();
        let decoded = (|| {
            Ok::<_, Diagnostics>(ModifyPlanRequest {
                config: decode_as::<R::Model>(name, &req.config)?,
                prior: match &req.prior {
                    Value::Null => None,
                    prior => Some(decode_as::<R::Model>(name, prior)?),
                },
                planned: decode_as::<R::Model>(name, &req.planned)?,
                requires_replace: req.requires_replace.clone(),
            })
        })();
        let mut typed = match decoded {
            Ok(typed) => typed,
            Err(diags) => return diags,
        };
        let mut diags = self.0.modify_plan(ctx, &mut typed).await;
        match encode_as(name, &typed.planned) {
            Ok(planned) => req.planned = keep_partly_known(&req.planned, planned),
            Err(bug) => diags.extend(bug),
        }
        req.requires_replace = typed.requires_replace;
        diags
    }

    async fn create(
        &self,
        ctx: &Ctx<D>,
        config: Value,
        planned: Value,
    ) -> Result<Done<Value>, (Value, Diagnostics)> {
        let name = self.type_name();
        let req = CreateRequest {
            config: decode_as(name, &config).map_err(|d| (Value::Null, d))?,
            planned: decode_as(name, &planned).map_err(|d| (Value::Null, d))?,
        };
        match self.0.create(ctx, req).await {
            Ok(done) => {
                let value = encode_as(name, &done.value).map_err(|d| (Value::Null, d))?;
                Ok(Done::with_warnings(value, done.warnings))
            }
            Err(failed) => {
                let partial = match failed.partial.as_ref().map(|p| encode_as(name, p)) {
                    Some(Ok(value)) => value,
                    _ => Value::Null,
                };
                Err((partial, failed.diagnostics))
            }
        }
    }

    async fn read(&self, ctx: &Ctx<D>, state: &Value) -> Result<Done<Value>, Diagnostics> {
        let name = self.type_name();
        let req = ReadRequest {
            state: decode_as(name, state)?,
        };
        let done = self.0.read(ctx, req).await?;
        let value = match &done.value {
            Some(model) => encode_as(name, model)?,
            None => Value::Null,
        };
        Ok(Done::with_warnings(value, done.warnings))
    }

    async fn update(
        &self,
        ctx: &Ctx<D>,
        config: Value,
        planned: Value,
        prior: Value,
        touched: Option<LastTouch>,
    ) -> Result<Done<Value>, (Value, Diagnostics)> {
        let name = self.type_name();
        let keep = |d: Diagnostics| (prior.clone(), d);
        let req = UpdateRequest {
            config: decode_as(name, &config).map_err(keep)?,
            planned: decode_as(name, &planned).map_err(keep)?,
            prior: decode_as(name, &prior).map_err(keep)?,
            touched,
        };
        match self.0.update(ctx, req).await {
            Ok(done) => Ok(Done::with_warnings(
                encode_as(name, &done.value).map_err(keep)?,
                done.warnings,
            )),
            Err(failed) => {
                let left = match failed.partial.as_ref().map(|p| encode_as(name, p)) {
                    Some(Ok(value)) => value,
                    _ => prior.clone(),
                };
                Err((left, failed.diagnostics))
            }
        }
    }

    async fn delete(
        &self,
        ctx: &Ctx<D>,
        prior: Value,
        touched: Option<LastTouch>,
    ) -> Result<Diagnostics, Diagnostics> {
        let req = DeleteRequest {
            prior: decode_as(self.type_name(), &prior)?,
            touched,
        };
        self.0.delete(ctx, req).await.map(|done| done.warnings)
    }

    async fn import(&self, ctx: &Ctx<D>, id: &str) -> Result<Value, Diagnostics> {
        let model = self.0.import(ctx, id).await?;
        encode_as(self.type_name(), &model)
    }

    async fn move_state(&self, ctx: &Ctx<D>, from: &MoveSource) -> Result<Value, Diagnostics> {
        match self.0.move_state(ctx, from).await {
            Some(moved) => encode_as(self.type_name(), &moved?),
            None => Err(Diagnostic::error(
                "Unsupported move",
                format!(
                    "{} cannot take over a {} of {}.",
                    self.type_name(),
                    from.type_name,
                    from.provider
                ),
            )
            .into()),
        }
    }
}

#[async_trait]
impl<D, S> DynDataSource<D> for Typed<S>
where
    D: Send + Sync + 'static,
    S: DataSource<D>,
{
    fn type_name(&self) -> &'static str {
        self.0.type_name()
    }

    fn schema(&self) -> Schema {
        self.0.schema()
    }

    fn check_model(&self) -> Result<(), ModelError> {
        check_model::<S::Model>(&self.0.schema())
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        match decode_as::<S::Model>(self.type_name(), config) {
            Ok(model) => self.0.validate(&model).await,
            Err(diags) => diags,
        }
    }

    async fn read(&self, ctx: &Ctx<D>, config: Value) -> Result<Done<Value>, Diagnostics> {
        let name = self.type_name();
        let done = self.0.read(ctx, decode_as(name, &config)?).await?;
        Ok(Done::with_warnings(
            encode_as(name, &done.value)?,
            done.warnings,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partly_known_values_survive_a_model_that_saw_them_as_unknown() {
        let partly = Value::List(vec![Value::string("a"), Value::Unknown]);
        let planned = Value::object([("ids", partly.clone()), ("id", Value::Unknown)]);
        let encoded = Value::object([("ids", Value::Unknown), ("id", Value::Unknown)]);
        let kept = keep_partly_known(&planned, encoded);
        assert_eq!(kept.get("ids"), &partly);
        assert!(kept.get("id").is_unknown());
    }
}
