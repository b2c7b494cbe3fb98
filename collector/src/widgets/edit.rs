//! One widget in the console (`/admin/widgets/{id}`): its definition as a form (every attribute
//! of its kind, its list, the collector's own settings), checked by the widgets' own parser with
//! its messages; the snippet for the page; the pages that showed it before it was defined; its
//! versions; adopting or discarding a draft. A widget from the configuration file is shown
//! read-only, with a form to copy it under a new id. New widgets start at `/admin/new-widget`.

use super::fields::{self, Input};
use crate::accounts::Permission;
use crate::app::SharedState;
use crate::app::console::{
    Console, Lang, Nav, csrf_field, error_summary, page, see_other, shown_time, unavailable,
};
use crate::app::page::escape;
use crate::db::{self, StoreError};
use crate::definitions::store::{self, Change, Expected, RecordedPage, Saved, VersionRecord};
use crate::definitions::{Origin, Settings, Status, Widget};
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use mitmachen_shared::definition::{
    Attributes, Definition, DefinitionError, DefinitionItem, Kind, PRIVACY_PLACEHOLDER,
};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::messages::Lang as WidgetLang;
use serde::Deserialize;

/// Empty list rows offered below the filled ones.
const SPARE_ROWS: usize = 3;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/admin/new-widget", get(new_widget))
        .route("/admin/widgets/{id}", get(show).post(save))
        .route("/admin/widgets/{id}/adopt", post(adopt))
        .route("/admin/widgets/{id}/discard", post(discard))
}

/// The form's content: what is stored, or what was typed.
#[derive(Debug, Clone)]
struct Draft {
    kind: Kind,
    /// Every attribute of the kind, in its order, then any other the definition carries.
    attributes: Vec<(String, String)>,
    rows: Vec<Row>,
    moderation: String,
    page_url: String,
    mail_title: String,
    confirm_hours: String,
    unconfirmed_days: String,
    /// The version the form was made from; `None`: a new widget.
    version: Option<i64>,
}

#[derive(Debug, Clone, Default)]
struct Row {
    key: String,
    text: String,
    /// A topic's description (its text after the title).
    description: String,
}

impl Draft {
    fn empty(kind: Kind) -> Draft {
        Draft {
            kind,
            attributes: kind
                .attributes()
                .iter()
                .map(|n| ((*n).to_owned(), String::new()))
                .collect(),
            rows: vec![Row::default(); SPARE_ROWS + 2],
            moderation: String::new(),
            page_url: String::new(),
            mail_title: String::new(),
            confirm_hours: String::new(),
            unconfirmed_days: String::new(),
            version: None,
        }
    }

    fn of(definition: &Definition, settings: &Settings, version: Option<i64>) -> Draft {
        let mut draft = Draft::empty(definition.kind);
        for (name, value) in definition.attributes.iter() {
            match draft.attributes.iter_mut().find(|(n, _)| n == name) {
                Some(slot) => value.clone_into(&mut slot.1),
                None => draft.attributes.push((name.clone(), value.clone())),
            }
        }
        // A heading taken from a page becomes the question or title the form shows, so that
        // saving keeps it.
        if let Some(heading) = &definition.heading {
            let title = match definition.kind {
                Kind::Poll | Kind::Topics => "data-question",
                Kind::Event | Kind::Newsletter => "data-title",
            };
            if let Some(slot) = draft
                .attributes
                .iter_mut()
                .find(|(n, v)| n == title && v.is_empty())
            {
                heading.clone_into(&mut slot.1);
            }
        }
        draft.rows = definition
            .items
            .iter()
            .map(|item| {
                let (text, description) = match (&item.title, definition.kind) {
                    (Some(title), Kind::Topics) => (
                        title.clone(),
                        item.text
                            .strip_prefix(title.as_str())
                            .unwrap_or(&item.text)
                            .trim_start_matches([':', '–', '-', ' '])
                            .to_owned(),
                    ),
                    _ => (item.text.clone(), String::new()),
                };
                Row {
                    key: item.key.clone().unwrap_or_default(),
                    text,
                    description,
                }
            })
            .chain(std::iter::repeat_n(Row::default(), SPARE_ROWS))
            .collect();
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let number = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
        draft.moderation = text(&settings.moderation);
        draft.page_url = text(&settings.page_url);
        draft.mail_title = text(&settings.mail_title);
        draft.confirm_hours = number(settings.confirm_hours);
        draft.unconfirmed_days = number(settings.unconfirmed_days);
        draft.version = version;
        draft
    }

