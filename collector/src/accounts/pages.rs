//! The console's pages for accounts: sign-in, sign-out, the language switch, and the accounts
//! page where administrators add accounts, change roles, set passwords and disable accounts.

use super::session::{self, SignIn};
use super::store::{self, Account};
use super::{Added, Permission, Role, check_name, check_password, normalise_name};
use crate::app::SharedState;
use crate::app::console::{
    Console, Field, Lang, Nav, csrf_field, error_summary, page, role_name, see_other, unavailable,
};
use crate::app::rate_limit::{ClientAddr, Scope};
use crate::db::{self, StoreError, now};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header::{REFERER, RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/admin/sign-in", get(sign_in_page).post(sign_in))
        .route("/admin/sign-out", post(sign_out))
        .route("/admin/language", post(language))
        .route("/admin/accounts", get(accounts).post(create))
        .route("/admin/accounts/{id}", post(change))
}

#[derive(Deserialize, Default)]
struct Next {
    next: Option<String>,
    lang: Option<String>,
}

/// Before sign-in the console speaks German unless the page was asked for in English.
fn chosen(lang: Option<&str>) -> Lang {
    lang.and_then(Lang::parse).unwrap_or(Lang::De)
}

/// Where to go after sign-in: a console path, never another site.
fn next_path(next: Option<&str>) -> &str {
    next.filter(|n| n.starts_with("/admin/") && !n.contains("//") && !n.contains('\\'))
        .unwrap_or("/admin/")
}

async fn sign_in_page(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Query(next): Query<Next>,
) -> Response {
    let (state2, headers2) = (state.clone(), headers.clone());
    // Signed in already: straight on.
    if let Ok(Ok(Some(_))) =
        tokio::task::spawn_blocking(move || session::current(&state2, &headers2)).await
    {
        return see_other(next_path(next.next.as_deref()));
    }
    sign_in_form(
        chosen(next.lang.as_deref()),
        StatusCode::OK,
        "",
        next.next.as_deref(),
        None,
    )
}

fn sign_in_form(
    lang: Lang,
    status: StatusCode,
    name: &str,
    next: Option<&str>,
    error: Option<&str>,
) -> Response {
    let errors: Vec<(&str, String)> = error.map(|e| ("name", e.to_owned())).into_iter().collect();
    let (other, other_name) = match lang {
        Lang::De => (Lang::En, "English"),
        Lang::En => (Lang::De, "Deutsch"),
    };
    page(
        status,
        lang,
        None,
        Nav::None,
        lang.t("Anmelden", "Sign in"),
        html! {
            (error_summary(lang, &errors))
            p { a href={ "/admin/sign-in?lang=" (other.code()) "&next=" (next_path(next)) } lang=(other.code()) { (other_name) } }
            form method="post" action="/admin/sign-in" novalidate {
                input type="hidden" name="next" value=(next_path(next));
                input type="hidden" name="lang" value=(lang.code());
                (Field { id: "name", label: lang.t("Name", "Name"), kind: "text", value: name,
                         autocomplete: "username", error: None, hint: None }.render())
                (Field { id: "password", label: lang.t("Passwort", "Password"), kind: "password",
                         value: "", autocomplete: "current-password", error: None, hint: None }.render())
                button type="submit" { (lang.t("Anmelden", "Sign in")) }
            }
            p.hint { (lang.t(
                "Nach 30 Minuten ohne Aktivität werden Sie abgemeldet. Die Konsole setzt ein Cookie nur nach der Anmeldung, nur für diese Sitzung.",
                "You are signed out after 30 minutes without activity. The console sets a cookie only after sign-in, only for this session."
            )) }
        },
    )
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
    lang: Option<String>,
}

