//! The moderation queue in the console (`/admin/proposals`): the proposals of every widget,
//! pending first, filtered by widget and status; moderators approve, reject with a reason, or
//! merge into another topic, several at once. Viewers and editors see the queue, unchanged.

use super::store;
use super::{DecideOutcome, Decision, ProposalRecord, ProposalStatus, REASON_MAX_CHARS, Refusal};
use crate::accounts::Permission;
use crate::app::SharedState;
use crate::app::console::{
    Console, Lang, Nav, csrf_field, error_summary, form_field, off_thread, page, see_other,
    shown_time,
};
use crate::ballots::rules::BallotRules;
use crate::db::{self, StoreError};
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use mitmachen_shared::ids::{OptionKey, WidgetId};
use serde::Deserialize;
use std::collections::BTreeSet;

pub fn routes() -> Router<SharedState> {
    Router::new().route("/admin/proposals", get(queue_page).post(decide))
}

/// Which proposals the page shows: one widget or all; one status, or all (pending first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Filter {
    widget: Option<WidgetId>,
    /// `None`: every status.
    status: Option<ProposalStatus>,
}

impl Filter {
    /// From the query or the form; pending only unless asked otherwise, what a moderator
    /// opens the page for.
    fn parse(widget: Option<&str>, status: Option<&str>) -> Filter {
        Filter {
            widget: widget
                .filter(|w| !w.is_empty())
                .and_then(|w| WidgetId::parse(w).ok()),
            status: match status {
                Some("all") => None,
                Some(s) => ProposalStatus::parse(s).or(Some(ProposalStatus::Pending)),
                None => Some(ProposalStatus::Pending),
            },
        }
    }

    fn status_value(&self) -> &'static str {
        self.status.map_or("all", ProposalStatus::as_str)
    }

    fn query(&self) -> String {
        let mut query = format!("status={}", self.status_value());
        if let Some(widget) = &self.widget {
            query.push_str("&widget=");
            query.push_str(widget.as_str());
        }
        query
    }
}

#[derive(Deserialize, Default)]
struct Shown {
    widget: Option<String>,
    status: Option<String>,
    done: Option<String>,
    count: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Approve,
    Reject,
    Merge,
}

/// What the moderator sent, kept to show again when something is to fix.
#[derive(Debug, Default)]
struct Typed {
    keys: BTreeSet<String>,
    action: Option<Action>,
    reason: String,
    into: String,
}

/// One finished decision, or why it was not made.
enum Outcome {
    Decided,
    Unknown,
    Refused(Refusal),
}

/// Everything the page shows, read in one transaction.
struct Queue {
    proposals: Vec<ProposalRecord>,
    /// Widgets with proposals and how many of each wait.
    widgets: Vec<(WidgetId, u64)>,
    /// Where a proposal may be merged: open proposals and the editors' topic keys, with a
    /// title where there is one.
    targets: Vec<Target>,
}

struct Target {
    key: String,
    widget: WidgetId,
    title: Option<String>,
}

fn read_queue(state: &SharedState, filter: &Filter) -> Result<Queue, StoreError> {
    let (proposals, widgets, open) = db::read(state.store.as_ref(), |tx| {
        let proposals = store::queue(tx, filter.widget.as_ref(), filter.status)?;
        let widgets = store::pending_by_widget(tx)?;
        let open = store::queue(tx, filter.widget.as_ref(), None)?;
        Ok((proposals, widgets, open))
    })?;
    let mut targets: Vec<Target> = open
        .into_iter()
        .filter(|p| matches!(p.status, ProposalStatus::Pending | ProposalStatus::Approved))
        .map(|p| Target {
            key: p.key,
            widget: p.widget,
            title: Some(p.title),
        })
        .collect();
    for (widget, rules) in &state.catalog.now().rules {
        if let Some(BallotRules::Topics {
            topics: Some(keys), ..
        }) = &rules.ballot
        {
            let wanted = filter.widget.as_ref().is_none_or(|w| w == widget);
            targets.extend(keys.iter().filter(|_| wanted).map(|key| Target {
                key: key.as_str().to_owned(),
                widget: widget.clone(),
                title: None,
            }));
        }
    }
    Ok(Queue {
        proposals,
        widgets,
        targets,
    })
}

