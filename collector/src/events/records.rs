//! What the store knows about event registrations, and the mails of the queue (registrations'
//! and subscriptions').

use crate::events::Event;
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::time::Timestamp;
use serde::Serialize;
use std::sync::Arc;

/// What the store needs to place a registration.
#[derive(Debug, Clone)]
pub struct RegistrationContext {
    pub event: Arc<Event>,
    /// When the registration's personal data is to be deleted.
    pub purge_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    Seat,
    Waiting,
    Cancelled,
}

impl RegistrationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationStatus::Seat => "seat",
            RegistrationStatus::Waiting => "waiting",
            RegistrationStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<RegistrationStatus> {
        [
            RegistrationStatus::Seat,
            RegistrationStatus::Waiting,
            RegistrationStatus::Cancelled,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// A registration as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistrationRecord {
    pub id: i64,
    pub widget: WidgetId,
    pub status: RegistrationStatus,
    /// 1 for the first on the waiting list; `None` unless waiting.
    pub waiting_position: Option<u32>,
    pub name: String,
    pub email: String,
    pub persons: u32,
    pub phone: String,
    pub organisation: String,
    pub note: String,
    pub lang: String,
    /// UTC, RFC 3339.
    pub created_at: String,
    pub seated_at: Option<String>,
    pub cancelled_at: Option<String>,
    /// `registrant` or `organiser`.
    pub cancelled_by: Option<String>,
    /// The organiser's note, seen only in the console and the exports.
    pub staff_note: String,
    /// When the registrant arrived (check-in at the door); UTC, RFC 3339.
    pub arrived_at: Option<String>,
    /// `form` (the widget) or `console` (added by hand).
    pub source: String,
}

/// A registration an organiser adds by hand (a phone call): the address may be missing, then no
/// mail goes out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ByHand {
    pub name: String,
    /// Empty: none given.
    pub email: String,
    pub persons: u32,
    pub phone: String,
    pub organisation: String,
    pub note: String,
    pub staff_note: String,
    /// A seat even if the event is full (the organiser adds a chair).
    pub overbook: bool,
}

/// What adding by hand came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ByHandOutcome {
    Added(Box<RegistrationRecord>),
    /// The address has an active registration for the event already.
    AlreadyRegistered(i64),
    /// Full, without a waiting list, and not overbooked.
    Full,
}

/// Who cancels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Canceller {
    /// The registrant, with the token of a link from one of their mails.
    Token(String),
    /// An administrator, by the registration's id.
    Organiser { widget: WidgetId, id: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelOutcome {
    /// Cancelled now; how many registrations moved up from the waiting list.
    Cancelled {
        record: RegistrationRecord,
        promoted: usize,
    },
    /// It was cancelled before; nothing changed.
    AlreadyCancelled(RegistrationRecord),
    /// No such token or registration (or it was deleted after the event).
    Unknown,
}