async fn sign_in(
    State(state): State<SharedState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    form: Result<axum::Form<SignInForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let lang = chosen(form.as_ref().ok().and_then(|f| f.lang.as_deref()));
    let Ok(axum::Form(form)) = form else {
        return sign_in_form(lang, StatusCode::BAD_REQUEST, "", None, Some(lang.t(
            "Das Formular kam unvollständig an. Bitte geben Sie Name und Passwort noch einmal ein.",
            "The form arrived incomplete. Please enter name and password again.",
        )));
    };
    // A sign-in from another site would sign the browser into an account of the attacker's.
    if !session::same_origin(&state, &headers) {
        return sign_in_form(
            lang,
            StatusCode::FORBIDDEN,
            &form.name,
            form.next.as_deref(),
            Some(lang.t(
                "Die Anmeldung kam nicht von dieser Seite und wurde nicht ausgeführt.",
                "The sign-in did not come from this page and was not carried out.",
            )),
        );
    }
    if let Err(crate::app::error::ApiError::RateLimited { retry_after, .. }) =
        state.limits.check(Scope::SignIn, client)
    {
        return throttled(lang, &form, retry_after);
    }
    if form.name.trim().is_empty() || form.password.is_empty() {
        return sign_in_form(
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form.name,
            form.next.as_deref(),
            Some(lang.t(
                "Bitte geben Sie Name und Passwort ein.",
                "Please enter name and password.",
            )),
        );
    }
    let (store, name, password) = (
        state.store.clone(),
        form.name.clone(),
        form.password.clone(),
    );
    let outcome =
        tokio::task::spawn_blocking(move || session::sign_in(store.as_ref(), &name, &password))
            .await;
    match outcome {
        Ok(Ok(SignIn::Started { secret, account })) => {
            tracing::info!(account = %account.name, role = %account.role, "console sign-in");
            let mut response = see_other(next_path(form.next.as_deref()));
            response
                .headers_mut()
                .insert(SET_COOKIE, session::start_cookie(&secret));
            response
        }
        Ok(Ok(SignIn::Refused)) => {
            tracing::warn!("console sign-in refused (name or password)");
            sign_in_form(lang, StatusCode::UNAUTHORIZED, &form.name, form.next.as_deref(), Some(lang.t(
                "Name oder Passwort stimmen nicht. Nach mehreren Fehlversuchen müssen Sie warten.",
                "Name or password is wrong. After several failed attempts you have to wait.",
            )))
        }
        Ok(Ok(SignIn::Throttled { retry_after })) => {
            tracing::warn!("console sign-in throttled for an account");
            throttled(lang, &form, retry_after)
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "console sign-in failed");
            unavailable(lang)
        }
        Err(_) => unavailable(lang),
    }
}

fn throttled(lang: Lang, form: &SignInForm, retry_after: u64) -> Response {
    let message = match lang {
        Lang::De => format!(
            "Zu viele Anmeldeversuche. Bitte warten Sie {retry_after} Sekunden und versuchen Sie es dann noch einmal."
        ),
        Lang::En => {
            format!("Too many sign-in attempts. Please wait {retry_after} seconds, then try again.")
        }
    };
    let mut response = sign_in_form(
        lang,
        StatusCode::TOO_MANY_REQUESTS,
        &form.name,
        form.next.as_deref(),
        Some(&message),
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(retry_after));
    response
}

#[derive(Deserialize)]
struct CsrfOnly {
    csrf: Option<String>,
}

async fn sign_out(
    State(state): State<SharedState>,
    console: Console,
    headers: HeaderMap,
    form: Result<axum::Form<CsrfOnly>, axum::extract::rejection::FormRejection>,
) -> Response {
    let sent = form.ok().and_then(|f| f.0.csrf);
    if let Err(refused) = console.check_csrf(&state, &headers, sent.as_deref()) {
        return refused.into_response();
    }
    let state2 = state.clone();
    let session = console.session.clone();
    match tokio::task::spawn_blocking(move || session::end(&state2, &session)).await {
        Ok(Ok(())) => {
            tracing::info!(account = %console.session.account.name, "console sign-out");
            let mut response = see_other("/admin/sign-in");
            response
                .headers_mut()
                .insert(SET_COOKIE, session::end_cookie());
            response
        }
        _ => unavailable(console.lang),
    }
}

#[derive(Deserialize)]
struct LanguageForm {
    csrf: Option<String>,
    lang: String,
}

async fn language(
    State(state): State<SharedState>,
    console: Console,
    headers: HeaderMap,
    form: Result<axum::Form<LanguageForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(axum::Form(form)) = form else {
        return see_other("/admin/");
    };
    if let Err(refused) = console.check_csrf(&state, &headers, form.csrf.as_deref()) {
        return refused.into_response();
    }
    let Some(lang) = Lang::parse(&form.lang) else {
        return see_other("/admin/");
    };
    let id = console.session.account.id;
    let done = blocking_write(&state, move |tx| store::set_lang(tx, id, lang.code())).await;
    if done.is_err() {
        return unavailable(console.lang);
    }
    // Back to the page the switch was on.
    let back = headers
        .get(REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.strip_prefix(state.console_origin.as_str()))
        .map(|path| next_path(Some(path)).to_owned())
        .unwrap_or_else(|| "/admin/".to_owned());
    see_other(&back)
}

