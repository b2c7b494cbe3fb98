//! `GET /v1/widgets/{widget}/event`: an event's seats and whether it takes registrations.

use crate::app::error::ApiError;
use crate::app::rate_limit::{ClientAddr, Scope};
use crate::app::{SharedState, blocking, widget_id};
use crate::db::now;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State, rejection::PathRejection};
use axum::http::HeaderValue;
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn routes() -> Router<SharedState> {
    Router::new().route("/v1/widgets/{widget}/event", get(status))
}

async fn status(
    State(state): State<SharedState>,
    widget: Result<Path<String>, PathRejection>,
    ClientAddr(client): ClientAddr,
) -> Result<Response, ApiError> {
    let widget = widget_id(widget)?;
    state.limits.check(Scope::Reads, client)?;
    let Some(event) = state.catalog.now().events.get(&widget).cloned() else {
        return Err(ApiError::UnknownEvent(format!(
            "this collector has no event '{widget}'; its administrator declares events in [events.{widget}]"
        )));
    };
    let id = widget.clone();
    let (seats, waiting) = blocking(&state, "counting seats", move |store| {
        store.event_counts(&id)
    })
    .await?;
    let mut response = Json(event.status(&widget, now(), seats, waiting)).into_response();
    // Seats change with every registration; a cached count would promise seats that are gone.
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