async fn queue_page(
    State(state): State<SharedState>,
    console: Console,
    Query(shown): Query<Shown>,
) -> Response {
    if let Err(refused) = console.require(Permission::ReadProposals) {
        return refused.into_response();
    }
    let filter = Filter::parse(shown.widget.as_deref(), shown.status.as_deref());
    let lang = console.lang;
    let notice = shown
        .done
        .as_deref()
        .zip(shown.count)
        .and_then(|(done, n)| done_notice(lang, done, n));
    render(
        &state,
        &console,
        StatusCode::OK,
        &filter,
        notice,
        &Typed::default(),
        &[],
    )
    .await
}

fn done_notice(lang: Lang, done: &str, n: u64) -> Option<String> {
    let (de, en) = match done {
        "approve" => ("angenommen", "approved"),
        "reject" => ("abgelehnt", "rejected"),
        "merge" => ("zusammengeführt", "merged"),
        _ => return None,
    };
    Some(match (lang, n) {
        (Lang::De, 1) => format!("1 Vorschlag {de}."),
        (Lang::De, n) => format!("{n} Vorschläge {de}."),
        (Lang::En, 1) => format!("1 proposal {en}."),
        (Lang::En, n) => format!("{n} proposals {en}."),
    })
}

async fn render(
    state: &SharedState,
    console: &Console,
    status: StatusCode,
    filter: &Filter,
    notice: Option<String>,
    typed: &Typed,
    errors: &[(&str, String)],
) -> Response {
    let lang = console.lang;
    let (state2, filter2) = (state.clone(), filter.clone());
    let queue = match off_thread(lang, "reading the moderation queue", move || {
        read_queue(&state2, &filter2)
    })
    .await
    {
        Ok(queue) => queue,
        Err(response) => return response,
    };
    let moderates = console.role().may(Permission::Moderate);
    page(
        status,
        lang,
        Some(console),
        Nav::Proposals,
        lang.t("Vorschläge", "Proposals"),
        html! {
            @if let Some(notice) = &notice {
                p.notice role="status" { (notice) }
            }
            (error_summary(lang, errors))
            (filter_form(lang, filter, &queue.widgets))
            @if queue.proposals.is_empty() {
                p #proposals { (match filter.status {
                    Some(ProposalStatus::Pending) => lang.t(
                        "Keine Vorschläge warten auf eine Entscheidung.",
                        "No proposals are waiting for a decision."),
                    _ => lang.t("Keine Vorschläge in dieser Auswahl.", "No proposals in this selection."),
                }) }
            } @else if moderates {
                form method="post" action="/admin/proposals" novalidate {
                    (csrf_field(console))
                    input type="hidden" name="filter-status" value=(filter.status_value());
                    @if let Some(widget) = &filter.widget {
                        input type="hidden" name="filter-widget" value=(widget.as_str());
                    }
                    (table(lang, &queue, typed, true))
                    (decision_fields(lang, &queue.targets, typed, errors))
                }
            } @else {
                (table(lang, &queue, typed, false))
            }
        },
    )
}

fn filter_form(lang: Lang, filter: &Filter, widgets: &[(WidgetId, u64)]) -> Markup {
    let statuses = [
        ("pending", lang.t("wartend", "pending")),
        ("approved", lang.t("angenommen", "approved")),
        ("rejected", lang.t("abgelehnt", "rejected")),
        ("merged", lang.t("zusammengeführt", "merged")),
        ("all", lang.t("alle", "all")),
    ];
    html! {
        form.filters method="get" action="/admin/proposals" aria-label=(lang.t("Auswahl", "Filter")) {
            div.field {
                label for="filter-widget" { (lang.t("Widget", "Widget")) }
                select #filter-widget name="widget" {
                    option value="" selected[filter.widget.is_none()] { (lang.t("alle Widgets", "all widgets")) }
                    @for (widget, pending) in widgets {
                        option value=(widget.as_str()) selected[filter.widget.as_ref() == Some(widget)] {
                            (widget.as_str()) " (" (pending) (lang.t(" wartend", " pending")) ")"
                        }
                    }
                }
            }
            div.field {
                label for="filter-status" { (lang.t("Status", "Status")) }
                select #filter-status name="status" {
                    @for (value, label) in statuses {
                        option value=(value) selected[filter.status_value() == value] { (label) }
                    }
                }
            }
            button.secondary type="submit" { (lang.t("Anzeigen", "Show")) }
        }
    }
}

fn status_name(lang: Lang, status: ProposalStatus) -> &'static str {
    match status {
        ProposalStatus::Pending => lang.t("wartet", "pending"),
        ProposalStatus::Approved => lang.t("angenommen", "approved"),
        ProposalStatus::Rejected => lang.t("abgelehnt", "rejected"),
        ProposalStatus::Merged => lang.t("zusammengeführt", "merged"),
    }
}

