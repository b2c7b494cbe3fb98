//! The admin API for newsletters, behind the same bearer token as moderation: the subscribers
//! with their proof of consent (JSON, CSV or XLSX), and the erasure of everything stored for one
//! address across all widgets (Art. 17 DSGVO).

use crate::accounts::Permission;
use crate::app::admin::{Admin, no_store, only_param};
use crate::app::csv::berlin_time;
use crate::app::error::ApiError;
use crate::app::export::{Cell, Export, Format, provenance};
use crate::app::{SharedState, blocking, widget_id};
use crate::db::{SubscriberRecord, SubscriptionStatus};
use axum::extract::{Path, RawQuery, State, rejection::PathRejection};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use mitmachen_shared::ids::WidgetId;
use serde::Serialize;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/v1/admin/widgets/{widget}/subscribers", get(list))
        .route(
            "/v1/admin/widgets/{widget}/subscribers.csv",
            get(export_csv),
        )
        .route(
            "/v1/admin/widgets/{widget}/subscribers.xlsx",
            get(export_xlsx),
        )
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
                crate::app::error::excerpt(v)
            ))
        }),
    }
}

async fn records(
    state: &SharedState,
    widget: WidgetId,
    status: Option<SubscriptionStatus>,
) -> Result<Vec<SubscriberRecord>, ApiError> {
    if !state.catalog.now().newsletters.contains_key(&widget) {
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
    admin: Admin,
    widget: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    admin.require(Permission::PersonalData)?;
    let widget = widget_id(widget)?;
    let status = status(query.as_deref())?;
    let subscribers = records(&state, widget.clone(), status).await?;
    let lists = state
        .catalog
        .now()
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

fn csv_row(r: &SubscriberRecord, names: &dyn Fn(&[String]) -> String) -> Vec<Cell> {
    vec![
        r.id.into(),
        r.email.as_str().into(),
        r.name.as_str().into(),
        names(&r.lists).into(),
        r.lang.as_str().into(),
        berlin_time(Some(&r.requested_at)).into(),
        berlin_time(r.confirmed_at.as_deref()).into(),
        r.requested_at.as_str().into(),
        r.confirmed_at.clone().unwrap_or_default().into(),
        r.page.as_str().into(),
        r.consent.version.into(),
        r.consent.sha256.as_str().into(),
        r.consent.text.as_str().into(),
        r.consent.privacy.as_str().into(),
    ]
}

/// `GET /v1/admin/widgets/{widget}/subscribers.csv[?separator=comma]` and `.xlsx`: the
/// confirmed subscribers with their proof (CSV for German Excel: UTF-8 with BOM, semicolons).
async fn export(
    state: SharedState,
    admin: Admin,
    widget: Result<Path<String>, PathRejection>,
    format: Format,
) -> Result<Response, ApiError> {
    admin.require(Permission::PersonalData)?;
    let widget = widget_id(widget)?;
    let subscribers = records(&state, widget.clone(), Some(SubscriptionStatus::Confirmed)).await?;
    let newsletter = state.catalog.now().newsletters.get(&widget).cloned();
    let names = |keys: &[String]| match &newsletter {
        Some(n) => n.list_names(keys).join(", "),
        None => keys.join(", "),
    };
    let (title, version) = provenance(&state, &widget);
    Export {
        what: "abonnenten",
        sheet: "Abonnenten",
        widget: Some(widget),
        title,
        version,
        header: CSV_HEADER.to_vec(),
        rows: subscribers.iter().map(|r| csv_row(r, &names)).collect(),
    }
    .respond(&state, &admin, format)
    .await
}

async fn export_csv(
    State(state): State<SharedState>,
    admin: Admin,
    widget: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let format = Format::csv(query.as_deref())?;
    export(state, admin, widget, format).await
}

async fn export_xlsx(
    State(state): State<SharedState>,
    admin: Admin,
    widget: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let format = Format::xlsx(query.as_deref())?;
    export(state, admin, widget, format).await
}
