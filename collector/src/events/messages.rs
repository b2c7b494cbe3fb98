//! Writing to an event's registrants from the console (`/admin/widgets/{id}/message`): the
//! town's subject and text to everyone with a seat, the waiting list or both, shown once more
//! with the number of recipients before it is queued (the queue sends at its pace and retries);
//! and the event's mail log (`/admin/widgets/{id}/mails`): what was queued, sent, retried or
//! given up, per registration.

use super::mail::OrganiserMessage;
use super::organise;
use super::pages::{event_of, persons};
use super::store::{self, Audience, LoggedMail};
use crate::accounts::Permission;
use crate::app::SharedState;
use crate::app::console::{
    Console, Lang, Nav, csrf_field, error_summary, form_field, off_thread, page, see_other,
    shown_time,
};
use crate::db;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use mitmachen_shared::ids::WidgetId;

const SUBJECT_MAX: usize = 200;
const BODY_MAX: usize = 10_000;
/// The newest mails the log shows.
const LOGGED: i64 = 500;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/admin/widgets/{id}/message", get(start).post(step))
        .route("/admin/widgets/{id}/mails", get(log))
}

#[derive(Debug, Clone)]
struct Typed {
    audience: Audience,
    subject: String,
    body: String,
}

fn audience_text(lang: Lang, audience: Audience) -> &'static str {
    match audience {
        Audience::Seats => lang.t("alle mit Platz", "everyone with a seat"),
        Audience::Waiting => lang.t("alle auf der Warteliste", "everyone on the waiting list"),
        Audience::All => lang.t(
            "alle mit Platz und auf der Warteliste",
            "everyone with a seat or on the waiting list",
        ),
    }
}

fn title(lang: Lang, id: &WidgetId) -> String {
    match lang {
        Lang::De => format!("E-Mail an Angemeldete: {}", id.as_str()),
        Lang::En => format!("Mail to registrants: {}", id.as_str()),
    }
}

