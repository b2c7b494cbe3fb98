//! The links in the newsletter's mails: confirming a subscription (double opt-in) and
//! unsubscribing.
//!
//! `GET` shows a page with one button; only the `POST` of that button changes anything. Mail
//! scanners open every link in a mail, and a GET that confirmed would confirm subscriptions the
//! address owner never wanted. The unsubscribe `POST` is also the RFC 8058 one-click request a
//! mail client sends on its own (`List-Unsubscribe=One-Click`); its body is not needed, the
//! token in the path is the authority.
//!
//! The pages stand under the town's name and show what the link is about (the newsletter, the
//! lists chosen, the address), since whoever opens one came from that address's mailbox, and
//! link back to the page of the request where that page is the town's own.

use crate::app::page::{escape, plausible_token, town_page, unavailable};
use crate::app::{SharedState, blocking};
use crate::db::{ConfirmOutcome, ConfirmView, LinkSubject, UnsubscribeOutcome, now};
use crate::mail::compose::is_web_link;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use mitmachen_shared::messages::Lang;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route(
            "/v1/subscriptions/confirm/{token}",
            get(show_confirm).post(confirm),
        )
        .route(
            "/v1/subscriptions/unsubscribe/{token}",
            get(show_unsubscribe).post(unsubscribe),
        )
}

/// The path of a confirmation link; the mail puts the collector's public URL before it.
pub fn confirm_link_path(token: &str) -> String {
    format!("/v1/subscriptions/confirm/{token}")
}

/// The path of an unsubscribe link (also the `List-Unsubscribe` header's).
pub fn unsubscribe_link_path(token: &str) -> String {
    format!("/v1/subscriptions/unsubscribe/{token}")
}

struct Words {
    confirm_title: &'static str,
    confirm_question: &'static str,
    confirm_button: &'static str,
    confirm_ignore: &'static str,
    confirmed: &'static str,
    already_confirmed: &'static str,
    expired: &'static str,
    unsubscribe_title: &'static str,
    unsubscribe_question: &'static str,
    unsubscribe_button: &'static str,
    unsubscribe_keep: &'static str,
    unsubscribed: &'static str,
    newsletter: &'static str,
    /// The same labels as the mails'.
    lists: &'static str,
    address: &'static str,
    /// The link to the page the request came from.
    back: &'static str,
    /// The link to the newsletter's page the town declared, where that page is unknown.
    newsletter_page: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::De => Words {
            confirm_title: "Newsletter-Abonnement bestätigen",
            confirm_question: "Bitte bestätigen Sie, dass Sie den Newsletter an diese E-Mail-Adresse erhalten möchten.",
            confirm_button: "Abonnement bestätigen",
            confirm_ignore: "Wenn Sie den Newsletter nicht bestellt haben, schließen Sie diese Seite einfach; dann geschieht nichts.",
            confirmed: "Vielen Dank! Ihr Abonnement ist bestätigt. Jede E-Mail des Newsletters enthält einen Link zum Abbestellen.",
            already_confirmed: "Dieses Abonnement ist bereits bestätigt.",
            expired: "Dieser Bestätigungslink ist abgelaufen. Bitte melden Sie sich auf der Seite der Stadt noch einmal für den Newsletter an.",
            unsubscribe_title: "Newsletter abbestellen",
            unsubscribe_question: "Möchten Sie den Newsletter abbestellen? Sie erhalten ihn dann nicht mehr.",
            unsubscribe_button: "Newsletter abbestellen",
            unsubscribe_keep: "Wenn Sie den Newsletter weiter erhalten möchten, schließen Sie diese Seite einfach.",
            unsubscribed: "Sie haben den Newsletter abbestellt. Wir senden Ihnen keinen Newsletter mehr; Ihre Adresse haben wir gelöscht.",
            newsletter: "Newsletter",
            lists: "Ihre Auswahl",
            address: "E-Mail-Adresse",
            back: "Zurück zur Seite, auf der Sie den Newsletter bestellt haben",
            newsletter_page: "Zur Seite des Newsletters",
        },
        Lang::DeEasy => Words {
            confirm_title: "Newsletter bestätigen",
            confirm_question: "Sie wollen den Newsletter bekommen? Dann drücken Sie auf den Knopf.",
            confirm_button: "Ja, ich will den Newsletter",
            confirm_ignore: "Sie wollen den Newsletter nicht? Dann schließen Sie diese Seite. Dann passiert nichts.",
            confirmed: "Danke! Sie bekommen jetzt den Newsletter. In jeder E-Mail ist ein Link. Damit können Sie den Newsletter wieder abbestellen.",
            already_confirmed: "Sie haben den Newsletter schon bestätigt.",
            expired: "Dieser Link ist zu alt. Bitte melden Sie sich noch einmal für den Newsletter an.",
            unsubscribe_title: "Newsletter abbestellen",
            unsubscribe_question: "Sie wollen den Newsletter nicht mehr bekommen? Dann drücken Sie auf den Knopf.",
            unsubscribe_button: "Newsletter abbestellen",
            unsubscribe_keep: "Sie wollen den Newsletter weiter bekommen? Dann schließen Sie diese Seite.",
            unsubscribed: "Sie bekommen den Newsletter nicht mehr. Wir haben Ihre Adresse gelöscht.",
            newsletter: "Newsletter",
            lists: "Ihre Auswahl",
            address: "E-Mail-Adresse",
            back: "Zurück zur Seite mit dem Newsletter",
            newsletter_page: "Zur Seite mit dem Newsletter",
        },
        Lang::En => Words {
            confirm_title: "Confirm your newsletter subscription",
            confirm_question: "Please confirm that you want to receive the newsletter at this e-mail address.",
            confirm_button: "Confirm subscription",
            confirm_ignore: "If you did not ask for the newsletter, simply close this page; nothing will happen.",
            confirmed: "Thank you! Your subscription is confirmed. Every newsletter e-mail contains a link to unsubscribe.",
            already_confirmed: "This subscription is already confirmed.",
            expired: "This confirmation link has expired. Please subscribe again on the town's website.",
            unsubscribe_title: "Unsubscribe from the newsletter",
            unsubscribe_question: "Do you want to unsubscribe? You will no longer receive the newsletter.",
            unsubscribe_button: "Unsubscribe",
            unsubscribe_keep: "If you want to keep receiving the newsletter, simply close this page.",
            unsubscribed: "You have unsubscribed. We will send you no more newsletters and have deleted your address.",
            newsletter: "Newsletter",
            lists: "Your selection",
            address: "E-mail address",
            back: "Back to the page where you subscribed",
            newsletter_page: "To the newsletter's page",
        },
    }
}