    /// What was sent: `attr-<name>`, `row-key-N`, `row-text-N`, `row-description-N`,
    /// `setting-<name>`, `version`.
    fn sent(kind: Kind, fields: &[(String, String)]) -> Draft {
        let mut draft = Draft::empty(kind);
        let get = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default()
        };
        for (name, value) in fields {
            let Some(attribute) = name.strip_prefix("attr-") else {
                continue;
            };
            let value = value.trim().to_owned();
            match draft.attributes.iter_mut().find(|(n, _)| n == attribute) {
                Some(slot) => slot.1 = value,
                None => draft.attributes.push((attribute.to_owned(), value)),
            }
        }
        let rows = get("rows").parse::<usize>().unwrap_or(0).min(600);
        draft.rows = (0..rows)
            .map(|i| Row {
                key: get(&format!("row-key-{i}")),
                text: get(&format!("row-text-{i}")),
                description: get(&format!("row-description-{i}")),
            })
            .collect();
        draft.moderation = get("setting-moderation");
        draft.page_url = get("setting-page_url");
        draft.mail_title = get("setting-mail_title");
        draft.confirm_hours = get("setting-confirm_hours");
        draft.unconfirmed_days = get("setting-unconfirmed_days");
        draft.version = get("version").parse().ok();
        draft
    }

    /// The definition the form says, whatever is wrong with it (the preview shows it so).
    fn definition(&self) -> Definition {
        let attributes: Attributes = self
            .attributes
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .cloned()
            .collect();
        let items = self
            .rows
            .iter()
            .filter(|r| !r.text.is_empty())
            .map(|r| {
                let key = (!r.key.is_empty()).then(|| r.key.clone());
                if self.kind == Kind::Topics && !r.description.is_empty() {
                    DefinitionItem {
                        text: format!("{}: {}", r.text, r.description),
                        key,
                        title: Some(r.text.clone()),
                    }
                } else {
                    DefinitionItem {
                        text: r.text.clone(),
                        key,
                        title: None,
                    }
                }
            })
            .collect();
        Definition {
            kind: self.kind,
            attributes,
            heading: None,
            items,
        }
    }

    /// The definition and settings, or what to fix (field id, message).
    fn parse(&self, lang: Lang) -> Result<(Definition, Settings), Vec<(String, String)>> {
        let mut errors = Vec::new();
        let text = |v: &str| (!v.is_empty()).then(|| v.to_owned());
        let mut number = |field: &str, v: &str| {
            if v.is_empty() {
                return None;
            }
            let n = v.parse::<u32>().ok();
            if n.is_none() {
                errors.push((
                    format!("setting-{field}"),
                    lang.t("Geben Sie eine ganze Zahl an.", "Give a whole number.")
                        .to_owned(),
                ));
            }
            n
        };
        let settings = Settings {
            moderation: text(&self.moderation),
            page_url: text(&self.page_url),
            mail_title: text(&self.mail_title),
            confirm_hours: number("confirm_hours", &self.confirm_hours),
            unconfirmed_days: number("unconfirmed_days", &self.unconfirmed_days),
        };
        let definition = self.definition();
        for (pointer, _) in settings.problems(self.kind) {
            let field = pointer.trim_start_matches("/settings/").to_owned();
            let message = match field.as_str() {
                "page_url" => lang.t(
                    "Geben Sie eine Adresse an, die mit https:// beginnt.",
                    "Give an address that starts with https://.",
                ),
                "confirm_hours" => {
                    lang.t("Zwischen 1 und 336 Stunden.", "Between 1 and 336 hours.")
                }
                "unconfirmed_days" => lang.t("Zwischen 1 und 90 Tagen.", "Between 1 and 90 days."),
                "mail_title" => lang.t("Höchstens 200 Zeichen.", "At most 200 characters."),
                _ => lang.t("Bitte prüfen Sie diese Angabe.", "Please check this."),
            };
            errors.push((format!("setting-{field}"), message.to_owned()));
        }
        if errors.is_empty() {
            Ok((definition, settings))
        } else {
            Err(errors)
        }
    }
}

