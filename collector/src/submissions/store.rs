//! Storing submissions, inside one write transaction: the widget's declared rules, the
//! submission's row with its receipt (unless its idempotency key is taken: then the first
//! answer again), then the kind's own rows (a ballot's counts, a proposal, a registration's
//! seat, a subscription request). A refusal looks the key up too, so that a retry of a
//! submission stored before the refusal's reason arose gets its receipt.
//!
//! The group-commit writer hands over a whole batch ([`Queued`], [`submit_all`]), and a single
//! submission is a batch of one. Ballots and registrations, nearly all of the traffic, are
//! written set-based: one multi-row insert for their rows, one update per counter, one read of
//! an event's seats; proposals and subscriptions one by one. When the batch as a whole fails,
//! the writer runs each submission alone. A batch of submissions alone (`optimistic`) holds its
//! ballots' rows back for the commit as plain inserts: a taken key then refuses the commit, and
//! the writer runs the batch again, inserting with `ON CONFLICT` and looking up what was taken.

use crate::ballots;
use crate::ballots::rules::Refusal;
use crate::db::writer::Together;
use crate::db::{NewSubmission, StoreError, SubmitOutcome, Tx, Value, hex, many, new_receipt, now};
use crate::events::store::{self as registrations, Decision, Placing};
use crate::newsletters::store as subscriptions;
use crate::proposals;
use crate::proposals::store::is_approved;
use mitmachen_shared::protocol::{Receipt, Submission};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A submission on its way to the writer, with what can be made before it gets there: its
/// body's hash (sha256, hex) and, for a ballot, its receipt. Made on the caller's thread: the
/// writer's time is the scarce one (a receipt costs a system call for its randomness).
pub struct Queued {
    pub new: NewSubmission,
    pub body_sha256: String,
    /// A ballot's receipt and the 201 body stating it (a ballot has no placement); `None` for
    /// the other kinds, whose receipt depends on what the writer decides.
    pub ballot_receipt: Option<(Receipt, String)>,
}

impl Queued {
    pub fn new(new: NewSubmission) -> Queued {
        let body_sha256 = hex(&Sha256::digest(&new.body));
        let ballot = matches!(new.submission, Submission::Poll(_) | Submission::Topics(_));
        // Failing here (no randomness) leaves it to the writer, which says so.
        let ballot_receipt = if ballot {
            new_receipt(&new.widget, None).ok()
        } else {
            None
        };
        Queued {
            new,
            body_sha256,
            ballot_receipt,
        }
    }
}

impl Together for Queued {
    type Output = SubmitOutcome;

    fn run_all(
        tx: &mut dyn Tx,
        items: &[Self],
        optimistic: bool,
    ) -> Result<Vec<SubmitOutcome>, StoreError> {
        submit_all(tx, items, optimistic)
    }

    fn run_one(&self, tx: &mut dyn Tx) -> Result<SubmitOutcome, StoreError> {
        one(tx, self)
    }
}

/// The columns of a submission's row, in the order [`INSERT`] names them.
const INSERT: &str = "INSERT INTO submissions
           (receipt, widget, kind, idempotency_key, body_sha256, payload, response_body,
            created_at)";

/// What a registration's or a subscription's row keeps of its body: that there was one. The
/// personal data is kept in the kind's own row, deleted in its time.
const REGISTRATION_PAYLOAD: &str = r#"{"kind":"registration"}"#;
const SUBSCRIPTION_PAYLOAD: &str = r#"{"kind":"subscription"}"#;

