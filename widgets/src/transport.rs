//! The one way every widget talks to its endpoint (protocol: `docs/protocol.md`).
//!
//! JSON over `fetch`, no cookies or credentials, an `Idempotency-Key` that stays the same for
//! every retry of one submission, retries by [`crate::retry`].

use crate::retry::{self, Outcome};
use crate::{browser, wire};
use mitmachen_shared::config::Endpoint;
use mitmachen_shared::definition::Definition;
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::{self, EventStatus, ProblemKind, Receipt, Submission};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestCredentials, RequestInit, RequestMode, Response};

/// A request gets this long before it counts as a network error.
const TIMEOUT_MS: u32 = 15_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The endpoint answered and refused; retrying the same request will not help. `problem`
    /// is the problem's `type` and `errors` its (pointer, detail) pairs, when the answer was a
    /// problem object.
    Rejected {
        status: u16,
        detail: String,
        problem: String,
        errors: Vec<(String, String)>,
    },
    /// No usable answer after every retry.
    Unreachable,
}

impl SendError {
    /// What `{:?}` writes (`Unreachable`, `Rejected { status: 422, detail: "…", … }`), for the
    /// `mitmachen:error` event, without pulling Rust's `Debug` machinery and its Unicode tables
    /// into the wasm: the same for every text but one with invisible characters, which `Debug`
    /// would escape and this leaves as they are.
    pub fn describe(&self) -> String {
        let SendError::Rejected {
            status,
            detail,
            problem,
            errors,
        } = self
        else {
            return "Unreachable".into();
        };
        let mut s = format!("Rejected {{ status: {status}, detail: ");
        push_debug(&mut s, detail);
        s.push_str(", problem: ");
        push_debug(&mut s, problem);
        s.push_str(", errors: [");
        for (i, (pointer, detail)) in errors.iter().enumerate() {
            s.push_str(if i == 0 { "(" } else { ", (" });
            push_debug(&mut s, pointer);
            s.push_str(", ");
            push_debug(&mut s, detail);
            s.push(')');
        }
        s.push_str("] }");
        s
    }

    /// Whether the endpoint refused with a problem of this kind.
    pub fn is_problem(&self, kind: ProblemKind) -> bool {
        matches!(self, SendError::Rejected { problem, .. }
            if ProblemKind::from_type_uri(problem) == kind)
    }
}

#[cfg(test)]
impl SendError {
    /// A refusal as an endpoint words it, for tests: `errors` are the (pointer, detail) pairs;
    /// the detail is always "refused".
    pub fn refusal(status: u16, problem: ProblemKind, errors: &[(&str, &str)]) -> SendError {
        SendError::Rejected {
            status,
            detail: "refused".into(),
            problem: problem.type_uri(),
            errors: errors
                .iter()
                .map(|(p, d)| ((*p).to_owned(), (*d).to_owned()))
                .collect(),
        }
    }
}

/// A string quoted and escaped as `Debug` does it for quotes, backslashes and control
/// characters; everything else as it is (`Debug` also escapes invisible characters, which needs
/// the Unicode tables).
fn push_debug(s: &mut String, text: &str) {
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            '\0' => s.push_str("\\0"),
            c if c.is_control() => s.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => s.push(c),
        }
    }
    s.push('"');
}

struct Answer {
    status: u16,
    retry_after_s: Option<u32>,
    body: JsValue,
}

/// One request; `body` is the JSON and, for a submission, its idempotency key.
async fn request(
    method: &str,
    url: &str,
    body: Option<(&str, Option<&str>)>,
) -> Result<Answer, Outcome> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_mode(RequestMode::Cors);
    init.set_credentials(RequestCredentials::Omit);
    init.set_signal(Some(&web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS)));
    let headers = Headers::new().map_err(|_| Outcome::NetworkError)?;
    let _ = headers.set("Accept", "application/json, application/problem+json");
    if let Some((json, key)) = body {
        let _ = headers.set("Content-Type", "application/json");
        if let Some(key) = key {
            let _ = headers.set(protocol::IDEMPOTENCY_KEY_HEADER, key);
        }
        init.set_body(&JsValue::from_str(json));
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(url, &init).map_err(|_| Outcome::NetworkError)?;
    let window = browser::window().ok_or(Outcome::NetworkError)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .ok()
        .and_then(browser::dyn_into)
        .ok_or(Outcome::NetworkError)?;
    let status = response.status();
    let retry_after_s = response
        .headers()
        .get("Retry-After")
        .ok()
        .flatten()
        .and_then(|v| retry_after_seconds(&v));
    // A body that is not JSON (a proxy's HTML error page) is treated as empty.
    let body = match response.json() {
        Ok(p) => JsFuture::from(p).await.unwrap_or(JsValue::NULL),
        Err(_) => JsValue::NULL,
    };
    Ok(Answer {
        status,
        retry_after_s,
        body,
    })
}