/// German and English together: without a valid token nobody knows the reader's language.
fn unknown(state: &SharedState) -> Response {
    town_page(
        StatusCode::NOT_FOUND,
        "de",
        state.town.as_deref(),
        "Link ungültig – Invalid link",
        "<p>Dieser Link ist ungültig oder wurde schon benutzt. Unbestätigte Anmeldungen werden \
         nach einigen Tagen gelöscht; nach dem Abbestellen gilt ein Abmeldelink nicht mehr.</p>\n\
         <p lang=\"en\">This link is not valid or has been used. Unconfirmed subscriptions are \
         deleted after a few days; after unsubscribing, the link no longer works.</p>",
    )
}

fn lang_of(tag: &str) -> Lang {
    Lang::from_tag(tag).unwrap_or_default()
}

/// What the page says about the request: the newsletter's and its lists' names as the town
/// declared them and, where `personal`, the address the link was mailed to and the lists
/// chosen. Personal data is shown only to whoever opened the link from that mailbox (mails
/// themselves never echo what was typed); everything is escaped.
fn facts(state: &SharedState, subject: &LinkSubject, lang: Lang, personal: bool) -> String {
    let w = words(lang);
    let catalog = state.catalog.now();
    let newsletter = catalog.newsletters.get(&subject.widget);
    let mut html = String::new();
    if let Some(n) = newsletter {
        html.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>\n",
            w.newsletter,
            escape(&n.title)
        ));
    }
    if personal {
        // The declared name of each chosen list; a list removed since keeps its key.
        let names: Vec<String> = subject
            .lists
            .iter()
            .map(|key| {
                newsletter
                    .and_then(|n| n.lists.iter().find(|(k, _)| k.as_str() == key))
                    .map_or(key.as_str(), |(_, name)| name.as_str())
            })
            .map(|name| format!("<li>{}</li>", escape(name)))
            .collect();
        if !names.is_empty() {
            html.push_str(&format!(
                "<dt>{}</dt><dd><ul>{}</ul></dd>\n",
                w.lists,
                names.concat()
            ));
        }
        if !subject.email.is_empty() {
            html.push_str(&format!(
                "<dt>{}</dt><dd>{}</dd>\n",
                w.address,
                escape(&subject.email)
            ));
        }
    }
    if html.is_empty() {
        return html;
    }
    format!("<dl>\n{html}</dl>\n")
}

/// A link back to the page the request came from, if that page is on an origin allowed for the
/// widget (a request could name any page, and the town's page must not send anyone elsewhere);
/// else to the newsletter's page the town declared; else none.
fn back(state: &SharedState, subject: &LinkSubject, lang: Lang) -> String {
    let w = words(lang);
    let (url, text) = match state.origins.town_url(&subject.widget, &subject.page) {
        Some(url) => (url.to_string(), w.back),
        None => match state
            .catalog
            .now()
            .newsletters
            .get(&subject.widget)
            .and_then(|n| n.page_url.clone())
            .filter(|u| is_web_link(u))
        {
            Some(url) => (url, w.newsletter_page),
            None => return String::new(),
        },
    };
    format!("<p><a href=\"{}\">{text}</a></p>\n", escape(&url))
}

