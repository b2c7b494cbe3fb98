//! The audit log: what administrators did, who, when, to what. Every entry is written in the
//! same write transaction as the action it records (so there is no action without its entry),
//! and carries the sha256 of the entry before it: an entry edited or removed afterwards breaks
//! the chain, and [`verify`] finds where. Writes are serialized by the store (one writer on
//! SQLite, the write lock on PostgreSQL), so the chain has no forks.
//!
//! The feature: this file (entries, the chain, reading), `pages` (`/admin/audit` for
//! administrators, `GET /v1/admin/audit-log`).

pub mod pages;

use crate::args;
use crate::db::{Row, StoreError, Tx, hex, now};
use mitmachen_shared::time::rfc3339_utc;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Who acted when the bearer token was used (a script).
pub const BY_TOKEN: &str = "api";
/// Who acted through `collector user …` on the server.
pub const BY_COMMAND_LINE: &str = "command line";

/// What was done. The names are what the log and its exports say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignIn,
    SignInFailed,
    AccountCreated,
    AccountRoleChanged,
    AccountPasswordSet,
    AccountDisabled,
    AccountEnabled,
    Erasure,
    AccessReport,
    Export,
    LogTrimmed,
    WidgetSaved,
    WidgetAdopted,
    WidgetDiscarded,
    ProposalApproved,
    ProposalRejected,
    ProposalMerged,
    RegistrationAdded,
    RegistrationSeated,
    RegistrationCancelled,
    RegistrantsMailed,
}

impl Action {
    pub const ALL: [Action; 21] = [
        Action::SignIn,
        Action::SignInFailed,
        Action::AccountCreated,
        Action::AccountRoleChanged,
        Action::AccountPasswordSet,
        Action::AccountDisabled,
        Action::AccountEnabled,
        Action::Erasure,
        Action::AccessReport,
        Action::Export,
        Action::LogTrimmed,
        Action::WidgetSaved,
        Action::WidgetAdopted,
        Action::WidgetDiscarded,
        Action::ProposalApproved,
        Action::ProposalRejected,
        Action::ProposalMerged,
        Action::RegistrationAdded,
        Action::RegistrationSeated,
        Action::RegistrationCancelled,
        Action::RegistrantsMailed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::SignIn => "sign-in",
            Action::SignInFailed => "sign-in-failed",
            Action::AccountCreated => "account-created",
            Action::AccountRoleChanged => "account-role-changed",
            Action::AccountPasswordSet => "account-password-set",
            Action::AccountDisabled => "account-disabled",
            Action::AccountEnabled => "account-enabled",
            Action::Erasure => "erasure",
            Action::AccessReport => "access-report",
            Action::Export => "export",
            Action::LogTrimmed => "log-trimmed",
            Action::WidgetSaved => "widget-saved",
            Action::WidgetAdopted => "widget-adopted",
            Action::WidgetDiscarded => "widget-discarded",
            Action::ProposalApproved => "proposal-approved",
            Action::ProposalRejected => "proposal-rejected",
            Action::ProposalMerged => "proposal-merged",
            Action::RegistrationAdded => "registration-added",
            Action::RegistrationSeated => "registration-seated",
            Action::RegistrationCancelled => "registration-cancelled",
            Action::RegistrantsMailed => "registrants-mailed",
        }
    }

    pub fn parse(text: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

/// One entry as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub seq: i64,
    /// UTC, RFC 3339.
    pub at: String,
    pub account: String,
    pub action: String,
    pub object: String,
    pub detail: String,
    pub hash: String,
}

/// The hash of an entry: its predecessor's hash and its own fields, each length-prefixed so
/// that no two different entries hash alike.
fn chain(prev: &str, at: &str, account: &str, action: &str, object: &str, detail: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [prev, at, account, action, object, detail] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hex(&hasher.finalize())
}

/// Appends an entry, inside the caller's write transaction.
pub fn record(
    tx: &mut dyn Tx,
    account: &str,
    action: Action,
    object: &str,
    detail: &str,
) -> Result<(), StoreError> {
    let prev = tx
        .query_opt(
            "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            args![],
        )?
        .map(|row| row.text(0))
        .transpose()?;
    // After a trim that left nothing, the chain goes on from the last entry deleted.
    let prev = match prev {
        Some(prev) => prev,
        None => tx
            .query_opt("SELECT hash FROM audit_anchor WHERE id = 1", args![])?
            .map(|row| row.text(0))
            .transpose()?
            .unwrap_or_default(),
    };
    let at = rfc3339_utc(now());
    let hash = chain(&prev, &at, account, action.as_str(), object, detail);
    tx.execute(
        "INSERT INTO audit_log (at, account, action, object, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        args![at, account, action.as_str(), object, detail, prev, hash],
    )?;
    Ok(())
}

const COLUMNS: &str = "seq, at, account, action, object, detail, hash";

fn entry(row: &Row) -> Result<Entry, StoreError> {
    Ok(Entry {
        seq: row.int(0)?,
        at: row.text(1)?,
        account: row.text(2)?,
        action: row.text(3)?,
        object: row.text(4)?,
        detail: row.text(5)?,
        hash: row.text(6)?,
    })
}

