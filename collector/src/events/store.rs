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
    ByHand, ByHandOutcome, CancelOutcome, Canceller, RegistrationContext, RegistrationRecord,
    RegistrationStatus,
};
use crate::args;
use crate::ballots::rules::Refusal;
use crate::db::queue::MAILS;
use crate::db::{Row, StoreError, ToValue, Tx, Value, many, new_token, token_hash};
use crate::events::Event;
use crate::mail::kind::{MailJob, MailKind};
use mitmachen_shared::event::{Placement, lang_code, place, promotions, seats_left};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::{FieldError, Registration};
use mitmachen_shared::time::{Timestamp, rfc3339_utc};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A second request for the same address gets its "already registered" mail at most this
/// often, so that the form cannot be used to flood someone's inbox.
const ALREADY_MAIL_INTERVAL_MS: i64 = 60 * 60 * 1000;

/// How long a mail about a called-off or moved event waits before it is sent: longer than the
/// catalog's reload on other collectors (2 s), so that every sender writes the new facts.
const ANNOUNCE_DELAY_MS: i64 = 5_000;

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
        // Held back: an increment cannot fail (a decrement below might, if counts were wrong).
        tx.execute_later(
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

/// A registration of a batch, for a declared event.
pub(crate) struct Placing<'a> {
    pub widget: &'a str,
    pub registration: &'a Registration,
    pub context: &'a RegistrationContext,
}

/// What [`decide_all`] found for one registration.
#[derive(Debug)]
pub(crate) enum Decision {
    Placed(Verdict),
    Refused(Refusal),
    /// Its address came earlier in the same batch: decide it alone once the batch is written
    /// (it then finds the earlier one's registration).
    Later,
}

