//! Registrations: the rules (seat or waiting list, "already registered", promotion from the
//! waiting list) over the store's transaction interface, so both databases run the same code:
//! placing one (inside the submission's write transaction), cancelling with promotion, the mail
//! queue (both features' mails are claimed here), and the retention purge.
//!
//! Capacity holds because every step that changes seats runs in one write transaction, and
//! write transactions never interleave (`db::Backend::write`): the counts read are the counts
//! written against.

use super::mail::EventMailKind;
use super::records::{
    CancelOutcome, Canceller, RegistrationContext, RegistrationRecord, RegistrationStatus,
};
use crate::args;
use crate::ballots::rules::Refusal;
use crate::db::queue::MAILS;
use crate::db::{Row, StoreError, Tx, new_token, token_hash};
use crate::events::Event;
use crate::mail::kind::{MailJob, MailKind};
use mitmachen_shared::event::{Placement, lang_code, place, promotions, seats_left};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::{FieldError, Registration};
use mitmachen_shared::time::{Timestamp, rfc3339_utc};

/// A second request for the same address gets its "already registered" mail at most this
/// often, so that the form cannot be used to flood someone's inbox.
const ALREADY_MAIL_INTERVAL_MS: i64 = 60 * 60 * 1000;

/// What to do with a registration that passed the event's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    New(Placement),
    /// The address is registered already (registration `existing`); the browser is answered
    /// with `placement` as if it were new, so that it cannot tell.
    Duplicate {
        existing: i64,
        placement: Placement,
    },
}

impl Verdict {
    pub(crate) fn placement(self) -> Placement {
        match self {
            Verdict::New(p) | Verdict::Duplicate { placement: p, .. } => p,
        }
    }
}

/// Addresses compare without case: no provider hands out `Erika@` and `erika@` to two people.
fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Persons seated and persons waiting, from the counters this file keeps.
pub(crate) fn counts(tx: &mut dyn Tx, widget: &str) -> Result<(u32, u32), StoreError> {
    let rows = tx.query(
        "SELECT status, persons FROM registration_counts WHERE widget = ?1",
        args![widget],
    )?;
    let (mut seats, mut waiting) = (0u32, 0u32);
    for row in rows {
        let n = row.u32(1)?;
        match row.text(0)?.as_str() {
            "seat" => seats = n,
            _ => waiting = n,
        }
    }
    Ok((seats, waiting))
}

/// Moves `persons` into (positive) or out of (negative) the counter of `status`; cancelled
/// registrations are not counted. Every change of a registration's status or existence goes
/// through here or [`recount`], in the same transaction.
fn adjust(
    tx: &mut dyn Tx,
    widget: &str,
    status: RegistrationStatus,
    persons: i64,
) -> Result<(), StoreError> {
    if status == RegistrationStatus::Cancelled || persons == 0 {
        return Ok(());
    }
    if persons > 0 {
        tx.execute(
            "INSERT INTO registration_counts (widget, status, persons) VALUES (?1, ?2, ?3)
             ON CONFLICT (widget, status)
             DO UPDATE SET persons = registration_counts.persons + excluded.persons",
            args![widget, status.as_str(), persons],
        )?;
    } else {
        tx.execute(
            "UPDATE registration_counts SET persons = persons + ?3
             WHERE widget = ?1 AND status = ?2",
            args![widget, status.as_str(), persons],
        )?;
    }
    Ok(())
}

/// Counts an event's counters afresh from its rows (after deleting many at once).
fn recount(tx: &mut dyn Tx, widget: &str) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM registration_counts WHERE widget = ?1",
        args![widget],
    )?;
    tx.execute(
        "INSERT INTO registration_counts (widget, status, persons)
         SELECT widget, status, CAST(sum(persons) AS BIGINT) FROM registrations
         WHERE widget = ?1 AND status IN ('seat', 'waiting') GROUP BY widget, status",
        args![widget],
    )?;
    Ok(())
}

/// The events that have rows matching `condition` (with `?1`).
fn widgets_where(
    tx: &mut dyn Tx,
    condition: &str,
    value: crate::db::Value,
) -> Result<Vec<String>, StoreError> {
    tx.query(
        &format!("SELECT DISTINCT widget FROM registrations WHERE {condition}"),
        &[value],
    )?
    .iter()
    .map(|row| row.text(0))
    .collect()
}

