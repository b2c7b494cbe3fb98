//! What every page of the administration console at `/admin/` shares: the layout (skip link,
//! navigation, the signed-in account, sign-out), the language, the stylesheet, the security
//! headers, and the [`Console`] extractor that lets only signed-in accounts in.
//!
//! The console is rendered on the server (maud: every interpolated value is escaped, so text
//! that people typed is always text) and works without JavaScript; each feature renders its own
//! pages in its folder with [`page`]. Why server-rendered and not a Yew app: see
//! ARCHITECTURE.md.

use super::SharedState;
use crate::accounts::session::{self, CSRF_FIELD, Session};
use crate::accounts::{Permission, Role};
use crate::db::{self, StoreError};
use crate::proposals;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, html};

pub const STYLESHEET_PATH: &str = "/admin/console.css";

/// Scripts and styles only from the collector; nothing inline, no frames, forms only back here.
/// `'wasm-unsafe-eval'` and `connect-src 'self'` for the widget preview, which runs the
/// citizens' bundle as a town's page does.
const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; \
                   style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; \
                   frame-ancestors 'none'";

const STYLESHEET: &str = include_str!("console.css");

const SCRIPT_PATH: &str = "/admin/console.js";
/// The little progressive script of every console page: nothing depends on it.
const SCRIPT: &str = include_str!("console.js");

const ICON_PATH: &str = "/admin/icon.svg";
/// A speech bubble: browsers ask for an icon, and a 404 for it is noise in every log.
const ICON: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\"><rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#1d2f4f\"/><path d=\"M7 9h18v11H14l-5 4v-4H7z\" fill=\"#fff\"/></svg>";

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route(STYLESHEET_PATH, get(stylesheet))
        .route(ICON_PATH, get(icon))
        .route(SCRIPT_PATH, get(script))
}

async fn script() -> Response {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
        ],
        SCRIPT,
    )
        .into_response()
}

async fn icon() -> Response {
    (
        [
            (CONTENT_TYPE, "image/svg+xml"),
            (CACHE_CONTROL, "public, max-age=86400"),
        ],
        ICON,
    )
        .into_response()
}

async fn stylesheet() -> Response {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// The console's languages: German (formal "Sie") by default, and English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    De,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "de" => Some(Lang::De),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The text in this language.
    pub fn t(self, de: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::De => de,
            Lang::En => en,
        }
    }
}

/// A request from a signed-in account, with its language. A request without a live session
/// is sent to the sign-in page (a page) or refused (a form sent after the session ended).
pub struct Console {
    pub session: Session,
    pub lang: Lang,
    /// Proposals waiting for a decision, for a role that reads proposals (the navigation
    /// shows the number).
    pub pending: Option<u64>,
}

impl Console {
    pub fn role(&self) -> Role {
        self.session.role()
    }

    /// A 403 page unless the account's role has `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), Refused> {
        if self.role().may(permission) {
            Ok(())
        } else {
            Err(Refused(Box::new(self.forbidden())))
        }
    }

    pub fn forbidden(&self) -> Response {
        let lang = self.lang;
        page(
            StatusCode::FORBIDDEN,
            lang,
            Some(self),
            Nav::None,
            lang.t("Nicht erlaubt", "Not allowed"),
            html! {
                p { (lang.t(
                    "Ihre Rolle erlaubt das nicht. Wenden Sie sich an eine Administratorin oder einen Administrator.",
                    "Your role does not allow this. Ask an administrator."
                )) }
            },
        )
    }

    /// A form that changes something: refused without the session's CSRF token (or from another
    /// site), then unless the role has `permission`. The order matters: a forged request learns
    /// nothing about the role.
    pub fn may_change(
        &self,
        state: &SharedState,
        headers: &HeaderMap,
        sent: Option<&str>,
        permission: Permission,
    ) -> Result<(), Refused> {
        self.check_csrf(state, headers, sent)?;
        self.require(permission)
    }

    /// Refuses a state-changing request that does not carry the session's CSRF token (or
    /// comes from another site); `None`: it may go ahead.
    pub fn check_csrf(
        &self,
        state: &SharedState,
        headers: &HeaderMap,
        sent: Option<&str>,
    ) -> Result<(), Refused> {
        if session::csrf_ok(state, headers, &self.session, sent) {
            Ok(())
        } else {
            tracing::warn!(account = %self.session.account.name, "console form without a valid CSRF token refused");
            let lang = self.lang;
            Err(Refused(Box::new(page(
                StatusCode::FORBIDDEN,
                lang,
                Some(self),
                Nav::None,
                lang.t("Anfrage abgelehnt", "Request refused"),
                html! {
                    p { (lang.t(
                        "Diese Anfrage kam nicht aus einem Formular der Konsole und wurde nicht ausgeführt. Laden Sie die Seite neu und versuchen Sie es noch einmal.",
                        "This request did not come from a form of the console and was not carried out. Reload the page and try again."
                    )) }
                },
            ))))
        }
    }
}

