//! Storing a submission, inside one write transaction: the widget's declared rules, the
//! submission's row with its receipt (unless its idempotency key is taken: then the first
//! answer again), then the kind's own rows (a ballot's counts, a proposal, a registration's
//! seat, a subscription request). A refusal looks the key up too, so that a retry of a
//! submission stored before the refusal's reason arose gets its receipt.
//!
//! The group-commit writer hands over a whole batch ([`Queued`], [`submit_all`]): its ballots,
//! nearly all of the traffic, are written set-based (one multi-row insert, one update per
//! counter), the rest one by one with [`submit`], which is also what runs when the batch as a
//! whole fails.

use crate::args;
use crate::ballots;
use crate::ballots::rules::Refusal;
use crate::db::writer::Together;
use crate::db::{NewSubmission, StoreError, SubmitOutcome, Tx, Value, new_receipt, now};
use crate::events::store as registrations;
use crate::newsletters::store as subscriptions;
use crate::proposals;
use crate::proposals::store::is_approved;
use mitmachen_shared::protocol::{Receipt, Submission};
use std::collections::{HashMap, HashSet};

/// A submission on its way to the writer, with its body's hash (sha256, hex), computed on the
/// caller's thread: the writer's time is the scarce one.
pub struct Queued {
    pub new: NewSubmission,
    pub body_sha256: String,
}

impl Together for Queued {
    type Output = SubmitOutcome;

    fn run_all(tx: &mut dyn Tx, items: &[Self]) -> Result<Vec<SubmitOutcome>, StoreError> {
        submit_all(tx, items)
    }

    fn run_one(&self, tx: &mut dyn Tx) -> Result<SubmitOutcome, StoreError> {
        submit(tx, &self.new, &self.body_sha256)
    }
}

/// The columns of a submission's row, in the order [`INSERT_COLUMNS`] names them.
const COLUMNS: usize = 8;
const INSERT_COLUMNS: &str = "INSERT INTO submissions
           (receipt, widget, kind, idempotency_key, body_sha256, payload, response_body,
            created_at)";
/// Most rows in one insert (the writer's batches are no larger).
const MOST_ROWS: usize = 256;

