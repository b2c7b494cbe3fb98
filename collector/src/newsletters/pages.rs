//! A newsletter's subscribers in the console (`/admin/widgets/{id}/subscribers`), filtered by
//! status and list, and per subscription the proof of consent for the town's files
//! (`/admin/widgets/{id}/subscribers/{sid}`: printable, and as JSON from the admin API): the
//! text as shown, its version and hash, the page, the times of request and confirmation, and
//! every other request of the same address to the newsletter.

use super::records::{SubscriberRecord, SubscriptionStatus};
use super::store;
use crate::accounts::Permission;
use crate::app::SharedState;
use crate::app::console::{Console, Lang, Nav, off_thread, page, shown_time};
use crate::app::csv::berlin_time;
use crate::db;
use crate::newsletters::Newsletter;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use mitmachen_shared::ids::WidgetId;
use serde::Deserialize;
use std::sync::Arc;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/admin/widgets/{id}/subscribers", get(list))
        .route("/admin/widgets/{id}/subscribers/{sid}", get(proof))
}

/// The newsletter of a console path, or the page that says there is none.
fn newsletter_of(
    state: &SharedState,
    console: &Console,
    id: &str,
) -> Result<(WidgetId, Arc<Newsletter>), Box<Response>> {
    let lang = console.lang;
    WidgetId::parse(id)
        .ok()
        .and_then(|w| {
            state
                .catalog
                .now()
                .newsletters
                .get(&w)
                .cloned()
                .map(|n| (w, n))
        })
        .ok_or_else(|| {
            Box::new(page(
                StatusCode::NOT_FOUND,
                lang,
                Some(console),
                Nav::Widgets,
                lang.t("Kein Newsletter", "No newsletter"),
                html! {
                    p { (lang.t(
                        "Zu dieser Adresse gibt es keinen Newsletter, der Anmeldungen annimmt.",
                        "There is no newsletter taking subscriptions at this address."
                    )) }
                    p { a href="/admin/" { (lang.t("Zur Übersicht", "To the overview")) } }
                },
            ))
        })
}

fn status_text(lang: Lang, status: SubscriptionStatus) -> &'static str {
    match status {
        SubscriptionStatus::Confirmed => lang.t("bestätigt", "confirmed"),
        SubscriptionStatus::Pending => lang.t("noch nicht bestätigt", "not confirmed yet"),
    }
}

/// A stored UTC time in Berlin's wall-clock time and in UTC, as a proof should name it.
fn both_times(at: &str) -> String {
    format!(
        "{} (Europe/Berlin), {}",
        berlin_time(Some(at)),
        shown_time(at)
    )
}

#[derive(Deserialize, Default)]
struct Filter {
    status: Option<String>,
    list: Option<String>,
}