fn table(lang: Lang, queue: &Queue, typed: &Typed, selectable: bool) -> Markup {
    let title_of = |key: &str| {
        queue
            .targets
            .iter()
            .find(|t| t.key == key)
            .and_then(|t| t.title.clone())
    };
    html! {
        div.table-wrap #proposals role="region" aria-labelledby="proposals-caption" tabindex="0" {
            table {
                caption #proposals-caption { (lang.t("Vorschläge, wartende zuerst", "Proposals, pending first")) }
                thead { tr {
                    @if selectable {
                        th scope="col" { span.visually-hidden { (lang.t("Auswahl", "Selection")) } }
                    }
                    th scope="col" { (lang.t("Vorschlag", "Proposal")) }
                    th scope="col" { (lang.t("Status", "Status")) }
                } }
                tbody {
                    @for p in &queue.proposals {
                        tr {
                            @if selectable {
                                td.select {
                                    input type="checkbox" id={ "select-" (p.key) } name="key" value=(p.key)
                                        checked[typed.keys.contains(&p.key)];
                                    label.visually-hidden for={ "select-" (p.key) } {
                                        (lang.t("Auswählen: ", "Select: ")) (p.title)
                                    }
                                }
                            }
                            th scope="row" {
                                span.title { (p.title) }
                                @if !p.description.is_empty() {
                                    span.description { (p.description) }
                                }
                                span.meta {
                                    code { (p.key) } " · " (lang.t("Widget ", "widget ")) code { (p.widget.as_str()) }
                                    " · " (lang.t("eingegangen ", "received ")) time datetime=(p.created_at) { (shown_time(&p.created_at)) }
                                }
                            }
                            td {
                                span.status { (status_name(lang, p.status)) }
                                @if let Some(reason) = &p.reason {
                                    span.reason { (lang.t("Begründung: ", "Reason: ")) (reason) }
                                }
                                @if let Some(into) = &p.merged_into {
                                    span.reason {
                                        (lang.t("in ", "into ")) code { (into) }
                                        @if let Some(title) = title_of(into) { " („" (title) "“)" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn decision_fields(
    lang: Lang,
    targets: &[Target],
    typed: &Typed,
    errors: &[(&str, String)],
) -> Markup {
    let error_for = |field: &str| {
        errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    };
    let radio = |action: Action, id: &str, value: &str, label: &str| {
        html! {
            div.choice {
                input type="radio" id=(id) name="action" value=(value) checked[typed.action == Some(action)];
                label for=(id) { (label) }
            }
        }
    };
    html! {
        fieldset.decision #decision {
            legend { (lang.t("Entscheidung für die ausgewählten Vorschläge", "Decision for the selected proposals")) }
            @if let Some(error) = error_for("action-approve") {
                p.error { (error) }
            }
            (radio(Action::Approve, "action-approve", "approve", lang.t("Annehmen (wird veröffentlicht)", "Approve (published)")))
            (radio(Action::Reject, "action-reject", "reject", lang.t("Ablehnen", "Reject")))
            (radio(Action::Merge, "action-merge", "merge", lang.t("Zusammenführen mit einem anderen Thema (Stimmen gehen dorthin)", "Merge into another topic (its votes go there)")))
            div.field {
                label for="reason" { (lang.t("Begründung der Ablehnung (optional)", "Reason for the rejection (optional)")) }
                p.hint #reason-hint { (match lang {
                    Lang::De => format!("Für die Akten der Stadt, wird nicht veröffentlicht. Höchstens {REASON_MAX_CHARS} Zeichen."),
                    Lang::En => format!("For the town's files, not published. At most {REASON_MAX_CHARS} characters."),
                }) }
                @if let Some(error) = error_for("reason") {
                    p.error #reason-error { (error) }
                }
                textarea #reason name="reason" rows="3"
                    aria-invalid=[error_for("reason").map(|_| "true")]
                    aria-describedby=(if error_for("reason").is_some() { "reason-hint reason-error" } else { "reason-hint" }) {
                    (typed.reason)
                }
            }
            div.field {
                label for="into" { (lang.t("Zusammenführen mit (Thema suchen)", "Merge into (search a topic)")) }
                p.hint #into-hint { (lang.t(
                    "Titel oder Schlüssel eines wartenden oder angenommenen Vorschlags oder ein Thema der Redaktion.",
                    "Title or key of a pending or approved proposal, or a topic of the editors' list.")) }
                @if let Some(error) = error_for("into") {
                    p.error #into-error { (error) }
                }
                input #into name="into" type="text" list="merge-targets" autocomplete="off" value=(typed.into)
                    aria-invalid=[error_for("into").map(|_| "true")]
                    aria-describedby=(if error_for("into").is_some() { "into-hint into-error" } else { "into-hint" });
                datalist #merge-targets {
                    @for target in targets {
                        option value=(target.key) {
                            @if let Some(title) = &target.title { (title) " – " }
                            (target.widget.as_str())
                        }
                    }
                }
            }
            button type="submit" { (lang.t("Entscheidung ausführen", "Apply the decision")) }
        }
    }
}

async fn decide(
    State(state): State<SharedState>,
    console: Console,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields = form.map(|f| f.0).unwrap_or_default();
    let field = |name: &str| form_field(&fields, name);
    if let Err(refused) = console.may_change(&state, &headers, field("csrf"), Permission::Moderate)
    {
        return refused.into_response();
    }
    let lang = console.lang;
    let filter = Filter::parse(field("filter-widget"), field("filter-status"));
    let typed = Typed {
        keys: fields
            .iter()
            .filter(|(k, v)| k == "key" && super::is_proposal_key(v))
            .map(|(_, v)| v.clone())
            .collect(),
        action: match field("action") {
            Some("approve") => Some(Action::Approve),
            Some("reject") => Some(Action::Reject),
            Some("merge") => Some(Action::Merge),
            _ => None,
        },
        reason: field("reason").unwrap_or_default().to_owned(),
        into: field("into").unwrap_or_default().trim().to_owned(),
    };
    let mut errors: Vec<(&str, String)> = Vec::new();
    if typed.keys.is_empty() {
        errors.push((
            "proposals",
            lang.t(
                "Wählen Sie mindestens einen Vorschlag aus.",
                "Select at least one proposal.",
            )
            .to_owned(),
        ));
    }
    let reason = super::reason(&typed.reason);
    let decision = match typed.action {
        None => {
            errors.push((
                "action-approve",
                lang.t(
                    "Wählen Sie, was mit den Vorschlägen geschehen soll.",
                    "Choose what happens to the proposals.",
                )
                .to_owned(),
            ));
            None
        }
        Some(Action::Approve) => Some(Decision::Approve),
        Some(Action::Reject) => match reason {
            Ok(reason) => Some(Decision::Reject { reason }),
            Err(_) => {
                let chars = typed.reason.trim().chars().count();
                errors.push(("reason", match lang {
                    Lang::De => format!("Die Begründung hat {chars} Zeichen; kürzen Sie sie auf höchstens {REASON_MAX_CHARS}."),
                    Lang::En => format!("The reason has {chars} characters; shorten it to at most {REASON_MAX_CHARS}."),
                }));
                None
            }
        },
        Some(Action::Merge) => match merge_target(&state, &filter, &typed).await {
            Some(into) => Some(Decision::Merge { into }),
            None => {
                errors.push((
                    "into",
                    if typed.into.is_empty() {
                        lang.t(
                            "Geben Sie das Thema an, mit dem zusammengeführt werden soll.",
                            "Give the topic to merge into.",
                        )
                        .to_owned()
                    } else {
                        lang.t(
                            "Kein Thema mit diesem Titel oder Schlüssel gefunden. Wählen Sie eines aus der Liste.",
                            "No topic with this title or key. Choose one from the list.",
                        )
                        .to_owned()
                    },
                ));
                None
            }
        },
    };
    let Some(decision) = decision.filter(|_| errors.is_empty()) else {
        return render(
            &state,
            &console,
            StatusCode::UNPROCESSABLE_ENTITY,
            &filter,
            None,
            &typed,
            &errors,
        )
        .await;
    };
    let keys: Vec<String> = typed.keys.iter().cloned().collect();
    let store = state.store.clone();
    let job_decision = decision.clone();
    let by = console.session.account.name.clone();
    let outcomes = off_thread(lang, "moderating proposals", move || {
        db::write(store.as_ref(), move |tx| {
            keys.into_iter()
                .map(|key| {
                    let outcome = match store::decide(tx, &key, job_decision.clone(), &by)? {
                        DecideOutcome::Decided(_) => Outcome::Decided,
                        DecideOutcome::UnknownKey => Outcome::Unknown,
                        DecideOutcome::Refused(refusal) => Outcome::Refused(refusal),
                    };
                    Ok((key, outcome))
                })
                .collect::<Result<Vec<_>, StoreError>>()
        })
    })
    .await;
    let outcomes = match outcomes {
        Ok(outcomes) => outcomes,
        Err(response) => return response,
    };
    let action = match decision {
        Decision::Approve => "approve",
        Decision::Reject { .. } => "reject",
        Decision::Merge { .. } => "merge",
    };
    let decided = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Decided))
        .count();
    for (key, outcome) in &outcomes {
        if matches!(outcome, Outcome::Decided) {
            tracing::info!(by = %console.session.account.name, %key, action, "proposal decided in the console");
        }
    }
    let refused: Vec<(&str, String)> = outcomes
        .iter()
        .filter_map(|(key, outcome)| match outcome {
            Outcome::Decided => None,
            Outcome::Unknown => Some((
                "proposals",
                match lang {
                    Lang::De => format!("Den Vorschlag {key} gibt es nicht mehr."),
                    Lang::En => format!("The proposal {key} no longer exists."),
                },
            )),
            Outcome::Refused(refusal) => Some(("proposals", refusal_message(lang, refusal))),
        })
        .collect();
    if refused.is_empty() {
        return see_other(&format!(
            "/admin/proposals?{}&done={action}&count={decided}",
            filter.query()
        ));
    }
    // Some could not be decided: say which and why; the others are done.
    let notice = (decided > 0)
        .then(|| done_notice(lang, action, decided as u64))
        .flatten();
    let kept = Typed {
        keys: refused_keys(&outcomes),
        ..typed
    };
    render(
        &state,
        &console,
        StatusCode::UNPROCESSABLE_ENTITY,
        &filter,
        notice,
        &kept,
        &refused,
    )
    .await
}