/// Stores `items` as if one after another; their answers in the same order. Ballots first, then
/// registrations, then the other kinds, each kind in arrival order; a key that comes again
/// within the batch runs last, alone, and finds its first row.
pub(crate) fn submit_all(
    tx: &mut dyn Tx,
    items: &[Queued],
    optimistic: bool,
) -> Result<Vec<SubmitOutcome>, StoreError> {
    let mut outcomes: Vec<Option<SubmitOutcome>> = items.iter().map(|_| None).collect();
    let mut keys = HashSet::new();
    let (mut ballots, mut registrations, mut others, mut again) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, Queued { new, .. }) in items.iter().enumerate() {
        if !keys.insert((new.widget.as_str(), new.idempotency_key.as_str())) {
            again.push(i);
            continue;
        }
        match (&new.submission, &new.registration) {
            (Submission::Poll(_) | Submission::Topics(_), _) => ballots.push(i),
            (Submission::Registration(_), Some(_)) => registrations.push(i),
            _ => others.push(i),
        }
    }
    store_ballots(tx, items, &ballots, optimistic, &mut outcomes)?;
    let later = store_registrations(tx, items, &registrations, &mut outcomes)?;
    for i in others {
        outcomes[i] = Some(store_other(tx, &items[i])?);
    }
    for i in later.into_iter().chain(again) {
        outcomes[i] = Some(one(tx, &items[i])?);
    }
    outcomes
        .into_iter()
        .map(|o| o.ok_or_else(|| StoreError("a submission of the batch was left out".into())))
        .collect()
}

/// One submission, as a batch of one.
fn one(tx: &mut dyn Tx, item: &Queued) -> Result<SubmitOutcome, StoreError> {
    submit_all(tx, std::slice::from_ref(item), false)?
        .pop()
        .ok_or_else(|| StoreError("a submission was left out".into()))
}

/// Polls and topic lists: the declared rules each, then one insert for all their rows and one
/// update per counter they touch.
fn store_ballots(
    tx: &mut dyn Tx,
    items: &[Queued],
    which: &[usize],
    optimistic: bool,
    outcomes: &mut [Option<SubmitOutcome>],
) -> Result<(), StoreError> {
    let mut rows = Vec::new();
    let mut answers = Vec::new();
    for &i in which {
        let Queued {
            new,
            body_sha256,
            ballot_receipt,
        } = &items[i];
        if let Err(refusal) = check_rules(tx, new)? {
            outcomes[i] = Some(refused(tx, new, body_sha256, refusal)?);
            continue;
        }
        let made;
        let (receipt, response) = match ballot_receipt {
            Some((receipt, response)) => (receipt, response),
            None => {
                made = new_receipt(&new.widget, None)?;
                (&made.0, &made.1)
            }
        };
        rows.push(row(new, body_sha256, payload(new)?, receipt, response));
        answers.push((i, response.clone()));
    }
    // Optimistic, nearly always no key is taken: the rows and their counts go with the commit,
    // and a taken key makes the database refuse it (`Together::run_all`). On PostgreSQL that
    // is one round trip for the batch instead of two. `None`: every row goes in.
    let inserted = if optimistic {
        many::insert_later(tx, INSERT, &rows)?;
        None
    } else {
        Some(insert_rows(tx, &rows)?)
    };
    let mut counted = Vec::new();
    let mut skipped = Vec::new();
    for (i, response) in answers {
        let new = &items[i].new;
        if inserted
            .as_ref()
            .is_none_or(|inserted| inserted.contains_key(&key_of(new)))
        {
            counted.push((new.widget.as_str(), &new.submission));
            outcomes[i] = Some(SubmitOutcome::Stored(response));
        } else {
            skipped.push(i);
        }
    }
    // Retries of stored ballots (a client that timed out, a retry storm after an outage) are
    // looked up together: one at a time, a batch of them cost a round trip each.
    let firsts = earlier_at(tx, items, &skipped)?;
    for (i, first) in skipped.into_iter().zip(firsts) {
        outcomes[i] = Some(was_there(first)?);
    }
    ballots::store::count_all(tx, counted)
}