/// The field a definition error belongs to, and its message in the console's language.
fn located(error: &DefinitionError, lang: Lang) -> (String, String) {
    let widget_lang = match lang {
        Lang::De => WidgetLang::De,
        Lang::En => WidgetLang::En,
    };
    let field = match error.attribute() {
        Some(attribute) => format!("attr-{attribute}"),
        None => "row-text-0".to_owned(),
    };
    (field, error.message(widget_lang))
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
    match tokio::task::spawn_blocking(move || load(&state2, &id2)).await {
        Ok(Ok(loaded)) => Ok(loaded),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "reading a widget for the console failed");
            Err(unavailable(lang))
        }
        Err(_) => Err(unavailable(lang)),
    }
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
    render(
        &state,
        &console,
        StatusCode::OK,
        &id,
        &loaded,
        &draft,
        notice,
        &[],
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
            @if let Some(widget) = widget {
                (facts(lang, widget))
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

/// A widget's element as a page holds it: `data-mitmachen`, `data-id`, `extra` (the preview's
/// own id and endpoint), the definition's attributes (a privacy link where an event or
/// newsletter has none), its heading and list. Only `div`, `h2`, `ul`, `li` and lowercase
/// `data-*`, which every CMS keeps; every value escaped, every name one the widgets know.
fn element_html(definition: &Definition, id: &WidgetId, extra: &[(&str, &str)]) -> String {
    let mut out = format!(
        "<div data-mitmachen=\"{}\" data-id=\"{}\"",
        definition.kind.as_str(),
        escape(id.as_str())
    );
    let mut attribute = |name: &str, value: &str| {
        if name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            out.push_str(&format!("\n     {name}=\"{}\"", escape(value)));
        }
    };
    for (name, value) in extra {
        attribute(name, value);
    }
    for (name, value) in definition.attributes.iter() {
        attribute(name, value);
    }
    if matches!(definition.kind, Kind::Event | Kind::Newsletter)
        && !definition.attributes.contains_key("data-privacy")
    {
        attribute("data-privacy", PRIVACY_PLACEHOLDER);
    }
    out.push_str(">\n");
    if let Some(heading) = &definition.heading {
        out.push_str(&format!("  <h2>{}</h2>\n", escape(heading)));
    }
    if !definition.items.is_empty() {
        out.push_str("  <ul>\n");
        for item in &definition.items {
            let text = match &item.title {
                Some(title) => item.text.strip_prefix(title.as_str()).map_or_else(
                    || escape(&item.text),
                    |rest| format!("<strong>{}</strong>{}", escape(title), escape(rest)),
                ),
                None => escape(&item.text),
            };
            match &item.key {
                Some(key) => out.push_str(&format!(
                    "    <li data-key=\"{}\">{text}</li>\n",
                    escape(key)
                )),
                None => out.push_str(&format!("    <li>{text}</li>\n")),
            }
        }
        out.push_str("  </ul>\n");
    }
    out.push_str("</div>");
    out
}

/// The HTML an editor puts on the page: the script tag (once per page) and the element.
fn snippet_text(state: &SharedState, widget: &Widget) -> String {
    let public = escape(&state.public_url);
    format!(
        "<script src=\"{public}/dist/mitmachen.js\" data-endpoint=\"{public}\" defer></script>\n\n{}",
        element_html(&widget.definition, &widget.id, &[])
    )
}

fn snippet(lang: Lang, state: &SharedState, widget: &Widget) -> Markup {
    html! {
        p #snippet-hint {
            (lang.t(
                "Das Skript einmal pro Seite (meist im Template), das div dort, wo das Widget stehen soll. Es zeigt immer die hier gespeicherte Definition; die Angaben im div gelten nur, wenn der Collector nicht erreichbar ist.",
                "The script once per page (usually in the template), the div where the widget belongs. It always shows the definition saved here; what the div says applies only when the collector cannot be reached."
            ))
            @if matches!(widget.definition.kind, Kind::Event | Kind::Newsletter) && !widget.definition.attributes.contains_key("data-privacy") {
                " " (lang.t(
                    "Setzen Sie bei data-privacy die Adresse Ihres Datenschutzhinweises ein.",
                    "Put the address of your privacy notice into data-privacy."
                ))
            }
        }
        pre.snippet #snippet tabindex="0" aria-labelledby="snippet-heading" aria-describedby="snippet-hint" {
            code { (snippet_text(state, widget)) }
        }
        button.secondary type="button" data-copy="snippet" hidden
            data-done=(lang.t("Kopiert.", "Copied."))
            data-failed=(lang.t("Kopieren ging nicht; markieren Sie den Text und kopieren Sie ihn selbst.", "Copying failed; select the text and copy it yourself.")) {
            (lang.t("Kopieren", "Copy"))
        }
        p.copied role="status" data-copied-for="snippet" {}
    }
}

