//! Privacy requests in the console (`/admin/privacy`): an address typed in, its access report
//! as a page (printable) and as a JSON file, and its erasure after a confirmation step. The
//! address travels only in form bodies, never in a URL, so no access log keeps it.

use super::report::{AccessReport, MailRecord};
use super::{Erased, address, erase_address, read_report};
use crate::accounts::Permission;
use crate::app::SharedState;
use crate::app::console::{
    Console, Lang, Nav, csrf_field, error_summary, form_field, off_thread, page, secure, shown_time,
};
use crate::db;
use crate::definitions::catalog::Declared;
use crate::events::records::{RegistrationRecord, RegistrationStatus};
use crate::newsletters::records::{SubscriberRecord, SubscriptionStatus};
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/admin/privacy", get(start).post(request))
        .route("/admin/privacy/report.json", post(download))
}

fn title(lang: Lang) -> &'static str {
    lang.t("Auskunft und Löschung", "Access and erasure")
}

/// The form that asks for an address; `typed` and `error` when it comes back.
fn address_form(console: &Console, typed: &str, error: Option<&str>) -> Markup {
    let lang = console.lang;
    let errors: Vec<(&str, String)> = error
        .map(|e| vec![("email", e.to_owned())])
        .unwrap_or_default();
    html! {
        (error_summary(lang, &errors))
        p { (lang.t(
            "Wenn eine Person wissen möchte, was über sie gespeichert ist (Art. 15 DSGVO), oder die Löschung verlangt (Art. 17 DSGVO): Geben Sie ihre E-Mail-Adresse ein. Die Auskunft umfasst alle Widgets; jede Auskunft und jede Löschung wird im Protokoll vermerkt, ohne die Adresse.",
            "When a person asks what is stored about them (Art. 15 GDPR) or asks for erasure (Art. 17 GDPR): enter their e-mail address. The report covers every widget; each report and each erasure is recorded in the audit log, without the address."
        )) }
        form method="post" action="/admin/privacy" novalidate {
            (csrf_field(console))
            input type="hidden" name="step" value="report";
            div.field {
                label for="email" { (lang.t("E-Mail-Adresse", "E-mail address")) }
                @if let Some(error) = error {
                    p.error #email-error { (error) }
                }
                input #email name="email" type="email" value=(typed) autocomplete="off" spellcheck="false"
                    required aria-invalid=[error.map(|_| "true")]
                    aria-describedby=[error.map(|_| "email-error")];
            }
            button type="submit" { (lang.t("Auskunft anzeigen", "Show the report")) }
        }
    }
}

async fn start(console: Console) -> Response {
    if let Err(refused) = console.require(Permission::PersonalData) {
        return refused.into_response();
    }
    let lang = console.lang;
    page(
        StatusCode::OK,
        lang,
        Some(&console),
        Nav::Privacy,
        title(lang),
        address_form(&console, "", None),
    )
}

fn invalid_address(lang: Lang) -> &'static str {
    lang.t(
        "Geben Sie eine E-Mail-Adresse wie name@example.de ein.",
        "Enter an e-mail address like name@example.de.",
    )
}

