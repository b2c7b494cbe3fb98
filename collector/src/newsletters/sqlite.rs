//! Newsletter subscriptions in SQLite: a request (inside the submission's write transaction),
//! confirming and unsubscribing by link, the subscribers with their proof, the webhook queue,
//! and the purge of unconfirmed requests.
//!
//! A request for an address that the widget already has confirmed, for lists it already gets,
//! stores nothing and queues an "already subscribed" mail instead; either way the browser gets
//! the same receipt. Mails per address and per client are counted per day, and beyond the limit
//! a request is answered the same and stores nothing.

use super::mail::NewsletterMailKind;
use super::records::{
    ConfirmOutcome, ConfirmView, ConsentRecord, SubscriberRecord, SubscriptionContext,
    SubscriptionStatus, UnsubscribeOutcome, WebhookJob,
};
use crate::db::sqlite::queue::WEBHOOKS;
use crate::db::{StoreError, hex, new_token, token_hash};
use crate::mail::MailKind;
use crate::newsletters::{MAILS_PER_ADDRESS_PER_DAY, MAILS_PER_CLIENT_PER_DAY, Newsletter};
use hmac::{Hmac, Mac};
use mitmachen_shared::event::lang_code;
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::Subscription;
use mitmachen_shared::time::{Timestamp, rfc3339_utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;

const MS_PER_DAY: i64 = 86_400_000;

/// Addresses compare without case, as for registrations.
pub(crate) fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A secret of this installation, made on first use inside the caller's write transaction.
fn secret(conn: &Connection, name: &str) -> Result<Vec<u8>, StoreError> {
    let stored: Option<String> = conn
        .query_row(
            "SELECT value FROM secrets WHERE name = ?1",
            params![name],
            |row| row.get(0),
        )
        .optional()?;
    let value = match stored {
        Some(v) => v,
        None => {
            let v = new_token()?;
            conn.execute(
                "INSERT INTO secrets (name, value) VALUES (?1, ?2)",
                params![name, v],
            )?;
            v
        }
    };
    Ok(value.into_bytes())
}

fn hmac_hex(key: &[u8], message: &str) -> Result<String, StoreError> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key).map_err(|e| StoreError(format!("hmac key: {e}")))?;
    mac.update(message.as_bytes());
    Ok(hex(&mac.finalize().into_bytes()))
}

/// The keyed hash under which an unsubscribed address is remembered.
pub(crate) fn address_hmac(conn: &Connection, email_key: &str) -> Result<String, StoreError> {
    hmac_hex(&secret(conn, "address_key")?, email_key)
}

/// The day's counter keys of an address and a client; both change every day.
fn counter_keys(
    conn: &Connection,
    email_key: &str,
    client: &str,
    day: i64,
) -> Result<[String; 2], StoreError> {
    let key = secret(conn, "address_key")?;
    Ok([
        hmac_hex(&key, &format!("address {day} {email_key}"))?,
        hmac_hex(&key, &format!("client {day} {client}"))?,
    ])
}

fn counted(conn: &Connection, day: i64, key: &str) -> Result<u32, StoreError> {
    let n: Option<i64> = conn
        .query_row(
            "SELECT count FROM optin_counts WHERE day = ?1 AND key_hash = ?2",
            params![day, key],
            |row| row.get(0),
        )
        .optional()?;
    Ok(u32::try_from(n.unwrap_or(0)).unwrap_or(u32::MAX))
}

