//! Signed-in sessions of the console: a `__Host-` cookie that holds a random secret (the
//! database keeps its sha256), expiring after [`IDLE_MS`] without a request and at the latest
//! [`LONGEST_MS`] after sign-in; a CSRF token per session that every state-changing request
//! sends back; and the sign-in itself, throttled per account (in the database, so that every
//! collector on it counts the same failures) and per client (`RateLimits`).

use super::store::{self, Account};
use super::{Role, password};
use crate::app::SharedState;
use crate::audit::{self, Action};
use crate::db::{self, StoreError, new_token, now, token_hash};
use axum::http::header::{COOKIE, ORIGIN};
use axum::http::{HeaderMap, HeaderValue};

/// The cookie's name: `__Host-` makes browsers accept it only with `Secure`, `Path=/` and no
/// `Domain`, so that no other site or path can set or read it. Browsers treat
/// `http://localhost` and `http://127.0.0.1` as secure; anything else needs https.
pub const COOKIE_NAME: &str = "__Host-mitmachen-console";
/// The form field and the header (for scripts of the console) that carry the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A session ends after this long without a request…
pub const IDLE_MS: i64 = 30 * 60 * 1000;
/// …and this long after sign-in, whatever happens.
pub const LONGEST_MS: i64 = 12 * 60 * 60 * 1000;
/// `last_seen_at` is written at most this often: a page view need not be a write.
const TOUCH_EVERY_MS: i64 = 60 * 1000;

/// Wrong passwords allowed before the account waits: [`FREE_FAILURES`], then 30 s, doubling
/// per further failure up to [`LONGEST_WAIT_S`].
pub const FREE_FAILURES: u32 = 5;
const FIRST_WAIT_S: i64 = 30;
const LONGEST_WAIT_S: i64 = 15 * 60;

/// A request from a signed-in account.
#[derive(Debug, Clone)]
pub struct Session {
    pub account: Account,
    pub csrf: String,
    id_hash: String,
}

impl Session {
    pub fn role(&self) -> Role {
        self.account.role
    }
}

/// The session the request's cookie names, if it is alive; refreshes its idle time.
pub fn current(state: &SharedState, headers: &HeaderMap) -> Result<Option<Session>, StoreError> {
    let Some(secret) = cookie(headers) else {
        return Ok(None);
    };
    let id_hash = token_hash(&secret);
    let now = now().0;
    let looked_up = id_hash.clone();
    let Some(stored) = db::read(state.store.as_ref(), move |tx| {
        store::session(tx, &looked_up)
    })?
    else {
        return Ok(None);
    };
    let alive = stored.last_seen_at > now - IDLE_MS
        && stored.created_at > now - LONGEST_MS
        && !stored.account.disabled;
    if !alive {
        return Ok(None);
    }
    if now - stored.last_seen_at >= TOUCH_EVERY_MS {
        let touched = id_hash.clone();
        db::write(state.store.as_ref(), move |tx| {
            store::touch_session(tx, &touched, now)
        })?;
    }
    Ok(Some(Session {
        account: stored.account,
        csrf: stored.csrf,
        id_hash,
    }))
}

/// The value of our cookie; a request that carries it twice carries none.
fn cookie(headers: &HeaderMap) -> Option<String> {
    let mut found = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim());
    match (found.next(), found.next()) {
        (Some(value), None) if crate::app::page::plausible_token(value) => Some(value.to_owned()),
        _ => None,
    }
}

/// The `Set-Cookie` value that starts a session.
pub fn start_cookie(secret: &str) -> HeaderValue {
    let value = format!(
        "{COOKIE_NAME}={secret}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={}",
        LONGEST_MS / 1000
    );
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static(""))
}

/// The `Set-Cookie` value that makes the browser forget it.
pub fn end_cookie() -> HeaderValue {
    HeaderValue::from_static(
        "__Host-mitmachen-console=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0",
    )
}

/// Ends the session on the server: its cookie is worthless from now on.
pub fn end(state: &SharedState, session: &Session) -> Result<(), StoreError> {
    let id_hash = session.id_hash.clone();
    db::write(state.store.as_ref(), move |tx| {
        store::end_session(tx, &id_hash)
    })
}

/// Whether a state-changing request may go ahead: it comes from the console's own pages (an
/// `Origin` or `Sec-Fetch-Site` that says otherwise is refused) and carries the session's
/// token.
pub fn csrf_ok(
    state: &SharedState,
    headers: &HeaderMap,
    session: &Session,
    sent: Option<&str>,
) -> bool {
    same_origin(state, headers)
        && sent.is_some_and(|token| {
            crate::app::admin::same_secret(token.as_bytes(), session.csrf.as_bytes())
        })
}

