//! An event's registrations in the console (`/admin/widgets/{id}/registrations`): seats and
//! waiting list at a glance, every registration with its status, a registration added by hand
//! (a phone call to the town hall), and one registration's page with the organiser's note,
//! "move up" for a waiting one and "cancel" after a confirmation step.

use super::organise;
use super::records::{
    ByHand, ByHandOutcome, CancelOutcome, RegistrationRecord, RegistrationStatus,
};
use super::store;
use crate::accounts::Permission;
use crate::app::SharedState;
use crate::app::console::{
    Console, Lang, Nav, csrf_field, error_summary, form_field, off_thread, page, see_other,
    shown_time,
};
use crate::db;
use crate::events::Event;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use mitmachen_shared::event::is_email;
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::time::rfc3339_utc;
use serde::Deserialize;
use std::sync::Arc;

/// The longest organiser's note kept.
const NOTE_MAX: usize = 2000;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route(
            "/admin/widgets/{id}/registrations",
            get(list_page).post(add),
        )
        .route(
            "/admin/widgets/{id}/registrations/{rid}",
            get(one_page).post(act),
        )
}

/// The event of a console path, or the page that says there is none.
pub(super) fn event_of(
    state: &SharedState,
    console: &Console,
    id: &str,
) -> Result<(WidgetId, Arc<Event>), Box<Response>> {
    let lang = console.lang;
    let found = WidgetId::parse(id)
        .ok()
        .and_then(|w| state.catalog.now().events.get(&w).cloned().map(|e| (w, e)));
    found.ok_or_else(|| {
        Box::new(page(
            StatusCode::NOT_FOUND,
            lang,
            Some(console),
            Nav::Widgets,
            lang.t("Keine Veranstaltung", "No event"),
            html! {
                p { (lang.t(
                    "Zu dieser Adresse gibt es keine Veranstaltung, die Anmeldungen annimmt.",
                    "There is no event taking registrations at this address."
                )) }
                p { a href="/admin/" { (lang.t("Zur Übersicht", "To the overview")) } }
            },
        ))
    })
}

pub(super) fn status_text(lang: Lang, r: &RegistrationRecord) -> String {
    match (r.status, r.waiting_position) {
        (RegistrationStatus::Seat, _) => lang.t("Platz", "seat").to_owned(),
        (RegistrationStatus::Waiting, Some(n)) => match lang {
            Lang::De => format!("Warteliste, Platz {n}"),
            Lang::En => format!("waiting list, place {n}"),
        },
        (RegistrationStatus::Waiting, None) => lang.t("Warteliste", "waiting list").to_owned(),
        (RegistrationStatus::Cancelled, _) => lang.t("storniert", "cancelled").to_owned(),
    }
}

/// "1 Person", "3 Personen": a count of people, in the console's words.
pub(super) fn persons(lang: Lang, n: impl Into<u64>) -> String {
    let n: u64 = n.into();
    match (lang, n) {
        (Lang::De, 1) => "1 Person".into(),
        (Lang::De, n) => format!("{n} Personen"),
        (Lang::En, 1) => "1 person".into(),
        (Lang::En, n) => format!("{n} persons"),
    }
}

fn event_facts(lang: Lang, event: &Event, records: &[RegistrationRecord]) -> Markup {
    let sum = |status| {
        records
            .iter()
            .filter(|r| r.status == status)
            .map(|r| r.persons)
            .sum::<u32>()
    };
    let seated = sum(RegistrationStatus::Seat);
    html! {
        dl.facts {
            dt { (lang.t("Veranstaltung", "Event")) } dd { (event.facts.title) }
            dt { (lang.t("Beginn", "Starts")) } dd { (crate::app::csv::berlin_time(Some(&rfc3339_utc(event.facts.starts_at)))) }
            @if !event.facts.place.is_empty() { dt { (lang.t("Ort", "Place")) } dd { (event.facts.place) } }
            dt { (lang.t("Plätze belegt", "Seats taken")) }
            dd { (seated) @if let Some(c) = event.capacity { (lang.t(" von ", " of ")) (c) } }
            dt { (lang.t("Warteliste", "Waiting list")) }
            dd { @if event.waiting_list { (persons(lang, sum(RegistrationStatus::Waiting))) } @else { (lang.t("keine", "none")) } }
            @if event.cancelled { dt { (lang.t("Status", "Status")) } dd { strong { (lang.t("abgesagt", "cancelled")) } } }
        }
    }
}

