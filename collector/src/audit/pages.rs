//! The audit log for administrators: `/admin/audit` in the console (newest first, filtered by
//! action, account, object and days, with whether the chain holds),
//! `GET /v1/admin/audit-log[?action=…&account=…&object=…&from=…&until=…]` as JSON and the
//! whole log as CSV or XLSX (`/v1/admin/audit-log.csv`, `.xlsx`).

use super::{Action, Entry, Filter, accounts, list, verify};
use crate::accounts::Permission;
use crate::app::SharedState;
use crate::app::admin::{Admin, no_store, params};
use crate::app::blocking;
use crate::app::console::{Console, Lang, Nav, off_thread, page, shown_time};
use crate::app::csv::berlin_time;
use crate::app::error::{ApiError, excerpt};
use crate::app::export::{Asked, Cell, Csv, Export, FileType, Xlsx};
use crate::db::{self, StoreError, Tx};
use axum::extract::{Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use maud::html;
use serde::{Deserialize, Serialize};

/// The most entries one page or answer shows.
const SHOWN: i64 = 500;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/admin/audit", get(audit_page))
        .route("/v1/admin/audit-log", get(audit_json))
        .route("/v1/admin/audit-log.csv", get(export::<Csv>))
        .route("/v1/admin/audit-log.xlsx", get(export::<Xlsx>))
}

/// The newest entries `filter` lets through, and where the chain breaks, if it does.
fn shown(tx: &mut dyn Tx, filter: &Filter) -> Result<(Vec<Entry>, Option<i64>), StoreError> {
    Ok((list(tx, filter, SHOWN)?, verify(tx)?))
}

fn action_name(lang: Lang, action: &str) -> &str {
    match Action::parse(action) {
        Some(Action::SignIn) => lang.t("Anmeldung", "sign-in"),
        Some(Action::SignInFailed) => lang.t("Anmeldung abgelehnt", "sign-in refused"),
        Some(Action::AccountCreated) => lang.t("Konto angelegt", "account created"),
        Some(Action::AccountRoleChanged) => lang.t("Rolle geändert", "role changed"),
        Some(Action::AccountPasswordSet) => lang.t("Passwort gesetzt", "password set"),
        Some(Action::AccountDisabled) => lang.t("Konto gesperrt", "account disabled"),
        Some(Action::AccountEnabled) => lang.t("Konto entsperrt", "account enabled"),
        Some(Action::Erasure) => lang.t("Daten gelöscht (Art. 17)", "data erased (Art. 17)"),
        Some(Action::AccessReport) => {
            lang.t("Auskunft erteilt (Art. 15)", "access report (Art. 15)")
        }
        Some(Action::Export) => lang.t("Export", "export"),
        Some(Action::LogTrimmed) => lang.t(
            "Protokoll gekürzt (Aufbewahrungsfrist)",
            "log trimmed (retention)",
        ),
        Some(Action::WidgetSaved) => lang.t("Widget gespeichert", "widget saved"),
        Some(Action::WidgetAdopted) => lang.t("Entwurf übernommen", "draft adopted"),
        Some(Action::WidgetDiscarded) => lang.t("Widget verworfen", "widget discarded"),
        Some(Action::ProposalApproved) => lang.t("Vorschlag angenommen", "proposal approved"),
        Some(Action::ProposalRejected) => lang.t("Vorschlag abgelehnt", "proposal rejected"),
        Some(Action::ProposalMerged) => lang.t("Vorschlag zusammengeführt", "proposal merged"),
        Some(Action::RegistrationAdded) => {
            lang.t("Anmeldung von Hand", "registration added by hand")
        }
        Some(Action::RegistrationSeated) => lang.t(
            "Von der Warteliste nachgerückt (von Hand)",
            "moved up by hand",
        ),
        Some(Action::RegistrationCancelled) => {
            lang.t("Anmeldung storniert", "registration cancelled")
        }
        Some(Action::RegistrantsMailed) => lang.t("E-Mail an Angemeldete", "registrants mailed"),
        None => action,
    }
}

/// The console's filter form, as typed.
#[derive(Deserialize, Default)]
struct Typed {
    action: Option<String>,
    account: Option<String>,
    object: Option<String>,
    from: Option<String>,
    until: Option<String>,
}

/// A day as `<input type=date>` sends it; `None` for anything else.
fn day(value: &str) -> Option<String> {
    let b = value.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    (b.len() == 10 && b[4] == b'-' && b[7] == b'-' && digits(0..4) && digits(5..7) && digits(8..10))
        .then(|| value.to_owned())
}

