//! `GET /v1/widgets/{widget}/results`: the running totals, never cached.

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

pub fn routes() -> Router<SharedState> {
    Router::new().route("/v1/widgets/{widget}/results", get(results))
}

async fn results(
    State(state): State<SharedState>,
    widget: Result<Path<String>, PathRejection>,
    ClientAddr(client): ClientAddr,
) -> Result<Response, ApiError> {
    let widget = widget_id(widget)?;
    state.limits.check(Scope::Reads, client)?;
    if !state
        .catalog
        .now()
        .results_public(&widget, crate::db::now())
    {
        return Err(ApiError::ResultsHidden(format!(
            "the results of '{widget}' are not public: its definition shows them never, or only after the close"
        )));
    }
    let results = blocking(&state, "reading results", move |store| {
        store.results(&widget)
    })
    .await?;
    let mut response = Json(results).into_response();
    // Totals change with every ballot; a cached copy would hide the citizen's own vote.
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