async fn blocking_write<T: Send + 'static>(
    state: &SharedState,
    job: impl FnOnce(&mut dyn crate::db::Tx) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || db::write(store.as_ref(), job))
        .await
        .map_err(|e| StoreError(format!("crashed: {e}")))?
}

#[derive(Deserialize, Default)]
struct Done {
    done: Option<String>,
}

async fn accounts(
    State(state): State<SharedState>,
    console: Console,
    Query(done): Query<Done>,
) -> Response {
    if let Err(refused) = console.require(Permission::ManageAccounts) {
        return refused.into_response();
    }
    accounts_page(
        &state,
        &console,
        StatusCode::OK,
        done.done.as_deref(),
        &NewAccount::default(),
        &[],
    )
    .await
}

#[derive(Deserialize, Default)]
struct NewAccount {
    csrf: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

async fn accounts_page(
    state: &SharedState,
    console: &Console,
    status: StatusCode,
    done: Option<&str>,
    typed: &NewAccount,
    errors: &[(&str, String)],
) -> Response {
    let lang = console.lang;
    let store = state.store.clone();
    let list =
        match tokio::task::spawn_blocking(move || db::read(store.as_ref(), store::list)).await {
            Ok(Ok(list)) => list,
            _ => return unavailable(lang),
        };
    let notice = done.and_then(|d| match d {
        "created" => Some(lang.t("Das Konto wurde angelegt.", "The account was created.")),
        "role" => Some(lang.t("Die Rolle wurde geändert.", "The role was changed.")),
        "password" => Some(lang.t(
            "Das Passwort wurde gesetzt; offene Sitzungen des Kontos sind beendet.",
            "The password was set; the account's open sessions are ended.",
        )),
        "disabled" => Some(lang.t(
            "Das Konto ist gesperrt; seine Sitzungen sind beendet.",
            "The account is disabled; its sessions are ended.",
        )),
        "enabled" => Some(lang.t(
            "Das Konto ist wieder aktiv.",
            "The account is active again.",
        )),
        _ => None,
    });
    let error_for = |field: &str| {
        errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    };
    page(
        status,
        lang,
        Some(console),
        Nav::Accounts,
        lang.t("Konten", "Accounts"),
        html! {
            @if let Some(notice) = notice {
                p.notice role="status" { (notice) }
            }
            (error_summary(lang, errors))
            div.table-wrap role="region" aria-labelledby="accounts-caption" tabindex="0" {
                table {
                    caption #accounts-caption { (lang.t("Alle Konten", "All accounts")) }
                    thead { tr {
                        th scope="col" { (lang.t("Name", "Name")) }
                        th scope="col" { (lang.t("Rolle", "Role")) }
                        th scope="col" { (lang.t("Status", "Status")) }
                        th scope="col" { (lang.t("Ändern", "Change")) }
                    } }
                    tbody {
                        @for account in &list {
                            (account_row(lang, console, account))
                        }
                    }
                }
            }
            h2 #new-account { (lang.t("Neues Konto", "New account")) }
            form method="post" action="/admin/accounts" novalidate aria-labelledby="new-account" {
                (csrf_field(console))
                (Field { id: "name", label: lang.t("Name", "Name"), kind: "text", value: &typed.name,
                         autocomplete: "off", error: error_for("name"),
                         hint: Some(lang.t("2 bis 64 Zeichen: a–z, Ziffern, . _ - @", "2 to 64 characters: a–z, digits, . _ - @")) }.render())
                div.field {
                    label for="role" { (lang.t("Rolle", "Role")) }
                    (role_select(lang, "role", Role::parse(&typed.role).unwrap_or(Role::Viewer)))
                }
                (Field { id: "password", label: lang.t("Erstes Passwort", "First password"), kind: "password",
                         value: "", autocomplete: "new-password", error: error_for("password"),
                         hint: Some(lang.t("Mindestens 12 Zeichen. Geben Sie es der Person auf sicherem Weg.", "At least 12 characters. Hand it to the person on a safe channel.")) }.render())
                button type="submit" { (lang.t("Konto anlegen", "Create account")) }
            }
        },
    )
}

fn role_select(lang: Lang, id: &str, selected: Role) -> Markup {
    html! {
        select id=(id) name="role" {
            @for role in Role::ALL {
                option value=(role.as_str()) selected[role == selected] { (role_name(lang, role)) }
            }
        }
    }
}

fn account_row(lang: Lang, console: &Console, account: &Account) -> Markup {
    let action = format!("/admin/accounts/{}", account.id);
    let role_id = format!("role-{}", account.id);
    let password_id = format!("password-{}", account.id);
    html! {
        tr {
            th scope="row" { (account.name) }
            td { (role_name(lang, account.role)) }
            td {
                @if account.disabled {
                    span.status { (lang.t("gesperrt", "disabled")) }
                } @else {
                    span.status { (lang.t("aktiv", "active")) }
                }
            }
            td {
                div.row-actions {
                    form method="post" action=(action) {
                        (csrf_field(console))
                        input type="hidden" name="action" value="role";
                        div {
                            label for=(role_id) { (lang.t("Rolle von ", "Role of ")) (account.name) }
                            (role_select(lang, &role_id, account.role))
                        }
                        button.secondary type="submit" { (lang.t("Rolle ändern", "Change role")) }
                    }
                    form method="post" action=(action) {
                        (csrf_field(console))
                        input type="hidden" name="action" value="password";
                        div {
                            label for=(password_id) { (lang.t("Neues Passwort für ", "New password for ")) (account.name) }
                            input id=(password_id) name="password" type="password" autocomplete="new-password";
                        }
                        button.secondary type="submit" { (lang.t("Passwort setzen", "Set password")) }
                    }
                    form method="post" action=(action) {
                        (csrf_field(console))
                        @if account.disabled {
                            input type="hidden" name="action" value="enable";
                            button.secondary type="submit" { (lang.t("Entsperren: ", "Enable: ")) (account.name) }
                        } @else {
                            input type="hidden" name="action" value="disable";
                            button.danger type="submit" { (lang.t("Sperren: ", "Disable: ")) (account.name) }
                        }
                    }
                }
            }
        }
    }
}

async fn create(
    State(state): State<SharedState>,
    console: Console,
    headers: HeaderMap,
    form: Result<axum::Form<NewAccount>, axum::extract::rejection::FormRejection>,
) -> Response {
    let form = form.map(|f| f.0).unwrap_or_default();
    if let Err(refused) = console.may_change(
        &state,
        &headers,
        form.csrf.as_deref(),
        Permission::ManageAccounts,
    ) {
        return refused.into_response();
    }
    let lang = console.lang;
    let name = normalise_name(&form.name);
    let mut errors = Vec::new();
    if check_name(&name).is_err() {
        errors.push(("name", name_message(lang)));
    }
    let role = Role::parse(&form.role);
    if check_password(&form.password).is_err() {
        errors.push(("password", password_message(lang)));
    }
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return accounts_page(
            &state,
            &console,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            &form,
            &errors,
        )
        .await;
    };
    let (store, password) = (state.store.clone(), form.password.clone());
    let (name2, by) = (name.clone(), console.session.account.name.clone());
    match tokio::task::spawn_blocking(move || {
        super::add(store.as_ref(), &name2, role, &password, &by)
    })
    .await
    {
        Ok(Ok(Added::Created)) => {
            tracing::info!(by = %console.session.account.name, account = %name, %role, "account created");
            see_other("/admin/accounts?done=created")
        }
        Ok(Ok(Added::NameTaken)) => {
            let message = match lang {
                Lang::De => {
                    format!("Es gibt schon ein Konto „{name}“. Wählen Sie einen anderen Namen.")
                }
                Lang::En => format!("There is an account “{name}” already. Choose another name."),
            };
            accounts_page(
                &state,
                &console,
                StatusCode::CONFLICT,
                None,
                &form,
                &[("name", message)],
            )
            .await
        }
        _ => unavailable(lang),
    }
}

