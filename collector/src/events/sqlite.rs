//! Registrations in SQLite: placing one (inside the submission's write transaction), cancelling
//! with promotion from the waiting list, the mail queue (both features' mails are claimed here),
//! and the retention purge.
//!
//! Capacity holds because every step that changes seats runs in one `BEGIN IMMEDIATE`
//! transaction on the single writer connection: the counts read are the counts written against.

use super::mail::EventMailKind;
use super::records::{
    CancelOutcome, Canceller, RegistrationContext, RegistrationRecord, RegistrationStatus,
};
use crate::ballots::rules::Refusal;
use crate::db::sqlite::queue::MAILS;
use crate::db::{StoreError, new_token, token_hash};
use crate::events::Event;
use crate::mail::kind::{MailJob, MailKind};
use mitmachen_shared::event::{Placement, lang_code, place, promotions, seats_left};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::{FieldError, Registration};
use mitmachen_shared::time::{Timestamp, rfc3339_utc};
use rusqlite::{Connection, OptionalExtension, params};

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

/// Persons seated and persons waiting.
pub(crate) fn counts(conn: &Connection, widget: &str) -> Result<(u32, u32), StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT status, sum(persons) FROM registrations
         WHERE widget = ?1 AND status IN ('seat', 'waiting') GROUP BY status",
    )?;
    let mut rows = stmt.query(params![widget])?;
    let (mut seats, mut waiting) = (0u32, 0u32);
    while let Some(row) = rows.next()? {
        let status: String = row.get(0)?;
        let n = u32::try_from(row.get::<_, i64>(1)?).unwrap_or(u32::MAX);
        match status.as_str() {
            "seat" => seats = n,
            _ => waiting = n,
        }
    }
    Ok((seats, waiting))
}

/// Checks the event's rules and places the registration; nothing is written yet.
pub(crate) fn decide(
    conn: &Connection,
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
    let (taken, waiting) = counts(conn, widget)?;
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
    let existing: Option<i64> = conn
        .query_row(
            "SELECT id FROM registrations
             WHERE widget = ?1 AND email_key = ?2 AND status != 'cancelled'",
            params![widget, email_key(&registration.email)],
            |row| row.get(0),
        )
        .optional()?;
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
    conn: &Connection,
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
            conn.execute(
                "INSERT INTO registrations
                   (widget, submission, status, name, email, email_key, persons, phone,
                    organisation, note, lang, created_at, seated_at, purge_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,
                         CASE WHEN ?3 = 'seat' THEN ?12 END, ?13)",
                params![
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
                    context.purge_at.0,
                ],
            )?;
            enqueue(conn, conn.last_insert_rowid(), kind, now)?;
        }
        Verdict::Duplicate { existing, .. } => {
            let status: String = conn.query_row(
                "SELECT status FROM registrations WHERE id = ?1",
                params![existing],
                |row| row.get(0),
            )?;
            let kind = if status == "seat" {
                MailKind::Event(EventMailKind::AlreadySeat)
            } else {
                MailKind::Event(EventMailKind::AlreadyWaiting)
            };
            let recent: bool = conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM mail_queue WHERE registration = ?1
                   AND kind IN ('already_seat', 'already_waiting')
                   AND next_attempt_ms > ?2 - ?3)",
                params![existing, now.0, ALREADY_MAIL_INTERVAL_MS],
                |row| row.get(0),
            )?;
            if !recent {
                enqueue(conn, existing, kind, now)?;
            }
        }
    }
    Ok(())
}

/// Queues a mail; one with a link gets a fresh token, of which only the hash is kept beyond
/// the queue.
fn enqueue(
    conn: &Connection,
    registration: i64,
    kind: MailKind,
    now: Timestamp,
) -> Result<(), StoreError> {
    let token = if kind.has_link() {
        let token = new_token()?;
        conn.execute(
            "INSERT INTO cancel_tokens (token_sha256, registration) VALUES (?1, ?2)",
            params![token_hash(&token), registration],
        )?;
        Some(token)
    } else {
        None
    };
    conn.execute(
        "INSERT INTO mail_queue (registration, kind, token, created_at, next_attempt_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![registration, kind.as_str(), token, rfc3339_utc(now), now.0],
    )?;
    Ok(())
}