/// What the form "add by hand" sent, kept to show again.
#[derive(Debug, Clone, Default)]
struct Typed {
    name: String,
    email: String,
    persons: String,
    phone: String,
    organisation: String,
    note: String,
    staff_note: String,
    overbook: bool,
}

fn text_field(
    id: &str,
    label: &str,
    value: &str,
    kind: &str,
    error: Option<&str>,
    hint: Option<&str>,
) -> Markup {
    let described = match (error.is_some(), hint.is_some()) {
        (true, true) => Some(format!("{id}-error {id}-hint")),
        (true, false) => Some(format!("{id}-error")),
        (false, true) => Some(format!("{id}-hint")),
        (false, false) => None,
    };
    html! {
        div.field {
            label for=(id) { (label) }
            @if let Some(hint) = hint { p.hint id={ (id) "-hint" } { (hint) } }
            @if let Some(error) = error { p.error id={ (id) "-error" } { (error) } }
            input id=(id) name=(id) type=(kind) value=(value) autocomplete="off"
                aria-invalid=[error.map(|_| "true")] aria-describedby=[described];
        }
    }
}

fn add_form(
    console: &Console,
    id: &WidgetId,
    event: &Event,
    typed: &Typed,
    errors: &[(&str, String)],
) -> Markup {
    let lang = console.lang;
    let error = |f: &str| {
        errors
            .iter()
            .find(|(k, _)| *k == f)
            .map(|(_, m)| m.as_str())
    };
    html! {
        h2 #add-heading { (lang.t("Anmeldung von Hand hinzufügen", "Add a registration by hand")) }
        p { (lang.t(
            "Für Anmeldungen am Telefon oder am Schalter. Mit E-Mail-Adresse bekommt die Person die gleiche Bestätigung wie über das Formular; ohne Adresse geht keine E-Mail hinaus.",
            "For registrations by phone or at the counter. With an e-mail address the person gets the same confirmation as through the form; without one no mail goes out."
        )) }
        (error_summary(lang, errors))
        form method="post" action={ "/admin/widgets/" (id.as_str()) "/registrations" } novalidate {
            (csrf_field(console))
            (text_field("name", lang.t("Name", "Name"), &typed.name, "text", error("name"), None))
            (text_field("email", lang.t("E-Mail-Adresse (freiwillig)", "E-mail address (optional)"), &typed.email, "email", error("email"), None))
            (text_field("phone", lang.t("Telefon (freiwillig)", "Phone (optional)"), &typed.phone, "tel", None, None))
            (text_field("persons", lang.t("Personen", "Persons"), &typed.persons, "number", error("persons"),
                Some(&match lang { Lang::De => format!("1 bis {}", event.persons_max), Lang::En => format!("1 to {}", event.persons_max) })))
            (text_field("organisation", lang.t("Organisation (freiwillig)", "Organisation (optional)"), &typed.organisation, "text", None, None))
            (text_field("note", lang.t("Hinweis der Person (freiwillig)", "The person's note (optional)"), &typed.note, "text", None, None))
            (text_field("staff_note", lang.t("Notiz der Verwaltung (nur hier sichtbar)", "Staff note (only seen here)"), &typed.staff_note, "text", error("staff_note"), None))
            div.choice {
                input #overbook type="checkbox" name="overbook" value="1" checked[typed.overbook];
                label for="overbook" { (lang.t("Platz geben, auch wenn die Veranstaltung dann überbucht ist", "Give a seat even if the event is then overbooked")) }
            }
            button type="submit" { (lang.t("Anmeldung hinzufügen", "Add the registration")) }
        }
    }
}