fn retry_after_seconds(value: &str) -> Option<u32> {
    retry::parse_retry_after_seconds(value).or_else(|| {
        let at = js_sys::Date::parse(value);
        (!at.is_nan()).then(|| ((at - js_sys::Date::now()) / 1000.0).clamp(0.0, 86_400.0) as u32)
    })
}

/// Sends a submission until it is stored or refused (or, when the endpoint answers 5xx or 429,
/// every attempt failed; without any answer it keeps trying, see [`crate::retry`]). `on_wait` is told
/// how many seconds the next attempt is away, so the widget can say so.
pub async fn submit(
    endpoint: &Endpoint,
    widget: &WidgetId,
    submission: &Submission,
    idempotency_key: &str,
    on_wait: &dyn Fn(u32),
) -> Result<Receipt, SendError> {
    let url = endpoint.url(&protocol::submissions_path(widget));
    let json = wire::submission_json(submission);
    let mut attempt = 1;
    loop {
        let (outcome, retry_after) =
            match request("POST", &url, Some((&json, Some(idempotency_key)))).await {
                Ok(answer) if (200..300).contains(&answer.status) => {
                    return wire::receipt(answer.body).ok_or(SendError::Unreachable);
                }
                Ok(answer) if !Outcome::Status(answer.status).is_retryable() => {
                    let problem = wire::problem(answer.body).unwrap_or_default();
                    return Err(SendError::Rejected {
                        status: answer.status,
                        detail: problem.detail,
                        problem: problem.kind,
                        errors: problem.errors,
                    });
                }
                Ok(answer) => (Outcome::Status(answer.status), answer.retry_after_s),
                Err(outcome) => (outcome, None),
            };
        let Some(wait) = retry::delay_ms(attempt, outcome, retry_after) else {
            return Err(SendError::Unreachable);
        };
        on_wait(wait.div_ceil(1000));
        browser::sleep_or_online(wait).await;
        attempt += 1;
    }
}

/// The widget's current results; one retry on a network error.
pub async fn results(endpoint: &Endpoint, widget: &WidgetId) -> Option<wire::Tally> {
    let url = endpoint.url(&protocol::results_path(widget));
    for attempt in 1..=2 {
        match request("GET", &url, None).await {
            Ok(answer) if answer.status == 200 => return wire::results(answer.body),
            Ok(_) => return None,
            Err(_) if attempt == 1 => browser::sleep(1_000).await,
            Err(_) => return None,
        }
    }
    None
}

/// The widget's approved proposals; one retry on a network error.
pub async fn topics(
    endpoint: &Endpoint,
    widget: &WidgetId,
) -> Option<Vec<mitmachen_shared::config::TopicItem>> {
    let url = endpoint.url(&protocol::topics_path(widget));
    for attempt in 1..=2 {
        match request("GET", &url, None).await {
            Ok(answer) if answer.status == 200 => return wire::topics(answer.body),
            Ok(_) => return None,
            Err(_) if attempt == 1 => browser::sleep(1_000).await,
            Err(_) => return None,
        }
    }
    None
}

/// What the endpoint holds of a widget's definition.
pub enum Defined {
    Yes(wire::Defined),
    /// None (`204`): the page's attributes are the whole configuration, and the collector
    /// would like to know the page.
    No,
    /// No usable answer: go on with the attributes.
    Unavailable,
}