/// Stores `new`, whose body hashes to `body_sha256` (sha256, hex).
pub(crate) fn submit(
    tx: &mut dyn Tx,
    new: &NewSubmission,
    body_sha256: &str,
) -> Result<SubmitOutcome, StoreError> {
    let payload =
        std::str::from_utf8(&new.body).map_err(|_| StoreError("the body is not UTF-8".into()))?;
    let widget = new.widget.as_str();

    if let Err(refusal) = check_rules(tx, new)? {
        return refused(tx, new, body_sha256, refusal);
    }

    // A registration is placed (and checked against its event) before anything is written:
    // the receipt carries the placement.
    let registration = match (&new.submission, &new.registration) {
        (Submission::Registration(r), Some(context)) => {
            match registrations::decide(tx, widget, r, context, now())? {
                Ok(verdict) => Some((r, context, verdict)),
                Err(refusal) => return refused(tx, new, body_sha256, refusal),
            }
        }
        (Submission::Registration(_), None) => {
            let refusal = Refusal::Closed(
                "this collector has no event with this id; it takes no registrations".into(),
            );
            return refused(tx, new, body_sha256, refusal);
        }
        _ => None,
    };
    let subscription = match (&new.submission, &new.subscription) {
        (Submission::Subscription(s), Some(context)) => Some((s, context)),
        (Submission::Subscription(_), None) => {
            let refusal = Refusal::Closed(
                "this collector has no newsletter with this id; it takes no subscriptions".into(),
            );
            return refused(tx, new, body_sha256, refusal);
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
    // The key is looked up only when it is taken (one statement less for every new submission,
    // a round trip less on PostgreSQL).
    let values = row_values(new, body_sha256, payload, &receipt, &response);
    let Some(submission_id) = insert_rows(tx, [&values])?.into_values().next() else {
        return earlier(tx, new, body_sha256)?
            .ok_or_else(|| StoreError("an idempotency key was taken and is not there".into()));
    };
    match &new.submission {
        Submission::Poll(_) | Submission::Topics(_) => {
            ballots::store::count(tx, widget, &new.submission)?;
        }
        Submission::Proposal(proposal) => {
            proposals::store::insert(
                tx,
                widget,
                submission_id,
                proposal,
                new.moderation,
                &receipt.accepted_at,
            )?;
        }
        Submission::Registration(_) | Submission::Subscription(_) => {}
    }
    if let Some((r, context, verdict)) = registration {
        registrations::record(tx, verdict, submission_id, widget, r, context, now())?;
    }
    if let Some((s, context)) = subscription {
        subscriptions::request(tx, submission_id, widget, s, context, now())?;
    }
    Ok(SubmitOutcome::Stored(response))
}

/// Stores `items` as if one after another: first the ballots (polls and topic lists) whose key
/// is new to the batch, set-based; then, one by one, everything else and every repeat of a key
/// within the batch (which then finds its first row). Their answers in the order of `items`.
pub(crate) fn submit_all(
    tx: &mut dyn Tx,
    items: &[Queued],
) -> Result<Vec<SubmitOutcome>, StoreError> {
    let mut outcomes: Vec<Option<SubmitOutcome>> = items.iter().map(|_| None).collect();
    let mut keys = HashSet::new();
    // The ballots to insert: their index in `items`, the row's values, the 201 body.
    let mut rows: Vec<(usize, [Value; COLUMNS], String)> = Vec::new();
    let mut one_by_one = Vec::new();
    for (i, Queued { new, body_sha256 }) in items.iter().enumerate() {
        let first = keys.insert((new.widget.as_str(), new.idempotency_key.as_str()));
        let payload = std::str::from_utf8(&new.body);
        let ballot = matches!(new.submission, Submission::Poll(_) | Submission::Topics(_));
        let (true, true, Ok(payload)) = (first, ballot, payload) else {
            one_by_one.push(i);
            continue;
        };
        if let Err(refusal) = check_rules(tx, new)? {
            outcomes[i] = Some(refused(tx, new, body_sha256, refusal)?);
            continue;
        }
        let (receipt, response) = new_receipt(&new.widget, None)?;
        let values = row_values(new, body_sha256, payload, &receipt, &response);
        rows.push((i, values, response));
    }
    let inserted = insert_rows(tx, rows.iter().map(|(_, values, _)| values))?;
    let mut counted = Vec::new();
    for (i, _, response) in rows {
        let Queued { new, body_sha256 } = &items[i];
        let key = (new.widget.as_str().to_owned(), new.idempotency_key.clone());
        outcomes[i] = Some(if inserted.contains_key(&key) {
            counted.push((new.widget.as_str(), &new.submission));
            SubmitOutcome::Stored(response)
        } else {
            earlier(tx, new, body_sha256)?
                .ok_or_else(|| StoreError("an idempotency key was taken and is not there".into()))?
        });
    }
    ballots::store::count_all(tx, counted)?;
    for i in one_by_one {
        outcomes[i] = Some(submit(tx, &items[i].new, &items[i].body_sha256)?);
    }
    outcomes
        .into_iter()
        .map(|o| o.ok_or_else(|| StoreError("a submission of the batch was left out".into())))
        .collect()
}

/// Inserts submission rows (values in the order of [`INSERT_COLUMNS`]) whose keys differ from
/// each other, skipping those whose key is taken already: the id of each row inserted, by
/// (widget, idempotency key). One statement per [`MOST_ROWS`], its rows padded to a power of
/// two with copies of its last one (skipped as conflicts), so that the database prepares at
/// most nine statement texts rather than one per batch size.
fn insert_rows<'a>(
    tx: &mut dyn Tx,
    rows: impl IntoIterator<Item = &'a [Value; COLUMNS]>,
) -> Result<HashMap<(String, String), i64>, StoreError> {
    let rows: Vec<&[Value; COLUMNS]> = rows.into_iter().collect();
    let mut inserted = HashMap::new();
    for chunk in rows.chunks(MOST_ROWS) {
        let Some(last) = chunk.last() else { continue };
        let n = chunk.len().next_power_of_two();
        let tuples: Vec<String> = (0..n)
            .map(|r| {
                let params: Vec<String> = (1..=COLUMNS)
                    .map(|c| format!("?{}", r * COLUMNS + c))
                    .collect();
                format!("({})", params.join(", "))
            })
            .collect();
        // No conflict target: a padding copy conflicts on its receipt as well as on its key.
        // A conflict leaves nothing to undo, and write transactions never interleave
        // (`Backend::write`), so the row that holds a taken key is there to be read.
        let sql = format!(
            "{INSERT_COLUMNS}\n         VALUES {}\n         ON CONFLICT DO NOTHING\n         RETURNING id, widget, idempotency_key",
            tuples.join(", ")
        );
        let args: Vec<Value> = chunk
            .iter()
            .chain(std::iter::repeat_n(last, n - chunk.len()))
            .flat_map(|values| values.iter().cloned())
            .collect();
        for row in tx.query(&sql, &args)? {
            inserted.insert((row.text(1)?, row.text(2)?), row.int(0)?);
        }
    }
    Ok(inserted)
}

/// A new submission's row, in the order of [`INSERT_COLUMNS`].
fn row_values(
    new: &NewSubmission,
    body_sha256: &str,
    payload: &str,
    receipt: &Receipt,
    response: &str,
) -> [Value; COLUMNS] {
    [
        receipt.receipt.as_str().into(),
        new.widget.as_str().into(),
        new.submission.kind().into(),
        new.idempotency_key.as_str().into(),
        body_sha256.into(),
        payload.into(),
        response.into(),
        receipt.accepted_at.as_str().into(),
    ]
}

/// The widget's declared rules, inside the write transaction: a retry of a submission stored
/// before the closing time gets its receipt, not `closed` (`refused`); and a proposal's status
/// is read under the same lock that counts the ballot. Approval is not monotonic (a proposal can
/// be rejected or merged later), so a status read before this transaction could let dots reach
/// a proposal that is no longer a topic.
fn check_rules(tx: &mut dyn Tx, new: &NewSubmission) -> Result<Result<(), Refusal>, StoreError> {
    let Some(rules) = &new.rules else {
        return Ok(Ok(()));
    };
    let widget = new.widget.as_str();
    rules.check(&new.submission, now(), |topic| {
        is_approved(tx, widget, topic.as_str())
    })
}

/// What a key already used in this widget stands for: the first answer again if the body is the
/// same, else a reuse of the key; `None` if it was not used.
fn earlier(
    tx: &mut dyn Tx,
    new: &NewSubmission,
    body_sha256: &str,
) -> Result<Option<SubmitOutcome>, StoreError> {
    let row = tx.query_opt(
        "SELECT body_sha256, response_body FROM submissions
         WHERE widget = ?1 AND idempotency_key = ?2",
        args![new.widget.as_str(), &new.idempotency_key],
    )?;
    row.map(|row| {
        Ok(if row.text(0)? == *body_sha256 {
            SubmitOutcome::Replayed(row.text(1)?)
        } else {
            SubmitOutcome::KeyReused
        })
    })
    .transpose()
}

/// A refusal, unless the key was used before: a retry of a submission stored before the closing
/// time (or before its seat count changed) gets its receipt, not the refusal.
fn refused(
    tx: &mut dyn Tx,
    new: &NewSubmission,
    body_sha256: &str,
    refusal: Refusal,
) -> Result<SubmitOutcome, StoreError> {
    Ok(earlier(tx, new, body_sha256)?.unwrap_or(SubmitOutcome::Refused(refusal)))
}
