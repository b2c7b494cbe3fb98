//! Deletes personal data when its time is up: a background task that purges registrations
//! `retention_days` after their event, unconfirmed subscription requests after their time,
//! ended console sessions and audit log entries older than `audit_retention_days`,
//! at start and then every hour. The start-up purge (idempotent, cheap) catches a changed
//! configuration or a restored backup at once; the hourly run is shared by several collectors on
//! one database: each run is claimed in the database first (`db::jobs`), so one of them runs it.

use crate::app::background::on_store;
use crate::db::{Store, now};
use crate::events::Event;
use mitmachen_shared::ids::WidgetId;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(60 * 60);
const JOB: &str = "retention";
const CHECK: Duration = Duration::from_secs(60);

/// How long what is kept.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    /// Registrations, after their event.
    pub days: u32,
    /// Audit log entries; 0: for ever.
    pub audit_days: u32,
}

/// One purge; returns how many registrations were deleted.
pub async fn purge_once(
    store: Arc<dyn Store>,
    events: &BTreeMap<WidgetId, Arc<Event>>,
    retention: Retention,
) -> Result<usize, String> {
    let retention_days = retention.days;
    let cutoffs: Vec<(WidgetId, _)> = events
        .iter()
        .map(|(id, e)| (id.clone(), e.purge_at(retention_days)))
        .collect();
    let purged = on_store(&store, move |store| store.purge(now(), &cutoffs)).await?;
    // Ended console sessions go too: their rows say who was signed in when.
    on_store(&store, crate::accounts::session::purge).await?;
    if retention.audit_days > 0 {
        let cutoff = mitmachen_shared::time::rfc3339_utc(mitmachen_shared::time::Timestamp(
            now().0 - i64::from(retention.audit_days) * 24 * 60 * 60 * 1000,
        ));
        let trimmed = on_store(&store, move |store| {
            crate::db::write(store, move |tx| crate::audit::trim(tx, &cutoff))
        })
        .await?;
        if trimmed > 0 {
            tracing::info!(
                entries = trimmed,
                "audit log entries deleted after their retention"
            );
        }
    }
    Ok(purged)
}

/// One purge if this instance claims the run due now; `None`: not due, or another collector
/// has it.
pub async fn purge_if_due(
    store: Arc<dyn Store>,
    events: &BTreeMap<WidgetId, Arc<Event>>,
    retention: Retention,
) -> Result<Option<usize>, String> {
    let every = i64::try_from(EVERY.as_millis()).unwrap_or(i64::MAX);
    let claimed = on_store(&store, move |store| store.claim_job(JOB, now(), every)).await?;
    if !claimed {
        return Ok(None);
    }
    purge_once(store, events, retention).await.map(Some)
}

/// Runs until the process ends; looks every minute whether a run is due, so that of several
/// collectors one runs it within a minute of its time.
pub async fn run(
    store: Arc<dyn Store>,
    catalog: Arc<crate::definitions::catalog::Catalog>,
    retention: Retention,
) {
    let mut ticks = tokio::time::interval(CHECK);
    let mut first = true;
    loop {
        ticks.tick().await;
        // The events as they are now: a date changed in the console moves the purge with it.
        let events = catalog.now().events.clone();
        let run = if std::mem::take(&mut first) {
            purge_once(store.clone(), &events, retention)
                .await
                .map(Some)
        } else {
            purge_if_due(store.clone(), &events, retention).await
        };
        match run {
            Ok(None | Some(0)) => {}
            Ok(Some(n)) => tracing::info!(
                registrations = n,
                "personal data deleted after its retention"
            ),
            Err(e) => {
                tracing::error!(error = %e, "the retention purge failed; retrying at its next hour")
            }
        }
    }
}
