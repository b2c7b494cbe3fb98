//! One widget in the console (`/admin/widgets/{id}`): its definition as a form (every attribute
//! of its kind, its list, the collector's own settings), checked by the widgets' own parser with
//! its messages; the snippet for the page; the pages that showed it before it was defined; its
//! versions; adopting or discarding a draft; a warning when its privacy notice is not there. A
//! widget from the configuration file is shown read-only, with a form to copy it under a new
//! id. New widgets start at `/admin/new-widget`.

use super::embed::{preview, snippet};
use super::form::{Draft, Row, SPARE_ROWS, form, located, read_only};
use super::privacy_link::{self, Finding};
use crate::accounts::Permission;
use crate::app::SharedState;
use crate::app::console::{
    Console, Lang, Nav, csrf_field, error_summary, form_field, off_thread, page, see_other,
    shown_time,
};
use crate::db::{self, StoreError};
use crate::definitions::store::{self, Change, Expected, RecordedPage, Saved, VersionRecord};
use crate::definitions::{Origin, Status, Widget};
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use mitmachen_shared::definition::Kind;
use mitmachen_shared::ids::WidgetId;
use serde::Deserialize;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/admin/new-widget", get(new_widget))
        .route("/admin/widgets/{id}", get(show).post(save))
        .route("/admin/widgets/{id}/adopt", post(adopt))
        .route("/admin/widgets/{id}/discard", post(discard))
}

#[derive(Deserialize, Default)]
struct Shown {
    done: Option<String>,
}

struct Loaded {
    widget: Option<Widget>,
    pages: Vec<RecordedPage>,
    versions: Vec<VersionRecord>,
}

fn load(state: &SharedState, id: &WidgetId) -> Result<Loaded, StoreError> {
    db::read(state.store.as_ref(), |tx| {
        Ok(Loaded {
            widget: store::get(tx, id)?,
            pages: store::pages(tx, id)?,
            versions: store::versions(tx, id)?,
        })
    })
}

async fn loaded(state: &SharedState, id: &WidgetId, lang: Lang) -> Result<Loaded, Response> {
    let (state2, id2) = (state.clone(), id.clone());
    off_thread(lang, "reading a widget for the console", move || {
        load(&state2, &id2)
    })
    .await
}

fn not_found(console: &Console, id: &str) -> Response {
    let lang = console.lang;
    page(
        StatusCode::NOT_FOUND,
        lang,
        Some(console),
        Nav::Widgets,
        lang.t("Widget nicht gefunden", "Widget not found"),
        html! {
            p { (match lang {
                Lang::De => format!("Es gibt kein Widget „{id}“."),
                Lang::En => format!("There is no widget '{id}'."),
            }) }
            p { a href="/admin/" { (lang.t("Zur Übersicht", "To the overview")) } }
        },
    )
}

