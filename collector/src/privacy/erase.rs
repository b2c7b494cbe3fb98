//! The erasure: one address out of every table, in the caller's write transaction.

use super::Erased;
use crate::args;
use crate::db::{StoreError, Tx};
use crate::events::Event;
use crate::newsletters::store::{address_hmac, email_key};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::time::Timestamp;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Erases everything stored for one address across all widgets (Art. 17 DSGVO): its
/// subscriptions, unsubscribe links, suppressions, webhook deliveries, and its registrations,
/// whose seats go to the waiting list first.
pub(crate) fn erase(
    tx: &mut dyn Tx,
    email: &str,
    events: &BTreeMap<WidgetId, Arc<Event>>,
    now: Timestamp,
) -> Result<Erased, StoreError> {
    let key = email_key(email);
    let mails = tx
        .query_one(
            "SELECT count(*) FROM mail_queue q
         LEFT JOIN subscriptions s ON s.id = q.subscription
         LEFT JOIN registrations r ON r.id = q.registration
         WHERE s.email_key = ?1 OR r.email_key = ?1",
            args![key],
        )?
        .count(0)?;
    let subscriptions = tx.execute("DELETE FROM subscriptions WHERE email_key = ?1", args![key])?;
    let unsubscribe_links = tx.execute(
        "DELETE FROM unsubscribe_tokens WHERE email_key = ?1",
        args![key],
    )?;
    let suppressed = address_hmac(tx, &key)?;
    let suppressions = tx.execute(
        "DELETE FROM suppressions WHERE address_hmac = ?1",
        args![suppressed],
    )?;
    let webhooks = tx.execute("DELETE FROM webhook_queue WHERE email_key = ?1", args![key])?;
    let (registrations, promoted) = crate::events::store::erase(tx, &key, events, now)?;
    Ok(Erased {
        subscriptions,
        registrations,
        promoted,
        mails,
        webhooks,
        unsubscribe_links,
        suppressions,
    })
}
