//! `GET /v1/widgets/{widget}/topics`: the approved proposals, never cached.

use crate::app::error::ApiError;
use crate::app::rate_limit::{ClientAddr, Scope};
use crate::app::{SharedState, blocking, widget_id};
use axum::Json;
use axum::Router;
use axum::extract::{Path, State, rejection::PathRejection};
use axum::http::HeaderValue;
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use mitmachen_shared::protocol::Topics;

pub fn routes() -> Router<SharedState> {
    Router::new().route("/v1/widgets/{widget}/topics", get(topics))
}

async fn topics(
    State(state): State<SharedState>,
    widget: Result<Path<String>, PathRejection>,
    ClientAddr(client): ClientAddr,
) -> Result<Response, ApiError> {
    let widget = widget_id(widget)?;
    state.limits.check(Scope::Reads, client)?;
    let lookup = widget.clone();
    let topics = blocking(&state, "reading topics", move |store| store.topics(&lookup)).await?;
    let mut response = Json(Topics { widget, topics }).into_response();
    // A decision shows at once; a cached copy would keep a rejected topic on the page.
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
