//! The console page where an event's own mail texts are written
//! (`/admin/widgets/{id}/mail-texts`): per mail and language a subject and a text in place of
//! the standard words, with the event's placeholders only; saved as a new version of the
//! widget's definition (its settings), so every change is in its history and the audit log.

use super::mail::{EventMailKind, standard};
use super::texts::{self, KINDS, LANGS, MailText, MailTexts, PLACEHOLDERS};
use crate::accounts::Permission;
use crate::app::SharedState;
use crate::app::console::{
    Console, Lang, Nav, csrf_field, error_summary, form_field, off_thread, page, see_other,
};
use crate::db::{self, StoreError};
use crate::definitions::store::{self, Change, Expected, Saved};
use crate::definitions::{Origin, Widget};
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use mitmachen_shared::definition::Kind;
use mitmachen_shared::event::lang_code;
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::messages::Lang as MailLang;
use serde::Deserialize;

pub fn routes() -> Router<SharedState> {
    Router::new().route("/admin/widgets/{id}/mail-texts", get(show).post(save))
}

fn kind_name(lang: Lang, kind: EventMailKind) -> &'static str {
    match kind {
        EventMailKind::Seat => lang.t("Anmeldung mit Platz", "Registered with a seat"),
        EventMailKind::WaitingList => lang.t("Auf der Warteliste", "On the waiting list"),
        EventMailKind::Promoted => lang.t(
            "Von der Warteliste nachgerückt",
            "Moved up from the waiting list",
        ),
        EventMailKind::CancelledByOrganiser => {
            lang.t("Vom Veranstalter storniert", "Cancelled by the organiser")
        }
        EventMailKind::EventMoved => lang.t("Neuer Termin oder Ort", "New time or place"),
        EventMailKind::EventCancelled => lang.t("Veranstaltung abgesagt", "Event called off"),
        _ => "",
    }
}

fn lang_name(lang: Lang, mail: MailLang) -> &'static str {
    match mail {
        MailLang::De => lang.t("Deutsch", "German"),
        MailLang::DeEasy => lang.t("Einfache Sprache", "Plain German"),
        MailLang::En => lang.t("Englisch", "English"),
    }
}

/// A field's id: `subject-seat-de-einfach`.
fn field(part: &str, kind: EventMailKind, mail: MailLang) -> String {
    format!(
        "{part}-{}-{}",
        crate::mail::kind::MailKind::Event(kind).as_str(),
        lang_code(mail)
    )
}

/// The stored event widget, or the page that says there is none.
async fn event_widget(
    state: &SharedState,
    console: &Console,
    id: &str,
) -> Result<(WidgetId, Widget), Response> {
    let lang = console.lang;
    let missing = || {
        page(
            StatusCode::NOT_FOUND,
            lang,
            Some(console),
            Nav::Widgets,
            lang.t("Keine Veranstaltung", "No event"),
            html! { p { (lang.t("Zu dieser Adresse gibt es keine Veranstaltung mit Definition.", "There is no event with a definition at this address.")) } },
        )
    };
    let Ok(id) = WidgetId::parse(id) else {
        return Err(missing());
    };
    let (store2, id2) = (state.store.clone(), id.clone());
    let widget = off_thread(lang, "reading an event for its mail texts", move || {
        db::read(store2.as_ref(), |tx| store::get(tx, &id2))
    })
    .await?;
    match widget.filter(|w| w.definition.kind == Kind::Event) {
        Some(widget) => Ok((id, widget)),
        None => Err(missing()),
    }
}