/// Checks the events' rules and places `items` as if one after another, each seeing the seats
/// and addresses of those placed before it; nothing is written yet ([`record_all`] does). One
/// read of the counters and one of the addresses per event, however many registrations.
pub(crate) fn decide_all(
    tx: &mut dyn Tx,
    items: &[Placing<'_>],
    now: Timestamp,
) -> Result<Vec<Decision>, StoreError> {
    let refusals: Vec<Option<Refusal>> = items.iter().map(|item| refusal(item, now)).collect();
    let mut addresses: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for (item, refused) in items.iter().zip(&refusals) {
        if refused.is_none() {
            let key = email_key(&item.registration.email);
            addresses.entry(item.widget).or_default().push(key.into());
        }
    }
    let mut seats: HashMap<&str, (u32, u32)> = HashMap::new();
    let mut registered: HashMap<(&str, String), i64> = HashMap::new();
    for (widget, keys) in &addresses {
        seats.insert(widget, counts(tx, widget)?);
        let rows = many::query_each(
            tx,
            "SELECT email_key, id FROM registrations
             WHERE widget = ?1 AND status != 'cancelled' AND email_key = {value}",
            args![*widget],
            keys,
        )?;
        for row in rows {
            registered.insert((widget, row.text(0)?), row.int(1)?);
        }
    }
    let mut seen = HashSet::new();
    let mut decisions = Vec::with_capacity(items.len());
    for (item, refused) in items.iter().zip(refusals) {
        if let Some(refusal) = refused {
            decisions.push(Decision::Refused(refusal));
            continue;
        }
        let key = email_key(&item.registration.email);
        if !seen.insert((item.widget, key.clone())) {
            decisions.push(Decision::Later);
            continue;
        }
        let event = &item.context.event;
        let persons = item.registration.persons;
        let (taken, waiting) = seats.get(item.widget).copied().unwrap_or_default();
        let Some(placement) = place(event.capacity, taken, waiting, persons, event.waiting_list)
        else {
            let left = event.capacity.map_or(0, |c| seats_left(c, taken));
            decisions.push(Decision::Refused(Refusal::Full(if left == 0 {
                "all seats are taken and this event has no waiting list".into()
            } else {
                format!("only {left} seats are left and this event has no waiting list")
            })));
            continue;
        };
        decisions.push(Decision::Placed(
            match registered.get(&(item.widget, key)) {
                Some(&existing) => Verdict::Duplicate {
                    existing,
                    placement,
                },
                None => {
                    let counted = seats.entry(item.widget).or_default();
                    match placement {
                        Placement::Seat => counted.0 = counted.0.saturating_add(persons),
                        Placement::WaitingList => counted.1 = counted.1.saturating_add(persons),
                    }
                    Verdict::New(placement)
                }
            },
        ));
    }
    Ok(decisions)
}

/// The event's own refusal, before seats are counted: closed, or too many persons.
fn refusal(item: &Placing<'_>, now: Timestamp) -> Option<Refusal> {
    let event = &item.context.event;
    if let Some(reason) = event.refusal(now) {
        return Some(Refusal::Closed(reason));
    }
    (item.registration.persons > event.persons_max).then(|| {
        Refusal::Invalid(vec![FieldError {
            pointer: "/persons".into(),
            detail: format!(
                "persons: at most {} per registration for this event",
                event.persons_max
            ),
        }])
    })
}

/// Writes what [`decide_all`] found, each registration with its submission's id, and queues the
/// mails: the new registrations with one insert (per power of two), one counter update per
/// event and status, the mails with one insert; a repeated address alone.
pub(crate) fn record_all(
    tx: &mut dyn Tx,
    placed: &[(&Placing<'_>, Verdict, i64)],
    now: Timestamp,
) -> Result<(), StoreError> {
    let at = rfc3339_utc(now);
    let mut rows = Vec::new();
    let mut counted: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    let mut kinds: HashMap<i64, MailKind> = HashMap::new();
    for (item, verdict, submission) in placed {
        let placement = match verdict {
            Verdict::New(placement) => *placement,
            Verdict::Duplicate { existing, .. } => {
                record_duplicate(tx, *existing, now)?;
                continue;
            }
        };
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
        let r = item.registration;
        let seated_at = (status == RegistrationStatus::Seat).then(|| at.clone());
        rows.push(vec![
            item.widget.into(),
            Value::Int(*submission),
            status.as_str().into(),
            r.name.trim().into(),
            r.email.trim().into(),
            email_key(&r.email).into(),
            r.persons.to_value(),
            r.phone.trim().into(),
            r.organisation.trim().into(),
            r.note.trim().into(),
            lang_code(r.language()).into(),
            at.as_str().into(),
            seated_at.to_value(),
            Value::Int(item.context.purge_at.0),
        ]);
        *counted.entry((item.widget, status.as_str())).or_default() += i64::from(r.persons);
        kinds.insert(*submission, kind);
    }
    // Padded with copies of the last row, which its submission's key skips: one statement.
    let inserted = many::insert_skipping_copies(
        tx,
        "INSERT INTO registrations
           (widget, submission, status, name, email, email_key, persons, phone,
            organisation, note, lang, created_at, seated_at, purge_at_ms)",
        &rows,
        "ON CONFLICT (submission) DO NOTHING RETURNING submission, id",
    )?;
    if inserted.len() != rows.len() {
        return Err(StoreError(format!(
            "{} registrations were written for {}",
            inserted.len(),
            rows.len()
        )));
    }
    let mut mails = Vec::with_capacity(inserted.len());
    for row in &inserted {
        let kind = kinds
            .get(&row.int(0)?)
            .copied()
            .ok_or_else(|| StoreError("a registration came back for another submission".into()))?;
        mails.push((row.int(1)?, kind));
    }
    // In the order they came, so that the queue sends them so.
    mails.sort_unstable_by_key(|(id, _)| *id);
    for ((widget, status), persons) in counted {
        let status = RegistrationStatus::parse(status)
            .ok_or_else(|| StoreError(format!("status '{status}'")))?;
        adjust(tx, widget, status, persons)?;
    }
    enqueue_all(tx, &mails, now)
}

/// The address was registered already: its registration gets the "already registered" mail,
/// at most once per [`ALREADY_MAIL_INTERVAL_MS`].
fn record_duplicate(tx: &mut dyn Tx, existing: i64, now: Timestamp) -> Result<(), StoreError> {
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
    Ok(())
}

/// Queues a mail; one with a link gets a fresh token, of which only the hash is kept beyond
/// the queue.
/// Queues one mail about a registration, unless it has no address (added by hand without one).
fn enqueue(
    tx: &mut dyn Tx,
    registration: i64,
    kind: MailKind,
    now: Timestamp,
) -> Result<(), StoreError> {
    let addressed = tx
        .query_opt(
            "SELECT 1 FROM registrations WHERE id = ?1 AND email != ''",
            args![registration],
        )?
        .is_some();
    if !addressed {
        return Ok(());
    }
    enqueue_all(tx, &[(registration, kind)], now)
}

/// Queues mails (registration, kind), one insert for all (per power of two) and one for their
/// tokens.
fn enqueue_all(
    tx: &mut dyn Tx,
    mails: &[(i64, MailKind)],
    now: Timestamp,
) -> Result<(), StoreError> {
    enqueue_message(tx, mails, None, now)
}

/// [`enqueue_all`], each mail pointing at an organiser's `message` (`event_messages`).
fn enqueue_message(
    tx: &mut dyn Tx,
    mails: &[(i64, MailKind)],
    message: Option<i64>,
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut tokens = Vec::new();
    let mut rows = Vec::with_capacity(mails.len());
    let at = rfc3339_utc(now);
    for &(registration, kind) in mails {
        let token = if kind.has_link() {
            let token = new_token()?;
            tokens.push(vec![token_hash(&token).into(), Value::Int(registration)]);
            Some(token)
        } else {
            None
        };
        rows.push(vec![
            Value::Int(registration),
            kind.as_str().into(),
            token.to_value(),
            at.as_str().into(),
            Value::Int(now.0),
            message.to_value(),
        ]);
    }
    many::insert_later(
        tx,
        "INSERT INTO cancel_tokens (token_sha256, registration)",
        &tokens,
    )?;
    many::insert_later(
        tx,
        "INSERT INTO mail_queue (registration, kind, token, created_at, next_attempt_ms, message)",
        &rows,
    )
}

const RECORD_COLUMNS: &str = "id, widget, status, name, email, persons, phone, organisation, \
    note, lang, created_at, seated_at, cancelled_at, cancelled_by, staff_note, arrived_at, source";

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
        staff_note: row.text(14)?,
        arrived_at: row.opt_text(15)?,
        source: row.text(16)?,
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

/// One registration of the event `widget`, with its waiting place.
pub(crate) fn one(
    tx: &mut dyn Tx,
    widget: &str,
    id: i64,
) -> Result<Option<RegistrationRecord>, StoreError> {
    Ok(list(tx, widget)?.into_iter().find(|r| r.id == id))
}

/// Adds a registration by hand (a phone call): placed by the same rule as the form's, unless the
/// organiser gives a seat beyond the capacity; mailed like one from the form if it has an
/// address. Its submission row carries no payload, as every registration's.
pub(crate) fn add_by_hand(
    tx: &mut dyn Tx,
    widget: &WidgetId,
    context: &RegistrationContext,
    by_hand: &ByHand,
    now: Timestamp,
) -> Result<ByHandOutcome, StoreError> {
    let event = &context.event;
    let email = by_hand.email.trim();
    let key = if email.is_empty() {
        // Never equal to another: the active-address index must not join two without one.
        format!("by-hand:{}", new_token()?)
    } else {
        email_key(email)
    };
    if let Some(row) = tx.query_opt(
        "SELECT id FROM registrations
         WHERE widget = ?1 AND email_key = ?2 AND status != 'cancelled'",
        args![widget.as_str(), key],
    )? {
        return Ok(ByHandOutcome::AlreadyRegistered(row.int(0)?));
    }
    let (taken, waiting) = counts(tx, widget.as_str())?;
    let placement = if by_hand.overbook {
        Some(Placement::Seat)
    } else {
        place(
            event.capacity,
            taken,
            waiting,
            by_hand.persons,
            event.waiting_list,
        )
    };
    let Some(placement) = placement else {
        return Ok(ByHandOutcome::Full);
    };
    let (receipt, response) = crate::db::new_receipt(widget, Some(placement))?;
    let submission = tx
        .query_one(
            "INSERT INTO submissions (receipt, widget, kind, idempotency_key, body_sha256,
                 payload, response_body, created_at)
             VALUES (?1, ?2, 'registration', ?3, '', ?4, ?5, ?6) RETURNING id",
            args![
                receipt.receipt,
                widget.as_str(),
                format!("console-{}", new_token()?),
                r#"{"kind":"registration"}"#,
                response,
                receipt.accepted_at
            ],
        )?
        .int(0)?;
    let (status, kind) = match placement {
        Placement::Seat => (RegistrationStatus::Seat, EventMailKind::Seat),
        Placement::WaitingList => (RegistrationStatus::Waiting, EventMailKind::WaitingList),
    };
    let at = rfc3339_utc(now);
    let seated_at = (status == RegistrationStatus::Seat).then(|| at.clone());
    let id = tx
        .query_one(
            "INSERT INTO registrations
               (widget, submission, status, name, email, email_key, persons, phone,
                organisation, note, lang, created_at, seated_at, purge_at_ms, staff_note, source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'de', ?11, ?12, ?13, ?14, 'console')
             RETURNING id",
            args![
                widget.as_str(),
                submission,
                status.as_str(),
                by_hand.name.trim(),
                email,
                key,
                by_hand.persons,
                by_hand.phone.trim(),
                by_hand.organisation.trim(),
                by_hand.note.trim(),
                at,
                seated_at,
                context.purge_at.0,
                by_hand.staff_note.trim()
            ],
        )?
        .int(0)?;
    adjust(tx, widget.as_str(), status, i64::from(by_hand.persons))?;
    enqueue(tx, id, MailKind::Event(kind), now)?;
    one(tx, widget.as_str(), id)?
        .map(|r| ByHandOutcome::Added(Box::new(r)))
        .ok_or_else(|| StoreError("a registration added by hand vanished".into()))
}

/// Gives a waiting registration a seat by hand, whatever the seats left (the organiser decides);
/// it is mailed as one promoted. `None`: no such registration waiting.
pub(crate) fn seat_by_hand(
    tx: &mut dyn Tx,
    widget: &str,
    id: i64,
    now: Timestamp,
) -> Result<Option<RegistrationRecord>, StoreError> {
    let Some(record) = one(tx, widget, id)?.filter(|r| r.status == RegistrationStatus::Waiting)
    else {
        return Ok(None);
    };
    tx.execute(
        "UPDATE registrations SET status = 'seat', seated_at = ?1 WHERE id = ?2",
        args![rfc3339_utc(now), id],
    )?;
    let persons = i64::from(record.persons);
    adjust(tx, widget, RegistrationStatus::Waiting, -persons)?;
    adjust(tx, widget, RegistrationStatus::Seat, persons)?;
    enqueue(tx, id, MailKind::Event(EventMailKind::Promoted), now)?;
    one(tx, widget, id)
}

/// The organiser's note on a registration; `false`: no such registration.
pub(crate) fn set_note(
    tx: &mut dyn Tx,
    widget: &str,
    id: i64,
    note: &str,
) -> Result<bool, StoreError> {
    Ok(tx.execute(
        "UPDATE registrations SET staff_note = ?1 WHERE widget = ?2 AND id = ?3",
        args![note.trim(), widget, id],
    )? == 1)
}

/// Marks a registration as arrived at the door (`at`), or not (`None`); `false`: no such
/// registration with a seat.
pub(crate) fn set_arrived(
    tx: &mut dyn Tx,
    widget: &str,
    id: i64,
    at: Option<Timestamp>,
) -> Result<bool, StoreError> {
    Ok(tx.execute(
        "UPDATE registrations SET arrived_at = ?1
         WHERE widget = ?2 AND id = ?3 AND status = 'seat'",
        args![at.map(rfc3339_utc), widget, id],
    )? == 1)
}

/// Who of an event's registrants a mail goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Seats,
    Waiting,
    All,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Seats => "seat",
            Audience::Waiting => "waiting",
            Audience::All => "all",
        }
    }

    pub fn parse(text: &str) -> Option<Audience> {
        [Audience::Seats, Audience::Waiting, Audience::All]
            .into_iter()
            .find(|a| a.as_str() == text)
    }

    fn condition(self) -> &'static str {
        match self {
            Audience::Seats => "status = 'seat'",
            Audience::Waiting => "status = 'waiting'",
            Audience::All => "status IN ('seat', 'waiting')",
        }
    }
}