fn form(console: &Console, id: &WidgetId, typed: &Typed, errors: &[(&str, String)]) -> Markup {
    let lang = console.lang;
    let error = |f: &str| {
        errors
            .iter()
            .find(|(k, _)| *k == f)
            .map(|(_, m)| m.as_str())
    };
    html! {
        p { (lang.t(
            "Ihr Text geht an jede angemeldete Person mit E-Mail-Adresse, mit den Angaben zur Veranstaltung und dem Link zum Stornieren. Schreiben Sie nichts, was nur einzelne Personen betrifft; Absätze trennen Sie mit einer Leerzeile.",
            "Your text goes to every registered person with an e-mail address, with the event's details and the cancellation link. Write nothing that concerns single persons only; separate paragraphs with a blank line."
        )) }
        (error_summary(lang, errors))
        form method="post" action={ "/admin/widgets/" (id.as_str()) "/message" } novalidate {
            (csrf_field(console))
            input type="hidden" name="step" value="preview";
            fieldset {
                legend { (lang.t("An wen?", "To whom?")) }
                @for a in [Audience::Seats, Audience::Waiting, Audience::All] {
                    div.choice {
                        input id={ "audience-" (a.as_str()) } type="radio" name="audience" value=(a.as_str()) checked[typed.audience == a];
                        label for={ "audience-" (a.as_str()) } { (audience_text(lang, a)) }
                    }
                }
            }
            div.field {
                label for="subject" { (lang.t("Betreff", "Subject")) }
                @if let Some(e) = error("subject") { p.error #subject-error { (e) } }
                input #subject name="subject" type="text" value=(typed.subject) maxlength=(SUBJECT_MAX)
                    aria-invalid=[error("subject").map(|_| "true")] aria-describedby=[error("subject").map(|_| "subject-error")];
            }
            div.field {
                label for="body" { (lang.t("Text", "Text")) }
                @if let Some(e) = error("body") { p.error #body-error { (e) } }
                textarea #body name="body" rows="10" maxlength=(BODY_MAX)
                    aria-invalid=[error("body").map(|_| "true")] aria-describedby=[error("body").map(|_| "body-error")] { (typed.body) }
            }
            button type="submit" { (lang.t("Weiter: prüfen", "Next: check")) }
        }
        p { a href={ "/admin/widgets/" (id.as_str()) "/registrations" } { (lang.t("Zu den Anmeldungen", "To the registrations")) } }
    }
}

async fn start(
    State(state): State<SharedState>,
    console: Console,
    Path(id): Path<String>,
) -> Response {
    if let Err(refused) = console.require(Permission::PersonalData) {
        return refused.into_response();
    }
    let (id, _) = match event_of(&state, &console, &id) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let typed = Typed {
        audience: Audience::All,
        subject: String::new(),
        body: String::new(),
    };
    let lang = console.lang;
    page(
        StatusCode::OK,
        lang,
        Some(&console),
        Nav::Widgets,
        &title(lang, &id),
        form(&console, &id, &typed, &[]),
    )
}

async fn step(
    State(state): State<SharedState>,
    console: Console,
    headers: HeaderMap,
    Path(id): Path<String>,
    sent: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields = sent.map(|f| f.0).unwrap_or_default();
    if let Err(refused) = console.may_change(
        &state,
        &headers,
        form_field(&fields, "csrf"),
        Permission::PersonalData,
    ) {
        return refused.into_response();
    }
    let lang = console.lang;
    let (id, _) = match event_of(&state, &console, &id) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let typed = Typed {
        audience: form_field(&fields, "audience")
            .and_then(Audience::parse)
            .unwrap_or(Audience::All),
        subject: form_field(&fields, "subject")
            .unwrap_or_default()
            .trim()
            .to_owned(),
        body: form_field(&fields, "body")
            .unwrap_or_default()
            .trim()
            .to_owned(),
    };
    let mut errors: Vec<(&str, String)> = Vec::new();
    let chars = |s: &str| s.chars().count();
    if typed.subject.is_empty() || chars(&typed.subject) > SUBJECT_MAX {
        errors.push((
            "subject",
            match lang {
                Lang::De => {
                    format!("Geben Sie einen Betreff mit höchstens {SUBJECT_MAX} Zeichen an.")
                }
                Lang::En => format!("Give a subject of at most {SUBJECT_MAX} characters."),
            },
        ));
    }
    if typed.body.is_empty() || chars(&typed.body) > BODY_MAX {
        errors.push((
            "body",
            match lang {
                Lang::De => format!("Schreiben Sie einen Text mit höchstens {BODY_MAX} Zeichen."),
                Lang::En => format!("Write a text of at most {BODY_MAX} characters."),
            },
        ));
    }
    let step = form_field(&fields, "step").unwrap_or("preview");
    if !errors.is_empty() || step == "edit" {
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return page(
            status,
            lang,
            Some(&console),
            Nav::Widgets,
            &title(lang, &id),
            form(&console, &id, &typed, &errors),
        );
    }
    let (state2, id2) = (state.clone(), id.clone());
    if step == "send" {
        let by = console.session.account.name.clone();
        let message = OrganiserMessage {
            subject: typed.subject.clone(),
            body: typed.body.clone(),
        };
        let audience = typed.audience;
        return match off_thread(lang, "queueing a message to registrants", move || {
            organise::message(&state2, &by, &id2, audience, message)
        })
        .await
        {
            Ok(n) => see_other(&format!(
                "/admin/widgets/{}/registrations?done=mailed&mails={n}",
                id.as_str()
            )),
            Err(response) => response,
        };
    }
    let audience = typed.audience;
    let count = match off_thread(lang, "counting registrants", move || {
        db::read(state2.store.as_ref(), |tx| {
            store::audience_size(tx, id2.as_str(), audience)
        })
    })
    .await
    {
        Ok(n) => n,
        Err(response) => return response,
    };
    let hidden = |console: &Console| {
        html! {
            (csrf_field(console))
            input type="hidden" name="audience" value=(typed.audience.as_str());
            input type="hidden" name="subject" value=(typed.subject);
            input type="hidden" name="body" value=(typed.body);
        }
    };
    let action = format!("/admin/widgets/{}/message", id.as_str());
    page(
        StatusCode::OK,
        lang,
        Some(&console),
        Nav::Widgets,
        &title(lang, &id),
        html! {
            p.count { (match lang {
                Lang::De => format!("Diese E-Mail geht an {} ({}).", persons(lang, count), audience_text(lang, typed.audience)),
                Lang::En => format!("This mail goes to {} ({}).", persons(lang, count), audience_text(lang, typed.audience)),
            }) }
            section.message-preview aria-labelledby="preview-subject" {
                h2 #preview-subject { (typed.subject) }
                @for paragraph in typed.body.replace("\r\n", "\n").split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
                    p.description { (paragraph) }
                }
                p.hint { (lang.t(
                    "Dazu kommen die Angaben zur Veranstaltung und der Link zum Stornieren.",
                    "The event's details and the cancellation link are added."
                )) }
            }
            div.row-actions {
                @if count > 0 {
                    form method="post" action=(action) {
                        (hidden(&console))
                        input type="hidden" name="step" value="send";
                        button type="submit" { (match lang {
                            Lang::De => format!("Jetzt an {} senden", persons(lang, count)),
                            Lang::En => format!("Send to {} now", persons(lang, count)),
                        }) }
                    }
                }
                form method="post" action=(action) {
                    (hidden(&console))
                    input type="hidden" name="step" value="edit";
                    button.secondary type="submit" { (lang.t("Ändern", "Change")) }
                }
            }
        },
    )
}

pub(super) fn mail_state(lang: Lang, m: &LoggedMail) -> String {
    match (&m.sent_at, &m.failed_at) {
        (Some(at), _) => match lang {
            Lang::De => format!("gesendet {}", shown_time(at)),
            Lang::En => format!("sent {}", shown_time(at)),
        },
        (None, Some(_)) => lang.t("aufgegeben", "given up").to_owned(),
        (None, None) if m.attempts > 0 => match lang {
            Lang::De => format!("wird erneut versucht ({} Versuche)", m.attempts),
            Lang::En => format!("to be retried ({} attempts)", m.attempts),
        },
        (None, None) => lang
            .t("wartet auf Versand", "waiting to be sent")
            .to_owned(),
    }
}

pub(super) fn kind_text(lang: Lang, kind: &str) -> &str {
    match kind {
        "seat" => lang.t("Platz bestätigt", "seat confirmed"),
        "waiting_list" => lang.t("Warteliste", "waiting list"),
        "already_seat" | "already_waiting" => lang.t("schon angemeldet", "already registered"),
        "promoted" => lang.t("nachgerückt", "moved up"),
        "cancelled" => lang.t("selbst storniert", "cancelled by the person"),
        "cancelled_by_organiser" => {
            lang.t("vom Veranstalter storniert", "cancelled by the organiser")
        }
        "event_cancelled" => lang.t("Veranstaltung abgesagt", "event cancelled"),
        "event_moved" => lang.t("Termin oder Ort geändert", "time or place changed"),
        "event_message" => lang.t("Nachricht des Veranstalters", "message from the organiser"),
        other => other,
    }
}

async fn log(
    State(state): State<SharedState>,
    console: Console,
    Path(id): Path<String>,
) -> Response {
    if let Err(refused) = console.require(Permission::PersonalData) {
        return refused.into_response();
    }
    let lang = console.lang;
    let (id, _) = match event_of(&state, &console, &id) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let (store2, id2) = (state.store.clone(), id.clone());
    let mails = match off_thread(lang, "reading an event's mail log", move || {
        db::read(store2.as_ref(), |tx| {
            store::mail_log(tx, id2.as_str(), None, LOGGED)
        })
    })
    .await
    {
        Ok(mails) => mails,
        Err(response) => return response,
    };
    page(
        StatusCode::OK,
        lang,
        Some(&console),
        Nav::Widgets,
        &match lang {
            Lang::De => format!("E-Mails: {}", id.as_str()),
            Lang::En => format!("Mails: {}", id.as_str()),
        },
        html! {
            @if mails.is_empty() {
                p { (lang.t("Noch keine E-Mails.", "No mails yet.")) }
            } @else {
                div.table-wrap role="region" aria-labelledby="mails-caption" tabindex="0" {
                    table {
                        caption #mails-caption { (lang.t("E-Mails zu dieser Veranstaltung, die neuesten zuerst", "Mails about this event, newest first")) }
                        thead { tr {
                            th scope="col" { (lang.t("Erstellt", "Created")) }
                            th scope="col" { (lang.t("An", "To")) }
                            th scope="col" { (lang.t("Art", "Kind")) }
                            th scope="col" { (lang.t("Zustand", "State")) }
                            th scope="col" { (lang.t("Letzter Fehler", "Last error")) }
                        } }
                        tbody {
                            @for m in &mails {
                                tr {
                                    td { (shown_time(&m.created_at)) }
                                    td { a href={ "/admin/widgets/" (id.as_str()) "/registrations/" (m.registration) } { (m.name) } br; (m.email) }
                                    td { (kind_text(lang, &m.kind)) }
                                    td { (mail_state(lang, m)) }
                                    td { (m.last_error.as_deref().unwrap_or("")) }
                                }
                            }
                        }
                    }
                }
            }
            p { a href={ "/admin/widgets/" (id.as_str()) "/registrations" } { (lang.t("Zu den Anmeldungen", "To the registrations")) } }
        },
    )
}
