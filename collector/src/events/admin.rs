//! The admin API for events, behind the same bearer token as moderation: the registrations and
//! waiting list of an event (JSON, CSV or XLSX), and cancelling one registration.

use crate::accounts::Permission;
use crate::app::admin::{Admin, no_store};
use crate::app::csv::berlin_time;
use crate::app::error::{ApiError, excerpt};
use crate::app::export::{Cell, Export, Format, provenance};
use crate::app::{SharedState, blocking, widget_id};
use crate::db::{CancelOutcome, Canceller, RegistrationRecord, RegistrationStatus};
use axum::extract::{Path, RawQuery, State, rejection::PathRejection};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use mitmachen_shared::ids::WidgetId;
use serde::Serialize;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/v1/admin/widgets/{widget}/registrations", get(list))
        .route(
            "/v1/admin/widgets/{widget}/registrations.csv",
            get(export_csv),
        )
        .route(
            "/v1/admin/widgets/{widget}/registrations.xlsx",
            get(export_xlsx),
        )
        .route(
            "/v1/admin/widgets/{widget}/registrations/{id}/cancel",
            post(cancel),
        )
}

#[derive(Serialize)]
struct Listing {
    widget: WidgetId,
    capacity: Option<u32>,
    seats_taken: u32,
    waiting: u32,
    registrations: Vec<RegistrationRecord>,
}

async fn records(
    state: &SharedState,
    widget: WidgetId,
) -> Result<Vec<RegistrationRecord>, ApiError> {
    // As the subscribers' list: an undeclared event is a typo in the path, not an empty list.
    if !state.catalog.now().events.contains_key(&widget) {
        return Err(ApiError::UnknownEvent(format!(
            "this collector has no event '{widget}'; declare it in [events.{widget}]"
        )));
    }
    blocking(state, "listing registrations", move |store| {
        store.registrations(&widget)
    })
    .await
}

/// `GET /v1/admin/widgets/{widget}/registrations`
async fn list(
    State(state): State<SharedState>,
    admin: Admin,
    widget: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    admin.require(Permission::PersonalData)?;
    let widget = widget_id(widget)?;
    let registrations = records(&state, widget.clone()).await?;
    let sum = |status| {
        registrations
            .iter()
            .filter(|r| r.status == status)
            .map(|r| r.persons)
            .sum()
    };
    let listing = Listing {
        capacity: state
            .catalog
            .now()
            .events
            .get(&widget)
            .and_then(|e| e.capacity),
        seats_taken: sum(RegistrationStatus::Seat),
        waiting: sum(RegistrationStatus::Waiting),
        widget,
        registrations,
    };
    Ok(no_store(Json(listing).into_response()))
}

const CSV_HEADER: &[&str] = &[
    "Nr.",
    "Status",
    "Warteplatz",
    "Name",
    "E-Mail",
    "Personen",
    "Telefon",
    "Organisation",
    "Hinweis",
    "Sprache",
    "Angemeldet",
    "Platz seit",
    "Storniert",
    "Storniert von",
];

fn csv_row(r: &RegistrationRecord) -> Vec<Cell> {
    vec![
        r.id.into(),
        match r.status {
            RegistrationStatus::Seat => "Platz",
            RegistrationStatus::Waiting => "Warteliste",
            RegistrationStatus::Cancelled => "storniert",
        }
        .into(),
        r.waiting_position
            .map_or_else(|| Cell::from(""), Cell::from),
        r.name.as_str().into(),
        r.email.as_str().into(),
        r.persons.into(),
        r.phone.as_str().into(),
        r.organisation.as_str().into(),
        r.note.as_str().into(),
        r.lang.as_str().into(),
        berlin_time(Some(&r.created_at)).into(),
        berlin_time(r.seated_at.as_deref()).into(),
        berlin_time(r.cancelled_at.as_deref()).into(),
        match r.cancelled_by.as_deref() {
            Some("registrant") => "selbst",
            Some("organiser") => "Veranstalter",
            _ => "",
        }
        .into(),
    ]
}

/// `GET /v1/admin/widgets/{widget}/registrations.csv[?separator=comma]` and `.xlsx`.
async fn export(
    state: SharedState,
    admin: Admin,
    widget: Result<Path<String>, PathRejection>,
    format: Format,
) -> Result<Response, ApiError> {
    admin.require(Permission::PersonalData)?;
    let widget = widget_id(widget)?;
    let registrations = records(&state, widget.clone()).await?;
    let (title, version) = provenance(&state, &widget);
    Export {
        what: "anmeldungen",
        sheet: "Anmeldungen",
        widget: Some(widget),
        title,
        version,
        header: CSV_HEADER.to_vec(),
        rows: registrations.iter().map(csv_row).collect(),
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

#[derive(Serialize)]
struct Cancelled {
    registration: RegistrationRecord,
    /// Registrations that moved up from the waiting list.
    promoted: usize,
}

/// `POST /v1/admin/widgets/{widget}/registrations/{id}/cancel`: the registrant is told by mail,
/// and the waiting list moves up.
async fn cancel(
    State(state): State<SharedState>,
    admin: Admin,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, ApiError> {
    admin.require(Permission::PersonalData)?;
    let Path((widget, id)) =
        path.map_err(|_| ApiError::BadWidgetId("the path is not valid UTF-8".into()))?;
    let widget = widget_id(Ok(Path(widget)))?;
    let id: i64 = id.parse().map_err(|_| {
        ApiError::NotFound(format!(
            "'{}' is not a registration id (a number)",
            excerpt(&id)
        ))
    })?;
    let event = state.catalog.now().events.get(&widget).cloned();
    let who = Canceller::Organiser {
        widget: widget.clone(),
        id,
    };
    let outcome = blocking(&state, "cancelling a registration", move |store| {
        store.cancel(who, event.as_deref())
    })
    .await?;
    match outcome {
        CancelOutcome::Cancelled { record, promoted } => {
            state.mail_wakeup.notify_one();
            Ok(no_store(
                Json(Cancelled {
                    registration: record,
                    promoted,
                })
                .into_response(),
            ))
        }
        CancelOutcome::AlreadyCancelled(record) => Ok(no_store(
            Json(Cancelled {
                registration: record,
                promoted: 0,
            })
            .into_response(),
        )),
        CancelOutcome::Unknown => Err(ApiError::NotFound(format!(
            "event '{widget}' has no registration {id}"
        ))),
    }
}