/// The registrations with an address that `audience` reaches, oldest first.
fn reached(tx: &mut dyn Tx, widget: &str, audience: Audience) -> Result<Vec<i64>, StoreError> {
    tx.query(
        &format!(
            "SELECT id FROM registrations WHERE widget = ?1 AND email != '' AND {}
             ORDER BY id",
            audience.condition()
        ),
        args![widget],
    )?
    .iter()
    .map(|row| row.int(0))
    .collect()
}

/// How many registrations with an address `audience` reaches now.
pub(crate) fn audience_size(
    tx: &mut dyn Tx,
    widget: &str,
    audience: Audience,
) -> Result<u64, StoreError> {
    Ok(reached(tx, widget, audience)?.len() as u64)
}

/// Queues the organiser's message to `audience`, one mail each (the queue sends them at its
/// pace, retried like every mail); returns the message's number and how many.
pub(crate) fn mail_registrants(
    tx: &mut dyn Tx,
    widget: &str,
    audience: Audience,
    message: &super::mail::OrganiserMessage,
    by: &str,
    now: Timestamp,
) -> Result<(i64, u64), StoreError> {
    let ids = reached(tx, widget, audience)?;
    let stored = tx
        .query_one(
            "INSERT INTO event_messages
               (widget, audience, subject, body, created_at, created_by, recipients)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
            args![
                widget,
                audience.as_str(),
                message.subject.trim(),
                message.body.trim(),
                rfc3339_utc(now),
                by,
                ids.len()
            ],
        )?
        .int(0)?;
    let mails: Vec<(i64, MailKind)> = ids
        .iter()
        .map(|id| (*id, MailKind::Event(EventMailKind::Message)))
        .collect();
    enqueue_message(tx, &mails, Some(stored), now)?;
    Ok((stored, ids.len() as u64))
}