/// The filter's parameters, in the console's form and the API's query alike.
const PARAMS: [&str; 5] = ["action", "account", "object", "from", "until"];

/// Why a filter parameter was not taken.
enum Wrong {
    Action,
    Day,
}

/// Narrows `filter` by the parameter `key` (one of [`PARAMS`]); an empty value narrows nothing.
fn narrow(filter: &mut Filter, key: &str, value: &str) -> Result<(), Wrong> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(());
    }
    match key {
        "action" => filter.action = Some(Action::parse(value).ok_or(Wrong::Action)?),
        "account" => filter.account = Some(value.to_owned()),
        "object" => filter.object = Some(value.to_owned()),
        "from" => filter.from = Some(day(value).ok_or(Wrong::Day)?),
        _ => filter.until = Some(day(value).ok_or(Wrong::Day)?),
    }
    Ok(())
}

impl Typed {
    /// The filter, and the fields that are no day (their typed value is kept, unused). An
    /// unknown action is no filter: the form offers only known ones.
    fn filter(&self) -> (Filter, Vec<&'static str>) {
        let mut filter = Filter::default();
        let mut wrong = Vec::new();
        let values = [
            &self.action,
            &self.account,
            &self.object,
            &self.from,
            &self.until,
        ];
        for (key, value) in PARAMS.into_iter().zip(values) {
            let value = value.as_deref().unwrap_or_default();
            if let Err(Wrong::Day) = narrow(&mut filter, key, value) {
                wrong.push(key);
            }
        }
        (filter, wrong)
    }
}