/// `POST /admin/privacy`: `step` is `report` (show it), `confirm` (ask before erasing) or
/// `erase` (carry it out and show what is left: nothing).
async fn request(
    State(state): State<SharedState>,
    console: Console,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields = form.map(|f| f.0).unwrap_or_default();
    let field = |name: &str| form_field(&fields, name);
    let step = field("step").unwrap_or("report");
    let needed = if step == "report" {
        Permission::PersonalData
    } else {
        Permission::Erase
    };
    if let Err(refused) = console.may_change(&state, &headers, field("csrf"), needed) {
        return refused.into_response();
    }
    let lang = console.lang;
    let typed = field("email").unwrap_or_default();
    let Some(email) = address(typed) else {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            Some(&console),
            Nav::Privacy,
            title(lang),
            address_form(&console, typed, Some(invalid_address(lang))),
        );
    };
    let by = console.session.account.name.clone();
    let english = lang == Lang::En;
    let declared = state.catalog.now();
    let state2 = state.clone();
    match step {
        "confirm" => {
            // What would go, read without an audit entry: the report shown before was recorded.
            let found = off_thread(lang, "reading what an erasure would remove", move || {
                db::read(state2.store.as_ref(), |tx| {
                    super::report::gather(tx, &email, String::new(), english)
                })
            })
            .await;
            match found {
                Ok(report) => confirm_page(&console, &report, &declared),
                Err(response) => response,
            }
        }
        "erase" => {
            let done = off_thread(lang, "erasing an address", move || {
                let erased = erase_address(&state2, by.clone(), email.clone())?;
                // What is left, read after the commit: the page shows that nothing is.
                let left = db::read(state2.store.as_ref(), |tx| {
                    super::report::gather(
                        tx,
                        &email,
                        mitmachen_shared::time::rfc3339_utc(db::now()),
                        english,
                    )
                })?;
                Ok((erased, left))
            })
            .await;
            match done {
                Ok((erased, left)) => report_page(&console, &left, &declared, Some(&erased)),
                Err(response) => response,
            }
        }
        _ => {
            let read = off_thread(lang, "reading an access report", move || {
                read_report(state2.store.as_ref(), by, email, english)
            })
            .await;
            match read {
                Ok(report) => report_page(&console, &report, &declared, None),
                Err(response) => response,
            }
        }
    }
}

/// `POST /admin/privacy/report.json`: the report as a file for the person who asked.
async fn download(
    State(state): State<SharedState>,
    console: Console,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields = form.map(|f| f.0).unwrap_or_default();
    let field = |name: &str| form_field(&fields, name);
    if let Err(refused) =
        console.may_change(&state, &headers, field("csrf"), Permission::PersonalData)
    {
        return refused.into_response();
    }
    let lang = console.lang;
    let typed = field("email").unwrap_or_default();
    let Some(email) = address(typed) else {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            Some(&console),
            Nav::Privacy,
            title(lang),
            address_form(&console, typed, Some(invalid_address(lang))),
        );
    };
    let by = console.session.account.name.clone();
    let english = lang == Lang::En;
    let read = off_thread(lang, "reading an access report", move || {
        read_report(state.store.as_ref(), by, email, english)
    })
    .await;
    let report = match read {
        Ok(report) => report,
        Err(response) => return response,
    };
    let body = match serde_json::to_vec_pretty(&report) {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "writing an access report failed");
            return crate::app::console::unavailable(lang);
        }
    };
    let day = report.generated_at.get(..10).unwrap_or("report");
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"auskunft-{day}.json\""))
    {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    secure(response)
}

/// A widget as the report names it: its title where the collector knows one, and its id.
fn widget_name(declared: &Declared, widget: &str) -> String {
    let title = mitmachen_shared::ids::WidgetId::parse(widget)
        .ok()
        .and_then(|id| {
            declared
                .events
                .get(&id)
                .map(|e| e.facts.title.clone())
                .or_else(|| declared.newsletters.get(&id).map(|n| n.title.clone()))
        });
    match title {
        Some(title) => format!("{title} ({widget})"),
        None => widget.to_owned(),
    }
}

fn registration_status(lang: Lang, r: &RegistrationRecord) -> String {
    match (r.status, r.waiting_position) {
        (RegistrationStatus::Seat, _) => lang.t("Platz sicher", "has a seat").to_owned(),
        (RegistrationStatus::Waiting, Some(n)) => match lang {
            Lang::De => format!("Warteliste, Platz {n}"),
            Lang::En => format!("waiting list, place {n}"),
        },
        (RegistrationStatus::Waiting, None) => lang.t("Warteliste", "waiting list").to_owned(),
        (RegistrationStatus::Cancelled, _) => lang.t("storniert", "cancelled").to_owned(),
    }
}

fn optional_time(time: Option<&String>) -> String {
    time.map_or_else(|| "–".to_owned(), |t| shown_time(t))
}