/// Tells everyone with a seat or a waiting place that the event was called off or moved
/// (`kind`); returns how many mails were queued.
pub(crate) fn announce(
    tx: &mut dyn Tx,
    widget: &str,
    kind: EventMailKind,
    now: Timestamp,
) -> Result<u64, StoreError> {
    let mails: Vec<(i64, MailKind)> = reached(tx, widget, Audience::All)?
        .into_iter()
        .map(|id| (id, MailKind::Event(kind)))
        .collect();
    // Sent a few seconds later: the sender writes the facts from the live catalog, which every
    // collector of the database reloads within 2 s of the change.
    enqueue_all(tx, &mails, Timestamp(now.0 + ANNOUNCE_DELAY_MS))?;
    Ok(mails.len() as u64)
}

/// What a changed event definition means for its registrants: called off (it was not), or
/// moved (another start, end or place); everyone with a seat or a waiting place is mailed.
/// Returns what happened and how many mails were queued, or `None`.
pub(crate) fn announce_change(
    tx: &mut dyn Tx,
    id: &WidgetId,
    before: &mitmachen_shared::definition::Definition,
    after: &mitmachen_shared::definition::Definition,
    now: Timestamp,
) -> Result<Option<(&'static str, u64)>, StoreError> {
    // The endpoint only needs to be one; the facts do not depend on it.
    let event = |d: &mitmachen_shared::definition::Definition| match d
        .check(id, "https://collector.invalid")
        .map(|c| c.kind)
    {
        Ok(mitmachen_shared::config::WidgetKind::Event(e)) => Some(e),
        _ => None,
    };
    let (Some(before), Some(after)) = (event(before), event(after)) else {
        return Ok(None);
    };
    let (what, kind) = if after.cancelled && !before.cancelled {
        ("event cancelled", EventMailKind::EventCancelled)
    } else if !after.cancelled
        && (before.facts.starts_at != after.facts.starts_at
            || before.facts.ends_at != after.facts.ends_at
            || before.facts.place.trim() != after.facts.place.trim())
    {
        ("event moved", EventMailKind::EventMoved)
    } else {
        return Ok(None);
    };
    let mailed = announce(tx, id.as_str(), kind, now)?;
    Ok((mailed > 0).then_some((what, mailed)))
}