fn fields(
    console: &Console,
    id: &WidgetId,
    widget: &Widget,
    typed: &MailTexts,
    errors: &[(String, String)],
) -> Markup {
    let lang = console.lang;
    let error = |f: &str| errors.iter().find(|(k, _)| k == f).map(|(_, m)| m.as_str());
    let read_only = widget.origin == Origin::File;
    let summary: Vec<(&str, String)> = errors
        .iter()
        .map(|(f, m)| (f.as_str(), m.clone()))
        .collect();
    html! {
        p { (lang.t(
            "Hier schreiben Sie für diese Veranstaltung eigene Worte in die E-Mails, in allen drei Sprachen, in denen sich Menschen anmelden. Ein leeres Feld behält den Standardtext. Angaben zur Veranstaltung, Links, Kalenderdatei und Fußzeile stehen immer darunter.",
            "Here you write this event's own words into its mails, in each of the three languages people register in. An empty field keeps the standard text. The event's details, links, calendar file and footer always follow."
        )) }
        p {
            (lang.t("Platzhalter: ", "Placeholders: "))
            @for (i, p) in PLACEHOLDERS.iter().enumerate() {
                @if i > 0 { ", " }
                code { "{" (p) "}" }
            }
            (lang.t(
                ". Den Namen oder andere Eingaben der Person gibt es bewusst nicht: Eine E-Mail wiederholt nie, was jemand ins Formular getippt hat.",
                ". The person's name or other input is left out on purpose: a mail never repeats what someone typed into the form."
            ))
        }
        @if read_only {
            p.notice { (lang.t(
                "Diese Veranstaltung steht in der Konfigurationsdatei; ihre E-Mail-Texte sind die Standardtexte. Kopieren Sie sie als neues Widget, um eigene zu schreiben.",
                "This event is declared in the configuration file; its mails use the standard texts. Copy it as a new widget to write your own."
            )) }
        }
        (error_summary(lang, &summary))
        form method="post" action={ "/admin/widgets/" (id.as_str()) "/mail-texts" } novalidate {
            (csrf_field(console))
            input type="hidden" name="version" value=(widget.version);
            @for kind in KINDS {
                @let written = LANGS.iter().any(|l| typed.contains_key(&texts::key(kind, *l)));
                details.mail-kind open[written || !errors.is_empty()] {
                    summary { (kind_name(lang, kind)) @if written { " " span.meta { (lang.t("(eigener Text)", "(own text)")) } } }
                    @for mail_lang in LANGS {
                        @let own = typed.get(&texts::key(kind, mail_lang)).cloned().unwrap_or_default();
                        @let (subject_id, text_id) = (field("subject", kind, mail_lang), field("text", kind, mail_lang));
                        @let (std_subject, std_text) = standard(mail_lang, kind);
                        fieldset {
                            legend { (lang_name(lang, mail_lang)) }
                            div.field {
                                label for=(subject_id) { (lang.t("Betreff", "Subject")) }
                                p.hint id={ (subject_id) "-hint" } { (lang.t("Standard: ", "Standard: ")) (std_subject) }
                                @if let Some(e) = error(&subject_id) { p.error id={ (subject_id) "-error" } { (e) } }
                                input id=(subject_id) name=(subject_id) type="text" value=(own.subject) maxlength=(texts::SUBJECT_MAX) disabled[read_only]
                                    aria-invalid=[error(&subject_id).map(|_| "true")]
                                    aria-describedby={ (subject_id) "-hint" @if error(&subject_id).is_some() { " " (subject_id) "-error" } };
                            }
                            div.field {
                                label for=(text_id) { (lang.t("Text", "Text")) }
                                p.hint id={ (text_id) "-hint" } { (lang.t("Standard: ", "Standard: ")) (std_text.join(" ")) }
                                @if let Some(e) = error(&text_id) { p.error id={ (text_id) "-error" } { (e) } }
                                textarea id=(text_id) name=(text_id) rows="4" maxlength=(texts::TEXT_MAX) disabled[read_only]
                                    aria-invalid=[error(&text_id).map(|_| "true")]
                                    aria-describedby={ (text_id) "-hint" @if error(&text_id).is_some() { " " (text_id) "-error" } } { (own.text) }
                            }
                        }
                    }
                }
            }
            @if !read_only && console.role().may(Permission::EditWidgets) {
                button type="submit" { (lang.t("Texte speichern", "Save the texts")) }
            }
        }
        p { a href={ "/admin/widgets/" (id.as_str()) } { (lang.t("Zum Widget", "To the widget")) } }
    }
}

fn render(
    console: &Console,
    status: StatusCode,
    id: &WidgetId,
    widget: &Widget,
    typed: &MailTexts,
    errors: &[(String, String)],
    notice: Option<&str>,
) -> Response {
    let lang = console.lang;
    page(
        status,
        lang,
        Some(console),
        Nav::Widgets,
        &match lang {
            Lang::De => format!("E-Mail-Texte: {}", id.as_str()),
            Lang::En => format!("Mail texts: {}", id.as_str()),
        },
        html! {
            @if let Some(notice) = notice { p.notice role="status" { (notice) } }
            (fields(console, id, widget, typed, errors))
        },
    )
}