fn list_markup(
    console: &Console,
    id: &WidgetId,
    event: &Event,
    records: &[RegistrationRecord],
) -> Markup {
    let lang = console.lang;
    let base = format!("/admin/widgets/{}", id.as_str());
    html! {
        (event_facts(lang, event, records))
        ul.downloads {
            li { a href={ (base) "/check-in" } { (lang.t("Einlass: Liste für die Tür", "Check-in: the list for the door")) } }
            li { a href={ (base) "/message" } { (lang.t("E-Mail an Angemeldete schreiben", "Write to the registrants")) } }
            li { a href={ (base) "/mails" } { (lang.t("E-Mail-Protokoll", "Mail log")) } }
            li { a href={ "/v1/admin/widgets/" (id.as_str()) "/registrations.csv" } download { (lang.t("Anmeldungen als CSV (Excel)", "Registrations as CSV (Excel)")) } }
            li { a href={ "/v1/admin/widgets/" (id.as_str()) "/registrations.xlsx" } download { (lang.t("Anmeldungen als XLSX", "Registrations as XLSX")) } }
        }
        h2 #registrations-heading { (lang.t("Anmeldungen", "Registrations")) }
        @if records.is_empty() {
            p { (lang.t("Noch keine Anmeldungen.", "No registrations yet.")) }
        } @else {
            div.table-wrap role="region" aria-labelledby="registrations-heading" tabindex="0" {
                table {
                    thead { tr {
                        th.number scope="col" { (lang.t("Nr.", "No.")) }
                        th scope="col" { (lang.t("Name", "Name")) }
                        th.number scope="col" { (lang.t("Personen", "Persons")) }
                        th scope="col" { (lang.t("Status", "Status")) }
                        th scope="col" { (lang.t("Angemeldet", "Registered")) }
                        th scope="col" { (lang.t("Notiz", "Note")) }
                    } }
                    tbody {
                        @for r in records {
                            tr {
                                td.number { (r.id) }
                                th scope="row" {
                                    a href={ (base) "/registrations/" (r.id) } { (r.name) }
                                    @if r.source == "console" { " " span.meta { (lang.t("(von Hand)", "(by hand)")) } }
                                }
                                td.number { (r.persons) }
                                td { (status_text(lang, r)) }
                                td { (shown_time(&r.created_at)) }
                                td { (r.staff_note) }
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn read_all(
    state: &SharedState,
    lang: Lang,
    id: &WidgetId,
) -> Result<Vec<RegistrationRecord>, Response> {
    let (store, id) = (state.store.clone(), id.clone());
    off_thread(lang, "reading registrations for the console", move || {
        db::read(store.as_ref(), |tx| store::list(tx, id.as_str()))
    })
    .await
}

#[derive(Deserialize, Default)]
struct Done {
    done: Option<String>,
    /// With `done=mailed`: how many mails were queued.
    mails: Option<u64>,
}

async fn list_page(
    State(state): State<SharedState>,
    console: Console,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    if let Err(refused) = console.require(Permission::PersonalData) {
        return refused.into_response();
    }
    let (id, event) = match event_of(&state, &console, &id) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let records = match read_all(&state, console.lang, &id).await {
        Ok(records) => records,
        Err(response) => return response,
    };
    render_list(
        &console,
        StatusCode::OK,
        &id,
        &event,
        &records,
        &Typed {
            persons: "1".into(),
            ..Typed::default()
        },
        &[],
        match (done.done.as_deref(), done.mails) {
            (Some("mailed"), Some(n)) => Some(match console.lang {
                Lang::De => {
                    format!("{n} E-Mails werden verschickt; das E-Mail-Protokoll zeigt, wie weit.")
                }
                Lang::En => format!("{n} mails are being sent; the mail log shows how far."),
            }),
            (Some("added"), _) => Some(
                console
                    .lang
                    .t(
                        "Die Anmeldung wurde hinzugefügt.",
                        "The registration was added.",
                    )
                    .to_owned(),
            ),
            (Some("cancelled"), _) => Some(
                console
                    .lang
                    .t(
                        "Die Anmeldung wurde storniert; die Person wird benachrichtigt.",
                        "The registration was cancelled; the person is told.",
                    )
                    .to_owned(),
            ),
            _ => None,
        },
    )
}

#[allow(clippy::too_many_arguments)]
fn render_list(
    console: &Console,
    status: StatusCode,
    id: &WidgetId,
    event: &Event,
    records: &[RegistrationRecord],
    typed: &Typed,
    errors: &[(&str, String)],
    notice: Option<String>,
) -> Response {
    let lang = console.lang;
    page(
        status,
        lang,
        Some(console),
        Nav::Widgets,
        &match lang {
            Lang::De => format!("Anmeldungen: {}", id.as_str()),
            Lang::En => format!("Registrations: {}", id.as_str()),
        },
        html! {
            @if let Some(notice) = notice { p.notice role="status" { (notice) } }
            (list_markup(console, id, event, records))
            (add_form(console, id, event, typed, errors))
        },
    )
}

async fn add(
    State(state): State<SharedState>,
    console: Console,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields = form.map(|f| f.0).unwrap_or_default();
    let field = |name: &str| {
        form_field(&fields, name)
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    if let Err(refused) = console.may_change(
        &state,
        &headers,
        form_field(&fields, "csrf"),
        Permission::PersonalData,
    ) {
        return refused.into_response();
    }
    let lang = console.lang;
    let (id, event) = match event_of(&state, &console, &id) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let typed = Typed {
        name: field("name"),
        email: field("email"),
        persons: field("persons"),
        phone: field("phone"),
        organisation: field("organisation"),
        note: field("note"),
        staff_note: field("staff_note"),
        overbook: form_field(&fields, "overbook") == Some("1"),
    };
    let mut errors: Vec<(&str, String)> = Vec::new();
    if typed.name.is_empty() {
        errors.push((
            "name",
            lang.t("Geben Sie den Namen an.", "Give the name.").into(),
        ));
    }
    if !typed.email.is_empty() && !is_email(&typed.email) {
        errors.push(("email", lang.t("Geben Sie eine E-Mail-Adresse wie name@example.de an, oder lassen Sie das Feld leer.", "Give an e-mail address like name@example.de, or leave the field empty.").into()));
    }
    let persons = typed
        .persons
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=event.persons_max).contains(n));
    if persons.is_none() {
        errors.push((
            "persons",
            match lang {
                Lang::De => format!("Geben Sie eine Zahl von 1 bis {} an.", event.persons_max),
                Lang::En => format!("Give a number from 1 to {}.", event.persons_max),
            },
        ));
    }
    if typed.staff_note.chars().count() > NOTE_MAX {
        errors.push((
            "staff_note",
            match lang {
                Lang::De => format!("Höchstens {NOTE_MAX} Zeichen."),
                Lang::En => format!("At most {NOTE_MAX} characters."),
            },
        ));
    }
    let outcome = match (persons, errors.is_empty()) {
        (Some(persons), true) => {
            let by_hand = ByHand {
                name: typed.name.clone(),
                email: typed.email.clone(),
                persons,
                phone: typed.phone.clone(),
                organisation: typed.organisation.clone(),
                note: typed.note.clone(),
                staff_note: typed.staff_note.clone(),
                overbook: typed.overbook,
            };
            let (state2, by, id2) = (
                state.clone(),
                console.session.account.name.clone(),
                id.clone(),
            );
            match off_thread(lang, "adding a registration by hand", move || {
                organise::add(&state2, &by, &id2, by_hand)
            })
            .await
            {
                Ok(outcome) => outcome,
                Err(response) => return response,
            }
        }
        _ => None,
    };
    match outcome {
        Some(ByHandOutcome::Added(r)) => {
            return see_other(&format!("/admin/widgets/{}/registrations/{}?done=added", id.as_str(), r.id));
        }
        Some(ByHandOutcome::AlreadyRegistered(existing)) => errors.push(("email", match lang {
            Lang::De => format!("Diese Adresse ist schon angemeldet (Nr. {existing})."),
            Lang::En => format!("This address is registered already (no. {existing})."),
        })),
        Some(ByHandOutcome::Full) => errors.push(("overbook", lang.t(
            "Die Veranstaltung ist voll und hat keine Warteliste. Setzen Sie das Häkchen, um trotzdem einen Platz zu geben.",
            "The event is full and has no waiting list. Tick the box to give a seat anyway."
        ).into())),
        None => {}
    }
    let records = match read_all(&state, lang, &id).await {
        Ok(records) => records,
        Err(response) => return response,
    };
    render_list(
        &console,
        StatusCode::UNPROCESSABLE_ENTITY,
        &id,
        &event,
        &records,
        &typed,
        &errors,
        None,
    )
}

fn one_markup(
    console: &Console,
    id: &WidgetId,
    r: &RegistrationRecord,
    confirm_cancel: bool,
) -> Markup {
    let lang = console.lang;
    let action = format!("/admin/widgets/{}/registrations/{}", id.as_str(), r.id);
    html! {
        dl.facts {
            dt { (lang.t("Status", "Status")) } dd { (status_text(lang, r)) }
            dt { (lang.t("Name", "Name")) } dd { (r.name) }
            dt { (lang.t("E-Mail-Adresse", "E-mail address")) } dd { @if r.email.is_empty() { "–" } @else { (r.email) } }
            dt { (lang.t("Personen", "Persons")) } dd { (r.persons) }
            @if !r.phone.is_empty() { dt { (lang.t("Telefon", "Phone")) } dd { (r.phone) } }
            @if !r.organisation.is_empty() { dt { (lang.t("Organisation", "Organisation")) } dd { (r.organisation) } }
            @if !r.note.is_empty() { dt { (lang.t("Hinweis der Person", "The person's note")) } dd.description { (r.note) } }
            dt { (lang.t("Angemeldet", "Registered")) }
            dd { (shown_time(&r.created_at)) @if r.source == "console" { (lang.t(" (von Hand)", " (by hand)")) } }
            @if let Some(at) = &r.arrived_at { dt { (lang.t("Angekommen", "Arrived")) } dd { (shown_time(at)) } }
        }
        @if confirm_cancel {
            div.error-summary role="alert" aria-labelledby="cancel-title" {
                h2 #cancel-title { (lang.t("Anmeldung wirklich stornieren?", "Really cancel the registration?")) }
                p { (lang.t(
                    "Die Person bekommt eine E-Mail, dass ihre Anmeldung storniert wurde. Ein frei werdender Platz geht an die Warteliste.",
                    "The person gets a mail that their registration was cancelled. A seat set free goes to the waiting list."
                )) }
            }
            div.row-actions {
                form method="post" action=(action) {
                    (csrf_field(console))
                    button.danger type="submit" name="action" value="cancel" { (lang.t("Ja, stornieren", "Yes, cancel")) }
                }
                p { a href=(action) { (lang.t("Nein, zurück", "No, back")) } }
            }
        } @else if r.status != RegistrationStatus::Cancelled {
            h2 { (lang.t("Aktionen", "Actions")) }
            div.row-actions {
                @if r.status == RegistrationStatus::Waiting {
                    form method="post" action=(action) {
                        (csrf_field(console))
                        button type="submit" name="action" value="seat" { (lang.t("Platz geben (nachrücken lassen)", "Give a seat (move up)")) }
                    }
                }
                form method="post" action=(action) {
                    (csrf_field(console))
                    button.secondary type="submit" name="action" value="ask-cancel" { (lang.t("Stornieren …", "Cancel …")) }
                }
            }
        }
        h2 { (lang.t("Notiz der Verwaltung", "Staff note")) }
        form method="post" action=(action) {
            (csrf_field(console))
            div.field {
                label for="staff_note" { (lang.t("Notiz (nur in der Konsole und den Exporten)", "Note (only in the console and the exports)")) }
                textarea #staff_note name="staff_note" rows="3" maxlength=(NOTE_MAX) { (r.staff_note) }
            }
            button.secondary type="submit" name="action" value="note" { (lang.t("Notiz speichern", "Save the note")) }
        }
        p { a href={ "/admin/widgets/" (id.as_str()) "/registrations" } { (lang.t("Zu allen Anmeldungen", "To all registrations")) } }
    }
}

fn render_one(
    console: &Console,
    status: StatusCode,
    id: &WidgetId,
    (r, mails): &One,
    notice: Option<&str>,
    confirm_cancel: bool,
) -> Response {
    let lang = console.lang;
    page(
        status,
        lang,
        Some(console),
        Nav::Widgets,
        &match lang {
            Lang::De => format!("Anmeldung Nr. {}", r.id),
            Lang::En => format!("Registration no. {}", r.id),
        },
        html! {
            @if let Some(notice) = notice { p.notice role="status" { (notice) } }
            (one_markup(console, id, r, confirm_cancel))
            h2 { (lang.t("E-Mails an diese Anmeldung", "Mails to this registration")) }
            @if mails.is_empty() {
                p { @if r.email.is_empty() {
                    (lang.t("Keine: Die Anmeldung hat keine E-Mail-Adresse.", "None: the registration has no e-mail address."))
                } @else {
                    (lang.t("Noch keine.", "None yet."))
                } }
            } @else {
                ul {
                    @for m in mails {
                        li { (shown_time(&m.created_at)) ": " (super::messages::kind_text(lang, &m.kind)) ", " (super::messages::mail_state(lang, m)) }
                    }
                }
            }
        },
    )
}

/// A registration and its mails, newest first.
type One = (RegistrationRecord, Vec<store::LoggedMail>);

async fn read_one(
    state: &SharedState,
    lang: Lang,
    id: &WidgetId,
    rid: i64,
) -> Result<Option<One>, Response> {
    let (store, id) = (state.store.clone(), id.clone());
    off_thread(lang, "reading a registration for the console", move || {
        db::read(store.as_ref(), |tx| {
            let Some(record) = store::one(tx, id.as_str(), rid)? else {
                return Ok(None);
            };
            let mails = store::mail_log(tx, id.as_str(), Some(rid), 100)?;
            Ok(Some((record, mails)))
        })
    })
    .await
}

fn no_registration(console: &Console) -> Response {
    let lang = console.lang;
    page(
        StatusCode::NOT_FOUND,
        lang,
        Some(console),
        Nav::Widgets,
        lang.t("Anmeldung nicht gefunden", "Registration not found"),
        html! { p { (lang.t("Diese Anmeldung gibt es nicht (mehr).", "This registration does not exist (any more).")) } },
    )
}

async fn one_page(
    State(state): State<SharedState>,
    console: Console,
    Path((id, rid)): Path<(String, String)>,
    Query(done): Query<Done>,
) -> Response {
    if let Err(refused) = console.require(Permission::PersonalData) {
        return refused.into_response();
    }
    let lang = console.lang;
    let (id, _) = match event_of(&state, &console, &id) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let Ok(rid) = rid.parse::<i64>() else {
        return no_registration(&console);
    };
    let notice = match done.done.as_deref() {
        Some("added") => Some(lang.t(
            "Die Anmeldung wurde hinzugefügt.",
            "The registration was added.",
        )),
        Some("seated") => Some(lang.t(
            "Die Person hat jetzt einen Platz und wird benachrichtigt.",
            "The person now has a seat and is told.",
        )),
        Some("noted") => Some(lang.t("Die Notiz wurde gespeichert.", "The note was saved.")),
        _ => None,
    };
    match read_one(&state, lang, &id, rid).await {
        Ok(Some(one)) => render_one(&console, StatusCode::OK, &id, &one, notice, false),
        Ok(None) => no_registration(&console),
        Err(response) => response,
    }
}

async fn act(
    State(state): State<SharedState>,
    console: Console,
    headers: HeaderMap,
    Path((id, rid)): Path<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields = form.map(|f| f.0).unwrap_or_default();
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
    let Ok(rid) = rid.parse::<i64>() else {
        return no_registration(&console);
    };
    let here = format!("/admin/widgets/{}/registrations/{rid}", id.as_str());
    let (state2, by, id2) = (
        state.clone(),
        console.session.account.name.clone(),
        id.clone(),
    );
    match form_field(&fields, "action") {
        Some("ask-cancel") => match read_one(&state, lang, &id, rid).await {
            Ok(Some(one)) => render_one(&console, StatusCode::OK, &id, &one, None, true),
            Ok(None) => no_registration(&console),
            Err(response) => response,
        },
        Some("cancel") => {
            match off_thread(lang, "cancelling a registration", move || {
                organise::cancel(&state2, &by, &id2, rid)
            })
            .await
            {
                Ok(CancelOutcome::Unknown) => no_registration(&console),
                // Cancelled before: nobody was told again; its page says where it stands.
                Ok(CancelOutcome::AlreadyCancelled(_)) => see_other(&here),
                Ok(_) => see_other(&format!(
                    "/admin/widgets/{}/registrations?done=cancelled",
                    id.as_str()
                )),
                Err(response) => response,
            }
        }
        Some("seat") => {
            match off_thread(lang, "seating a registration by hand", move || {
                organise::seat(&state2, &by, &id2, rid)
            })
            .await
            {
                Ok(Some(_)) => see_other(&format!("{here}?done=seated")),
                // Not waiting (any more): the page shows where it stands.
                Ok(None) => see_other(&here),
                Err(response) => response,
            }
        }
        Some("note") => {
            let note: String = form_field(&fields, "staff_note")
                .unwrap_or_default()
                .chars()
                .take(NOTE_MAX)
                .collect();
            match off_thread(lang, "saving a staff note", move || {
                organise::note(&state2, &id2, rid, note)
            })
            .await
            {
                Ok(true) => see_other(&format!("{here}?done=noted")),
                Ok(false) => no_registration(&console),
                Err(response) => response,
            }
        }
        _ => see_other(&here),
    }
}