/// One mail of the queue as the event's mail log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedMail {
    pub registration: i64,
    pub name: String,
    pub email: String,
    pub kind: String,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub failed_at: Option<String>,
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// The event's mails (or one registration's), newest first, at most `limit`.
pub(crate) fn mail_log(
    tx: &mut dyn Tx,
    widget: &str,
    registration: Option<i64>,
    limit: i64,
) -> Result<Vec<LoggedMail>, StoreError> {
    // Two statements: PostgreSQL cannot type a NULL compared with an integer column.
    let select = "SELECT r.id, r.name, r.email, q.kind, q.created_at, q.sent_at, q.failed_at,
                q.attempts, q.last_error
         FROM mail_queue q JOIN registrations r ON r.id = q.registration";
    let rows = match registration {
        Some(id) => tx.query(
            &format!("{select} WHERE r.widget = ?1 AND r.id = ?2 ORDER BY q.id DESC LIMIT ?3"),
            args![widget, id, limit],
        )?,
        None => tx.query(
            &format!("{select} WHERE r.widget = ?1 ORDER BY q.id DESC LIMIT ?2"),
            args![widget, limit],
        )?,
    };
    rows.iter()
        .map(|row| {
            Ok(LoggedMail {
                registration: row.int(0)?,
                name: row.text(1)?,
                email: row.text(2)?,
                kind: row.text(3)?,
                created_at: row.text(4)?,
                sent_at: row.opt_text(5)?,
                failed_at: row.opt_text(6)?,
                attempts: row.u32(7)?,
                last_error: row.opt_text(8)?,
            })
        })
        .collect()
}

