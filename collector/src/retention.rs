//! Deletes personal data when its time is up: a background task that purges registrations
//! `retention_days` after their event, at start and then every hour.

use crate::app::background::on_store;
use crate::db::{Store, now};
use crate::events::Event;
use mitmachen_shared::ids::WidgetId;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(60 * 60);

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
    on_store(&store, move |store| store.purge(now(), &cutoffs)).await
}

/// Runs until the process ends.
pub async fn run(
    store: Arc<dyn Store>,
    events: BTreeMap<WidgetId, Arc<Event>>,
    retention_days: u32,
) {
    let mut ticks = tokio::time::interval(EVERY);
    loop {
        ticks.tick().await;
        match purge_once(store.clone(), &events, retention_days).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                registrations = n,
                "personal data deleted after its retention"
            ),
            Err(e) => {
                tracing::error!(error = %e, "the retention purge failed; retrying in an hour")
            }
        }
    }
}
