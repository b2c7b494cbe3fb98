//! The moderation queue of the admin API: a widget's proposals, and approving, rejecting or
//! merging one (a rejection with an optional reason), behind the admin token (`crate::app::admin`);
//! every proposal with its decision as CSV or XLSX.

use crate::accounts::Permission;
use crate::app::admin::{Admin, no_store, only_param};
use crate::app::body::{json_body, read_body};
use crate::app::csv::berlin_time;
use crate::app::error::{ApiError, excerpt};
use crate::app::export::{Asked, Cell, Csv, Export, FileType, Xlsx, provenance};
use crate::app::{SharedState, blocking, widget_id};
use crate::db::{self, DecideOutcome, Decision, ProposalStatus, is_proposal_key};
use crate::proposals;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State, rejection::PathRejection};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use mitmachen_shared::ids::OptionKey;
use mitmachen_shared::protocol::FieldError;
use serde::Deserialize;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/v1/admin/widgets/{widget}/proposals", get(list))
        .route(
            "/v1/admin/widgets/{widget}/proposals.csv",
            get(export::<Csv>),
        )
        .route(
            "/v1/admin/widgets/{widget}/proposals.xlsx",
            get(export::<Xlsx>),
        )
        .route("/v1/admin/proposals/{key}/approve", post(approve))
        .route("/v1/admin/proposals/{key}/reject", post(reject))
        .route("/v1/admin/proposals/{key}/merge", post(merge))
}

/// `GET /v1/admin/widgets/{widget}/proposals[?status=pending|approved|rejected|merged]`.
async fn list(
    State(state): State<SharedState>,
    admin: Admin,
    widget: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    admin.require(Permission::ReadProposals)?;
    let widget = widget_id(widget)?;
    let status = status_filter(query.as_deref())?;
    let proposals = blocking(&state, "listing proposals", move |store| {
        store.proposals(&widget, status)
    })
    .await?;
    Ok(no_store(Json(proposals).into_response()))
}

/// `GET /v1/admin/widgets/{widget}/proposals.csv[?separator=comma]` and `.xlsx`: every proposal
/// of a widget with its moderation decision and reason, for the town's files.
async fn export<T: FileType>(
    State(state): State<SharedState>,
    admin: Admin,
    widget: Result<Path<String>, PathRejection>,
    Asked(format, _): Asked<T>,
) -> Result<Response, ApiError> {
    admin.require(Permission::ReadProposals)?;
    let widget = widget_id(widget)?;
    let widget2 = widget.clone();
    let proposals = blocking(&state, "exporting proposals", move |store| {
        store.proposals(&widget2, None)
    })
    .await?;
    let (title, version) = provenance(&state, &widget);
    Export {
        what: "vorschlaege",
        sheet: "Vorschläge",
        widget: Some(widget),
        title,
        version,
        header: vec![
            "Schlüssel",
            "Titel",
            "Beschreibung",
            "Status",
            "Zusammengeführt in",
            "Begründung",
            "Eingereicht",
            "Entschieden",
        ],
        rows: proposals
            .iter()
            .map(|p| {
                vec![
                    Cell::from(p.key.as_str()),
                    p.title.as_str().into(),
                    p.description.as_str().into(),
                    match p.status {
                        ProposalStatus::Pending => "offen",
                        ProposalStatus::Approved => "angenommen",
                        ProposalStatus::Rejected => "abgelehnt",
                        ProposalStatus::Merged => "zusammengeführt",
                    }
                    .into(),
                    p.merged_into.clone().unwrap_or_default().into(),
                    p.reason.clone().unwrap_or_default().into(),
                    berlin_time(Some(&p.created_at)).into(),
                    berlin_time(p.decided_at.as_deref()).into(),
                ]
            })
            .collect(),
    }
    .respond(&state, &admin, format)
    .await
}

