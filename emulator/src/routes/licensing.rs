//! `GET /subscribedSkus` and `GET /subscribedSkus/{id}`: the tenant's licences (Entra ID
//! P1 unless started with `--no-premium`). Application permission: Organization.Read.All,
//! Organization.ReadWrite.All, Directory.Read.All or Directory.ReadWrite.All.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value};

use super::common::{Ctx, json};
use crate::AppState;
use crate::auth::perms;
use crate::error::{AppError, AppResult};
use crate::odata;
use crate::store::licensing::subscribed_skus;

/// Registers the routes for `version`.
pub fn routes(r: Router<AppState>, version: &str) -> Router<AppState> {
    let base = format!("/{version}/subscribedSkus");
    r.route(&base, get(list))
        .route(&format!("{base}/{{id}}"), get(get_one))
}

/// The SKUs, each cut to `$select` when given (Graph supports only `$select` here).
fn skus(state: &AppState, ctx: &Ctx) -> Vec<Value> {
    let (tenant_id, name) = state.read(|t| (t.tenant_id.clone(), t.display_name.clone()));
    let all = subscribed_skus(&tenant_id, &name, state.premium());
    match &ctx.query.select {
        None => all,
        Some(fields) => all.into_iter().map(|s| select(s, fields)).collect(),
    }
}

fn select(sku: Value, fields: &[String]) -> Value {
    let Value::Object(m) = sku else {
        return sku;
    };
    let kept: Map<String, Value> = m
        .into_iter()
        .filter(|(k, _)| k == "id" || fields.iter().any(|f| f == "*" || f == k))
        .collect();
    Value::Object(kept)
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.caller.require(perms::SKU_READ)?;
    if ctx.query.filter.is_some() {
        return Err(AppError::unsupported_query(
            "Query filter expressions are not supported on subscribedSkus.",
        ));
    }
    let value = skus(&state, &ctx);
    Ok(json(
        StatusCode::OK,
        odata::collection(ctx.context("subscribedSkus"), value, None, None),
    ))
}

async fn get_one(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.caller.require(perms::SKU_READ)?;
    let mut sku = skus(&state, &ctx)
        .into_iter()
        .find(|s| {
            s["id"]
                .as_str()
                .is_some_and(|x| x.eq_ignore_ascii_case(&id))
        })
        .ok_or_else(|| AppError::not_found(&id))?;
    if let Value::Object(m) = &mut sku {
        m.insert(
            "@odata.context".into(),
            Value::String(ctx.context("subscribedSkus/$entity")),
        );
    }
    Ok(json(StatusCode::OK, sku))
}
