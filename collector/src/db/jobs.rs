//! Periodic jobs that several collectors on one database share: an instance claims a run by
//! moving the job's next run forward inside a write transaction, so exactly one of them runs it.

use crate::args;
use crate::db::{StoreError, Tx};
use mitmachen_shared::time::Timestamp;

/// Claims the run of `name` due at `now`, if nobody has; the next run is then `every_ms` later.
pub(crate) fn claim(
    tx: &mut dyn Tx,
    name: &str,
    now: Timestamp,
    every_ms: i64,
) -> Result<bool, StoreError> {
    let changed = tx.execute(
        "INSERT INTO job_runs (name, next_run_ms) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET next_run_ms = excluded.next_run_ms
         WHERE job_runs.next_run_ms <= ?3",
        args![name, now.0.saturating_add(every_ms), now.0],
    )?;
    Ok(changed > 0)
}
