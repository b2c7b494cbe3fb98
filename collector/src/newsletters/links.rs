//! The links in the newsletter's mails: confirming a subscription (double opt-in) and
//! unsubscribing.
//!
//! `GET` shows a page with one button; only the `POST` of that button changes anything. Mail
//! scanners open every link in a mail, and a GET that confirmed would confirm subscriptions the
//! address owner never wanted. The unsubscribe `POST` is also the RFC 8058 one-click request a
//! mail client sends on its own (`List-Unsubscribe=One-Click`); its body is not needed, the
//! token in the path is the authority.

use crate::app::page::{escape, page, plausible_token, unavailable};
use crate::app::{SharedState, blocking};
use crate::db::{ConfirmOutcome, ConfirmView, UnsubscribeOutcome, now};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use mitmachen_shared::ids::WidgetId;
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
        },
    }
}

/// German and English together: without a valid token nobody knows the reader's language.
fn unknown() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "de",
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

/// The newsletter's name as the town declared it.
fn named(state: &SharedState, widget: &WidgetId, lang: Lang) -> String {
    match state.catalog.now().newsletters.get(widget) {
        Some(n) => format!(
            "<dl>\n<dt>{}</dt><dd>{}</dd>\n</dl>\n",
            words(lang).newsletter,
            escape(&n.title)
        ),
        None => String::new(),
    }
}

/// A page in the link's language: a title and a sentence chosen from [`Words`], and the
/// newsletter's name.
fn answer(
    state: &SharedState,
    widget: &WidgetId,
    tag: &str,
    pick: fn(&Words) -> (&'static str, &'static str),
) -> Response {
    let lang = lang_of(tag);
    let (title, text) = pick(&words(lang));
    let body = format!("<p>{text}</p>\n{}", named(state, widget, lang));
    page(StatusCode::OK, lang.tag(), title, &body)
}

/// A page with one button, which posts back to this same URL: title, question, button, note.
fn ask(
    state: &SharedState,
    widget: &WidgetId,
    tag: &str,
    pick: fn(&Words) -> [&'static str; 4],
) -> Response {
    let lang = lang_of(tag);
    let [title, question, button, note] = pick(&words(lang));
    let body = format!(
        "<p>{question}</p>\n{}<form method=\"post\">\n<p><button type=\"submit\">{button}</button></p>\n</form>\n<p class=\"note\">{note}</p>",
        named(state, widget, lang)
    );
    page(StatusCode::OK, lang.tag(), title, &body)
}

async fn show_confirm(State(state): State<SharedState>, Path(token): Path<String>) -> Response {
    if !plausible_token(&token) {
        return unknown();
    }
    let view = blocking(&state, "reading a subscription", move |store| {
        store.confirm_view(&token, now())
    })
    .await;
    match view {
        Ok(ConfirmView::Pending { widget, lang }) => ask(&state, &widget, &lang, |w| {
            [
                w.confirm_title,
                w.confirm_question,
                w.confirm_button,
                w.confirm_ignore,
            ]
        }),
        Ok(ConfirmView::Confirmed { widget, lang }) => answer(&state, &widget, &lang, |w| {
            (w.confirm_title, w.already_confirmed)
        }),
        Ok(ConfirmView::Expired { widget, lang }) => {
            answer(&state, &widget, &lang, |w| (w.confirm_title, w.expired))
        }
        Ok(ConfirmView::Unknown) => unknown(),
        Err(_) => unavailable(),
    }
}

async fn confirm(State(state): State<SharedState>, Path(token): Path<String>) -> Response {
    if !plausible_token(&token) {
        return unknown();
    }
    let newsletters = state.catalog.now();
    let outcome = blocking(&state, "confirming a subscription", move |store| {
        store.confirm(&token, &newsletters.newsletters, now())
    })
    .await;
    match outcome {
        Ok(ConfirmOutcome::Confirmed { widget, lang }) => {
            // The welcome mail and the webhook delivery were queued in the same commit.
            state.mail_wakeup.notify_one();
            state.webhook_wakeup.notify_one();
            tracing::info!(widget = %widget, "newsletter subscription confirmed");
            answer(&state, &widget, &lang, |w| (w.confirm_title, w.confirmed))
        }
        Ok(ConfirmOutcome::AlreadyConfirmed { widget, lang }) => {
            answer(&state, &widget, &lang, |w| {
                (w.confirm_title, w.already_confirmed)
            })
        }
        Ok(ConfirmOutcome::Expired { widget, lang }) => {
            answer(&state, &widget, &lang, |w| (w.confirm_title, w.expired))
        }
        Ok(ConfirmOutcome::Unknown) => unknown(),
        Err(_) => unavailable(),
    }
}

async fn show_unsubscribe(State(state): State<SharedState>, Path(token): Path<String>) -> Response {
    if !plausible_token(&token) {
        return unknown();
    }
    let view = blocking(&state, "reading an unsubscribe link", move |store| {
        store.unsubscribe_view(&token)
    })
    .await;
    match view {
        Ok(Some((widget, lang))) => ask(&state, &widget, &lang, |w| {
            [
                w.unsubscribe_title,
                w.unsubscribe_question,
                w.unsubscribe_button,
                w.unsubscribe_keep,
            ]
        }),
        Ok(None) => unknown(),
        Err(_) => unavailable(),
    }
}

async fn unsubscribe(State(state): State<SharedState>, Path(token): Path<String>) -> Response {
    if !plausible_token(&token) {
        return unknown();
    }
    let newsletters = state.catalog.now();
    let outcome = blocking(&state, "unsubscribing", move |store| {
        store.unsubscribe(&token, &newsletters.newsletters, now())
    })
    .await;
    match outcome {
        Ok(UnsubscribeOutcome::Unsubscribed { widget, lang }) => {
            state.webhook_wakeup.notify_one();
            tracing::info!(widget = %widget, "newsletter unsubscribed");
            answer(&state, &widget, &lang, |w| {
                (w.unsubscribe_title, w.unsubscribed)
            })
        }
        Ok(UnsubscribeOutcome::Unknown) => unknown(),
        Err(_) => unavailable(),
    }
}