async fn audit_page(
    State(state): State<SharedState>,
    console: Console,
    Query(typed): Query<Typed>,
) -> Response {
    if let Err(refused) = console.require(Permission::ReadAudit) {
        return refused.into_response();
    }
    let lang = console.lang;
    let (filter, wrong) = typed.filter();
    let action = filter.action;
    let state2 = state.clone();
    // The accounts for the filter's choices in the same snapshot as the entries.
    let read = off_thread(lang, "reading the audit log", move || {
        db::read(state2.store.as_ref(), |tx| {
            let (entries, broken) = shown(tx, &filter)?;
            Ok((entries, broken, accounts(tx)?))
        })
    });
    let (entries, broken, named) = match read.await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let kept = |v: &Option<String>| v.clone().unwrap_or_default();
    let day_error = |field: &str| {
        wrong.contains(&field).then(|| {
            lang.t(
                "Geben Sie einen Tag an, z. B. 2026-12-05.",
                "Give a day, e.g. 2026-12-05.",
            )
        })
    };
    page(
        StatusCode::OK,
        lang,
        Some(&console),
        Nav::Audit,
        lang.t("Protokoll", "Audit log"),
        html! {
            @match broken {
                None => p.notice role="status" { (lang.t(
                    "Die Kette der Einträge ist vollständig: Keiner wurde nachträglich geändert oder entfernt.",
                    "The chain of entries holds: none was changed or removed afterwards."
                )) },
                Some(seq) => div.error-summary role="alert" {
                    p { (match lang {
                        Lang::De => format!("Die Kette ist ab Eintrag {seq} gebrochen: Dieser oder ein früherer Eintrag wurde nachträglich geändert oder entfernt."),
                        Lang::En => format!("The chain is broken from entry {seq}: this or an earlier entry was changed or removed afterwards."),
                    }) }
                },
            }
            p { (lang.t("Das ganze Protokoll exportieren: ", "Export the whole log: "))
                a href="/v1/admin/audit-log.csv" download { (lang.t("CSV (Excel)", "CSV (Excel)")) }
                ", "
                a href="/v1/admin/audit-log.xlsx" download { "XLSX" }
            }
            form.filters method="get" action="/admin/audit" {
                div.field {
                    label for="action" { (lang.t("Aktion", "Action")) }
                    select #action name="action" {
                        option value="" selected[action.is_none()] { (lang.t("alle", "all")) }
                        @for a in Action::ALL {
                            option value=(a.as_str()) selected[action == Some(a)] { (action_name(lang, a.as_str())) }
                        }
                    }
                }
                div.field {
                    label for="account" { (lang.t("Wer", "Who")) }
                    select #account name="account" {
                        option value="" selected[typed.account.as_deref().unwrap_or_default().is_empty()] { (lang.t("alle", "all")) }
                        @for name in &named {
                            option value=(name) selected[typed.account.as_deref() == Some(name.as_str())] { (name) }
                        }
                    }
                }
                div.field {
                    label for="object" { (lang.t("Objekt enthält", "Object contains")) }
                    p.hint #object-hint { (lang.t("z. B. die Kennung eines Widgets", "e.g. a widget's id")) }
                    input #object name="object" type="text" value=(kept(&typed.object)) aria-describedby="object-hint";
                }
                @for (field, label) in [("from", lang.t("Vom Tag (UTC)", "From day (UTC)")), ("until", lang.t("Bis zum Tag (UTC)", "Until day (UTC)"))] {
                    @let error = day_error(field);
                    div.field {
                        label for=(field) { (label) }
                        @if let Some(error) = error {
                            p.error id={ (field) "-error" } { (error) }
                        }
                        input id=(field) name=(field) type="date"
                            value=(kept(if field == "from" { &typed.from } else { &typed.until }))
                            aria-invalid=[error.map(|_| "true")]
                            aria-describedby=[error.map(|_| format!("{field}-error"))];
                    }
                }
                button.secondary type="submit" { (lang.t("Anzeigen", "Show")) }
            }
            @if entries.is_empty() {
                p { (lang.t("Keine Einträge.", "No entries.")) }
            } @else {
                div.table-wrap role="region" aria-labelledby="audit-caption" tabindex="0" {
                    table {
                        caption #audit-caption { (lang.t("Einträge, die neuesten zuerst", "Entries, newest first")) }
                        thead { tr {
                            th scope="col" { (lang.t("Nr.", "No.")) }
                            th scope="col" { (lang.t("Wann", "When")) }
                            th scope="col" { (lang.t("Wer", "Who")) }
                            th scope="col" { (lang.t("Aktion", "Action")) }
                            th scope="col" { (lang.t("Objekt", "Object")) }
                            th scope="col" { (lang.t("Angaben", "Details")) }
                        } }
                        tbody {
                            @for e in &entries {
                                tr {
                                    th scope="row" { (e.seq) }
                                    td { time datetime=(e.at) { (shown_time(&e.at)) } }
                                    td { (e.account) }
                                    td { (action_name(lang, &e.action)) }
                                    td { code { (e.object) } }
                                    td { (e.detail) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

#[derive(Serialize)]
struct Log {
    /// Whether no entry was changed or removed afterwards.
    intact: bool,
    /// The first entry where the chain breaks.
    broken_at: Option<i64>,
    entries: Vec<Entry>,
}

async fn audit_json(
    State(state): State<SharedState>,
    admin: Admin,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    admin.require(Permission::ReadAudit)?;
    let mut filter = Filter::default();
    for (key, value) in params(query.as_deref(), &PARAMS)? {
        narrow(&mut filter, &key, &value).map_err(|wrong| {
            ApiError::BadQuery(match wrong {
                Wrong::Action => {
                    format!("action '{}' is none of the log's actions", excerpt(&value))
                }
                Wrong::Day => format!("{key} is a day: YYYY-MM-DD (UTC)"),
            })
        })?;
    }
    let (entries, broken) = blocking(&state, "reading the audit log", move |store| {
        db::read(store, |tx| shown(tx, &filter))
    })
    .await?;
    Ok(no_store(
        Json(Log {
            intact: broken.is_none(),
            broken_at: broken,
            entries,
        })
        .into_response(),
    ))
}

/// The whole log, oldest first, with the hashes that let the town check it later.
async fn export<T: FileType>(
    State(state): State<SharedState>,
    admin: Admin,
    Asked(format, _): Asked<T>,
) -> Result<Response, ApiError> {
    admin.require(Permission::ReadAudit)?;
    let mut entries = blocking(&state, "exporting the audit log", move |store| {
        db::read(store, |tx| list(tx, &Filter::default(), i64::MAX))
    })
    .await?;
    entries.reverse();
    Export {
        what: "protokoll",
        sheet: "Protokoll",
        widget: None,
        title: None,
        version: None,
        header: vec![
            "Nr.",
            "Zeit",
            "Zeit (UTC)",
            "Konto",
            "Aktion",
            "Objekt",
            "Angaben",
            "Hash",
        ],
        rows: entries
            .iter()
            .map(|e| {
                vec![
                    Cell::from(e.seq),
                    berlin_time(Some(&e.at)).into(),
                    e.at.as_str().into(),
                    e.account.as_str().into(),
                    e.action.as_str().into(),
                    e.object.as_str().into(),
                    e.detail.as_str().into(),
                    e.hash.as_str().into(),
                ]
            })
            .collect(),
    }
    .respond(&state, &admin, format)
    .await
}