async fn show(
    State(state): State<SharedState>,
    console: Console,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Response {
    if let Err(refused) = console.require(Permission::ReadResults) {
        return refused.into_response();
    }
    let Ok(id) = WidgetId::parse(&id) else {
        return not_found(&console, &id);
    };
    let loaded = match loaded(&state, &id, console.lang).await {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let Some(widget) = &loaded.widget else {
        return not_found(&console, id.as_str());
    };
    let draft = Draft::of(&widget.definition, &widget.settings, Some(widget.version));
    let notice = shown
        .done
        .as_deref()
        .and_then(|d| done_notice(console.lang, d));
    // Shown with the stored definition, so also right after saving (which comes back here).
    let privacy = match widget.definition.attributes.get("data-privacy") {
        Some(address) => privacy_link::check(address, state.origins.origins_for(&id)).await,
        None => Vec::new(),
    };
    render(
        &state,
        &console,
        StatusCode::OK,
        &id,
        &loaded,
        &draft,
        notice,
        &[],
        &privacy,
    )
}

fn done_notice(lang: Lang, done: &str) -> Option<&'static str> {
    match done {
        "saved" => Some(lang.t(
            "Gespeichert. Die Änderung gilt ab sofort auf allen Seiten.",
            "Saved. The change applies at once on every page.",
        )),
        "adopted" => Some(lang.t(
            "Übernommen. Das Widget nimmt ab sofort Beiträge an.",
            "Adopted. The widget takes submissions from now on.",
        )),
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn render(
    state: &SharedState,
    console: &Console,
    status: StatusCode,
    id: &WidgetId,
    loaded: &Loaded,
    draft: &Draft,
    notice: Option<&str>,
    errors: &[(String, String)],
    privacy: &[Finding],
) -> Response {
    let lang = console.lang;
    let widget = loaded.widget.as_ref();
    let edits = console.role().may(Permission::EditWidgets);
    let from_file = widget.is_some_and(|w| w.origin == Origin::File);
    let summary: Vec<(&str, String)> = errors
        .iter()
        .map(|(f, m)| (f.as_str(), m.clone()))
        .collect();
    page(
        status,
        lang,
        Some(console),
        Nav::Widgets,
        &format!("{} {}", kind_name(lang, draft.kind), id.as_str()),
        html! {
            @if let Some(notice) = notice {
                p.notice role="status" { (notice) }
            }
            (error_summary(lang, &summary))
            (privacy_link::warning(lang, privacy, edits && !from_file))
            @if let Some(widget) = widget {
                (facts(lang, widget))
                @if matches!(draft.kind, Kind::Poll | Kind::Topics) && console.role().may(Permission::ReadResults) {
                    p { a href={ "/admin/widgets/" (id.as_str()) "/results" } { (lang.t("Ergebnisse ansehen", "See the results")) } }
                }
                @if draft.kind == Kind::Newsletter && widget.status == Status::Active && console.role().may(Permission::PersonalData) {
                    p { a href={ "/admin/widgets/" (id.as_str()) "/subscribers" } { (lang.t("Abonnements und Nachweise", "Subscribers and proof")) } }
                }
                @if draft.kind == Kind::Event && widget.status == Status::Active && console.role().may(Permission::PersonalData) {
                    p {
                        a href={ "/admin/widgets/" (id.as_str()) "/registrations" } { (lang.t("Anmeldungen verwalten", "Manage registrations")) }
                        " · "
                        a href={ "/admin/widgets/" (id.as_str()) "/check-in" } { (lang.t("Einlass", "Check-in")) }
                        " · "
                        a href={ "/admin/widgets/" (id.as_str()) "/mail-texts" } { (lang.t("E-Mail-Texte", "Mail texts")) }
                    }
                }
                @if widget.status == Status::Draft && edits {
                    (draft_actions(lang, console, widget))
                }
                @if widget.status == Status::Active {
                    h2 #snippet-heading { (lang.t("Auf einer Seite einbinden", "Embed on a page")) }
                    (snippet(lang, state, widget))
                }
            }
            h2 { (lang.t("Definition", "Definition")) }
            @if from_file {
                p { (lang.t(
                    "Dieses Widget ist in der Konfigurationsdatei festgelegt und wird dort geändert. Sie können es als neues Widget kopieren und hier bearbeiten.",
                    "This widget is declared in the configuration file and is changed there. You can copy it as a new widget and edit it here."
                )) }
                (read_only(lang, draft))
                @if edits {
                    (copy_form(lang, id))
                }
            } @else if edits {
                (form(lang, console, id, draft, errors, widget.is_none()))
            } @else {
                (read_only(lang, draft))
            }
            (preview(lang, state, id, draft))
            @if !loaded.pages.is_empty() {
                h2 { (lang.t("Seiten, die es zeigten, bevor es festgelegt war", "Pages that showed it before it was defined")) }
                ul.pages {
                    @for p in &loaded.pages {
                        li { a href=(p.page_url) { (p.page_url) } " · " time datetime=(p.seen_at) { (shown_time(&p.seen_at)) } }
                    }
                }
            }
            @if !loaded.versions.is_empty() {
                h2 #versions { (lang.t("Versionen", "Versions")) }
                div.table-wrap role="region" aria-labelledby="versions" tabindex="0" {
                    table {
                        thead { tr {
                            th scope="col" { (lang.t("Version", "Version")) }
                            th scope="col" { (lang.t("Status", "Status")) }
                            th scope="col" { (lang.t("Von", "By")) }
                            th scope="col" { (lang.t("Wann", "When")) }
                        } }
                        tbody {
                            @for v in &loaded.versions {
                                tr {
                                    th scope="row" { (v.version) }
                                    td { (version_status(lang, &v.status)) }
                                    td { (v.changed_by) }
                                    td { time datetime=(v.changed_at) { (shown_time(&v.changed_at)) } }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub fn kind_name(lang: Lang, kind: Kind) -> &'static str {
    match kind {
        Kind::Poll => lang.t("Umfrage", "Poll"),
        Kind::Topics => lang.t("Themen", "Topics"),
        Kind::Event => lang.t("Veranstaltung", "Event"),
        Kind::Newsletter => lang.t("Newsletter", "Newsletter"),
    }
}

fn version_status(lang: Lang, status: &str) -> &'static str {
    match status {
        "active" => lang.t("aktiv", "active"),
        "draft" => lang.t("Entwurf", "draft"),
        _ => lang.t("verworfen", "discarded"),
    }
}

fn origin_name(lang: Lang, origin: Origin) -> &'static str {
    match origin {
        Origin::File => lang.t("Konfigurationsdatei", "configuration file"),
        Origin::Console => lang.t("Konsole", "console"),
        Origin::Api => lang.t("Admin-API", "admin API"),
        Origin::Page => lang.t("von einer Seite übernommen", "adopted from a page"),
    }
}

fn facts(lang: Lang, widget: &Widget) -> Markup {
    html! {
        dl.facts {
            dt { (lang.t("Status", "Status")) }
            dd { span.status { (match widget.status {
                Status::Active => lang.t("aktiv", "active"),
                Status::Draft => lang.t("Entwurf: nimmt noch keine Beiträge an", "draft: takes no submissions yet"),
            }) } }
            dt { (lang.t("Herkunft", "Source")) }
            dd {
                (origin_name(lang, widget.origin))
                @if widget.origin == Origin::Page && widget.status == Status::Active {
                    (lang.t(
                        ", noch nicht geprüft: Die Seiten zeigen ihre eigenen Angaben, bis Sie die Definition speichern; Beiträge werden schon an ihr geprüft.",
                        ", not reviewed yet: pages show their own text until you save the definition; submissions are already checked against it."
                    ))
                }
            }
            dt { (lang.t("Version", "Version")) }
            dd {
                (widget.version) ", " (lang.t("zuletzt geändert ", "last changed "))
                time datetime=(widget.changed_at) { (shown_time(&widget.changed_at)) }
                (lang.t(" von ", " by ")) (widget.changed_by)
            }
        }
    }
}

fn draft_actions(lang: Lang, console: &Console, widget: &Widget) -> Markup {
    let id = widget.id.as_str();
    html! {
        div.row-actions {
            form method="post" action={ "/admin/widgets/" (id) "/adopt" } {
                (csrf_field(console))
                input type="hidden" name="version" value=(widget.version);
                button type="submit" { (lang.t("Übernehmen: ", "Adopt: ")) (id) }
            }
            form method="post" action={ "/admin/widgets/" (id) "/discard" } {
                (csrf_field(console))
                button.danger type="submit" { (lang.t("Verwerfen: ", "Discard: ")) (id) }
            }
        }
    }
}

fn copy_form(lang: Lang, id: &WidgetId) -> Markup {
    html! {
        form.filters method="get" action="/admin/new-widget" {
            input type="hidden" name="from" value=(id.as_str());
            div.field {
                label for="copy-id" { (lang.t("Kennung der Kopie", "Id of the copy")) }
                input #copy-id name="id" type="text" autocomplete="off" required;
            }
            button.secondary type="submit" { (lang.t("Als neues Widget kopieren", "Copy as a new widget")) }
        }
    }
}

async fn save(
    State(state): State<SharedState>,
    console: Console,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields = form.map(|f| f.0).unwrap_or_default();
    let field = |name: &str| form_field(&fields, name);
    if let Err(refused) =
        console.may_change(&state, &headers, field("csrf"), Permission::EditWidgets)
    {
        return refused.into_response();
    }
    let lang = console.lang;
    let Ok(id) = WidgetId::parse(&id) else {
        return not_found(&console, &id);
    };
    let Some(kind) = field("kind").and_then(Kind::parse) else {
        return not_found(&console, id.as_str());
    };
    let new = field("new") == Some("1");
    let mut draft = Draft::sent(kind, &fields);
    let mut loaded = match loaded(&state, &id, lang).await {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    if field("do") == Some("rows") {
        draft
            .rows
            .extend(std::iter::repeat_n(Row::default(), SPARE_ROWS + 2));
        return render(
            &state,
            &console,
            StatusCode::OK,
            &id,
            &loaded,
            &draft,
            None,
            &[],
            &[],
        );
    }
    if loaded
        .widget
        .as_ref()
        .is_some_and(|w| w.origin == Origin::File)
    {
        return render(
            &state,
            &console,
            StatusCode::CONFLICT,
            &id,
            &loaded,
            &draft,
            None,
            &[(
                "definition-form".to_owned(),
                lang.t(
                    "Dieses Widget wird in der Konfigurationsdatei geändert.",
                    "This widget is changed in the configuration file.",
                )
                .to_owned(),
            )],
            &[],
        );
    }
    if new && loaded.widget.is_some() {
        loaded.widget = None;
        let message = match lang {
            Lang::De => format!("Es gibt schon ein Widget „{id}“. Wählen Sie eine andere Kennung."),
            Lang::En => format!("There is a widget '{id}' already. Choose another id."),
        };
        return render(
            &state,
            &console,
            StatusCode::CONFLICT,
            &id,
            &loaded,
            &draft,
            None,
            &[("definition-form".to_owned(), message)],
            &[],
        );
    }
    let (definition, mut settings) = match draft.parse(lang) {
        Ok(parsed) => parsed,
        Err(errors) => {
            return render(
                &state,
                &console,
                StatusCode::UNPROCESSABLE_ENTITY,
                &id,
                &loaded,
                &draft,
                None,
                &errors,
                &[],
            );
        }
    };
    let definition = match definition.check(&id, &state.public_url) {
        Ok(config) => definition.keyed(&config.kind),
        Err(errors) => {
            let errors: Vec<(String, String)> = errors.iter().map(|e| located(e, lang)).collect();
            return render(
                &state,
                &console,
                StatusCode::UNPROCESSABLE_ENTITY,
                &id,
                &loaded,
                &draft,
                None,
                &errors,
                &[],
            );
        }
    };
    let status = loaded.widget.as_ref().map_or(Status::Active, |w| w.status);
    // The event's own mail texts are written on their own page; the definition form keeps them.
    if let Some(stored) = &loaded.widget
        && stored.definition.kind == draft.kind
    {
        settings.mail_texts = stored.settings.mail_texts.clone();
    }
    let (store, catalog, by, id2) = (
        state.store.clone(),
        state.catalog.clone(),
        console.session.account.name.clone(),
        id.clone(),
    );
    let expected = match (new, draft.version) {
        (true, _) => Expected::Nothing,
        (false, Some(v)) => Expected::Version(v),
        (false, None) => Expected::Any,
    };
    let saved = off_thread(lang, "saving a widget definition", move || {
        let saved = db::write(store.as_ref(), move |tx| {
            store::save(
                tx,
                &id2,
                Change {
                    definition: &definition,
                    settings: &settings,
                    status,
                    origin: Origin::Console,
                    by: &by,
                    expected,
                },
            )
        })?;
        catalog.reload(store.as_ref())?;
        Ok::<_, StoreError>(saved)
    })
    .await;
    let saved = match saved {
        Ok(saved) => saved,
        Err(response) => return response,
    };
    match saved {
        Saved::Created(w) | Saved::Changed(w) => {
            tracing::info!(widget = %id, by = %console.session.account.name, version = w.version, "widget definition saved in the console");
            see_other(&format!("/admin/widgets/{}?done=saved", id.as_str()))
        }
        Saved::Unchanged(_) => see_other(&format!("/admin/widgets/{}?done=saved", id.as_str())),
        Saved::Conflict { current } => {
            // Keep what was typed; saving again replaces the newer version on purpose.
            draft.version = current;
            // Against what is stored now (a new widget someone else made meanwhile, too).
            let loaded = match self::loaded(&state, &id, lang).await {
                Ok(loaded) => loaded,
                Err(response) => return response,
            };
            let message = lang
                .t(
                    "Jemand hat das Widget inzwischen geändert. Ihre Eingaben sind erhalten; prüfen Sie sie und speichern Sie erneut, um die neuere Fassung zu ersetzen.",
                    "Someone changed the widget meanwhile. What you typed is kept; check it and save again to replace the newer version.",
                )
                .to_owned();
            render(
                &state,
                &console,
                StatusCode::CONFLICT,
                &id,
                &loaded,
                &draft,
                None,
                &[("definition-form".to_owned(), message)],
                &[],
            )
        }
    }
}

#[derive(Deserialize)]
struct ActionForm {
    csrf: Option<String>,
    /// The version the editor saw (adopting): a newer one is not adopted unseen.
    version: Option<i64>,
}

async fn adopt(
    State(state): State<SharedState>,
    console: Console,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    decide(state, console, headers, id, form, true).await
}

async fn discard(
    State(state): State<SharedState>,
    console: Console,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    decide(state, console, headers, id, form, false).await
}

/// Adopts a draft (it takes submissions from now on) or discards a widget's definition.
async fn decide(
    state: SharedState,
    console: Console,
    headers: HeaderMap,
    id: String,
    form: Result<Form<ActionForm>, FormRejection>,
    adopt: bool,
) -> Response {
    let (sent, seen) = form
        .ok()
        .map(|f| (f.0.csrf, f.0.version))
        .unwrap_or_default();
    if let Err(refused) =
        console.may_change(&state, &headers, sent.as_deref(), Permission::EditWidgets)
    {
        return refused.into_response();
    }
    let Ok(id) = WidgetId::parse(&id) else {
        return not_found(&console, &id);
    };
    let (store, catalog, by, id2) = (
        state.store.clone(),
        state.catalog.clone(),
        console.session.account.name.clone(),
        id.clone(),
    );
    let done = off_thread(console.lang, "adopting or discarding a widget", move || {
        let done = db::write(store.as_ref(), move |tx| {
            let Some(widget) = store::get(tx, &id2)? else {
                return Ok(false);
            };
            if widget.origin == Origin::File {
                return Ok(false);
            }
            if adopt {
                // Adopted by an editor: reviewed, so pages show it from now on.
                let change = Change {
                    definition: &widget.definition,
                    settings: &widget.settings,
                    status: Status::Active,
                    origin: Origin::Console,
                    by: &by,
                    expected: seen.map_or(Expected::Version(widget.version), Expected::Version),
                };
                store::save(tx, &id2, change).map(|s| !matches!(s, Saved::Conflict { .. }))
            } else {
                store::discard(tx, &id2, &by)
            }
        })?;
        catalog.reload(store.as_ref())?;
        Ok::<_, StoreError>(done)
    })
    .await;
    match done {
        Ok(true) if adopt => {
            tracing::info!(widget = %id, by = %console.session.account.name, "draft adopted in the console");
            see_other(&format!("/admin/widgets/{}?done=adopted", id.as_str()))
        }
        Ok(true) => {
            tracing::info!(widget = %id, by = %console.session.account.name, "widget discarded in the console");
            see_other("/admin/?done=discarded")
        }
        Ok(false) => not_found(&console, id.as_str()),
        Err(response) => response,
    }
}

#[derive(Deserialize, Default)]
struct NewWidget {
    kind: Option<String>,
    id: Option<String>,
    from: Option<String>,
}

/// `/admin/new-widget`: choose the kind and the id (or copy `from`), then the form.
async fn new_widget(
    State(state): State<SharedState>,
    console: Console,
    Query(query): Query<NewWidget>,
) -> Response {
    if let Err(refused) = console.require(Permission::EditWidgets) {
        return refused.into_response();
    }
    let lang = console.lang;
    let typed_id = query.id.clone().unwrap_or_default();
    let asked = query.id.is_some();
    let mut errors: Vec<(&str, String)> = Vec::new();
    let id = WidgetId::parse(typed_id.trim());
    if asked && id.is_err() {
        errors.push((
            "new-id",
            lang.t(
                "Die Kennung hat 1 bis 64 Zeichen: a–z, Ziffern, - und _, am Anfang ein Buchstabe oder eine Ziffer.",
                "The id has 1 to 64 characters: a–z, digits, - and _, starting with a letter or digit.",
            )
            .to_owned(),
        ));
    }
    let source = match query.from.as_deref().map(WidgetId::parse) {
        Some(Ok(from)) => match loaded(&state, &from, lang).await {
            Ok(loaded) => loaded.widget,
            Err(response) => return response,
        },
        _ => None,
    };
    let kind = source
        .as_ref()
        .map(|w| w.definition.kind)
        .or_else(|| query.kind.as_deref().and_then(Kind::parse));
    if let (Ok(id), Some(kind)) = (&id, kind)
        && errors.is_empty()
    {
        let existing = match loaded(&state, id, lang).await {
            Ok(loaded) => loaded,
            Err(response) => return response,
        };
        if existing.widget.is_none() {
            let draft = match &source {
                Some(from) => Draft::of(&from.definition, &from.settings, None),
                None => Draft::empty(kind),
            };
            return render(
                &state,
                &console,
                StatusCode::OK,
                id,
                &existing,
                &draft,
                None,
                &[],
                &[],
            );
        }
        errors.push((
            "new-id",
            match lang {
                Lang::De => {
                    format!("Es gibt schon ein Widget „{id}“. Wählen Sie eine andere Kennung.")
                }
                Lang::En => format!("There is a widget '{id}' already. Choose another id."),
            },
        ));
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let error = errors.first().map(|(_, m)| m.as_str());
    page(
        status,
        lang,
        Some(&console),
        Nav::Widgets,
        lang.t("Neues Widget", "New widget"),
        html! {
            (error_summary(lang, &errors))
            form method="get" action="/admin/new-widget" novalidate {
                @if let Some(from) = &query.from {
                    input type="hidden" name="from" value=(from);
                } @else {
                    fieldset {
                        legend { (lang.t("Art", "Kind")) }
                        @for k in Kind::ALL {
                            div.choice {
                                input type="radio" id={ "kind-" (k.as_str()) } name="kind" value=(k.as_str())
                                    checked[kind.map_or(k == Kind::Poll, |c| c == k)];
                                label for={ "kind-" (k.as_str()) } { (kind_name(lang, k)) }
                            }
                        }
                    }
                }
                div.field {
                    label for="new-id" { (lang.t("Kennung (data-id)", "Id (data-id)")) }
                    p.hint #new-id-hint { (lang.t("Kleinbuchstaben, Ziffern, - und _; zum Beispiel buergerversammlung-2027.", "Lowercase letters, digits, - and _; for example town-meeting-2027.")) }
                    @if let Some(error) = error { p.error #new-id-error { (error) } }
                    input #new-id name="id" type="text" value=(typed_id) autocomplete="off"
                        aria-invalid=[error.map(|_| "true")]
                        aria-describedby=(if error.is_some() { "new-id-hint new-id-error" } else { "new-id-hint" });
                }
                button type="submit" { (lang.t("Weiter", "Continue")) }
            }
        },
    )
}
