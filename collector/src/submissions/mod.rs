//! `POST /v1/widgets/{widget}/submissions`: check, store once per idempotency key, answer 201.
//!
//! Checks run cheapest first: widget id, origin (in `cors`), the client's rate limit, content
//! type, idempotency key, size, JSON, the protocol's rules; then, inside the store's write
//! transaction, the widget's own rules where the configuration declares them (closing time,
//! dots, topics, options; see `ballots::rules`), where a refusal first looks up the key.
//! Nothing is stored unless all pass, and nothing either when the honeypot is filled, although
//! the answer looks the same.

pub(crate) mod store;

use crate::app::body::read_body;
use crate::app::error::ApiError;
use crate::app::rate_limit::{ClientAddr, Scope};
use crate::app::{SharedState, blocking, single_header, widget_id};
use crate::config::NewWidgets;
use crate::db::{
    NewSubmission, Refusal, RegistrationContext, SubmitOutcome, SubscriptionContext, new_receipt,
};
use crate::newsletters::Newsletter;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State, rejection::PathRejection};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use mitmachen_shared::event::Ask;
use mitmachen_shared::event::Placement;
use mitmachen_shared::ids::OptionKey;
use mitmachen_shared::newsletter::{Offer, SubscriptionField, check_subscription};
use mitmachen_shared::protocol::{
    FieldError, IDEMPOTENCY_KEY_HEADER, Submission, Subscription, valid_idempotency_key,
};
use serde::de::IgnoredAny;
use serde_json::Value;
use serde_json::error::Category;

pub const REPLAYED_HEADER: &str = "idempotent-replayed";

pub fn routes() -> Router<SharedState> {
    Router::new().route("/v1/widgets/{widget}/submissions", post(submit))
}

async fn submit(
    State(state): State<SharedState>,
    widget: Result<Path<String>, PathRejection>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let widget = widget_id(widget)?;
    // Before the body is read, so that a client over its limit costs next to nothing.
    state.limits.check(Scope::Submissions, client)?;
    check_content_type(&headers)?;
    let idempotency_key = idempotency_key(&headers)?;
    let body = read_body(&headers, body, state.body_limit).await?;
    let submission = decode(&body)?;
    submission.validate().map_err(invalid)?;
    if submission.is_spam() {
        // A bot filled the hidden field: answer exactly like an accepted submission (a fresh
        // receipt, accepted now) so that it learns nothing, but store and count nothing.
        tracing::debug!(widget = %widget, "honeypot filled; answered as accepted, not stored");
        // A registration's receipt carries a placement; a seat is what a bot would expect.
        let placement =
            matches!(submission, Submission::Registration(_)).then_some(Placement::Seat);
        let (_, receipt) = new_receipt(&widget, placement).map_err(|e| {
            tracing::error!(error = %e, "answering a honeypot submission failed");
            ApiError::StorageUnavailable
        })?;
        return Ok(created(receipt, false));
    }
    let declared = state.catalog.now();
    if declared.is_draft(&widget) {
        return Err(ApiError::Draft(format!(
            "'{widget}' was recorded from a page and waits for an editor to adopt it in the console; it takes no submissions yet"
        )));
    }
    // Under `new_widgets = "draft"` only a defined widget takes part (events and newsletters
    // are refused below as unknown anyway).
    if state.new_widgets == NewWidgets::Draft
        && !declared.widgets.contains_key(&widget)
        && !declared.rules.contains_key(&widget)
        && !matches!(
            submission,
            Submission::Registration(_) | Submission::Subscription(_)
        )
    {
        return Err(ApiError::Draft(format!(
            "'{widget}' has no definition yet; an editor defines or adopts it in the console"
        )));
    }
    let registration = match &submission {
        Submission::Registration(_) => {
            let Some(event) = declared.events.get(&widget) else {
                return Err(ApiError::UnknownEvent(format!(
                    "this collector has no event '{widget}'; its administrator declares events in [events.{widget}]"
                )));
            };
            Some(RegistrationContext {
                event: event.clone(),
                purge_at: event.purge_at(state.retention_days),
            })
        }
        _ => None,
    };
    let subscription = match &submission {
        Submission::Subscription(s) => {
            let Some(newsletter) = declared.newsletters.get(&widget) else {
                return Err(ApiError::UnknownNewsletter(format!(
                    "this collector has no newsletter '{widget}'; its administrator declares newsletters in [newsletters.{widget}]"
                )));
            };
            check_lists(s, newsletter)?;
            Some(SubscriptionContext {
                newsletter: newsletter.clone(),
                client: state.limits.client_key(client),
            })
        }
        _ => None,
    };
    let sends_mail = registration.is_some() || subscription.is_some();
    let new = NewSubmission {
        registration,
        subscription,
        idempotency_key,
        body: body.to_vec(),
        moderation: declared.moderation(&widget),
        rules: declared.rules.get(&widget).cloned(),
        submission,
        widget,
    };
    // The writer answers once the batch is durable; awaiting it holds no blocking thread.
    let outcome = match state.store.submit_queued(new) {
        Ok(answer) => answer.wait().await.map_err(|e| {
            tracing::error!(error = %e, "storing a submission failed");
            ApiError::StorageUnavailable
        })?,
        Err(new) => {
            blocking(&state, "storing a submission", move |store| {
                store.submit(*new)
            })
            .await?
        }
    };
    match outcome {
        SubmitOutcome::Stored(receipt) => {
            if sends_mail {
                // Its mail is queued in the same commit; the sender need not wait for its tick.
                state.mail_wakeup.notify_one();
            }
            Ok(created(receipt, false))
        }
        SubmitOutcome::Replayed(receipt) => Ok(created(receipt, true)),
        SubmitOutcome::KeyReused => Err(ApiError::IdempotencyKeyReused),
        SubmitOutcome::Refused(Refusal::Closed(detail)) => Err(ApiError::Closed(detail)),
        SubmitOutcome::Refused(Refusal::Invalid(errors)) => Err(invalid(errors)),
        SubmitOutcome::Refused(Refusal::Full(detail)) => Err(ApiError::EventFull(detail)),
    }
}