fn registration(lang: Lang, declared: &Declared, r: &RegistrationRecord) -> Markup {
    html! {
        li {
            h3 { (widget_name(declared, r.widget.as_str())) }
            dl.facts {
                dt { (lang.t("Status", "Status")) } dd { (registration_status(lang, r)) }
                dt { (lang.t("Name", "Name")) } dd { (r.name) }
                dt { (lang.t("E-Mail-Adresse", "E-mail address")) } dd { (r.email) }
                dt { (lang.t("Personen", "Persons")) } dd { (r.persons) }
                @if !r.phone.is_empty() { dt { (lang.t("Telefon", "Phone")) } dd { (r.phone) } }
                @if !r.organisation.is_empty() { dt { (lang.t("Organisation", "Organisation")) } dd { (r.organisation) } }
                @if !r.note.is_empty() { dt { (lang.t("Anmerkung", "Note")) } dd.description { (r.note) } }
                dt { (lang.t("Sprache der E-Mails", "Language of the mails")) } dd { (r.lang) }
                dt { (lang.t("Angemeldet", "Registered")) } dd { (shown_time(&r.created_at)) }
                @if r.seated_at.is_some() { dt { (lang.t("Platz seit", "Seat since")) } dd { (optional_time(r.seated_at.as_ref())) } }
                @if let Some(at) = &r.cancelled_at {
                    dt { (lang.t("Storniert", "Cancelled")) }
                    dd {
                        (shown_time(at))
                        @match r.cancelled_by.as_deref() {
                            Some("organiser") => (lang.t(" (vom Veranstalter)", " (by the organiser)")),
                            Some(_) => (lang.t(" (von der Person selbst)", " (by the person)")),
                            None => "",
                        }
                    }
                }
            }
        }
    }
}

fn subscription(lang: Lang, declared: &Declared, s: &SubscriberRecord) -> Markup {
    let lists: Vec<String> = s
        .lists
        .iter()
        .map(|key| {
            declared
                .newsletters
                .get(&s.widget)
                .and_then(|n| n.lists.iter().find(|(k, _)| k.as_str() == key))
                .map_or_else(|| key.clone(), |(_, name)| name.clone())
        })
        .collect();
    html! {
        li {
            h3 { (widget_name(declared, s.widget.as_str())) }
            dl.facts {
                dt { (lang.t("Status", "Status")) }
                dd { (match s.status {
                    SubscriptionStatus::Confirmed => lang.t("bestätigt", "confirmed"),
                    SubscriptionStatus::Pending => lang.t("noch nicht bestätigt", "not confirmed yet"),
                }) }
                dt { (lang.t("E-Mail-Adresse", "E-mail address")) } dd { (s.email) }
                @if !s.name.is_empty() { dt { (lang.t("Name", "Name")) } dd { (s.name) } }
                @if !lists.is_empty() { dt { (lang.t("Listen", "Lists")) } dd { (lists.join(", ")) } }
                dt { (lang.t("Angefragt", "Requested")) } dd { (shown_time(&s.requested_at)) }
                dt { (lang.t("Bestätigt", "Confirmed")) } dd { (optional_time(s.confirmed_at.as_ref())) }
                dt { (lang.t("Seite", "Page")) } dd { (s.page) }
                dt { (lang.t("Sprache", "Language")) } dd { (s.lang) }
                dt { (lang.t("Einwilligungstext", "Consent text")) }
                dd {
                    (match lang {
                        Lang::De => format!("Fassung {}", s.consent.version),
                        Lang::En => format!("version {}", s.consent.version),
                    })
                    blockquote.description { (s.consent.text) }
                }
                dt { (lang.t("Datenschutzhinweis", "Privacy notice")) } dd { (s.consent.privacy) }
            }
        }
    }
}

fn mail_state(lang: Lang, m: &MailRecord) -> &'static str {
    match m.state {
        "sent" => lang.t("gesendet", "sent"),
        "failed" => lang.t("aufgegeben", "given up"),
        _ => lang.t("wartet auf Versand", "waiting to be sent"),
    }
}

fn mails(lang: Lang, declared: &Declared, report: &AccessReport) -> Markup {
    html! {
        div.table-wrap role="region" aria-labelledby="mails-caption" tabindex="0" {
            table {
                caption #mails-caption { (lang.t("E-Mails an die Adresse", "Mails to the address")) }
                thead { tr {
                    th scope="col" { (lang.t("Widget", "Widget")) }
                    th scope="col" { (lang.t("Art", "Kind")) }
                    th scope="col" { (lang.t("Zustand", "State")) }
                    th scope="col" { (lang.t("Erstellt", "Created")) }
                    th scope="col" { (lang.t("Gesendet", "Sent")) }
                } }
                tbody {
                    @for m in &report.mails {
                        tr {
                            td { (widget_name(declared, &m.widget)) }
                            td { code { (m.kind) } }
                            td { (mail_state(lang, m)) }
                            td { (shown_time(&m.created_at)) }
                            td { (optional_time(m.sent_at.as_ref())) }
                        }
                    }
                }
            }
        }
    }
}