const RECORD_COLUMNS: &str = "id, widget, status, name, email, persons, phone, organisation, \
    note, lang, created_at, seated_at, cancelled_at, cancelled_by";

fn record_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<RegistrationRecord, StoreError>> {
    let widget: String = row.get(1)?;
    let status: String = row.get(2)?;
    let persons: i64 = row.get(5)?;
    let build = || -> Result<RegistrationRecord, StoreError> {
        Ok(RegistrationRecord {
            id: row.get(0)?,
            widget: WidgetId::parse(&widget)
                .map_err(|e| StoreError(format!("stored widget id '{widget}' {e}")))?,
            status: RegistrationStatus::parse(&status)
                .ok_or_else(|| StoreError(format!("stored status '{status}'")))?,
            waiting_position: None,
            name: row.get(3)?,
            email: row.get(4)?,
            persons: u32::try_from(persons).unwrap_or(u32::MAX),
            phone: row.get(6)?,
            organisation: row.get(7)?,
            note: row.get(8)?,
            lang: row.get(9)?,
            created_at: row.get(10)?,
            seated_at: row.get(11)?,
            cancelled_at: row.get(12)?,
            cancelled_by: row.get(13)?,
        })
    };
    Ok(build())
}

fn load(conn: &Connection, id: i64) -> Result<Option<RegistrationRecord>, StoreError> {
    conn.query_row(
        &format!("SELECT {RECORD_COLUMNS} FROM registrations WHERE id = ?1"),
        params![id],
        record_row,
    )
    .optional()?
    .transpose()
}

pub(crate) fn by_token(
    conn: &Connection,
    token: &str,
) -> Result<Option<RegistrationRecord>, StoreError> {
    let id: Option<i64> = conn
        .query_row(
            "SELECT registration FROM cancel_tokens WHERE token_sha256 = ?1",
            params![token_hash(token)],
            |row| row.get(0),
        )
        .optional()?;
    match id {
        Some(id) => load(conn, id),
        None => Ok(None),
    }
}

pub(crate) fn cancel(
    conn: &Connection,
    who: &Canceller,
    event: Option<&Event>,
    now: Timestamp,
) -> Result<CancelOutcome, StoreError> {
    let (record, by) = match who {
        Canceller::Token(token) => (by_token(conn, token)?, "registrant"),
        Canceller::Organiser { widget, id } => (
            load(conn, *id)?.filter(|r| r.widget == *widget),
            "organiser",
        ),
    };
    let Some(record) = record else {
        return Ok(CancelOutcome::Unknown);
    };
    if record.status == RegistrationStatus::Cancelled {
        return Ok(CancelOutcome::AlreadyCancelled(record));
    }
    conn.execute(
        "UPDATE registrations SET status = 'cancelled', cancelled_at = ?1, cancelled_by = ?2
         WHERE id = ?3",
        params![rfc3339_utc(now), by, record.id],
    )?;
    let kind = if by == "registrant" {
        MailKind::Event(EventMailKind::Cancelled)
    } else {
        MailKind::Event(EventMailKind::CancelledByOrganiser)
    };
    enqueue(conn, record.id, kind, now)?;
    let promoted = match event {
        Some(event) => promote(conn, record.widget.as_str(), event, now)?,
        None => 0,
    };
    let record = load(conn, record.id)?
        .ok_or_else(|| StoreError("a registration vanished while cancelling".into()))?;
    Ok(CancelOutcome::Cancelled { record, promoted })
}

/// Moves the head of the waiting list onto free seats while they fit, until the event starts.
fn promote(
    conn: &Connection,
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
    let (taken, _) = counts(conn, widget)?;
    let queue: Vec<(i64, u32)> = {
        let mut stmt = conn.prepare_cached(
            "SELECT id, persons FROM registrations WHERE widget = ?1 AND status = 'waiting'
             ORDER BY id",
        )?;
        let rows = stmt.query_map(params![widget], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, persons) = row?;
            out.push((id, u32::try_from(persons).unwrap_or(u32::MAX)));
        }
        out
    };
    let persons: Vec<u32> = queue.iter().map(|(_, p)| *p).collect();
    let n = promotions(seats_left(capacity, taken), &persons);
    for (id, _) in &queue[..n] {
        conn.execute(
            "UPDATE registrations SET status = 'seat', seated_at = ?1 WHERE id = ?2",
            params![rfc3339_utc(now), id],
        )?;
        enqueue(conn, *id, MailKind::Event(EventMailKind::Promoted), now)?;
    }
    Ok(n)
}

