//! The outbound queues' shared bookkeeping (`mail_queue`, `webhook_queue`): a claim leases an
//! entry and counts the attempt; an outcome marks it sent, schedules a retry, or gives it up.
//! Once an entry is sent or given up, the columns that held a secret or personal data are
//! cleared.

use crate::args;
use crate::db::{StoreError, Tx, Value, many};
use mitmachen_shared::time::{Timestamp, rfc3339_utc};

/// What became of one claimed entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    Sent,
    /// Not sent: try again at `retry_at_ms`, or never (`None`; the log says why).
    Failed {
        error: String,
        retry_at_ms: Option<i64>,
    },
}

pub(crate) struct Queue {
    table: &'static str,
    /// The assignments that forget what the entry no longer needs.
    forget: &'static str,
}

pub(crate) const MAILS: Queue = Queue {
    table: "mail_queue",
    forget: "token = NULL",
};

pub(crate) const WEBHOOKS: Queue = Queue {
    table: "webhook_queue",
    forget: "payload = NULL, token = NULL, email_key = NULL",
};

impl Queue {
    /// Keeps the claimed entries from other senders until `until_ms` and counts the attempt:
    /// one statement for a claim (a round trip per entry was most of a claim's time in the
    /// writer), held back for the commit, which must come before anything is sent anyway.
    pub(crate) fn lease(
        &self,
        tx: &mut dyn Tx,
        ids: &[i64],
        until_ms: i64,
    ) -> Result<(), StoreError> {
        many::execute_in(
            tx,
            &format!(
                "UPDATE {} SET next_attempt_ms = ?1, attempts = attempts + 1 WHERE id IN ({{values}})",
                self.table
            ),
            args![until_ms],
            &ids.iter().map(|&id| Value::Int(id)).collect::<Vec<_>>(),
        )
    }

    /// Records what became of claimed entries: the sent ones in one statement, held back (nothing
    /// in the transaction reads it, nothing refuses it); each failed one on its own.
    pub(crate) fn record(
        &self,
        tx: &mut dyn Tx,
        outcomes: &[(i64, Delivered)],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sent: Vec<Value> = outcomes
            .iter()
            .filter(|(_, outcome)| matches!(outcome, Delivered::Sent))
            .map(|&(id, _)| Value::Int(id))
            .collect();
        many::execute_in(
            tx,
            &format!(
                "UPDATE {} SET sent_at = ?1, {}, last_error = NULL WHERE id IN ({{values}})",
                self.table, self.forget
            ),
            args![rfc3339_utc(now)],
            &sent,
        )?;
        for (id, outcome) in outcomes {
            if let Delivered::Failed { error, retry_at_ms } = outcome {
                self.failed(tx, *id, error, *retry_at_ms, now)?;
            }
        }
        Ok(())
    }

    /// Not sent: try again at `retry_at_ms`, or never (`None`; the log says why).
    fn failed(
        &self,
        tx: &mut dyn Tx,
        id: i64,
        error: &str,
        retry_at_ms: Option<i64>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        match retry_at_ms {
            Some(at) => tx.execute(
                &format!(
                    "UPDATE {} SET next_attempt_ms = ?1, last_error = ?2 WHERE id = ?3",
                    self.table
                ),
                args![at, error, id],
            )?,
            None => tx.execute(
                &format!(
                    "UPDATE {} SET failed_at = ?1, {}, last_error = ?2 WHERE id = ?3",
                    self.table, self.forget
                ),
                args![rfc3339_utc(now), error, id],
            )?,
        };
        Ok(())
    }
}
