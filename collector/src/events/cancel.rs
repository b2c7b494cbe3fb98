//! The cancellation link of a registration mail: `GET` shows the registration and one button,
//! only the `POST` of that button cancels. Mail scanners open every link in a mail; a GET that
//! cancelled would cancel registrations nobody wanted to cancel. The page names the event as
//! the mail does (title, day, start and end, place, the town's page of it), under the town's name.

use super::mail::when;
use crate::app::page::{escape, plausible_token, town_page, unavailable};
use crate::app::{SharedState, blocking};
use crate::db::{CancelOutcome, Canceller, RegistrationRecord, RegistrationStatus};
use crate::mail::compose::is_web_link;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use mitmachen_shared::messages::Lang;

pub fn routes() -> Router<SharedState> {
    Router::new().route("/v1/registrations/cancel/{token}", get(show).post(confirm))
}

/// The path of a cancellation link; the mail puts the collector's public URL before it.
pub fn link_path(token: &str) -> String {
    format!("/v1/registrations/cancel/{token}")
}

struct Words {
    title: &'static str,
    question: &'static str,
    keep: &'static str,
    button: &'static str,
    done: &'static str,
    done_mail: &'static str,
    already: &'static str,
    event: &'static str,
    when: &'static str,
    place: &'static str,
    persons: &'static str,
    /// The link to the town's page of the event.
    event_page: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::De => Words {
            title: "Anmeldung stornieren",
            question: "Möchten Sie Ihre Anmeldung stornieren? Ihr Platz wird dann frei für andere.",
            keep: "Wenn Sie angemeldet bleiben möchten, schließen Sie diese Seite einfach.",
            button: "Anmeldung stornieren",
            done: "Ihre Anmeldung ist storniert.",
            done_mail: "Sie erhalten eine Bestätigung per E-Mail.",
            already: "Diese Anmeldung ist bereits storniert.",
            event: "Veranstaltung",
            when: "Wann",
            place: "Ort",
            persons: "Personen",
            event_page: "Zur Seite der Veranstaltung",
        },
        Lang::DeEasy => Words {
            title: "Anmeldung absagen",
            question: "Sie können nicht kommen? Dann sagen Sie hier ab. Dann kann eine andere Person kommen.",
            keep: "Sie wollen doch kommen? Dann schließen Sie diese Seite.",
            button: "Ja, ich sage ab",
            done: "Sie haben abgesagt.",
            done_mail: "Sie bekommen dazu eine E-Mail.",
            already: "Sie haben schon abgesagt.",
            event: "Veranstaltung",
            when: "Wann",
            place: "Wo",
            persons: "Personen",
            event_page: "Mehr über die Veranstaltung",
        },
        Lang::En => Words {
            title: "Cancel registration",
            question: "Do you want to cancel your registration? Your seat will then be free for someone else.",
            keep: "If you want to stay registered, simply close this page.",
            button: "Cancel my registration",
            done: "Your registration is cancelled.",
            done_mail: "You will receive a confirmation by e-mail.",
            already: "This registration is already cancelled.",
            event: "Event",
            when: "When",
            place: "Place",
            persons: "Persons",
            event_page: "To the event's page",
        },
    }
}

/// German and English together: without a valid token nobody knows the reader's language.
fn unknown(state: &SharedState) -> Response {
    town_page(
        StatusCode::NOT_FOUND,
        "de",
        state.town.as_deref(),
        "Link ungültig – Invalid link",
        "<p>Dieser Link ist ungültig oder abgelaufen. Anmeldungen werden einige Zeit nach der \
         Veranstaltung gelöscht.</p>\n<p lang=\"en\">This link is not valid or has expired. \
         Registrations are deleted some time after the event.</p>",
    )
}