/// Stores the consent text once per wording and widget; its row id.
fn consent_id(
    conn: &Connection,
    widget: &str,
    text: &str,
    privacy: &str,
    now: Timestamp,
) -> Result<i64, StoreError> {
    let sha256 = consent_sha256(text, privacy);
    if let Some(id) = conn
        .query_row(
            "SELECT id FROM consent_texts WHERE widget = ?1 AND sha256 = ?2",
            params![widget, sha256],
            |row| row.get(0),
        )
        .optional()?
    {
        return Ok(id);
    }
    conn.execute(
        "INSERT INTO consent_texts (widget, version, sha256, text, privacy, first_seen)
         VALUES (?1, (SELECT ifnull(max(version), 0) + 1 FROM consent_texts WHERE widget = ?1),
                 ?2, ?3, ?4, ?5)",
        params![widget, sha256, text, privacy, rfc3339_utc(now)],
    )?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn consent_sha256(text: &str, privacy: &str) -> String {
    hex(&Sha256::digest(format!("{text}\n{privacy}").as_bytes()))
}

/// Takes a request: a pending subscription and its confirmation mail, or an "already
/// subscribed" mail, or (over the day's limits) nothing.
pub(crate) fn request(
    conn: &Connection,
    submission: i64,
    widget: &str,
    sub: &Subscription,
    context: &SubscriptionContext,
    now: Timestamp,
) -> Result<(), StoreError> {
    let key = email_key(&sub.email);
    let day = now.0.div_euclid(MS_PER_DAY);
    let counters = counter_keys(conn, &key, &context.client, day)?;
    if counted(conn, day, &counters[0])? >= MAILS_PER_ADDRESS_PER_DAY
        || counted(conn, day, &counters[1])? >= MAILS_PER_CLIENT_PER_DAY
    {
        tracing::info!(
            widget,
            "subscription request over the day's mail limit; answered, not mailed"
        );
        return Ok(());
    }
    for counter in &counters {
        conn.execute(
            "INSERT INTO optin_counts (day, key_hash, count) VALUES (?1, ?2, 1)
             ON CONFLICT (day, key_hash) DO UPDATE SET count = count + 1",
            params![day, counter],
        )?;
    }

    // The lists the address already gets from this widget.
    let mut confirmed: Vec<(i64, Vec<String>)> = Vec::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT id, lists FROM subscriptions
             WHERE widget = ?1 AND email_key = ?2 AND status = 'confirmed' ORDER BY id",
        )?;
        let mut rows = stmt.query(params![widget, key])?;
        while let Some(row) = rows.next()? {
            confirmed.push((row.get(0)?, lists_from(&row.get::<_, String>(1)?)?));
        }
    }
    let has = |list: &str| confirmed.iter().any(|(_, l)| l.iter().any(|x| x == list));
    if let Some((latest, _)) = confirmed.last()
        && sub.lists.iter().all(|l| has(l.as_str()))
    {
        enqueue_unsubscribable(
            conn,
            *latest,
            widget,
            &key,
            MailKind::Newsletter(NewsletterMailKind::AlreadySubscribed),
            now,
        )?;
        return Ok(());
    }

    let consent = consent_id(conn, widget, &sub.consent, &sub.privacy, now)?;
    let token = new_token()?;
    let lists: Vec<&str> = sub.lists.iter().map(|l| l.as_str()).collect();
    let newsletter = &context.newsletter;
    conn.execute(
        "INSERT INTO subscriptions
           (widget, submission, status, email, email_key, name, lists, consent, page, lang,
            requested_at, confirm_token_sha256, confirm_expires_ms, purge_at_ms)
         VALUES (?1, ?2, 'pending', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            widget,
            submission,
            sub.email.trim(),
            key,
            sub.name.trim(),
            json!(lists).to_string(),
            consent,
            sub.page,
            lang_code(sub.language()),
            rfc3339_utc(now),
            token_hash(&token),
            now.0.saturating_add(newsletter.confirm_ms()),
            now.0.saturating_add(newsletter.unconfirmed_ms()),
        ],
    )?;
    let id = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO mail_queue (subscription, kind, token, created_at, next_attempt_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            id,
            MailKind::Newsletter(NewsletterMailKind::Confirm).as_str(),
            token,
            rfc3339_utc(now),
            now.0
        ],
    )?;
    Ok(())
}

fn lists_from(json: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError(format!("stored lists are not JSON: {e}")))
}

/// A fresh unsubscribe token for the address, of which only the hash stays.
fn unsubscribe_token(conn: &Connection, widget: &str, key: &str) -> Result<String, StoreError> {
    let token = new_token()?;
    conn.execute(
        "INSERT INTO unsubscribe_tokens (token_sha256, widget, email_key) VALUES (?1, ?2, ?3)",
        params![token_hash(&token), widget, key],
    )?;
    Ok(token)
}

/// Queues a mail to a subscriber, with an unsubscribe link of its own.
fn enqueue_unsubscribable(
    conn: &Connection,
    subscription: i64,
    widget: &str,
    key: &str,
    kind: MailKind,
    now: Timestamp,
) -> Result<(), StoreError> {
    let token = unsubscribe_token(conn, widget, key)?;
    conn.execute(
        "INSERT INTO mail_queue (subscription, kind, token, created_at, next_attempt_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![subscription, kind.as_str(), token, rfc3339_utc(now), now.0],
    )?;
    Ok(())
}