/// The widget as citizens see it, run by the real bundle: the form's current values as the
/// element's attributes and list (`console.js` renews it while someone types). It talks to an
/// endpoint that answers nothing (`/preview`), so a preview never records a page, votes or
/// registers.
fn preview(lang: Lang, state: &SharedState, id: &WidgetId, draft: &Draft) -> Markup {
    if state.dist_dir.is_none() {
        return html! {
            h2 { (lang.t("Vorschau", "Preview")) }
            p { (lang.t(
                "Die Vorschau braucht das Widget-Bundle; dieser Collector liefert es nicht aus (dist_dir).",
                "The preview needs the widget bundle, which this collector does not serve (dist_dir)."
            )) }
        };
    }
    let endpoint = format!("{}/preview", state.public_url);
    let element = element_html(
        &draft.definition(),
        id,
        &[("id", "preview"), ("data-endpoint", &endpoint)],
    );
    html! {
        section.preview aria-labelledby="preview-heading" {
            h2 #preview-heading { (lang.t("Vorschau", "Preview")) }
            p.hint { (lang.t(
                "So sehen Bürgerinnen und Bürger das Widget, mit dem echten Widget-Code. Die Vorschau folgt Ihren Eingaben; Abstimmen und Anmelden gehen hier nicht.",
                "This is the widget as citizens see it, run by the real widget code. The preview follows what you type; voting and registering do not work here."
            )) }
            div.preview-frame {
                // `element_html` escapes every value and writes only names the widgets know.
                (maud::PreEscaped(element))
            }
            script src="/dist/mitmachen.js" data-endpoint=(endpoint) defer {}
        }
    }
}

