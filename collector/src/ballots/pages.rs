//! A poll's or topic list's results in the console (`/admin/widgets/{id}/results`): counts and
//! shares as bars (SVG, the numbers beside them as text) with a table alternative, topics by
//! rank with the proposals merged into them, participation per day, the closing state, what
//! citizens are shown, and the exports. Where the widget's settings say so, only
//! administrators see the numbers before the close.

use super::tally::{self, BallotKind, Line, Tally};
use crate::accounts::{Permission, Role};
use crate::app::SharedState;
use crate::app::console::{Console, Lang, Nav, off_thread, page};
use crate::app::csv::berlin_time;
use crate::db::now;
use crate::definitions::catalog::WidgetState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use mitmachen_shared::config::ResultsVisibility;
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::time::rfc3339_utc;

pub fn routes() -> Router<SharedState> {
    Router::new().route("/admin/widgets/{id}/results", get(results_page))
}

/// Whether `role` must wait for the close: the widget's settings keep its results to
/// administrators while it is open.
pub fn held_back(state: &SharedState, widget: &WidgetId, role: Role) -> bool {
    let declared = state.catalog.now();
    role != Role::Administrator
        && declared
            .widgets
            .get(widget)
            .is_some_and(|w| w.settings.results_for_administrators_only())
        && declared.state(widget, now()) != Some(WidgetState::Closed)
}

fn percent(lang: Lang, share: u64) -> String {
    match lang {
        Lang::De => format!("{share}\u{a0}%"),
        Lang::En => format!("{share}%"),
    }
}

fn counted(lang: Lang, kind: BallotKind, n: u64) -> String {
    match (lang, kind, n) {
        (Lang::De, BallotKind::Poll, 1) => "1 Stimme".into(),
        (Lang::De, BallotKind::Poll, n) => format!("{n} Stimmen"),
        (Lang::De, BallotKind::Topics, 1) => "1 Punkt".into(),
        (Lang::De, BallotKind::Topics, n) => format!("{n} Punkte"),
        (Lang::En, BallotKind::Poll, 1) => "1 vote".into(),
        (Lang::En, BallotKind::Poll, n) => format!("{n} votes"),
        (Lang::En, BallotKind::Topics, 1) => "1 dot".into(),
        (Lang::En, BallotKind::Topics, n) => format!("{n} dots"),
    }
}

fn taking_part(lang: Lang, n: u64) -> String {
    match (lang, n) {
        (Lang::De, 1) => "1 Teilnahme".into(),
        (Lang::De, n) => format!("{n} Teilnahmen"),
        (Lang::En, 1) => "1 ballot".into(),
        (Lang::En, n) => format!("{n} ballots"),
    }
}

/// A bar, as long as `part` of `whole`: decoration only, the numbers are text beside it.
fn bar(part: u64, whole: u64) -> Markup {
    let length = part
        .saturating_mul(1000)
        .checked_div(whole)
        .unwrap_or(0)
        .min(1000);
    html! {
        svg.chart-bar viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true" focusable="false" {
            rect.track width="1000" height="10" {}
            rect.fill width=(length) height="10" {}
        }
    }
}

fn visibility_text(lang: Lang, visibility: Option<ResultsVisibility>) -> &'static str {
    match visibility {
        Some(ResultsVisibility::Always) => lang.t(
            "immer, auch vor der Abstimmung",
            "always, also before voting",
        ),
        Some(ResultsVisibility::AfterVoting) | None => {
            lang.t("nach der eigenen Abstimmung", "after voting")
        }
        Some(ResultsVisibility::AfterClosing) => {
            lang.t("erst nach dem Ende", "only after the close")
        }
        Some(ResultsVisibility::Never) => lang.t("nie", "never"),
    }
}

fn closing_text(lang: Lang, tally: &Tally) -> String {
    let at = tally.closes_at.map(|t| berlin_time(Some(&rfc3339_utc(t))));
    match (at, tally.closes_at.is_some_and(|t| now() >= t)) {
        (Some(at), true) => match lang {
            Lang::De => format!("geschlossen seit {at}"),
            Lang::En => format!("closed since {at}"),
        },
        (Some(at), false) => match lang {
            Lang::De => format!("offen bis {at}"),
            Lang::En => format!("open until {at}"),
        },
        (None, _) => lang
            .t("offen, ohne Ende", "open, no closing time")
            .to_owned(),
    }
}

