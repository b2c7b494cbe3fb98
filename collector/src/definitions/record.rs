//! `POST /v1/widgets/{widget}/pages`: a widget on a page tells the collector what its element
//! says, when the collector holds no definition of its id. The page is recorded (bounded per
//! page origin and day) and, as `new_widgets` says, its attributes become the definition at
//! once (`adopt`) or a draft that takes no submissions until an editor adopts it (`draft`).
//! Events and newsletters always become drafts: they send mail in the town's name.
//! A definition once made is never changed by a page again.

use super::api::{pointer, public_answer};
use super::store::{self, Change, Expected, PAGES_PER_ORIGIN_AND_DAY};
use super::{Origin, Settings, Status};
use crate::app::SharedState;
use crate::app::body::read_body;
use crate::app::error::ApiError;
use crate::app::rate_limit::{ClientAddr, Scope};
use crate::app::{blocking, widget_id};
use crate::config::{NewWidgets, normalise_origin};
use crate::db;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State, rejection::PathRejection};
use axum::http::header::ORIGIN;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use mitmachen_shared::definition::{Definition, Kind};
use mitmachen_shared::protocol::FieldError;
use serde::Deserialize;

/// The longest page address kept.
const MAX_PAGE_URL: usize = 2000;

pub fn routes() -> Router<SharedState> {
    Router::new().route("/v1/widgets/{widget}/pages", post(record))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sighting {
    /// The page's address (`location.href`).
    page: String,
    definition: Definition,
}

async fn record(
    State(state): State<SharedState>,
    widget: Result<Path<String>, PathRejection>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let id = widget_id(widget)?;
    state.limits.check(Scope::Submissions, client)?;
    // Only a page may say what a page says: the origin check (in `cors`) has let it through.
    let origin = headers
        .get(ORIGIN)
        .and_then(|o| o.to_str().ok())
        .and_then(|o| normalise_origin(o).ok())
        .ok_or_else(|| {
            ApiError::OriginNotAllowed(
                "a page is recorded only from the page itself (an allowed Origin)".into(),
            )
        })?;
    if state.catalog.now().widgets.contains_key(&id) {
        return public_answer(&state, &id, &headers, StatusCode::OK);
    }
    let body = read_body(&headers, body, super::api::DEFINITION_LIMIT).await?;
    let sighting: Sighting = serde_json::from_slice(&body).map_err(|e| {
        ApiError::MalformedJson(format!(
            "send {{\"page\": \"<address>\", \"definition\": {{...}}}} ({e})"
        ))
    })?;
    let page = page_address(&sighting.page, &origin)?;
    let config = match sighting.definition.check(&id, &state.public_url) {
        Ok(config) => config,
        Err(errors) => {
            let errors: Vec<FieldError> = errors
                .iter()
                .map(|e| FieldError {
                    pointer: format!("/definition{}", pointer(e)),
                    detail: e.to_string(),
                })
                .collect();
            return Err(ApiError::InvalidDefinition {
                detail: format!(
                    "the page's widget is not valid, so it is not recorded: {}",
                    errors
                        .iter()
                        .map(|e| e.detail.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                errors,
            });
        }
    };
    // Keys written out: a text an editor changes later keeps its votes.
    let said = sighting.definition.clone();
    let definition = sighting.definition.keyed(&config.kind);
    // Events and newsletters send mail in the town's name with what their definition says,
    // and an Origin header is easily forged outside a browser: an editor adopts those.
    let mails = matches!(definition.kind, Kind::Event | Kind::Newsletter);
    // A widget the configuration file has rules for was set up by the administrator.
    let declared = state.catalog.now().has_file_rules(&id);
    let status = match state.new_widgets {
        _ if declared => Status::Active,
        NewWidgets::Adopt if !mails => Status::Active,
        _ => Status::Draft,
    };
    let (catalog, id2) = (state.catalog.clone(), id.clone());
    let (recorded, made) = blocking(&state, "recording a page", move |store| {
        let outcome = db::write(store, move |tx| {
            // The page as it said it; the definition with its keys written out.
            if !store::record_page(tx, &id2, &origin, &page, &said)? {
                return Ok((false, false));
            }
            // Another page may have made it a moment ago: that one stays.
            if store::get(tx, &id2)?.is_some() {
                return Ok((true, false));
            }
            let change = Change {
                definition: &definition,
                settings: &Settings::default(),
                status,
                origin: Origin::Page,
                by: &page,
                expected: Expected::Any,
            };
            store::save(tx, &id2, change)?;
            Ok((true, true))
        })?;
        if outcome.1 {
            catalog.reload(store)?;
        }
        Ok(outcome)
    })
    .await?;
    if !recorded {
        return Err(ApiError::RateLimited {
            detail: format!(
                "this site recorded {PAGES_PER_ORIGIN_AND_DAY} new widgets today; more are recorded tomorrow"
            ),
            retry_after: seconds_to_midnight(),
        });
    }
    if made {
        tracing::info!(widget = %id, status = status.as_str(), "a page's widget recorded as a new definition");
    }
    public_answer(
        &state,
        &id,
        &HeaderMap::new(),
        if made {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
    )
}

/// The page's address without query and fragment (they may carry a visitor's data), on the
/// request's own origin.
fn page_address(page: &str, origin: &str) -> Result<String, ApiError> {
    let cut = page
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let on_origin = cut == origin
        || cut
            .strip_prefix(origin)
            .is_some_and(|rest| rest.starts_with('/'));
    if !on_origin
        || cut.len() > MAX_PAGE_URL
        || cut.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(ApiError::InvalidDefinition {
            detail: format!(
                "page: the address must be a page of {origin}, at most {MAX_PAGE_URL} characters"
            ),
            errors: vec![FieldError {
                pointer: "/page".into(),
                detail: format!("not a page of {origin}"),
            }],
        });
    }
    Ok(cut)
}

fn seconds_to_midnight() -> u64 {
    let ms = crate::db::now().0.rem_euclid(86_400_000);
    u64::try_from((86_400_000 - ms) / 1000)
        .unwrap_or(3600)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_address_is_cut_and_on_its_origin() {
        let origin = "https://www.musterstadt.de";
        assert_eq!(
            page_address("https://www.musterstadt.de/rathaus?utm=x#top", origin).ok(),
            Some("https://www.musterstadt.de/rathaus".into())
        );
        assert!(page_address("https://www.musterstadt.de", origin).is_ok());
        for bad in [
            "https://www.musterstadt.de.evil.example/rathaus",
            "https://evil.example/",
            "javascript:alert(1)",
        ] {
            assert!(page_address(bad, origin).is_err(), "{bad}");
        }
    }
}