struct Pending {
    id: i64,
    widget: WidgetId,
    status: String,
    lang: String,
    expires_ms: i64,
}

fn by_confirm_token(conn: &Connection, token: &str) -> Result<Option<Pending>, StoreError> {
    let row = conn
        .query_row(
            "SELECT id, widget, status, lang, confirm_expires_ms FROM subscriptions
             WHERE confirm_token_sha256 = ?1",
            params![token_hash(token)],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, i64>(4)?,
                ))
            },
        )
        .optional()?;
    row.map(|(id, widget, status, lang, expires_ms)| {
        Ok(Pending {
            id,
            widget: stored_widget(&widget)?,
            status,
            lang,
            expires_ms,
        })
    })
    .transpose()
}

fn stored_widget(widget: &str) -> Result<WidgetId, StoreError> {
    WidgetId::parse(widget).map_err(|e| StoreError(format!("stored widget id '{widget}' {e}")))
}

pub(crate) fn confirm_view(
    conn: &Connection,
    token: &str,
    now: Timestamp,
) -> Result<ConfirmView, StoreError> {
    Ok(match by_confirm_token(conn, token)? {
        None => ConfirmView::Unknown,
        Some(p) if p.status == "confirmed" => ConfirmView::Confirmed {
            widget: p.widget,
            lang: p.lang,
        },
        Some(p) if now.0 >= p.expires_ms => ConfirmView::Expired {
            widget: p.widget,
            lang: p.lang,
        },
        Some(p) => ConfirmView::Pending {
            widget: p.widget,
            lang: p.lang,
        },
    })
}

/// Confirms the request of `token`: the proof gets its time, the other unconfirmed requests of
/// the address to the widget go, a suppression of the address is lifted, and the welcome mail
/// and the webhook delivery are queued; one transaction.
pub(crate) fn confirm(
    conn: &Connection,
    token: &str,
    newsletters: &BTreeMap<WidgetId, Arc<Newsletter>>,
    now: Timestamp,
) -> Result<ConfirmOutcome, StoreError> {
    let Some(p) = by_confirm_token(conn, token)? else {
        return Ok(ConfirmOutcome::Unknown);
    };
    if p.status == "confirmed" {
        return Ok(ConfirmOutcome::AlreadyConfirmed {
            widget: p.widget,
            lang: p.lang,
        });
    }
    if now.0 >= p.expires_ms {
        return Ok(ConfirmOutcome::Expired {
            widget: p.widget,
            lang: p.lang,
        });
    }
    let at = rfc3339_utc(now);
    conn.execute(
        "UPDATE subscriptions SET status = 'confirmed', confirmed_at = ?1, purge_at_ms = NULL
         WHERE id = ?2",
        params![at, p.id],
    )?;
    let key: String = conn.query_row(
        "SELECT email_key FROM subscriptions WHERE id = ?1",
        params![p.id],
        |row| row.get(0),
    )?;
    let widget = p.widget.as_str();
    conn.execute(
        "DELETE FROM subscriptions WHERE widget = ?1 AND email_key = ?2 AND status = 'pending'",
        params![widget, key],
    )?;
    conn.execute(
        "DELETE FROM suppressions WHERE widget = ?1 AND address_hmac = ?2",
        params![widget, address_hmac(conn, &key)?],
    )?;
    enqueue_unsubscribable(
        conn,
        p.id,
        widget,
        &key,
        MailKind::Newsletter(NewsletterMailKind::Welcome),
        now,
    )?;
    if let Some(newsletter) = newsletters.get(&p.widget).filter(|n| n.webhook.is_some()) {
        let record = load(conn, p.id)?
            .ok_or_else(|| StoreError("a subscription vanished while confirming".into()))?;
        let names: Vec<_> = newsletter
            .lists
            .iter()
            .filter(|(k, _)| record.lists.iter().any(|l| l == k.as_str()))
            .map(|(k, name)| json!({ "key": k.as_str(), "name": name }))
            .collect();
        let payload = json!({
            "event": "subscribed",
            "widget": widget,
            "email": record.email,
            "name": record.name,
            "lists": names,
            "lang": record.lang,
            "consent": record.consent,
            "page": record.page,
            "requested_at": record.requested_at,
            "confirmed_at": record.confirmed_at,
        });
        let token = unsubscribe_token(conn, widget, &key)?;
        enqueue_webhook(
            conn,
            widget,
            "subscribed",
            &key,
            &payload,
            Some(&token),
            now,
        )?;
    }
    Ok(ConfirmOutcome::Confirmed {
        widget: p.widget,
        lang: p.lang,
    })
}