/// Checks the event's rules and places the registration; nothing is written yet.
pub(crate) fn decide(
    tx: &mut dyn Tx,
    widget: &str,
    registration: &Registration,
    context: &RegistrationContext,
    now: Timestamp,
) -> Result<Result<Verdict, Refusal>, StoreError> {
    let event = &context.event;
    if let Some(reason) = event.refusal(now) {
        return Ok(Err(Refusal::Closed(reason)));
    }
    if registration.persons > event.persons_max {
        return Ok(Err(Refusal::Invalid(vec![FieldError {
            pointer: "/persons".into(),
            detail: format!(
                "persons: at most {} per registration for this event",
                event.persons_max
            ),
        }])));
    }
    let (taken, waiting) = counts(tx, widget)?;
    let Some(placement) = place(
        event.capacity,
        taken,
        waiting,
        registration.persons,
        event.waiting_list,
    ) else {
        let left = event.capacity.map_or(0, |c| seats_left(c, taken));
        return Ok(Err(Refusal::Full(if left == 0 {
            "all seats are taken and this event has no waiting list".into()
        } else {
            format!("only {left} seats are left and this event has no waiting list")
        })));
    };
    let existing = tx
        .query_opt(
            "SELECT id FROM registrations
             WHERE widget = ?1 AND email_key = ?2 AND status != 'cancelled'",
            args![widget, email_key(&registration.email)],
        )?
        .map(|row| row.int(0))
        .transpose()?;
    Ok(Ok(match existing {
        Some(existing) => Verdict::Duplicate {
            existing,
            placement,
        },
        None => Verdict::New(placement),
    }))
}