/// The event's facts as the town declared them and as its mails say them (title; weekday,
/// date, start and end; place), the registration's persons, and the town's page of the event.
fn facts(state: &SharedState, record: &RegistrationRecord, lang: Lang) -> String {
    let w = words(lang);
    let mut html = String::from("<dl>\n");
    let event = state.catalog.now().events.get(&record.widget).cloned();
    if let Some(event) = &event {
        html.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>\n<dt>{}</dt><dd>{}</dd>\n",
            w.event,
            escape(event.facts.title.trim()),
            w.when,
            escape(&when(lang, &event.facts)),
        ));
        if !event.facts.place.trim().is_empty() {
            html.push_str(&format!(
                "<dt>{}</dt><dd>{}</dd>\n",
                w.place,
                escape(event.facts.place.trim())
            ));
        }
    }
    html.push_str(&format!(
        "<dt>{}</dt><dd>{}</dd>\n</dl>",
        w.persons, record.persons
    ));
    if let Some(url) = event
        .and_then(|e| e.page_url.clone())
        .filter(|u| is_web_link(u))
    {
        html.push_str(&format!(
            "\n<p><a href=\"{}\">{}</a></p>",
            escape(&url),
            w.event_page
        ));
    }
    html
}

/// A page in the registration's language under the town's name.
fn shown(state: &SharedState, lang: Lang, title: &str, body: &str) -> Response {
    town_page(
        StatusCode::OK,
        lang.tag(),
        state.town.as_deref(),
        title,
        body,
    )
}

fn lang_of(record: &RegistrationRecord) -> Lang {
    Lang::from_tag(&record.lang).unwrap_or_default()
}

async fn show(State(state): State<SharedState>, Path(token): Path<String>) -> Response {
    if !plausible_token(&token) {
        return unknown(&state);
    }
    let found = blocking(&state, "reading a registration", move |store| {
        store.registration_by_token(&token)
    })
    .await;
    match found {
        Ok(Some(record)) => {
            let lang = lang_of(&record);
            let w = words(lang);
            let body = if record.status == RegistrationStatus::Cancelled {
                format!("<p>{}</p>\n{}", w.already, facts(&state, &record, lang))
            } else {
                // The form posts back to this same URL. Red: a seat given up may be gone.
                format!(
                    "<p>{}</p>\n{}\n<form method=\"post\">\n<p><button type=\"submit\" class=\"danger\">{}</button></p>\n</form>\n<p class=\"note\">{}</p>",
                    w.question,
                    facts(&state, &record, lang),
                    w.button,
                    w.keep
                )
            };
            shown(&state, lang, w.title, &body)
        }
        Ok(None) => unknown(&state),
        Err(_) => unavailable(),
    }
}

async fn confirm(State(state): State<SharedState>, Path(token): Path<String>) -> Response {
    if !plausible_token(&token) {
        return unknown(&state);
    }
    let event = match blocking(&state, "reading a registration", {
        let token = token.clone();
        move |store| store.registration_by_token(&token)
    })
    .await
    {
        Ok(Some(record)) => state.catalog.now().events.get(&record.widget).cloned(),
        Ok(None) => return unknown(&state),
        Err(_) => return unavailable(),
    };
    let outcome = blocking(&state, "cancelling a registration", move |store| {
        store.cancel(Canceller::Token(token), event.as_deref())
    })
    .await;
    match outcome {
        Ok(CancelOutcome::Cancelled { record, promoted }) => {
            state.mail_wakeup.notify_one();
            tracing::info!(widget = %record.widget, promoted, "registration cancelled by its registrant");
            let lang = lang_of(&record);
            let w = words(lang);
            let body = format!(
                "<p>{} {}</p>\n{}",
                w.done,
                w.done_mail,
                facts(&state, &record, lang)
            );
            shown(&state, lang, w.title, &body)
        }
        Ok(CancelOutcome::AlreadyCancelled(record)) => {
            let lang = lang_of(&record);
            let w = words(lang);
            let body = format!("<p>{}</p>\n{}", w.already, facts(&state, &record, lang));
            shown(&state, lang, w.title, &body)
        }
        Ok(CancelOutcome::Unknown) => unknown(&state),
        Err(_) => unavailable(),
    }
}
