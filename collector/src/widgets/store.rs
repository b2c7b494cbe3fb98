//! The widgets' activity in the database.

use crate::args;
use crate::db::{StoreError, Tx};
use mitmachen_shared::ids::WidgetId;

/// Accepted submissions of one kind to one widget.
pub struct Activity {
    pub widget: WidgetId,
    pub kind: String,
    pub submissions: u64,
    /// The latest `created_at` (RFC 3339, UTC: sorts as text).
    pub last: String,
}

pub fn activity(tx: &mut dyn Tx) -> Result<Vec<Activity>, StoreError> {
    tx.query(
        "SELECT widget, kind, count(*), max(created_at) FROM submissions GROUP BY widget, kind",
        args![],
    )?
    .iter()
    .filter_map(|row| {
        let widget = row.text(0).ok()?;
        // Only ids the protocol allows were ever stored; anything else is not shown.
        let widget = WidgetId::parse(&widget).ok()?;
        Some(Ok(Activity {
            widget,
            kind: row.text(1).ok()?,
            submissions: row.count(2).ok()?,
            last: row.text(3).ok()?,
        }))
    })
    .collect()
}
