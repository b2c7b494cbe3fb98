//! A widget as a page holds it, from the console: the element (one builder for both uses), the
//! snippet an editor pastes with its copy button, and the live preview run by the real bundle.

use super::form::Draft;
use crate::app::SharedState;
use crate::app::console::Lang;
use crate::app::page::escape;
use crate::definitions::Widget;
use maud::{Markup, html};
use mitmachen_shared::definition::{Definition, Kind, PRIVACY_PLACEHOLDER};
use mitmachen_shared::ids::WidgetId;

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

pub(super) fn snippet(lang: Lang, state: &SharedState, widget: &Widget) -> Markup {
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
pub(super) fn preview(lang: Lang, state: &SharedState, id: &WidgetId, draft: &Draft) -> Markup {
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
