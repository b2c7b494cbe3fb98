//! The admin API for newsletters, behind the same bearer token as moderation: the subscribers
//! with their proof of consent (JSON or CSV), and the erasure of everything stored for one
//! address across all widgets (Art. 17 DSGVO).

use super::admin::{authorize, no_store, only_param};
use super::admin_registrations::{local, separator};
use super::error::ApiError;
use super::submissions::read_body;
use super::{SharedState, blocking, widget_id};
use crate::csv;
use crate::store::{Erased, SubscriberRecord, SubscriptionStatus, now};
use axum::body::Body;
use axum::extract::{Path, RawQuery, State, rejection::PathRejection};
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use mitmachen_shared::event::is_email;
use mitmachen_shared::ids::WidgetId;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/v1/admin/widgets/{widget}/subscribers", get(list))
        .route("/v1/admin/widgets/{widget}/subscribers.csv", get(export))
        .route("/v1/admin/erasure", post(erase))
}

#[derive(Serialize)]
struct Listing {
    widget: WidgetId,
    /// The declared lists: key and name.
    lists: Vec<ListName>,
    subscribers: Vec<SubscriberRecord>,
}

#[derive(Serialize)]
struct ListName {
    key: String,
    name: String,
}

/// `?status=confirmed` (the default), `pending` or `all`.
fn status(query: Option<&str>) -> Result<Option<SubscriptionStatus>, ApiError> {
    match only_param(query, "status")? {
        None => Ok(Some(SubscriptionStatus::Confirmed)),
        Some("all") => Ok(None),
        Some(v) => SubscriptionStatus::parse(v).map(Some).ok_or_else(|| {
            ApiError::BadQuery(format!(
                "status '{}' is none of confirmed (the default), pending, all",
                super::error::excerpt(v)
            ))
        }),
    }
}

async fn records(
    state: &SharedState,
    widget: WidgetId,
    status: Option<SubscriptionStatus>,
) -> Result<Vec<SubscriberRecord>, ApiError> {
    if !state.newsletters.contains_key(&widget) {
        return Err(ApiError::UnknownNewsletter(format!(
            "this collector has no newsletter '{widget}'; declare it in [newsletters.{widget}]"
        )));
    }
    blocking(state, "listing subscribers", move |store| {
        store.subscribers(&widget, status)
    })
    .await
}

/// `GET /v1/admin/widgets/{widget}/subscribers[?status=confirmed|pending|all]`
async fn list(
    State(state): State<SharedState>,
    headers: HeaderMap,
    widget: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let widget = widget_id(widget)?;
    let status = status(query.as_deref())?;
    let subscribers = records(&state, widget.clone(), status).await?;
    let lists = state
        .newsletters
        .get(&widget)
        .map(|n| {
            n.lists
                .iter()
                .map(|(k, name)| ListName {
                    key: k.to_string(),
                    name: name.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(no_store(
        Json(Listing {
            widget,
            lists,
            subscribers,
        })
        .into_response(),
    ))
}

const CSV_HEADER: &[&str] = &[
    "Nr.",
    "E-Mail",
    "Name",
    "Listen",
    "Sprache",
    "Angefragt",
    "Bestätigt",
    "Angefragt (UTC)",
    "Bestätigt (UTC)",
    "Seite",
    "Einwilligung Version",
    "Einwilligung SHA-256",
    "Einwilligungstext",
    "Datenschutzhinweis",
];

fn csv_row(r: &SubscriberRecord, names: &dyn Fn(&[String]) -> String) -> Vec<String> {
    vec![
        r.id.to_string(),
        r.email.clone(),
        r.name.clone(),
        names(&r.lists),
        r.lang.clone(),
        local(Some(&r.requested_at)),
        local(r.confirmed_at.as_deref()),
        r.requested_at.clone(),
        r.confirmed_at.clone().unwrap_or_default(),
        r.page.clone(),
        r.consent.version.to_string(),
        r.consent.sha256.clone(),
        r.consent.text.clone(),
        r.consent.privacy.clone(),
    ]
}

/// `GET /v1/admin/widgets/{widget}/subscribers.csv[?separator=comma]`: the confirmed
/// subscribers with their proof, for German Excel (UTF-8 with BOM, semicolons).
async fn export(
    State(state): State<SharedState>,
    headers: HeaderMap,
    widget: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let widget = widget_id(widget)?;
    let separator = separator(query.as_deref())?;
    let subscribers = records(&state, widget.clone(), Some(SubscriptionStatus::Confirmed)).await?;
    let newsletter = state.newsletters.get(&widget).cloned();
    let names = |keys: &[String]| match &newsletter {
        Some(n) => n.list_names(keys).join(", "),
        None => keys.join(", "),
    };
    let rows: Vec<Vec<String>> = subscribers.iter().map(|r| csv_row(r, &names)).collect();
    let body = csv::write(separator, CSV_HEADER, &rows);
    Ok(no_store(
        (
            [
                (CONTENT_TYPE, csv::CONTENT_TYPE.to_owned()),
                (
                    CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{widget}-abonnenten.csv\""),
                ),
            ],
            body,
        )
            .into_response(),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ErasureRequest {
    email: String,
}

#[derive(Serialize)]
struct ErasureReport {
    erased: Erased,
}

/// `POST /v1/admin/erasure` with `{"email": "…"}`: deletes every subscription, registration,
/// queued mail, webhook delivery, unsubscribe link and suppression of the address, in one
/// transaction; seats it held go to the waiting lists.
async fn erase(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let body = read_body(&headers, body, state.body_limit).await?;
    let request: ErasureRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::MalformedJson(format!(
            "send {{\"email\": \"name@example.de\"}} as JSON: {e}"
        ))
    })?;
    let email = request.email.trim().to_owned();
    if !is_email(&email) {
        return Err(ApiError::BadQuery(
            "email is not an e-mail address like name@example.de".into(),
        ));
    }
    let events = state.events.clone();
    let erased = blocking(&state, "erasing an address", move |store| {
        store.erase(&email, &events, now())
    })
    .await?;
    if erased.promoted > 0 {
        state.mail_wakeup.notify_one();
    }
    // The log says that an erasure happened, not whose.
    tracing::info!(
        subscriptions = erased.subscriptions,
        registrations = erased.registrations,
        "erasure request carried out"
    );
    Ok(no_store(Json(ErasureReport { erased }).into_response()))
}