pub(crate) fn list(conn: &Connection, widget: &str) -> Result<Vec<RegistrationRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RECORD_COLUMNS} FROM registrations WHERE widget = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map(params![widget], record_row)?;
    let mut out = Vec::new();
    let mut position = 0;
    for row in rows {
        let mut record = row??;
        if record.status == RegistrationStatus::Waiting {
            position += 1;
            record.waiting_position = Some(position);
        }
        out.push(record);
    }
    Ok(out)
}

pub(crate) fn claim(
    conn: &Connection,
    now_ms: i64,
    lease_ms: i64,
    limit: usize,
) -> Result<Vec<MailJob>, StoreError> {
    let mut jobs = Vec::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT q.id, q.kind, q.token, q.attempts, coalesce(r.widget, s.widget),
                    coalesce(r.email, s.email), coalesce(r.lang, s.lang), coalesce(r.persons, 1),
                    s.lists
             FROM mail_queue q
             LEFT JOIN registrations r ON r.id = q.registration
             LEFT JOIN subscriptions s ON s.id = q.subscription
             WHERE q.sent_at IS NULL AND q.failed_at IS NULL AND q.next_attempt_ms <= ?1
             ORDER BY q.id LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![now_ms, i64::try_from(limit).unwrap_or(i64::MAX)])?;
        while let Some(row) = rows.next()? {
            let kind: String = row.get(1)?;
            let widget: String = row.get(4)?;
            jobs.push(MailJob {
                id: row.get(0)?,
                kind: MailKind::parse(&kind)
                    .ok_or_else(|| StoreError(format!("queued mail of unknown kind '{kind}'")))?,
                token: row.get(2)?,
                attempts: u32::try_from(row.get::<_, i64>(3)?).unwrap_or(u32::MAX),
                widget: WidgetId::parse(&widget)
                    .map_err(|e| StoreError(format!("stored widget id '{widget}' {e}")))?,
                to: row.get(5)?,
                lang: row.get(6)?,
                persons: u32::try_from(row.get::<_, i64>(7)?).unwrap_or(1),
                lists: match row.get::<_, Option<String>>(8)? {
                    Some(json) => serde_json::from_str(&json)
                        .map_err(|e| StoreError(format!("stored lists are not JSON: {e}")))?,
                    None => Vec::new(),
                },
            });
        }
    }
    MAILS.lease(
        conn,
        jobs.iter().map(|j| j.id),
        now_ms.saturating_add(lease_ms),
    )?;
    Ok(jobs)
}

pub(crate) fn purge(
    conn: &Connection,
    now: Timestamp,
    cutoffs: &[(WidgetId, Timestamp)],
) -> Result<usize, StoreError> {
    let mut update = conn.prepare_cached(
        "UPDATE registrations SET purge_at_ms = ?2 WHERE widget = ?1 AND purge_at_ms != ?2",
    )?;
    for (widget, at) in cutoffs {
        update.execute(params![widget.as_str(), at.0])?;
    }
    Ok(conn.execute(
        "DELETE FROM registrations WHERE purge_at_ms <= ?1",
        params![now.0],
    )?)
}

/// Deletes every registration of the address (an erasure request); the seats it held go to the
/// waiting lists of declared events. Returns the registrations deleted and the promotions.
pub(crate) fn erase(
    conn: &Connection,
    email_key: &str,
    events: &std::collections::BTreeMap<WidgetId, std::sync::Arc<Event>>,
    now: Timestamp,
) -> Result<(usize, usize), StoreError> {
    let seated: Vec<String> = {
        let mut stmt = conn.prepare_cached(
            "SELECT DISTINCT widget FROM registrations WHERE email_key = ?1 AND status = 'seat'",
        )?;
        let rows = stmt.query_map(params![email_key], |row| row.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let deleted = conn.execute(
        "DELETE FROM registrations WHERE email_key = ?1",
        params![email_key],
    )?;
    let mut promoted = 0;
    for widget in seated {
        if let Some(event) = WidgetId::parse(&widget).ok().and_then(|w| events.get(&w)) {
            promoted += promote(conn, &widget, event, now)?;
        }
    }
    Ok((deleted, promoted))
}
