//! The widgets of this collector as the console shows them: every widget with a definition, a
//! rule in the configuration file, or submissions, with its kind, whether it is open (or a
//! draft), how many took part and when the last one did (`GET /admin/`); `edit` is one
//! widget's page and its actions, `form` its definition as a form, `fields` the form's words
//! for each attribute, `embed` the snippet and the live preview, `privacy_link` the check that
//! the privacy notice it links to is there.

mod edit;
mod embed;
mod fields;
mod form;
pub mod privacy_link;
mod store;

use crate::accounts::Permission;
use crate::app::SharedState;
use crate::app::console::{Console, Lang, Nav, off_thread, page, shown_time};
use crate::db::{self, now};
use crate::definitions::Origin;
use crate::definitions::catalog::WidgetState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use maud::html;
use mitmachen_shared::definition::Kind as DefinitionKind;
use mitmachen_shared::ids::WidgetId;
use std::collections::BTreeMap;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/admin/", get(overview))
        .route(
            "/admin",
            get(|| async { crate::app::console::see_other("/admin/") }),
        )
        // The live preview's widget asks its endpoint for a stored definition first: "none"
        // (as for an id the collector does not know), so that it shows what is typed; then it
        // reports the page, which is taken and forgotten, and reads seats, results or topics:
        // nothing either. The console's page logs no 404; submissions still find no endpoint.
        .route(
            "/preview/v1/widgets/{id}",
            get(|| async { StatusCode::NO_CONTENT }),
        )
        .route(
            "/preview/v1/widgets/{id}/{read}",
            get(|| async { StatusCode::NO_CONTENT }),
        )
        .route(
            "/preview/v1/widgets/{id}/pages",
            axum::routing::post(|| async { StatusCode::NO_CONTENT }),
        )
        .merge(edit::routes())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Poll,
    Topics,
    Event,
    Newsletter,
    /// Submissions arrived, but of no kind that tells.
    Unknown,
}

impl Kind {
    /// The widget kind a stored submission's kind belongs to.
    fn of_submission(kind: &str) -> Kind {
        match kind {
            "poll" => Kind::Poll,
            "topics" | "proposal" => Kind::Topics,
            "registration" => Kind::Event,
            "subscription" => Kind::Newsletter,
            _ => Kind::Unknown,
        }
    }

    fn name(self, lang: Lang) -> &'static str {
        match self {
            Kind::Poll => lang.t("Umfrage", "Poll"),
            Kind::Topics => lang.t("Themen", "Topics"),
            Kind::Event => lang.t("Veranstaltung", "Event"),
            Kind::Newsletter => lang.t("Newsletter", "Newsletter"),
            Kind::Unknown => lang.t("unbekannt", "unknown"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Open,
    Closed,
    Cancelled,
    Draft,
}

/// Where a line's widget is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Defined(Origin),
    /// `[widgets.<id>]` rules in the configuration file, no definition.
    FileRules,
    /// Submissions only.
    Submissions,
}

/// One line of the overview.
#[derive(Debug, Clone)]
struct Line {
    kind: Kind,
    status: Status,
    /// Accepted submissions (ballots, proposals, registrations, subscription requests).
    submissions: u64,
    /// RFC 3339, UTC.
    last: Option<String>,
    source: Source,
}

fn lines(state: &SharedState, activity: Vec<store::Activity>) -> BTreeMap<WidgetId, Line> {
    let now = now();
    let declared = state.catalog.now();
    let mut lines = BTreeMap::new();
    let blank = |kind, status, source| Line {
        kind,
        status,
        submissions: 0,
        last: None,
        source,
    };
    for (id, rules) in &declared.rules {
        let kind = match rules.ballot {
            Some(crate::ballots::rules::BallotRules::Topics { .. }) => Kind::Topics,
            Some(crate::ballots::rules::BallotRules::Poll { .. }) => Kind::Poll,
            None => Kind::Unknown,
        };
        let closed = rules.closes.as_ref().is_some_and(|c| c.at <= now);
        lines.insert(
            id.clone(),
            blank(
                kind,
                if closed { Status::Closed } else { Status::Open },
                Source::FileRules,
            ),
        );
    }
    for (id, widget) in &declared.widgets {
        let kind = match widget.definition.kind {
            DefinitionKind::Poll => Kind::Poll,
            DefinitionKind::Topics => Kind::Topics,
            DefinitionKind::Event => Kind::Event,
            DefinitionKind::Newsletter => Kind::Newsletter,
        };
        let status = match declared.state(id, now) {
            Some(WidgetState::Draft) => Status::Draft,
            Some(WidgetState::Closed) => Status::Closed,
            Some(WidgetState::Cancelled) => Status::Cancelled,
            Some(WidgetState::Open) | None => Status::Open,
        };
        lines.insert(
            id.clone(),
            blank(kind, status, Source::Defined(widget.origin)),
        );
    }
    for a in activity {
        let line = lines
            .entry(a.widget)
            .or_insert_with(|| blank(Kind::Unknown, Status::Open, Source::Submissions));
        if line.kind == Kind::Unknown {
            line.kind = Kind::of_submission(&a.kind);
        }
        line.submissions += a.submissions;
        if line.last.as_deref() < Some(a.last.as_str()) {
            line.last = Some(a.last);
        }
    }
    lines
}

fn source_name(lang: Lang, source: Source) -> &'static str {
    match source {
        Source::Defined(Origin::File) | Source::FileRules => {
            lang.t("Konfigurationsdatei", "configuration file")
        }
        Source::Defined(Origin::Console) => lang.t("Konsole", "console"),
        Source::Defined(Origin::Api) => lang.t("Admin-API", "admin API"),
        Source::Defined(Origin::Page) => {
            lang.t("von einer Seite übernommen", "adopted from a page")
        }
        Source::Submissions => lang.t(
            "nur Beiträge, keine Definition",
            "submissions only, no definition",
        ),
    }
}