fn read_only(lang: Lang, draft: &Draft) -> Markup {
    html! {
        dl.facts {
            @for (name, value) in draft.attributes.iter().filter(|(_, v)| !v.is_empty()) {
                dt { (fields::spec(name).map_or(name.as_str(), |s| s.label(lang))) }
                dd { (value) }
            }
        }
        @let rows: Vec<&Row> = draft.rows.iter().filter(|r| !r.text.is_empty()).collect();
        @if !rows.is_empty() {
            ul {
                @for row in rows {
                    li {
                        (row.text)
                        @if !row.description.is_empty() { ": " (row.description) }
                        @if !row.key.is_empty() { " " code { (row.key) } }
                    }
                }
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

fn form(
    lang: Lang,
    console: &Console,
    id: &WidgetId,
    draft: &Draft,
    errors: &[(String, String)],
    new: bool,
) -> Markup {
    let error_for = |field: &str| {
        errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    };
    html! {
        form.definition #definition-form method="post" action={ "/admin/widgets/" (id.as_str()) } novalidate {
            (csrf_field(console))
            input type="hidden" name="kind" value=(draft.kind.as_str());
            @if let Some(version) = draft.version {
                input type="hidden" name="version" value=(version);
            }
            @if new {
                input type="hidden" name="new" value="1";
            }
            fieldset {
                legend { (lang.t("Inhalt und Regeln", "Content and rules")) }
                @for (name, value) in &draft.attributes {
                    (attribute_field(lang, name, value, error_for(&format!("attr-{name}"))))
                }
            }
            fieldset {
                legend { (match draft.kind {
                    Kind::Poll => lang.t("Antworten", "Answers"),
                    Kind::Topics => lang.t("Themen", "Topics"),
                    Kind::Event => lang.t("Angaben in der Liste (z. B. Ort: Rathaus)", "Details in the list (e.g. Place: Town hall)"),
                    Kind::Newsletter => lang.t("Listen zur Auswahl", "Lists to choose from"),
                }) }
                p.hint { (lang.t(
                    "Der Schlüssel bleibt gleich, wenn Sie den Text ändern; Stimmen zählen zum Schlüssel. Leer: aus dem Text gebildet.",
                    "The key stays when you change the text; votes count for the key. Empty: made from the text."
                )) }
                @if let Some(error) = error_for("row-text-0") {
                    p.error id="rows-error" { (error) }
                }
                input type="hidden" name="rows" value=(draft.rows.len());
                @for (i, row) in draft.rows.iter().enumerate() {
                    div.item-row {
                        div {
                            label for={ "row-text-" (i) } { (lang.t("Text ", "Text ")) (i + 1) }
                            input id={ "row-text-" (i) } name={ "row-text-" (i) } type="text" value=(row.text)
                                aria-describedby=[(i == 0 && error_for("row-text-0").is_some()).then_some("rows-error")];
                        }
                        @if draft.kind == Kind::Topics {
                            div {
                                label for={ "row-description-" (i) } { (lang.t("Beschreibung ", "Description ")) (i + 1) }
                                input id={ "row-description-" (i) } name={ "row-description-" (i) } type="text" value=(row.description);
                            }
                        }
                        div {
                            label for={ "row-key-" (i) } { (lang.t("Schlüssel ", "Key ")) (i + 1) }
                            input.key id={ "row-key-" (i) } name={ "row-key-" (i) } type="text" value=(row.key) autocomplete="off";
                        }
                    }
                }
                button.secondary type="submit" name="do" value="rows" { (lang.t("Weitere Zeilen", "More rows")) }
            }
            (settings_fields(lang, draft, &error_for))
            button type="submit" name="do" value="save" { (lang.t("Speichern", "Save")) }
        }
    }
}

fn attribute_field(lang: Lang, name: &str, value: &str, error: Option<&str>) -> Markup {
    let id = format!("attr-{name}");
    let spec = fields::spec(name);
    let label = spec.as_ref().map_or(name, |s| s.label(lang));
    let hint = spec.as_ref().and_then(|s| s.hint(lang));
    let input = spec.as_ref().map_or(Input::Text, |s| s.input);
    let described = match (error.is_some(), hint.is_some()) {
        (true, true) => Some(format!("{id}-error {id}-hint")),
        (true, false) => Some(format!("{id}-error")),
        (false, true) => Some(format!("{id}-hint")),
        (false, false) => None,
    };
    html! {
        div.field {
            label for=(id) { (label) " " span.attribute { code { (name) } } }
            @if let Some(hint) = hint {
                p.hint id={ (id) "-hint" } { (hint) }
            }
            @if let Some(error) = error {
                p.error id={ (id) "-error" } { (error) }
            }
            @match input {
                Input::Choice(choices) => {
                    select id=(id) name=(id) aria-invalid=[error.map(|_| "true")] aria-describedby=[described] {
                        option value="" selected[value.is_empty()] { (lang.t("(Voreinstellung des Widgets)", "(the widget's default)")) }
                        @for (v, de, en) in choices {
                            option value=(v) selected[value == *v] { (lang.t(de, en)) }
                        }
                        @if !value.is_empty() && !choices.iter().any(|(v, _, _)| *v == value) {
                            option value=(value) selected { (value) }
                        }
                    }
                }
                Input::Long => {
                    textarea id=(id) name=(id) rows="3" aria-invalid=[error.map(|_| "true")] aria-describedby=[described] { (value) }
                }
                Input::Number => {
                    input id=(id) name=(id) type="text" inputmode="numeric" value=(value)
                        aria-invalid=[error.map(|_| "true")] aria-describedby=[described];
                }
                Input::Text | Input::Time => {
                    input id=(id) name=(id) type="text" value=(value)
                        aria-invalid=[error.map(|_| "true")] aria-describedby=[described];
                }
            }
        }
    }
}

fn settings_fields<'a>(
    lang: Lang,
    draft: &Draft,
    error_for: &dyn Fn(&str) -> Option<&'a str>,
) -> Markup {
    let text = |field: &str, label: &str, value: &str, hint: Option<&str>| {
        let id = format!("setting-{field}");
        let error = error_for(&id);
        html! {
            div.field {
                label for=(id) { (label) }
                @if let Some(hint) = hint { p.hint { (hint) } }
                @if let Some(error) = error { p.error id={ (id) "-error" } { (error) } }
                input id=(id) name=(id) type="text" value=(value)
                    aria-invalid=[error.map(|_| "true")]
                    aria-describedby=[error.map(|_| format!("{id}-error"))];
            }
        }
    };
    html! {
        @match draft.kind {
            Kind::Poll => {}
            Kind::Topics => {
                fieldset {
                    legend { (lang.t("Nur für den Collector", "For the collector only")) }
                    div.field {
                        label for="setting-moderation" { (lang.t("Vorschläge zeigen", "Show proposals")) }
                        select #setting-moderation name="setting-moderation" {
                            option value="" selected[draft.moderation.is_empty()] { (lang.t("nach Freigabe (Voreinstellung)", "once approved (default)")) }
                            option value="post" selected[draft.moderation == "post"] { (lang.t("sofort, bis sie abgelehnt werden", "at once, until rejected")) }
                        }
                    }
                }
            }
            Kind::Event | Kind::Newsletter => {
                fieldset {
                    legend { (lang.t("Nur für den Collector", "For the collector only")) }
                    (text("page_url", lang.t("Seite der Stadt dazu (für die E-Mails)", "The town's page about it (for the mails)"), &draft.page_url, None))
                    @if draft.kind == Kind::Newsletter {
                        (text("mail_title", lang.t("Name in den E-Mails", "Name in the mails"), &draft.mail_title, Some(lang.t("Leer: der Titel.", "Empty: the title."))))
                        (text("confirm_hours", lang.t("Bestätigungslink gilt (Stunden)", "Confirmation link works for (hours)"), &draft.confirm_hours, Some(lang.t("Leer: 48.", "Empty: 48."))))
                        (text("unconfirmed_days", lang.t("Unbestätigte Anmeldungen löschen nach (Tagen)", "Delete unconfirmed requests after (days)"), &draft.unconfirmed_days, Some(lang.t("Leer: 7.", "Empty: 7."))))
                    }
                }
            }
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
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if let Err(refused) = console.check_csrf(&state, &headers, field("csrf")) {
        return refused.into_response();
    }
    if let Err(refused) = console.require(Permission::EditWidgets) {
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
        );
    }
    let (definition, settings) = match draft.parse(lang) {
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
            );
        }
    };
    let status = loaded.widget.as_ref().map_or(Status::Active, |w| w.status);
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
    let saved = tokio::task::spawn_blocking(move || {
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
    match saved {
        Ok(Ok(Saved::Created(w) | Saved::Changed(w))) => {
            tracing::info!(widget = %id, by = %console.session.account.name, version = w.version, "widget definition saved in the console");
            see_other(&format!("/admin/widgets/{}?done=saved", id.as_str()))
        }
        Ok(Ok(Saved::Unchanged(_))) => {
            see_other(&format!("/admin/widgets/{}?done=saved", id.as_str()))
        }
        Ok(Ok(Saved::Conflict { current })) => {
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
            )
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "saving a widget definition failed");
            unavailable(lang)
        }
        Err(_) => unavailable(lang),
    }
}

