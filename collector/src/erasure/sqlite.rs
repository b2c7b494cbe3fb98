//! The erasure in SQLite: one address out of every table, in the caller's write transaction.

use super::Erased;
use crate::db::StoreError;
use crate::events::Event;
use crate::newsletters::sqlite::{address_hmac, email_key};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::time::Timestamp;
use rusqlite::{Connection, params};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Erases everything stored for one address across all widgets (Art. 17 DSGVO): its
/// subscriptions, unsubscribe links, suppressions, webhook deliveries, and its registrations,
/// whose seats go to the waiting list first.
pub(crate) fn erase(
    conn: &Connection,
    email: &str,
    events: &BTreeMap<WidgetId, Arc<Event>>,
    now: Timestamp,
) -> Result<Erased, StoreError> {
    let key = email_key(email);
    let mails = conn.query_row(
        "SELECT count(*) FROM mail_queue q
         LEFT JOIN subscriptions s ON s.id = q.subscription
         LEFT JOIN registrations r ON r.id = q.registration
         WHERE s.email_key = ?1 OR r.email_key = ?1",
        params![key],
        |row| row.get::<_, i64>(0),
    )?;
    let subscriptions = conn.execute(
        "DELETE FROM subscriptions WHERE email_key = ?1",
        params![key],
    )?;
    let unsubscribe_links = conn.execute(
        "DELETE FROM unsubscribe_tokens WHERE email_key = ?1",
        params![key],
    )?;
    let suppressions = conn.execute(
        "DELETE FROM suppressions WHERE address_hmac = ?1",
        params![address_hmac(conn, &key)?],
    )?;
    let webhooks = conn.execute(
        "DELETE FROM webhook_queue WHERE email_key = ?1",
        params![key],
    )?;
    let (registrations, promoted) = crate::events::sqlite::erase(conn, &key, events, now)?;
    Ok(Erased {
        subscriptions,
        registrations,
        promoted,
        mails: usize::try_from(mails).unwrap_or(0),
        webhooks,
        unsubscribe_links,
        suppressions,
    })
}