async fn list(
    State(state): State<SharedState>,
    console: Console,
    Path(id): Path<String>,
    Query(filter): Query<Filter>,
) -> Response {
    if let Err(refused) = console.require(Permission::PersonalData) {
        return refused.into_response();
    }
    let lang = console.lang;
    let (id, newsletter) = match newsletter_of(&state, &console, &id) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let status = match filter.status.as_deref() {
        Some("all") => None,
        Some(s) => SubscriptionStatus::parse(s).or(Some(SubscriptionStatus::Confirmed)),
        None => Some(SubscriptionStatus::Confirmed),
    };
    let list_key = filter
        .list
        .filter(|l| newsletter.lists.iter().any(|(k, _)| k.as_str() == l));
    let (store2, id2) = (state.store.clone(), id.clone());
    let records = match off_thread(lang, "reading subscribers for the console", move || {
        db::read(store2.as_ref(), |tx| store::list(tx, id2.as_str(), status))
    })
    .await
    {
        Ok(records) => records,
        Err(response) => return response,
    };
    let shown: Vec<&SubscriberRecord> = records
        .iter()
        .filter(|r| {
            list_key
                .as_ref()
                .is_none_or(|k| r.lists.iter().any(|l| l == k))
        })
        .collect();
    let status_value = status.map_or("all", SubscriptionStatus::as_str);
    page(
        StatusCode::OK,
        lang,
        Some(&console),
        Nav::Widgets,
        &match lang {
            Lang::De => format!("Abonnements: {}", newsletter.title),
            Lang::En => format!("Subscribers: {}", newsletter.title),
        },
        html! {
            form.filters method="get" action={ "/admin/widgets/" (id.as_str()) "/subscribers" } {
                div.field {
                    label for="status" { (lang.t("Status", "Status")) }
                    select #status name="status" {
                        option value="confirmed" selected[status_value == "confirmed"] { (lang.t("bestätigt", "confirmed")) }
                        option value="pending" selected[status_value == "pending"] { (lang.t("noch nicht bestätigt", "not confirmed yet")) }
                        option value="all" selected[status_value == "all"] { (lang.t("alle", "all")) }
                    }
                }
                @if !newsletter.lists.is_empty() {
                    div.field {
                        label for="list" { (lang.t("Liste", "List")) }
                        select #list name="list" {
                            option value="" selected[list_key.is_none()] { (lang.t("alle Listen", "every list")) }
                            @for (key, name) in &newsletter.lists {
                                option value=(key.as_str()) selected[list_key.as_deref() == Some(key.as_str())] { (name) }
                            }
                        }
                    }
                }
                button.secondary type="submit" { (lang.t("Anzeigen", "Show")) }
            }
            p.count { (match lang {
                Lang::De => format!("{} Einträge", shown.len()),
                Lang::En => format!("{} entries", shown.len()),
            }) }
            @if !shown.is_empty() {
                div.table-wrap role="region" aria-labelledby="subscribers-caption" tabindex="0" {
                    table {
                        caption #subscribers-caption { (lang.t("Abonnements, die ältesten zuerst", "Subscriptions, oldest first")) }
                        thead { tr {
                            th scope="col" { (lang.t("E-Mail-Adresse", "E-mail address")) }
                            th scope="col" { (lang.t("Name", "Name")) }
                            th scope="col" { (lang.t("Listen", "Lists")) }
                            th scope="col" { (lang.t("Status", "Status")) }
                            th scope="col" { (lang.t("Bestätigt", "Confirmed")) }
                            th scope="col" { (lang.t("Einwilligung", "Consent")) }
                        } }
                        tbody {
                            @for r in &shown {
                                tr {
                                    th scope="row" { a href={ "/admin/widgets/" (id.as_str()) "/subscribers/" (r.id) } { (r.email) } }
                                    td { (r.name) }
                                    td { (newsletter.list_names(&r.lists).join(", ")) }
                                    td { (status_text(lang, r.status)) }
                                    td { @if let Some(at) = &r.confirmed_at { (shown_time(at)) } @else { "–" } }
                                    td { (match lang { Lang::De => format!("Fassung {}", r.consent.version), Lang::En => format!("version {}", r.consent.version) }) }
                                }
                            }
                        }
                    }
                }
            }
            ul.downloads {
                li { a href={ "/v1/admin/widgets/" (id.as_str()) "/subscribers.csv" } download { (lang.t("Bestätigte Abonnements mit Nachweis als CSV (Excel)", "Confirmed subscribers with proof as CSV (Excel)")) } }
                li { a href={ "/v1/admin/widgets/" (id.as_str()) "/subscribers.xlsx" } download { (lang.t("… als XLSX", "… as XLSX")) } }
            }
        },
    )
}