fn enqueue_webhook(
    conn: &Connection,
    widget: &str,
    event: &str,
    key: &str,
    payload: &serde_json::Value,
    token: Option<&str>,
    now: Timestamp,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO webhook_queue
           (widget, event, email_key, payload, token, created_at, next_attempt_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            widget,
            event,
            key,
            payload.to_string(),
            token,
            rfc3339_utc(now),
            now.0
        ],
    )?;
    Ok(())
}

/// The widget and language behind an unsubscribe link, if it is known.
pub(crate) fn unsubscribe_view(
    conn: &Connection,
    token: &str,
) -> Result<Option<(WidgetId, String)>, StoreError> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT t.widget, ifnull((SELECT s.lang FROM subscriptions s
                 WHERE s.widget = t.widget AND s.email_key = t.email_key
                 ORDER BY s.id DESC LIMIT 1), 'de')
             FROM unsubscribe_tokens t WHERE t.token_sha256 = ?1",
            params![token_hash(token)],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    row.map(|(w, lang)| Ok((stored_widget(&w)?, lang)))
        .transpose()
}

/// Ends every subscription of the link's address to its widget, remembers only a keyed hash
/// of the address, and forwards the unsubscription; one transaction.
pub(crate) fn unsubscribe(
    conn: &Connection,
    token: &str,
    newsletters: &BTreeMap<WidgetId, Arc<Newsletter>>,
    now: Timestamp,
) -> Result<UnsubscribeOutcome, StoreError> {
    let Some((widget, lang)) = unsubscribe_view(conn, token)? else {
        return Ok(UnsubscribeOutcome::Unknown);
    };
    let key: String = conn.query_row(
        "SELECT email_key FROM unsubscribe_tokens WHERE token_sha256 = ?1",
        params![token_hash(token)],
        |row| row.get(0),
    )?;
    let w = widget.as_str();
    let email: Option<String> = conn
        .query_row(
            "SELECT email FROM subscriptions WHERE widget = ?1 AND email_key = ?2
             AND status = 'confirmed' ORDER BY id DESC LIMIT 1",
            params![w, key],
            |row| row.get(0),
        )
        .optional()?;
    conn.execute(
        "DELETE FROM subscriptions WHERE widget = ?1 AND email_key = ?2",
        params![w, key],
    )?;
    conn.execute(
        "DELETE FROM unsubscribe_tokens WHERE widget = ?1 AND email_key = ?2",
        params![w, key],
    )?;
    // Deliveries not yet made would tell the town's system about someone who left.
    conn.execute(
        "DELETE FROM webhook_queue WHERE widget = ?1 AND email_key = ?2 AND sent_at IS NULL",
        params![w, key],
    )?;
    conn.execute(
        "INSERT INTO suppressions (widget, address_hmac, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
        params![w, address_hmac(conn, &key)?, rfc3339_utc(now)],
    )?;
    if let Some(email) = email
        && newsletters
            .get(&widget)
            .is_some_and(|n| n.webhook.is_some())
    {
        let payload = json!({
            "event": "unsubscribed",
            "widget": w,
            "email": email,
            "unsubscribed_at": rfc3339_utc(now),
        });
        enqueue_webhook(conn, w, "unsubscribed", &key, &payload, None, now)?;
    }
    Ok(UnsubscribeOutcome::Unsubscribed { widget, lang })
}

const RECORD_SQL: &str = "SELECT s.id, s.widget, s.status, s.email, s.name, s.lists, s.page, \
    s.lang, s.requested_at, s.confirmed_at, c.version, c.sha256, c.text, c.privacy, c.first_seen \
    FROM subscriptions s JOIN consent_texts c ON c.id = s.consent";

/// A row as read; [`finish`] checks its widget, status and lists.
struct RawRecord {
    id: i64,
    widget: String,
    status: String,
    email: String,
    name: String,
    lists: String,
    page: String,
    lang: String,
    requested_at: String,
    confirmed_at: Option<String>,
    consent: ConsentRecord,
}

