//! Privacy requests about one e-mail address: the access report (Art. 15 DSGVO,
//! `POST /v1/admin/access-report`) and the erasure (Art. 17, `POST /v1/admin/erasure`), for
//! the admin API here and for the console in `pages.rs`. `report` reads what is stored,
//! `erase` deletes it in one transaction (seats it held go to the waiting lists, which are
//! mailed). Both are written to the audit log in the same transaction, without the address.

pub(crate) mod erase;
pub mod pages;
pub mod report;

use crate::accounts::Permission;
use crate::app::admin::{Admin, no_store};
use crate::app::body::read_body;
use crate::app::error::ApiError;
use crate::app::{SharedState, blocking};
use crate::audit::{self, Action};
use crate::db::{self, StoreError, now};
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use mitmachen_shared::event::is_email;
use mitmachen_shared::time::rfc3339_utc;
use report::AccessReport;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/v1/admin/erasure", post(erase_json))
        .route("/v1/admin/access-report", post(report_json))
        .merge(pages::routes())
}

/// What the erasure of one address removed, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Erased {
    pub subscriptions: u64,
    pub registrations: u64,
    /// Registrations' seats given to the waiting list by the erasure.
    pub promoted: u64,
    pub mails: u64,
    pub webhooks: u64,
    pub unsubscribe_links: u64,
    pub suppressions: u64,
}

impl Erased {
    /// What the audit log says of an erasure: what it removed, never whose.
    fn summary(&self) -> String {
        format!(
            "{} subscriptions, {} registrations, {} mails",
            self.subscriptions, self.registrations, self.mails
        )
    }
}

/// The address of a request, trimmed; `None` unless it looks like one.
pub fn address(typed: &str) -> Option<String> {
    let email = typed.trim();
    is_email(email).then(|| email.to_owned())
}

/// Reads the access report of `email` and records in the audit log that `by` asked for one.
pub(crate) fn read_report(
    store: &dyn db::Store,
    by: String,
    email: String,
    english: bool,
) -> Result<AccessReport, StoreError> {
    db::write(store, move |tx| {
        let report = report::gather(tx, &email, rfc3339_utc(now()), english)?;
        audit::record(tx, &by, Action::AccessReport, "", &report.summary())?;
        Ok(report)
    })
}

/// Erases `email` everywhere and records in the audit log that `by` did it.
pub(crate) fn erase_address(
    state: &SharedState,
    by: String,
    email: String,
) -> Result<Erased, StoreError> {
    let events = state.catalog.now();
    let erased = db::write(state.store.as_ref(), move |tx| {
        let erased = erase::erase(tx, &email, &events.events, now())?;
        audit::record(tx, &by, Action::Erasure, "", &erased.summary())?;
        Ok(erased)
    })?;
    if erased.promoted > 0 {
        state.mail_wakeup.notify_one();
    }
    // The log says that an erasure happened, not whose.
    tracing::info!(
        subscriptions = erased.subscriptions,
        registrations = erased.registrations,
        "erasure request carried out"
    );
    Ok(erased)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddressRequest {
    email: String,
}

/// The address of an API request's body `{"email": "…"}`.
async fn requested(
    state: &SharedState,
    headers: &HeaderMap,
    body: Body,
) -> Result<String, ApiError> {
    let body = read_body(headers, body, state.body_limit).await?;
    let request: AddressRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::MalformedJson(format!(
            "send {{\"email\": \"name@example.de\"}} as JSON: {e}"
        ))
    })?;
    address(&request.email).ok_or_else(|| {
        ApiError::BadQuery("email is not an e-mail address like name@example.de".into())
    })
}

#[derive(Serialize)]
struct ErasureReport {
    erased: Erased,
}

/// `POST /v1/admin/erasure` with `{"email": "…"}`: deletes every subscription, registration,
/// queued mail, webhook delivery, unsubscribe link and suppression of the address, in one
/// transaction; seats it held go to the waiting lists.
async fn erase_json(
    State(state): State<SharedState>,
    admin: Admin,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    admin.require(Permission::Erase)?;
    let email = requested(&state, &headers, body).await?;
    let (state2, by) = (state.clone(), admin.by.clone());
    let erased = blocking(&state, "erasing an address", move |_| {
        erase_address(&state2, by, email)
    })
    .await?;
    Ok(no_store(Json(ErasureReport { erased }).into_response()))
}

/// `POST /v1/admin/access-report` with `{"email": "…"}`: everything stored about the address.
async fn report_json(
    State(state): State<SharedState>,
    admin: Admin,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    admin.require(Permission::PersonalData)?;
    let email = requested(&state, &headers, body).await?;
    let by = admin.by.clone();
    let report = blocking(&state, "reading an access report", move |store| {
        read_report(store, by, email, false)
    })
    .await?;
    Ok(no_store(Json(report).into_response()))
}