/// Every registration of one address (an access request), oldest first, with its place on the
/// waiting list where it waits.
pub(crate) fn of_address(
    tx: &mut dyn Tx,
    email_key: &str,
) -> Result<Vec<RegistrationRecord>, StoreError> {
    let rows = tx.query(
        &format!(
            "SELECT {RECORD_COLUMNS}, (SELECT count(*) FROM registrations w
                 WHERE w.widget = r.widget AND w.status = 'waiting' AND w.id <= r.id)
             FROM registrations r WHERE email_key = ?1 ORDER BY id"
        ),
        args![email_key],
    )?;
    rows.iter()
        .map(|row| {
            let mut record = record_row(row)?;
            if record.status == RegistrationStatus::Waiting {
                record.waiting_position = Some(row.u32(17)?);
            }
            Ok(record)
        })
        .collect()
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
            // The due mails first, joined after the limit: joined before it, every due mail
            // was joined and then all but a few dropped (11 ms on PostgreSQL with 3,400 due,
            // after a burst of registrations).
            "SELECT q.id, q.kind, q.token, q.attempts, coalesce(r.widget, s.widget),
                    coalesce(r.email, s.email), coalesce(r.lang, s.lang), coalesce(r.persons, 1),
                    s.lists, m.subject, m.body
             FROM (SELECT id, kind, token, attempts, registration, subscription, message
                   FROM mail_queue
                   WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_ms <= ?1
                   ORDER BY id LIMIT ?2) q
             LEFT JOIN registrations r ON r.id = q.registration
             LEFT JOIN subscriptions s ON s.id = q.subscription
             LEFT JOIN event_messages m ON m.id = q.message
             ORDER BY q.id",
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
                message: match (row.opt_text(9)?, row.opt_text(10)?) {
                    (Some(subject), Some(body)) => {
                        Some(super::mail::OrganiserMessage { subject, body })
                    }
                    _ => None,
                },
            });
        }
    }
    MAILS.lease(
        tx,
        &jobs.iter().map(|j| j.id).collect::<Vec<_>>(),
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
