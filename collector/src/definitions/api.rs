//! Definitions over HTTP: `GET /v1/widgets/{id}` for the widgets (the public part, cacheable
//! with an ETag), and for administrators `GET /v1/admin/widgets`, `GET` and `PUT
//! /v1/admin/widgets/{id}` (one JSON shape, [`AdminWidget`]) and `GET .../versions`.

use super::store::{self, Change, Expected, Saved};
use super::{AdminWidget, Origin, Status, Widget};
use crate::accounts::Permission;
use crate::app::admin::{Admin, BY_TOKEN, no_store};
use crate::app::body::{json_body, read_body};
use crate::app::error::{ApiError, excerpt};
use crate::app::{SharedState, blocking, widget_id};
use crate::db::{self, now};
use axum::body::Body;
use axum::extract::{Path, State, rejection::PathRejection};
use axum::http::header::{CACHE_CONTROL, ETAG, IF_MATCH, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use mitmachen_shared::definition::{Definition, DefinitionError, DefinitionItem, Kind};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::FieldError;
use serde::Serialize;

/// A definition may be larger than a submission: a topic list of a few hundred topics.
pub(super) const DEFINITION_LIMIT: usize = 256 * 1024;

/// The widgets' path, behind the origin check like every other path a page calls.
pub fn public_routes() -> Router<SharedState> {
    Router::new().route("/v1/widgets/{widget}", get(public))
}

pub fn admin_routes() -> Router<SharedState> {
    Router::new()
        .route("/v1/admin/widgets", get(list))
        .route(
            "/v1/admin/widgets/{widget}",
            get(read).put(write).delete(discard),
        )
        .route("/v1/admin/widgets/{widget}/versions", get(versions))
        .route("/v1/admin/widgets/{widget}/pages", get(pages))
}

/// What a page may know of a widget: its definition, whether it takes part now, and the
/// version (the collector's own settings stay here).
#[derive(Serialize)]
struct Public<'a> {
    id: &'a str,
    kind: Kind,
    attributes: &'a mitmachen_shared::definition::Attributes,
    #[serde(skip_serializing_if = "Option::is_none")]
    heading: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    items: &'a [DefinitionItem],
    /// `open`, `closed` (a poll's or topic list's closing time passed, an event's registration
    /// ended), `cancelled` (an event) or `draft` (takes no submissions yet).
    state: &'static str,
    version: i64,
    /// Made or adopted by an editor (or the configuration file). `false`: taken from the
    /// first page that showed it and not looked at yet, so pages keep showing their own.
    reviewed: bool,
}

/// Not counted against the per-client reads limit, which protects the store: this is answered
/// from the catalog in memory, and every widget of a page asks it on every load.
async fn public(
    State(state): State<SharedState>,
    headers: HeaderMap,
    widget: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = widget_id(widget)?;
    public_answer(&state, &id, &headers, StatusCode::OK)
}

/// The public definition of `id` with `status` (or `304` for a matching `If-None-Match`).
pub(super) fn public_answer(
    state: &SharedState,
    id: &WidgetId,
    headers: &HeaderMap,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let declared = state.catalog.now();
    // No definition is an answer, not an error: the page's own attributes apply (and the
    // browser logs no failed request on every town page).
    let Some(widget) = declared.widgets.get(id) else {
        let mut response = StatusCode::NO_CONTENT.into_response();
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        return Ok(response);
    };
    let current = declared
        .state(id, now())
        .map_or("open", super::catalog::WidgetState::as_str);
    let etag = format!("\"{}-{current}\"", widget.version);
    let mut response = if headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim().trim_start_matches("W/") == etag)
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            status,
            Json(Public {
                id: id.as_str(),
                kind: widget.definition.kind,
                attributes: &widget.definition.attributes,
                heading: widget.definition.heading.as_deref(),
                items: &widget.definition.items,
                state: current,
                version: widget.version,
                reviewed: widget.origin != Origin::Page,
            }),
        )
            .into_response()
    };
    let headers = response.headers_mut();
    // Asked again on every load (a changed capacity shows at once), answered 304 while equal.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(ETAG, value);
    }
    Ok(response)
}

