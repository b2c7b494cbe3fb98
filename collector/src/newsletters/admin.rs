//! The admin API for newsletters, behind the same bearer token as moderation: the subscribers
//! with their proof of consent (JSON, CSV or XLSX), and one subscription's proof with every
//! request of its address to the newsletter.

use crate::accounts::Permission;
use crate::app::admin::{Admin, no_store, only_param};
use crate::app::csv::berlin_time;
use crate::app::error::ApiError;
use crate::app::export::{Asked, Cell, Csv, Export, FileType, Xlsx, provenance};
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
            get(export::<Csv>),
        )
        .route(
            "/v1/admin/widgets/{widget}/subscribers.xlsx",
            get(export::<Xlsx>),
        )
        .route("/v1/admin/widgets/{widget}/subscribers/{id}", get(proof))
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
    match only_param(query, "status")?.as_deref() {
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
async fn export<T: FileType>(
    State(state): State<SharedState>,
    admin: Admin,
    widget: Result<Path<String>, PathRejection>,
    Asked(format, _): Asked<T>,
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

/// One subscription's proof of consent, for the town's files.
#[derive(Serialize)]
struct Proof {
    widget: WidgetId,
    newsletter: String,
    subscription: SubscriberRecord,
    /// The names of its lists, as the newsletter declares them.
    list_names: Vec<String>,
    /// Every request of the same address to this newsletter, oldest first.
    requests: Vec<SubscriberRecord>,
    /// How the proof comes about.
    method: &'static str,
}

/// `GET /v1/admin/widgets/{widget}/subscribers/{id}`: one subscription's proof of consent.
async fn proof(
    State(state): State<SharedState>,
    admin: Admin,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, ApiError> {
    admin.require(Permission::PersonalData)?;
    let Path((widget, id)) =
        path.map_err(|_| ApiError::BadWidgetId("the path is not valid UTF-8".into()))?;
    let widget = widget_id(Ok(Path(widget)))?;
    let Some(newsletter) = state.catalog.now().newsletters.get(&widget).cloned() else {
        return Err(ApiError::UnknownNewsletter(format!(
            "this collector has no newsletter '{widget}'"
        )));
    };
    let id: i64 = id.parse().map_err(|_| {
        ApiError::NotFound(format!(
            "'{}' is not a subscription id (a number)",
            crate::app::error::excerpt(&id)
        ))
    })?;
    let widget2 = widget.clone();
    let found = blocking(&state, "reading a proof of consent", move |store| {
        crate::db::read(store, |tx| super::store::proof(tx, widget2.as_str(), id))
    })
    .await?;
    let Some((subscription, requests)) = found else {
        return Err(ApiError::NotFound(format!(
            "newsletter '{widget}' has no subscription {id}"
        )));
    };
    Ok(no_store(
        Json(Proof {
            list_names: newsletter
                .list_names(&subscription.lists)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            newsletter: newsletter.title.clone(),
            widget,
            subscription,
            requests,
            method: "double opt-in: the form was sent with this consent text (requested_at), then \
                     the link in the mail to this address was opened and its button pressed \
                     (confirmed_at); no IP address is stored",
        })
        .into_response(),
    ))
}