/// Which entries to list; each part given narrows it.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub action: Option<Action>,
    /// The account exactly.
    pub account: Option<String>,
    /// Part of the object (a widget id finds its registrations and proposals too).
    pub object: Option<String>,
    /// From and until these UTC days (`YYYY-MM-DD`), both included: the days the log shows.
    pub from: Option<String>,
    pub until: Option<String>,
}

/// The newest entries first, at most `limit`, that `filter` lets through.
pub fn list(tx: &mut dyn Tx, filter: &Filter, limit: i64) -> Result<Vec<Entry>, StoreError> {
    // `replace` finds a part the same way on both databases (LIKE folds case in SQLite only).
    tx.query(
        &format!(
            "SELECT {COLUMNS} FROM audit_log
             WHERE (?1 IS NULL OR action = ?1) AND (?2 IS NULL OR account = ?2)
               AND (?3 IS NULL OR replace(object, ?3, '') <> object)
               AND (?4 IS NULL OR substr(at, 1, 10) >= ?4)
               AND (?5 IS NULL OR substr(at, 1, 10) <= ?5)
             ORDER BY seq DESC LIMIT ?6"
        ),
        args![
            filter.action.map(Action::as_str),
            filter.account.as_deref(),
            filter.object.as_deref(),
            filter.from.as_deref(),
            filter.until.as_deref(),
            limit
        ],
    )?
    .iter()
    .map(entry)
    .collect()
}

/// Every account the log names, in order: the choices of the console's filter.
pub fn accounts(tx: &mut dyn Tx) -> Result<Vec<String>, StoreError> {
    tx.query(
        "SELECT DISTINCT account FROM audit_log WHERE account <> '' ORDER BY account",
        args![],
    )?
    .iter()
    .map(|row| row.text(0))
    .collect()
}

/// Who trims the log after its retention.
pub const BY_RETENTION: &str = "retention";

/// Deletes the entries written before `cutoff` (UTC, RFC 3339), moves the anchor the first
/// remaining entry links to, and records that it did; returns how many it deleted.
pub fn trim(tx: &mut dyn Tx, cutoff: &str) -> Result<u64, StoreError> {
    // The newest entry always stays: numbers then never start again at 1 (SQLite reuses them
    // in an empty table), and the next entry links to it as ever.
    let Some(last) = tx.query_opt(
        "SELECT seq, hash FROM audit_log
         WHERE at < ?1 AND seq < (SELECT max(seq) FROM audit_log)
         ORDER BY seq DESC LIMIT 1",
        args![cutoff],
    )?
    else {
        return Ok(0);
    };
    let (seq, hash) = (last.int(0)?, last.text(1)?);
    let deleted = tx.execute("DELETE FROM audit_log WHERE seq <= ?1", args![seq])?;
    tx.execute(
        "INSERT INTO audit_anchor (id, seq, hash) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        args![seq, hash],
    )?;
    record(
        tx,
        BY_RETENTION,
        Action::LogTrimmed,
        "",
        &format!("{deleted} entries up to no. {seq}, written before {cutoff}"),
    )?;
    Ok(deleted)
}

/// Whether the chain holds: `None`, or the first entry whose hash or link does not match
/// what was written (an edited row, a removed one before it).
pub fn verify(tx: &mut dyn Tx) -> Result<Option<i64>, StoreError> {
    let rows = tx.query(
        "SELECT seq, at, account, action, object, detail, prev_hash, hash FROM audit_log
         ORDER BY seq",
        args![],
    )?;
    // After a trim the first entry links to the last one deleted.
    let mut prev = tx
        .query_opt("SELECT hash FROM audit_anchor WHERE id = 1", args![])?
        .map(|row| row.text(0))
        .transpose()?
        .unwrap_or_default();
    for row in rows.iter() {
        let seq = row.int(0)?;
        let stored_prev = row.text(6)?;
        let expected = chain(
            &prev,
            &row.text(1)?,
            &row.text(2)?,
            &row.text(3)?,
            &row.text(4)?,
            &row.text(5)?,
        );
        let hash = row.text(7)?;
        if stored_prev != prev || hash != expected {
            return Ok(Some(seq));
        }
        prev = hash;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_changes_the_hash() {
        let base = chain(
            "",
            "2026-12-06T10:00:00Z",
            "anna",
            "widget-saved",
            "platz",
            "v2",
        );
        for changed in [
            chain(
                "x",
                "2026-12-06T10:00:00Z",
                "anna",
                "widget-saved",
                "platz",
                "v2",
            ),
            chain(
                "",
                "2026-12-06T10:00:01Z",
                "anna",
                "widget-saved",
                "platz",
                "v2",
            ),
            chain(
                "",
                "2026-12-06T10:00:00Z",
                "anno",
                "widget-saved",
                "platz",
                "v2",
            ),
            chain(
                "",
                "2026-12-06T10:00:00Z",
                "anna",
                "widget-adopted",
                "platz",
                "v2",
            ),
            chain(
                "",
                "2026-12-06T10:00:00Z",
                "anna",
                "widget-saved",
                "platz2",
                "v2",
            ),
            chain(
                "",
                "2026-12-06T10:00:00Z",
                "anna",
                "widget-saved",
                "platz",
                "v3",
            ),
            // Moving a character from one field to the next is a different entry.
            chain(
                "",
                "2026-12-06T10:00:00Z",
                "ann",
                "awidget-saved",
                "platz",
                "v2",
            ),
        ] {
            assert_ne!(changed, base);
        }
        assert_eq!(base.len(), 64);
    }
}