async fn list(State(state): State<SharedState>, admin: Admin) -> Result<Response, ApiError> {
    admin.require(Permission::ReadResults)?;
    let widgets = blocking(&state, "listing widget definitions", |store| {
        db::read(store, store::all)
    })
    .await?;
    let shown: Vec<AdminWidget> = widgets.iter().map(AdminWidget::of).collect();
    Ok(no_store(Json(shown).into_response()))
}

async fn read(
    State(state): State<SharedState>,
    admin: Admin,
    widget: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    admin.require(Permission::ReadResults)?;
    let id = widget_id(widget)?;
    let id2 = id.clone();
    let found = blocking(&state, "reading a widget definition", move |store| {
        db::read(store, |tx| store::get(tx, &id2))
    })
    .await?;
    match found {
        Some(widget) => Ok(answer(StatusCode::OK, &widget)),
        None => Err(ApiError::NotFound(format!(
            "there is no definition of '{id}'; PUT one to make it"
        ))),
    }
}

fn answer(status: StatusCode, widget: &Widget) -> Response {
    let mut response = no_store((status, Json(AdminWidget::of(widget))).into_response());
    if let Ok(value) = HeaderValue::from_str(&format!("\"v{}\"", widget.version)) {
        response.headers_mut().insert(ETAG, value);
    }
    response
}

async fn versions(
    State(state): State<SharedState>,
    admin: Admin,
    widget: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    admin.require(Permission::ReadResults)?;
    let id = widget_id(widget)?;
    let id2 = id.clone();
    let versions = blocking(&state, "reading a widget's versions", move |store| {
        db::read(store, |tx| store::versions(tx, &id2))
    })
    .await?;
    if versions.is_empty() {
        return Err(ApiError::NotFound(format!(
            "'{id}' has never had a definition"
        )));
    }
    Ok(no_store(Json(versions).into_response()))
}

/// A recorded page as the admin API shows it.
#[derive(Serialize)]
struct PageShown {
    page: String,
    seen_at: String,
    definition: mitmachen_shared::definition::Definition,
}

/// The pages that embedded the widget before the collector knew it, the latest first.
async fn pages(
    State(state): State<SharedState>,
    admin: Admin,
    widget: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    admin.require(Permission::ReadResults)?;
    let id = widget_id(widget)?;
    let pages = blocking(&state, "reading recorded pages", move |store| {
        db::read(store, |tx| store::pages(tx, &id))
    })
    .await?;
    let shown: Vec<PageShown> = pages
        .into_iter()
        .map(|p| PageShown {
            page: p.page_url,
            seen_at: p.seen_at,
            definition: p.definition,
        })
        .collect();
    Ok(no_store(Json(shown).into_response()))
}

async fn write(
    State(state): State<SharedState>,
    admin: Admin,
    headers: HeaderMap,
    widget: Result<Path<String>, PathRejection>,
    body: Body,
) -> Result<Response, ApiError> {
    admin.require(Permission::EditWidgets)?;
    let id = widget_id(widget)?;
    let expected = if_match(&headers)?;
    let body = read_body(&headers, body, DEFINITION_LIMIT).await?;
    let sent = parse(&body)?;
    let definition = check(&state, &id, &sent)?;
    let status = sent.status.unwrap_or(Status::Active);
    let origin = if admin.by == BY_TOKEN {
        Origin::Api
    } else {
        Origin::Console
    };
    let (catalog, by, id2) = (state.catalog.clone(), admin.by.clone(), id.clone());
    let saved = blocking(&state, "storing a widget definition", move |store| {
        let settings = sent.settings;
        let saved = db::write(store, move |tx| {
            if store::get(tx, &id2)?.is_some_and(|w| w.origin == Origin::File) {
                return Ok(None);
            }
            let change = Change {
                definition: &definition,
                settings: &settings,
                status,
                origin,
                by: &by,
                expected: expected.map_or(Expected::Any, Expected::Version),
            };
            store::save(tx, &id2, change).map(Some)
        })?;
        catalog.reload(store)?;
        Ok(saved)
    })
    .await?;
    match saved {
        None => Err(ApiError::ReadOnly(format!(
            "'{id}' is declared in the configuration file; change it there, or PUT a copy under another id"
        ))),
        Some(Saved::Conflict { current }) => Err(ApiError::VersionConflict(match current {
            Some(v) => format!(
                "the definition is at version {v} now; GET it, apply your change again and send it with If-Match: \"v{v}\""
            ),
            None => "there is no definition to match; send it without If-Match to make one".into(),
        })),
        Some(Saved::Created(widget)) => {
            tracing::info!(widget = %id, by = %admin.by, version = widget.version, "widget definition created");
            Ok(answer(StatusCode::CREATED, &widget))
        }
        Some(Saved::Changed(widget)) => {
            tracing::info!(widget = %id, by = %admin.by, version = widget.version, "widget definition changed");
            Ok(answer(StatusCode::OK, &widget))
        }
        Some(Saved::Unchanged(widget)) => Ok(answer(StatusCode::OK, &widget)),
    }
}