#[derive(serde::Deserialize, Default)]
struct Shown {
    done: Option<String>,
}

async fn overview(
    State(state): State<SharedState>,
    console: Console,
    axum::extract::Query(shown): axum::extract::Query<Shown>,
) -> Response {
    let lang = console.lang;
    let notice = (shown.done.as_deref() == Some("discarded")).then(|| {
        lang.t(
            "Das Widget wurde verworfen; seine Versionen bleiben erhalten.",
            "The widget was discarded; its versions are kept.",
        )
    });
    let store = state.store.clone();
    let activity = match off_thread(lang, "reading the widgets' activity", move || {
        db::read(store.as_ref(), store::activity)
    })
    .await
    {
        Ok(activity) => activity,
        Err(response) => return response,
    };
    let lines = lines(&state, activity);
    let counts = console.role().may(Permission::ReadResults);
    page(
        StatusCode::OK,
        lang,
        Some(&console),
        Nav::Widgets,
        lang.t("Widgets", "Widgets"),
        html! {
            @if let Some(notice) = notice {
                p.notice role="status" { (notice) }
            }
            @if console.role().may(Permission::EditWidgets) {
                p { a href="/admin/new-widget" { (lang.t("Neues Widget anlegen", "Create a new widget")) } }
            }
            @if lines.is_empty() {
                p { (lang.t(
                    "Noch keine Widgets: Dieser Collector hat keine in seiner Konfiguration und noch keine Beiträge erhalten.",
                    "No widgets yet: this collector declares none in its configuration and has received no submissions."
                )) }
            } @else {
                div.table-wrap role="region" aria-labelledby="widgets-caption" tabindex="0" {
                    table {
                        caption #widgets-caption { (lang.t("Alle Widgets dieses Collectors", "All widgets of this collector")) }
                        thead { tr {
                            th scope="col" { (lang.t("Widget", "Widget")) }
                            th scope="col" { (lang.t("Art", "Kind")) }
                            th scope="col" { (lang.t("Status", "Status")) }
                            @if counts {
                                th.number scope="col" { (lang.t("Beiträge", "Submissions")) }
                                th scope="col" { (lang.t("Zuletzt", "Last activity")) }
                            }
                            th scope="col" { (lang.t("Herkunft", "Source")) }
                        } }
                        tbody {
                            @for (id, line) in &lines {
                                tr {
                                    th scope="row" {
                                        @if matches!(line.source, Source::Defined(_)) {
                                            a href={ "/admin/widgets/" (id.as_str()) } { code { (id.as_str()) } }
                                        } @else {
                                            code { (id.as_str()) }
                                        }
                                    }
                                    td { (line.kind.name(lang)) }
                                    td { span.status { (match line.status {
                                        Status::Open => lang.t("offen", "open"),
                                        Status::Closed => lang.t("geschlossen", "closed"),
                                        Status::Cancelled => lang.t("abgesagt", "cancelled"),
                                        Status::Draft => lang.t("Entwurf", "draft"),
                                    }) } }
                                    @if counts {
                                        td.number {
                                            @if matches!(line.kind, Kind::Poll | Kind::Topics) {
                                                a href={ "/admin/widgets/" (id.as_str()) "/results" } {
                                                    (line.submissions)
                                                    span.visually-hidden { (lang.t(": Ergebnisse", ": results")) }
                                                }
                                            } @else {
                                                (line.submissions)
                                            }
                                        }
                                        td { @if let Some(last) = &line.last {
                                            time datetime=(last) { (shown_time(last)) }
                                        } @else { "–" } }
                                    }
                                    td { (source_name(lang, line.source)) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