fn record_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawRecord> {
    Ok(RawRecord {
        id: row.get(0)?,
        widget: row.get(1)?,
        status: row.get(2)?,
        email: row.get(3)?,
        name: row.get(4)?,
        lists: row.get(5)?,
        page: row.get(6)?,
        lang: row.get(7)?,
        requested_at: row.get(8)?,
        confirmed_at: row.get(9)?,
        consent: ConsentRecord {
            version: u32::try_from(row.get::<_, i64>(10)?).unwrap_or(0),
            sha256: row.get(11)?,
            text: row.get(12)?,
            privacy: row.get(13)?,
            first_seen: row.get(14)?,
        },
    })
}

fn finish(raw: RawRecord) -> Result<SubscriberRecord, StoreError> {
    Ok(SubscriberRecord {
        id: raw.id,
        widget: stored_widget(&raw.widget)?,
        status: SubscriptionStatus::parse(&raw.status)
            .ok_or_else(|| StoreError(format!("stored subscription status '{}'", raw.status)))?,
        email: raw.email,
        name: raw.name,
        lists: lists_from(&raw.lists)?,
        consent: raw.consent,
        page: raw.page,
        lang: raw.lang,
        requested_at: raw.requested_at,
        confirmed_at: raw.confirmed_at,
    })
}

fn load(conn: &Connection, id: i64) -> Result<Option<SubscriberRecord>, StoreError> {
    conn.query_row(
        &format!("{RECORD_SQL} WHERE s.id = ?1"),
        params![id],
        record_row,
    )
    .optional()?
    .map(finish)
    .transpose()
}

/// A widget's subscriptions, oldest first; with `status`, only those.
pub(crate) fn list(
    conn: &Connection,
    widget: &str,
    status: Option<SubscriptionStatus>,
) -> Result<Vec<SubscriberRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{RECORD_SQL} WHERE s.widget = ?1 AND (?2 IS NULL OR s.status = ?2) ORDER BY s.id"
    ))?;
    let rows = stmt.query_map(params![widget, status.map(|s| s.as_str())], record_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(finish(row?)?);
    }
    Ok(out)
}

pub(crate) fn claim_webhooks(
    conn: &Connection,
    now_ms: i64,
    lease_ms: i64,
    limit: usize,
) -> Result<Vec<WebhookJob>, StoreError> {
    let mut jobs = Vec::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT id, widget, event, payload, token, attempts FROM webhook_queue
             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_ms <= ?1
             ORDER BY id LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![now_ms, i64::try_from(limit).unwrap_or(i64::MAX)])?;
        while let Some(row) = rows.next()? {
            let widget: String = row.get(1)?;
            jobs.push(WebhookJob {
                id: row.get(0)?,
                widget: stored_widget(&widget)?,
                event: row.get(2)?,
                payload: row.get::<_, Option<String>>(3)?.unwrap_or_default(),
                token: row.get(4)?,
                attempts: u32::try_from(row.get::<_, i64>(5)?).unwrap_or(u32::MAX),
            });
        }
    }
    WEBHOOKS.lease(
        conn,
        jobs.iter().map(|j| j.id),
        now_ms.saturating_add(lease_ms),
    )?;
    Ok(jobs)
}

