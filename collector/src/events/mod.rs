//! Events as the town's administrator declares them in `[events.<id>]`.
//!
//! The collector takes registrations only for declared events: the widget's attributes never
//! reach it, and the confirmation mail and its calendar file must say what the town wrote, not
//! what a request claims. The declaration is also where capacity, waiting list, deadline and
//! the most persons per registration are enforced.
//!
//! The feature: `config` (`[events.<id>]`), `records` (what is stored of a registration),
//! `store` (placing, cancelling with promotion, the mail queue's rows, the purge), `status`
//! (`GET .../event`: seats for the widget), `cancel` (the mail's cancellation link), `admin`
//! (registrations as JSON, CSV or XLSX, cancelling one), `mail` (the sign-up's mails),
//! `organise` (the organiser's actions, audited), `pages` (registrations in the console),
//! `messages` (mail to the registrants, the mail log) and `checkin` (the list at the door).

pub mod admin;
pub mod cancel;
pub mod checkin;
pub(crate) mod config;
pub mod mail;
pub mod messages;
pub mod organise;
pub mod pages;
pub mod records;
pub mod status;
pub(crate) mod store;
pub mod texts;
pub mod wording;

use mitmachen_shared::event::{EventFacts, MAX_PERSONS};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::{EventState, EventStatus};
use mitmachen_shared::time::{Timestamp, rfc3339_utc};

/// Personal data of a registration is deleted this many days after its event, unless the
/// configuration says otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;
const MS_PER_DAY: i64 = 86_400_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub facts: EventFacts,
    /// Seats, counted in persons; `None`: no limit.
    pub capacity: Option<u32>,
    pub waiting_list: bool,
    pub deadline: Option<Timestamp>,
    pub persons_max: u32,
    pub cancelled: bool,
    /// The town's page of the event, for the mail and the calendar entry.
    pub page_url: Option<String>,
    /// The event's own mail texts, where the town wrote any.
    pub mail_texts: texts::MailTexts,
}

impl Default for Event {
    fn default() -> Self {
        Event {
            facts: EventFacts {
                title: String::new(),
                starts_at: Timestamp(0),
                ends_at: None,
                place: String::new(),
            },
            capacity: None,
            waiting_list: true,
            deadline: None,
            persons_max: MAX_PERSONS,
            cancelled: false,
            page_url: None,
            mail_texts: texts::MailTexts::new(),
        }
    }
}

impl Event {
    pub fn state(&self, now: Timestamp) -> EventState {
        if self.cancelled {
            EventState::Cancelled
        } else if now >= self.facts.registration_closes(self.deadline) {
            EventState::Closed
        } else {
            EventState::Open
        }
    }

    /// Why a registration is not taken now, for the `closed` problem; `None`: it is.
    pub fn refusal(&self, now: Timestamp) -> Option<String> {
        match self.state(now) {
            EventState::Open => None,
            EventState::Cancelled => {
                Some("this event is cancelled; it takes no registrations".into())
            }
            EventState::Closed => Some(format!(
                "registration for this event closed at {}",
                rfc3339_utc(self.facts.registration_closes(self.deadline))
            )),
        }
    }

    /// The status the widget shows, from the persons seated and waiting.
    pub fn status(
        &self,
        widget: &WidgetId,
        now: Timestamp,
        seats_taken: u32,
        waiting: u32,
    ) -> EventStatus {
        EventStatus {
            widget: widget.clone(),
            state: self.state(now),
            capacity: self.capacity,
            seats_taken,
            waiting,
            waiting_list: self.waiting_list,
            persons_max: self.persons_max,
        }
    }

    /// When the personal data of this event's registrations is deleted.
    pub fn purge_at(&self, retention_days: u32) -> Timestamp {
        Timestamp(
            self.facts
                .end()
                .0
                .saturating_add(i64::from(retention_days) * MS_PER_DAY),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mitmachen_shared::time::parse_datetime;

    fn at(s: &str) -> Timestamp {
        parse_datetime(s).expect("valid")
    }

    fn event() -> Event {
        Event {
            facts: EventFacts {
                title: "Bürgerversammlung".into(),
                starts_at: at("2027-03-12T18:00+01:00"),
                ends_at: Some(at("2027-03-12T20:30+01:00")),
                place: "Rathaus".into(),
            },
            capacity: Some(50),
            deadline: Some(at("2027-03-10T12:00+01:00")),
            ..Event::default()
        }
    }

    #[test]
    fn open_until_the_deadline_then_closed() {
        let e = event();
        assert_eq!(e.state(at("2027-03-10T11:59+01:00")), EventState::Open);
        assert_eq!(e.state(at("2027-03-10T12:00+01:00")), EventState::Closed);
        assert!(
            e.refusal(at("2027-03-11T00:00Z"))
                .is_some_and(|r| r.contains("2027-03-10T11:00:00Z"))
        );
        let no_deadline = Event {
            deadline: None,
            ..event()
        };
        assert_eq!(no_deadline.state(at("2027-03-12T16:59Z")), EventState::Open);
        assert_eq!(
            no_deadline.state(at("2027-03-12T17:00Z")),
            EventState::Closed
        );
        let cancelled = Event {
            cancelled: true,
            ..event()
        };
        assert_eq!(cancelled.state(Timestamp(0)), EventState::Cancelled);
    }

    #[test]
    fn personal_data_goes_days_after_the_end() {
        assert_eq!(event().purge_at(30), at("2027-04-11T19:30Z"));
        assert_eq!(event().purge_at(0), at("2027-03-12T19:30Z"));
    }
}
