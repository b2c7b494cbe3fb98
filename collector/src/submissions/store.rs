//! Storing a submission, inside one write transaction: the idempotency lookup first, then the
//! widget's declared rules, then the kind's own rows (a ballot's counts, a proposal, a
//! registration's seat, a subscription request) and the submission's row with its receipt.

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

    // Write transactions never interleave (`Backend::write`), so no other request can insert
    // the same key between this check and the insert.
    let earlier = tx.query_opt(
        "SELECT body_sha256, response_body FROM submissions
         WHERE widget = ?1 AND idempotency_key = ?2",
        args![widget, &new.idempotency_key],
    )?;
    if let Some(row) = earlier {
        // Nothing was written; the caller's transaction ends without a change.
        return Ok(if row.text(0)? == *body_sha256 {
            SubmitOutcome::Replayed(row.text(1)?)
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
            is_approved(tx, widget, topic.as_str())
        })?;
        if let Err(refusal) = verdict {
            return Ok(SubmitOutcome::Refused(refusal));
        }
    }

    // A registration is placed (and checked against its event) before anything is written:
    // the receipt carries the placement.
    let registration = match (&new.submission, &new.registration) {
        (Submission::Registration(r), Some(context)) => {
            match registrations::decide(tx, widget, r, context, now())? {
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
                "this collector has no newsletter with this id; it takes no subscriptions".into(),
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
    let submission_id = tx
        .query_one(
            "INSERT INTO submissions
               (receipt, widget, kind, idempotency_key, body_sha256, payload, response_body,
                created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
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
        )?
        .int(0)?;
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
