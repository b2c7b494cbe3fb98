//! `GET /v1/health`: answers `{"status":"ok"}` when the database answers, for monitoring.

use super::error::ApiError;
use super::{SharedState, blocking};
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

pub fn routes() -> Router<SharedState> {
    Router::new().route("/v1/health", get(health))
}

async fn health(State(state): State<SharedState>) -> Result<Response, ApiError> {
    blocking(&state, "the health check", |store| store.health()).await?;
    let mut response = Json(serde_json::json!({ "status": "ok" })).into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