/// The buttons under a report: the file, and the erasure for a role that may.
fn report_actions(console: &Console, report: &AccessReport) -> Markup {
    let lang = console.lang;
    html! {
        div.row-actions.no-print {
            form method="post" action="/admin/privacy/report.json" {
                (csrf_field(console))
                input type="hidden" name="email" value=(report.email);
                button.secondary type="submit" { (lang.t("Als Datei herunterladen (JSON)", "Download as a file (JSON)")) }
            }
            @if console.role().may(Permission::Erase) && !report.is_empty() {
                form method="post" action="/admin/privacy" {
                    (csrf_field(console))
                    input type="hidden" name="email" value=(report.email);
                    input type="hidden" name="step" value="confirm";
                    button.danger type="submit" { (lang.t("Alles zu dieser Adresse löschen …", "Erase everything about this address …")) }
                }
            }
        }
    }
}

fn report_page(
    console: &Console,
    report: &AccessReport,
    declared: &Declared,
    erased: Option<&Erased>,
) -> Response {
    let lang = console.lang;
    let count = |n: usize, de: &str, en: &str| match lang {
        Lang::De => format!("{n} {de}"),
        Lang::En => format!("{n} {en}"),
    };
    let main = html! {
        @if let Some(erased) = erased {
            p.notice role="status" { (match lang {
                Lang::De => format!(
                    "Gelöscht: {} Anmeldungen, {} Abonnements, {} E-Mails, {} Sperrvermerke. {} Personen sind von der Warteliste nachgerückt und werden benachrichtigt.",
                    erased.registrations, erased.subscriptions, erased.mails, erased.suppressions, erased.promoted
                ),
                Lang::En => format!(
                    "Erased: {} registrations, {} subscriptions, {} mails, {} suppressions. {} people moved up from the waiting list and are told.",
                    erased.registrations, erased.subscriptions, erased.mails, erased.suppressions, erased.promoted
                ),
            }) }
        }
        section aria-labelledby="report-title" {
            h2 #report-title { (lang.t("Auskunft nach Art. 15 DSGVO", "Access report (Art. 15 GDPR)")) }
            dl.facts {
                dt { (lang.t("E-Mail-Adresse", "E-mail address")) } dd { (report.email) }
                dt { (lang.t("Stand", "As of")) } dd { (shown_time(&report.generated_at)) }
            }
            @if report.is_empty() {
                p #nothing-stored { (lang.t(
                    "Zu dieser Adresse ist nichts gespeichert: keine Anmeldung, kein Abonnement, keine E-Mail, kein Sperrvermerk.",
                    "Nothing is stored about this address: no registration, no subscription, no mail, no suppression."
                )) }
            } @else {
                ul {
                    li { (count(report.registrations.len(), "Anmeldungen zu Veranstaltungen", "event registrations")) }
                    li { (count(report.subscriptions.len(), "Newsletter-Abonnements", "newsletter subscriptions")) }
                    li { (count(report.mails.len(), "E-Mails", "mails")) }
                }
            }
            @if !report.registrations.is_empty() {
                h2 { (lang.t("Anmeldungen zu Veranstaltungen", "Event registrations")) }
                ul.records { @for r in &report.registrations { (registration(lang, declared, r)) } }
            }
            @if !report.subscriptions.is_empty() {
                h2 { (lang.t("Newsletter-Abonnements mit Einwilligung", "Newsletter subscriptions with consent")) }
                ul.records { @for s in &report.subscriptions { (subscription(lang, declared, s)) } }
            }
            @if !report.mails.is_empty() {
                h2 { (lang.t("E-Mails", "Mails")) }
                (mails(lang, declared, report))
            }
            @if !report.webhooks.is_empty() {
                h2 { (lang.t("Weitergaben an das Newsletter-System der Stadt", "Forwarded to the town's newsletter system")) }
                ul {
                    @for w in &report.webhooks {
                        li { (widget_name(declared, &w.widget)) ": " code { (w.event) } ", " (shown_time(&w.created_at))
                            " (" (match w.state { "sent" => lang.t("übermittelt", "delivered"), "failed" => lang.t("aufgegeben", "given up"), _ => lang.t("wartet", "waiting") }) ")" }
                    }
                }
            }
            @if !report.suppressions.is_empty() {
                h2 { (lang.t("Sperrvermerke (abgemeldet)", "Suppressions (unsubscribed)")) }
                p { (lang.t(
                    "Die Adresse hat sich abgemeldet und wird von diesen Newslettern nicht mehr angeschrieben. Gespeichert ist nur ein verschlüsselter Prüfwert der Adresse.",
                    "The address unsubscribed and is not mailed by these newsletters again. Only a keyed hash of the address is stored."
                )) }
                ul { @for s in &report.suppressions { li { (widget_name(declared, &s.widget)) ", " (shown_time(&s.created_at)) } } }
            }
            @if report.unsubscribe_links > 0 {
                p { (match lang {
                    Lang::De => format!("Gültige Abmeldelinks in E-Mails: {}", report.unsubscribe_links),
                    Lang::En => format!("Working unsubscribe links in mails: {}", report.unsubscribe_links),
                }) }
            }
            p.hint { (report.not_linked) }
        }
        (report_actions(console, report))
        p.no-print { a href="/admin/privacy" { (lang.t("Andere Adresse", "Another address")) } }
    };
    page(
        StatusCode::OK,
        lang,
        Some(console),
        Nav::Privacy,
        title(lang),
        main,
    )
}

