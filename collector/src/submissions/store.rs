//! Storing a submission, inside one write transaction: the widget's declared rules, the
//! submission's row with its receipt (unless its idempotency key is taken: then the first
//! answer again), then the kind's own rows (a ballot's counts, a proposal, a registration's
//! seat, a subscription request). A refusal looks the key up too, so that a retry of a
//! submission stored before the refusal's reason arose gets its receipt.

use crate::args;
use crate::ballots;
use crate::ballots::rules::Refusal;
use crate::db::{NewSubmission, StoreError, SubmitOutcome, Tx, new_receipt, now};
use crate::events::store as registrations;
use crate::newsletters::store as subscriptions;
use crate::proposals;
use crate::proposals::store::is_approved;
use mitmachen_shared::protocol::Submission;

/// Stores `new`, whose body hashes to `body_sha256` (sha256, hex).
pub(crate) fn submit(
    tx: &mut dyn Tx,
    new: &NewSubmission,
    body_sha256: &str,
) -> Result<SubmitOutcome, StoreError> {
    let payload =
        std::str::from_utf8(&new.body).map_err(|_| StoreError("the body is not UTF-8".into()))?;
    let widget = new.widget.as_str();

    if let Some(rules) = &new.rules {
        // Inside the write transaction: a retry of a submission stored before the closing
        // time gets its receipt, not `closed` (`refused`); and a proposal's status is read
        // under the same lock that counts the ballot. Approval is not monotonic (a proposal
        // can be rejected or merged later), so a status read before this transaction could
        // let dots reach a proposal that is no longer a topic.
        let verdict = rules.check(&new.submission, now(), |topic| {
            is_approved(tx, widget, topic.as_str())
        })?;
        if let Err(refusal) = verdict {
            return refused(tx, new, body_sha256, refusal);
        }
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
    // a round trip less on PostgreSQL). This job wrote nothing before this insert, so a
    // conflict leaves nothing to undo; write transactions never interleave (`Backend::write`),
    // so the row that holds the key is there to be read.
    let inserted = tx.query_opt(
        "INSERT INTO submissions
           (receipt, widget, kind, idempotency_key, body_sha256, payload, response_body,
            created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (widget, idempotency_key) DO NOTHING
         RETURNING id",
        args![
            &receipt.receipt,
            widget,
            new.submission.kind(),
            &new.idempotency_key,
            body_sha256,
            payload,
            &response,
            &receipt.accepted_at,
        ],
    )?;
    let Some(row) = inserted else {
        return earlier(tx, new, body_sha256)?
            .ok_or_else(|| StoreError("an idempotency key was taken and is not there".into()));
    };
    let submission_id = row.int(0)?;
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
