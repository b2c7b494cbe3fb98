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
    ConfirmOutcome, ConfirmView, ConsentRecord, LinkSubject, SubscriberRecord, SubscriptionContext,
    SubscriptionStatus, UnsubscribeOutcome, WebhookJob,
};
use crate::args;
use crate::db::queue::WEBHOOKS;
use crate::db::{Row, StoreError, Tx, hex, new_token, token_hash};
use crate::mail::MailKind;
use crate::newsletters::{MAILS_PER_ADDRESS_PER_DAY, MAILS_PER_CLIENT_PER_DAY, Newsletter};
use hmac::{Hmac, Mac};
use mitmachen_shared::event::lang_code;
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::Subscription;
use mitmachen_shared::time::{Timestamp, rfc3339_utc};
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
fn secret(tx: &mut dyn Tx, name: &str) -> Result<Vec<u8>, StoreError> {
    let stored = tx
        .query_opt("SELECT value FROM secrets WHERE name = ?1", args![name])?
        .map(|row| row.text(0))
        .transpose()?;
    let value = match stored {
        Some(v) => v,
        None => {
            let v = new_token()?;
            tx.execute(
                "INSERT INTO secrets (name, value) VALUES (?1, ?2)",
                args![name, v],
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
pub(crate) fn address_hmac(tx: &mut dyn Tx, email_key: &str) -> Result<String, StoreError> {
    hmac_hex(&secret(tx, "address_key")?, email_key)
}

/// The day's counter keys of an address and a client; both change every day.
fn counter_keys(
    tx: &mut dyn Tx,
    email_key: &str,
    client: &str,
    day: i64,
) -> Result<[String; 2], StoreError> {
    let key = secret(tx, "address_key")?;
    Ok([
        hmac_hex(&key, &format!("address {day} {email_key}"))?,
        hmac_hex(&key, &format!("client {day} {client}"))?,
    ])
}

fn counted(tx: &mut dyn Tx, day: i64, key: &str) -> Result<u32, StoreError> {
    tx.query_opt(
        "SELECT count FROM optin_counts WHERE day = ?1 AND key_hash = ?2",
        args![day, key],
    )?
    .map_or(Ok(0), |row| row.u32(0))
}

/// Stores the consent text once per wording and widget; its row id.
fn consent_id(
    tx: &mut dyn Tx,
    widget: &str,
    text: &str,
    privacy: &str,
    now: Timestamp,
) -> Result<i64, StoreError> {
    let sha256 = consent_sha256(text, privacy);
    if let Some(row) = tx.query_opt(
        "SELECT id FROM consent_texts WHERE widget = ?1 AND sha256 = ?2",
        args![widget, sha256],
    )? {
        return row.int(0);
    }
    tx.query_one(
        "INSERT INTO consent_texts (widget, version, sha256, text, privacy, first_seen)
         VALUES (?1, (SELECT coalesce(max(version), 0) + 1 FROM consent_texts WHERE widget = ?1),
                 ?2, ?3, ?4, ?5)
         RETURNING id",
        args![widget, sha256, text, privacy, rfc3339_utc(now)],
    )?
    .int(0)
}

pub(crate) fn consent_sha256(text: &str, privacy: &str) -> String {
    hex(&Sha256::digest(format!("{text}\n{privacy}").as_bytes()))
}

/// Takes a request: a pending subscription and its confirmation mail, or an "already
/// subscribed" mail, or (over the day's limits) nothing.
pub(crate) fn request(
    tx: &mut dyn Tx,
    submission: i64,
    widget: &str,
    sub: &Subscription,
    context: &SubscriptionContext,
    now: Timestamp,
) -> Result<(), StoreError> {
    let key = email_key(&sub.email);
    let day = now.0.div_euclid(MS_PER_DAY);
    let counters = counter_keys(tx, &key, &context.client, day)?;
    if counted(tx, day, &counters[0])? >= MAILS_PER_ADDRESS_PER_DAY
        || counted(tx, day, &counters[1])? >= MAILS_PER_CLIENT_PER_DAY
    {
        tracing::info!(
            widget,
            "subscription request over the day's mail limit; answered, not mailed"
        );
        return Ok(());
    }
    for counter in &counters {
        tx.execute(
            "INSERT INTO optin_counts (day, key_hash, count) VALUES (?1, ?2, 1)
             ON CONFLICT (day, key_hash) DO UPDATE SET count = optin_counts.count + 1",
            args![day, counter],
        )?;
    }

    // The lists the address already gets from this widget.
    let confirmed = tx
        .query(
            "SELECT id, lists FROM subscriptions
             WHERE widget = ?1 AND email_key = ?2 AND status = 'confirmed' ORDER BY id",
            args![widget, key],
        )?
        .iter()
        .map(|row| Ok((row.int(0)?, lists_from(&row.text(1)?)?)))
        .collect::<Result<Vec<(i64, Vec<String>)>, StoreError>>()?;
    let has = |list: &str| confirmed.iter().any(|(_, l)| l.iter().any(|x| x == list));
    if let Some((latest, _)) = confirmed.last()
        && sub.lists.iter().all(|l| has(l.as_str()))
    {
        enqueue_unsubscribable(
            tx,
            *latest,
            widget,
            &key,
            MailKind::Newsletter(NewsletterMailKind::AlreadySubscribed),
            now,
        )?;
        return Ok(());
    }

    let consent = consent_id(tx, widget, &sub.consent, &sub.privacy, now)?;
    let token = new_token()?;
    let lists: Vec<&str> = sub.lists.iter().map(|l| l.as_str()).collect();
    let newsletter = &context.newsletter;
    let id = tx
        .query_one(
            "INSERT INTO subscriptions
           (widget, submission, status, email, email_key, name, lists, consent, page, lang,
            requested_at, confirm_token_sha256, confirm_expires_ms, purge_at_ms)
         VALUES (?1, ?2, 'pending', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         RETURNING id",
            args![
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
        )?
        .int(0)?;
    tx.execute(
        "INSERT INTO mail_queue (subscription, kind, token, created_at, next_attempt_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        args![
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
fn unsubscribe_token(tx: &mut dyn Tx, widget: &str, key: &str) -> Result<String, StoreError> {
    let token = new_token()?;
    tx.execute(
        "INSERT INTO unsubscribe_tokens (token_sha256, widget, email_key) VALUES (?1, ?2, ?3)",
        args![token_hash(&token), widget, key],
    )?;
    Ok(token)
}

/// Queues a mail to a subscriber, with an unsubscribe link of its own.
fn enqueue_unsubscribable(
    tx: &mut dyn Tx,
    subscription: i64,
    widget: &str,
    key: &str,
    kind: MailKind,
    now: Timestamp,
) -> Result<(), StoreError> {
    let token = unsubscribe_token(tx, widget, key)?;
    tx.execute(
        "INSERT INTO mail_queue (subscription, kind, token, created_at, next_attempt_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        args![subscription, kind.as_str(), token, rfc3339_utc(now), now.0],
    )?;
    Ok(())
}

struct Pending {
    id: i64,
    status: String,
    expires_ms: i64,
    subject: LinkSubject,
}

fn by_confirm_token(tx: &mut dyn Tx, token: &str) -> Result<Option<Pending>, StoreError> {
    tx.query_opt(
        "SELECT id, widget, status, lang, confirm_expires_ms, email, lists, page
         FROM subscriptions WHERE confirm_token_sha256 = ?1",
        args![token_hash(token)],
    )?
    .map(|row| {
        Ok(Pending {
            id: row.int(0)?,
            status: row.text(2)?,
            expires_ms: row.int(4)?,
            subject: LinkSubject {
                widget: stored_widget(&row.text(1)?)?,
                lang: row.text(3)?,
                email: row.text(5)?,
                lists: lists_from(&row.text(6)?)?,
                page: row.text(7)?,
            },
        })
    })
    .transpose()
}

fn stored_widget(widget: &str) -> Result<WidgetId, StoreError> {
    WidgetId::parse(widget).map_err(|e| StoreError(format!("stored widget id '{widget}' {e}")))
}

pub(crate) fn confirm_view(
    tx: &mut dyn Tx,
    token: &str,
    now: Timestamp,
) -> Result<ConfirmView, StoreError> {
    Ok(match by_confirm_token(tx, token)? {
        None => ConfirmView::Unknown,
        Some(p) if p.status == "confirmed" => ConfirmView::Confirmed(p.subject),
        Some(p) if now.0 >= p.expires_ms => ConfirmView::Expired(p.subject),
        Some(p) => ConfirmView::Pending(p.subject),
    })
}

/// Confirms the request of `token`: the proof gets its time, the other unconfirmed requests of
/// the address to the widget go, a suppression of the address is lifted, and the welcome mail
/// and the webhook delivery are queued; one transaction.
pub(crate) fn confirm(
    tx: &mut dyn Tx,
    token: &str,
    newsletters: &BTreeMap<WidgetId, Arc<Newsletter>>,
    now: Timestamp,
) -> Result<ConfirmOutcome, StoreError> {
    let Some(p) = by_confirm_token(tx, token)? else {
        return Ok(ConfirmOutcome::Unknown);
    };
    if p.status == "confirmed" {
        return Ok(ConfirmOutcome::AlreadyConfirmed(p.subject));
    }
    if now.0 >= p.expires_ms {
        return Ok(ConfirmOutcome::Expired(p.subject));
    }
    let at = rfc3339_utc(now);
    tx.execute(
        "UPDATE subscriptions SET status = 'confirmed', confirmed_at = ?1, purge_at_ms = NULL
         WHERE id = ?2",
        args![at, p.id],
    )?;
    let key = tx
        .query_one(
            "SELECT email_key FROM subscriptions WHERE id = ?1",
            args![p.id],
        )?
        .text(0)?;
    let widget = p.subject.widget.as_str();
    tx.execute(
        "DELETE FROM subscriptions WHERE widget = ?1 AND email_key = ?2 AND status = 'pending'",
        args![widget, key],
    )?;
    let suppressed = address_hmac(tx, &key)?;
    tx.execute(
        "DELETE FROM suppressions WHERE widget = ?1 AND address_hmac = ?2",
        args![widget, suppressed],
    )?;
    enqueue_unsubscribable(
        tx,
        p.id,
        widget,
        &key,
        MailKind::Newsletter(NewsletterMailKind::Welcome),
        now,
    )?;
    if let Some(newsletter) = newsletters
        .get(&p.subject.widget)
        .filter(|n| n.webhook.is_some())
    {
        let record = load(tx, p.id)?
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
        let token = unsubscribe_token(tx, widget, &key)?;
        enqueue_webhook(tx, widget, "subscribed", &key, &payload, Some(&token), now)?;
    }
    Ok(ConfirmOutcome::Confirmed(p.subject))
}

fn enqueue_webhook(
    tx: &mut dyn Tx,
    widget: &str,
    event: &str,
    key: &str,
    payload: &serde_json::Value,
    token: Option<&str>,
    now: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO webhook_queue
           (widget, event, email_key, payload, token, created_at, next_attempt_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        args![
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

/// The widget behind an unsubscribe link, if it is known, with the address's subscription
/// (the confirmed one first, else the latest request; empty where none is left).
pub(crate) fn unsubscribe_view(
    tx: &mut dyn Tx,
    token: &str,
) -> Result<Option<LinkSubject>, StoreError> {
    tx.query_opt(
        "SELECT t.widget, coalesce(s.lang, 'de'), coalesce(s.email, ''), coalesce(s.lists, '[]'),
                coalesce(s.page, '')
         FROM unsubscribe_tokens t
         LEFT JOIN subscriptions s ON s.id = (SELECT x.id FROM subscriptions x
             WHERE x.widget = t.widget AND x.email_key = t.email_key
             ORDER BY CASE WHEN x.status = 'confirmed' THEN 0 ELSE 1 END, x.id DESC LIMIT 1)
         WHERE t.token_sha256 = ?1",
        args![token_hash(token)],
    )?
    .map(|row| {
        Ok(LinkSubject {
            widget: stored_widget(&row.text(0)?)?,
            lang: row.text(1)?,
            email: row.text(2)?,
            lists: lists_from(&row.text(3)?)?,
            page: row.text(4)?,
        })
    })
    .transpose()
}

/// Ends every subscription of the link's address to its widget, remembers only a keyed hash
/// of the address, and forwards the unsubscription; one transaction.
pub(crate) fn unsubscribe(
    tx: &mut dyn Tx,
    token: &str,
    newsletters: &BTreeMap<WidgetId, Arc<Newsletter>>,
    now: Timestamp,
) -> Result<UnsubscribeOutcome, StoreError> {
    let Some(subject) = unsubscribe_view(tx, token)? else {
        return Ok(UnsubscribeOutcome::Unknown);
    };
    let widget = subject.widget.clone();
    let key = tx
        .query_one(
            "SELECT email_key FROM unsubscribe_tokens WHERE token_sha256 = ?1",
            args![token_hash(token)],
        )?
        .text(0)?;
    let w = widget.as_str();
    let email = tx
        .query_opt(
            "SELECT email FROM subscriptions WHERE widget = ?1 AND email_key = ?2
             AND status = 'confirmed' ORDER BY id DESC LIMIT 1",
            args![w, key],
        )?
        .map(|row| row.text(0))
        .transpose()?;
    tx.execute(
        "DELETE FROM subscriptions WHERE widget = ?1 AND email_key = ?2",
        args![w, key],
    )?;
    tx.execute(
        "DELETE FROM unsubscribe_tokens WHERE widget = ?1 AND email_key = ?2",
        args![w, key],
    )?;
    // Deliveries not yet made would tell the town's system about someone who left.
    tx.execute(
        "DELETE FROM webhook_queue WHERE widget = ?1 AND email_key = ?2 AND sent_at IS NULL",
        args![w, key],
    )?;
    let suppressed = address_hmac(tx, &key)?;
    tx.execute(
        "INSERT INTO suppressions (widget, address_hmac, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
        args![w, suppressed, rfc3339_utc(now)],
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
        enqueue_webhook(tx, w, "unsubscribed", &key, &payload, None, now)?;
    }
    Ok(UnsubscribeOutcome::Unsubscribed(subject))
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

fn record_row(row: &Row) -> Result<RawRecord, StoreError> {
    Ok(RawRecord {
        id: row.int(0)?,
        widget: row.text(1)?,
        status: row.text(2)?,
        email: row.text(3)?,
        name: row.text(4)?,
        lists: row.text(5)?,
        page: row.text(6)?,
        lang: row.text(7)?,
        requested_at: row.text(8)?,
        confirmed_at: row.opt_text(9)?,
        consent: ConsentRecord {
            version: row.u32(10)?,
            sha256: row.text(11)?,
            text: row.text(12)?,
            privacy: row.text(13)?,
            first_seen: row.text(14)?,
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

fn load(tx: &mut dyn Tx, id: i64) -> Result<Option<SubscriberRecord>, StoreError> {
    tx.query_opt(&format!("{RECORD_SQL} WHERE s.id = ?1"), args![id])?
        .map(|row| finish(record_row(&row)?))
        .transpose()
}

/// A widget's subscriptions, oldest first; with `status`, only those.
pub(crate) fn list(
    tx: &mut dyn Tx,
    widget: &str,
    status: Option<SubscriptionStatus>,
) -> Result<Vec<SubscriberRecord>, StoreError> {
    tx.query(
        &format!(
            "{RECORD_SQL} WHERE s.widget = ?1 AND (?2 IS NULL OR s.status = ?2) ORDER BY s.id"
        ),
        args![widget, status.map(|s| s.as_str())],
    )?
    .iter()
    .map(|row| finish(record_row(row)?))
    .collect()
}

/// One subscription of `widget`, and every request of the same address to it, oldest first:
/// the proof of consent for the town's files. `None`: no such subscription of the widget.
pub(crate) fn proof(
    tx: &mut dyn Tx,
    widget: &str,
    id: i64,
) -> Result<Option<(SubscriberRecord, Vec<SubscriberRecord>)>, StoreError> {
    let Some(record) = load(tx, id)?.filter(|r| r.widget.as_str() == widget) else {
        return Ok(None);
    };
    let history = tx
        .query(
            &format!("{RECORD_SQL} WHERE s.widget = ?1 AND s.email_key = ?2 ORDER BY s.id"),
            args![widget, email_key(&record.email)],
        )?
        .iter()
        .map(|row| finish(record_row(row)?))
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some((record, history)))
}

/// Every subscription request of one address across all newsletters (an access request),
/// oldest first, each with its proof of consent.
pub(crate) fn of_address(
    tx: &mut dyn Tx,
    email_key: &str,
) -> Result<Vec<SubscriberRecord>, StoreError> {
    tx.query(
        &format!("{RECORD_SQL} WHERE s.email_key = ?1 ORDER BY s.id"),
        args![email_key],
    )?
    .iter()
    .map(|row| finish(record_row(row)?))
    .collect()
}

pub(crate) fn claim_webhooks(
    tx: &mut dyn Tx,
    now_ms: i64,
    lease_ms: i64,
    limit: usize,
) -> Result<Vec<WebhookJob>, StoreError> {
    let jobs = tx
        .query(
            "SELECT id, widget, event, payload, token, attempts FROM webhook_queue
             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_ms <= ?1
             ORDER BY id LIMIT ?2",
            args![now_ms, limit],
        )?
        .iter()
        .map(|row| {
            Ok(WebhookJob {
                id: row.int(0)?,
                widget: stored_widget(&row.text(1)?)?,
                event: row.text(2)?,
                payload: row.opt_text(3)?.unwrap_or_default(),
                token: row.opt_text(4)?,
                attempts: row.u32(5)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    WEBHOOKS.lease(
        tx,
        &jobs.iter().map(|j| j.id).collect::<Vec<_>>(),
        now_ms.saturating_add(lease_ms),
    )?;
    Ok(jobs)
}

/// Deletes unconfirmed requests past their time, the day counters of earlier days, and
/// webhook records delivered (or given up) over 30 days ago; returns the requests deleted.
pub(crate) fn purge(tx: &mut dyn Tx, now: Timestamp) -> Result<u64, StoreError> {
    let n = tx.execute(
        "DELETE FROM subscriptions WHERE status = 'pending' AND purge_at_ms <= ?1",
        args![now.0],
    )?;
    tx.execute(
        "DELETE FROM optin_counts WHERE day < ?1",
        args![now.0.div_euclid(MS_PER_DAY)],
    )?;
    tx.execute(
        "DELETE FROM webhook_queue WHERE payload IS NULL AND created_at < ?1",
        args![rfc3339_utc(Timestamp(now.0 - 30 * MS_PER_DAY))],
    )?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::SqliteStore;
    use crate::db::{Backend, Delivered, NewSubmission, Store, SubmitOutcome};
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
        let row = store
            .backend()
            .read(|tx| {
                tx.query_one(
                    "SELECT q.token, s.confirm_token_sha256 FROM mail_queue q
                     JOIN subscriptions s ON s.id = q.subscription",
                    args![],
                )
            })
            .expect("a queued mail");
        (row.text(0).expect("token"), row.text(1).expect("hash"))
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
        // The page behind the link shows the address owner their own request.
        let subject = LinkSubject {
            widget,
            lang,
            email: "a@example.de".into(),
            lists: Vec::new(),
            page: "https://example.de/".into(),
        };
        let pending = ConfirmView::Pending(subject.clone());
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
            ConfirmOutcome::Confirmed(subject)
        );
        assert!(matches!(
            store.confirm(&token, &newsletters, now).expect("again"),
            ConfirmOutcome::AlreadyConfirmed { .. }
        ));

        // Once sent, a mail forgets its token; the welcome mail's unsubscribe token is another.
        let jobs = store.claim_mails(now.0, 60_000, 10).expect("claim");
        assert_eq!(jobs.len(), 2);
        assert_ne!(jobs[0].token, jobs[1].token);
        store
            .mails_delivered(jobs.iter().map(|j| (j.id, Delivered::Sent)).collect())
            .expect("sent");
        let left = store
            .backend()
            .read(|tx| {
                tx.query_one(
                    "SELECT count(*) FROM mail_queue WHERE token IS NOT NULL",
                    args![],
                )?
                .int(0)
            })
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
        let versions: Vec<(i64, String)> = store
            .backend()
            .read(|tx| {
                tx.query(
                    "SELECT version, sha256 FROM consent_texts ORDER BY version",
                    args![],
                )?
                .iter()
                .map(|r| Ok((r.int(0)?, r.text(1)?)))
                .collect()
            })
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