/// Registrations for declared events: the keys already taken answered first (whatever the event
/// would say now, as for every kind, and so that the seats counted next are exact), then placed
/// together (`events::store::decide_all`), one insert for their submission rows, and
/// `record_all`. Returns those to run alone after the batch (an address repeated within it).
fn store_registrations(
    tx: &mut dyn Tx,
    items: &[Queued],
    which: &[usize],
    outcomes: &mut [Option<SubmitOutcome>],
) -> Result<Vec<usize>, StoreError> {
    let firsts = earlier_at(tx, items, which)?;
    let mut placing = Vec::new();
    let mut at = Vec::new();
    for (&i, first) in which.iter().zip(firsts) {
        if let Some(first) = first {
            outcomes[i] = Some(first);
            continue;
        }
        let new = &items[i].new;
        let (Submission::Registration(registration), Some(context)) =
            (&new.submission, &new.registration)
        else {
            return Err(StoreError("a registration without its event".into()));
        };
        placing.push(Placing {
            widget: new.widget.as_str(),
            registration,
            context,
        });
        at.push(i);
    }
    let decisions = registrations::decide_all(tx, &placing, now())?;
    let mut later = Vec::new();
    let mut rows = Vec::new();
    let mut placed = Vec::new();
    for ((p, &i), decision) in placing.iter().zip(&at).zip(decisions) {
        let Queued {
            new, body_sha256, ..
        } = &items[i];
        match decision {
            // The key was not taken (above): nothing earlier to answer with.
            Decision::Refused(refusal) => outcomes[i] = Some(SubmitOutcome::Refused(refusal)),
            Decision::Later => later.push(i),
            Decision::Placed(verdict) => {
                let (receipt, response) = new_receipt(&new.widget, Some(verdict.placement()))?;
                let payload = REGISTRATION_PAYLOAD;
                rows.push(row(new, body_sha256, payload, &receipt, &response));
                placed.push((p, verdict, i, response));
            }
        }
    }
    let inserted = insert_rows(tx, &rows)?;
    let mut recorded = Vec::with_capacity(placed.len());
    for (p, verdict, i, response) in placed {
        let Some(&submission) = inserted.get(&key_of(&items[i].new)) else {
            return Err(StoreError(
                "a registration's key was taken after all".into(),
            ));
        };
        recorded.push((p, verdict, submission));
        outcomes[i] = Some(SubmitOutcome::Stored(response));
    }
    registrations::record_all(tx, &recorded, now())?;
    Ok(later)
}

/// Proposals, subscriptions, and registrations for an event this collector does not declare
/// (refused), one at a time.
fn store_other(tx: &mut dyn Tx, item: &Queued) -> Result<SubmitOutcome, StoreError> {
    let Queued {
        new, body_sha256, ..
    } = item;
    if let Err(refusal) = check_rules(tx, new)? {
        return refused(tx, new, body_sha256, refusal);
    }
    let payload = match (&new.submission, &new.subscription) {
        (Submission::Subscription(_), Some(_)) => SUBSCRIPTION_PAYLOAD,
        (Submission::Subscription(_), None) => {
            let refusal = Refusal::Closed(
                "this collector has no newsletter with this id; it takes no subscriptions".into(),
            );
            return refused(tx, new, body_sha256, refusal);
        }
        (Submission::Registration(_), _) => {
            let refusal = Refusal::Closed(
                "this collector has no event with this id; it takes no registrations".into(),
            );
            return refused(tx, new, body_sha256, refusal);
        }
        _ => payload(new)?,
    };
    let (receipt, response) = new_receipt(&new.widget, None)?;
    let values = row(new, body_sha256, payload, &receipt, &response);
    let Some(&submission) = insert_rows(tx, &[values])?.get(&key_of(new)) else {
        return taken(tx, new, body_sha256);
    };
    let widget = new.widget.as_str();
    match (&new.submission, &new.subscription) {
        (Submission::Proposal(proposal), _) => proposals::store::insert(
            tx,
            widget,
            submission,
            proposal,
            new.moderation,
            &receipt.accepted_at,
        )?,
        (Submission::Subscription(s), Some(context)) => {
            subscriptions::request(tx, submission, widget, s, context, now())?;
        }
        _ => {}
    }
    Ok(SubmitOutcome::Stored(response))
}

/// The body as the row keeps it; the protocol's JSON is UTF-8.
fn payload(new: &NewSubmission) -> Result<&str, StoreError> {
    std::str::from_utf8(&new.body).map_err(|_| StoreError("the body is not UTF-8".into()))
}