/// Writes what [`decide`] found, and queues the mail.
pub(crate) fn record(
    tx: &mut dyn Tx,
    verdict: Verdict,
    submission: i64,
    widget: &str,
    registration: &Registration,
    context: &RegistrationContext,
    now: Timestamp,
) -> Result<(), StoreError> {
    let at = rfc3339_utc(now);
    match verdict {
        Verdict::New(placement) => {
            let (status, kind) = match placement {
                Placement::Seat => (
                    RegistrationStatus::Seat,
                    MailKind::Event(EventMailKind::Seat),
                ),
                Placement::WaitingList => (
                    RegistrationStatus::Waiting,
                    MailKind::Event(EventMailKind::WaitingList),
                ),
            };
            let seated_at = (status == RegistrationStatus::Seat).then(|| at.clone());
            let id = tx
                .query_one(
                    "INSERT INTO registrations
                   (widget, submission, status, name, email, email_key, persons, phone,
                    organisation, note, lang, created_at, seated_at, purge_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                 RETURNING id",
                    args![
                        widget,
                        submission,
                        status.as_str(),
                        registration.name.trim(),
                        registration.email.trim(),
                        email_key(&registration.email),
                        registration.persons,
                        registration.phone.trim(),
                        registration.organisation.trim(),
                        registration.note.trim(),
                        lang_code(registration.language()),
                        at,
                        seated_at,
                        context.purge_at.0,
                    ],
                )?
                .int(0)?;
            adjust(tx, widget, status, i64::from(registration.persons))?;
            enqueue(tx, id, kind, now)?;
        }
        Verdict::Duplicate { existing, .. } => {
            let status = tx
                .query_one(
                    "SELECT status FROM registrations WHERE id = ?1",
                    args![existing],
                )?
                .text(0)?;
            let kind = if status == "seat" {
                MailKind::Event(EventMailKind::AlreadySeat)
            } else {
                MailKind::Event(EventMailKind::AlreadyWaiting)
            };
            let recent = tx
                .query_one(
                    "SELECT count(*) FROM mail_queue WHERE registration = ?1
                   AND kind IN ('already_seat', 'already_waiting')
                   AND next_attempt_ms > ?2",
                    args![existing, now.0 - ALREADY_MAIL_INTERVAL_MS],
                )?
                .bool(0)?;
            if !recent {
                enqueue(tx, existing, kind, now)?;
            }
        }
    }
    Ok(())
}

/// Queues a mail; one with a link gets a fresh token, of which only the hash is kept beyond
/// the queue.
fn enqueue(
    tx: &mut dyn Tx,
    registration: i64,
    kind: MailKind,
    now: Timestamp,
) -> Result<(), StoreError> {
    let token = if kind.has_link() {
        let token = new_token()?;
        tx.execute(
            "INSERT INTO cancel_tokens (token_sha256, registration) VALUES (?1, ?2)",
            args![token_hash(&token), registration],
        )?;
        Some(token)
    } else {
        None
    };
    tx.execute(
        "INSERT INTO mail_queue (registration, kind, token, created_at, next_attempt_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        args![registration, kind.as_str(), token, rfc3339_utc(now), now.0],
    )?;
    Ok(())
}

const RECORD_COLUMNS: &str = "id, widget, status, name, email, persons, phone, organisation, \
    note, lang, created_at, seated_at, cancelled_at, cancelled_by";

fn record_row(row: &Row) -> Result<RegistrationRecord, StoreError> {
    let widget = row.text(1)?;
    let status = row.text(2)?;
    Ok(RegistrationRecord {
        id: row.int(0)?,
        widget: WidgetId::parse(&widget)
            .map_err(|e| StoreError(format!("stored widget id '{widget}' {e}")))?,
        status: RegistrationStatus::parse(&status)
            .ok_or_else(|| StoreError(format!("stored status '{status}'")))?,
        waiting_position: None,
        name: row.text(3)?,
        email: row.text(4)?,
        persons: row.u32(5)?,
        phone: row.text(6)?,
        organisation: row.text(7)?,
        note: row.text(8)?,
        lang: row.text(9)?,
        created_at: row.text(10)?,
        seated_at: row.opt_text(11)?,
        cancelled_at: row.opt_text(12)?,
        cancelled_by: row.opt_text(13)?,
    })
}

fn load(tx: &mut dyn Tx, id: i64) -> Result<Option<RegistrationRecord>, StoreError> {
    tx.query_opt(
        &format!("SELECT {RECORD_COLUMNS} FROM registrations WHERE id = ?1"),
        args![id],
    )?
    .as_ref()
    .map(record_row)
    .transpose()
}

pub(crate) fn by_token(
    tx: &mut dyn Tx,
    token: &str,
) -> Result<Option<RegistrationRecord>, StoreError> {
    let id = tx
        .query_opt(
            "SELECT registration FROM cancel_tokens WHERE token_sha256 = ?1",
            args![token_hash(token)],
        )?
        .map(|row| row.int(0))
        .transpose()?;
    match id {
        Some(id) => load(tx, id),
        None => Ok(None),
    }
}

pub(crate) fn cancel(
    tx: &mut dyn Tx,
    who: &Canceller,
    event: Option<&Event>,
    now: Timestamp,
) -> Result<CancelOutcome, StoreError> {
    let (record, by) = match who {
        Canceller::Token(token) => (by_token(tx, token)?, "registrant"),
        Canceller::Organiser { widget, id } => {
            (load(tx, *id)?.filter(|r| r.widget == *widget), "organiser")
        }
    };
    let Some(record) = record else {
        return Ok(CancelOutcome::Unknown);
    };
    if record.status == RegistrationStatus::Cancelled {
        return Ok(CancelOutcome::AlreadyCancelled(record));
    }
    tx.execute(
        "UPDATE registrations SET status = 'cancelled', cancelled_at = ?1, cancelled_by = ?2
         WHERE id = ?3",
        args![rfc3339_utc(now), by, record.id],
    )?;
    adjust(
        tx,
        record.widget.as_str(),
        record.status,
        -i64::from(record.persons),
    )?;
    let kind = if by == "registrant" {
        MailKind::Event(EventMailKind::Cancelled)
    } else {
        MailKind::Event(EventMailKind::CancelledByOrganiser)
    };
    enqueue(tx, record.id, kind, now)?;
    let promoted = match event {
        Some(event) => promote(tx, record.widget.as_str(), event, now)?,
        None => 0,
    };
    let record = load(tx, record.id)?
        .ok_or_else(|| StoreError("a registration vanished while cancelling".into()))?;
    Ok(CancelOutcome::Cancelled { record, promoted })
}

/// Moves the head of the waiting list onto free seats while they fit, until the event starts.
fn promote(
    tx: &mut dyn Tx,
    widget: &str,
    event: &Event,
    now: Timestamp,
) -> Result<usize, StoreError> {
    let Some(capacity) = event.capacity else {
        return Ok(0);
    };
    if event.cancelled || now >= event.facts.starts_at {
        return Ok(0);
    }
    let (taken, _) = counts(tx, widget)?;
    let queue = tx
        .query(
            "SELECT id, persons FROM registrations WHERE widget = ?1 AND status = 'waiting'
             ORDER BY id",
            args![widget],
        )?
        .iter()
        .map(|row| Ok((row.int(0)?, row.u32(1)?)))
        .collect::<Result<Vec<(i64, u32)>, StoreError>>()?;
    let persons: Vec<u32> = queue.iter().map(|(_, p)| *p).collect();
    let n = promotions(seats_left(capacity, taken), &persons);
    for (id, persons) in &queue[..n] {
        tx.execute(
            "UPDATE registrations SET status = 'seat', seated_at = ?1 WHERE id = ?2",
            args![rfc3339_utc(now), *id],
        )?;
        adjust(
            tx,
            widget,
            RegistrationStatus::Waiting,
            -i64::from(*persons),
        )?;
        adjust(tx, widget, RegistrationStatus::Seat, i64::from(*persons))?;
        enqueue(tx, *id, MailKind::Event(EventMailKind::Promoted), now)?;
    }
    Ok(n)
}

pub(crate) fn list(tx: &mut dyn Tx, widget: &str) -> Result<Vec<RegistrationRecord>, StoreError> {
    let rows = tx.query(
        &format!("SELECT {RECORD_COLUMNS} FROM registrations WHERE widget = ?1 ORDER BY id"),
        args![widget],
    )?;
    let mut out = Vec::new();
    let mut position = 0;
    for row in &rows {
        let mut record = record_row(row)?;
        if record.status == RegistrationStatus::Waiting {
            position += 1;
            record.waiting_position = Some(position);
        }
        out.push(record);
    }
    Ok(out)
}

pub(crate) fn claim(
    tx: &mut dyn Tx,
    now_ms: i64,
    lease_ms: i64,
    limit: usize,
) -> Result<Vec<MailJob>, StoreError> {
    let mut jobs = Vec::new();
    {
        let rows = tx.query(
            "SELECT q.id, q.kind, q.token, q.attempts, coalesce(r.widget, s.widget),
                    coalesce(r.email, s.email), coalesce(r.lang, s.lang), coalesce(r.persons, 1),
                    s.lists
             FROM mail_queue q
             LEFT JOIN registrations r ON r.id = q.registration
             LEFT JOIN subscriptions s ON s.id = q.subscription
             WHERE q.sent_at IS NULL AND q.failed_at IS NULL AND q.next_attempt_ms <= ?1
             ORDER BY q.id LIMIT ?2",
            args![now_ms, limit],
        )?;
        for row in rows {
            let kind = row.text(1)?;
            let widget = row.text(4)?;
            jobs.push(MailJob {
                id: row.int(0)?,
                kind: MailKind::parse(&kind)
                    .ok_or_else(|| StoreError(format!("queued mail of unknown kind '{kind}'")))?,
                token: row.opt_text(2)?,
                attempts: row.u32(3)?,
                widget: WidgetId::parse(&widget)
                    .map_err(|e| StoreError(format!("stored widget id '{widget}' {e}")))?,
                to: row.text(5)?,
                lang: row.text(6)?,
                persons: row.u32(7)?,
                lists: match row.opt_text(8)? {
                    Some(json) => serde_json::from_str(&json)
                        .map_err(|e| StoreError(format!("stored lists are not JSON: {e}")))?,
                    None => Vec::new(),
                },
            });
        }
    }
    MAILS.lease(
        tx,
        jobs.iter().map(|j| j.id),
        now_ms.saturating_add(lease_ms),
    )?;
    Ok(jobs)
}

pub(crate) fn purge(
    tx: &mut dyn Tx,
    now: Timestamp,
    cutoffs: &[(WidgetId, Timestamp)],
) -> Result<u64, StoreError> {
    for (widget, at) in cutoffs {
        tx.execute(
            "UPDATE registrations SET purge_at_ms = ?2 WHERE widget = ?1 AND purge_at_ms != ?2",
            args![widget.as_str(), at.0],
        )?;
    }
    let touched = widgets_where(tx, "purge_at_ms <= ?1", now.0.into())?;
    let deleted = tx.execute(
        "DELETE FROM registrations WHERE purge_at_ms <= ?1",
        args![now.0],
    )?;
    for widget in touched {
        recount(tx, &widget)?;
    }
    Ok(deleted)
}

/// Deletes every registration of the address (an erasure request); the seats it held go to the
/// waiting lists of declared events. Returns the registrations deleted and the promotions.
pub(crate) fn erase(
    tx: &mut dyn Tx,
    email_key: &str,
    events: &std::collections::BTreeMap<WidgetId, std::sync::Arc<Event>>,
    now: Timestamp,
) -> Result<(u64, u64), StoreError> {
    let seated = tx
        .query(
            "SELECT DISTINCT widget FROM registrations WHERE email_key = ?1 AND status = 'seat'",
            args![email_key],
        )?
        .iter()
        .map(|row| row.text(0))
        .collect::<Result<Vec<String>, StoreError>>()?;
    let touched = widgets_where(tx, "email_key = ?1", email_key.into())?;
    let deleted = tx.execute(
        "DELETE FROM registrations WHERE email_key = ?1",
        args![email_key],
    )?;
    // Before the promotions, which read the counters.
    for widget in touched {
        recount(tx, &widget)?;
    }
    let mut promoted = 0;
    for widget in seated {
        if let Some(event) = WidgetId::parse(&widget).ok().and_then(|w| events.get(&w)) {
            promoted += promote(tx, &widget, event, now)? as u64;
        }
    }
    Ok((deleted, promoted))
}