/// The chosen lists must be the declared newsletter's; from several, at least one.
fn check_lists(subscription: &Subscription, newsletter: &Newsletter) -> Result<(), ApiError> {
    let offered = newsletter.list_keys();
    let offer = Offer {
        name: Ask::Optional,
        lists: &offered,
    };
    let errors: Vec<FieldError> = check_subscription(&subscription.values(), Some(offer))
        .into_iter()
        .filter(|(field, _)| *field == SubscriptionField::Lists)
        .map(|(field, problem)| {
            let names: Vec<&str> = offered.iter().map(|k| k.as_str()).collect();
            FieldError {
                pointer: format!("/{}", field.name()),
                detail: format!(
                    "lists {} (this newsletter has: {})",
                    problem.detail(),
                    if names.is_empty() {
                        "no lists".to_owned()
                    } else {
                        names.join(", ")
                    }
                ),
            }
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(invalid(errors))
    }
}

/// A 422 listing each broken rule, with a detail that names them all.
fn invalid(errors: Vec<FieldError>) -> ApiError {
    let detail = errors
        .iter()
        .map(|e| format!("{}: {}", e.pointer.trim_start_matches('/'), e.detail))
        .collect::<Vec<_>>()
        .join("; ");
    ApiError::InvalidSubmission { detail, errors }
}

fn created(receipt: String, replayed: bool) -> Response {
    let mut response = (
        StatusCode::CREATED,
        [(CONTENT_TYPE, "application/json")],
        receipt,
    )
        .into_response();
    if replayed {
        response
            .headers_mut()
            .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    }
    response
}

/// `application/json`, optionally with `charset=utf-8`: JSON is UTF-8 (RFC 8259).
fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let refuse = |got: &str| {
        ApiError::UnsupportedMediaType(format!(
            "send the body as JSON with Content-Type: application/json (got {})",
            crate::app::error::excerpt(got)
        ))
    };
    let mut values = headers.get_all(CONTENT_TYPE).iter();
    let value = match (values.next(), values.next()) {
        (None, _) => return Err(refuse("no Content-Type")),
        (Some(_), Some(_)) => return Err(refuse("more than one Content-Type")),
        (Some(v), None) => v
            .to_str()
            .map_err(|_| refuse("an unreadable Content-Type"))?,
    };
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(refuse(value));
    }
    for param in parts.map(str::trim).filter(|p| !p.is_empty()) {
        let utf8 = param.split_once('=').is_some_and(|(name, v)| {
            name.trim().eq_ignore_ascii_case("charset")
                && v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        });
        if !utf8 {
            return Err(refuse(value));
        }
    }
    Ok(())
}

fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let value = single_header(
        headers,
        IDEMPOTENCY_KEY_HEADER,
        "send one key per request (a fresh UUID per submission, the same on every retry)",
    )?;
    let Some(value) = value else {
        return Err(ApiError::IdempotencyKeyMissing(format!(
            "send an {IDEMPOTENCY_KEY_HEADER} header (a fresh UUID per submission, the same on every retry)"
        )));
    };
    match value.to_str() {
        Ok(key) if valid_idempotency_key(key) => Ok(key.to_owned()),
        _ => Err(ApiError::IdempotencyKeyMissing(format!(
            "the {IDEMPOTENCY_KEY_HEADER} header must be 8 to 128 visible ASCII characters, e.g. a UUID"
        ))),
    }
}

/// Syntax errors are 400 (not JSON at all); JSON of the wrong shape is 422 with a pointer.
fn decode(body: &[u8]) -> Result<Submission, ApiError> {
    let malformed =
        |e: serde_json::Error| ApiError::MalformedJson(format!("the body is not valid JSON: {e}"));
    // One parse for the valid body, the common case; only a refused one is parsed again.
    serde_json::from_slice(body).map_err(|e| match e.classify() {
        Category::Data => {
            // Decoding into the type stops at the first shape error and would report `{} x` as
            // a missing field instead of as not being JSON: the syntax decides first.
            if let Err(syntax) = serde_json::from_slice::<IgnoredAny>(body) {
                return malformed(syntax);
            }
            let detail = e.to_string();
            let pointer = locate(body, &detail);
            ApiError::InvalidSubmission {
                errors: vec![FieldError {
                    pointer,
                    detail: detail.clone(),
                }],
                detail,
            }
        }
        Category::Syntax | Category::Eof | Category::Io => malformed(e),
    })
}

/// Best guess at the JSON pointer of a shape error; serde reports the message, not the place.
fn locate(body: &[u8], message: &str) -> String {
    let named = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(|f| format!("/{f}"))
    };
    if let Some(p) = named("unknown field `").or_else(|| named("missing field `")) {
        return p;
    }
    let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(body) else {
        return String::new();
    };
    if message.contains("variant") || !doc.get("kind").is_some_and(Value::is_string) {
        return "/kind".into();
    }
    match doc.get("choices") {
        Some(Value::Array(items)) => items
            .iter()
            .position(|item| item.as_str().is_none_or(|s| OptionKey::parse(s).is_err()))
            .map_or_else(|| "/choices".into(), |i| format!("/choices/{i}")),
        _ => "/choices".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn content_types() {
        for ok in [
            "application/json",
            "Application/JSON; charset=UTF-8",
            "application/json;charset=\"utf-8\"",
        ] {
            assert!(
                check_content_type(&headers(&[("content-type", ok)])).is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "text/plain",
            "application/json; charset=latin1",
            "application/jsonx",
            "multipart/form-data",
        ] {
            assert!(
                check_content_type(&headers(&[("content-type", bad)])).is_err(),
                "{bad}"
            );
        }
        assert!(check_content_type(&HeaderMap::new()).is_err());
        let mut twice = headers(&[("content-type", "application/json")]);
        twice.append(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert!(check_content_type(&twice).is_err());
    }

    #[test]
    fn shape_errors_point_at_the_field() {
        let pointer = |body: &str| match decode(body.as_bytes()) {
            Err(ApiError::InvalidSubmission { errors, .. }) => errors[0].pointer.clone(),
            other => panic!("{body}: {other:?}"),
        };
        assert_eq!(
            pointer(r#"{"kind":"poll","choices":["ja"],"ip":"1.2.3.4"}"#),
            "/ip"
        );
        assert_eq!(pointer(r#"{"kind":"poll"}"#), "/choices");
        assert_eq!(pointer(r#"{"kind":"vote","choices":["ja"]}"#), "/kind");
        assert_eq!(pointer(r#"{"choices":["ja"]}"#), "/kind");
        assert_eq!(
            pointer(r#"{"kind":"poll","choices":["ja","<b>"]}"#),
            "/choices/1"
        );
        assert_eq!(pointer(r#"{"kind":"poll","choices":"ja"}"#), "/choices");
        assert_eq!(pointer(r#"[1]"#), "");
        assert!(matches!(
            decode(b"{\"kind\":"),
            Err(ApiError::MalformedJson(_))
        ));
        assert!(matches!(decode(b""), Err(ApiError::MalformedJson(_))));
        assert!(matches!(decode(b"{} x"), Err(ApiError::MalformedJson(_))));
    }
}