fn proof_markup(lang: Lang, newsletter: &Newsletter, r: &SubscriberRecord) -> Markup {
    html! {
        dl.facts {
            dt { (lang.t("Newsletter", "Newsletter")) } dd { (newsletter.title) }
            dt { (lang.t("E-Mail-Adresse", "E-mail address")) } dd { (r.email) }
            @if !r.name.is_empty() { dt { (lang.t("Name", "Name")) } dd { (r.name) } }
            @if !r.lists.is_empty() { dt { (lang.t("Listen", "Lists")) } dd { (newsletter.list_names(&r.lists).join(", ")) } }
            dt { (lang.t("Status", "Status")) } dd { (status_text(lang, r.status)) }
            dt { (lang.t("Angefragt", "Requested")) } dd { (both_times(&r.requested_at)) }
            dt { (lang.t("Bestätigt (Double-Opt-in)", "Confirmed (double opt-in)")) }
            dd { @if let Some(at) = &r.confirmed_at { (both_times(at)) } @else { (lang.t("noch nicht", "not yet")) } }
            dt { (lang.t("Seite des Formulars", "Page of the form")) } dd { (r.page) }
            dt { (lang.t("Sprache", "Language")) } dd { (r.lang) }
            dt { (lang.t("Einwilligungstext", "Consent text")) }
            dd {
                (match lang {
                    Lang::De => format!("Fassung {}, zuerst verwendet {}", r.consent.version, shown_time(&r.consent.first_seen)),
                    Lang::En => format!("version {}, first used {}", r.consent.version, shown_time(&r.consent.first_seen)),
                })
                blockquote.description { (r.consent.text) }
            }
            dt { (lang.t("Datenschutzhinweis", "Privacy notice")) } dd { (r.consent.privacy) }
            dt { (lang.t("Prüfsumme (SHA-256)", "Checksum (SHA-256)")) } dd { code { (r.consent.sha256) } }
        }
    }
}

async fn proof(
    State(state): State<SharedState>,
    console: Console,
    Path((id, sid)): Path<(String, String)>,
) -> Response {
    if let Err(refused) = console.require(Permission::PersonalData) {
        return refused.into_response();
    }
    let lang = console.lang;
    let (id, newsletter) = match newsletter_of(&state, &console, &id) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let missing = || {
        page(
            StatusCode::NOT_FOUND,
            lang,
            Some(&console),
            Nav::Widgets,
            lang.t("Nicht gefunden", "Not found"),
            html! { p { (lang.t("Dieses Abonnement gibt es nicht (mehr).", "This subscription does not exist (any more).")) } },
        )
    };
    let Ok(sid) = sid.parse::<i64>() else {
        return missing();
    };
    let (store2, id2) = (state.store.clone(), id.clone());
    let found = match off_thread(lang, "reading a proof of consent", move || {
        db::read(store2.as_ref(), |tx| store::proof(tx, id2.as_str(), sid))
    })
    .await
    {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Some((record, history)) = found else {
        return missing();
    };
    page(
        StatusCode::OK,
        lang,
        Some(&console),
        Nav::Widgets,
        lang.t("Nachweis der Einwilligung", "Proof of consent"),
        html! {
            (proof_markup(lang, &newsletter, &record))
            p { (lang.t(
                "So entsteht der Nachweis: Die Person hat das Formular auf der genannten Seite mit diesem Einwilligungstext abgeschickt (Angefragt) und danach den Link in der E-Mail an diese Adresse geöffnet und dort bestätigt (Bestätigt). IP-Adressen werden nicht gespeichert.",
                "How the proof comes about: the person sent the form on the page named, with this consent text (requested), then opened the link in the mail to this address and confirmed there (confirmed). IP addresses are not stored."
            )) }
            @if history.len() > 1 {
                h2 { (lang.t("Alle Anfragen dieser Adresse für diesen Newsletter", "Every request of this address for this newsletter")) }
                ol {
                    @for h in &history {
                        li {
                            @if h.id == record.id { strong { (lang.t("diese: ", "this one: ")) } }
                            a href={ "/admin/widgets/" (id.as_str()) "/subscribers/" (h.id) } { (both_times(&h.requested_at)) }
                            ", " (status_text(lang, h.status))
                            @if !h.lists.is_empty() { ", " (newsletter.list_names(&h.lists).join(", ")) }
                        }
                    }
                }
            }
            ul.downloads.no-print {
                li { a href={ "/v1/admin/widgets/" (id.as_str()) "/subscribers/" (record.id) } download={ "nachweis-" (id.as_str()) "-" (record.id) ".json" } { (lang.t("Nachweis als JSON-Datei", "Proof as a JSON file")) } }
                li { a href={ "/admin/widgets/" (id.as_str()) "/subscribers" } { (lang.t("Zu allen Abonnements", "To all subscribers")) } }
            }
            p.hint.no-print { (lang.t("Zum Ausdrucken verwenden Sie die Druckfunktion Ihres Browsers; Navigation und Schaltflächen werden dabei weggelassen.", "To print, use your browser's print function; navigation and buttons are left out.")) }
        },
    )
}
