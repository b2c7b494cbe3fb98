//! SQLite storage: one file, one writer connection, a few readers.
//!
//! Writes are serialised behind one mutex and run in `BEGIN IMMEDIATE` transactions, so the
//! idempotency check and the insert can never interleave with another request's. WAL lets the
//! readers answer results while a write is under way; `synchronous=FULL` makes a commit durable
//! before the 201 leaves.

pub(crate) mod queue;

use crate::events::sqlite as registrations;
use crate::newsletters::sqlite as subscriptions;

use super::{
    CancelOutcome, Canceller, ConfirmOutcome, ConfirmView, DecideOutcome, Decision, Erased,
    MailJob, Moderation, NewSubmission, ProposalRecord, ProposalStatus, RegistrationRecord, Store,
    StoreError, SubmitOutcome, SubscriberRecord, SubscriptionStatus, UnsubscribeOutcome,
    WebhookJob, hex, is_proposal_key, new_receipt, now,
};
use crate::ballots::rules::Refusal;
use crate::events::Event;
use crate::newsletters::Newsletter;
use crate::proposals::new_proposal_key;
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::{Results, Submission, Topic};
use mitmachen_shared::time::Timestamp;
use mitmachen_shared::time::rfc3339_utc;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

// The number of migrations applied last is kept in `PRAGMA user_version`.
use super::migrations::{Dialect, MIGRATIONS, render};

/// Fresh proposal keys tried before giving up; with 32 random bits a second try is already rare.
const KEY_ATTEMPTS: usize = 8;

const PROPOSAL_COLUMNS: &str =
    "key, widget, title, description, status, created_at, decided_at, merged_into";

const READERS: usize = 2;
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub struct SqliteStore {
    pub(crate) writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError(format!("sqlite: {e}"))
    }
}

