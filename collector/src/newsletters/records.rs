//! What the store knows about newsletter subscriptions: requests, confirmations, unsubscribes,
//! the proof of consent, the erasure of an address, and the webhook queue.

use crate::newsletters::Newsletter;
use mitmachen_shared::ids::WidgetId;
use serde::Serialize;
use std::sync::Arc;

/// What the store needs to take a subscription request.
#[derive(Debug, Clone)]
pub struct SubscriptionContext {
    pub newsletter: Arc<Newsletter>,
    /// The client's salted, daily rotating hash (never its address), for the mail limits.
    pub client: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Pending,
    Confirmed,
}

impl SubscriptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Pending => "pending",
            SubscriptionStatus::Confirmed => "confirmed",
        }
    }

    pub fn parse(s: &str) -> Option<SubscriptionStatus> {
        [SubscriptionStatus::Pending, SubscriptionStatus::Confirmed]
            .into_iter()
            .find(|st| st.as_str() == s)
    }
}

/// The consent text a subscriber saw, as stored once per wording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentRecord {
    /// 1, 2, … per widget, in the order the wordings were first seen.
    pub version: u32,
    /// sha256 of the text, a line feed and the privacy notice's address.
    pub sha256: String,
    pub text: String,
    pub privacy: String,
    /// UTC, RFC 3339.
    pub first_seen: String,
}

/// A subscription with its proof of consent, as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubscriberRecord {
    pub id: i64,
    pub widget: WidgetId,
    pub status: SubscriptionStatus,
    pub email: String,
    pub name: String,
    /// List keys.
    pub lists: Vec<String>,
    pub consent: ConsentRecord,
    /// The page the request came from.
    pub page: String,
    pub lang: String,
    /// UTC, RFC 3339.
    pub requested_at: String,
    pub confirmed_at: Option<String>,
}

/// Whose request a link in a mail is about, for the page behind the link: the address the
/// link was mailed to, the lists chosen (keys) and the page the request came from. Only the
/// address owner, who opened the link from their own mailbox, sees it; mails never carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSubject {
    pub widget: WidgetId,
    pub lang: String,
    /// Empty where nothing is stored of the address any more.
    pub email: String,
    pub lists: Vec<String>,
    pub page: String,
}

/// What a confirmation link leads to, read without changing anything (mail scanners open it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmView {
    /// Waiting for the button.
    Pending(LinkSubject),
    Confirmed(LinkSubject),
    Expired(LinkSubject),
    /// No such link (never, or deleted with its unconfirmed request).
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmOutcome {
    /// Confirmed now.
    Confirmed(LinkSubject),
    AlreadyConfirmed(LinkSubject),
    Expired(LinkSubject),
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnsubscribeOutcome {
    /// Every subscription of the address to the widget ended; what it was about.
    Unsubscribed(LinkSubject),
    /// No such link (never, or used already: the address keeps only a hash now).
    Unknown,
}

/// A claimed webhook delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookJob {
    pub id: i64,
    pub widget: WidgetId,
    /// `subscribed` or `unsubscribed`.
    pub event: String,
    /// The JSON body, without the unsubscribe link (made from `token` when sending).
    pub payload: String,
    pub token: Option<String>,
    pub attempts: u32,
}
