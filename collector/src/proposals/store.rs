//! Proposals in the store: the new one (inside its submission's transaction), the moderation
//! decisions (approve, reject, merge with its votes), the approved ones as topics.

use super::{
    DecideOutcome, Decision, Moderation, ProposalRecord, ProposalStatus, Refusal, new_proposal_key,
};
use crate::args;
use crate::audit::{self, Action};
use crate::db::{Row, StoreError, Tx, now};
use mitmachen_shared::ids::WidgetId;
use mitmachen_shared::protocol::{Proposal, Topic};
use mitmachen_shared::time::rfc3339_utc;

pub use super::is_proposal_key;

/// Fresh proposal keys tried before giving up; with 32 random bits a second try is already rare.
const KEY_ATTEMPTS: usize = 8;

const PROPOSAL_COLUMNS: &str =
    "key, widget, title, description, status, created_at, decided_at, merged_into, reason";

/// Stores a new proposal, served at once under `post` moderation.
pub(crate) fn insert(
    tx: &mut dyn Tx,
    widget: &str,
    submission: i64,
    proposal: &Proposal,
    moderation: Moderation,
    accepted_at: &str,
) -> Result<(), StoreError> {
    let key = fresh_key(tx)?;
    let (status, decided_at) = match moderation {
        Moderation::Pre => (ProposalStatus::Pending, None),
        Moderation::Post => (ProposalStatus::Approved, Some(accepted_at)),
    };
    let seq = match decided_at {
        Some(_) => Some(next_decision(tx)?),
        None => None,
    };
    tx.execute(
        "INSERT INTO proposals
           (key, widget, submission, title, description, status, created_at, decided_at,
            decision_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        args![
            key,
            widget,
            submission,
            &proposal.title,
            &proposal.description,
            status.as_str(),
            accepted_at,
            decided_at,
            seq,
        ],
    )?;
    Ok(())
}

fn next_decision(tx: &mut dyn Tx) -> Result<i64, StoreError> {
    tx.query_one(
        "SELECT coalesce(max(decision_seq), 0) + 1 FROM proposals",
        args![],
    )?
    .int(0)
}

/// Whether `topic` is an approved proposal of `widget` (the dots a ballot may give it).
pub(crate) fn is_approved(tx: &mut dyn Tx, widget: &str, topic: &str) -> Result<bool, StoreError> {
    if !is_proposal_key(topic) {
        return Ok(false);
    }
    tx.query_one(
        "SELECT count(*) FROM proposals WHERE key = ?1 AND widget = ?2 AND status = 'approved'",
        args![topic, widget],
    )?
    .bool(0)
}

/// The approved proposals of a widget, in the order of their approval.
pub(crate) fn topics(tx: &mut dyn Tx, widget: &WidgetId) -> Result<Vec<Topic>, StoreError> {
    tx.query(
        "SELECT key, title, description FROM proposals
         WHERE widget = ?1 AND status = 'approved' ORDER BY decision_seq",
        args![widget.as_str()],
    )?
    .iter()
    .map(|row| {
        Ok(Topic {
            key: row.text(0)?,
            title: row.text(1)?,
            description: row.text(2)?,
        })
    })
    .collect()
}

/// A widget's proposals, oldest first; with `status`, only those.
pub(crate) fn list(
    tx: &mut dyn Tx,
    widget: &WidgetId,
    status: Option<ProposalStatus>,
) -> Result<Vec<ProposalRecord>, StoreError> {
    tx.query(
        &format!(
            "SELECT {PROPOSAL_COLUMNS} FROM proposals
             WHERE widget = ?1 AND (?2 IS NULL OR status = ?2) ORDER BY id"
        ),
        args![widget.as_str(), status.map(ProposalStatus::as_str)],
    )?
    .iter()
    .map(proposal_row)
    .collect()
}

/// The moderation queue: proposals of every widget (or of `widget`), with `status` only those;
/// pending ones first, then oldest first.
pub(crate) fn queue(
    tx: &mut dyn Tx,
    widget: Option<&WidgetId>,
    status: Option<ProposalStatus>,
) -> Result<Vec<ProposalRecord>, StoreError> {
    tx.query(
        &format!(
            "SELECT {PROPOSAL_COLUMNS} FROM proposals
             WHERE (?1 IS NULL OR widget = ?1) AND (?2 IS NULL OR status = ?2)
             ORDER BY CASE WHEN status = 'pending' THEN 0 ELSE 1 END, id"
        ),
        args![
            widget.map(WidgetId::as_str),
            status.map(ProposalStatus::as_str)
        ],
    )?
    .iter()
    .map(proposal_row)
    .collect()
}

/// Per widget that has proposals: how many wait for a decision.
pub(crate) fn pending_by_widget(tx: &mut dyn Tx) -> Result<Vec<(WidgetId, u64)>, StoreError> {
    tx.query(
        "SELECT widget, sum(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) FROM proposals
         GROUP BY widget ORDER BY widget",
        args![],
    )?
    .iter()
    .map(|row| {
        let widget = row.text(0)?;
        let widget = WidgetId::parse(&widget)
            .map_err(|_| StoreError(format!("a proposal row has widget '{widget}'")))?;
        Ok((widget, u64::try_from(row.int(1)?).unwrap_or(0)))
    })
    .collect()
}

/// How many proposals of all widgets wait for a decision (the console's navigation shows it).
pub(crate) fn pending_count(tx: &mut dyn Tx) -> Result<u64, StoreError> {
    let n = tx
        .query_one(
            "SELECT count(*) FROM proposals WHERE status = 'pending'",
            args![],
        )?
        .int(0)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Approves, rejects or merges the proposal `key`, inside the caller's write transaction, and
/// writes what changed to the audit log as done `by` that account.
pub(crate) fn decide(
    tx: &mut dyn Tx,
    key: &str,
    decision: Decision,
    by: &str,
) -> Result<DecideOutcome, StoreError> {
    let Some(current) = load(tx, key)? else {
        return Ok(DecideOutcome::UnknownKey);
    };
    let refuse = |refusal| Ok(DecideOutcome::Refused(refusal));
    if let (ProposalStatus::Merged, Some(into)) = (current.status, &current.merged_into) {
        return refuse(Refusal::AlreadyMerged {
            key: key.to_owned(),
            into: into.clone(),
        });
    }
    let now = rfc3339_utc(now());
    match decision {
        Decision::Approve | Decision::Reject { .. } => {
            let (status, reason) = match decision {
                Decision::Reject { reason } => (ProposalStatus::Rejected, reason),
                _ => (ProposalStatus::Approved, None),
            };
            if current.status == status {
                // Already so: keep the time, so that an approved topic keeps its place; a
                // rejection may still get a new reason.
                if current.reason != reason {
                    tx.execute(
                        "UPDATE proposals SET reason = ?1 WHERE key = ?2",
                        args![reason, key],
                    )?;
                }
            } else {
                tx.execute(
                    "UPDATE proposals SET status = ?1, decided_at = ?2, reason = ?3,
                       decision_seq = (SELECT coalesce(max(decision_seq), 0) + 1 FROM proposals)
                     WHERE key = ?4",
                    args![status.as_str(), now, reason, key],
                )?;
            }
        }
        Decision::Merge { into } => {
            let into = into.as_str();
            if into == key {
                return refuse(Refusal::IntoItself {
                    key: key.to_owned(),
                });
            }
            match load(tx, into)? {
                Some(target) if target.widget != current.widget => {
                    return refuse(Refusal::OtherWidget {
                        key: key.to_owned(),
                        into: into.to_owned(),
                    });
                }
                Some(target)
                    if matches!(
                        target.status,
                        ProposalStatus::Rejected | ProposalStatus::Merged
                    ) =>
                {
                    return refuse(Refusal::TargetClosed {
                        into: into.to_owned(),
                        status: target.status,
                    });
                }
                Some(_) => {}
                None if is_proposal_key(into) => {
                    return refuse(Refusal::NoSuchTarget {
                        into: into.to_owned(),
                    });
                }
                // A topic of the editor's own list.
                None => {}
            }
            let widget = current.widget.as_str();
            let votes = tx
                .query_opt(
                    "SELECT count FROM tallies WHERE widget = ?1 AND option = ?2",
                    args![widget, key],
                )?
                .map(|row| row.int(0))
                .transpose()?;
            if let Some(votes) = votes {
                tx.execute(
                    "INSERT INTO tallies (widget, option, count) VALUES (?1, ?2, ?3)
                     ON CONFLICT (widget, option) DO UPDATE SET count = tallies.count + excluded.count",
                    args![widget, into, votes],
                )?;
                tx.execute(
                    "DELETE FROM tallies WHERE widget = ?1 AND option = ?2",
                    args![widget, key],
                )?;
            }
            tx.execute(
                "UPDATE proposals SET status = 'merged', merged_into = ?1, decided_at = ?2, reason = NULL,
                   decision_seq = (SELECT coalesce(max(decision_seq), 0) + 1 FROM proposals)
                 WHERE key = ?3",
                args![into, now, key],
            )?;
        }
    }
    let updated = load(tx, key)?
        .ok_or_else(|| StoreError(format!("proposal {key} vanished while deciding")))?;
    if updated != current {
        let (action, detail) = match updated.status {
            ProposalStatus::Approved => (Action::ProposalApproved, String::new()),
            ProposalStatus::Rejected => (
                Action::ProposalRejected,
                updated.reason.clone().unwrap_or_default(),
            ),
            ProposalStatus::Merged => (
                Action::ProposalMerged,
                format!("→ {}", updated.merged_into.clone().unwrap_or_default()),
            ),
            ProposalStatus::Pending => return Ok(DecideOutcome::Decided(updated)),
        };
        let object = format!("{} ({})", key, updated.widget);
        audit::record(tx, by, action, &object, &detail)?;
    }
    Ok(DecideOutcome::Decided(updated))
}

/// A key no proposal has yet (checked inside the write transaction, so nobody takes it before the
/// insert).
fn fresh_key(tx: &mut dyn Tx) -> Result<String, StoreError> {
    for _ in 0..KEY_ATTEMPTS {
        let key = new_proposal_key()?;
        let taken = tx
            .query_one("SELECT count(*) FROM proposals WHERE key = ?1", args![key])?
            .bool(0)?;
        if !taken {
            return Ok(key);
        }
    }
    Err(StoreError(format!(
        "no free proposal key after {KEY_ATTEMPTS} tries"
    )))
}

fn load(tx: &mut dyn Tx, key: &str) -> Result<Option<ProposalRecord>, StoreError> {
    tx.query_opt(
        &format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE key = ?1"),
        args![key],
    )?
    .as_ref()
    .map(proposal_row)
    .transpose()
}

/// One row of [`PROPOSAL_COLUMNS`].
fn proposal_row(row: &Row) -> Result<ProposalRecord, StoreError> {
    let widget = row.text(1)?;
    let status = row.text(4)?;
    let (Ok(widget), Some(status)) = (WidgetId::parse(&widget), ProposalStatus::parse(&status))
    else {
        return Err(StoreError(format!(
            "a proposal row has widget '{widget}' and status '{status}'"
        )));
    };
    Ok(ProposalRecord {
        key: row.text(0)?,
        widget,
        title: row.text(2)?,
        description: row.text(3)?,
        status,
        created_at: row.text(5)?,
        decided_at: row.opt_text(6)?,
        merged_into: row.opt_text(7)?,
        reason: row.opt_text(8)?,
    })
}