fn name_message(lang: Lang) -> String {
    lang.t(
        "Der Name hat 2 bis 64 Zeichen: Kleinbuchstaben a–z, Ziffern und . _ - @.",
        "The name has 2 to 64 characters: lowercase letters a–z, digits and . _ - @.",
    )
    .to_owned()
}

fn password_message(lang: Lang) -> String {
    lang.t(
        "Das Passwort braucht mindestens 12 Zeichen (höchstens 256 Bytes).",
        "The password needs at least 12 characters (at most 256 bytes).",
    )
    .to_owned()
}

#[derive(Deserialize, Default)]
struct Change {
    csrf: Option<String>,
    #[serde(default)]
    action: String,
    role: Option<String>,
    password: Option<String>,
}

/// What a change to an account came to.
enum Changed {
    Done(&'static str),
    NoSuchAccount,
    /// The last active administrator would be demoted or disabled.
    LastAdministrator,
}

async fn change(
    State(state): State<SharedState>,
    console: Console,
    headers: HeaderMap,
    Path(id): Path<i64>,
    form: Result<axum::Form<Change>, axum::extract::rejection::FormRejection>,
) -> Response {
    let form = form.map(|f| f.0).unwrap_or_default();
    if let Err(refused) = console.may_change(
        &state,
        &headers,
        form.csrf.as_deref(),
        Permission::ManageAccounts,
    ) {
        return refused.into_response();
    }
    let lang = console.lang;
    let now = now().0;
    let by = console.session.account.name.clone();
    let outcome = match form.action.as_str() {
        "role" => {
            let Some(role) = form.role.as_deref().and_then(Role::parse) else {
                return bad_change(&state, &console).await;
            };
            blocking_write(&state, move |tx| {
                let Some(account) = store::by_id(tx, id)? else {
                    return Ok(Changed::NoSuchAccount);
                };
                if role != Role::Administrator && is_last_administrator(tx, &account)? {
                    return Ok(Changed::LastAdministrator);
                }
                store::set_role(tx, id, role, &by)?;
                Ok(Changed::Done("role"))
            })
            .await
        }
        "disable" | "enable" => {
            let disable = form.action == "disable";
            blocking_write(&state, move |tx| {
                let Some(account) = store::by_id(tx, id)? else {
                    return Ok(Changed::NoSuchAccount);
                };
                if disable && is_last_administrator(tx, &account)? {
                    return Ok(Changed::LastAdministrator);
                }
                store::set_disabled(tx, id, disable, now, &by)?;
                Ok(Changed::Done(if disable { "disabled" } else { "enabled" }))
            })
            .await
        }
        "password" => {
            let password = form.password.clone().unwrap_or_default();
            if check_password(&password).is_err() {
                let message = password_message(lang);
                return accounts_page(
                    &state,
                    &console,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    &NewAccount::default(),
                    &[(&format!("password-{id}"), message)],
                )
                .await;
            }
            let store = state.store.clone();
            tokio::task::spawn_blocking(move || -> Result<Changed, StoreError> {
                let hash = super::password::hash(&password).map_err(StoreError)?;
                db::write(store.as_ref(), move |tx| {
                    if store::by_id(tx, id)?.is_none() {
                        return Ok(Changed::NoSuchAccount);
                    }
                    store::set_password(tx, id, &hash, &by)?;
                    Ok(Changed::Done("password"))
                })
            })
            .await
            .unwrap_or_else(|e| Err(StoreError(format!("crashed: {e}"))))
        }
        _ => return bad_change(&state, &console).await,
    };
    match outcome {
        Ok(Changed::Done(what)) => {
            tracing::info!(by = %console.session.account.name, account = id, change = what, "account changed");
            see_other(&format!("/admin/accounts?done={what}"))
        }
        Ok(Changed::NoSuchAccount) => {
            let message = lang.t(
                "Dieses Konto gibt es nicht mehr.",
                "This account no longer exists.",
            );
            refused_change(&state, &console, StatusCode::NOT_FOUND, message).await
        }
        Ok(Changed::LastAdministrator) => {
            let message = lang.t(
                "Das ist das letzte aktive Administrationskonto. Legen Sie zuerst ein weiteres an.",
                "This is the last active administrator. Create another one first.",
            );
            refused_change(&state, &console, StatusCode::CONFLICT, message).await
        }
        Err(e) => {
            tracing::error!(error = %e, "changing an account failed");
            unavailable(lang)
        }
    }
}

async fn bad_change(state: &SharedState, console: &Console) -> Response {
    let message = console.lang.t(
        "Diese Änderung kennt die Konsole nicht.",
        "The console does not know this change.",
    );
    refused_change(state, console, StatusCode::UNPROCESSABLE_ENTITY, message).await
}

/// The accounts page again, with why a change to an account was not made.
async fn refused_change(
    state: &SharedState,
    console: &Console,
    status: StatusCode,
    message: &str,
) -> Response {
    accounts_page(
        state,
        console,
        status,
        None,
        &NewAccount::default(),
        &[("accounts-caption", message.to_owned())],
    )
    .await
}

/// Whether `account` is the one active administrator left, who must not be demoted or disabled.
fn is_last_administrator(
    tx: &mut dyn crate::db::Tx,
    account: &Account,
) -> Result<bool, StoreError> {
    Ok(account.role == Role::Administrator
        && !account.disabled
        && store::active_administrators(tx)? <= 1)
}
