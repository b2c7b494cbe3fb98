//! The admin API for events, behind the same bearer token as moderation: the registrations and
//! waiting list of an event (JSON, CSV or XLSX), and cancelling one registration.

use crate::accounts::Permission;
use crate::app::admin::{Admin, no_store};
use crate::app::csv::berlin_time;
use crate::app::error::{ApiError, excerpt};
use crate::app::export::{Asked, Cell, Csv, Export, FileType, Xlsx, provenance};
use crate::app::{SharedState, blocking, widget_id};
use crate::db::{CancelOutcome, RegistrationRecord, RegistrationStatus};
use axum::extract::{Path, State, rejection::PathRejection};
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
            get(export::<Csv>),
        )
        .route(
            "/v1/admin/widgets/{widget}/registrations.xlsx",
            get(export::<Xlsx>),
        )
        .route(
            "/v1/admin/widgets/{widget}/registrations/{id}/cancel",
            post(cancel),
        )
        .route(
            "/v1/admin/widgets/{widget}/registrations/{id}/seat",
            post(seat),
        )
        .route("/v1/admin/widgets/{widget}/registrations", post(add))
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
    "Angekommen",
    "Notiz (Verwaltung)",
    "Quelle",
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
        berlin_time(r.arrived_at.as_deref()).into(),
        r.staff_note.as_str().into(),
        match r.source.as_str() {
            "console" => "von Hand",
            _ => "Formular",
        }
        .into(),
    ]
}

/// `GET /v1/admin/widgets/{widget}/registrations.csv[?separator=comma]` and `.xlsx`.
async fn export<T: FileType>(
    State(state): State<SharedState>,
    admin: Admin,
    widget: Result<Path<String>, PathRejection>,
    Asked(format, _): Asked<T>,
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
    let (state2, by, widget2) = (state.clone(), admin.by.clone(), widget.clone());
    let outcome = blocking(&state, "cancelling a registration", move |_| {
        super::organise::cancel(&state2, &by, &widget2, id)
    })
    .await?;
    match outcome {
        CancelOutcome::Cancelled { record, promoted } => Ok(no_store(
            Json(Cancelled {
                registration: record,
                promoted,
            })
            .into_response(),
        )),
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

/// A registration added by hand, as the admin API takes it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AddRequest {
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default = "one_person")]
    persons: u32,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    staff_note: String,
    #[serde(default)]
    overbook: bool,
}

fn one_person() -> u32 {
    1
}

fn decision(pointer: &str, detail: String) -> ApiError {
    ApiError::InvalidDecision {
        detail: detail.clone(),
        errors: vec![mitmachen_shared::protocol::FieldError {
            pointer: pointer.into(),
            detail,
        }],
    }
}

/// `POST /v1/admin/widgets/{widget}/registrations`: a registration taken by phone, placed by the
/// event's rules (or with `"overbook": true` a seat beyond the capacity); mailed if it has an
/// address. `201 {"registration": {...}}`.
async fn add(
    State(state): State<SharedState>,
    admin: Admin,
    widget: Result<Path<String>, PathRejection>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    admin.require(Permission::PersonalData)?;
    let widget = widget_id(widget)?;
    let body = crate::app::body::read_body(&headers, body, state.body_limit).await?;
    let request: AddRequest = crate::app::body::json_body(&body, |unknown, e| {
        decision(
            &format!("/{}", unknown.unwrap_or_default()),
            format!("send {{\"name\", \"email\", \"persons\", …}} ({e})"),
        )
    })?;
    let Some(event) = state.catalog.now().events.get(&widget).cloned() else {
        return Err(ApiError::UnknownEvent(format!(
            "this collector has no event '{widget}'"
        )));
    };
    if request.name.trim().is_empty() {
        return Err(decision("/name", "name: give the person's name".into()));
    }
    let email = request.email.trim().to_owned();
    if !email.is_empty() && !mitmachen_shared::event::is_email(&email) {
        return Err(decision(
            "/email",
            "email: an address like name@example.de, or none".into(),
        ));
    }
    if request.staff_note.chars().count() > 2000 {
        return Err(decision(
            "/staff_note",
            "staff_note: at most 2000 characters".into(),
        ));
    }
    if !(1..=event.persons_max).contains(&request.persons) {
        return Err(decision(
            "/persons",
            format!("persons: 1 to {} for this event", event.persons_max),
        ));
    }
    let by_hand = super::records::ByHand {
        name: request.name,
        email,
        persons: request.persons,
        phone: request.phone,
        organisation: request.organisation,
        note: request.note,
        staff_note: request.staff_note,
        overbook: request.overbook,
    };
    let (state2, by, widget2) = (state.clone(), admin.by.clone(), widget.clone());
    let outcome = blocking(&state, "adding a registration by hand", move |_| {
        super::organise::add(&state2, &by, &widget2, by_hand)
    })
    .await?;
    match outcome {
        Some(super::records::ByHandOutcome::Added(record)) => Ok(no_store(
            (
                axum::http::StatusCode::CREATED,
                Json(serde_json::json!({ "registration": record })),
            )
                .into_response(),
        )),
        Some(super::records::ByHandOutcome::AlreadyRegistered(id)) => Err(decision(
            "/email",
            format!("this address has registration {id} for the event already"),
        )),
        Some(super::records::ByHandOutcome::Full) => Err(ApiError::EventFull(
            "all seats are taken and this event has no waiting list; send \"overbook\": true to give a seat anyway".into(),
        )),
        None => Err(ApiError::UnknownEvent(format!(
            "this collector has no event '{widget}'"
        ))),
    }
}

/// `POST /v1/admin/widgets/{widget}/registrations/{id}/seat`: a waiting registration gets a seat
/// by hand, whatever the seats left; it is mailed as one promoted.
async fn seat(
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
    let (state2, by, widget2) = (state.clone(), admin.by.clone(), widget.clone());
    let seated = blocking(&state, "seating a registration by hand", move |_| {
        super::organise::seat(&state2, &by, &widget2, id)
    })
    .await?;
    match seated {
        Some(record) => Ok(no_store(
            Json(serde_json::json!({ "registration": record })).into_response(),
        )),
        None => Err(decision(
            "/id",
            format!("event '{widget}' has no registration {id} on its waiting list"),
        )),
    }
}