fn confirm_page(console: &Console, report: &AccessReport, declared: &Declared) -> Response {
    let lang = console.lang;
    let seats = report
        .registrations
        .iter()
        .filter(|r| r.status == RegistrationStatus::Seat)
        .count();
    let main = html! {
        div.error-summary role="alert" aria-labelledby="confirm-title" {
            h2 #confirm-title { (lang.t("Wirklich alles löschen?", "Really erase everything?")) }
            p { (match lang {
                Lang::De => format!(
                    "Gelöscht werden zu {}: {} Anmeldungen, {} Newsletter-Abonnements mit ihrer Einwilligung, {} E-Mails und {} Sperrvermerke. Das lässt sich nicht rückgängig machen.",
                    report.email, report.registrations.len(), report.subscriptions.len(), report.mails.len(), report.suppressions.len()
                ),
                Lang::En => format!(
                    "This erases for {}: {} registrations, {} newsletter subscriptions with their consent, {} mails and {} suppressions. It cannot be undone.",
                    report.email, report.registrations.len(), report.subscriptions.len(), report.mails.len(), report.suppressions.len()
                ),
            }) }
            @if seats > 0 {
                p { (lang.t(
                    "Plätze, die die Person belegt, gehen an die Warteliste; wer nachrückt, bekommt eine E-Mail.",
                    "Seats the person holds go to the waiting list; whoever moves up gets a mail."
                )) }
            }
            @if !report.suppressions.is_empty() {
                p { (lang.t(
                    "Mit dem Sperrvermerk entfällt auch der Schutz davor, dass die Adresse erneut angeschrieben wird, falls sie sich wieder anmeldet.",
                    "With the suppression goes the protection against mailing the address again should it sign up again."
                )) }
            }
            @if !report.registrations.is_empty() {
                ul { @for r in &report.registrations { li { (widget_name(declared, r.widget.as_str())) } } }
            }
        }
        div.row-actions {
            form method="post" action="/admin/privacy" {
                (csrf_field(console))
                input type="hidden" name="email" value=(report.email);
                input type="hidden" name="step" value="erase";
                button.danger type="submit" { (lang.t("Endgültig löschen", "Erase for good")) }
            }
            form method="post" action="/admin/privacy" {
                (csrf_field(console))
                input type="hidden" name="email" value=(report.email);
                input type="hidden" name="step" value="report";
                button.secondary type="submit" { (lang.t("Abbrechen, zurück zur Auskunft", "Cancel, back to the report")) }
            }
        }
    };
    page(
        StatusCode::OK,
        lang,
        Some(console),
        Nav::Privacy,
        lang.t("Löschung bestätigen", "Confirm the erasure"),
        main,
    )
}