/// Removes a definition (a draft nobody wants, a widget made by mistake); its versions stay.
/// The page's own attributes apply again.
async fn discard(
    State(state): State<SharedState>,
    admin: Admin,
    widget: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    admin.require(Permission::EditWidgets)?;
    let id = widget_id(widget)?;
    let (catalog, by, id2) = (state.catalog.clone(), admin.by.clone(), id.clone());
    let done = blocking(&state, "discarding a widget definition", move |store| {
        let done = db::write(store, move |tx| match store::get(tx, &id2)? {
            None => Ok(Some(false)),
            Some(w) if w.origin == Origin::File => Ok(None),
            Some(_) => store::discard(tx, &id2, &by).map(Some),
        })?;
        catalog.reload(store)?;
        Ok(done)
    })
    .await?;
    match done {
        Some(true) => {
            tracing::info!(widget = %id, by = %admin.by, "widget definition discarded");
            Ok(no_store(StatusCode::NO_CONTENT.into_response()))
        }
        Some(false) => Err(ApiError::NotFound(format!(
            "there is no definition of '{id}'"
        ))),
        None => Err(ApiError::ReadOnly(format!(
            "'{id}' is declared in the configuration file; remove it there"
        ))),
    }
}

/// `If-Match: "v3"`: store only over version 3.
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = crate::app::single_header(
        headers,
        IF_MATCH.as_str(),
        "send the version you changed once, as If-Match: \"v3\"",
    )?
    else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.strip_prefix('v'))
        .and_then(|v| v.parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| {
            ApiError::BadQuery(format!(
                "If-Match '{}' is not a version as the ETag gives it (\"v3\")",
                excerpt(value.to_str().unwrap_or("?"))
            ))
        })
}

fn parse(body: &[u8]) -> Result<AdminWidget, ApiError> {
    json_body(body, |unknown, e| {
        invalid(vec![(
            unknown.unwrap_or_default(),
            format!("the body is not a widget definition: {e}"),
        )])
    })
}

/// The definition as the widgets' parser sees it (its list keys written out), and the settings
/// for its kind.
fn check(state: &SharedState, id: &WidgetId, sent: &AdminWidget) -> Result<Definition, ApiError> {
    let mut problems = sent.settings.problems(sent.kind);
    let definition = sent.definition();
    match definition.check(id, &state.public_url) {
        Ok(config) if problems.is_empty() => Ok(definition.keyed(&config.kind)),
        Ok(_) => Err(invalid(problems)),
        Err(errors) => {
            problems.extend(errors.iter().map(|e| (pointer(e), e.to_string())));
            Err(invalid(problems))
        }
    }
}

/// Where in the body a definition error lies: the attribute it names, else the list.
pub fn pointer(error: &DefinitionError) -> String {
    match error.attribute() {
        Some(attribute) => format!("/attributes/{attribute}"),
        None => "/items".into(),
    }
}

fn invalid(problems: Vec<(String, String)>) -> ApiError {
    let detail = problems
        .iter()
        .map(|(pointer, detail)| match pointer.trim_start_matches('/') {
            "" => detail.clone(),
            at => format!("{at}: {detail}"),
        })
        .collect::<Vec<_>>()
        .join("; ");
    ApiError::InvalidDefinition {
        detail,
        errors: problems
            .into_iter()
            .map(|(pointer, detail)| FieldError { pointer, detail })
            .collect(),
    }
}