/// No sign that the request comes from another site: browsers send `Origin` with every POST
/// and `Sec-Fetch-Site` with every request; scripts send neither.
pub fn same_origin(state: &SharedState, headers: &HeaderMap) -> bool {
    let origin_ok = headers.get_all(ORIGIN).iter().all(|origin| {
        origin.to_str().is_ok_and(|o| {
            crate::config::normalise_origin(o).is_ok_and(|o| o == state.console_origin)
        })
    });
    let site_ok = headers
        .get_all("sec-fetch-site")
        .iter()
        .all(|site| matches!(site.as_bytes(), b"same-origin" | b"none"));
    origin_ok && site_ok
}

/// Forgets the sessions that have ended (idle or too old); how many.
pub fn purge(store: &dyn db::Store) -> Result<u64, StoreError> {
    let now = now().0;
    db::write(store, move |tx| {
        store::purge_sessions(tx, now - IDLE_MS, now - LONGEST_MS)
    })
}

/// What a sign-in came to.
pub enum SignIn {
    /// A new session: the cookie's secret and the account.
    Started { secret: String, account: Account },
    /// Unknown name, disabled account or wrong password: which one is not said.
    Refused,
    /// Too many wrong passwords for this account lately: try again in this many seconds.
    Throttled { retry_after: u64 },
}

/// How long an account with `failures` wrong passwords waits after the last one (s).
pub fn wait_after(failures: u32) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - FREE_FAILURES).min(10);
    (FIRST_WAIT_S << doublings).min(LONGEST_WAIT_S)
}

/// Checks a name and password and starts a session. Blocks (argon2 and the database): call it
/// on a blocking thread.
pub fn sign_in(store: &dyn db::Store, name: &str, password: &str) -> Result<SignIn, StoreError> {
    let name = super::normalise_name(name);
    let looked_up = name.clone();
    let Some((account, hash)) = db::read(store, move |tx| store::by_name(tx, &looked_up))? else {
        password::verify_nothing(password);
        // Not the typed name: people type all sorts of things into a name field.
        db::write(store, |tx| {
            audit::record(tx, "", Action::SignInFailed, "", "no account of that name")
        })?;
        return Ok(SignIn::Refused);
    };
    let now = now().0;
    if let Some(last) = account.last_failed_at {
        let until = last + wait_after(account.failed_sign_ins) * 1000;
        if until > now {
            return Ok(SignIn::Throttled {
                retry_after: u64::try_from((until - now + 999) / 1000).unwrap_or(1),
            });
        }
    }
    // The attempt counts as a failure before the password is checked, and only if no other
    // attempt counted since the read above: concurrent guesses cannot all slip past the
    // throttle while argon2 runs.
    let (id, seen) = (account.id, account.failed_sign_ins);
    let counted = db::write(store, move |tx| {
        Ok(tx.execute(
            "UPDATE accounts SET failed_sign_ins = failed_sign_ins + 1, last_failed_at = ?2
             WHERE id = ?1 AND failed_sign_ins = ?3",
            crate::args![id, now, seen],
        )? == 1)
    })?;
    if !counted {
        return Ok(SignIn::Throttled { retry_after: 1 });
    }
    if !password::verify(password, &hash) || account.disabled {
        let (name, why) = (
            account.name.clone(),
            if account.disabled {
                "account disabled"
            } else {
                "wrong password"
            },
        );
        db::write(store, move |tx| {
            audit::record(tx, &name, Action::SignInFailed, &name, why)
        })?;
        return Ok(SignIn::Refused);
    }
    let secret = new_token()?;
    let csrf = new_token()?;
    let id_hash = token_hash(&secret);
    let name = account.name.clone();
    db::write(store, move |tx| {
        store::record_success(tx, id)?;
        audit::record(tx, &name, Action::SignIn, &name, "")?;
        store::create_session(tx, &id_hash, id, &csrf, now)
    })?;
    let account = Account {
        failed_sign_ins: 0,
        last_failed_at: None,
        ..account
    };
    Ok(SignIn::Started { secret, account })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_after_the_free_failures_and_stop_growing() {
        assert_eq!(wait_after(0), 0);
        assert_eq!(wait_after(FREE_FAILURES - 1), 0);
        assert_eq!(wait_after(FREE_FAILURES), 30);
        assert_eq!(wait_after(FREE_FAILURES + 1), 60);
        assert_eq!(wait_after(FREE_FAILURES + 5), LONGEST_WAIT_S);
        assert_eq!(wait_after(u32::MAX), LONGEST_WAIT_S);
    }

    #[test]
    fn the_cookie_is_read_once_and_only_when_plausible() {
        let token = "a".repeat(64);
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_str(&format!("other=1; {COOKIE_NAME}={token}")).expect("value"),
        );
        assert_eq!(cookie(&headers), Some(token.clone()));
        headers.append(
            COOKIE,
            HeaderValue::from_str(&format!("{COOKIE_NAME}={token}")).expect("value"),
        );
        assert_eq!(cookie(&headers), None);
        let mut short = HeaderMap::new();
        short.insert(
            COOKIE,
            HeaderValue::from_static("__Host-mitmachen-console=abc"),
        );
        assert_eq!(cookie(&short), None);
    }
}
