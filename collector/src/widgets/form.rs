//! A widget's definition as a console form: the form's content ([`Draft`], from what is
//! stored or what was typed, and back to a definition and settings), its fields (every
//! attribute of the kind with its words from `fields`, the list rows with their keys, the
//! collector's own settings) and the read-only view of a definition from the configuration file.

use super::fields::{self, Input};
use crate::app::console::{Console, Lang, csrf_field, form_field};
use crate::definitions::{CONFIRM_HOURS, MAIL_TITLE_MAX, Settings, UNCONFIRMED_DAYS};
use crate::newsletters::{DEFAULT_CONFIRM_HOURS, DEFAULT_UNCONFIRMED_DAYS};
use maud::{Markup, html};
use mitmachen_shared::definition::{Attributes, Definition, DefinitionError, DefinitionItem, Kind};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::messages::Lang as WidgetLang;

/// Empty list rows offered below the filled ones.
pub(super) const SPARE_ROWS: usize = 3;

/// The form's content: what is stored, or what was typed.
#[derive(Debug, Clone)]
pub(super) struct Draft {
    pub(super) kind: Kind,
    /// Every attribute of the kind, in its order, then any other the definition carries.
    pub(super) attributes: Vec<(String, String)>,
    pub(super) rows: Vec<Row>,
    pub(super) moderation: String,
    pub(super) page_url: String,
    pub(super) mail_title: String,
    pub(super) confirm_hours: String,
    pub(super) unconfirmed_days: String,
    pub(super) results_before_close: String,
    /// The version the form was made from; `None`: a new widget.
    pub(super) version: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Row {
    pub(super) key: String,
    pub(super) text: String,
    /// A topic's description (its text after the title).
    pub(super) description: String,
}

impl Draft {
    pub(super) fn empty(kind: Kind) -> Draft {
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
            results_before_close: String::new(),
            version: None,
        }
    }

    pub(super) fn of(definition: &Definition, settings: &Settings, version: Option<i64>) -> Draft {
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
        draft.results_before_close = text(&settings.results_before_close);
        draft.version = version;
        draft
    }

    /// What was sent: `attr-<name>`, `row-key-N`, `row-text-N`, `row-description-N`,
    /// `setting-<name>`, `version`.
    pub(super) fn sent(kind: Kind, fields: &[(String, String)]) -> Draft {
        let mut draft = Draft::empty(kind);
        let get = |name: &str| {
            form_field(fields, name)
                .map(|v| v.trim().to_owned())
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
        draft.results_before_close = get("setting-results_before_close");
        draft.version = get("version").parse().ok();
        draft
    }

    /// The definition the form says, whatever is wrong with it (the preview shows it so).
    pub(super) fn definition(&self) -> Definition {
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
    pub(super) fn parse(
        &self,
        lang: Lang,
    ) -> Result<(Definition, Settings), Vec<(String, String)>> {
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
            results_before_close: text(&self.results_before_close),
            // Kept from the stored settings by the save (`edit.rs`): written on their own page.
            mail_texts: crate::events::texts::MailTexts::new(),
        };
        let definition = self.definition();
        for (pointer, _) in settings.problems(self.kind) {
            let field = pointer.trim_start_matches("/settings/").to_owned();
            let range = |r: &std::ops::RangeInclusive<u32>, de: &str, en: &str| match lang {
                Lang::De => format!("Zwischen {} und {} {de}.", r.start(), r.end()),
                Lang::En => format!("Between {} and {} {en}.", r.start(), r.end()),
            };
            let message = match field.as_str() {
                "page_url" => lang
                    .t(
                        "Geben Sie eine Adresse an, die mit https:// beginnt.",
                        "Give an address that starts with https://.",
                    )
                    .to_owned(),
                "confirm_hours" => range(&CONFIRM_HOURS, "Stunden", "hours"),
                "unconfirmed_days" => range(&UNCONFIRMED_DAYS, "Tagen", "days"),
                "mail_title" => match lang {
                    Lang::De => format!("Höchstens {MAIL_TITLE_MAX} Zeichen."),
                    Lang::En => format!("At most {MAIL_TITLE_MAX} characters."),
                },
                _ => lang
                    .t("Bitte prüfen Sie diese Angabe.", "Please check this.")
                    .to_owned(),
            };
            errors.push((format!("setting-{field}"), message));
        }
        if errors.is_empty() {
            Ok((definition, settings))
        } else {
            Err(errors)
        }
    }
}

/// The field a definition error belongs to, and its message in the console's language.
pub(super) fn located(error: &DefinitionError, lang: Lang) -> (String, String) {
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

pub(super) fn read_only(lang: Lang, draft: &Draft) -> Markup {
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

pub(super) fn form(
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

/// "Empty: the default", in words.
fn empty_is(lang: Lang, default: u32) -> String {
    match lang {
        Lang::De => format!("Leer: {default}."),
        Lang::En => format!("Empty: {default}."),
    }
}

pub(super) fn attribute_field(lang: Lang, name: &str, value: &str, error: Option<&str>) -> Markup {
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
    let early = html! {
        div.field {
            label for="setting-results_before_close" { (lang.t("Ergebnisse in der Konsole vor dem Ende", "Results in the console before the close")) }
            select #setting-results_before_close name="setting-results_before_close" {
                option value="" selected[draft.results_before_close.is_empty() || draft.results_before_close == "readers"] { (lang.t("für alle Rollen mit Leserecht (Voreinstellung)", "for every role that reads results (default)")) }
                option value="administrators" selected[draft.results_before_close == "administrators"] { (lang.t("nur für die Administration", "for administrators only")) }
            }
        }
    };
    html! {
        @match draft.kind {
            Kind::Poll => {
                fieldset {
                    legend { (lang.t("Nur für den Collector", "For the collector only")) }
                    (early)
                }
            }
            Kind::Topics => {
                fieldset {
                    legend { (lang.t("Nur für den Collector", "For the collector only")) }
                    (early)
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
                        (text("confirm_hours", lang.t("Bestätigungslink gilt (Stunden)", "Confirmation link works for (hours)"), &draft.confirm_hours, Some(&empty_is(lang, DEFAULT_CONFIRM_HOURS))))
                        (text("unconfirmed_days", lang.t("Unbestätigte Anmeldungen löschen nach (Tagen)", "Delete unconfirmed requests after (days)"), &draft.unconfirmed_days, Some(&empty_is(lang, DEFAULT_UNCONFIRMED_DAYS))))
                    }
                }
            }
        }
    }
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