#[derive(Deserialize)]
struct Action {
    csrf: Option<String>,
    /// The version the editor saw (adopting): a newer one is not adopted unseen.
    version: Option<i64>,
}

async fn adopt(
    State(state): State<SharedState>,
    console: Console,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<Action>, FormRejection>,
) -> Response {
    decide(state, console, headers, id, form, true).await
}

async fn discard(
    State(state): State<SharedState>,
    console: Console,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<Action>, FormRejection>,
) -> Response {
    decide(state, console, headers, id, form, false).await
}

/// Adopts a draft (it takes submissions from now on) or discards a widget's definition.
async fn decide(
    state: SharedState,
    console: Console,
    headers: HeaderMap,
    id: String,
    form: Result<Form<Action>, FormRejection>,
    adopt: bool,
) -> Response {
    let (sent, seen) = form
        .ok()
        .map(|f| (f.0.csrf, f.0.version))
        .unwrap_or_default();
    if let Err(refused) = console.check_csrf(&state, &headers, sent.as_deref()) {
        return refused.into_response();
    }
    if let Err(refused) = console.require(Permission::EditWidgets) {
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
    let done = tokio::task::spawn_blocking(move || {
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
        Ok(Ok(true)) if adopt => {
            tracing::info!(widget = %id, by = %console.session.account.name, "draft adopted in the console");
            see_other(&format!("/admin/widgets/{}?done=adopted", id.as_str()))
        }
        Ok(Ok(true)) => {
            tracing::info!(widget = %id, by = %console.session.account.name, "widget discarded in the console");
            see_other("/admin/?done=discarded")
        }
        Ok(Ok(false)) => not_found(&console, id.as_str()),
        _ => unavailable(console.lang),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_heading_is_kept_as_the_question() {
        let definition = Definition {
            kind: Kind::Poll,
            attributes: Attributes::default(),
            heading: Some("Soll der Markt autofrei werden?".into()),
            items: vec![
                DefinitionItem {
                    text: "Ja".into(),
                    ..DefinitionItem::default()
                },
                DefinitionItem {
                    text: "Nein".into(),
                    ..DefinitionItem::default()
                },
            ],
        };
        let (saved, _) = Draft::of(&definition, &Settings::default(), Some(1))
            .parse(Lang::De)
            .expect("valid");
        assert_eq!(
            saved.attributes.get("data-question").map(String::as_str),
            Some("Soll der Markt autofrei werden?")
        );
        let id = WidgetId::parse("markt").expect("id");
        assert!(saved.check(&id, "https://c.example").is_ok());
    }

    #[test]
    fn keys_are_written_out_on_saving() {
        let definition = Definition {
            kind: Kind::Poll,
            attributes: [("data-question".to_owned(), "Welcher Name?".to_owned())]
                .into_iter()
                .collect(),
            heading: None,
            items: vec![
                DefinitionItem {
                    text: "Großer Markt".into(),
                    key: None,
                    title: None,
                },
                DefinitionItem {
                    text: "Linde".into(),
                    key: Some("baum".into()),
                    title: None,
                },
            ],
        };
        let id = WidgetId::parse("name").expect("id");
        let config = definition.check(&id, "https://c.example").expect("valid");
        let keyed = definition.keyed(&config.kind);
        let keys: Vec<Option<&str>> = keyed.items.iter().map(|i| i.key.as_deref()).collect();
        assert_eq!(keys, [Some("grosser-markt"), Some("baum")]);
    }

    #[test]
    fn a_form_round_trips_a_definition() {
        let definition = Definition {
            kind: Kind::Topics,
            attributes: [("data-question".to_owned(), "Was ist wichtig?".to_owned())]
                .into_iter()
                .collect(),
            heading: None,
            items: vec![
                DefinitionItem {
                    text: "Radweg: sicher zur Schule".into(),
                    key: Some("radweg".into()),
                    title: Some("Radweg".into()),
                },
                DefinitionItem {
                    text: "Bänke".into(),
                    key: None,
                    title: None,
                },
            ],
        };
        let settings = Settings {
            moderation: Some("post".into()),
            ..Settings::default()
        };
        let draft = Draft::of(&definition, &settings, Some(2));
        assert_eq!(draft.rows[0].description, "sicher zur Schule");
        let (back, settings_back) = draft.parse(Lang::De).expect("valid");
        assert_eq!(back, definition);
        assert_eq!(settings_back, settings);
    }
}
