//! The thin app layer: the router, the state every handler shares, and what all features use
//! around their handlers.
//!
//! `error` (one error enum, every failure as problem+json), `admin` (the bearer-token extractor
//! and the admin query parser), `body` (reading a body within its limit), `cors` (which pages may
//! call the widgets' API), `rate_limit` (requests per client), `page` (the HTML pages behind mail
//! links, with the one HTML escaper), `csv` (exports for German Excel), `background` (the rhythm
//! of the queue senders), `health` and `static_files` (the demo's bundle and example pages),
//! `console` (the layout, language and sign-in check of the console's pages at `/admin/`).
//! The features' own handlers live in their folders; [`router`] has one line per feature.
//!
//! `server` serves the router (timeouts, connection cap, shutdown deadline) and gives every
//! request `ConnectInfo<SocketAddr>`, so that rate limits know the peer address; served any
//! other way, give it `into_make_service_with_connect_info::<SocketAddr>()`, or all clients share
//! one bucket.

pub mod admin;
pub mod background;
pub mod body;
pub mod console;
pub mod cors;
pub mod csv;
pub mod error;
pub mod export;
mod health;
pub mod page;
pub mod rate_limit;
pub mod server;
mod static_files;

use crate::config::AdminToken;
use crate::db::Store;
use crate::definitions;
use crate::definitions::catalog::Catalog;
use crate::{accounts, ballots, events, newsletters, privacy, proposals, submissions, widgets};
use axum::Router;
use axum::extract::{Path, Request, State, rejection::PathRejection};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use cors::OriginPolicy;
use error::ApiError;
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::PROBLEM_CONTENT_TYPE;
use rate_limit::RateLimits;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Notify;

/// What every handler may use; built once at start.
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub origins: OriginPolicy,
    pub limits: RateLimits,
    pub body_limit: usize,
    /// Where browsers reach the collector, without a trailing slash.
    pub public_url: String,
    /// The origin of `public_url`: console forms must come from it.
    pub console_origin: String,
    pub dist_dir: Option<PathBuf>,
    pub site_dir: Option<PathBuf>,
    /// The admin API's bearer token; `None`: the admin API answers `admin-disabled`.
    pub admin_token: Option<AdminToken>,
    /// Every widget's definition and what is derived from it (rules, events, newsletters,
    /// moderation), kept current.
    pub catalog: Arc<Catalog>,
    pub retention_days: u32,
    /// What happens to a widget id a page embeds that the collector does not know.
    pub new_widgets: crate::config::NewWidgets,
    /// Wakes the mail sender when a commit queued a mail.
    pub mail_wakeup: Arc<Notify>,
    /// Wakes the webhook sender when a commit queued a delivery.
    pub webhook_wakeup: Arc<Notify>,
    /// The town's name, which heads the pages behind mail links: the name of `[mail] from`,
    /// which also signs every mail, so that page and mail name the same sender.
    pub town: Option<String>,
}

pub type SharedState = Arc<AppState>;

pub fn router(state: SharedState) -> Router {
    // What the widgets call from the town's pages: behind the origin check.
    let api = Router::new()
        .merge(submissions::routes())
        .merge(ballots::results::routes())
        .merge(ballots::pages::routes())
        .merge(ballots::admin::routes())
        .merge(proposals::topics::routes())
        .merge(events::status::routes())
        .merge(health::routes())
        .merge(definitions::api::public_routes())
        .merge(definitions::record::routes())
        .layer(from_fn_with_state(state.clone(), cors::api_cors));
    // Admin paths (not for browsers on town pages) and the pages behind mail links.
    Router::new()
        .merge(api)
        .merge(proposals::admin::routes())
        .merge(definitions::api::admin_routes())
        .merge(events::admin::routes())
        .merge(events::pages::routes())
        .merge(events::checkin::routes())
        .merge(events::messages::routes())
        .merge(events::wording::routes())
        .merge(newsletters::pages::routes())
        .merge(events::cancel::routes())
        .merge(newsletters::admin::routes())
        .merge(newsletters::links::routes())
        .merge(privacy::routes())
        .merge(page::routes())
        .merge(console::routes())
        .merge(accounts::routes())
        .merge(widgets::routes())
        .merge(proposals::pages::routes())
        .merge(crate::audit::pages::routes())
        .merge(static_files::routes(&state))
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), problem_for_bare_errors))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("there is nothing at this path; the API lives under /v1/".into())
}

/// Gives error answers that axum makes itself (405 with its `Allow` header, a rejected
/// extractor) a problem body, so that clients meet a single error format.
async fn problem_for_bare_errors(
    State(state): State<SharedState>,
    req: Request,
    next: Next,
) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    // A problem already, or a page for people (the cancellation page's "unknown link").
    let answered = response.headers().get(CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes().starts_with(PROBLEM_CONTENT_TYPE.as_bytes())
            || v.as_bytes().starts_with(b"text/html")
    });
    if !(status.is_client_error() || status.is_server_error()) || answered {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(CONTENT_TYPE);
    parts.headers.remove(CONTENT_LENGTH);
    let mut problem = ApiError::for_status(status, state.body_limit).into_response();
    for (name, value) in &parts.headers {
        problem.headers_mut().append(name.clone(), value.clone());
    }
    problem
}

/// The `{widget}` of an API path, checked; percent-decoding is axum's, as in `cors`.
pub(crate) fn widget_id(path: Result<Path<String>, PathRejection>) -> Result<WidgetId, ApiError> {
    let Path(raw) = path.map_err(|_| {
        ApiError::BadWidgetId("the widget id in the path is not valid UTF-8".into())
    })?;
    WidgetId::parse(&raw)
        .map_err(|e| ApiError::BadWidgetId(format!("the widget id '{}' {e}", error::excerpt(&raw))))
}

/// The one value of a header that a request may carry once. Two are refused rather than one of
/// them picked: a proxy and a client may each have added one, and which one counts must not
/// depend on their order. `hint` says what to send instead.
pub(crate) fn single_header<'h>(
    headers: &'h HeaderMap,
    name: &str,
    hint: &str,
) -> Result<Option<&'h HeaderValue>, ApiError> {
    let mut values = headers.get_all(name).iter();
    match (values.next(), values.next()) {
        (Some(_), Some(_)) => Err(ApiError::DuplicateHeader(format!(
            "the {name} header is sent more than once; {hint}"
        ))),
        (first, _) => Ok(first),
    }
}

/// Runs a blocking store call on the blocking pool; a failed store is a 503, a crashed task a 500.
pub(crate) async fn blocking<T: Send + 'static>(
    state: &SharedState,
    what: &'static str,
    job: impl FnOnce(&dyn Store) -> Result<T, crate::db::StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    let store = state.store.clone();
    match tokio::task::spawn_blocking(move || job(store.as_ref())).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "{what} failed");
            Err(ApiError::StorageUnavailable)
        }
        Err(e) => {
            tracing::error!(error = %e, "{what} crashed");
            Err(ApiError::Internal)
        }
    }
}