fn key_of(new: &NewSubmission) -> (String, String) {
    (new.widget.as_str().to_owned(), new.idempotency_key.clone())
}

/// A new submission's row, in the order of [`INSERT`].
fn row(
    new: &NewSubmission,
    body_sha256: &str,
    payload: &str,
    receipt: &Receipt,
    response: &str,
) -> Vec<Value> {
    vec![
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

/// Inserts submission rows whose keys differ from each other, skipping those whose key is
/// taken already: the id of each row inserted, by (widget, idempotency key). The padding copies
/// of `many::insert_skipping_copies` conflict on their key too (both databases check the
/// conflict target first). The target is the only index PostgreSQL then checks before each row
/// (without one it checks every unique index: a tenth of the insert's time). A conflict leaves
/// nothing to undo, and write transactions never interleave (`Backend::write`), so the row that
/// holds a taken key is there to be read.
fn insert_rows(
    tx: &mut dyn Tx,
    rows: &[Vec<Value>],
) -> Result<HashMap<(String, String), i64>, StoreError> {
    let returned = many::insert_skipping_copies(
        tx,
        INSERT,
        rows,
        "ON CONFLICT (widget, idempotency_key) DO NOTHING RETURNING id, widget, idempotency_key",
    )?;
    returned
        .iter()
        .map(|row| Ok(((row.text(1)?, row.text(2)?), row.int(0)?)))
        .collect()
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

/// What keys already used stand for, one lookup per widget: the first answer again if the body
/// is the same, else a reuse of the key; `None` where a key was not used.
fn earlier_all<'a>(
    tx: &mut dyn Tx,
    items: impl IntoIterator<Item = (&'a NewSubmission, &'a str)>,
) -> Result<Vec<Option<SubmitOutcome>>, StoreError> {
    let items: Vec<(&NewSubmission, &str)> = items.into_iter().collect();
    let mut by_widget: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for (new, _) in &items {
        by_widget
            .entry(new.widget.as_str())
            .or_default()
            .push(new.idempotency_key.as_str().into());
    }
    let mut first: HashMap<(String, String), (String, String)> = HashMap::new();
    for (widget, keys) in by_widget {
        let rows = many::query_each(
            tx,
            "SELECT idempotency_key, body_sha256, response_body FROM submissions
             WHERE widget = ?1 AND idempotency_key = {value}",
            &[widget.into()],
            &keys,
        )?;
        for row in rows {
            first.insert(
                (widget.to_owned(), row.text(0)?),
                (row.text(1)?, row.text(2)?),
            );
        }
    }
    Ok(items
        .iter()
        .map(|(new, sha256)| {
            first.get(&key_of(new)).map(|(body_sha256, response)| {
                if body_sha256 == sha256 {
                    SubmitOutcome::Replayed(response.clone())
                } else {
                    SubmitOutcome::KeyReused
                }
            })
        })
        .collect())
}

/// [`earlier_all`] for the items at `at`.
fn earlier_at(
    tx: &mut dyn Tx,
    items: &[Queued],
    at: &[usize],
) -> Result<Vec<Option<SubmitOutcome>>, StoreError> {
    earlier_all(
        tx,
        at.iter()
            .map(|&i| (&items[i].new, items[i].body_sha256.as_str())),
    )
}

/// The first answer for a key whose insert was skipped as taken.
fn taken(
    tx: &mut dyn Tx,
    new: &NewSubmission,
    body_sha256: &str,
) -> Result<SubmitOutcome, StoreError> {
    was_there(earlier(tx, new, body_sha256)?)
}

/// What `earlier` found for a key whose insert was skipped: it must have found it.
fn was_there(first: Option<SubmitOutcome>) -> Result<SubmitOutcome, StoreError> {
    first.ok_or_else(|| StoreError("an idempotency key was taken and is not there".into()))
}

fn earlier(
    tx: &mut dyn Tx,
    new: &NewSubmission,
    body_sha256: &str,
) -> Result<Option<SubmitOutcome>, StoreError> {
    Ok(earlier_all(tx, [(new, body_sha256)])?.pop().flatten())
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