#[derive(Deserialize, Default)]
struct Done {
    done: Option<String>,
}

async fn show(
    State(state): State<SharedState>,
    console: Console,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    if let Err(refused) = console.require(Permission::ReadResults) {
        return refused.into_response();
    }
    let (id, widget) = match event_widget(&state, &console, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let notice = (done.done.as_deref() == Some("saved")).then(|| {
        console.lang.t(
            "Die Texte wurden gespeichert; sie gelten ab der nächsten E-Mail.",
            "The texts were saved; they apply from the next mail.",
        )
    });
    render(
        &console,
        StatusCode::OK,
        &id,
        &widget,
        &widget.settings.mail_texts,
        &[],
        notice,
    )
}

async fn save(
    State(state): State<SharedState>,
    console: Console,
    headers: HeaderMap,
    Path(id): Path<String>,
    sent: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let sent = sent.map(|f| f.0).unwrap_or_default();
    if let Err(refused) = console.may_change(
        &state,
        &headers,
        form_field(&sent, "csrf"),
        Permission::EditWidgets,
    ) {
        return refused.into_response();
    }
    let lang = console.lang;
    let (id, widget) = match event_widget(&state, &console, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let mut typed = MailTexts::new();
    for kind in KINDS {
        for mail_lang in LANGS {
            let get = |part| {
                form_field(&sent, &field(part, kind, mail_lang))
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            };
            let own = MailText {
                subject: get("subject"),
                text: get("text"),
            };
            if !own.subject.is_empty() || !own.text.is_empty() {
                typed.insert(texts::key(kind, mail_lang), own);
            }
        }
    }
    let mut errors: Vec<(String, String)> = Vec::new();
    for kind in KINDS {
        for mail_lang in LANGS {
            let Some(own) = typed.get(&texts::key(kind, mail_lang)) else {
                continue;
            };
            for (part, value, max) in [
                ("subject", &own.subject, texts::SUBJECT_MAX),
                ("text", &own.text, texts::TEXT_MAX),
            ] {
                let at = field(part, kind, mail_lang);
                if let Some(unknown) = texts::unknown_placeholder(value) {
                    errors.push((at, match lang {
                        Lang::De => format!("{{{unknown}}} ist kein Platzhalter. Erlaubt sind {{title}}, {{when}}, {{place}} und {{persons}}."),
                        Lang::En => format!("{{{unknown}}} is no placeholder. Use {{title}}, {{when}}, {{place}} or {{persons}}."),
                    }));
                } else if value.chars().count() > max {
                    errors.push((
                        at,
                        match lang {
                            Lang::De => format!("Höchstens {max} Zeichen."),
                            Lang::En => format!("At most {max} characters."),
                        },
                    ));
                }
            }
        }
    }
    if widget.origin == Origin::File || !errors.is_empty() {
        let status = if errors.is_empty() {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return render(&console, status, &id, &widget, &typed, &errors, None);
    }
    let expected = form_field(&sent, "version")
        .and_then(|v| v.parse().ok())
        .map_or(Expected::Any, Expected::Version);
    let mut settings = widget.settings.clone();
    settings.mail_texts = typed.clone();
    let (store2, catalog, by, id2) = (
        state.store.clone(),
        state.catalog.clone(),
        console.session.account.name.clone(),
        id.clone(),
    );
    let definition = widget.definition.clone();
    let status = widget.status;
    let saved = off_thread(lang, "saving an event's mail texts", move || {
        let saved = db::write(store2.as_ref(), move |tx| {
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
        catalog.reload(store2.as_ref())?;
        Ok::<_, StoreError>(saved)
    })
    .await;
    match saved {
        Ok(Saved::Conflict { .. }) => render(
            &console,
            StatusCode::CONFLICT,
            &id,
            &widget,
            &typed,
            &[("subject-seat-de".to_owned(), lang.t(
                "Das Widget wurde inzwischen geändert. Ihre Texte stehen noch hier; speichern Sie sie noch einmal.",
                "The widget changed meanwhile. Your texts are still here; save them again.",
            ).to_owned())],
            None,
        ),
        Ok(_) => see_other(&format!("/admin/widgets/{}/mail-texts?done=saved", id.as_str())),
        Err(response) => response,
    }
}
