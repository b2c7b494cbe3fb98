//! Which mail a queue entry is ([`MailKind`]: one type over every feature's mails, stored by
//! its name in `mail_queue.kind`), and a claimed entry ([`MailJob`]). The sender matches the
//! kind to the feature that writes the mail.

use crate::events::mail::EventMailKind;
use crate::newsletters::mail::NewsletterMailKind;
use mitmachen_shared::ids::WidgetId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    Event(EventMailKind),
    Newsletter(NewsletterMailKind),
}

impl MailKind {
    /// Every kind, for parsing and tests.
    pub fn all() -> impl Iterator<Item = MailKind> {
        EventMailKind::ALL.into_iter().map(MailKind::Event).chain(
            NewsletterMailKind::ALL
                .into_iter()
                .map(MailKind::Newsletter),
        )
    }

    /// The name in storage; written by earlier versions too, so never renamed.
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Event(kind) => match kind {
                EventMailKind::Seat => "seat",
                EventMailKind::WaitingList => "waiting_list",
                EventMailKind::AlreadySeat => "already_seat",
                EventMailKind::AlreadyWaiting => "already_waiting",
                EventMailKind::Promoted => "promoted",
                EventMailKind::Cancelled => "cancelled",
                EventMailKind::CancelledByOrganiser => "cancelled_by_organiser",
                EventMailKind::EventCancelled => "event_cancelled",
                EventMailKind::EventMoved => "event_moved",
                EventMailKind::Message => "event_message",
            },
            MailKind::Newsletter(kind) => match kind {
                NewsletterMailKind::Confirm => "newsletter_confirm",
                NewsletterMailKind::AlreadySubscribed => "newsletter_already",
                NewsletterMailKind::Welcome => "newsletter_welcome",
            },
        }
    }

    pub fn parse(s: &str) -> Option<MailKind> {
        MailKind::all().find(|k| k.as_str() == s)
    }

    /// Whether the mail carries a link (and so a token of its own): all but the confirmations
    /// of a cancellation.
    pub fn has_link(self) -> bool {
        match self {
            MailKind::Event(kind) => kind.offers_cancellation(),
            MailKind::Newsletter(_) => true,
        }
    }
}

/// A claimed mail, with what composing it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailJob {
    pub id: i64,
    pub kind: MailKind,
    /// The cancellation link's token, for kinds with a link.
    pub token: Option<String>,
    pub attempts: u32,
    pub widget: WidgetId,
    pub to: String,
    pub lang: String,
    /// A registration's persons (1 for a subscription).
    pub persons: u32,
    /// A subscription's list keys (empty for a registration).
    pub lists: Vec<String>,
    /// An organiser's message to the registrants, for that kind of mail.
    pub message: Option<crate::events::mail::OrganiserMessage>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        let names: std::collections::BTreeSet<_> = MailKind::all().map(MailKind::as_str).collect();
        assert_eq!(names.len(), MailKind::all().count());
        for kind in MailKind::all() {
            assert_eq!(MailKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(MailKind::parse("unknown"), None);
    }
}
