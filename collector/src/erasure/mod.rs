//! Erasure of one address across all widgets (Art. 17 DSGVO): the admin request
//! `POST /v1/admin/erasure` and what it removed. `store` deletes it in one transaction; seats it
//! held go to the waiting lists, which are mailed.

pub(crate) mod store;

use crate::accounts::Permission;
use crate::app::admin::{Admin, no_store};
use crate::app::body::read_body;
use crate::app::error::ApiError;
use crate::app::{SharedState, blocking};
use crate::audit::{self, Action};
use crate::db::now;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use mitmachen_shared::event::is_email;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<SharedState> {
    Router::new().route("/v1/admin/erasure", post(erase))
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
    admin: Admin,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    admin.require(Permission::Erase)?;
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
    let events = state.catalog.now();
    let by = admin.by.clone();
    let erased = blocking(&state, "erasing an address", move |store| {
        crate::db::write(store, move |tx| {
            let erased = store::erase(tx, &email, &events.events, now())?;
            // That an erasure happened and what it removed, never whose.
            let detail = format!(
                "{} subscriptions, {} registrations, {} mails",
                erased.subscriptions, erased.registrations, erased.mails
            );
            audit::record(tx, &by, Action::Erasure, "", &detail)?;
            Ok(erased)
        })
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