fn status_filter(query: Option<&str>) -> Result<Option<ProposalStatus>, ApiError> {
    only_param(query, "status")?
        .map(|value| {
            ProposalStatus::parse(&value).ok_or_else(|| {
                ApiError::BadQuery(format!(
                    "status '{}' is none of pending, approved, rejected, merged",
                    excerpt(&value)
                ))
            })
        })
        .transpose()
}

async fn approve(
    State(state): State<SharedState>,
    admin: Admin,
    key: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    admin.require(Permission::Moderate)?;
    decide(&state, &admin, proposal_key(key)?, Decision::Approve).await
}

/// The body is optional: empty, or `{"reason": "..."}`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RejectBody {
    #[serde(default)]
    reason: Option<String>,
}

async fn reject(
    State(state): State<SharedState>,
    admin: Admin,
    headers: HeaderMap,
    key: Result<Path<String>, PathRejection>,
    body: Body,
) -> Result<Response, ApiError> {
    admin.require(Permission::Moderate)?;
    let key = proposal_key(key)?;
    let body = read_body(&headers, body, state.body_limit).await?;
    let RejectBody { reason } = if body.iter().all(u8::is_ascii_whitespace) {
        RejectBody::default()
    } else {
        decision_body(
            &body,
            "/reason",
            "{\"reason\": \"<why, for the town's files>\"}",
        )?
    };
    let reason = proposals::reason(reason.as_deref().unwrap_or_default())
        .map_err(|detail| invalid("/reason", detail))?;
    decide(&state, &admin, key, Decision::Reject { reason }).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeBody {
    into: String,
}

async fn merge(
    State(state): State<SharedState>,
    admin: Admin,
    headers: HeaderMap,
    key: Result<Path<String>, PathRejection>,
    body: Body,
) -> Result<Response, ApiError> {
    admin.require(Permission::Moderate)?;
    let key = proposal_key(key)?;
    let body = read_body(&headers, body, state.body_limit).await?;
    let MergeBody { into } = decision_body(&body, "/into", "{\"into\": \"<topic key>\"}")?;
    let into = OptionKey::parse(&into)
        .map_err(|e| invalid("/into", format!("the topic key '{}' {e}", excerpt(&into))))?;
    decide(&state, &admin, key, Decision::Merge { into }).await
}

/// A decision's JSON body: a body of the wrong shape is an invalid decision located at its
/// unknown field, or else at `field`, saying to send `shape`.
fn decision_body<T: serde::de::DeserializeOwned>(
    body: &[u8],
    field: &str,
    shape: &str,
) -> Result<T, ApiError> {
    json_body(body, |unknown, e| {
        invalid(
            unknown.as_deref().unwrap_or(field),
            format!("send {shape} ({e})"),
        )
    })
}

fn invalid(pointer: &str, detail: String) -> ApiError {
    ApiError::InvalidDecision {
        detail: format!("{}: {detail}", pointer.trim_start_matches('/')),
        errors: vec![FieldError {
            pointer: pointer.into(),
            detail,
        }],
    }
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
    admin: &Admin,
    key: String,
    decision: Decision,
) -> Result<Response, ApiError> {
    let outcome = blocking(state, "deciding about a proposal", {
        let (key, by) = (key.clone(), admin.by.clone());
        move |store| {
            db::write(store, move |tx| {
                proposals::store::decide(tx, &key, decision, &by)
            })
        }
    })
    .await?;
    match outcome {
        DecideOutcome::Decided(proposal) => {
            tracing::info!(key = %proposal.key, status = proposal.status.as_str(), "proposal decided");
            Ok(no_store(Json(proposal).into_response()))
        }
        DecideOutcome::UnknownKey => Err(ApiError::NotFound(format!("there is no proposal {key}"))),
        DecideOutcome::Refused(refusal) => {
            let detail = refusal.detail();
            Err(ApiError::InvalidDecision {
                errors: match refusal.pointer() {
                    "" => Vec::new(),
                    pointer => vec![FieldError {
                        pointer: pointer.into(),
                        detail: detail.clone(),
                    }],
                },
                detail,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
