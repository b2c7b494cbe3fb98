//! The access report (Art. 15 DSGVO): everything stored about one address, read in the
//! caller's transaction, so that the report and its audit entry are one commit.

use crate::args;
use crate::db::{StoreError, Tx};
use crate::events::records::RegistrationRecord;
use crate::newsletters::records::SubscriberRecord;
use crate::newsletters::store::{address_hmac, email_key};
use serde::Serialize;

/// What the report says about the data that is stored without any address (ballots, dots,
/// proposals) and so cannot be part of it.
pub const NOT_LINKED_DE: &str = "Abstimmungen, vergebene Punkte und Themenvorschläge werden ohne \
    E-Mail-Adresse, Name oder IP-Adresse gespeichert und lassen sich keiner Person zuordnen.";
pub const NOT_LINKED_EN: &str = "Votes, dots and topic proposals are stored without an e-mail \
    address, name or IP address and cannot be linked to a person.";

/// Everything stored about one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessReport {
    /// The address as asked for.
    pub email: String,
    /// UTC, RFC 3339.
    pub generated_at: String,
    pub registrations: Vec<RegistrationRecord>,
    /// Each with the consent text the address agreed to (its proof).
    pub subscriptions: Vec<SubscriberRecord>,
    /// Mails to the address, queued, sent or given up; never their links.
    pub mails: Vec<MailRecord>,
    /// Forwardings of a subscription to a town's newsletter system.
    pub webhooks: Vec<WebhookRecord>,
    /// Newsletters that must not mail the address again (it unsubscribed): kept as a keyed hash.
    pub suppressions: Vec<SuppressionRecord>,
    /// Unsubscribe links issued to the address that still work.
    pub unsubscribe_links: u64,
    pub not_linked: &'static str,
}

impl AccessReport {
    /// Whether nothing at all is stored about the address.
    pub fn is_empty(&self) -> bool {
        self.registrations.is_empty()
            && self.subscriptions.is_empty()
            && self.mails.is_empty()
            && self.webhooks.is_empty()
            && self.suppressions.is_empty()
            && self.unsubscribe_links == 0
    }

    /// What the audit log says of a report: how much it listed, never whose.
    pub fn summary(&self) -> String {
        format!(
            "{} registrations, {} subscriptions, {} mails",
            self.registrations.len(),
            self.subscriptions.len(),
            self.mails.len()
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailRecord {
    pub widget: String,
    /// `registration` or `subscription`: what the mail was about.
    pub about: &'static str,
    /// The mail's kind as stored (`seat`, `newsletter_confirm`, …).
    pub kind: String,
    /// `queued`, `sent` or `failed` (given up).
    pub state: &'static str,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub failed_at: Option<String>,
    pub attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookRecord {
    pub widget: String,
    /// `subscribed` or `unsubscribed`.
    pub event: String,
    pub state: &'static str,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub failed_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuppressionRecord {
    pub widget: String,
    pub created_at: String,
}

fn state(sent: &Option<String>, failed: &Option<String>) -> &'static str {
    match (sent, failed) {
        (Some(_), _) => "sent",
        (None, Some(_)) => "failed",
        (None, None) => "queued",
    }
}

/// Reads everything stored about `email` across all widgets.
pub(crate) fn gather(
    tx: &mut dyn Tx,
    email: &str,
    generated_at: String,
    english: bool,
) -> Result<AccessReport, StoreError> {
    let key = email_key(email);
    let registrations = crate::events::store::of_address(tx, &key)?;
    let subscriptions = crate::newsletters::store::of_address(tx, &key)?;
    let mails = tx
        .query(
            "SELECT coalesce(r.widget, s.widget), q.registration IS NOT NULL, q.kind, q.created_at,
                    q.sent_at, q.failed_at, q.attempts
             FROM mail_queue q
             LEFT JOIN subscriptions s ON s.id = q.subscription
             LEFT JOIN registrations r ON r.id = q.registration
             WHERE s.email_key = ?1 OR r.email_key = ?1
             ORDER BY q.id",
            args![key],
        )?
        .iter()
        .map(|row| {
            let (sent_at, failed_at) = (row.opt_text(4)?, row.opt_text(5)?);
            Ok(MailRecord {
                widget: row.text(0)?,
                about: if row.bool(1)? {
                    "registration"
                } else {
                    "subscription"
                },
                kind: row.text(2)?,
                state: state(&sent_at, &failed_at),
                created_at: row.text(3)?,
                sent_at,
                failed_at,
                attempts: row.u32(6)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let webhooks = tx
        .query(
            "SELECT widget, event, created_at, sent_at, failed_at FROM webhook_queue
             WHERE email_key = ?1 ORDER BY id",
            args![key],
        )?
        .iter()
        .map(|row| {
            let (sent_at, failed_at) = (row.opt_text(3)?, row.opt_text(4)?);
            Ok(WebhookRecord {
                widget: row.text(0)?,
                event: row.text(1)?,
                state: state(&sent_at, &failed_at),
                created_at: row.text(2)?,
                sent_at,
                failed_at,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let suppressed = address_hmac(tx, &key)?;
    let suppressions = tx
        .query(
            "SELECT widget, created_at FROM suppressions WHERE address_hmac = ?1 ORDER BY widget",
            args![suppressed],
        )?
        .iter()
        .map(|row| {
            Ok(SuppressionRecord {
                widget: row.text(0)?,
                created_at: row.text(1)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let unsubscribe_links = tx
        .query_one(
            "SELECT count(*) FROM unsubscribe_tokens WHERE email_key = ?1",
            args![key],
        )?
        .count(0)?;
    Ok(AccessReport {
        email: email.to_owned(),
        generated_at,
        registrations,
        subscriptions,
        mails,
        webhooks,
        suppressions,
        unsubscribe_links,
        not_linked: if english {
            NOT_LINKED_EN
        } else {
            NOT_LINKED_DE
        },
    })
}