/// A page in the link's language: a title and a sentence chosen from [`Words`], what the request
/// was, and the way back.
fn answer(
    state: &SharedState,
    subject: &LinkSubject,
    personal: bool,
    pick: fn(&Words) -> (&'static str, &'static str),
) -> Response {
    let lang = lang_of(&subject.lang);
    let (title, text) = pick(&words(lang));
    let body = format!(
        "<p>{text}</p>\n{}{}",
        facts(state, subject, lang, personal),
        back(state, subject, lang)
    );
    town_page(
        StatusCode::OK,
        lang.tag(),
        state.town.as_deref(),
        title,
        &body,
    )
}

/// A page with one button, which posts back to this same URL: title, question, what the
/// request was, button, note, the way back.
fn ask(
    state: &SharedState,
    subject: &LinkSubject,
    pick: fn(&Words) -> [&'static str; 4],
) -> Response {
    let lang = lang_of(&subject.lang);
    let [title, question, button, note] = pick(&words(lang));
    let body = format!(
        "<p>{question}</p>\n{}<form method=\"post\">\n<p><button type=\"submit\">{button}</button></p>\n</form>\n<p class=\"note\">{note}</p>\n{}",
        facts(state, subject, lang, true),
        back(state, subject, lang)
    );
    town_page(
        StatusCode::OK,
        lang.tag(),
        state.town.as_deref(),
        title,
        &body,
    )
}

async fn show_confirm(State(state): State<SharedState>, Path(token): Path<String>) -> Response {
    if !plausible_token(&token) {
        return unknown(&state);
    }
    let view = blocking(&state, "reading a subscription", move |store| {
        store.confirm_view(&token, now())
    })
    .await;
    match view {
        Ok(ConfirmView::Pending(subject)) => ask(&state, &subject, |w| {
            [
                w.confirm_title,
                w.confirm_question,
                w.confirm_button,
                w.confirm_ignore,
            ]
        }),
        Ok(ConfirmView::Confirmed(subject)) => answer(&state, &subject, true, |w| {
            (w.confirm_title, w.already_confirmed)
        }),
        Ok(ConfirmView::Expired(subject)) => {
            answer(&state, &subject, true, |w| (w.confirm_title, w.expired))
        }
        Ok(ConfirmView::Unknown) => unknown(&state),
        Err(_) => unavailable(),
    }
}

async fn confirm(State(state): State<SharedState>, Path(token): Path<String>) -> Response {
    if !plausible_token(&token) {
        return unknown(&state);
    }
    let newsletters = state.catalog.now();
    let outcome = blocking(&state, "confirming a subscription", move |store| {
        store.confirm(&token, &newsletters.newsletters, now())
    })
    .await;
    match outcome {
        Ok(ConfirmOutcome::Confirmed(subject)) => {
            // The welcome mail and the webhook delivery were queued in the same commit.
            state.mail_wakeup.notify_one();
            state.webhook_wakeup.notify_one();
            tracing::info!(widget = %subject.widget, "newsletter subscription confirmed");
            answer(&state, &subject, true, |w| (w.confirm_title, w.confirmed))
        }
        Ok(ConfirmOutcome::AlreadyConfirmed(subject)) => answer(&state, &subject, true, |w| {
            (w.confirm_title, w.already_confirmed)
        }),
        Ok(ConfirmOutcome::Expired(subject)) => {
            answer(&state, &subject, true, |w| (w.confirm_title, w.expired))
        }
        Ok(ConfirmOutcome::Unknown) => unknown(&state),
        Err(_) => unavailable(),
    }
}

async fn show_unsubscribe(State(state): State<SharedState>, Path(token): Path<String>) -> Response {
    if !plausible_token(&token) {
        return unknown(&state);
    }
    let view = blocking(&state, "reading an unsubscribe link", move |store| {
        store.unsubscribe_view(&token)
    })
    .await;
    match view {
        Ok(Some(subject)) => ask(&state, &subject, |w| {
            [
                w.unsubscribe_title,
                w.unsubscribe_question,
                w.unsubscribe_button,
                w.unsubscribe_keep,
            ]
        }),
        Ok(None) => unknown(&state),
        Err(_) => unavailable(),
    }
}

async fn unsubscribe(State(state): State<SharedState>, Path(token): Path<String>) -> Response {
    if !plausible_token(&token) {
        return unknown(&state);
    }
    let newsletters = state.catalog.now();
    let outcome = blocking(&state, "unsubscribing", move |store| {
        store.unsubscribe(&token, &newsletters.newsletters, now())
    })
    .await;
    match outcome {
        Ok(UnsubscribeOutcome::Unsubscribed(subject)) => {
            state.webhook_wakeup.notify_one();
            tracing::info!(widget = %subject.widget, "newsletter unsubscribed");
            // The address is deleted now; the page does not repeat it.
            answer(&state, &subject, false, |w| {
                (w.unsubscribe_title, w.unsubscribed)
            })
        }
        Ok(UnsubscribeOutcome::Unknown) => unknown(&state),
        Err(_) => unavailable(),
    }
}
