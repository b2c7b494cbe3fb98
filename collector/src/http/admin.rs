//! The admin API: moderation of proposals, behind `Authorization: Bearer <admin_token>`.
//!
//! Not for browsers on town pages: these paths sit outside the CORS layer, so a page never gets
//! to read an answer, and a browser's preflight for the `Authorization` header fails. Without a
//! configured token every admin path answers `404 admin-disabled`, saying how to turn it on.

use super::error::ApiError;
use super::error::excerpt;
use super::submissions::read_body;
use super::{AppState, SharedState, blocking, single_header, widget_id};
use crate::store::{DecideOutcome, Decision, ProposalStatus, is_proposal_key};
use axum::body::Body;
use axum::extract::{Path, RawQuery, State, rejection::PathRejection};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use mitmachen_shared::ids::OptionKey;
use mitmachen_shared::protocol::FieldError;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::error::Category;
use sha2::{Digest, Sha256};

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/v1/admin/widgets/{widget}/proposals", get(list))
        .route("/v1/admin/proposals/{key}/approve", post(approve))
        .route("/v1/admin/proposals/{key}/reject", post(reject))
        .route("/v1/admin/proposals/{key}/merge", post(merge))
}

/// The admin API is on and the request carries its token.
pub(super) fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(token) = &state.admin_token else {
        return Err(ApiError::AdminDisabled);
    };
    let presented = single_header(
        headers,
        AUTHORIZATION.as_str(),
        "send the admin token once, as Authorization: Bearer <token>",
    )?
    .and_then(|v| v.to_str().ok())
    .and_then(|v| v.trim().split_once(' '))
    .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
    .map(|(_, token)| token.trim());
    let Some(presented) = presented else {
        return Err(ApiError::Unauthorized(
            "send the admin token as Authorization: Bearer <token>".into(),
        ));
    };
    if !same_secret(presented.as_bytes(), token.as_str().as_bytes()) {
        tracing::warn!("admin request with a wrong bearer token refused");
        return Err(ApiError::Unauthorized(
            "the bearer token is not the configured admin_token".into(),
        ));
    }
    Ok(())
}

/// Compares in constant time: both sides are hashed to 32 bytes first, so neither the length
/// nor the position of the first difference changes the time taken.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    let (a, b) = (Sha256::digest(a), Sha256::digest(b));
    let diff = a
        .iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

pub(super) fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /v1/admin/widgets/{widget}/proposals[?status=pending|approved|rejected|merged]`.
async fn list(
    State(state): State<SharedState>,
    headers: HeaderMap,
    widget: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let widget = widget_id(widget)?;
    let status = status_filter(query.as_deref())?;
    let proposals = blocking(&state, "listing proposals", move |store| {
        store.proposals(&widget, status)
    })
    .await?;
    Ok(no_store(Json(proposals).into_response()))
}

/// The value of `name`, the one query parameter an admin request may carry, at most once.
pub(super) fn only_param<'q>(
    query: Option<&'q str>,
    name: &str,
) -> Result<Option<&'q str>, ApiError> {
    let mut found = None;
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        // Only the parameter's name is quoted, shortened: never the query or a value as sent.
        if key != name {
            return Err(ApiError::BadQuery(format!(
                "unknown query parameter '{}': the only one here is {name}",
                excerpt(key)
            )));
        }
        if found.is_some() {
            return Err(ApiError::BadQuery(format!(
                "{name} is given more than once; give it once"
            )));
        }
        found = Some(value);
    }
    Ok(found)
}

fn status_filter(query: Option<&str>) -> Result<Option<ProposalStatus>, ApiError> {
    only_param(query, "status")?
        .map(|value| {
            ProposalStatus::parse(value).ok_or_else(|| {
                ApiError::BadQuery(format!(
                    "status '{}' is none of pending, approved, rejected, merged",
                    excerpt(value)
                ))
            })
        })
        .transpose()
}

async fn approve(
    State(state): State<SharedState>,
    headers: HeaderMap,
    key: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    decide(&state, proposal_key(key)?, Decision::Approve).await
}

async fn reject(
    State(state): State<SharedState>,
    headers: HeaderMap,
    key: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    decide(&state, proposal_key(key)?, Decision::Reject).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeBody {
    into: String,
}

async fn merge(
    State(state): State<SharedState>,
    headers: HeaderMap,
    key: Result<Path<String>, PathRejection>,
    body: Body,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let key = proposal_key(key)?;
    let body = read_body(&headers, body, state.body_limit).await?;
    serde_json::from_slice::<IgnoredAny>(&body)
        .map_err(|e| ApiError::MalformedJson(format!("the body is not valid JSON: {e}")))?;
    let invalid = |pointer: &str, detail: String| ApiError::InvalidDecision {
        detail: format!("{}: {detail}", pointer.trim_start_matches('/')),
        errors: vec![FieldError {
            pointer: pointer.into(),
            detail,
        }],
    };
    let MergeBody { into } = serde_json::from_slice(&body).map_err(|e| match e.classify() {
        Category::Data => {
            let unknown = e
                .to_string()
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split('`').next())
                .map(|f| format!("/{f}"));
            invalid(
                unknown.as_deref().unwrap_or("/into"),
                format!("send {{\"into\": \"<topic key>\"}} ({e})"),
            )
        }
        _ => ApiError::MalformedJson(format!("the body is not valid JSON: {e}")),
    })?;
    let into = OptionKey::parse(&into)
        .map_err(|e| invalid("/into", format!("the topic key '{}' {e}", excerpt(&into))))?;
    decide(&state, key, Decision::Merge { into }).await
}

/// A `{key}` of the path; one that cannot be a proposal's is unknown like any other.
fn proposal_key(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    match path {
        Ok(Path(key)) if is_proposal_key(&key) => Ok(key),
        _ => Err(ApiError::NotFound(
            "there is no proposal with this key (keys look like p-0a1b2c3d)".into(),
        )),
    }
}

async fn decide(
    state: &SharedState,
    key: String,
    decision: Decision,
) -> Result<Response, ApiError> {
    let outcome = blocking(state, "deciding about a proposal", {
        let key = key.clone();
        move |store| store.decide(&key, decision)
    })
    .await?;
    match outcome {
        DecideOutcome::Decided(proposal) => {
            tracing::info!(key = %proposal.key, status = proposal.status.as_str(), "proposal decided");
            Ok(no_store(Json(proposal).into_response()))
        }
        DecideOutcome::UnknownKey => Err(ApiError::NotFound(format!("there is no proposal {key}"))),
        DecideOutcome::Refused { pointer, detail } => Err(ApiError::InvalidDecision {
            errors: if pointer.is_empty() {
                Vec::new()
            } else {
                vec![FieldError {
                    pointer,
                    detail: detail.clone(),
                }]
            },
            detail,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        let token = b"0123456789abcdef0123456789abcdef";
        assert!(same_secret(token, token));
        assert!(!same_secret(b"0123456789abcdef0123456789abcdeF", token));
        assert!(!same_secret(b"0123456789abcdef", token));
        assert!(!same_secret(b"", token));
    }

    #[test]
    fn status_filters() {
        assert_eq!(status_filter(None).ok(), Some(None));
        assert_eq!(status_filter(Some("")).ok(), Some(None));
        assert_eq!(
            status_filter(Some("status=pending")).ok(),
            Some(Some(ProposalStatus::Pending))
        );
        for bad in [
            "status=open",
            "state=pending",
            "status=pending&status=merged",
            "status",
        ] {
            assert!(status_filter(Some(bad)).is_err(), "{bad}");
        }
    }
}