fn chart_line(lang: Lang, tally: &Tally, most: u64, line: &Line) -> Markup {
    html! {
        li {
            p.chart-label {
                @if tally.kind == BallotKind::Topics {
                    span.rank { (line.rank) ". " }
                }
                (line.label)
                @if line.orphaned {
                    " " span.meta { (lang.t("(nicht mehr in der Definition)", "(no longer in the definition)")) }
                }
            }
            (bar(line.count, most))
            p.chart-value { (counted(lang, tally.kind, line.count)) " · " (percent(lang, line.share)) }
            @if !line.merged.is_empty() {
                p.meta { (lang.t("Zusammengeführt hierher: ", "Merged into this: ")) (line.merged.join("; ")) }
            }
        }
    }
}

fn table(lang: Lang, tally: &Tally) -> Markup {
    let (what, counted_as) = match tally.kind {
        BallotKind::Poll => (lang.t("Antwort", "Answer"), lang.t("Stimmen", "Votes")),
        BallotKind::Topics => (lang.t("Thema", "Topic"), lang.t("Punkte", "Dots")),
    };
    html! {
        div.table-wrap role="region" aria-labelledby="results-caption" tabindex="0" {
            table {
                caption #results-caption { (lang.t("Ergebnisse als Tabelle", "Results as a table")) }
                thead { tr {
                    th.number scope="col" { (lang.t("Rang", "Rank")) }
                    th scope="col" { (what) }
                    th.number scope="col" { (counted_as) }
                    th.number scope="col" { (lang.t("Anteil", "Share")) }
                    @if tally.kind == BallotKind::Topics {
                        th scope="col" { (lang.t("Zusammengeführte Vorschläge", "Merged proposals")) }
                    }
                } }
                tbody {
                    @for line in &tally.lines {
                        tr {
                            td.number { (line.rank) }
                            th scope="row" { (line.label) }
                            td.number { (line.count) }
                            td.number { (percent(lang, line.share)) }
                            @if tally.kind == BallotKind::Topics {
                                td { (line.merged.join("; ")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn participation(lang: Lang, tally: &Tally) -> Markup {
    let most = tally.days.iter().map(|(_, n)| *n).max().unwrap_or(0);
    html! {
        h2 #participation { (lang.t("Teilnahme im Zeitverlauf", "Participation over time")) }
        @if tally.days.is_empty() {
            p { (lang.t("Noch keine Teilnahme.", "Nobody took part yet.")) }
        } @else {
            ul.chart aria-labelledby="participation" {
                @for (day, n) in &tally.days {
                    li {
                        p.chart-label { time datetime=(day) { (shown_day(day)) } }
                        (bar(*n, most))
                        p.chart-value { (taking_part(lang, *n)) }
                    }
                }
            }
        }
    }
}

/// `2027-03-12` as `12.03.2027`.
fn shown_day(day: &str) -> String {
    match (day.get(..4), day.get(5..7), day.get(8..10)) {
        (Some(y), Some(m), Some(d)) => format!("{d}.{m}.{y}"),
        _ => day.to_owned(),
    }
}

fn numbers(lang: Lang, id: &WidgetId, tally: &Tally) -> Markup {
    let most = tally.lines.iter().map(|l| l.count).max().unwrap_or(0);
    let heading = match tally.kind {
        BallotKind::Poll => lang.t("Stimmen je Antwort", "Votes per answer"),
        BallotKind::Topics => lang.t("Punkte je Thema, nach Rang", "Dots per topic, by rank"),
    };
    html! {
        h2 #chart-heading { (heading) }
        @if tally.lines.is_empty() {
            p { (lang.t("Noch nichts zu zählen.", "Nothing to count yet.")) }
        } @else {
            @if tally.kind == BallotKind::Topics {
                ol.chart aria-labelledby="chart-heading" {
                    @for line in &tally.lines { (chart_line(lang, tally, most, line)) }
                }
            } @else {
                ul.chart aria-labelledby="chart-heading" {
                    @for line in &tally.lines { (chart_line(lang, tally, most, line)) }
                }
            }
            p.hint { (lang.t(
                "Die Anteile sind auf ganze Prozent gerundet und ergeben zusammen 100 %.",
                "Shares are rounded to whole percent and add up to 100%."
            )) }
            (table(lang, tally))
        }
        (participation(lang, tally))
        h2 { (lang.t("Exportieren", "Export")) }
        ul.downloads {
            li { a href={ "/v1/admin/widgets/" (id.as_str()) "/results.csv" } download { (lang.t("Ergebnisse als CSV (Excel)", "Results as CSV (Excel)")) } }
            li { a href={ "/v1/admin/widgets/" (id.as_str()) "/results.xlsx" } download { (lang.t("Ergebnisse als XLSX", "Results as XLSX")) } }
            @if tally.kind == BallotKind::Topics {
                li { a href={ "/v1/admin/widgets/" (id.as_str()) "/proposals.csv" } download { (lang.t("Vorschläge mit Entscheidungen als CSV", "Proposals with decisions as CSV")) } }
                li { a href={ "/v1/admin/widgets/" (id.as_str()) "/proposals.xlsx" } download { (lang.t("Vorschläge mit Entscheidungen als XLSX", "Proposals with decisions as XLSX")) } }
            }
        }
    }
}

async fn results_page(
    State(state): State<SharedState>,
    console: Console,
    Path(id): Path<String>,
) -> Response {
    if let Err(refused) = console.require(Permission::ReadResults) {
        return refused.into_response();
    }
    let lang = console.lang;
    let title = |id: &str| match lang {
        Lang::De => format!("Ergebnisse: {id}"),
        Lang::En => format!("Results: {id}"),
    };
    let missing = |id: &str| {
        page(
            StatusCode::NOT_FOUND,
            lang,
            Some(&console),
            Nav::Widgets,
            &title(id),
            html! {
                p { (lang.t(
                    "Zu diesem Widget gibt es keine Ergebnisse: Es ist keine Umfrage und keine Themenliste.",
                    "This widget has no results: it is neither a poll nor a topic list."
                )) }
                p { a href="/admin/" { (lang.t("Zur Übersicht", "To the overview")) } }
            },
        )
    };
    let Ok(id) = WidgetId::parse(&id) else {
        return missing(&id);
    };
    let (state2, id2) = (state.clone(), id.clone());
    let tally = match off_thread(lang, "reading results for the console", move || {
        tally::read(&state2, &id2)
    })
    .await
    {
        Ok(Some(tally)) => tally,
        Ok(None) => return missing(id.as_str()),
        Err(response) => return response,
    };
    let hidden = held_back(&state, &id, console.role());
    let defined = state.catalog.now().widgets.contains_key(&id);
    page(
        StatusCode::OK,
        lang,
        Some(&console),
        Nav::Widgets,
        &title(id.as_str()),
        html! {
            dl.facts {
                @if let Some(question) = &tally.question {
                    dt { (match tally.kind {
                        BallotKind::Poll => lang.t("Frage", "Question"),
                        BallotKind::Topics => lang.t("Überschrift", "Heading"),
                    }) }
                    dd { (question) }
                }
                dt { (lang.t("Stand", "Status")) }
                dd { (closing_text(lang, &tally)) }
                dt { (lang.t("Für die Öffentlichkeit sichtbar", "Shown to the public")) }
                dd { (visibility_text(lang, tally.visibility)) }
                @if !hidden {
                    dt { (lang.t("Teilnahmen", "Ballots")) }
                    dd { (tally.ballots) }
                    dt { (match tally.kind {
                        BallotKind::Poll => lang.t("Stimmen", "Votes"),
                        BallotKind::Topics => lang.t("Vergebene Punkte", "Dots given"),
                    }) }
                    dd { (tally.votes) }
                }
            }
            @if hidden {
                p.notice role="status" { (lang.t(
                    "Die Ergebnisse dieses Widgets sind bis zum Ende der Abstimmung nur für die Administration sichtbar.",
                    "The results of this widget are visible to administrators only until the vote closes."
                )) }
            } @else {
                (numbers(lang, &id, &tally))
            }
            @if defined {
                p { a href={ "/admin/widgets/" (id.as_str()) } { (lang.t("Zur Definition des Widgets", "To the widget's definition")) } }
            }
        },
    )
}
