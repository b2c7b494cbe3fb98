//! What an organiser does to an event's registrations, for the console and the admin API alike:
//! add one by hand, give a waiting one a seat, cancel one, keep a note, check one in at the
//! door, write to the registrants. Each runs in one write transaction; adding, seating,
//! cancelling and writing to the registrants also write their audit entry there (naming the
//! registration by its number, never its person). Notes and arrivals are not audited: they
//! change nothing a registrant is told, and the door would flood the log. Each wakes the mail
//! sender when it queued a mail.

use super::records::{ByHand, ByHandOutcome, CancelOutcome, Canceller, RegistrationContext};
use super::store;
use crate::app::SharedState;
use crate::audit::{self, Action};
use crate::db::{self, StoreError, now};
use crate::events::records::RegistrationRecord;
use mitmachen_shared::ids::WidgetId;

fn object(widget: &WidgetId, id: i64) -> String {
    format!("{widget} #{id}")
}

/// Adds a registration by hand, placed by the event's rules (or overbooked).
pub fn add(
    state: &SharedState,
    by: &str,
    widget: &WidgetId,
    by_hand: ByHand,
) -> Result<Option<ByHandOutcome>, StoreError> {
    let Some(event) = state.catalog.now().events.get(widget).cloned() else {
        return Ok(None);
    };
    let context = RegistrationContext {
        purge_at: event.purge_at(state.retention_days),
        event,
    };
    let (by, widget) = (by.to_owned(), widget.clone());
    let outcome = db::write(state.store.as_ref(), move |tx| {
        let outcome = store::add_by_hand(tx, &widget, &context, &by_hand, now())?;
        if let ByHandOutcome::Added(r) = &outcome {
            let detail = format!(
                "{}, {} persons{}",
                r.status.as_str(),
                r.persons,
                if by_hand.overbook { ", overbooked" } else { "" }
            );
            audit::record(
                tx,
                &by,
                Action::RegistrationAdded,
                &object(&widget, r.id),
                &detail,
            )?;
        }
        Ok(outcome)
    })?;
    if matches!(&outcome, ByHandOutcome::Added(r) if !r.email.is_empty()) {
        state.mail_wakeup.notify_one();
    }
    Ok(Some(outcome))
}

/// Gives a waiting registration a seat; `None`: none such waiting.
pub fn seat(
    state: &SharedState,
    by: &str,
    widget: &WidgetId,
    id: i64,
) -> Result<Option<RegistrationRecord>, StoreError> {
    let (by, widget) = (by.to_owned(), widget.clone());
    let seated = db::write(state.store.as_ref(), move |tx| {
        let seated = store::seat_by_hand(tx, widget.as_str(), id, now())?;
        if let Some(r) = &seated {
            let detail = format!("{} persons", r.persons);
            audit::record(
                tx,
                &by,
                Action::RegistrationSeated,
                &object(&widget, id),
                &detail,
            )?;
        }
        Ok(seated)
    })?;
    if seated.is_some() {
        state.mail_wakeup.notify_one();
    }
    Ok(seated)
}

/// Cancels a registration as the organiser: the registrant is mailed, the waiting list moves up.
pub fn cancel(
    state: &SharedState,
    by: &str,
    widget: &WidgetId,
    id: i64,
) -> Result<CancelOutcome, StoreError> {
    let event = state.catalog.now().events.get(widget).cloned();
    let (by, widget) = (by.to_owned(), widget.clone());
    let outcome = db::write(state.store.as_ref(), move |tx| {
        let who = Canceller::Organiser {
            widget: widget.clone(),
            id,
        };
        let outcome = store::cancel(tx, &who, event.as_deref(), now())?;
        if let CancelOutcome::Cancelled { promoted, .. } = &outcome {
            let detail = format!("{promoted} moved up from the waiting list");
            audit::record(
                tx,
                &by,
                Action::RegistrationCancelled,
                &object(&widget, id),
                &detail,
            )?;
        }
        Ok(outcome)
    })?;
    if matches!(outcome, CancelOutcome::Cancelled { .. }) {
        state.mail_wakeup.notify_one();
    }
    Ok(outcome)
}

/// The organiser's note on a registration; `false`: no such registration.
pub fn note(
    state: &SharedState,
    widget: &WidgetId,
    id: i64,
    note: String,
) -> Result<bool, StoreError> {
    let widget = widget.clone();
    db::write(state.store.as_ref(), move |tx| {
        store::set_note(tx, widget.as_str(), id, &note)
    })
}

/// Checks a seated registration in (or out again); `false`: no such registration with a seat.
pub fn arrive(
    state: &SharedState,
    widget: &WidgetId,
    id: i64,
    arrived: bool,
) -> Result<bool, StoreError> {
    let widget = widget.clone();
    db::write(state.store.as_ref(), move |tx| {
        store::set_arrived(tx, widget.as_str(), id, arrived.then(now))
    })
}

/// The organiser's message to `audience`, one mail each; returns how many were queued.
pub fn message(
    state: &SharedState,
    by: &str,
    widget: &WidgetId,
    audience: store::Audience,
    message: super::mail::OrganiserMessage,
) -> Result<u64, StoreError> {
    let (by, widget) = (by.to_owned(), widget.clone());
    let mailed = db::write(state.store.as_ref(), move |tx| {
        let (number, mailed) =
            store::mail_registrants(tx, widget.as_str(), audience, &message, &by, now())?;
        // Its number, not its words: a subject may name someone, and the log is kept for years.
        let detail = format!(
            "message no. {number} to {}: {mailed} mails",
            audience.as_str()
        );
        audit::record(tx, &by, Action::RegistrantsMailed, widget.as_str(), &detail)?;
        Ok(mailed)
    })?;
    if mailed > 0 {
        state.mail_wakeup.notify_one();
    }
    Ok(mailed)
}