/// The page that refuses a request (403), boxed: it is the rare path.
pub struct Refused(Box<Response>);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        *self.0
    }
}

impl FromRequestParts<SharedState> for Console {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let (state2, headers) = (state.clone(), parts.headers.clone());
        let found = tokio::task::spawn_blocking(move || {
            let Some(session) = session::current(&state2, &headers)? else {
                return Ok(None);
            };
            let pending = if session.role().may(Permission::ReadProposals) {
                let count = db::read(state2.store.as_ref(), proposals::store::pending_count)?;
                Some(count)
            } else {
                None
            };
            Ok::<_, StoreError>(Some((session, pending)))
        })
        .await
        .map_err(|_| unavailable(Lang::De))?
        .map_err(|e| {
            tracing::error!(error = %e, "reading a console session failed");
            unavailable(Lang::De)
        })?;
        match found {
            Some((session, pending)) => {
                let lang = Lang::parse(&session.account.lang).unwrap_or(Lang::De);
                Ok(Console {
                    session,
                    lang,
                    pending,
                })
            }
            None => Err(to_sign_in(parts.uri.path())),
        }
    }
}

/// A 303 to the sign-in page, which comes back to `target` (a console path) afterwards.
pub fn to_sign_in(target: &str) -> Response {
    let location = if target.starts_with("/admin/") && target != "/admin/sign-in" {
        format!("/admin/sign-in?next={}", percent_path(target))
    } else {
        "/admin/sign-in".to_owned()
    };
    see_other(&location)
}

/// A path with everything but unreserved characters and `/` percent-encoded.
fn percent_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// 303 See Other: after a form, the browser fetches the next page with GET.
pub fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    secure(response)
}

/// Runs `job` (store access) off the async threads; a failure is logged as `what` failing and
/// answered with the "not possible right now" page.
pub async fn off_thread<T: Send + 'static>(
    lang: Lang,
    what: &'static str,
    job: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Response> {
    match tokio::task::spawn_blocking(job).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "{what} failed");
            Err(unavailable(lang))
        }
        Err(e) => {
            tracing::error!(error = %e, "{what} crashed");
            Err(unavailable(lang))
        }
    }
}

/// The first value of `name` in a form sent as a list of fields (forms whose fields repeat).
pub fn form_field<'f>(fields: &'f [(String, String)], name: &str) -> Option<&'f str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

pub fn unavailable(lang: Lang) -> Response {
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        lang,
        None,
        Nav::None,
        lang.t("Gerade nicht möglich", "Not possible right now"),
        html! {
            p { (lang.t(
                "Die Datenbank antwortet nicht. Bitte versuchen Sie es in einigen Minuten noch einmal; es wurde nichts geändert.",
                "The database does not answer. Please try again in a few minutes; nothing was changed."
            )) }
        },
    )
}

/// Which navigation entry is the current page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Widgets,
    Proposals,
    Privacy,
    Audit,
    Accounts,
    None,
}

/// A whole console page: `title` is the `h1` and the document title; `console` the signed-in
/// account (navigation and sign-out), `None` before sign-in.
pub fn page(
    status: StatusCode,
    lang: Lang,
    console: Option<&Console>,
    current: Nav,
    title: &str,
    main: Markup,
) -> Response {
    let html = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) " – mitmachen" }
                link rel="stylesheet" href=(STYLESHEET_PATH);
                link rel="icon" href=(ICON_PATH) type="image/svg+xml";
                script src=(SCRIPT_PATH) defer {}
            }
            body {
                a.skip href="#main" { (lang.t("Zum Inhalt springen", "Skip to content")) }
                header.bar {
                    p.brand { "mitmachen" span.sub { (lang.t(" · Verwaltung", " · Console")) } }
                    @if let Some(console) = console {
                        (navigation(lang, console, current))
                    }
                }
                main #main tabindex="-1" {
                    h1 { (title) }
                    (main)
                }
            }
        }
    };
    let mut response = (status, html.into_string()).into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure(response)
}

