//! The check-in at the door (`/admin/widgets/{id}/check-in`): everyone with a seat,
//! alphabetically, with their persons; one tap marks an arrival (a form per line, so it works
//! without JavaScript on a phone), a search narrows the list, arrivals are counted. Printed, the
//! same page is a list with a box to tick per line.

use super::organise;
use super::pages::event_of;
use super::records::{RegistrationRecord, RegistrationStatus};
use super::store;
use crate::accounts::Permission;
use crate::app::SharedState;
use crate::app::console::{Console, Lang, Nav, csrf_field, form_field, off_thread, page};
use crate::db;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::html;
use mitmachen_shared::text::slug;

pub fn routes() -> Router<SharedState> {
    Router::new().route("/admin/widgets/{id}/check-in", get(list).post(arrive))
}

/// A name as the list sorts and searches it: lowercase, umlauts as "ae", "oe", "ue" (the
/// order of German phone books, DIN 5007-2), without accents and punctuation.
fn folded(name: &str) -> String {
    slug(name).replace('-', " ")
}

async fn list(
    State(state): State<SharedState>,
    console: Console,
    Path(id): Path<String>,
) -> Response {
    if let Err(refused) = console.require(Permission::PersonalData) {
        return refused.into_response();
    }
    render(&state, &console, &id, String::new()).await
}

/// The list, narrowed to the names that contain `q`. A search comes by POST and is answered
/// with the page itself, so that no name stands in an address (access logs, history).
async fn render(state: &SharedState, console: &Console, id: &str, q: String) -> Response {
    let lang = console.lang;
    let (id, event) = match event_of(state, console, id) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let (store2, id2) = (state.store.clone(), id.clone());
    let records = match off_thread(lang, "reading the check-in list", move || {
        db::read(store2.as_ref(), |tx| store::list(tx, id2.as_str()))
    })
    .await
    {
        Ok(records) => records,
        Err(response) => return response,
    };
    let mut seated: Vec<RegistrationRecord> = records
        .into_iter()
        .filter(|r| r.status == RegistrationStatus::Seat)
        .collect();
    seated.sort_by_cached_key(|r| (folded(&r.name), r.id));
    let (persons, arrived) = seated.iter().fold((0u32, 0u32), |(p, a), r| {
        (
            p + r.persons,
            a + if r.arrived_at.is_some() { r.persons } else { 0 },
        )
    });
    let registrations_arrived = seated.iter().filter(|r| r.arrived_at.is_some()).count();
    let wanted = folded(&q);
    let shown: Vec<&RegistrationRecord> = seated
        .iter()
        .filter(|r| wanted.is_empty() || folded(&r.name).contains(&wanted))
        .collect();
    let action = format!("/admin/widgets/{}/check-in", id.as_str());
    page(
        StatusCode::OK,
        lang,
        Some(console),
        Nav::Widgets,
        &match lang {
            Lang::De => format!("Einlass: {}", event.facts.title),
            Lang::En => format!("Check-in: {}", event.facts.title),
        },
        html! {
            p.count #arrivals { (match lang {
                Lang::De => format!("Angekommen: {arrived} von {persons} Personen ({registrations_arrived} von {} Anmeldungen)", seated.len()),
                Lang::En => format!("Arrived: {arrived} of {persons} persons ({registrations_arrived} of {} registrations)", seated.len()),
            }) }
            form.filters.no-print method="post" action=(action) role="search" {
                (csrf_field(console))
                div.field {
                    label for="q" { (lang.t("Name suchen", "Search a name")) }
                    input #q type="search" name="q" value=(q) autocomplete="off";
                }
                button.secondary type="submit" { (lang.t("Suchen", "Search")) }
            }
            @if !q.is_empty() {
                p.no-print { (match lang {
                    Lang::De => format!("{} Treffer für „{q}“. ", shown.len()),
                    Lang::En => format!("{} found for '{q}'. ", shown.len()),
                }) a href=(action) { (lang.t("Alle zeigen", "Show all")) } }
            }
            @if seated.is_empty() {
                p { (lang.t("Niemand hat einen Platz.", "Nobody has a seat.")) }
            } @else {
                ul.checkin aria-label=(lang.t("Personen mit Platz, alphabetisch", "People with a seat, alphabetically")) {
                    @for r in &shown {
                        li id={ "r-" (r.id) } .arrived[r.arrived_at.is_some()] {
                            span.print-box aria-hidden="true" { @if r.arrived_at.is_some() { "☑" } @else { "☐" } }
                            span.who {
                                strong { (r.name) }
                                " · " (super::pages::persons(lang, r.persons))
                                @if r.arrived_at.is_some() { " · " (lang.t("angekommen", "arrived")) }
                            }
                            form.no-print method="post" action={ (action) "#r-" (r.id) } {
                                (csrf_field(console))
                                input type="hidden" name="registration" value=(r.id);
                                input type="hidden" name="q" value=(q);
                                @if r.arrived_at.is_some() {
                                    input type="hidden" name="arrived" value="0";
                                    button.secondary type="submit" aria-label={ (lang.t("Ankunft zurücknehmen: ", "Undo arrival: ")) (r.name) } { (lang.t("Zurücknehmen", "Undo")) }
                                } @else {
                                    input type="hidden" name="arrived" value="1";
                                    button type="submit" aria-label={ (lang.t("Angekommen: ", "Arrived: ")) (r.name) } { (lang.t("Angekommen", "Arrived")) }
                                }
                            }
                        }
                    }
                }
            }
            p.no-print { a href={ "/admin/widgets/" (id.as_str()) "/registrations" } { (lang.t("Zu allen Anmeldungen", "To all registrations")) } }
        },
    )
}

async fn arrive(
    State(state): State<SharedState>,
    console: Console,
    headers: HeaderMap,
    Path(id): Path<String>,
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
    let (id, _) = match event_of(&state, &console, &id) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let rid = form_field(&fields, "registration").and_then(|r| r.parse::<i64>().ok());
    let arrived = form_field(&fields, "arrived") == Some("1");
    let q = form_field(&fields, "q")
        .unwrap_or_default()
        .trim()
        .to_owned();
    if let Some(rid) = rid {
        let (state2, id2) = (state.clone(), id.clone());
        if let Err(response) = off_thread(console.lang, "checking a registration in", move || {
            organise::arrive(&state2, &id2, rid, arrived)
        })
        .await
        {
            return response;
        }
    }
    render(&state, &console, id.as_str(), q).await
}