fn refused_keys(outcomes: &[(String, Outcome)]) -> BTreeSet<String> {
    outcomes
        .iter()
        .filter(|(_, o)| !matches!(o, Outcome::Decided))
        .map(|(k, _)| k.clone())
        .collect()
}

/// The topic key the moderator means: a key as typed, or the title of exactly one open
/// proposal in the queue's widgets.
async fn merge_target(state: &SharedState, filter: &Filter, typed: &Typed) -> Option<OptionKey> {
    if typed.into.is_empty() {
        return None;
    }
    if let Ok(key) = OptionKey::parse(&typed.into) {
        return Some(key);
    }
    let (state2, filter2) = (state.clone(), filter.clone());
    let queue = tokio::task::spawn_blocking(move || read_queue(&state2, &filter2))
        .await
        .ok()?
        .ok()?;
    let wanted = typed.into.to_lowercase();
    let mut found = queue
        .targets
        .iter()
        .filter(|t| t.title.as_deref().map(str::to_lowercase).as_deref() == Some(&wanted));
    match (found.next(), found.next()) {
        (Some(only), None) => OptionKey::parse(&only.key).ok(),
        _ => None,
    }
}

fn refusal_message(lang: Lang, refusal: &Refusal) -> String {
    match (lang, refusal) {
        (Lang::En, refusal) => format!("{}.", refusal.detail()),
        (Lang::De, Refusal::AlreadyMerged { key, into }) => format!(
            "{key} wurde schon mit {into} zusammengeführt und kann nicht mehr geändert werden."
        ),
        (Lang::De, Refusal::IntoItself { key }) => {
            format!("{key} kann nicht mit sich selbst zusammengeführt werden.")
        }
        (Lang::De, Refusal::OtherWidget { key, into }) => {
            format!("{into} gehört zu einem anderen Widget als {key}.")
        }
        (Lang::De, Refusal::TargetClosed { into, status }) => format!(
            "{into} ist {}; führen Sie mit einem wartenden oder angenommenen Vorschlag zusammen.",
            status_name(Lang::De, *status)
        ),
        (Lang::De, Refusal::NoSuchTarget { into }) => {
            format!("Es gibt keinen Vorschlag {into}.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_default_to_pending() {
        assert_eq!(
            Filter::parse(None, None).status,
            Some(ProposalStatus::Pending)
        );
        assert_eq!(Filter::parse(None, Some("all")).status, None);
        assert_eq!(
            Filter::parse(Some("ideen"), Some("merged")),
            Filter {
                widget: WidgetId::parse("ideen").ok(),
                status: Some(ProposalStatus::Merged)
            }
        );
        assert_eq!(
            Filter::parse(Some("../x"), Some("nonsense")),
            Filter {
                widget: None,
                status: Some(ProposalStatus::Pending)
            }
        );
        assert_eq!(
            Filter::parse(Some("ideen"), None).query(),
            "status=pending&widget=ideen"
        );
    }
}