fn navigation(lang: Lang, console: &Console, current: Nav) -> Markup {
    let entry = |nav: Nav, href: &'static str, label: Markup| {
        html! {
            li {
                @if nav == current {
                    a href=(href) aria-current="page" { (label) }
                } @else {
                    a href=(href) { (label) }
                }
            }
        }
    };
    let account = &console.session.account;
    html! {
        nav aria-label=(lang.t("Hauptnavigation", "Main navigation")) {
            ul {
                (entry(Nav::Widgets, "/admin/", html! { (lang.t("Widgets", "Widgets")) }))
                @if let Some(pending) = console.pending {
                    (entry(Nav::Proposals, "/admin/proposals", html! {
                        (lang.t("Vorschläge", "Proposals"))
                        @if pending > 0 {
                            " " span.badge { (pending) span.visually-hidden { (lang.t(" warten", " waiting")) } }
                        }
                    }))
                }
                @if console.role().may(Permission::PersonalData) {
                    (entry(Nav::Privacy, "/admin/privacy", html! { (lang.t("Auskunft und Löschung", "Access and erasure")) }))
                }
                @if console.role().may(Permission::ManageAccounts) {
                    (entry(Nav::Accounts, "/admin/accounts", html! { (lang.t("Konten", "Accounts")) }))
                }
                @if console.role().may(Permission::ReadAudit) {
                    (entry(Nav::Audit, "/admin/audit", html! { (lang.t("Protokoll", "Audit log")) }))
                }
            }
        }
        div.account {
            p {
                span.visually-hidden { (lang.t("Angemeldet als ", "Signed in as ")) }
                strong { (account.name) }
                " (" (role_name(lang, account.role)) ")"
            }
            form method="post" action="/admin/language" {
                (csrf_field(console))
                @match lang {
                    Lang::De => button.link type="submit" name="lang" value="en" lang="en" { "English" },
                    Lang::En => button.link type="submit" name="lang" value="de" lang="de" { "Deutsch" },
                }
            }
            form method="post" action="/admin/sign-out" {
                (csrf_field(console))
                button.link type="submit" { (lang.t("Abmelden", "Sign out")) }
            }
        }
    }
}

/// The hidden field that carries the session's CSRF token in every form.
pub fn csrf_field(console: &Console) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(console.session.csrf); }
}

pub fn role_name(lang: Lang, role: Role) -> &'static str {
    match role {
        Role::Administrator => lang.t("Administration", "Administrator"),
        Role::Editor => lang.t("Redaktion", "Editor"),
        Role::Moderator => lang.t("Moderation", "Moderator"),
        Role::Viewer => lang.t("Nur lesen", "Viewer"),
    }
}

/// The security headers of every console answer: never cached, never framed, never sniffed.
pub fn secure(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        axum::http::HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex"),
    );
    response
}

/// A form's error summary: a heading and one link per field to fix, announced when shown.
pub fn error_summary(lang: Lang, errors: &[(&str, String)]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" aria-labelledby="error-summary-title" {
                h2 #error-summary-title { (lang.t("Bitte prüfen Sie Ihre Angaben", "Please check what you entered")) }
                ul {
                    @for (field, message) in errors {
                        li { a href={ "#" (field) } { (message) } }
                    }
                }
            }
        }
    }
}

/// One labelled input with its error, if any, tied to it for screen readers.
pub struct Field<'a> {
    pub id: &'a str,
    pub label: &'a str,
    pub kind: &'a str,
    pub value: &'a str,
    pub autocomplete: &'a str,
    pub error: Option<&'a str>,
    pub hint: Option<&'a str>,
}

impl Field<'_> {
    pub fn render(&self) -> Markup {
        let described = match (self.error.is_some(), self.hint.is_some()) {
            (true, true) => Some(format!("{0}-error {0}-hint", self.id)),
            (true, false) => Some(format!("{}-error", self.id)),
            (false, true) => Some(format!("{}-hint", self.id)),
            (false, false) => None,
        };
        html! {
            div.field {
                label for=(self.id) { (self.label) }
                @if let Some(hint) = self.hint {
                    p.hint id={ (self.id) "-hint" } { (hint) }
                }
                @if let Some(error) = self.error {
                    p.error id={ (self.id) "-error" } { (error) }
                }
                input id=(self.id) name=(self.id) type=(self.kind) value=(self.value)
                    autocomplete=(self.autocomplete) required
                    aria-invalid=[self.error.map(|_| "true")]
                    aria-describedby=[described];
            }
        }
    }
}

/// `2026-12-05T14:03:00Z` as `2026-12-05 14:03 UTC`.
pub fn shown_time(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => rfc3339.to_owned(),
    }
}