impl SqliteStore {
    /// Opens (or creates) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let mut writer = Connection::open(path)?;
        configure(&writer)?;
        let mode: String =
            writer.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError(format!(
                "{} cannot use write-ahead logging (journal_mode is {mode})",
                path.display()
            )));
        }
        migrate(&mut writer)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let reader = Connection::open(path)?;
            configure(&reader)?;
            // A reader that tried to write would be a bug; make it fail loudly.
            reader.pragma_update(None, "query_only", true)?;
            readers.push(Mutex::new(reader));
        }
        Ok(SqliteStore {
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
        })
    }

    /// Runs `job` in one `BEGIN IMMEDIATE` transaction on the writer and commits it; an error
    /// rolls it back.
    fn write<T>(
        &self,
        job: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = job(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        // A panic while holding a connection leaves no transaction open (rusqlite rolls back
        // on drop), so a poisoned lock still guards a usable connection.
        self.readers[i]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let applied: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let applied = usize::try_from(applied).unwrap_or(usize::MAX);
    if applied > MIGRATIONS.len() {
        return Err(StoreError(format!(
            "the database has schema version {applied}, newer than this collector knows ({}); use a newer collector",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        tx.execute_batch(&render(sql, Dialect::Sqlite))?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tracing::info!(version = i + 1, "applied database migration");
    }
    tx.commit()?;
    Ok(())
}

impl Store for SqliteStore {
    fn submit(&self, new: NewSubmission) -> Result<SubmitOutcome, StoreError> {
        let body_sha256 = hex(&Sha256::digest(&new.body));
        let payload = std::str::from_utf8(&new.body)
            .map_err(|_| StoreError("the body is not UTF-8".into()))?;
        let widget = new.widget.as_str();

        let mut conn = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        // IMMEDIATE takes the write lock first, so no other writer (even another process) can
        // insert the same key between the check and the insert.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let earlier: Option<(String, String)> = tx
            .query_row(
                "SELECT body_sha256, response_body FROM submissions
                 WHERE widget = ?1 AND idempotency_key = ?2",
                params![widget, new.idempotency_key],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        if let Some((earlier_sha256, response)) = earlier {
            // Dropping the transaction rolls back; nothing was written anyway.
            return Ok(if earlier_sha256 == body_sha256 {
                SubmitOutcome::Replayed(response)
            } else {
                SubmitOutcome::KeyReused
            });
        }

        if let Some(rules) = &new.rules {
            // Inside the write transaction, after the idempotency lookup: a retry of a
            // submission stored before the closing time gets its receipt, not `closed`; and a
            // proposal's status is read under the same lock that counts the ballot. Approval
            // is not monotonic (a proposal can be rejected or merged later), so a status read
            // before this transaction could let dots reach a proposal that is no longer a topic.
            let verdict = rules.check(&new.submission, now(), |topic| {
                if !is_proposal_key(topic.as_str()) {
                    return Ok(false);
                }
                let mut approved = tx.prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM proposals
                       WHERE key = ?1 AND widget = ?2 AND status = 'approved')",
                )?;
                approved.query_row(params![topic.as_str(), widget], |row| row.get::<_, bool>(0))
            })?;
            if let Err(refusal) = verdict {
                return Ok(SubmitOutcome::Refused(refusal));
            }
        }

        // A registration is placed (and checked against its event) before anything is written:
        // the receipt carries the placement.
        let registration = match (&new.submission, &new.registration) {
            (Submission::Registration(r), Some(context)) => {
                match registrations::decide(&tx, widget, r, context, now())? {
                    Ok(verdict) => Some((r, context, verdict)),
                    Err(refusal) => return Ok(SubmitOutcome::Refused(refusal)),
                }
            }
            (Submission::Registration(_), None) => {
                return Ok(SubmitOutcome::Refused(Refusal::Closed(
                    "this collector has no event with this id; it takes no registrations".into(),
                )));
            }
            _ => None,
        };
        let subscription = match (&new.submission, &new.subscription) {
            (Submission::Subscription(s), Some(context)) => Some((s, context)),
            (Submission::Subscription(_), None) => {
                return Ok(SubmitOutcome::Refused(Refusal::Closed(
                    "this collector has no newsletter with this id; it takes no subscriptions"
                        .into(),
                )));
            }
            _ => None,
        };
        // The personal data of a registration or a subscription is kept in its own row, deleted
        // in its time; the submission row keeps only that there was one.
        let payload = if registration.is_some() {
            r#"{"kind":"registration"}"#
        } else if subscription.is_some() {
            r#"{"kind":"subscription"}"#
        } else {
            payload
        };
        let (receipt, response) =
            new_receipt(&new.widget, registration.map(|(_, _, v)| v.placement()))?;
        tx.execute(
            "INSERT INTO submissions
               (receipt, widget, kind, idempotency_key, body_sha256, payload, response_body, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                receipt.receipt,
                widget,
                new.submission.kind(),
                new.idempotency_key,
                body_sha256,
                payload,
                response,
                receipt.accepted_at,
            ],
        )?;
        let submission_id = tx.last_insert_rowid();
        // Ballots (polls, topic lists) count in the results; proposals do not.
        let counted: Option<Vec<(&str, u32)>> = match &new.submission {
            Submission::Poll(ballot) => {
                Some(ballot.choices.iter().map(|k| (k.as_str(), 1)).collect())
            }
            Submission::Topics(ballot) => Some(
                ballot
                    .dots
                    .iter()
                    .map(|d| (d.topic.as_str(), d.count))
                    .collect(),
            ),
            Submission::Proposal(_) | Submission::Registration(_) | Submission::Subscription(_) => {
                None
            }
        };
        if let Some(counted) = counted {
            tx.execute(
                "INSERT INTO widget_totals (widget, ballots) VALUES (?1, 1)
                 ON CONFLICT (widget) DO UPDATE SET ballots = ballots + 1",
                params![widget],
            )?;
            let mut count = tx.prepare_cached(
                "INSERT INTO tallies (widget, option, count) VALUES (?1, ?2, ?3)
                 ON CONFLICT (widget, option) DO UPDATE SET count = count + ?3",
            )?;
            for (key, n) in counted {
                count.execute(params![widget, key, n])?;
            }
        }
        if let Some((r, context, verdict)) = registration {
            registrations::record(&tx, verdict, submission_id, widget, r, context, now())?;
        }
        if let Some((s, context)) = subscription {
            subscriptions::request(&tx, submission_id, widget, s, context, now())?;
        }
        match &new.submission {
            Submission::Poll(_)
            | Submission::Topics(_)
            | Submission::Registration(_)
            | Submission::Subscription(_) => {}
            Submission::Proposal(proposal) => {
                let key = fresh_proposal_key(&tx)?;
                let (status, decided_at) = match new.moderation {
                    Moderation::Pre => (ProposalStatus::Pending, None),
                    Moderation::Post => (ProposalStatus::Approved, Some(&receipt.accepted_at)),
                };
                tx.execute(
                    "INSERT INTO proposals
                       (key, widget, submission, title, description, status, created_at,
                        decided_at, decision_seq)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                             CASE WHEN ?8 IS NULL THEN NULL ELSE (SELECT ifnull(max(decision_seq), 0) + 1 FROM proposals) END)",
                    params![
                        key,
                        widget,
                        submission_id,
                        proposal.title,
                        proposal.description,
                        status.as_str(),
                        receipt.accepted_at,
                        decided_at,
                    ],
                )?;
            }
        }
        tx.commit()?;
        Ok(SubmitOutcome::Stored(response))
    }

    fn results(&self, widget: &WidgetId) -> Result<Results, StoreError> {
        let mut conn = self.reader();
        // One read transaction, so that ballots and counts come from the same commit.
        let tx = conn.transaction()?;
        let ballots: i64 = tx
            .query_row(
                "SELECT ballots FROM widget_totals WHERE widget = ?1",
                params![widget.as_str()],
                |row| row.get(0),
            )
            .optional()?
            .unwrap_or(0);
        let mut counts = BTreeMap::new();
        {
            let mut stmt =
                tx.prepare_cached("SELECT option, count FROM tallies WHERE widget = ?1")?;
            let rows = stmt.query_map(params![widget.as_str()], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })?;
            for row in rows {
                let (option, count) = row?;
                counts.insert(option, to_count(count)?);
            }
        }
        tx.finish()?;
        Ok(Results {
            widget: widget.clone(),
            ballots: to_count(ballots)?,
            counts,
        })
    }

    fn topics(&self, widget: &WidgetId) -> Result<Vec<Topic>, StoreError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT key, title, description FROM proposals
             WHERE widget = ?1 AND status = 'approved' ORDER BY decision_seq",
        )?;
        let rows = stmt.query_map(params![widget.as_str()], |row| {
            Ok(Topic {
                key: row.get(0)?,
                title: row.get(1)?,
                description: row.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn proposals(
        &self,
        widget: &WidgetId,
        status: Option<ProposalStatus>,
    ) -> Result<Vec<ProposalRecord>, StoreError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {PROPOSAL_COLUMNS} FROM proposals
             WHERE widget = ?1 AND (?2 IS NULL OR status = ?2) ORDER BY id"
        ))?;
        let rows = stmt.query_map(
            params![widget.as_str(), status.map(ProposalStatus::as_str)],
            proposal_row,
        )?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    fn decide(&self, key: &str, decision: Decision) -> Result<DecideOutcome, StoreError> {
        let mut conn = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(current) = load_proposal(&tx, key)? else {
            return Ok(DecideOutcome::UnknownKey);
        };
        let refuse = |pointer: &str, detail: String| {
            Ok(DecideOutcome::Refused {
                pointer: pointer.into(),
                detail,
            })
        };
        if let (ProposalStatus::Merged, Some(into)) = (current.status, &current.merged_into) {
            return refuse(
                "",
                format!("{key} was merged into {into}; a merged proposal cannot change again"),
            );
        }
        let now = rfc3339_utc(now());
        match decision {
            Decision::Approve | Decision::Reject => {
                let status = if decision == Decision::Approve {
                    ProposalStatus::Approved
                } else {
                    ProposalStatus::Rejected
                };
                if current.status == status {
                    // Already so: keep the time, so that an approved topic keeps its place.
                    return Ok(DecideOutcome::Decided(current));
                }
                tx.execute(
                    "UPDATE proposals SET status = ?1, decided_at = ?2, decision_seq = (
                       SELECT ifnull(max(decision_seq), 0) + 1 FROM proposals)
                     WHERE key = ?3",
                    params![status.as_str(), now, key],
                )?;
            }
            Decision::Merge { into } => {
                let into = into.as_str();
                if into == key {
                    return refuse("/into", format!("{key} cannot be merged into itself"));
                }
                match load_proposal(&tx, into)? {
                    Some(target) if target.widget != current.widget => {
                        return refuse(
                            "/into",
                            format!(
                                "{into} belongs to widget '{}', {key} to '{}'",
                                target.widget, current.widget
                            ),
                        );
                    }
                    Some(target)
                        if matches!(
                            target.status,
                            ProposalStatus::Rejected | ProposalStatus::Merged
                        ) =>
                    {
                        return refuse(
                            "/into",
                            format!(
                                "{into} is {}; merge into a pending or approved proposal",
                                target.status.as_str()
                            ),
                        );
                    }
                    Some(_) => {}
                    None if is_proposal_key(into) => {
                        return refuse("/into", format!("there is no proposal {into}"));
                    }
                    // A topic of the editor's own list.
                    None => {}
                }
                let widget = current.widget.as_str();
                let votes: Option<i64> = tx
                    .query_row(
                        "SELECT count FROM tallies WHERE widget = ?1 AND option = ?2",
                        params![widget, key],
                        |row| row.get(0),
                    )
                    .optional()?;
                if let Some(votes) = votes {
                    tx.execute(
                        "INSERT INTO tallies (widget, option, count) VALUES (?1, ?2, ?3)
                         ON CONFLICT (widget, option) DO UPDATE SET count = count + excluded.count",
                        params![widget, into, votes],
                    )?;
                    tx.execute(
                        "DELETE FROM tallies WHERE widget = ?1 AND option = ?2",
                        params![widget, key],
                    )?;
                }
                tx.execute(
                    "UPDATE proposals SET status = 'merged', merged_into = ?1, decided_at = ?2,
                       decision_seq = (SELECT ifnull(max(decision_seq), 0) + 1 FROM proposals)
                     WHERE key = ?3",
                    params![into, now, key],
                )?;
            }
        }
        let updated = load_proposal(&tx, key)?
            .ok_or_else(|| StoreError(format!("proposal {key} vanished while deciding")))?;
        tx.commit()?;
        Ok(DecideOutcome::Decided(updated))
    }

    fn event_counts(&self, widget: &WidgetId) -> Result<(u32, u32), StoreError> {
        registrations::counts(&self.reader(), widget.as_str())
    }

    fn registration_by_token(&self, token: &str) -> Result<Option<RegistrationRecord>, StoreError> {
        registrations::by_token(&self.reader(), token)
    }

    fn cancel(&self, who: Canceller, event: Option<&Event>) -> Result<CancelOutcome, StoreError> {
        self.write(|conn| registrations::cancel(conn, &who, event, now()))
    }

    fn registrations(&self, widget: &WidgetId) -> Result<Vec<RegistrationRecord>, StoreError> {
        registrations::list(&self.reader(), widget.as_str())
    }

    fn claim_mails(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<MailJob>, StoreError> {
        self.write(|conn| registrations::claim(conn, now_ms, lease_ms, limit))
    }

    fn mail_sent(&self, id: i64) -> Result<(), StoreError> {
        let conn = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        queue::MAILS.sent(&conn, id, now())
    }

    fn mail_failed(
        &self,
        id: i64,
        error: &str,
        retry_at_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        let conn = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        queue::MAILS.failed(&conn, id, error, retry_at_ms, now())
    }

    fn purge(
        &self,
        now: Timestamp,
        cutoffs: &[(WidgetId, Timestamp)],
    ) -> Result<usize, StoreError> {
        self.write(|conn| {
            Ok(registrations::purge(conn, now, cutoffs)? + subscriptions::purge(conn, now)?)
        })
    }

    fn confirm_view(&self, token: &str, now: Timestamp) -> Result<ConfirmView, StoreError> {
        subscriptions::confirm_view(&self.reader(), token, now)
    }

    fn confirm(
        &self,
        token: &str,
        newsletters: &BTreeMap<WidgetId, Arc<Newsletter>>,
        now: Timestamp,
    ) -> Result<ConfirmOutcome, StoreError> {
        self.write(|conn| subscriptions::confirm(conn, token, newsletters, now))
    }

    fn unsubscribe_view(&self, token: &str) -> Result<Option<(WidgetId, String)>, StoreError> {
        subscriptions::unsubscribe_view(&self.reader(), token)
    }

    fn unsubscribe(
        &self,
        token: &str,
        newsletters: &BTreeMap<WidgetId, Arc<Newsletter>>,
        now: Timestamp,
    ) -> Result<UnsubscribeOutcome, StoreError> {
        self.write(|conn| subscriptions::unsubscribe(conn, token, newsletters, now))
    }

    fn subscribers(
        &self,
        widget: &WidgetId,
        status: Option<SubscriptionStatus>,
    ) -> Result<Vec<SubscriberRecord>, StoreError> {
        subscriptions::list(&self.reader(), widget.as_str(), status)
    }

    fn erase(
        &self,
        email: &str,
        events: &BTreeMap<WidgetId, Arc<Event>>,
        now: Timestamp,
    ) -> Result<Erased, StoreError> {
        self.write(|conn| crate::erasure::sqlite::erase(conn, email, events, now))
    }

    fn claim_webhooks(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<WebhookJob>, StoreError> {
        self.write(|conn| subscriptions::claim_webhooks(conn, now_ms, lease_ms, limit))
    }

    fn webhook_sent(&self, id: i64) -> Result<(), StoreError> {
        let conn = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        queue::WEBHOOKS.sent(&conn, id, now())
    }

    fn webhook_failed(
        &self,
        id: i64,
        error: &str,
        retry_at_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        let conn = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        queue::WEBHOOKS.failed(&conn, id, error, retry_at_ms, now())
    }

    fn health(&self) -> Result<(), StoreError> {
        let one: i64 = self.reader().query_row("SELECT 1", [], |row| row.get(0))?;
        if one == 1 {
            Ok(())
        } else {
            Err(StoreError("SELECT 1 did not answer 1".into()))
        }
    }
}

/// A key no proposal has yet (checked inside the write transaction, so nobody takes it before the
/// insert).
fn fresh_proposal_key(conn: &Connection) -> Result<String, StoreError> {
    for _ in 0..KEY_ATTEMPTS {
        let key = new_proposal_key()?;
        let taken: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM proposals WHERE key = ?1)",
            params![key],
            |row| row.get(0),
        )?;
        if !taken {
            return Ok(key);
        }
    }
    Err(StoreError(format!(
        "no free proposal key after {KEY_ATTEMPTS} tries"
    )))
}

fn load_proposal(conn: &Connection, key: &str) -> Result<Option<ProposalRecord>, StoreError> {
    conn.query_row(
        &format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE key = ?1"),
        params![key],
        proposal_row,
    )
    .optional()?
    .transpose()
}

/// One row of [`PROPOSAL_COLUMNS`]; the outer error is SQLite's, the inner one a value that
/// this collector never writes.
fn proposal_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<ProposalRecord, StoreError>> {
    let widget: String = row.get(1)?;
    let status: String = row.get(4)?;
    let (Ok(widget), Some(status)) = (WidgetId::parse(&widget), ProposalStatus::parse(&status))
    else {
        return Ok(Err(StoreError(format!(
            "a proposal row has widget '{widget}' and status '{status}'"
        ))));
    };
    Ok(Ok(ProposalRecord {
        key: row.get(0)?,
        widget,
        title: row.get(2)?,
        description: row.get(3)?,
        status,
        created_at: row.get(5)?,
        decided_at: row.get(6)?,
        merged_into: row.get(7)?,
    }))
}

fn to_count(n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError(format!("negative count {n} in the database")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mitmachen_shared::protocol::PollBallot;

    fn ballot(widget: &str, key: &str, choices: &[&str]) -> NewSubmission {
        let submission = Submission::Poll(PollBallot {
            choices: choices
                .iter()
                .map(|c| mitmachen_shared::ids::OptionKey::parse(c).expect("key"))
                .collect(),
            honeypot: String::new(),
        });
        NewSubmission {
            widget: WidgetId::parse(widget).expect("id"),
            idempotency_key: key.into(),
            body: serde_json::to_vec(&submission).expect("json"),
            submission,
            moderation: Moderation::Pre,
            rules: None,
            registration: None,
            subscription: None,
        }
    }

    fn proposal(widget: &str, key: &str, title: &str, moderation: Moderation) -> NewSubmission {
        let submission = Submission::Proposal(mitmachen_shared::protocol::Proposal {
            title: title.into(),
            description: String::new(),
            honeypot: String::new(),
        });
        NewSubmission {
            widget: WidgetId::parse(widget).expect("id"),
            idempotency_key: key.into(),
            body: serde_json::to_vec(&submission).expect("json"),
            submission,
            moderation,
            rules: None,
            registration: None,
            subscription: None,
        }
    }

    #[test]
    fn proposals_are_moderated_and_merged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(&dir.path().join("t.sqlite3")).expect("open");
        let w = WidgetId::parse("w").expect("id");
        for (i, title) in ["Radweg", "Bänke", "Radweg!"].iter().enumerate() {
            store
                .submit(proposal(
                    "w",
                    &format!("key-0000{i}"),
                    title,
                    Moderation::Pre,
                ))
                .expect("submit");
        }
        store
            .submit(proposal("w", "key-post0", "Sofort", Moderation::Post))
            .expect("submit");
        let all = store.proposals(&w, None).expect("list");
        assert_eq!(all.len(), 4);
        assert!(all.iter().all(|p| is_proposal_key(&p.key)));
        let pending = store
            .proposals(&w, Some(ProposalStatus::Pending))
            .expect("pending");
        assert_eq!(pending.len(), 3);
        let served = store.topics(&w).expect("topics");
        assert_eq!(served.len(), 1);
        assert_eq!(served[0].title, "Sofort");
        // Polls count, proposals do not.
        assert_eq!(store.results(&w).expect("results").ballots, 0);

        let (a, b, c) = (&all[0].key, &all[1].key, &all[2].key);
        let decided = |outcome| match outcome {
            Ok(DecideOutcome::Decided(p)) => p,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            decided(store.decide(a, Decision::Approve)).status,
            ProposalStatus::Approved
        );
        assert_eq!(
            decided(store.decide(b, Decision::Reject)).status,
            ProposalStatus::Rejected
        );
        store
            .submit(ballot("w", "vote-0001", &[c.as_str(), "ja"]))
            .expect("vote");
        store
            .submit(ballot("w", "vote-0002", &[c.as_str(), a.as_str()]))
            .expect("vote");
        let into = |k: &str| Decision::Merge {
            into: mitmachen_shared::ids::OptionKey::parse(k).expect("key"),
        };
        assert!(matches!(
            store.decide(c, into(c)),
            Ok(DecideOutcome::Refused { .. })
        ));
        assert!(matches!(
            store.decide(c, into(b)),
            Ok(DecideOutcome::Refused { .. })
        ));
        assert!(matches!(
            store.decide(c, into("p-00000000")),
            Ok(DecideOutcome::Refused { .. })
        ));
        assert_eq!(
            store
                .decide("p-ffffffff", Decision::Approve)
                .expect("decide"),
            DecideOutcome::UnknownKey
        );
        let merged = decided(store.decide(c, into(a)));
        assert_eq!(merged.status, ProposalStatus::Merged);
        assert_eq!(merged.merged_into.as_deref(), Some(a.as_str()));
        let r = store.results(&w).expect("results");
        assert_eq!(r.counts.get(a.as_str()), Some(&3));
        assert_eq!(r.counts.get(c.as_str()), None);
        assert_eq!(r.ballots, 2);
        assert!(matches!(
            store.decide(c, Decision::Approve),
            Ok(DecideOutcome::Refused { .. })
        ));
        assert!(matches!(
            store.decide(a, into(c)),
            Ok(DecideOutcome::Refused { .. })
        ));
    }

    #[test]
    fn stores_counts_and_replays() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(&dir.path().join("t.sqlite3")).expect("open");
        let first = store
            .submit(ballot("w", "key-00001", &["ja", "nein"]))
            .expect("submit");
        let SubmitOutcome::Stored(receipt) = first else {
            panic!("not stored: {first:?}")
        };
        assert_eq!(
            store
                .submit(ballot("w", "key-00001", &["ja", "nein"]))
                .expect("replay"),
            SubmitOutcome::Replayed(receipt)
        );
        assert_eq!(
            store
                .submit(ballot("w", "key-00001", &["ja"]))
                .expect("reuse"),
            SubmitOutcome::KeyReused
        );
        // The same key on another widget is another submission.
        assert!(matches!(
            store.submit(ballot("v", "key-00001", &["ja"])),
            Ok(SubmitOutcome::Stored(_))
        ));
        store
            .submit(ballot("w", "key-00002", &["ja"]))
            .expect("second");
        let w = store
            .results(&WidgetId::parse("w").expect("id"))
            .expect("results");
        assert_eq!(w.ballots, 2);
        assert_eq!(w.counts.get("ja"), Some(&2));
        assert_eq!(w.counts.get("nein"), Some(&1));
        let none = store
            .results(&WidgetId::parse("nobody").expect("id"))
            .expect("results");
        assert_eq!((none.ballots, none.counts.len()), (0, 0));
        store.health().expect("healthy");
    }

    #[test]
    fn reopening_keeps_data_and_schema_version() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.sqlite3");
        SqliteStore::open(&path)
            .expect("open")
            .submit(ballot("w", "key-00001", &["ja"]))
            .expect("submit");
        let again = SqliteStore::open(&path).expect("reopen");
        assert_eq!(
            again
                .results(&WidgetId::parse("w").expect("id"))
                .expect("results")
                .ballots,
            1
        );
        let conn = again.writer.lock().expect("lock");
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("version");
        assert_eq!(version, i64::try_from(MIGRATIONS.len()).expect("small"));
    }
}
