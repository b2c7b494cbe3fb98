//! Deletes personal data when its time is up: a background task that purges registrations
//! `retention_days` after their event, unconfirmed subscription requests after their time and
//! ended console sessions,
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

/// One purge; returns how many registrations were deleted.
pub async fn purge_once(
    store: Arc<dyn Store>,
    events: &BTreeMap<WidgetId, Arc<Event>>,
    retention_days: u32,
) -> Result<usize, String> {
    let cutoffs: Vec<(WidgetId, _)> = events
        .iter()
        .map(|(id, e)| (id.clone(), e.purge_at(retention_days)))
        .collect();
    let purged = on_store(&store, move |store| store.purge(now(), &cutoffs)).await?;
    // Ended console sessions go too: their rows say who was signed in when.
    on_store(&store, crate::accounts::session::purge).await?;
    Ok(purged)
}

/// One purge if this instance claims the run due now; `None`: not due, or another collector
/// has it.
pub async fn purge_if_due(
    store: Arc<dyn Store>,
    events: &BTreeMap<WidgetId, Arc<Event>>,
    retention_days: u32,
) -> Result<Option<usize>, String> {
    let every = i64::try_from(EVERY.as_millis()).unwrap_or(i64::MAX);
    let claimed = on_store(&store, move |store| store.claim_job(JOB, now(), every)).await?;
    if !claimed {
        return Ok(None);
    }
    purge_once(store, events, retention_days).await.map(Some)
}

/// Runs until the process ends; looks every minute whether a run is due, so that of several
/// collectors one runs it within a minute of its time.
pub async fn run(
    store: Arc<dyn Store>,
    catalog: Arc<crate::definitions::catalog::Catalog>,
    retention_days: u32,
) {
    let mut ticks = tokio::time::interval(CHECK);
    let mut first = true;
    loop {
        ticks.tick().await;
        // The events as they are now: a date changed in the console moves the purge with it.
        let events = catalog.now().events.clone();
        let run = if std::mem::take(&mut first) {
            purge_once(store.clone(), &events, retention_days)
                .await
                .map(Some)
        } else {
            purge_if_due(store.clone(), &events, retention_days).await
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