/// Deletes unconfirmed requests past their time, the day counters of earlier days, and
/// webhook records delivered (or given up) over 30 days ago; returns the requests deleted.
pub(crate) fn purge(conn: &Connection, now: Timestamp) -> Result<usize, StoreError> {
    let n = conn.execute(
        "DELETE FROM subscriptions WHERE status = 'pending' AND purge_at_ms <= ?1",
        params![now.0],
    )?;
    conn.execute(
        "DELETE FROM optin_counts WHERE day < ?1",
        params![now.0.div_euclid(MS_PER_DAY)],
    )?;
    conn.execute(
        "DELETE FROM webhook_queue WHERE payload IS NULL AND created_at < ?1",
        params![rfc3339_utc(Timestamp(now.0 - 30 * MS_PER_DAY))],
    )?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::SqliteStore;
    use crate::db::{NewSubmission, Store, SubmitOutcome};
    use mitmachen_shared::protocol::Submission;

    fn request(email: &str) -> NewSubmission {
        let subscription = Subscription {
            email: email.into(),
            name: String::new(),
            lists: Vec::new(),
            consent: "Ja, ich möchte den Newsletter erhalten.".into(),
            privacy: "https://example.de/datenschutz".into(),
            page: "https://example.de/".into(),
            lang: "en".into(),
            honeypot: String::new(),
        };
        let submission = Submission::Subscription(subscription);
        NewSubmission {
            widget: WidgetId::parse("newsletter").expect("id"),
            idempotency_key: format!("key-{email}"),
            body: serde_json::to_vec(&submission).expect("json"),
            submission,
            moderation: Default::default(),
            rules: None,
            registration: None,
            subscription: Some(SubscriptionContext {
                newsletter: Arc::new(Newsletter::default()),
                client: "client".into(),
            }),
        }
    }

    /// The queued confirmation mail's token, and what the database holds of it.
    fn token_and_hash(store: &SqliteStore) -> (String, String) {
        let conn = store.writer.lock().expect("lock");
        conn.query_row(
            "SELECT q.token, s.confirm_token_sha256 FROM mail_queue q
             JOIN subscriptions s ON s.id = q.subscription",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a queued mail")
    }

    #[test]
    fn confirmation_tokens_are_random_hashed_and_expire() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(&dir.path().join("db.sqlite3")).expect("open");
        let outcome = store.submit(request("a@example.de")).expect("submit");
        assert!(matches!(outcome, SubmitOutcome::Stored(_)));
        let (token, stored) = token_and_hash(&store);
        assert_eq!(token.len(), 64);
        assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(stored, token_hash(&token), "only the SHA-256 is kept");
        assert_ne!(stored, token);

        let widget = WidgetId::parse("newsletter").expect("id");
        let lang = "en".to_string();
        let now = crate::db::now();
        let later = Timestamp(now.0 + 48 * 3_600_000 + 1);
        let pending = ConfirmView::Pending {
            widget: widget.clone(),
            lang: lang.clone(),
        };
        assert_eq!(store.confirm_view(&token, now).expect("view"), pending);
        assert!(matches!(
            store.confirm_view(&token, later).expect("view"),
            ConfirmView::Expired { .. }
        ));
        assert_eq!(
            store.confirm_view(&"0".repeat(64), now).expect("view"),
            ConfirmView::Unknown
        );
        assert_eq!(
            store.confirm_view(&stored, now).expect("view"),
            ConfirmView::Unknown,
            "the stored hash is no token"
        );
        let newsletters = BTreeMap::new();
        assert!(matches!(
            store.confirm(&token, &newsletters, later).expect("confirm"),
            ConfirmOutcome::Expired { .. }
        ));
        assert_eq!(
            store.confirm(&token, &newsletters, now).expect("confirm"),
            ConfirmOutcome::Confirmed { widget, lang }
        );
        assert!(matches!(
            store.confirm(&token, &newsletters, now).expect("again"),
            ConfirmOutcome::AlreadyConfirmed { .. }
        ));

        // Once sent, a mail forgets its token; the welcome mail's unsubscribe token is another.
        let jobs = store.claim_mails(now.0, 60_000, 10).expect("claim");
        assert_eq!(jobs.len(), 2);
        assert_ne!(jobs[0].token, jobs[1].token);
        for job in &jobs {
            store.mail_sent(job.id).expect("sent");
        }
        let left: i64 = store
            .writer
            .lock()
            .expect("lock")
            .query_row(
                "SELECT count(*) FROM mail_queue WHERE token IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(left, 0);
    }

    #[test]
    fn consent_texts_are_stored_once_per_wording_with_a_version() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(&dir.path().join("db.sqlite3")).expect("open");
        store.submit(request("a@example.de")).expect("first");
        store.submit(request("b@example.de")).expect("same wording");
        let mut other = request("c@example.de");
        if let Submission::Subscription(s) = &mut other.submission {
            s.consent = "Ja, bitte.".into();
        }
        other.body = serde_json::to_vec(&other.submission).expect("json");
        store.submit(other).expect("new wording");
        let conn = store.writer.lock().expect("lock");
        let versions: Vec<(i64, String)> = conn
            .prepare("SELECT version, sha256 FROM consent_texts ORDER BY version")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0].0, 1);
        assert_eq!(versions[1].0, 2);
        assert_eq!(
            versions[0].1,
            consent_sha256(
                "Ja, ich möchte den Newsletter erhalten.",
                "https://example.de/datenschutz"
            )
        );
    }
}