/// The endpoint's definition of the widget; no retry (the widget already shows the page's).
pub async fn definition(endpoint: &Endpoint, widget: &WidgetId) -> Defined {
    let url = endpoint.url(&protocol::definition_path(widget));
    match request("GET", &url, None).await {
        Ok(answer) if answer.status == 200 => match wire::definition(answer.body) {
            Some(defined) => Defined::Yes(defined),
            None => Defined::Unavailable,
        },
        Ok(answer) if answer.status == 204 => Defined::No,
        // A backend without definitions (404) or none at all: the attributes stand.
        _ => Defined::Unavailable,
    }
}

/// Tells the endpoint what this page says about a widget it does not know; its answer is the
/// definition it made, if any.
pub async fn record_page(
    endpoint: &Endpoint,
    widget: &WidgetId,
    page: &str,
    definition: &Definition,
) -> Option<wire::Defined> {
    let url = endpoint.url(&protocol::pages_path(widget));
    let json = wire::page_json(page, definition);
    match request("POST", &url, Some((&json, None))).await {
        Ok(answer) if (200..300).contains(&answer.status) => wire::definition(answer.body),
        _ => None,
    }
}

/// Why an event's seats could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusError {
    /// The endpoint knows no event of this id (`404 unknown-event`): a setup mistake.
    Unknown,
    /// No usable answer.
    Unavailable,
}

/// An event's seats and whether it takes registrations; one retry on a network error.
pub async fn event_status(
    endpoint: &Endpoint,
    widget: &WidgetId,
) -> Result<EventStatus, StatusError> {
    let url = endpoint.url(&protocol::event_path(widget));
    for attempt in 1..=2 {
        match request("GET", &url, None).await {
            Ok(answer) if answer.status == 200 => {
                return wire::event_status(answer.body).ok_or(StatusError::Unavailable);
            }
            Ok(answer) if answer.status == 404 => {
                let unknown = wire::problem(answer.body)
                    .is_some_and(|p| p.kind() == ProblemKind::UnknownEvent);
                return Err(if unknown {
                    StatusError::Unknown
                } else {
                    StatusError::Unavailable
                });
            }
            Ok(_) => return Err(StatusError::Unavailable),
            Err(_) if attempt == 1 => browser::sleep(1_000).await,
            Err(_) => return Err(StatusError::Unavailable),
        }
    }
    Err(StatusError::Unavailable)
}

#[cfg(test)]
mod tests {
    use super::{ProblemKind, SendError};

    #[test]
    fn describe_is_debug() {
        let tricky = "It's \"closed\"\n\t\\ ä 🙂 x\u{7f}\u{0}\u{9f}";
        for e in [
            SendError::Unreachable,
            SendError::Rejected {
                status: 422,
                detail: String::new(),
                problem: String::new(),
                errors: vec![],
            },
            SendError::Rejected {
                status: 0,
                detail: tricky.into(),
                problem: "urn:mitmachen:problem:invalid-submission".into(),
                errors: vec![
                    ("/email".into(), tricky.into()),
                    ("/name".into(), "name is required".into()),
                ],
            },
        ] {
            assert_eq!(e.describe(), format!("{e:?}"));
        }
        // Invisible and combining characters stay as they are (`Debug` writes `\u{200b}`).
        let invisible = SendError::Rejected {
            status: 422,
            detail: "a\u{200b}b e\u{301}".into(),
            problem: String::new(),
            errors: vec![],
        };
        assert!(invisible.describe().contains("\"a\u{200b}b e\u{301}\""));
    }

    #[test]
    fn problem_types_by_slug() {
        let full = SendError::Rejected {
            status: 409,
            detail: String::new(),
            problem: "urn:mitmachen:problem:event-full".into(),
            errors: vec![],
        };
        assert!(full.is_problem(ProblemKind::EventFull));
        assert!(!full.is_problem(ProblemKind::Closed));
        assert!(!SendError::Unreachable.is_problem(ProblemKind::EventFull));
        // A newer collector's kind is refused like any other, never mistaken for one we know.
        let newer = SendError::Rejected {
            status: 409,
            detail: String::new(),
            problem: "urn:mitmachen:problem:seat-lottery-lost".into(),
            errors: vec![],
        };
        assert!(newer.is_problem(ProblemKind::Other));
        assert!(!newer.is_problem(ProblemKind::EventFull));
    }
}
